# ruff: noqa: E501  (a CSV line is clearer whole than split)
"""Row rules: an import takes only what the console can read back and show, and says which line
it refused and why; nothing else of the file is stored unless the admin asks for the good rows
(both databases). Files are over tests/handmade.py, as of its business date 2026-03-10."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Connection, func, select

from data_access.core.errors import (
    DomainError,
)
from data_access.core.models import (
    AuditRecord,
    Customer,
)
from data_access.customers.records import (
    customer_360,
)
from data_access.imports import imports
from tests import handmade
from tests import imports_data as files
from tests.handmade import ADMIN, AS_OF, KIM
from ui.messages import translate

ROOT = Path(__file__).resolve().parent.parent
HEADER = files.CUSTOMER_HEADER


def customer(number: str = "200000001", **changes: str) -> str:
    """One good customers line (a new customer of branch 101), with `changes` by column."""
    values = dict(zip(HEADER.split(","), files.GOOD_CUSTOMER.split(","), strict=True))
    values["customer_no"] = number
    values.update(changes)
    return ",".join(values.values())


def load(conn: Connection, tmp_path: Path, kind: str, text: str, **options) -> imports.ImportResult:
    path = files.write(tmp_path, f"{kind}.csv", text)
    return imports.run_import(conn, ADMIN, kind, path, as_of=AS_OF, **options)


def reasons(result: imports.ImportResult) -> list[tuple[int, str, str]]:
    return result.errors.select("line", "column", "reason").rows()


def customer_count(conn: Connection) -> int:
    return conn.scalar(select(func.count()).select_from(Customer))


@pytest.mark.parametrize(
    "number",
    ["A3000012", "3000012A", "1234567890123", "１２３４５", "12 34", "100000009"],
    ids=["letter-first", "letter-last", "13-digits", "full-width", "space", "good"],
)
def test_a_customer_number_is_imported_only_if_the_console_can_open_it(handmade, tmp_path, number):
    """The import checks by the very rule the customer page parses a number with."""
    result = load(handmade, tmp_path, "customers", f"{HEADER}\n{customer(number)}\n")
    try:
        customer_360(handmade, KIM, number, as_of=AS_OF)
    except DomainError as refused:
        if refused.code == "customer_malformed":
            assert reasons(result) == [(2, "customer_no", "not_a_customer_number")]
            assert not result.written and customer_count(handmade) == 4
        else:  # well formed; the customer is out of Kim's reach or not found
            assert result.written and result.inserted == 1


def test_a_malformed_customer_number_in_another_kind_is_named_as_such(handmade, tmp_path):
    text = """account_no,customer_no,product_code,branch_code,opened_on,maturity_date,closed_on,principal_krw,market_value_krw
A20,A3000012,F001,101,2026-03-02,,,1000000,1000000
"""
    assert reasons(load(handmade, tmp_path, "accounts", text)) == [
        (2, "customer_no", "not_a_customer_number")
    ]


def test_a_phone_the_console_cannot_search_by_is_a_row_error(handmade, tmp_path):
    text = f"{HEADER}\n{customer(phone='0')}\n{customer('200000002', phone='010 1234 5678')}\n"
    assert reasons(load(handmade, tmp_path, "customers", text)) == [
        (2, "phone", "not_a_phone_number"),
        (3, "phone", "not_a_phone_number"),
    ]


def test_a_nul_character_is_a_row_error_with_its_line_and_the_good_rows_load(handmade, tmp_path):
    """On PostgreSQL a NUL reaching the bulk load killed the whole import with no line number;
    on SQLite it was stored."""
    with_nul = customer("200000002", name="홍\x00길동")
    text = f"{HEADER}\n{customer()}\n{with_nul}\n"
    refused = load(handmade, tmp_path, "customers", text)
    assert reasons(refused) == [(3, "name", "control_character")]
    assert refused.errors["value"].to_list() == ["홍\ufffd길동"]
    assert not refused.written and customer_count(handmade) == 4
    loaded = load(handmade, tmp_path, "customers", text, good_rows_only=True)
    assert (loaded.written, loaded.inserted, loaded.rejected) == (True, 1, 1)
    names = handmade.scalars(select(Customer.name).where(Customer.customer_no.like("2%")))
    assert names.all() == ["정상고객"]


@pytest.mark.parametrize(
    "value",
    ["홍\x1b[31m길동", "홍\x07", "\u202e동길홍", "홍\t길동", "홍\n길동", "홍\x85길동"],
    ids=["escape", "bell", "right-to-left-override", "tab", "line-break", "next-line"],
)
def test_control_characters_in_a_one_line_text_are_row_errors(handmade, tmp_path, value):
    quoted = '"' + value + '"'
    result = load(handmade, tmp_path, "customers", f"{HEADER}\n{customer(name=quoted)}\n")
    assert reasons(result) == [(2, "name", "control_character")]


def test_a_note_keeps_its_line_breaks_but_not_a_nul(handmade, tmp_path):
    text = """customer_no,employee_no,branch_code,channel,occurred_at,note,outcome,is_sensitive
