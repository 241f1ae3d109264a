"""KPI tasks (issue #7): one day's snapshot, against a plain pandas app computing the firm's
KPIs from raw tables; the executive page's data, against apps reading the same snapshots (the
page as a whole: page_tasks)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from sqlalchemy import Engine, func, select, text

from benchmarks.harness import Task
from benchmarks.tasks import AS_OF
from data_access.core import metrics
from data_access.core.business_days import (
    extra_holidays,
    is_business_day,
)
from data_access.core.models import (
    INFLOW_KINDS,
    OUTFLOW_KINDS,
    KpiSnapshot,
)
from data_access.core.security import (
    SignedInUser,
    authenticate,
)
from data_access.kpis import kpis
from jobs.demo import DEMO_PASSWORD

SNAPSHOT_DAY = AS_OF - dt.timedelta(days=1)  # the demo's last full day
SNAPSHOT_RUNS = 3
PAGE_RANGE_DAYS = 365
HISTORY_DAYS = 400  # as the demo backfills: the page's year and the window before it


def tasks(engine: Engine) -> list[Task]:
    with engine.connect() as conn:
        stored = conn.execute(
            select(func.count())
            .select_from(KpiSnapshot)
            .where(KpiSnapshot.business_date == SNAPSHOT_DAY)
        ).scalar_one()
        executive = authenticate(conn, "exec", DEMO_PASSWORD)
        conn.commit()
        params = kpis.parameters(conn, executive)
    if stored == 0:  # a database generated before the snapshots existed
        start = SNAPSHOT_DAY - dt.timedelta(days=HISTORY_DAYS)
        kpis.snapshot(engine, start, SNAPSHOT_DAY, force=True)
    return [
        snapshot_day_task(engine, params),
        executive_page_task(engine, executive, params),
    ]


def snapshot_day_task(engine: Engine, params: dict[str, float]) -> Task:
    """One business day's snapshot (every branch, region and the firm) written to the table;
    the answer compared is the firm's values."""

    def ours(_index: int) -> dict[str, float | None]:
        outcome = kpis.snapshot(engine, SNAPSHOT_DAY, SNAPSHOT_DAY, force=True)
        if outcome.run.status != "succeeded":
            raise RuntimeError(f"KPI snapshot {outcome.run.status}: {outcome.run.error}")
        return outcome.firm

    return Task(
        "kpi_snapshot_day",
        ours,
        lambda _index: firm_kpis_pandas(engine, SNAPSHOT_DAY, params),
        same_answer=same_values,
        runs=SNAPSHOT_RUNS,
        figure=True,
    )


