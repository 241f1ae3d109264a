"""The hostile-input suite: what an attacker (or a careless paste) types into every search box,
filter, note, upload and link stays a value, renders inert, and is refused with a sentence.

The page tests run on a database of their own: tests/handmade.py, with customer 4's name and a
note on customer 1 holding markup, and customer 2's name holding a spreadsheet formula.
"""

import re
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from sqlalchemy import func, select, update
from streamlit.testing.v1 import AppTest

from data_access.admin import users
from data_access.admin.audit import (
    search_trail,
)
from data_access.core.errors import (
    NotFound,
    Refused,
)
from data_access.core.models import (
    Customer,
    Role,
    User,
)
from data_access.core.policy import (
    Action,
)
from data_access.customers.records import (
    add_note,
    customer_360,
    search_customers,
)
from data_access.exports import exports, grants
from data_access.imports import imports
from data_access.segments import segments
from data_access.training import training
from tests import handmade, imports_data
from tests.handmade import ADMIN, AS_OF, EXECUTIVE, KIM, PASSWORD, TRAINER
from tests.test_app import TIMEOUT_S, sign_in
from tests.test_customer_page import give_reason
from tests.test_security_pages import REFUSAL_TITLE, open_url, titles
from ui.messages import translate

ROOT = Path(__file__).resolve().parent.parent
INJECTIONS = [
    "' OR '1'='1",
    "1' OR 1=1 --",
    "'; DROP TABLE customers; --",
    "100000001' --",
    "100000001 OR 1=1",
    '" OR ""="',
    "홍' UNION SELECT password_hash FROM users",
    "%",
    "_",
    "홍%",
    "\\",
    "0101111' OR 'x'='x",
    "A1'; UPDATE users SET role='admin' --",
    "\x00",
]
SCRIPT_NAME = "<img src=x onerror=alert(1)>최지우"
SCRIPT_NOTE = "<script>alert('xss')</script> **굵게** [링크](javascript:alert(1))"
FORMULA_NAME = "=cmd|' /C calc'!A0"


def database_intact(conn) -> None:
    assert conn.execute(select(func.count()).select_from(Customer)).scalar_one() == 4
    roles = conn.execute(select(User.username, User.role).order_by(User.id)).all()
    assert [tuple(row) for row in roles][2] == ("kim", "sales_rep")


@pytest.mark.parametrize("payload", INJECTIONS)
def test_sql_injection_through_the_customer_search_finds_nothing_and_changes_nothing(
    handmade, payload
):
    assert search_customers(handmade, KIM, payload).is_empty()
    database_intact(handmade)


@pytest.mark.parametrize("payload", INJECTIONS)
def test_sql_injection_through_the_audit_filters_finds_nothing(handmade, payload):
    for field in ("username", "customer_no", "action"):
        assert search_trail(handmade, ADMIN, **{field: payload}).is_empty()
    database_intact(handmade)


@pytest.mark.parametrize("payload", [*INJECTIONS, "１００００００００１", "9" * 40])
def test_a_hostile_customer_number_is_refused_as_malformed(handmade, payload):
    with pytest.raises(NotFound) as refused:
        customer_360(handmade, KIM, payload, as_of=AS_OF)
    assert refused.value.code == "customer_malformed"


@pytest.mark.parametrize(
    "spec",
    [
        '{"all": [{"field": "name\') OR 1=1 --", "min": 1}]}',
        '{"all": [{"field": "__class__", "values": ["x"]}]}',
        "not json at all",
        '{"all": [' * 50 + "]}" * 50,
    ],
    ids=["sql-field", "dunder-field", "not-json", "deep-nesting"],
)
def test_a_hostile_segment_filter_is_refused_with_its_reason(spec):
    with pytest.raises(Refused) as refused:
        segments.validate_spec(spec)
    assert refused.value.problems or refused.value.code == "seg_spec_too_deep"


def test_a_pasted_nul_character_is_stored_as_a_visible_mark_on_both_databases(handmade):
    note_id = add_note(
        handmade, KIM, "100000001", channel="visit", outcome="follow_up", text="방문\x00 상담"
    )
    notes = customer_360(handmade, KIM, "100000001", as_of=AS_OF).consultations
    saved = notes.filter(pl.col("consultation_id") == note_id)["note"].to_list()
    assert saved == ["방문\ufffd 상담"]


