"""What a role's home page summarises: the data the signed-in user answers for.

AUM and open accounts follow data_access/metrics.py (an account belongs to the branch that
booked it); training figures are data_access/training.py's totals, as on the training page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Connection, Row, Select, SQLColumnExpression, func, select

from data_access import exports, imports, training
from data_access.core import metrics
from data_access.core.db import (
    unit_of_work,
)
from data_access.core.models import (
    Account,
    Alert,
    Branch,
    Consultation,
    Customer,
    Employee,
    KpiSnapshot,
    Setting,
    TrainingCourse,
)
from data_access.core.policy import (
    Action,
    Scope,
    branch_condition,
    customer_condition,
    of_customers_in_scope,
    require,
    scope_of,
)
from data_access.core.security import (
    SignedInUser,
)
from data_access.kpis.kpis import BRANCH, FIRM

RECENT_DAYS = 30
# The stock figures a branch or the firm reads from the KPI snapshot instead of counting live.
STOCK_KPIS = ("active_customers", "aum_krw")
ATTENTION_DAYS = 7
ATTENTION_IMPORTS = 200  # the latest imports looked through for refused ones
MATURITY_HORIZON_DAYS = 30


@dataclass(frozen=True, slots=True)
class ScopeSummary:
    """Headline counts for the customers a user answers for, as of `as_of`."""

    as_of: dt.date
    customers: int
    open_accounts: int | None  # counted for a book only; a branch or the firm reads snapshots
    aum_krw: int
    # The completed day customers and AUM are for, when read from the KPI snapshot; None when
    # counted live (a rep's book, or before the first snapshot).
    stock_day: dt.date | None
    open_alerts: int
    consultations_recent: int
    maturing_soon: int
    branches: int
    staff: int


def scope_summary(conn: Connection, user: SignedInUser, *, as_of: dt.date) -> ScopeSummary:
    """Customers open on `as_of`; their AUM and accounts by metrics.aum_accounts (the
    branch's booked accounts, or a book's); consultations in the 30 days up to `as_of`;
    maturities in the 30 days after."""
    scope = require(user, Action.OVERVIEW_READ)
    stock = None if scope is Scope.BOOK else _snapshot_stock(conn, user, as_of)
    if stock is None:
        customers, open_accounts, aum_krw = _live_stock(conn, user)
        stock_day = None
    else:
        stock_day, customers, aum_krw = stock
        open_accounts = None

    def count_in_scope(stmt: Select[Any], customer_id: SQLColumnExpression[int]) -> Row[Any]:
        return conn.execute(
            of_customers_in_scope(stmt, user, Action.OVERVIEW_READ, customer_id)
        ).one()

    open_account = Account.closed_on.is_(None)
    horizon = as_of + dt.timedelta(days=MATURITY_HORIZON_DAYS)
    maturing = count_in_scope(
        select(func.count())
        .select_from(Account)
        .where(open_account, Account.maturity_date.between(as_of, horizon)),
        Account.customer_id,
    )[0]
    open_alerts = count_in_scope(
        select(func.count()).select_from(Alert).where(Alert.resolved_at.is_(None)),
        Alert.customer_id,
    )[0]
    since = dt.datetime.combine(as_of - dt.timedelta(days=RECENT_DAYS - 1), dt.time())
    until = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    consultations = count_in_scope(
        select(func.count())
        .select_from(Consultation)
        .where(Consultation.occurred_at >= since, Consultation.occurred_at < until),
        Consultation.customer_id,
    )[0]
    branches = conn.execute(
        select(func.count())
        .select_from(Branch)
        .where(Branch.is_active, branch_condition(user, Action.OVERVIEW_READ, Branch.id))
    ).scalar_one()
    staff = conn.execute(
        select(func.count())
        .select_from(Employee)
        .where(Employee.is_active, Employee.branch_id.is_not(None))
        .where(branch_condition(user, Action.OVERVIEW_READ, Employee.branch_id))
    ).scalar_one()
    return ScopeSummary(
        as_of=as_of,
        customers=customers,
        open_accounts=open_accounts,
        aum_krw=aum_krw,
        stock_day=stock_day,
        open_alerts=open_alerts,
        consultations_recent=consultations,
        maturing_soon=maturing,
        branches=branches,
        staff=staff,
    )


def _live_stock(conn: Connection, user: SignedInUser) -> tuple[int, int, int]:
    """Open customers, open accounts and their AUM counted now: cheap for a book of a few
    hundred customers, a scan of millions of rows for a branch or the firm."""
    customers = conn.execute(
        select(func.count())
        .select_from(Customer)
        .where(customer_condition(user, Action.OVERVIEW_READ), Customer.closed_on.is_(None))
    ).scalar_one()
    accounts, aum = conn.execute(
        select(func.count(), func.coalesce(func.sum(Account.market_value_krw), 0))
        .select_from(Account)
        .where(Account.closed_on.is_(None), metrics.aum_accounts(user, Action.OVERVIEW_READ))
    ).one()
    return customers, accounts, int(aum)


def _snapshot_stock(
    conn: Connection, user: SignedInUser, as_of: dt.date
) -> tuple[dt.date, int, int] | None:
    """The firm's or the user's branch's active customers and AUM on the latest completed day
    with a snapshot (the KPI job's figures, so the home page and the KPI pages agree), or None
    before the first snapshot."""
    scope_kind, scope_key = (
        (FIRM, "")
        if scope_of(user, Action.OVERVIEW_READ) is Scope.FIRM
        else (BRANCH, _branch_code(conn, user.branch_id))
    )
    latest = (
        select(func.max(KpiSnapshot.business_date))
        .where(
            KpiSnapshot.scope_kind == scope_kind,
            KpiSnapshot.scope_key == scope_key,
            KpiSnapshot.kpi == STOCK_KPIS[0],
            KpiSnapshot.business_date <= metrics.completed_day(conn, as_of),
        )
        .scalar_subquery()
    )
    figures = dict(
        conn.execute(
            select(KpiSnapshot.kpi, KpiSnapshot.value).where(
                KpiSnapshot.scope_kind == scope_kind,
                KpiSnapshot.scope_key == scope_key,
                KpiSnapshot.kpi.in_(STOCK_KPIS),
                KpiSnapshot.business_date == latest,
            )
        ).all()
    )
    known = {kpi: value for kpi, value in figures.items() if value is not None}
    if set(known) != set(STOCK_KPIS):
        return None
    day = conn.execute(select(latest)).scalar_one()
    return day, int(known["active_customers"]), int(known["aum_krw"])


def _branch_code(conn: Connection, branch_id: int | None) -> str:
    return conn.execute(select(Branch.code).where(Branch.id == branch_id)).scalar_one()


@dataclass(frozen=True, slots=True)
class TrainingSummary:
    active_courses: int
    totals: training.TrainingTotals


def training_summary(conn: Connection, user: SignedInUser, *, as_of: dt.date) -> TrainingSummary:
    """The active courses, and the training totals of the staff in the user's scope on `as_of`
    (training.training_totals: the training page's figures)."""
    totals = training.training_totals(conn, user, as_of)
    courses = conn.execute(
        select(func.count()).select_from(TrainingCourse).where(TrainingCourse.is_retired.is_(False))
    ).scalar_one()
    return TrainingSummary(active_courses=courses, totals=totals)


@dataclass(frozen=True, slots=True)
class AdminAttention:
    """What an administrator should look at first, besides the jobs: imports refused over
    the last ATTENTION_DAYS (nothing of them was written) and the export grants in force."""

    since: dt.date
    refused_imports: pl.DataFrame
    grants_in_force: pl.DataFrame


def admin_attention(conn: Connection, user: SignedInUser, *, as_of: dt.date) -> AdminAttention:
    since = as_of - dt.timedelta(days=ATTENTION_DAYS)
    recent = imports.import_history(conn, user, limit=ATTENTION_IMPORTS)
    refused = recent.filter(
        pl.col("status") == imports.REFUSED, pl.col("started_at").dt.date() >= since
    )
    grants = exports.list_grants(conn, user).filter(pl.col("revoked_at").is_null())
    return AdminAttention(since=since, refused_imports=refused, grants_in_force=grants)


def demo_settings(conn: Connection) -> dict[str, str]:
    """The settings rows, e.g. whether this database holds demo data and as of which day."""
    return {key: value for key, value in conn.execute(select(Setting.key, Setting.value))}


DEMO_HISTORY_KEY = "demo_history_next"
DEMO_HISTORY_DONE = "done"


def demo_history_next(conn: Connection) -> str | None:
    """The step of the demo's history a fill runs next, DEMO_HISTORY_DONE once it is complete,
    None where no fill has started (a database the console did not fill)."""
    return conn.execute(select(Setting.value).where(Setting.key == DEMO_HISTORY_KEY)).scalar()


def record_demo_history_next(conn: Connection, step: str) -> None:
    """Remember the next step of the demo's history (or DEMO_HISTORY_DONE), so a console
    stopped during the fill resumes it on its next start."""
    with unit_of_work(conn) as session:
        row = session.get(Setting, DEMO_HISTORY_KEY) or Setting(key=DEMO_HISTORY_KEY)
        row.value = step
        session.add(row)