def executive_page_task(engine: Engine, user: SignedInUser, params: dict[str, float]) -> Task:
    """What the executive page reads for a year at the firm: its history, the league table's
    sparklines and last day, and the regions; the answer compared is the last day's tiles."""

    def ours(_index: int) -> dict[str, float | None]:
        start = SNAPSHOT_DAY - dt.timedelta(days=PAGE_RANGE_DAYS)
        with engine.connect() as conn:
            kpis.scope_for(conn, user)
            history = kpis.history(conn, user, start, SNAPSHOT_DAY)
            kpis.reported_days(conn, start, SNAPSHOT_DAY)
            kpis.branches(conn, user)
            kpis.scope_rows(conn, user, kpis.BRANCH, "aum_krw", start, SNAPSHOT_DAY)
            kpis.day_rows(conn, user, kpis.BRANCH, SNAPSHOT_DAY)
            kpis.day_rows(conn, user, kpis.REGION, SNAPSHOT_DAY)
            kpis.targets(conn, user)
        kpis.by_period(history, "month")
        last = history.filter(history["business_date"] == SNAPSHOT_DAY)
        return dict(zip(last["kpi"], last["value"], strict=True))

    start = SNAPSHOT_DAY - dt.timedelta(days=PAGE_RANGE_DAYS)

    def baseline(_index: int) -> dict[str, float | None]:
        """A plain app over the same snapshots: the whole table into pandas, then filtered
        for the page's year, its league table and regions."""
        rows = pd.read_sql("SELECT * FROM kpi_snapshots", engine)
        rows["business_date"] = pd.to_datetime(rows["business_date"]).dt.date
        year = rows[rows["business_date"].between(start, SNAPSHOT_DAY)]
        firm = year[year["scope_kind"] == kpis.FIRM]
        branches = year[year["scope_kind"] == kpis.BRANCH]
        branches[branches["kpi"] == "aum_krw"].pivot_table(
            index="business_date", columns="scope_key", values="value"
        )
        year[year["business_date"] == SNAPSHOT_DAY].groupby(["scope_kind", "scope_key"]).size()
        last = firm[firm["business_date"] == SNAPSHOT_DAY]
        return dict(zip(last["kpi"], last["value"].astype(object), strict=True))

    def strong(_index: int) -> dict[str, float | None]:
        """The page's reads with their filters in SQL, as ours: the firm's year, the branches'
        AUM over it, and the branches' and regions' last day."""
        dates = {"start": start, "end": SNAPSHOT_DAY}
        with engine.connect() as conn:
            firm = pd.read_sql(
                text(
                    "SELECT business_date, kpi, value FROM kpi_snapshots WHERE scope_kind = :firm "
                    "AND business_date BETWEEN :start AND :end"
                ),
                conn,
                params={**dates, "firm": kpis.FIRM},
            )
            pd.read_sql(
                text(
                    "SELECT business_date, scope_key, value FROM kpi_snapshots "
                    "WHERE scope_kind = :branch AND kpi = 'aum_krw' "
                    "AND business_date BETWEEN :start AND :end"
                ),
                conn,
                params={**dates, "branch": kpis.BRANCH},
            )
            pd.read_sql(
                text(
                    "SELECT scope_kind, scope_key, kpi, value FROM kpi_snapshots "
                    "WHERE scope_kind IN (:branch, :region) AND business_date = :end"
                ),
                conn,
                params={**dates, "branch": kpis.BRANCH, "region": kpis.REGION},
            )
        last = firm[pd.to_datetime(firm["business_date"]).dt.date == SNAPSHOT_DAY]
        return dict(zip(last["kpi"], last["value"].astype(object), strict=True))

    return Task(
        "executive_page",
        ours,
        baseline,
        same_answer=same_values,
        figure=True,
        strong=strong,
        strong_kind="sql",
    )


def same_values(ours: dict[str, float | None], theirs: dict[str, float | None]) -> bool:
    if set(ours) != set(theirs):
        return False
    for name, value in ours.items():
        other = theirs[name]
        if value is not None and math.isnan(value):  # a missing value read through pandas
            value = None
        if other is not None and math.isnan(other):
            other = None
        if value is None or other is None:
            if value is not None or other is not None:
                return False
        elif not math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-6):
            return False
    return True