def test_markup_in_names_and_notes_is_stored_as_typed(handmade):
    handmade.execute(update(Customer).where(Customer.id == 4).values(name=SCRIPT_NAME))
    add_note(handmade, KIM, "100000001", channel="visit", outcome="follow_up", text=SCRIPT_NOTE)
    view = customer_360(handmade, KIM, "100000001", as_of=AS_OF)
    assert SCRIPT_NOTE in view.consultations["note"].to_list()
    assert customer_360(handmade, KIM, "100000004", as_of=AS_OF).profile.name == SCRIPT_NAME


def test_a_formula_in_a_stored_name_is_defused_in_exports(handmade):
    handmade.execute(update(Customer).where(Customer.id == 2).values(name=FORMULA_NAME))
    grants.grant(handmade, ADMIN, "exec", Action.EXPORT, reason="audit of exports")
    found = search_customers(handmade, EXECUTIVE, "100000002")
    exported = exports.export_frame(handmade, EXECUTIVE, found, name="search", reason="test")
    body = exported.data.decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in body
    assert "\n=cmd" not in body and ",=cmd" not in body


@pytest.mark.parametrize(
    ("file_name", "content", "code"),
    [
        ("branches.csv", b"code,name_ko\n" + b"101,x\n" * 50, "too_large"),
        ("branches.csv", b"", "empty_file"),
        ("branches.exe", b"MZ\x90\x00", "unknown_format"),
        ("branches.html", b"<script>alert(1)</script>", "unknown_format"),
        ("branches.parquet", b"PAR1 not really parquet", "unreadable"),
        ("branches.xlsx", b"PK\x03\x04 a broken zip", "unreadable"),
    ],
    ids=["oversized", "empty", "executable", "html", "fake-parquet", "fake-excel"],
)
def test_oversized_and_malformed_uploads_are_refused_before_any_write(
    tmp_path, file_name, content, code
):
    path = tmp_path / file_name
    path.write_bytes(content)
    with pytest.raises(imports.ImportRefused) as refused:
        imports.inspect_file(path, file_name, max_bytes=200)
    assert refused.value.code == f"import_refused_{code}"


HOSTILE_FILES = [
    ("customers.xlsx", imports_data.far_corner_workbook, {}, "sheet_too_large"),
    (
        "customers.xlsx",
        lambda path: imports_data.padded_workbook(path, padding_bytes=8 * 2**20),
        {"max_bytes": 2**20},
        "unpacks_too_large",
    ),
    ("customers.xlsx", imports_data.uncalculated_formula_workbook, {}, "uncalculated_formulas"),
    ("branches.parquet", imports_data.nested_parquet, {}, "nested_column"),
    (
        "branches.parquet",
        lambda path: imports_data.repeated_parquet(path, rows=100_000),
        {"max_cells": 400_000},
        "too_many_cells",
    ),
    (
        "branches.csv",
        lambda path: imports_data.write(path.parent, path.name, "x" * 300_000 + "\n1\n"),
        {},
        "column_name_too_long",
    ),
]


@pytest.mark.parametrize(
    ("file_name", "build", "limits", "code"),
    HOSTILE_FILES,
    ids=["far-corner", "zip-bomb", "uncalculated-formulas", "nested", "absurd-rows", "header"],
)
def test_hostile_file_shapes_are_refused_with_a_short_sentence_before_any_write(
    handmade, tmp_path, file_name, build, limits, code
):
    path = build(tmp_path / file_name)
    with pytest.raises(imports.ImportRefused) as refused:
        imports.run_import(handmade, ADMIN, Path(file_name).stem, path, **limits)
    assert refused.value.code == f"import_refused_{code}"
    for language in ("ko", "en"):
        assert len(translate(f"import_refused_{code}", language, **refused.value.values)) < 600
    database_intact(handmade)


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("name", "\x00", "control_character"),
        ("name", "홍\x1b[2J길동", "control_character"),
        ("name", "\u202e동길홍", "control_character"),
        ("customer_no", "A3000012", "not_a_customer_number"),
        ("customer_no", "100000005' OR '1'='1", "not_a_customer_number"),
        ("birth_date", "1800-01-01", "implausibly_old"),
        ("occupation", "=cmd|' /C calc'!A0" * 10_000, "too_long"),
    ],
    ids=["nul", "terminal-escape", "right-to-left", "letter-number", "sql", "ancient", "huge"],
)
def test_hostile_cells_are_row_errors_shown_short_and_never_stored(
    handmade, tmp_path, column, value, reason
):
    values = dict(
        zip(
            imports_data.CUSTOMER_HEADER.split(","),
            imports_data.GOOD_CUSTOMER.split(","),
            strict=True,
        )
    )
    values[column] = '"' + value.replace('"', '""') + '"'
    text = imports_data.CUSTOMER_HEADER + "\n" + ",".join(values.values()) + "\n"
    path = imports_data.write(tmp_path, "customers.csv", text)
    result = imports.run_import(handmade, ADMIN, "customers", path, as_of=AS_OF)
    assert result.errors.select("line", "column", "reason").rows() == [(2, column, reason)]
    shown = result.errors["value"][0]
    assert len(shown) <= imports.SHOWN_CHARS and not re.search(imports.CONTROL_CHARACTERS, shown)
    assert not result.written
    database_intact(handmade)


