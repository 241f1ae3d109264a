"""Bulk import on hand-made files (tests/imports_data.py) over tests/handmade.py, both DBs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Table, func, inspect, select
from sqlalchemy import text as sql_text

from data_access.core.models import (
    Account,
    AuditRecord,
    Branch,
    Consultation,
    Customer,
    Employee,
    ImportRun,
    LifeEvent,
    Product,
    Transaction,
)
from data_access.core.policy import (
    AccessDenied,
)
from data_access.imports import imports
from data_access.segments import segments
from jobs.__main__ import main as jobs_main
from tests import handmade
from tests import imports_data as files
from tests.handmade import ADMIN, KIM, MANAGER_101, TRAINER


def contents(conn: Connection, table: Table) -> list[tuple]:
    return [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))]


def load(conn: Connection, tmp_path: Path, kind: str, text: str, **options) -> imports.ImportResult:
    path = files.write(tmp_path, f"{kind}.csv", text)
    return imports.run_import(conn, ADMIN, kind, path, **options)


def counts(result: imports.ImportResult) -> tuple[int, int, int, int]:
    return result.inserted, result.updated, result.unchanged, result.rejected


def test_customers_insert_update_unchanged_then_reimport_changes_nothing(handmade, tmp_path):
    first = load(handmade, tmp_path, "customers", files.CUSTOMERS)
    assert counts(first) == (1, 1, 1, 0)
    assert first.written and first.errors.is_empty()
    new = select(Customer.__table__).where(Customer.customer_no == "100000005")
    row = handmade.execute(new).one()
    assert (row.name, row.birth_date, row.phone_last4) == ("강새봄", dt.date(1988, 3, 15), "9876")
    assert (row.home_branch_id, row.manager_id, row.opened_on) == (1, 3, dt.date(2026, 3, 2))
    assert (row.consent_dm, row.consent_tm, row.consent_email) == (True, False, True)
    tier = handmade.scalar(select(Customer.tier).where(Customer.customer_no == "100000003"))
    assert tier == "vip"
    before = contents(handmade, Customer.__table__)
    again = load(handmade, tmp_path, "customers", files.CUSTOMERS)
    assert counts(again) == (0, 0, 3, 0)
    assert contents(handmade, Customer.__table__) == before
    assert again.stale_jobs == ()
    assert "customer-features" in first.stale_jobs
    # The segment copy is marked stale by the load that changed customers, and only by it.
    assert segments.features_version(handmade) == 1
    load(handmade, tmp_path, "customers", files.CUSTOMERS.replace("강새봄", "강봄"), dry_run=True)
    assert segments.features_version(handmade) == 1


@pytest.mark.parametrize(
    ("kind", "text", "expected", "table"),
    [
        ("branches", files.BRANCHES, (1, 0, 1, 0), Branch),
        ("employees", files.EMPLOYEES, (1, 1, 1, 0), Employee),
        ("products", files.PRODUCTS, (1, 0, 1, 0), Product),
        ("accounts", files.ACCOUNTS, (1, 1, 0, 0), Account),
        ("transactions", files.TRANSACTIONS, (2, 0, 0, 0), Transaction),
        ("consultations", files.CONSULTATIONS, (2, 0, 0, 0), Consultation),
        ("life_events", files.LIFE_EVENTS, (2, 0, 0, 0), LifeEvent),
    ],
)
def test_each_kind_loads_then_reimport_is_unchanged(
    handmade, tmp_path, kind, text, expected, table
):
    rows_before = handmade.scalar(select(func.count()).select_from(table))
    result = load(handmade, tmp_path, kind, text)
    assert counts(result) == expected, result.errors
    assert handmade.scalar(select(func.count()).select_from(table)) == rows_before + expected[0]
    again = load(handmade, tmp_path, kind, text)
    assert counts(again) == (0, 0, sum(expected[:3]), 0)


def test_stored_values_of_the_other_kinds(handmade, tmp_path):
    for kind, text in [
        ("branches", files.BRANCHES),
        ("employees", files.EMPLOYEES),
        ("products", files.PRODUCTS),
        ("accounts", files.ACCOUNTS),
        ("transactions", files.TRANSACTIONS),
        ("life_events", files.LIFE_EVENTS),
    ]:
        assert load(handmade, tmp_path, kind, text).written
    daejeon = handmade.execute(select(Branch.id, Branch.is_active).where(Branch.code == "103"))
    _, active = daejeon.one()
    assert active is True  # blank means in use
    e7 = handmade.execute(
        select(Employee.branch_id, Employee.role).where(Employee.employee_no == "E7")
    )
    assert e7.one() == (2, "dedicated_manager")
    assert handmade.scalar(select(Employee.name).where(Employee.employee_no == "E3")) == "김영업2"
    assert handmade.scalar(select(Product.term_months).where(Product.code == "F009")) is None
    a3 = handmade.execute(select(Account.market_value_krw).where(Account.account_no == "A3"))
    assert a3.scalar_one() == 2_100_000
    a9 = handmade.execute(
        select(Account.customer_id, Account.branch_id, Account.maturity_date).where(
            Account.account_no == "A9"
        )
    )
    assert a9.one() == (1, 2, dt.date(2027, 3, 2))
    transactions = handmade.execute(
        select(
            Transaction.external_id,
            Transaction.customer_id,
            Transaction.account_id,
            Transaction.occurred_at,
            Transaction.amount_krw,
            Transaction.branch_id,
            Transaction.employee_id,
        ).order_by(Transaction.external_id)
    ).all()
    assert [tuple(row) for row in transactions] == [
        ("T-0001", 1, 1, dt.datetime(2026, 3, 2, 10, 15), 500_000, 1, 3),
        ("T-0002", 3, 4, dt.datetime(2026, 3, 3, 9, 0), 1_000_000, None, None),
    ]
    # Transactions were empty: the first load rebuilt their indexes and foreign keys (dropped
    # for the load on PostgreSQL) after the rows went in.
    indexes = {index["name"] for index in inspect(handmade).get_indexes("transactions")}
    expected = {index.name for index in Transaction.__table__.indexes}
    assert expected <= indexes
    foreign_keys = inspect(handmade).get_foreign_keys("transactions")
    referred = {(fk["referred_table"], tuple(fk["constrained_columns"])) for fk in foreign_keys}
    model_keys = Transaction.__table__.foreign_key_constraints
    assert referred == {(fk.referred_table.name, tuple(fk.column_keys)) for fk in model_keys}
    if handmade.dialect.name == "postgresql":  # and the planner has the loaded rows' statistics
        statistics = sql_text("SELECT count(*) FROM pg_stats WHERE tablename = 'transactions'")
        assert handmade.scalar(statistics) > 0
    moved = load(handmade, tmp_path, "life_events", files.LIFE_EVENTS_MOVED)
    assert counts(moved) == (0, 1, 1, 0)
    wedding = select(LifeEvent.event_date).where(LifeEvent.kind == "wedding_anniversary")
    assert handmade.scalar(wedding) == dt.date(2001, 10, 21)


def test_consultations_are_append_only(handmade, tmp_path):
    assert load(handmade, tmp_path, "consultations", files.CONSULTATIONS).written
    before = contents(handmade, Consultation.__table__)
    changed = load(handmade, tmp_path, "consultations", files.CONSULTATIONS_CHANGED)
    assert not changed.written
    assert changed.errors.select("line", "reason").rows() == [(2, "append_only")]
    assert contents(handmade, Consultation.__table__) == before
    note = (
        select(Consultation.note)
        .where(Consultation.customer_id == 3)
        .order_by(Consultation.id.desc())
    )
    assert handmade.scalar(note) == '=HYPERLINK("x") 메모'


def test_every_bad_row_is_reported_and_nothing_is_written(handmade, tmp_path):
    before = contents(handmade, Customer.__table__)
    result = load(handmade, tmp_path, "customers", files.BAD_CUSTOMERS)
    assert not result.written
    assert result.errors.select("line", "column", "reason").rows() == files.BAD_CUSTOMER_REASONS
    assert (result.rows, result.rejected, result.inserted, result.unchanged) == (12, 11, 0, 0)
    assert contents(handmade, Customer.__table__) == before
    run = handmade.execute(select(ImportRun.status, ImportRun.rejected)).one()
    assert tuple(run) == ("refused", 11)
    csv = pl.read_csv(imports.errors_csv(result.errors), infer_schema=False)
    assert csv.columns == ["line", "column", "value", "reason"] and csv.height == 11


def test_good_rows_only_loads_the_rest(handmade, tmp_path):
    result = load(handmade, tmp_path, "customers", files.BAD_CUSTOMERS, good_rows_only=True)
    assert result.written and counts(result) == (1, 0, 0, 11)
    stored = select(Customer.name).where(Customer.customer_no.like("2%"))
    assert handmade.scalars(stored).all() == ["정상고객"]


def test_dry_run_counts_and_writes_nothing(handmade, tmp_path):
    before = contents(handmade, Customer.__table__)
    result = load(handmade, tmp_path, "customers", files.CUSTOMERS, dry_run=True)
    assert counts(result) == (1, 1, 1, 0) and result.dry_run and not result.written
    assert contents(handmade, Customer.__table__) == before
    assert handmade.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_cp949_file_is_read_without_mojibake(handmade, tmp_path):
    path = files.write(tmp_path, "customers.csv", files.CUSTOMERS, encoding="cp949")
    result = imports.run_import(handmade, ADMIN, "customers", path)
    assert result.encoding == "cp949" and counts(result) == (1, 1, 1, 0)
    name = select(Customer.name).where(Customer.customer_no == "100000005")
    assert handmade.scalar(name) == "강새봄"


def test_formula_cells_are_stored_as_text(handmade, tmp_path):
    result = load(handmade, tmp_path, "customers", files.FORMULA_CUSTOMERS)
    assert counts(result) == (4, 0, 0, 0)
    names = (
        select(Customer.name).where(Customer.customer_no.like("3%")).order_by(Customer.customer_no)
    )
    assert tuple(handmade.scalars(names)) == files.FORMULA_NAMES


def test_the_errors_file_defuses_every_formula_prefix_of_the_uploaded_values():
    errors = pl.DataFrame({"line": [2, 3, 4], "value": ["=1+2", "\t=cmd", "홍길동"]})
    assert imports.errors_csv(errors).decode("utf-8-sig").splitlines() == [
        "line,value",
        "2,'=1+2",
        "3,'\t=cmd",
        "4,홍길동",
    ]


def test_korean_headers_are_mapped(handmade, tmp_path):
    path = files.write(tmp_path, "branches.csv", files.KOREAN_HEADER_BRANCHES)
    with pytest.raises(imports.ImportRefused) as refused:
        imports.run_import(handmade, ADMIN, "branches", path)
    assert refused.value.code == "import_refused_missing_columns"
    preview = imports.preview(path, path.name, "branches", files.KOREAN_BRANCH_MAPPING)
    assert preview.rows() == [("103", "대전지점", "Daejeon", "대전", "1995-04-03")]
    result = imports.run_import(
        handmade, ADMIN, "branches", path, mapping=files.KOREAN_BRANCH_MAPPING
    )
    assert counts(result) == (1, 0, 0, 0)


def test_excel_and_parquet_files(handmade, tmp_path):
    frame = pl.read_csv(files.BRANCHES.encode(), infer_schema=False)
    frame.write_excel(tmp_path / "branches.xlsx")
    from_excel = imports.run_import(handmade, ADMIN, "branches", tmp_path / "branches.xlsx")
    assert counts(from_excel) == (1, 0, 1, 0), from_excel.errors
    typed = pl.read_csv(files.PRODUCTS.encode(), try_parse_dates=True)
    typed.write_parquet(tmp_path / "products.parquet")
    from_parquet = imports.run_import(handmade, ADMIN, "products", tmp_path / "products.parquet")
    assert counts(from_parquet) == (1, 0, 1, 0), from_parquet.errors


@pytest.mark.parametrize(
    ("name", "content", "kind", "code"),
    [
        ("empty.csv", b"", "customers", "empty_file"),
        ("header.csv", files.CUSTOMER_HEADER.encode() + b"\n", "customers", "empty_file"),
        ("branches.csv", files.BRANCHES.encode(), "customers", "wrong_kind"),
        ("few.csv", b"customer_no,name\n1,a\n", "customers", "missing_columns"),
        (
            "latin.csv",
            "code,name_ko\n1,\u00e9\n".encode("latin-1") + b"\xff\xff",
            "branches",
            "unknown_encoding",
        ),
        ("customers.json", b"{}", "customers", "unknown_format"),
        ("big.csv", files.CUSTOMERS.encode(), "customers", "too_large"),
        (
            "ragged.csv",
            b"code,name_ko,name_en,region,opened_on\n101,a,b,c,1988-01-01,x,y\n",
            "branches",
            "unreadable",
        ),
        ("c.csv", files.CUSTOMERS.encode(), "clients", "unknown_kind"),
        ("broken.xlsx", b"not a workbook", "branches", "unreadable"),
        ("broken.parquet", b"not parquet", "branches", "unreadable"),
    ],
)
def test_bad_files_are_refused_with_the_database_unchanged(
    handmade, tmp_path, name, content, kind, code
):
    path = tmp_path / name
    path.write_bytes(content)
    before = contents(handmade, Customer.__table__), contents(handmade, Branch.__table__)
    limit = 100 if name == "big.csv" else imports.MAX_IMPORT_BYTES
    with pytest.raises(imports.ImportRefused) as refused:
        imports.run_import(handmade, ADMIN, kind, path, max_bytes=limit)
    assert refused.value.code == f"import_refused_{code}"
    after = contents(handmade, Customer.__table__), contents(handmade, Branch.__table__)
    assert after == before
    assert handmade.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_only_admins_import(handmade, tmp_path):
    path = files.write(tmp_path, "customers.csv", files.CUSTOMERS)
    for user in (KIM, MANAGER_101, TRAINER):
        with pytest.raises(AccessDenied):
            imports.run_import(handmade, user, "customers", path)
        with pytest.raises(AccessDenied):
            imports.import_history(handmade, user)


def test_each_import_is_recorded_and_audited(handmade, tmp_path):
    result = load(handmade, tmp_path, "customers", files.CUSTOMERS)
    history = imports.import_history(handmade, ADMIN)
    assert history.select("kind", "file_name", "status", "rows", "inserted", "updated").rows() == [
        ("customers", "customers.csv", "loaded", 3, 1, 1)
    ]
    assert history["file_sha256"][0] == result.sha256 and len(result.sha256) == 64
    audit = handmade.execute(
        select(AuditRecord.action, AuditRecord.target_kind, AuditRecord.detail)
    ).one()
    assert audit.action == "import_loaded" and audit.target_kind == "customers"
    assert json.loads(audit.detail)["inserted"] == 1


def test_templates_carry_every_column(tmp_path):
    for kind, spec in imports.KINDS.items():
        template = pl.read_csv(imports.template_csv(kind), infer_schema=False)
        assert template.columns == [column.name for column in spec.columns]
        assert template.height == 1


product_rows = st.lists(
    st.tuples(
        st.from_regex(r"P[0-9A-Z]{1,8}", fullmatch=True),
        st.text(alphabet="드림채권주식형 =+-@,\"'ABC1", min_size=1, max_size=30).filter(str.strip),
        st.integers(1, 6),
        st.one_of(st.none(), st.integers(1, 600)),
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda row: row[0],
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=product_rows, changed=st.sets(st.integers(0, 11)))
def test_upsert_property_insert_then_unchanged_then_only_the_changed(
    handmade, tmp_path, rows, changed
):
    """Any valid file: all new, then all unchanged, then exactly the edited rows updated."""
    changed = {index for index in changed if index < len(rows)}

    def csv(grades: list[int]) -> str:
        frame = pl.DataFrame(
            {
                "code": [row[0] for row in rows],
                "name": [row[1] for row in rows],
                "fund_type": ["채권형"] * len(rows),
                "risk_grade": grades,
                "term_months": [row[3] for row in rows],
                "launched_on": ["2026-01-05"] * len(rows),
            },
            schema_overrides={"term_months": pl.Int64},
        )
        return frame.write_csv()

    grades = [row[2] for row in rows]
    edited = [(grade % 6) + 1 if index in changed else grade for index, grade in enumerate(grades)]
    savepoint = handmade.begin_nested()
    try:
        n = len(rows)
        assert counts(load(handmade, tmp_path, "products", csv(grades))) == (n, 0, 0, 0)
        assert counts(load(handmade, tmp_path, "products", csv(grades))) == (0, 0, n, 0)
        again = load(handmade, tmp_path, "products", csv(edited))
        assert counts(again) == (0, len(changed), n - len(changed), 0)
        stored = handmade.execute(
            select(Product.code, Product.name).where(Product.code.in_([r[0] for r in rows]))
        )
        assert sorted(stored) == sorted((row[0], row[1].strip()) for row in rows)
    finally:
        savepoint.rollback()


def test_command_line_import(databases, tmp_path, monkeypatch, capsys):
    engine = databases.new("import_cli")
    with engine.begin() as conn:
        handmade.load(conn)
    monkeypatch.setenv("CRM_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CRM_ANALYTICS_DIR", str(tmp_path / "analytics"))
    good = files.write(tmp_path, "customers.csv", files.CUSTOMERS)
    bad = files.write(tmp_path, "bad.csv", files.BAD_CUSTOMERS)
    errors_csv = tmp_path / "errors.csv"

    assert (
        jobs_main(
            ["import", "customers", str(bad), "--errors-csv", str(errors_csv), "--lang", "en"]
        )
        == 1
    )
    assert "11 rows have errors, so nothing was written" in capsys.readouterr().err
    assert pl.read_csv(errors_csv, infer_schema=False).height == 11

    assert jobs_main(["import", "customers", str(good), "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (dry["inserted"], dry["updated"], dry["written"]) == (1, 1, False)

    assert jobs_main(["import", "customers", str(good), "--json"]) == 0
    loaded = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (loaded["inserted"], loaded["updated"], loaded["unchanged"]) == (1, 1, 1)
    # The segment counts' analytical copy is rebuilt at once; the daily jobs wait for their run.
    assert loaded["refreshed_jobs"] == ["customer-features"]
    assert loaded["jobs_to_rerun"] == ["agenda", "kpi-snapshot"]
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Customer)) == 5
        assert (
            conn.scalar(select(ImportRun.username).where(ImportRun.status == "loaded")) == "admin"
        )

    korean = files.write(tmp_path, "지점.csv", files.KOREAN_HEADER_BRANCHES)
    mapping = [f"--map={source}={target}" for source, target in files.KOREAN_BRANCH_MAPPING.items()]
    assert jobs_main(["import", "branches", str(korean), *mapping]) == 0
    engine.dispose()
