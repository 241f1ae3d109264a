"""Each KPI on the hand-made dataset (tests/kpi_data.py states the story and the counts)."""

from __future__ import annotations

import datetime as dt
import inspect
import json
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Connection, Engine, func, select

from data_access.core.errors import (
    DomainError,
    NotFound,
    Refused,
)
from data_access.core.models import (
    AuditRecord,
    JobRun,
    KpiSnapshot,
    KpiTarget,
)
from data_access.core.policy import (
    AccessDenied,
    Action,
)
from data_access.exports import exports, grants
from data_access.kpis import kpis
from jobs import __main__ as cli
from jobs import kpis as kpis_job
from tests import handmade, kpi_data
from tests.handmade import ADMIN, EXECUTIVE, KIM, MANAGER_101
from ui.messages import translate

DAY, MONDAY = kpi_data.DAY, kpi_data.MONDAY
REPO_ROOT = Path(__file__).resolve().parents[1]
BUSINESS_DAYS = kpi_data.WINDOW_BUSINESS_DAYS

# By hand from tests/kpi_data.py: (firm, 101, 102) on D.
EXPECTED_ON_DAY: dict[str, tuple[float | None, float | None, float | None]] = {
    "aum_krw": (27_000_000, 17_000_000, 10_000_000),
    "net_flows_krw": (2_500_000, 2_500_000, 0),
    "organic_growth_pct": (
        1_500_000 * 100 / 25_500_000,
        2_500_000 * 100 / 14_500_000,
        -1_000_000 * 100 / 11_000_000,
    ),
    "active_customers": (5, 4, 1),
    "new_customers": (1, 1, 0),
    "lost_customers": (0, 0, 0),
    "attrition_pct": (1 * 100 / 5, 0.0, 1 * 100 / 2),
    "customers_per_manager": (2 / 1, 2 / 1, None),  # 102 has no dedicated manager
    "priority_customers": (4, 3, 1),
    "priority_share_pct": (80.0, 75.0, 100.0),
    "staff_per_branch": (5 / 2, 3.0, 2.0),
    "consultations_per_rep_day": (
        7 / (4 * BUSINESS_DAYS),
        5 / (2 * BUSINESS_DAYS),
        2 / (2 * BUSINESS_DAYS),
    ),
    "agenda_completion_pct": (2 * 100 / 5, 2 * 100 / 4, 0.0),
    # Pieces are campaign targets in the contact arm (kpi_data.py), no longer DM/TM notes:
    # on D campaign 92 mailed customer 1 (101) and customer 3 (102). In the window 101 has
    # two DM pieces, both responded; 102 one DM and two TM pieces, one bought.
    "dm_tm_pieces": (2, 1, 1),
    "dm_tm_response_pct": (3 * 100 / 5, 2 * 100 / 2, 1 * 100 / 3),
    # Default costs: a DM piece 700 won, a TM call 1,500 won.
    "cost_per_response_krw": (
        (3 * 700 + 2 * 1_500) / 3,
        2 * 700 / 2,
        (1 * 700 + 2 * 1_500) / 1,
    ),
    "usage_per_staff_day": (10 / 4, 6 / 3, 4 / 1),
    # Enrolments due by D (completed, or the session ended) and completed, of staff employed:
    # 101 Kim (done), the manager (session 1 ended 2025-01-07, not done), employee 7's two
    # (done) = 3 of 4; 102 Park's (done) = 1 of 1. No longer "staff with any course done".
    "trained_pct": (4 * 100 / 5, 3 * 100 / 4, 1 * 100 / 1),
    "certified_pct": (2 * 100 / 5, 2 * 100 / 3, 0.0),
    "online_share_pct": (3 * 100 / 4, 1 * 100 / 2, 2 * 100 / 2),
    # No complaint in kpi_data.py: none received, none overdue (tests/test_complaints.py).
    "complaints_per_10k_customers": (0.0, 0.0, 0.0),
    "complaints_overdue": (0, 0, 0),
    # Happy calls due in the window: 101 one of two closed by its day, 102 none of one.
    "happy_calls_on_time_pct": (1 * 100 / 3, 1 * 100 / 2, 0.0),
    # Sales in the window: 101 one unsuitable of two, 102 one of three.
    "unsuitable_sale_share_pct": (2 * 100 / 5, 1 * 100 / 2, 1 * 100 / 3),
    # Active on D with each consent: 101 holds 1 (DM, TM, e-mail), 2 (TM), 21 and 23 (DM,
    # TM); 102 holds 3 (DM).
    "consent_dm_pct": (4 * 100 / 5, 3 * 100 / 4, 100.0),
    "consent_tm_pct": (4 * 100 / 5, 100.0, 0.0),
    "consent_email_pct": (1 * 100 / 5, 1 * 100 / 4, 0.0),
}