100000001,E3,101,phone,2026-03-05 11:00,"첫째 줄
둘째 줄	탭",interested,
100000002,E3,101,phone,2026-03-05 12:00,"메모\x00",interested,
"""
    result = load(handmade, tmp_path, "consultations", text)
    assert reasons(result) == [(3, "note", "control_character")]


def test_impossible_and_questionable_customer_dates_are_row_errors(handmade, tmp_path):
    """As of 2026-03-10: born in 2099 (age -73, so also opened before birth), born 1905 (120
    years and more), a relationship opened tomorrow or before the customer was born, closed
    before it was opened or after today."""
    lines = [
        customer("200000001", birth_date="2099-01-01"),
        customer("200000002", birth_date="1905-12-31"),
        customer("200000003", birth_date="1906-03-10"),  # 120 today: kept
        customer("200000004", opened_on="2026-03-11"),
        customer("200000005", opened_on="2026-03-10", closed_on="2026-03-09"),
        customer("200000006", birth_date="1990-05-05", opened_on="1990-05-04"),
        customer("200000007", closed_on="2026-03-11"),
        customer("200000008", opened_on="2026-03-10", closed_on="2026-03-10"),  # kept
    ]
    result = load(handmade, tmp_path, "customers", "\n".join([HEADER, *lines]) + "\n")
    assert reasons(result) == [
        (2, "birth_date", "in_the_future"),
        (2, "opened_on", "before_birth_date"),
        (3, "birth_date", "implausibly_old"),
        (5, "opened_on", "in_the_future"),
        (6, "closed_on", "before_opened_on"),
        (7, "opened_on", "before_birth_date"),
        (8, "closed_on", "in_the_future"),
    ]
    assert result.rejected == 6


def test_the_other_kinds_refuse_dates_that_cannot_be(handmade, tmp_path):
    accounts = """account_no,customer_no,product_code,branch_code,opened_on,maturity_date,closed_on,principal_krw,market_value_krw
A20,100000001,F001,101,2026-03-11,,,1000000,1000000
A21,100000001,F001,101,2026-03-02,2026-03-01,,1000000,1000000
A22,100000001,F001,101,2026-03-02,,2026-03-01,1000000,1000000
A23,100000001,F001,101,2026-03-02,2027-03-02,,1000000,1000000
"""
    assert reasons(load(handmade, tmp_path, "accounts", accounts)) == [
        (2, "opened_on", "in_the_future"),
        (3, "maturity_date", "before_opened_on"),
        (4, "closed_on", "before_opened_on"),
    ]
    transactions = """transaction_id,account_no,occurred_at,kind,amount_krw,channel,branch_code,performed_by,employee_no
T-0100,A1,2026-03-10 23:59:59,deposit,100000,branch,101,owner,E3
T-0101,A1,2026-03-11 00:00:00,deposit,100000,branch,101,owner,E3
"""
    assert reasons(load(handmade, tmp_path, "transactions", transactions)) == [
        (3, "occurred_at", "in_the_future")
    ]
    notes = """customer_no,employee_no,branch_code,channel,occurred_at,note,outcome,is_sensitive