def test_no_page_passes_data_through_unsafe_html():
    sources = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]
    offenders = [
        path.name
        for path in sources
        if any(
            marker in path.read_text(encoding="utf-8")
            for marker in ("unsafe_allow_html", "st.html(", "components.html")
        )
    ]
    assert offenders == []


def test_streamlit_xsrf_protection_stays_on():
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert "enableXsrfProtection = true" in config
    assert "enableCORS = false" not in config


# --- through the pages -------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_url(databases) -> str:
    engine = databases.new("hostile")
    with engine.begin() as conn:
        handmade.load(conn)
        conn.execute(update(Customer).where(Customer.id == 4).values(name=SCRIPT_NAME))
        add_note(conn, KIM, "100000001", channel="visit", outcome="follow_up", text=SCRIPT_NOTE)
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def console(hostile_url, monkeypatch):
    monkeypatch.setenv("CRM_DATABASE_URL", hostile_url)
    monkeypatch.setenv("CRM_BUSINESS_DATE", AS_OF.isoformat())
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "0")
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at.run()
    yield at
    st.cache_data.clear()


@pytest.mark.parametrize("payload", INJECTIONS[:7])
def test_injection_typed_in_the_search_box_says_nothing_matched(console, payload):
    sign_in(console, "kim", PASSWORD)
    open_url(console, "customer")
    console.text_input(key="customer_query").input(payload).run()
    assert not console.exception
    assert "에 맞는 고객이 없습니다" in console.info[0].value


def test_markup_in_a_name_and_a_note_renders_as_plain_text(console):
    sign_in(console, "kim", PASSWORD)
    open_url(console, "customer", customer="100000004")
    give_reason(console, "100000004")  # customer 4 has no manager: outside Kim's book
    assert console.header[0].value == "\\<img src\\=x onerror\\=alert\\(1\\)\\>최지우"
    open_url(console, "customer", customer="100000001")
    notes = next(frame.value for frame in console.dataframe if "내용" in frame.value.columns)
    assert SCRIPT_NOTE in notes["내용"].tolist()
    assert not any("<script>" in element.value for element in console.markdown)


@pytest.mark.parametrize(
    ("username", "url_path", "query", "expected"),
    [
        ("kim", "customer", {"customer": "' OR 1=1 --"}, "warning"),
        ("kim", "customer", {"customer": "<script>alert(1)</script>"}, "warning"),
        ("kim", "customer", {"customer": "999999999"}, "warning"),
        ("manager", "executive", {"branch": "102"}, "error"),
        ("trainer", "customer", {"customer": "100000001"}, "refused"),
        ("kim", "users", {"user": "1"}, "refused"),
    ],
    ids=["sql", "script", "unknown", "other-branch", "trainer-customer", "rep-users"],
)
def test_deep_link_parameters_outside_scope_get_a_clear_refusal(
    console, username, url_path, query, expected
):
    sign_in(console, username, PASSWORD)
    open_url(console, url_path, **query)
    assert not console.exception
    if expected == "refused":
        assert titles(console) == [REFUSAL_TITLE]
        assert not console.dataframe
    elif expected == "warning":
        assert console.warning[0].value
        assert not console.header
    else:
        assert console.error[0].value
    assert console.session_state["signed_in_user"].username == username  # still signed in


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_through_employee_number_look_ups_is_an_unknown_employee(handmade, payload):
    with pytest.raises(NotFound, match="unknown_employee"):
        users.create_user(
            handmade, ADMIN, username="newbie", password="long-enough-pass", role=Role.SALES_REP,
            employee_no=payload,
        )  # fmt: skip
    with pytest.raises(NotFound, match="training_rejected_unknown_employee"):
        training.enrol(handmade, TRAINER, 1, [payload], AS_OF)
    database_intact(handmade)