@pytest.fixture
def data(handmade: Connection) -> Connection:
    kpi_data.load(handmade)
    return handmade


def values(frame: pl.DataFrame, day: dt.date, kind: str, key: str) -> dict[str, float | None]:
    rows = frame.filter(
        pl.col("business_date") == day, pl.col("scope_kind") == kind, pl.col("scope_key") == key
    )
    return dict(zip(rows["kpi"], rows["value"], strict=True))


def assert_values(shown: dict[str, float | None], expected: dict[str, float | None]) -> None:
    assert set(shown) == set(expected)
    for name, value in expected.items():
        assert shown[name] == (None if value is None else pytest.approx(value)), name


@pytest.mark.parametrize(("position", "kind", "key"), [(0, "firm", ""), (1, "branch", "101"),
                                                       (2, "branch", "102")])  # fmt: skip
def test_every_kpi_on_the_business_date(data, position, kind, key):
    frame = kpis.compute_kpis(data, DAY, DAY)
    expected = {name: row[position] for name, row in EXPECTED_ON_DAY.items()}
    assert_values(values(frame, DAY, kind, key), expected)


def test_every_kpi_is_defined_once_with_both_languages():
    assert [kpi.name for kpi in kpis.KPIS] == list(EXPECTED_ON_DAY)
    for kpi in kpis.KPIS:
        for language in ("ko", "en"):
            assert translate(kpi.label_key, language) and translate(kpi.definition_key, language)


def test_regions_sum_their_branches_before_dividing(data):
    frame = kpis.compute_kpis(data, DAY, DAY)
    assert values(frame, DAY, "region", "서울") == values(frame, DAY, "branch", "101")
    assert values(frame, DAY, "region", "부산") == values(frame, DAY, "branch", "102")


def test_monday_books_the_weekend_and_staff_hired_later_are_not_counted(data):
    frame = kpis.compute_kpis(data, MONDAY, DAY)
    monday = values(frame, MONDAY, "branch", "102")
    # Customer 22 left and A22 was redeemed (2,000,000) on Saturday 03-07.
    assert monday["lost_customers"] == 1
    assert monday["net_flows_krw"] == -2_000_000
    assert monday["aum_krw"] == 10_000_000
    assert monday["staff_per_branch"] == 1.0  # the new rep starts on D
    assert values(frame, MONDAY, "firm", "")["dm_tm_pieces"] == 0
    assert frame["business_date"].unique().sort().to_list() == [MONDAY, DAY]


def test_a_range_without_business_days_is_empty(data):
    saturday = dt.date(2026, 3, 7)
    assert kpis.compute_kpis(data, saturday, saturday + dt.timedelta(days=1)).is_empty()
    with pytest.raises(ValueError, match="starts"):
        kpis.compute_kpis(data, DAY, MONDAY)


def test_cost_per_response_follows_the_stored_piece_cost(data):
    kpis.save_parameter(data, ADMIN, "dm_piece_cost_krw", 1_000)
    frame = kpis.compute_kpis(data, DAY, DAY)
    # 101's two DM pieces in the window at 1,000 won, two responses.
    assert values(frame, DAY, "branch", "101")["cost_per_response_krw"] == 2 * 1_000 / 2
    assert kpis.parameters(data, EXECUTIVE)["dm_piece_cost_krw"] == 1_000


def test_targets_are_data_saved_by_admins_with_an_audit_record(data):
    assert kpis.targets(data, EXECUTIVE)["usage_per_staff_day"] == 250
    kpis.save_target(data, ADMIN, "usage_per_staff_day", 230)
    assert kpis.targets(data, MANAGER_101)["usage_per_staff_day"] == 230
    audit = data.execute(
        select(AuditRecord.action, AuditRecord.target_id, AuditRecord.detail).where(
            AuditRecord.action == "kpi_target_save"
        )
    ).one()
    assert audit.target_id == "usage_per_staff_day"
    assert json.loads(audit.detail) == {"before": 250, "after": 230}
    with pytest.raises(AccessDenied):
        kpis.save_target(data, EXECUTIVE, "usage_per_staff_day", 1)
    for kpi, bad, code in (
        ("no_such_kpi", 1, "kpi_unknown"),
        ("trained_pct", 120, "kpi_target_percent"),
        ("aum_krw", -1, "kpi_setting_not_number"),
    ):
        with pytest.raises(DomainError) as refused:
            kpis.save_target(data, ADMIN, kpi, bad)
        assert refused.value.code == code
    assert data.execute(select(func.count()).select_from(KpiTarget)).scalar_one() == 1