100000001,E3,101,phone,2026-04-01 11:00,아직 하지 않은 상담,interested,
"""
    assert reasons(load(handmade, tmp_path, "consultations", notes)) == [
        (2, "occurred_at", "in_the_future")
    ]
    events = """customer_no,kind,event_date
100000001,birthday,2030-02-28
"""
    assert reasons(load(handmade, tmp_path, "life_events", events)) == [
        (2, "event_date", "in_the_future")
    ]
    # Planned rows are not errors: a branch opening next month, a fund to launch, a new hire.
    planned = [
        ("branches", "code,name_ko,name_en,region,opened_on\n109,판교지점,Pangyo,경기,2026-04-01\n"),
        ("products", "code,name,fund_type,risk_grade,term_months,launched_on\nF020,새 펀드,채권형,5,12,2026-04-01\n"),
        ("employees", "employee_no,name,role,branch_code,hire_date\nE20,신입,sales_rep,101,2026-04-01\n"),
    ]  # fmt: skip
    for kind, text in planned:
        assert load(handmade, tmp_path, kind, text).inserted == 1, kind


def test_every_new_reason_reads_in_korean_and_english():
    for code in [
        "control_character",
        "not_a_customer_number",
        "not_a_phone_number",
        "in_the_future",
        "implausibly_old",
        "before_opened_on",
        "before_birth_date",
    ]:
        key = f"import_reason_{code}"
        korean, english = translate(key, "ko"), translate(key, "en")
        assert korean and english


# --- Values shown back are short ----------------------------------------------------------

HUGE = "가" * 300_000


def test_a_huge_value_is_shown_cut_in_the_errors_and_their_file(handmade, tmp_path):
    result = load(handmade, tmp_path, "customers", f"{HEADER}\n{customer(occupation=HUGE)}\n")
    assert reasons(result) == [(2, "occupation", "too_long")]
    shown = result.errors["value"][0]
    assert len(shown) == imports.SHOWN_CHARS and shown.endswith("…")
    assert len(imports.errors_csv(result.errors)) < 1_000


def test_a_refused_file_is_audited_with_its_name_cut(handmade, tmp_path):
    bad_phone = customer(phone="0")
    path = files.write(tmp_path, "c" * 200 + ".csv", f"{HEADER}\n{bad_phone}\n")
    result = imports.run_import(handmade, ADMIN, "customers", path, as_of=AS_OF)
    assert not result.written and len(result.file_name) == imports.SHOWN_CHARS
    detail = json.loads(handmade.scalar(select(AuditRecord.detail)))
    assert detail["file"] == result.file_name


def test_the_command_line_never_echoes_a_huge_value(databases, tmp_path):
    """Before, a 50 MB field was refused but written whole to stderr."""
    engine = databases.new("import_huge_value")
    with engine.begin() as conn:
        handmade.load(conn)
    path = files.write(tmp_path, "customers.csv", f"{HEADER}\n{customer(occupation=HUGE)}\n")
    environment = {
        **os.environ,
        "CRM_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "CRM_BUSINESS_DATE": AS_OF.isoformat(),
        "CRM_LANGUAGE": "en",
    }

    def command_line(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "jobs", *arguments],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    errors_csv = tmp_path / "errors.csv"
    rows = command_line("import", "customers", str(path), "--errors-csv", str(errors_csv))
    assert rows.returncode == 1
    assert "line 2, occupation '가가" in rows.stderr and "…': too long" in rows.stderr
    assert len(rows.stderr) < 2_000
    assert pl.read_csv(errors_csv)["value"].str.len_chars().to_list() == [imports.SHOWN_CHARS]
    kind = command_line("import", "x" * 100_000, str(path))
    assert kind.returncode == 1 and len(kind.stderr) < 2_000
    engine.dispose()