def firm_kpis_pandas(
    engine: Engine, day: dt.date, params: dict[str, float]
) -> dict[str, float | None]:
    """The firm's KPIs on `day` the plain way: pd.read_sql of the tables, then pandas.

    Written from the definitions in data_access/kpis.py and data_access/metrics.py, not from
    their code. The event tables
    (transactions, notes, usage) are read from the 30-day window on only, as a plain app
    would filter them in SQL: every figure here looks no further back, and the whole of
    usage_events (56 million rows at full scale) does not fit in memory as pandas objects.
    """
    window_start = pd.Timestamp(day - dt.timedelta(days=metrics.WINDOW_DAYS))
    with engine.connect() as conn:
        holidays = extra_holidays(conn)
        read = {
            name: pd.read_sql(text(sql), conn, params={"since": window_start.to_pydatetime()})
            for name, sql in _QUERIES.items()
        }
    for name, columns in _DATES.items():
        for column in columns:
            read[name][column] = pd.to_datetime(read[name][column]).dt.normalize()
    d = pd.Timestamp(day)
    previous = day - dt.timedelta(days=1)
    while not is_business_day(previous, holidays):
        previous -= dt.timedelta(days=1)
    prev = pd.Timestamp(previous)
    ago = d - pd.Timedelta(days=metrics.WINDOW_DAYS)
    business_days = sum(
        is_business_day(ago.date() + dt.timedelta(days=n), holidays)
        for n in range(1, metrics.WINDOW_DAYS + 1)
    )

    def since(frame: pd.DataFrame, column: str, start: pd.Timestamp) -> pd.DataFrame:
        return frame[(frame[column] > start) & (frame[column] <= d)]

    def open_on(frame: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
        return frame[(frame["opened_on"] <= when) & ~(frame["closed_on"] <= when)]

    def ratio(numerator: float, denominator: float, scale: float = 1.0) -> float | None:
        return numerator * scale / denominator if denominator > 0 else None

    accounts, tx = read["accounts"], read["transactions"]
    tx["net"] = tx["amount_krw"].where(tx["kind"].isin(INFLOW_KINDS), 0) - tx["amount_krw"].where(
        tx["kind"].isin(OUTFLOW_KINDS), 0
    )

    def aum(when: pd.Timestamp) -> float:
        held = open_on(accounts, when)
        later = tx[(tx["occurred_at"] > when) & tx["account_id"].isin(held["account_id"])]
        return float(held["market_value_krw"].sum() - later["net"].sum())

    customers, staff = read["customers"], read["employees"]
    active, active_before = open_on(customers, d), open_on(customers, ago)
    employed = staff[staff["is_active"].astype(bool) & (staff["hire_date"] <= d)]
    dedicated = employed[employed["role"] == "dedicated_manager"]
    books = staff[staff["role"] == "dedicated_manager"]["employee_id"]
    reps = employed[employed["role"].isin(kpis.CUSTOMER_FACING_ROLES)]
    branches = read["branches"]
    branches = branches[branches["opened_on"] <= d]
    window_tx = since(tx, "occurred_at", ago)
    notes = read["consultations"]
    notes = notes[notes["corrects_id"].isna()]
    window_notes = since(notes, "occurred_at", ago)
    targets = read["campaign_targets"]
    sent = targets[targets["arm"] == metrics.CONTACT_ARM]
    pieces = since(sent, "started_on", ago)
    responses = pieces[pieces["outcome"].isin(metrics.DM_TM_RESPONSES)]
    today_pieces = since(sent, "started_on", prev)
    items = since(read["agenda_items"], "business_date", ago)
    usage = since(read["usage_events"], "occurred_at", ago)
    current = staff[staff["is_active"].astype(bool)]
    usage = usage[usage["employee_id"].isin(current["employee_id"])]
    courses = read["enrolments"].merge(current[["employee_id"]], on="employee_id")
    completed = courses["completed_on"] <= d
    due = completed | (courses["ends_on"] < d)
    enrolments = courses.merge(employed[["employee_id"]], on="employee_id")
    valid = enrolments[
        (enrolments["certified_on"] <= d) & ~(enrolments["certification_expires_on"] < d)
    ]
    cost = (pieces["channel"] == "dm").sum() * params["dm_piece_cost_krw"] + (
        pieces["channel"] == "tm"
    ).sum() * params["tm_piece_cost_krw"]
    priority = active["tier"].isin(kpis.PRIORITY_TIERS).sum()
    cases = read["complaints"]
    calls_due = since(read["happy_calls"], "due_on", ago)
    on_time = (calls_due["status"] != kpis.HAPPY_CALL_OPEN) & (
        calls_due["outcome_at"] <= calls_due["due_on"]
    )
    window_sales = since(read["fund_sales"], "sold_on", ago)
    values: dict[str, float | None] = {
        "aum_krw": aum(d),
        "net_flows_krw": float(since(tx, "occurred_at", prev)["net"].sum()),
        "organic_growth_pct": ratio(window_tx["net"].sum(), aum(ago), 100),
        "active_customers": float(len(active)),
        "new_customers": float(len(since(customers, "opened_on", prev))),
        "lost_customers": float(len(since(customers, "closed_on", prev))),
        "attrition_pct": ratio(len(since(customers, "closed_on", ago)), len(active_before), 100),
        "customers_per_manager": ratio(active["manager_id"].isin(books).sum(), len(dedicated)),
        "priority_customers": float(priority),
        "priority_share_pct": ratio(priority, len(active), 100),
        "staff_per_branch": ratio(len(employed), len(branches)),
        "consultations_per_rep_day": ratio(len(window_notes), len(reps) * business_days),
        "agenda_completion_pct": ratio(
            items["status"].isin(metrics.AGENDA_DONE_STATUSES).sum(), len(items), 100
        ),
        "dm_tm_pieces": float(len(today_pieces)),
        "dm_tm_response_pct": ratio(len(responses), len(pieces), 100),
        "cost_per_response_krw": ratio(cost, len(responses)),
        "usage_per_staff_day": ratio(
            len(usage), len(usage[["employee_id", "occurred_at"]].drop_duplicates())
        ),
        "trained_pct": ratio(completed.sum(), due.sum(), 100),
        "certified_pct": ratio(valid["employee_id"].nunique(), len(employed), 100),
        "online_share_pct": ratio((window_tx["channel"] == "online").sum(), len(window_tx), 100),
        "complaints_per_10k_customers": ratio(
            len(since(cases, "received_on", ago)), len(active), 10_000
        ),
        "complaints_overdue": float(
            ((cases["deadline_on"] < d) & ~(cases["closed_on"] <= d)).sum()
        ),
        "happy_calls_on_time_pct": ratio(on_time.sum(), len(calls_due), 100),
        "unsuitable_sale_share_pct": ratio(
            (~window_sales["suitable"].astype(bool)).sum(), len(window_sales), 100
        ),
        **{
            f"consent_{channel}_pct": ratio(
                active[f"consent_{channel}"].astype(bool).sum(), len(active), 100
            )
            for channel in ("dm", "tm", "email")
        },
    }
    return {name: None if v is None else float(v) for name, v in values.items()}


_QUERIES = {
    "accounts": "SELECT id AS account_id, opened_on, closed_on, market_value_krw FROM accounts",
    "transactions": "SELECT account_id, occurred_at, kind, amount_krw, channel FROM transactions "
    "WHERE occurred_at > :since",
    "customers": "SELECT opened_on, closed_on, tier, manager_id, consent_dm, consent_tm, "
    "consent_email FROM customers",
    "employees": "SELECT id AS employee_id, role, hire_date, is_active FROM employees "
    "WHERE branch_id IS NOT NULL",
    "branches": "SELECT id, opened_on FROM branches WHERE is_active",
    "consultations": "SELECT channel, outcome, occurred_at, corrects_id FROM consultations "
    "WHERE occurred_at > :since",
    "agenda_items": "SELECT business_date, status FROM agenda_items WHERE branch_id IS NOT NULL",
    "usage_events": "SELECT employee_id, occurred_at FROM usage_events WHERE occurred_at > :since",
    "enrolments": "SELECT employee_id, completed_on, ends_on, certified_on, "
    "certification_expires_on FROM enrolments "
    "JOIN training_sessions ON training_sessions.id = enrolments.session_id",
    "campaign_targets": "SELECT arm, outcome, channel, started_on FROM campaign_targets "
    "JOIN campaigns ON campaigns.id = campaign_targets.campaign_id",
    "complaints": "SELECT received_on, deadline_on, closed_on FROM complaints",
    "fund_sales": "SELECT sold_on, suitable FROM fund_sales",
    "happy_calls": "SELECT due_on, status, outcome_at FROM happy_calls",
}
_DATES = {
    "accounts": ["opened_on", "closed_on"],
    "transactions": ["occurred_at"],
    "customers": ["opened_on", "closed_on"],
    "employees": ["hire_date"],
    "branches": ["opened_on"],
    "consultations": ["occurred_at"],
    "agenda_items": ["business_date"],
    "usage_events": ["occurred_at"],
    "enrolments": ["completed_on", "ends_on", "certified_on", "certification_expires_on"],
    "campaign_targets": ["started_on"],
    "complaints": ["received_on", "deadline_on", "closed_on"],
    "fund_sales": ["sold_on"],
    "happy_calls": ["due_on", "outcome_at"],
}