def test_scope_follows_the_policy(data):
    assert kpis.scope_for(data, EXECUTIVE, None).kind == "firm"
    own = kpis.scope_for(data, MANAGER_101, None)
    assert (own.kind, own.key, own.branch_id) == ("branch", "101", 1)
    with pytest.raises(AccessDenied):
        kpis.scope_for(data, MANAGER_101, "102")
    with pytest.raises(AccessDenied):
        kpis.scope_for(data, KIM, None)
    with pytest.raises(NotFound):
        kpis.scope_for(data, EXECUTIVE, "999")
    with pytest.raises(AccessDenied):
        kpis.history(data, MANAGER_101, DAY, DAY, branch_code="102")
    with pytest.raises(AccessDenied):
        kpis.scope_rows(data, MANAGER_101, "branch", "aum_krw", DAY, DAY)
    with pytest.raises(AccessDenied):
        kpis.export_table(data, ADMIN, SHOWN, what="periods", branch_code="102", reason="보고")


def test_no_kpi_read_trusts_a_scope_made_outside_data_access():
    """A scope is resolved and authorised from the branch code by the function that reads
    with it: one made or changed by a page (a branch's id with another's code) cannot pass."""
    takes_scope = [
        name
        for name, function in inspect.getmembers(kpis, inspect.isfunction)
        if function.__module__ == kpis.__name__
        and not name.startswith("_")
        and any(
            parameter.annotation in ("KpiScope", kpis.KpiScope)
            for parameter in inspect.signature(function).parameters.values()
        )
    ]
    assert takes_scope == []
    made_outside = [
        f"{path.relative_to(REPO_ROOT)}:{number}"
        for folder in ("pages", "ui", "jobs", "benchmarks")
        for path in sorted((REPO_ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "KpiScope(" in line
    ]
    assert made_outside == []


# A KPI table as the page shows it; a label a spreadsheet would run as a formula.
SHOWN = pl.DataFrame({"기간": ["2026-03", "=1+1"], "수탁고(AUM)": [17_000_000, -2_000]})


def test_a_kpi_export_needs_the_grant_and_a_reason_and_is_audited_like_any_export(data):
    with pytest.raises(AccessDenied, match="access_denied_no_grant"):
        kpis.export_table(data, MANAGER_101, SHOWN, what="periods", reason="보고")
    grants.grant(data, ADMIN, "manager", Action.EXPORT, reason="지점 KPI 보고")
    with pytest.raises(Refused, match="export_reason_needed"):
        kpis.export_table(data, MANAGER_101, SHOWN, what="periods", reason="  ")
    with pytest.raises(AccessDenied, match="access_denied_branch"):
        kpis.export_table(
            data, MANAGER_101, SHOWN, what="periods", branch_code="102", reason="보고"
        )
    exported = kpis.export_table(data, MANAGER_101, SHOWN, what="periods", reason="지점 회의")
    assert exported.file_name == "kpi_periods_branch_101.csv"
    lines = exported.data.removeprefix(exports.UTF8_BOM).decode().splitlines()
    assert lines == ["기간,수탁고(AUM)", "2026-03,17000000", "'=1+1,-2000"]
    target, detail = data.execute(
        select(AuditRecord.target_id, AuditRecord.detail).where(AuditRecord.action == "export")
    ).one()
    assert target == "kpi_periods_branch_101"
    assert json.loads(detail) == {
        "branch_id": 1,
        "columns": ["기간", "수탁고(AUM)"],
        "format": "csv",
        "masked": [],
        "reason": "지점 회의",
        "rows": 2,
    }


def test_by_period_adds_flows_and_keeps_the_last_stock():
    d = dt.date
    daily = pl.DataFrame(
        {
            "business_date": [d(2026, 1, 30), d(2026, 2, 2), d(2026, 2, 27), d(2026, 1, 30),
                              d(2026, 2, 2), d(2026, 2, 27), d(2026, 2, 27)],
            "kpi": ["net_flows_krw"] * 3 + ["aum_krw"] * 3 + ["dm_tm_pieces"],
            "value": [5.0, 7.0, 1.0, 100.0, 110.0, None, None],
        }
    )  # fmt: skip
    monthly = kpis.by_period(daily, "month")
    shown = {(row["period_start"], row["kpi"]): row["value"] for row in monthly.to_dicts()}
    assert shown == {
        (d(2026, 1, 1), "net_flows_krw"): 5.0,
        (d(2026, 2, 1), "net_flows_krw"): 8.0,
        (d(2026, 1, 1), "aum_krw"): 100.0,
        (d(2026, 2, 1), "aum_krw"): 110.0,  # the last day with a value
        (d(2026, 2, 1), "dm_tm_pieces"): None,  # nothing measured is not zero
    }
    quarters = kpis.by_period(daily, "quarter")
    assert quarters.filter(pl.col("kpi") == "net_flows_krw")["value"].to_list() == [13.0]


@pytest.fixture(scope="module")
def committed(databases) -> Engine:
    engine = databases.new("kpis")
    with engine.begin() as conn:
        handmade.load(conn)
        kpi_data.load(conn)
    return engine


def test_snapshot_equals_the_live_computation_and_replaces_its_dates(committed):
    first = kpis_job.run_range(committed, MONDAY, DAY)
    again = kpis_job.run_range(committed, MONDAY, DAY)
    assert first["status"] == again["status"] == "succeeded"
    with committed.connect() as conn:
        stored = kpis.history(conn, EXECUTIVE, MONDAY, DAY)
        rows = conn.execute(select(func.count()).select_from(KpiSnapshot)).scalar_one()
        live = kpis.compute_kpis(conn, MONDAY, DAY)
        run = conn.execute(select(JobRun.status, JobRun.detail).where(JobRun.job == kpis.JOB)).one()
    firm = live.filter(pl.col("scope_kind") == "firm").select("business_date", "kpi", "value")
    assert stored.sort("business_date", "kpi").equals(firm.sort("business_date", "kpi"))
    # 2 days x (firm, 2 regions, 2 branches) x every KPI, written once however often it runs.
    assert rows == live.height == 2 * 5 * len(kpis.KPIS)
    assert run.status == "succeeded"
    assert json.loads(run.detail)["from"] == MONDAY.isoformat()


def test_branch_against_the_firm_median(committed):
    kpis_job.run(committed, DAY)
    with committed.connect() as conn:
        compared = kpis.branch_against_median(conn, MANAGER_101, DAY)
    row = compared.filter(pl.col("kpi") == "aum_krw").row(0, named=True)
    assert row == {"kpi": "aum_krw", "value": 17_000_000, "median": 13_500_000}


def test_a_branch_manager_reads_the_own_branch_and_is_refused_another(committed):
    kpis_job.run(committed, DAY)
    with committed.connect() as conn:
        own = kpis.history(conn, MANAGER_101, DAY, DAY)
        assert own.equals(kpis.history(conn, EXECUTIVE, DAY, DAY, branch_code="101"))
        aum = own.filter(pl.col("kpi") == "aum_krw")["value"].to_list()
        assert aum == [17_000_000], "branch 101's, by hand in EXPECTED_ON_DAY"
        busan = kpis.branch_against_median(conn, EXECUTIVE, DAY, branch_code="102")
        assert busan.filter(pl.col("kpi") == "aum_krw")["value"].to_list() == [10_000_000]
        for read in (
            lambda: kpis.history(conn, MANAGER_101, DAY, DAY, branch_code="102"),
            lambda: kpis.branch_against_median(conn, MANAGER_101, DAY, branch_code="102"),
            lambda: kpis.period_comparison(conn, MANAGER_101, "week", DAY, branch_code="102"),
            lambda: kpis.history(conn, KIM, DAY, DAY),
        ):
            with pytest.raises(AccessDenied):
                read()


def test_backfill_cli_prints_the_firm_values_of_the_last_day(committed, monkeypatch, capsys):
    url = committed.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    status = cli.main(["run", kpis.JOB, "--from", "2026-03-06", "--to", "2026-03-10", "--json"])
    assert status == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (last["from"], last["to"], last["days"]) == ("2026-03-06", "2026-03-10", 3)
    assert (last["status"], last["items"]) == ("succeeded", 3 * 5 * len(kpis.KPIS))
    firm = {name: row[0] for name, row in EXPECTED_ON_DAY.items()}
    assert_values({name: last[name] for name in firm}, firm)


def test_backfill_cli_refuses_a_reversed_range(committed, monkeypatch, capsys):
    monkeypatch.setenv("CRM_DATABASE_URL", committed.url.render_as_string(hide_password=False))
    reversed_range = ["run", kpis.JOB, "--from", "2026-03-10", "--to", "2026-03-01", "--lang", "en"]
    assert cli.main(reversed_range) == 1
    assert "earlier date first" in capsys.readouterr().err


def test_the_scheduler_snapshots_a_date_once(committed):
    friday = dt.date(2026, 3, 6)
    assert kpis_job.run_if_due(committed, friday)["status"] == "succeeded"
    again = kpis_job.run_if_due(committed, friday)
    assert (again["status"], again["reason"]) == ("skipped", "done")


def test_a_partial_period_is_compared_with_the_same_days_before_it():
    d = dt.date
    rows = [
        (d(2026, 11, 3), "net_flows_krw", 10.0), (d(2026, 11, 5), "net_flows_krw", 20.0),
        (d(2026, 11, 20), "net_flows_krw", 100.0), (d(2026, 11, 27), "aum_krw", 500.0),
        (d(2026, 11, 5), "aum_krw", 400.0), (d(2026, 12, 1), "net_flows_krw", 7.0),
        (d(2026, 12, 4), "net_flows_krw", 3.0), (d(2026, 12, 4), "aum_krw", 520.0),
        (d(2026, 12, 4), "dm_tm_pieces", None),
    ]  # fmt: skip
    daily = pl.DataFrame(rows, schema=["business_date", "kpi", "value"], orient="row")
    month = kpis.compare_periods(daily, "month")
    # December to Friday the 4th: flows against 1-4 November (10 on the 3rd), AUM against the
    # last value of November (500 on the 27th); a KPI without values stays unknown.
    assert (month.start, month.end) == (d(2026, 12, 1), d(2026, 12, 4))
    assert (month.previous_start, month.previous_end) == (d(2026, 11, 1), d(2026, 11, 4))
    assert month.previous_close == d(2026, 11, 30) and month.to_date
    assert month.latest == {"net_flows_krw": 10.0, "aum_krw": 520.0, "dm_tm_pieces": None}
    assert month.previous == {"net_flows_krw": 10.0, "aum_krw": 500.0}
    # November seen from its last business day (Monday 30th had no snapshot here, but is a
    # business day, so 1-27 November is still partial): against 1-27 October, nothing.
    november = kpis.compare_periods(daily.filter(pl.col("business_date") < d(2026, 12, 1)),
                                    "month")  # fmt: skip
    assert november.previous_end == d(2026, 10, 27)
    assert november.latest == {"net_flows_krw": 130.0, "aum_krw": 500.0}
    assert november.previous == {}
    # A period with no business day left is compared whole: weeks to Friday 4 December.
    week = kpis.compare_periods(daily, "week")
    assert (week.previous_start, week.previous_end) == (d(2026, 11, 23), d(2026, 11, 29))
    assert not week.to_date
    assert week.latest["net_flows_krw"] == 10.0
    assert week.previous == {"aum_krw": 500.0}  # no flows that week
    day = kpis.compare_periods(daily, "day")
    assert (day.start, day.previous_start) == (d(2026, 12, 4), d(2026, 12, 1))
    assert day.previous == {"net_flows_krw": 7.0}


def test_the_latest_week_on_snapshots_is_compared_like_for_like(committed):
    kpis_job.run_range(committed, dt.date(2026, 3, 2), DAY)
    with committed.connect() as conn:
        week = kpis.period_comparison(conn, EXECUTIVE, "week", DAY)
    # Monday 9 and Tuesday 10 March against Monday 2 (a holiday) and Tuesday 3 March. DM/TM:
    # two DMs on the 10th against the DM of the 2nd, booked on the 3rd; the two TM calls of
    # Thursday the 5th fall outside those days. Net flows: -2,000,000 booked on the 9th and
    # +2,500,000 on the 10th against nothing. AUM against Friday 6 March: 101 held 14,500,000
    # (A23 before the withdrawal of the 10th), 102 held 12,000,000 (A22 not yet redeemed).
    assert (week.start, week.end, week.previous_start, week.previous_end) == (
        MONDAY, DAY, dt.date(2026, 3, 2), dt.date(2026, 3, 3),
    )  # fmt: skip
    assert (week.latest["dm_tm_pieces"], week.previous["dm_tm_pieces"]) == (2, 1)
    assert (week.latest["net_flows_krw"], week.previous["net_flows_krw"]) == (500_000, 0)
    assert (week.latest["aum_krw"], week.previous["aum_krw"]) == (27_000_000, 26_500_000)
