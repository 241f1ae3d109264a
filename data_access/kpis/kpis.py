"""Executive KPIs: each defined once here, computed per branch, region and firm, snapshotted daily.

How a number is made (one pass for any date range, never one query set per day or branch):
every fact becomes dated events per branch (an account opens: +its value; a customer leaves:
-1; a DM goes out: +1 piece), grouped in SQL and summed per (branch, day) on a calendar grid,
then accumulated. A stock (customers, AUM) is the running total at the end of a day; a flow
(net flows, new customers) is the difference between a business day and the one before, so a
Monday also books the weekend; a rate is taken over the window of data_access/metrics.py
(the 30 days ending on the day). Regions and the firm sum their branches' components before
dividing, so a firm rate is never an average of branch rates. Which branch a fact belongs to
and every formula shared with another screen are stated in data_access/metrics.py.

AUM of a past day: accounts store only today's market value. The value of an account on day D
is today's value less the net flows (subscriptions and deposits minus redemptions and
withdrawals) after D, counted for the accounts open at the end of D; market movement since D
is not taken out, so history is shown at today's prices. This is written in the definition.

What is read for a day is kept small (a day's snapshot at 2.6 M customers on SQLite: 28.6 s
before, 4.2 s after, issue #21): the customers and accounts open since before the grid come as
per-branch sums from covering indexes (`_stock_reads`), and the counted facts only from the
first day whose facts change a reported value (`_counted_from`).

Pages read the snapshot table only, up to the latest completed day (`snapshot_span`);
`compute_kpis` is the live computation the job stores.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import (
    BigInteger,
    Connection,
    Date,
    Engine,
    Select,
    and_,
    case,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    text,
)

from data_access import exports
from data_access.core import job_runs, metrics
from data_access.core.branches import (
    branch_for_code,
    own_branch,
)
from data_access.core.business_days import (
    extra_holidays,
    is_business_day,
)
from data_access.core.db import (
    bulk_insert,
    day_of,
    read_arrow_frames,
    read_frame,
    unit_of_work,
)
from data_access.core.errors import (
    AccessDenied,
    NotFound,
    Refused,
)
from data_access.core.models import (
    Account,
    AgendaItem,
    Branch,
    Campaign,
    CampaignTarget,
    Complaint,
    Consultation,
    Customer,
    Employee,
    Enrolment,
    FundSale,
    HappyCall,
    KpiParameter,
    KpiSnapshot,
    KpiTarget,
    Role,
    Tier,
    TrainingSession,
    Transaction,
    UsageEvent,
)
from data_access.core.policy import (
    Action,
    Scope,
    require,
    scope_of,
)
from data_access.core.security import (
    SignedInUser,
    audit_as,
    now_seoul,
)

JOB = "kpi-snapshot"
PAGE = "executive"
# The grid starts this far before the first reported day: a window and the previous business
# day (after the longest holiday run) both stay on it.
LOOKBACK_DAYS = metrics.WINDOW_DAYS + 15
PRIORITY_TIERS = (Tier.VIP.value, Tier.PRIORITY.value)
CUSTOMER_FACING_ROLES = (Role.SALES_REP.value, Role.DEDICATED_MANAGER.value)
ONLINE_CHANNEL = "online"
HAPPY_CALL_OPEN = "open"  # data_access.conduct.OPEN: a call nobody has closed yet
FIRM, REGION, BRANCH = "firm", "region", "branch"
# Console actions are read in several reads named by this prefix (`_usage_reads`).
USAGE_READ = "usage_days_from_"
USAGE_DAYS_PER_READ = 100


class Unit(enum.StrEnum):
    KRW = "krw"
    COUNT = "count"
    PERCENT = "pct"
    NUMBER = "number"


class Better(enum.StrEnum):
    UP = "up"
    DOWN = "down"
    NEUTRAL = "neutral"


class Kind(enum.StrEnum):
    """How a day's value is made, and so how a week, month or quarter sums it up."""

    STOCK = "stock"  # at the end of the day; a period shows its last day
    FLOW = "flow"  # since the previous business day; a period adds its days up
    WINDOW = "window"  # over metrics.window(day); a period shows its last day


@dataclass(frozen=True, slots=True)
class Kpi:
    """One KPI; people read its label and definition in the catalogue (locale/), under
    `label_key` and `definition_key`."""

    name: str
    unit: Unit
    better: Better
    kind: Kind

    @property
    def label_key(self) -> str:
        return f"kpi_label_{self.name}"

    @property
    def definition_key(self) -> str:
        return f"kpi_definition_{self.name}"

    @property
    def per_branch_target(self) -> bool:
        """A firm target also holds for each branch for rates and ratios, not for totals."""
        return self.unit in (Unit.PERCENT, Unit.NUMBER) or self.name == "cost_per_response_krw"


KPIS: tuple[Kpi, ...] = (
    Kpi("aum_krw", Unit.KRW, Better.UP, Kind.STOCK),
    Kpi("net_flows_krw", Unit.KRW, Better.UP, Kind.FLOW),
    Kpi("organic_growth_pct", Unit.PERCENT, Better.UP, Kind.WINDOW),
    Kpi("active_customers", Unit.COUNT, Better.UP, Kind.STOCK),
    Kpi("new_customers", Unit.COUNT, Better.UP, Kind.FLOW),
    Kpi("lost_customers", Unit.COUNT, Better.DOWN, Kind.FLOW),
    Kpi("attrition_pct", Unit.PERCENT, Better.DOWN, Kind.WINDOW),
    Kpi("customers_per_manager", Unit.NUMBER, Better.UP, Kind.STOCK),
    Kpi("priority_customers", Unit.COUNT, Better.UP, Kind.STOCK),
    Kpi("priority_share_pct", Unit.PERCENT, Better.UP, Kind.STOCK),
    Kpi("staff_per_branch", Unit.NUMBER, Better.DOWN, Kind.STOCK),
    Kpi("consultations_per_rep_day", Unit.NUMBER, Better.UP, Kind.WINDOW),
    Kpi("agenda_completion_pct", Unit.PERCENT, Better.UP, Kind.WINDOW),
    Kpi("dm_tm_pieces", Unit.COUNT, Better.NEUTRAL, Kind.FLOW),
    Kpi("dm_tm_response_pct", Unit.PERCENT, Better.UP, Kind.WINDOW),
    Kpi("cost_per_response_krw", Unit.KRW, Better.DOWN, Kind.WINDOW),
    Kpi("usage_per_staff_day", Unit.NUMBER, Better.UP, Kind.WINDOW),
    Kpi("trained_pct", Unit.PERCENT, Better.UP, Kind.STOCK),
    Kpi("certified_pct", Unit.PERCENT, Better.UP, Kind.STOCK),
    Kpi("online_share_pct", Unit.PERCENT, Better.UP, Kind.WINDOW),
    # Complaints (issue #22): cases received in the window per 10,000 active customers of the
    # case's branch, and the cases open past their deadline on the day (core.complaint_rules).
    Kpi("complaints_per_10k_customers", Unit.NUMBER, Better.DOWN, Kind.WINDOW),
    Kpi("complaints_overdue", Unit.COUNT, Better.DOWN, Kind.STOCK),
    # Sales conduct (issue #22): happy calls closed by their due day, of those falling due in
    # the window; sales recorded unsuitable for the customer's profile, of all sales in it.
    Kpi("happy_calls_on_time_pct", Unit.PERCENT, Better.UP, Kind.WINDOW),
    Kpi("unsuitable_sale_share_pct", Unit.PERCENT, Better.DOWN, Kind.WINDOW),
    # Consent coverage per channel: the share of active customers who may be reached by DM,
    # TM or e-mail (issue #22).
    Kpi("consent_dm_pct", Unit.PERCENT, Better.UP, Kind.STOCK),
    Kpi("consent_tm_pct", Unit.PERCENT, Better.UP, Kind.STOCK),
    Kpi("consent_email_pct", Unit.PERCENT, Better.UP, Kind.STOCK),
)
KPI_BY_NAME: dict[str, Kpi] = {kpi.name: kpi for kpi in KPIS}

# Numbers the formulas need that belong to the business, not the code. Administrators change
# them; until then these defaults hold (written to the table on first save).
DEFAULT_PARAMETERS: dict[str, float] = {"dm_piece_cost_krw": 700.0, "tm_piece_cost_krw": 1_500.0}
# The article's norms (data_access/metrics.py) and its 12 staff per branch after the redesign.
DEFAULT_TARGETS: dict[str, float] = {
    "usage_per_staff_day": float(metrics.ACTIONS_NORM_PER_DAY),
    "customers_per_manager": float(metrics.CUSTOMERS_PER_MANAGER_NORM),
    "staff_per_branch": 12.0,
    "trained_pct": 100.0,
    "certified_pct": 90.0,
    "agenda_completion_pct": 80.0,
}

SNAPSHOT_SCHEMA = {
    "business_date": pl.Date,
    "scope_kind": pl.String,
    "scope_key": pl.String,
    "kpi": pl.String,
    "value": pl.Float64,
}
# Open customers with each marketing consent, for the consent coverage KPIs.
CONSENT_COMPONENTS = ("consent_dm_customers", "consent_tm_customers", "consent_email_customers")
STOCKS = (
    "aum_krw", "customers", "priority_customers", "book_customers", "staff", "reps",
    "dedicated_managers", "training_due", "training_completed", "certified_staff", "branches",
    *CONSENT_COMPONENTS,
)  # fmt: skip
COUNTERS = (
    "net_krw", "opened_customers", "closed_customers", "transactions", "online_transactions",
    "consultations", "dm_pieces", "tm_pieces", "responses", "agenda_items", "agenda_completed",
    "usage_events", "usage_staff_days", "sales", "unsuitable_sales", "happy_calls_due",
    "happy_calls_on_time",
)  # fmt: skip
# Complaints received (a counter) and open past their deadline (a stock), at the case's branch.
COMPLAINT_COMPONENTS = ("complaints_received", "complaints_overdue")
COMPONENTS = STOCKS + COUNTERS + COMPLAINT_COMPONENTS


# ---------------------------------------------------------------------------------------------
# Reading the facts as dated events


def _bucket(column: Any, first: dt.date, last: dt.date) -> Any:
    """A date column's day, with every day before `first` on `first` and every day after
    `last` on the day after: the grid needs no more, and the read groups into few rows."""
    return case(
        (column < first, literal(first, Date)),
        (column > last, literal(last + dt.timedelta(days=1), Date)),
        else_=column,
    )


def _total(column: Any) -> Any:
    """A sum as BIGINT: PostgreSQL sums BIGINT into NUMERIC, which Arrow cannot hand over as
    an integer."""
    return cast(func.sum(column), BigInteger)


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _complaint_reads(first: dt.date, last: dt.date) -> dict[str, Any]:
    """Complaints received per branch and day, and the few cases ever overdue (their deadline
    and closing day), which `_complaint_events` turns into the overdue stock."""
    received = (
        select(
            Complaint.branch_id,
            Complaint.received_on.label("day"),
            func.count().label("complaints_received"),
        )
        .where(Complaint.received_on.between(first, last))
        .group_by(Complaint.branch_id, Complaint.received_on)
    )
    ever_overdue = select(Complaint.branch_id, Complaint.deadline_on, Complaint.closed_on).where(
        Complaint.deadline_on < last,
        or_(Complaint.closed_on.is_(None), Complaint.closed_on > Complaint.deadline_on),
    )
    return {
        "complaints": (received, {"day": pl.Date, "branch_id": pl.Int64}),
        "overdue_cases": (
            ever_overdue,
            {"branch_id": pl.Int64, "deadline_on": pl.Date, "closed_on": pl.Date},
        ),
    }


def _complaint_events(frames: Mapping[str, pl.DataFrame]) -> list[pl.DataFrame]:
    """A case is overdue from the day after its deadline until the day it is closed, the
    event form of core.complaint_rules.overdue_on."""
    cases = frames["overdue_cases"]
    return [
        frames["complaints"],
        cases.select(
            "branch_id",
            (pl.col("deadline_on") + pl.duration(days=1)).alias("day"),
            pl.lit(1).alias("complaints_overdue"),
        ),
        cases.filter(pl.col("closed_on").is_not_null()).select(
            "branch_id", pl.col("closed_on").alias("day"), pl.lit(-1).alias("complaints_overdue")
        ),
    ]


def _stock_reads(first: dt.date, last: dt.date) -> dict[str, Any]:
    """Customers and accounts on the grid, each in two reads.

    Standing: open since `first` or before, so on `first` and never closing on the grid;
    summed per branch (customers per branch and manager, whose role is joined on afterwards)
    over a partial covering index of the open rows, in the index's own order: no
    sorting of millions of rows (migration 0018; at 2.6 M customers on SQLite 0.7 s, where
    grouping them by day sorted them all in 14 s). Changing: opened after `first` or closed
    from `first` on, by day as the other reads, a few thousand rows by index. What is left
    (opened by `first`, closed before it) enters and leaves on `first`, before any day a
    value is looked up at, so it is not read.
    """

    def bucket(column: Any) -> Any:
        return _bucket(column, first, last)

    by_day = text("day")
    booked_at = metrics.AUM_BRANCH
    accounts = (
        select(
            booked_at.label("branch_id"),
            bucket(Account.opened_on).label("day"),
            bucket(Account.closed_on).label("closed_day"),
            _total(Account.market_value_krw).label("value_krw"),
        )
        .where(or_(Account.opened_on > first, Account.closed_on >= first))
        .group_by(by_day, text("closed_day"), booked_at)
    )
    standing_accounts = (
        select(booked_at.label("branch_id"), _total(Account.market_value_krw).label("value_krw"))
        .where(Account.closed_on.is_(None), Account.opened_on <= first)
        .group_by(booked_at)
    )
    dedicated = Employee.role == Role.DEDICATED_MANAGER.value
    priority = Customer.tier.in_(PRIORITY_TIERS)
    # Consent as recorded when the snapshot is taken (the customers' current flags).
    consents = (Customer.consent_dm, Customer.consent_tm, Customer.consent_email)
    customers = (
        select(
            Customer.home_branch_id.label("branch_id"),
            bucket(Customer.opened_on).label("day"),
            bucket(Customer.closed_on).label("closed_day"),
            _count_if(priority).label("priority_customers"),
            _count_if(dedicated).label("book_customers"),
            func.count().label("customers"),
            *(_count_if(column).label(f"{column.key}_customers") for column in consents),
        )
        .outerjoin(Employee, Employee.id == Customer.manager_id)
        .where(or_(Customer.opened_on > first, Customer.closed_on >= first))
        .group_by(by_day, text("closed_day"), Customer.home_branch_id)
    )
    by_manager = (
        select(
            Customer.home_branch_id.label("branch_id"),
            Customer.manager_id,
            _count_if(priority).label("priority_customers"),
            func.count().label("customers"),
            *(_count_if(column).label(f"{column.key}_customers") for column in consents),
        )
        .where(Customer.closed_on.is_(None), Customer.opened_on <= first)
        .group_by(Customer.home_branch_id, Customer.manager_id)
        .subquery()
    )
    standing_customers = (
        select(
            by_manager.c.branch_id,
            _total(by_manager.c.priority_customers).label("priority_customers"),
            _total(case((dedicated, by_manager.c.customers), else_=0)).label("book_customers"),
            _total(by_manager.c.customers).label("customers"),
            *(_total(by_manager.c[name]).label(name) for name in CONSENT_COMPONENTS),
        )
        .outerjoin(Employee, Employee.id == by_manager.c.manager_id)
        .group_by(by_manager.c.branch_id)
    )
    day_schema = {"day": pl.Date, "branch_id": pl.Int64}
    return {
        "standing_customers": (standing_customers, {"branch_id": pl.Int64}),
        "standing_accounts": (standing_accounts, {"branch_id": pl.Int64, "value_krw": pl.Int64}),
        "accounts": (accounts, {**day_schema, "closed_day": pl.Date, "value_krw": pl.Int64}),
        "customers": (customers, {**day_schema, "closed_day": pl.Date}),
    }


def _with_standing(changing: pl.DataFrame, standing: pl.DataFrame, first: dt.date) -> pl.DataFrame:
    """A stock read's changing rows and its standing ones, on `first` and never closing."""
    on_first = standing.with_columns(pl.lit(first).alias("day"))
    return pl.concat([changing, on_first], how="diagonal_relaxed")


def _usage_reads(since: dt.date, last: dt.date) -> dict[str, Any]:
    """Console actions per employee and day, one GROUP BY employee per day, which SQLite
    counts in the (employee, time) index's order: one GROUP BY (employee, day) over the
    window sorts every action first (at full scale 3.4 s against 0.55 s for 31 days). The
    days go in reads of USAGE_DAYS_PER_READ, each a UNION ALL (SQLite allows 500 terms).

    By employee, the read seeks each employee's day in the index and never touches the
    table (a plain time range would read the table row by row); the employee's branch is
    joined on afterwards (`_events`), and an employee with actions on a day is one staff-day.
    """
    days = pl.date_range(since, last, eager=True).to_list()
    reads: dict[str, Any] = {}
    for offset in range(0, len(days), USAGE_DAYS_PER_READ):
        first_day, *more = [_usage_on(d) for d in days[offset : offset + USAGE_DAYS_PER_READ]]
        reads[f"{USAGE_READ}{offset}"] = (
            first_day.union_all(*more) if more else first_day,
            {"day": pl.Date, "employee_id": pl.Int64, "usage_events": pl.Int64},
        )
    return reads


def _usage_on(day: dt.date) -> Select[int, dt.date, int]:
    starts = dt.datetime.combine(day, dt.time())
    return (
        select(
            UsageEvent.employee_id,
            literal(day, Date).label("day"),
            func.count().label("usage_events"),
        )
        .where(
            UsageEvent.employee_id.in_(select(Employee.id)),
            UsageEvent.occurred_at >= starts,
            UsageEvent.occurred_at < starts + dt.timedelta(days=1),
        )
        .group_by(UsageEvent.employee_id)
    )


def _reads(
    source: Connection | Engine, first: dt.date, last: dt.date, counted_from: dt.date
) -> dict[str, Any]:
    """Every read of `compute_kpis`: the stocks on the grid from `first`, the counted facts
    (flows, notes, pieces, ...) dated `counted_from` to `last` (see `_counted_from`)."""
    since = dt.datetime.combine(counted_from, dt.time())
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time())
    by_day = text("day")
    signed = metrics.net_flow_krw()
    booked_at = metrics.AUM_BRANCH
    day_schema = {"day": pl.Date, "branch_id": pl.Int64}
    # An account's value on D is today's less the flows after D: flows before `counted_from`
    # are on or before every day looked up at and change none. One read groups the flows by
    # branch, their day and their account's opening day (days before `first` bucketed onto
    # it): (branches x days x opening days) rows, not one per account, summed both ways in
    # polars (`_events`).
    flows = (
        select(
            booked_at.label("branch_id"),
            day_of(source, Transaction.occurred_at).label("day"),
            _bucket(Account.opened_on, first, last).label("opening_day"),
            _total(signed).label("net_krw"),
            func.count().label("transactions"),
            _count_if(Transaction.channel == ONLINE_CHANNEL).label("online_transactions"),
        )
        .join(Account, Account.id == Transaction.account_id)
        .where(Transaction.occurred_at >= since)
        # Day first: grouped by branch first, SQLite walks the accounts by branch and seeks
        # each one's transactions instead of reading the time range from its covering index.
        .group_by(by_day, booked_at, text("opening_day"))
    )
    consultations = (
        select(
            Consultation.branch_id,
            day_of(source, Consultation.occurred_at).label("day"),
            func.count().label("consultations"),
        )
        .where(
            Consultation.employee_id.in_(select(Employee.id)),  # as usage: by index
            Consultation.occurred_at >= since,
            Consultation.occurred_at < until,
            Consultation.corrects_id.is_(None),
        )
        .group_by(Consultation.branch_id, by_day)
    )
    # A campaign's pieces and their recorded responses count on its start day, as recorded
    # when the snapshot is taken: a response rate is that of the pieces sent in the window.
    piece = metrics.dm_tm_piece()
    pieces = (
        select(
            CampaignTarget.branch_id,
            Campaign.started_on.label("day"),
            _count_if(and_(piece, Campaign.channel == "dm")).label("dm_pieces"),
            _count_if(and_(piece, Campaign.channel == "tm")).label("tm_pieces"),
            _count_if(and_(piece, CampaignTarget.outcome.in_(metrics.DM_TM_RESPONSES))).label(
                "responses"
            ),
        )
        .join(Campaign, Campaign.id == CampaignTarget.campaign_id)
        .where(Campaign.started_on.between(counted_from, last))
        .group_by(CampaignTarget.branch_id, Campaign.started_on)
    )
    agenda = (
        select(
            AgendaItem.branch_id,
            AgendaItem.business_date.label("day"),
            func.count().label("agenda_items"),
            _count_if(AgendaItem.status.in_(metrics.AGENDA_DONE_STATUSES)).label(
                "agenda_completed"
            ),
        )
        .where(
            AgendaItem.business_date.between(counted_from, last),
            AgendaItem.branch_id.is_not(None),
        )
        .group_by(AgendaItem.branch_id, AgendaItem.business_date)
    )
    # A sale counts on its day at the selling branch; a happy call on its due day at the
    # branch of the sale, on time when its outcome was recorded by then (as recorded when the
    # snapshot is taken, like campaign responses).
    sales = (
        select(
            FundSale.branch_id,
            FundSale.sold_on.label("day"),
            func.count().label("sales"),
            _count_if(FundSale.suitable.is_(False)).label("unsuitable_sales"),
        )
        .where(FundSale.sold_on.between(counted_from, last))
        .group_by(FundSale.branch_id, FundSale.sold_on)
    )
    closed_in_time = and_(
        HappyCall.status != HAPPY_CALL_OPEN,
        day_of(source, HappyCall.outcome_at) <= HappyCall.due_on,
    )
    happy_calls = (
        select(
            HappyCall.branch_id,
            HappyCall.due_on.label("day"),
            func.count().label("happy_calls_due"),
            _count_if(closed_in_time).label("happy_calls_on_time"),
        )
        .where(HappyCall.due_on.between(counted_from, last))
        .group_by(HappyCall.branch_id, HappyCall.due_on)
    )
    employees = select(
        Employee.id.label("employee_id"),
        Employee.branch_id,
        Employee.role,
        Employee.hire_date,
        Employee.is_active,
    ).where(Employee.branch_id.is_not(None))
    enrolments = select(
        Enrolment.employee_id,
        Enrolment.completed_on,
        TrainingSession.ends_on,
        Enrolment.certified_on,
        Enrolment.certification_expires_on,
    ).join(TrainingSession, TrainingSession.id == Enrolment.session_id)
    # The longest reads first: the child process runs them on a few threads in this order.
    return {
        "flows": (flows, {**day_schema, "opening_day": pl.Date, "net_krw": pl.Int64}),
        **_stock_reads(first, last),
        "consultations": (consultations, day_schema),
        "pieces": (pieces, day_schema),
        "agenda": (agenda, day_schema),
        **_complaint_reads(first, last),
        "sales": (sales, day_schema),
        "happy_calls": (happy_calls, day_schema),
        **_usage_reads(counted_from, last),
        "employees": (
            employees,
            {"hire_date": pl.Date, "branch_id": pl.Int64, "is_active": pl.Boolean},
        ),
        "enrolments": (
            enrolments,
            {
                "completed_on": pl.Date,
                "ends_on": pl.Date,
                "certified_on": pl.Date,
                "certification_expires_on": pl.Date,
            },
        ),
    }


def _events(frames: Mapping[str, pl.DataFrame], first: dt.date) -> pl.DataFrame:
    """(branch_id, day, component deltas) from every read; days before `first` moved onto it.

    Staff are counted by their current branch and only while employed (the employee table
    keeps no leaving date); console usage by the branch the employee works at today, of
    those employed, as the usage page counts it.
    """
    accounts = _with_standing(frames["accounts"], frames["standing_accounts"], first)
    customers = _with_standing(frames["customers"], frames["standing_customers"], first)
    flows = frames["flows"]
    usage = pl.concat([frame for name, frame in frames.items() if name.startswith(USAGE_READ)])
    value = pl.col("value_krw")
    pieces = [
        accounts.select("branch_id", "day", value.alias("aum_krw")),
        accounts.filter(pl.col("closed_day").is_not_null()).select(
            "branch_id", pl.col("closed_day").alias("day"), (-value).alias("aum_krw")
        ),
        # Today's value holds every flow; a flow on day t into an account opened on o must
        # come off for the days o..t-1: take it off from o, put it back on t.
        flows.select(
            "branch_id",
            "day",
            "net_krw",
            "transactions",
            "online_transactions",
            pl.col("net_krw").alias("aum_krw"),
        ),
        flows.select(
            "branch_id", pl.col("opening_day").alias("day"), (-pl.col("net_krw")).alias("aum_krw")
        ),
        customers.select(
            "branch_id",
            "day",
            "customers",
            "priority_customers",
            "book_customers",
            *CONSENT_COMPONENTS,
            pl.col("customers").alias("opened_customers"),
        ),
        customers.filter(pl.col("closed_day").is_not_null()).select(
            "branch_id",
            pl.col("closed_day").alias("day"),
            -pl.col("customers"),
            -pl.col("priority_customers"),
            -pl.col("book_customers"),
            *(-pl.col(name) for name in CONSENT_COMPONENTS),
            pl.col("customers").alias("closed_customers"),
        ),
        frames["consultations"],
        frames["pieces"],
        frames["agenda"],
        *_complaint_events(frames),
        frames["sales"],
        frames["happy_calls"],
        usage.join(frames["employees"].filter("is_active"), on="employee_id").select(
            "branch_id", "day", "usage_events", pl.lit(1).alias("usage_staff_days")
        ),
        _staff_events(frames["employees"].filter("is_active"), frames["enrolments"]),
    ]
    events = pl.concat(
        [piece.with_columns(pl.col("branch_id").cast(pl.Int64)) for piece in pieces],
        how="diagonal_relaxed",
    )
    return events.with_columns(pl.max_horizontal(pl.col("day"), pl.lit(first)).alias("day"))


def _staff_events(employees: pl.DataFrame, enrolments: pl.DataFrame) -> pl.DataFrame:
    """Staff from their hire date; each enrolment due from metrics.training_due_on and
    completed from its completion; certified while one of their certifications is valid
    (overlapping ones merged, so nobody counts twice)."""
    role = pl.col("role")
    hired = employees.select(
        "branch_id",
        pl.col("hire_date").alias("day"),
        pl.lit(1).alias("staff"),
        role.is_in(CUSTOMER_FACING_ROLES).cast(pl.Int64).alias("reps"),
        (role == Role.DEDICATED_MANAGER.value).cast(pl.Int64).alias("dedicated_managers"),
    )
    enrolled = enrolments.join(employees.select("employee_id", "branch_id"), on="employee_id")
    due = enrolled.select(
        "branch_id", metrics.training_due_on().alias("day"), pl.lit(1).alias("training_due")
    )
    completed = enrolled.filter(pl.col("completed_on").is_not_null()).select(
        "branch_id", pl.col("completed_on").alias("day"), pl.lit(1).alias("training_completed")
    )
    valid = (
        enrolments.filter(pl.col("certified_on").is_not_null())
        .select(
            "employee_id",
            pl.col("certified_on").alias("start"),
            (pl.col("certification_expires_on") + pl.duration(days=1))
            .fill_null(dt.date(9999, 1, 1))
            .alias("end"),
        )
        .sort("employee_id", "start")
        .with_columns(pl.col("end").cum_max().shift(1).over("employee_id").alias("reach"))
        .with_columns(
            (pl.col("reach").is_null() | (pl.col("start") > pl.col("reach")))
            .cum_sum()
            .over("employee_id")
            .alias("spell")
        )
        .group_by("employee_id", "spell")
        .agg(pl.col("start").min(), pl.col("end").max())
        .join(employees, on="employee_id")
    )
    certified = pl.concat(
        [
            valid.select("branch_id", pl.col("start").alias("day"), pl.lit(1).alias("n")),
            valid.select("branch_id", pl.col("end").alias("day"), pl.lit(-1).alias("n")),
        ]
    ).rename({"n": "certified_staff"})
    return pl.concat([hired, due, completed, certified], how="diagonal_relaxed")


def _business_days(first: dt.date, last: dt.date, holidays: frozenset[dt.date]) -> pl.DataFrame:
    days = pl.date_range(first, last, eager=True)
    return pl.DataFrame({"day": days, "business_day": [is_business_day(d, holidays) for d in days]})


def _holidays(source: Connection | Engine) -> frozenset[dt.date]:
    if isinstance(source, Connection):
        return extra_holidays(source)
    with source.connect() as conn:
        return extra_holidays(conn)


def reported_days(source: Connection | Engine, start: dt.date, end: dt.date) -> list[dt.date]:
    """The business days in start..end: the days that get a snapshot."""
    holidays = _holidays(source)
    return [d for d in pl.date_range(start, end, eager=True) if is_business_day(d, holidays)]


# ---------------------------------------------------------------------------------------------
# From components to KPI values


def _kpi_expressions(parameters: Mapping[str, float]) -> dict[str, pl.Expr]:
    def at(name: str) -> pl.Expr:
        return pl.col(name).cast(pl.Float64)

    def flow(name: str) -> pl.Expr:
        return at(name) - at(f"{name}_prev")

    def window(name: str) -> pl.Expr:
        return at(name) - at(f"{name}_ago")

    pieces = window("dm_pieces") + window("tm_pieces")
    cost = (
        window("dm_pieces") * parameters["dm_piece_cost_krw"]
        + window("tm_pieces") * parameters["tm_piece_cost_krw"]
    )
    return {
        "aum_krw": at("aum_krw"),
        "net_flows_krw": flow("net_krw"),
        "organic_growth_pct": metrics.ratio(window("net_krw"), at("aum_krw_ago"), 100),
        "active_customers": at("customers"),
        "new_customers": flow("opened_customers"),
        "lost_customers": flow("closed_customers"),
        "attrition_pct": metrics.ratio(window("closed_customers"), at("customers_ago"), 100),
        "customers_per_manager": metrics.customers_per_manager(
            at("book_customers"), at("dedicated_managers")
        ),
        "priority_customers": at("priority_customers"),
        "priority_share_pct": metrics.ratio(at("priority_customers"), at("customers"), 100),
        "staff_per_branch": metrics.ratio(at("staff"), at("branches")),
        "consultations_per_rep_day": metrics.ratio(
            window("consultations"), at("reps") * at("window_business_days")
        ),
        "agenda_completion_pct": metrics.agenda_completion_pct(
            window("agenda_completed"), window("agenda_items")
        ),
        "dm_tm_pieces": flow("dm_pieces") + flow("tm_pieces"),
        "dm_tm_response_pct": metrics.ratio(window("responses"), pieces, 100),
        "cost_per_response_krw": metrics.ratio(cost, window("responses")),
        "usage_per_staff_day": metrics.actions_per_person_day(
            window("usage_events"), window("usage_staff_days")
        ),
        "trained_pct": metrics.training_completion_pct(
            at("training_completed"), at("training_due")
        ),
        "certified_pct": metrics.ratio(at("certified_staff"), at("staff"), 100),
        "online_share_pct": metrics.ratio(
            window("online_transactions"), window("transactions"), 100
        ),
        "complaints_per_10k_customers": metrics.ratio(
            window("complaints_received"), at("customers"), 10_000
        ),
        "complaints_overdue": at("complaints_overdue"),
        "happy_calls_on_time_pct": metrics.ratio(
            window("happy_calls_on_time"), window("happy_calls_due"), 100
        ),
        "unsuitable_sale_share_pct": metrics.ratio(
            window("unsuitable_sales"), window("sales"), 100
        ),
        **{
            f"{channel}_pct": metrics.ratio(at(f"{channel}_customers"), at("customers"), 100)
            for channel in ("consent_dm", "consent_tm", "consent_email")
        },
    }


def compute_kpis(
    source: Connection | Engine,
    start: dt.date,
    end: dt.date,
    *,
    parameters: Mapping[str, float] | None = None,
) -> pl.DataFrame:
    """Every KPI for every business day in start..end, for each branch, region and the firm.

    Long frame (business_date, scope_kind, scope_key, kpi, value); scope_key is '' for the
    firm, the region's name or the branch code. The live computation the snapshot stores.
    """
    if start > end:
        raise ValueError(f"the range starts ({start}) after it ends ({end})")
    first = start - dt.timedelta(days=LOOKBACK_DAYS)
    holidays = _holidays(source)
    days = [d for d in pl.date_range(start, end, eager=True) if is_business_day(d, holidays)]
    if not days:
        return pl.DataFrame(schema=SNAPSHOT_SCHEMA)
    parameters = parameters or _parameter_values(source)
    calendar = _business_days(first, end, holidays)
    wanted = _reporting_calendar(calendar, days)
    reads = _reads(source, first, end, _counted_from(wanted))
    reads["branches"] = (
        select(Branch.id.label("branch_id"), Branch.code, Branch.region, Branch.opened_on).where(
            Branch.is_active
        ),
        {"opened_on": pl.Date, "branch_id": pl.Int64},
    )
    frames = read_arrow_frames(source, reads)
    branches = frames["branches"]
    events = pl.concat(
        [
            _events(frames, first),
            branches.select("branch_id", pl.col("opened_on").alias("day"), pl.lit(1).alias("n"))
            .with_columns(pl.max_horizontal(pl.col("day"), pl.lit(first)).alias("day"))
            .rename({"n": "branches"}),
        ],
        how="diagonal_relaxed",
    )
    grid = branches.select("branch_id").join(calendar.select("day"), how="cross")
    daily = (
        events.filter(pl.col("branch_id").is_in(branches["branch_id"].implode()))
        .group_by("branch_id", "day")
        .agg(pl.col(c).fill_null(0).sum() for c in COMPONENTS)
    )
    running = (
        grid.join(daily, on=["branch_id", "day"], how="left")
        .with_columns(pl.col(COMPONENTS).fill_null(0))
        .sort("branch_id", "day")
        .with_columns(pl.col(COMPONENTS).cum_sum().over("branch_id"))
    )
    at = wanted.join(branches.select("branch_id"), how="cross").join(
        running, on=["branch_id", "day"]
    )
    for suffix, lookup in (("prev", "previous_business_day"), ("ago", "window_start")):
        shifted = running.rename({c: f"{c}_{suffix}" for c in COMPONENTS}).rename({"day": lookup})
        at = at.join(shifted, on=["branch_id", lookup], how="left")
    at = at.join(branches.select("branch_id", "code", "region"), on="branch_id")
    summed = [*COMPONENTS, *(f"{c}_prev" for c in COMPONENTS), *(f"{c}_ago" for c in COMPONENTS)]
    scoped = pl.concat(
        [
            at.select(
                "day", pl.lit(BRANCH).alias("scope_kind"), pl.col("code").alias("scope_key"),
                *summed,
            ),
            at.group_by("day", "region").agg(pl.col(summed).sum())
            .select("day", pl.lit(REGION).alias("scope_kind"), pl.col("region").alias("scope_key"),
                    *summed),
            at.group_by("day").agg(pl.col(summed).sum())
            .select("day", pl.lit(FIRM).alias("scope_kind"), pl.lit("").alias("scope_key"),
                    *summed),
        ]
    ).join(wanted.select("day", "window_business_days"), on="day")  # fmt: skip
    expressions = _kpi_expressions(parameters)
    values = scoped.select(
        pl.col("day").alias("business_date"),
        "scope_kind",
        "scope_key",
        *(expression.alias(name) for name, expression in expressions.items()),
    )
    return (
        values.unpivot(
            index=["business_date", "scope_kind", "scope_key"],
            variable_name="kpi",
            value_name="value",
        )
        .with_columns(pl.col("value").cast(pl.Float64).fill_nan(None))
        .sort("business_date", "scope_kind", "scope_key", "kpi")
        .select(list(SNAPSHOT_SCHEMA))
    )


def _counted_from(wanted: pl.DataFrame) -> dt.date:
    """The first day whose counted facts (flows, notes, pieces, ...) change a reported value.

    A counter enters a value only as its growth since the previous business day or the
    window's start, so facts up to the earliest of those days count alike at every day
    looked up at and cancel; a flow changes the AUM only of days before it. The stocks' grid
    starts earlier (LOOKBACK_DAYS), for the previous business day after a long holiday.
    """
    looked_up = pl.concat([wanted["previous_business_day"], wanted["window_start"]]).min()
    assert isinstance(looked_up, dt.date)  # every reported day has a window start
    return looked_up + dt.timedelta(days=1)


def _reporting_calendar(calendar: pl.DataFrame, days: Sequence[dt.date]) -> pl.DataFrame:
    """Per reported day: the previous business day, the window's first day (exclusive) and
    the business days in the window."""
    business = calendar.filter("business_day").select(
        "day", pl.col("day").shift(1).alias("previous_business_day")
    )
    counted = calendar.with_columns(pl.col("business_day").cast(pl.Int64).cum_sum().alias("n"))
    window_start = pl.col("day") - pl.duration(days=metrics.WINDOW_DAYS)
    return (
        pl.DataFrame({"day": days}, schema={"day": pl.Date})
        .join(business, on="day", how="left")
        .with_columns(window_start.alias("window_start"))
        .join(counted.select("day", "n"), on="day")
        .join(counted.select(pl.col("day").alias("window_start"), pl.col("n").alias("n0")),
              on="window_start")
        .with_columns((pl.col("n") - pl.col("n0")).alias("window_business_days"))
        .select("day", "previous_business_day", "window_start", "window_business_days")
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Snapshots: the job writes them, pages read them


@dataclass(frozen=True, slots=True)
class SnapshotOutcome:
    run: job_runs.RunOutcome
    start: dt.date
    end: dt.date
    days: int
    firm: dict[str, float | None]  # the last day's firm values by KPI name


def snapshot(engine: Engine, start: dt.date, end: dt.date, *, force: bool) -> SnapshotOutcome:
    """Compute start..end in one pass and replace those dates' snapshot rows in one
    transaction; recorded in the job ledger under `end` (the range goes with its detail)."""
    computed: dict[str, pl.DataFrame] = {}

    def prepare() -> job_runs.Writer:
        started = time.perf_counter()
        frame = compute_kpis(engine, start, end)
        computed["frame"] = frame
        compute_s = time.perf_counter() - started

        def write(conn: Connection) -> tuple[int, dict[str, Any]]:
            written = replace_snapshots(conn, frame, start, end)
            detail = {
                "from": start.isoformat(),
                "to": end.isoformat(),
                "days": frame["business_date"].n_unique(),
                "compute_s": round(compute_s, 3),
            }
            return written, detail

        return write

    outcome = job_runs.run_job(engine, JOB, end, prepare, force=force)
    frame = computed.get("frame", pl.DataFrame(schema=SNAPSHOT_SCHEMA))
    firm = frame.filter(pl.col("scope_kind") == FIRM)
    last = firm.filter(pl.col("business_date") == pl.col("business_date").max())
    return SnapshotOutcome(
        run=outcome,
        start=start,
        end=end,
        days=frame["business_date"].n_unique(),
        firm=dict(zip(last["kpi"], last["value"], strict=True)),
    )


def replace_snapshots(conn: Connection, frame: pl.DataFrame, start: dt.date, end: dt.date) -> int:
    """Delete start..end's snapshot rows and insert `frame`, inside the caller's transaction."""
    conn.execute(delete(KpiSnapshot).where(KpiSnapshot.business_date.between(start, end)))
    return bulk_insert(conn, KpiSnapshot.__table__, frame)


@dataclass(frozen=True, slots=True)
class KpiScope:
    """What a view shows: the whole firm or one branch (with its id and names), as
    `scope_for` resolved it, for the page's title and questions.

    It authorises nothing: every function that reads KPIs takes the branch code and resolves
    the scope itself, so the branch it is allowed is the branch it reads.
    """

    kind: str
    key: str
    branch_id: int | None = None
    name_ko: str = ""
    name_en: str = ""

    def name(self, language: str) -> str:
        return self.name_ko if language == "ko" else self.name_en

    @property
    def branch_code(self) -> str | None:
        """The code to ask the KPI functions for this view with (None: the firm)."""
        return self.key if self.kind == BRANCH else None


def scope_for(conn: Connection, user: SignedInUser, branch_code: str | None = None) -> KpiScope:
    """The scope `user` asked for: a branch by code, or by default the widest they reach.

    A branch manager sees their own branch; asking for another is refused (AccessDenied).
    """
    scope = require(user, Action.KPI_READ)
    if branch_code is None and scope is Scope.FIRM:
        return KpiScope(FIRM, "", name_ko="전사", name_en="Whole firm")
    found = (
        own_branch(conn, user)
        if branch_code is None
        else branch_for_code(conn, user, branch_code, Action.KPI_READ)
    )
    return KpiScope(BRANCH, found.code, found.id, found.name_ko, found.name_en)


def sees_firm(user: SignedInUser) -> bool:
    """Whether `user` reads the KPIs of the whole firm (and so of every branch)."""
    return scope_of(user, Action.KPI_READ) is Scope.FIRM


def _require_firm(user: SignedInUser) -> None:
    if require(user, Action.KPI_READ) is not Scope.FIRM:
        raise AccessDenied("kpi_compare_firm_only")


def history(
    conn: Connection,
    user: SignedInUser,
    start: dt.date,
    end: dt.date,
    *,
    branch_code: str | None = None,
) -> pl.DataFrame:
    """Snapshot rows in start..end of the firm or of the branch `branch_code` (`scope_for`
    resolves and authorises it): business_date, kpi, value."""
    return _history(conn, scope_for(conn, user, branch_code), start, end)


def _history(conn: Connection, scope: KpiScope, start: dt.date, end: dt.date) -> pl.DataFrame:
    """`history` of a scope `scope_for` made."""
    stmt = select(KpiSnapshot.business_date, KpiSnapshot.kpi, KpiSnapshot.value).where(
        KpiSnapshot.scope_kind == scope.kind,
        KpiSnapshot.scope_key == scope.key,
        KpiSnapshot.business_date.between(start, end),
    )
    schema = {"business_date": pl.Date, "kpi": pl.String, "value": pl.Float64}
    return read_frame(conn, stmt, schema).sort("business_date", "kpi")


def snapshot_span(
    conn: Connection, user: SignedInUser, today: dt.date
) -> tuple[dt.date, dt.date] | None:
    """The first and the last snapshot date a page may show on `today`, or None before any.

    The last is never later than metrics.completed_day(today): a snapshot of today itself
    (an admin's "run now" in the morning) holds a day that has not happened, so the home
    page and the executive page both show the latest completed day, and say which.
    """
    require(user, Action.KPI_READ)
    first, last = conn.execute(
        select(func.min(KpiSnapshot.business_date), func.max(KpiSnapshot.business_date)).where(
            KpiSnapshot.scope_kind == FIRM,
            KpiSnapshot.business_date <= metrics.completed_day(conn, today),
        )
    ).one()
    return None if last is None else (first, last)


def scope_rows(
    conn: Connection, user: SignedInUser, kind: str, kpi: str, start: dt.date, end: dt.date
) -> pl.DataFrame:
    """One KPI for every branch (or region) in start..end: business_date, scope_key, value.
    For the league table's sparklines and the region view: whole-firm readers only."""
    _require_firm(user)
    stmt = select(KpiSnapshot.business_date, KpiSnapshot.scope_key, KpiSnapshot.value).where(
        KpiSnapshot.scope_kind == kind,
        KpiSnapshot.kpi == kpi,
        KpiSnapshot.business_date.between(start, end),
    )
    schema = {"business_date": pl.Date, "scope_key": pl.String, "value": pl.Float64}
    return read_frame(conn, stmt, schema)


def day_rows(conn: Connection, user: SignedInUser, kind: str, day: dt.date) -> pl.DataFrame:
    """Every KPI of every branch (or region) on `day`: scope_key, kpi, value (firm view)."""
    _require_firm(user)
    stmt = select(KpiSnapshot.scope_key, KpiSnapshot.kpi, KpiSnapshot.value).where(
        KpiSnapshot.scope_kind == kind, KpiSnapshot.business_date == day
    )
    return read_frame(conn, stmt, {"scope_key": pl.String, "kpi": pl.String, "value": pl.Float64})


def branches(conn: Connection, user: SignedInUser) -> pl.DataFrame:
    """Active branches in the user's KPI scope: branch_id, code, name_ko, name_en, region."""
    require(user, Action.KPI_READ)
    stmt = select(
        Branch.id.label("branch_id"), Branch.code, Branch.name_ko, Branch.name_en, Branch.region
    ).where(Branch.is_active)
    if require(user, Action.KPI_READ) is not Scope.FIRM:
        stmt = stmt.where(Branch.id == user.branch_id)
    return read_frame(conn, stmt.order_by(Branch.code), {"branch_id": pl.Int64})


def branch_against_median(
    conn: Connection, user: SignedInUser, day: dt.date, *, branch_code: str | None = None
) -> pl.DataFrame:
    """Each KPI of one branch (`branch_code`, by default the user's own) on `day` next to
    the median over all branches that day: kpi, value, median. A branch manager learns the
    median, not other branches' values."""
    scope = scope_for(conn, user, branch_code)
    if scope.kind != BRANCH:
        raise NotFound("own_branch_missing")
    rows = read_frame(
        conn,
        select(KpiSnapshot.scope_key, KpiSnapshot.kpi, KpiSnapshot.value).where(
            KpiSnapshot.scope_kind == BRANCH, KpiSnapshot.business_date == day
        ),
        {"scope_key": pl.String, "kpi": pl.String, "value": pl.Float64},
    )
    medians = rows.group_by("kpi").agg(pl.col("value").median().alias("median"))
    own = rows.filter(pl.col("scope_key") == scope.key).select("kpi", "value")
    order = pl.DataFrame({"kpi": [k.name for k in KPIS]})
    return order.join(own, on="kpi", how="left").join(medians, on="kpi", how="left")


# ---------------------------------------------------------------------------------------------
# Periods: a day, week, month or quarter, summed up as each KPI's kind says


PERIODS = {"day": None, "week": "1w", "month": "1mo", "quarter": "1q"}


def by_period(frame: pl.DataFrame, period: str, *, keys: Sequence[str] = ()) -> pl.DataFrame:
    """`frame` (business_date, kpi, value, *keys) per period: period_start, *keys, kpi, value.

    Flows add up over the period's days; stocks and trailing rates show the period's last
    day with a value. A period without any value stays null, never zero.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    every = PERIODS[period]
    start = pl.col("business_date")
    framed = frame.with_columns(
        (start if every is None else start.dt.truncate(every)).alias("period_start")
    )
    return (
        framed.sort("business_date")
        .group_by("period_start", *keys, "kpi")
        .agg(_summed_up())
        .sort("period_start", *keys, "kpi")
    )


def _summed_up() -> pl.Expr:
    """A KPI's days (sorted) as one value: flows add up, the others keep their last value."""
    flows = [kpi.name for kpi in KPIS if kpi.kind is Kind.FLOW]
    value = pl.col("value")
    return (
        pl.when(pl.col("kpi").first().is_in(flows))
        .then(pl.when(value.count() > 0).then(value.sum()))
        .otherwise(value.drop_nulls().last())
        .alias("value")
    )


@dataclass(frozen=True, slots=True)
class PeriodComparison:
    """The latest period against the one before it, like for like.

    The latest period runs start..end (end: its last day with a snapshot, so it is often
    partial). Flows add up the same number of days of the previous period,
    previous_start..previous_end (1-5 Dec against 1-5 Nov); stocks and trailing rates compare
    end values, the latest against the previous period's last value (to previous_close). A
    latest period with no business day left compares whole periods.
    """

    period: str
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    previous_close: dt.date
    latest: dict[str, float | None]
    previous: dict[str, float | None]

    @property
    def to_date(self) -> bool:
        """Whether flows are compared over part of the previous period only."""
        return self.previous_end < self.previous_close


def _period_start(day: dt.date, period: str) -> dt.date:
    every = PERIODS[period]
    return day if every is None else pl.Series([day]).dt.truncate(every).item()


def _summed(frame: pl.DataFrame, first: dt.date, last: dt.date) -> dict[str, float | None]:
    """Per KPI over first..last: flows added up, the others their last value (null if none)."""
    inside = frame.filter(pl.col("business_date").is_between(first, last))
    summed = inside.sort("business_date").group_by("kpi").agg(_summed_up())
    return dict(summed.iter_rows())


def compare_periods(
    daily: pl.DataFrame, period: str, *, holidays: frozenset[dt.date] = frozenset()
) -> PeriodComparison | None:
    """The latest period of `daily` (business_date, kpi, value) against the one before, like
    for like (see PeriodComparison); None without any value. `daily` must reach back to the
    previous period's start (period_comparison reads it so)."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    measured = daily.filter(pl.col("value").is_not_null())
    if measured.is_empty():
        return None
    end = measured["business_date"].max()
    assert isinstance(end, dt.date)  # the max of a non-empty Date column
    one_day = dt.timedelta(days=1)
    step = PERIODS[period]
    if step is None:
        earlier = measured.filter(pl.col("business_date") < end)["business_date"].max()
        previous_day = earlier if isinstance(earlier, dt.date) else end - one_day
        return PeriodComparison(
            period, end, end, previous_day, previous_day, previous_day,
            _summed(daily, end, end), _summed(daily, previous_day, previous_day),
        )  # fmt: skip
    start = _period_start(end, period)
    previous_start = _period_start(start - one_day, period)
    previous_close = start - one_day
    next_start = pl.Series([start]).dt.offset_by(step).item()
    remaining = (end + dt.timedelta(days=n) for n in range(1, (next_start - end).days))
    if any(is_business_day(d, holidays) for d in remaining):
        previous_end = min(previous_start + (end - start), previous_close)
    else:
        previous_end = previous_close
    flows = [kpi.name for kpi in KPIS if kpi.kind is Kind.FLOW]
    to_date = _summed(daily, previous_start, previous_end)
    whole = _summed(daily, previous_start, previous_close)
    previous = {name: (to_date if name in flows else whole).get(name) for name in whole}
    return PeriodComparison(
        period, start, end, previous_start, previous_end, previous_close,
        _summed(daily, start, end), previous,
    )  # fmt: skip


def period_comparison(
    conn: Connection,
    user: SignedInUser,
    period: str,
    end: dt.date,
    *,
    branch_code: str | None = None,
) -> PeriodComparison | None:
    """compare_periods over the snapshots of the firm or of `branch_code` (as `history`) up
    to `end`, read back to the start of the period before, whatever range the page shows."""
    scope = scope_for(conn, user, branch_code)
    start = _period_start(_period_start(end, period) - dt.timedelta(days=1), period)
    if PERIODS.get(period) is None:
        start = end - dt.timedelta(days=LOOKBACK_DAYS)
    daily = _history(conn, scope, start, end)
    return compare_periods(daily, period, holidays=extra_holidays(conn))


# ---------------------------------------------------------------------------------------------
# The executive page's tables, finished: the page lays them out


LEAGUE_KPIS = ("aum_krw", "net_flows_krw", "active_customers", "usage_per_staff_day")


@dataclass(frozen=True, slots=True)
class PeriodView:
    """The snapshots of start..end of one scope, per period.

    `periods`: (period_start, kpi, value) as `by_period` sums the business days up, a day
    without a snapshot a gap (null), never zero; `wide`: one row per period_start, one column
    per KPI (KPIS order); `trends`: each KPI's period values, oldest first, gaps left out
    (sparklines); `missing_days`: business days without a snapshot; `last_day`: the last with
    one.
    """

    periods: pl.DataFrame
    wide: pl.DataFrame
    trends: dict[str, list[float]]
    missing_days: int
    last_day: dt.date | None


def period_view(
    conn: Connection,
    user: SignedInUser,
    start: dt.date,
    end: dt.date,
    period: str,
    *,
    branch_code: str | None = None,
) -> PeriodView:
    """The firm's or `branch_code`'s snapshots of start..end (authorised as `history`)."""
    raw = history(conn, user, start, end, branch_code=branch_code)
    expected = reported_days(conn, start, end)
    grid = pl.DataFrame({"business_date": expected}, schema={"business_date": pl.Date}).join(
        pl.DataFrame({"kpi": [kpi.name for kpi in KPIS]}), how="cross"
    )
    daily = grid.join(raw, on=["business_date", "kpi"], how="left")
    periods = by_period(daily, period)
    wide = periods.pivot(on="kpi", index="period_start", values="value").sort("period_start")
    trends = {
        name: [value for value in values if value is not None]
        for name, values in periods.sort("period_start")
        .group_by("kpi", maintain_order=True)
        .agg("value")
        .iter_rows()
    }
    last_day = raw["business_date"].max()
    return PeriodView(
        periods=periods,
        wide=wide.select("period_start", *(k.name for k in KPIS if k.name in wide.columns)),
        trends=trends,
        missing_days=len(set(expected) - set(raw["business_date"].to_list())),
        last_day=last_day if isinstance(last_day, dt.date) else None,
    )


def _shown_with(name: str) -> list[str]:
    """The KPI `name` first, then the league's usual columns."""
    return [name, *(c for c in LEAGUE_KPIS if c != name)]


def _best_first(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    better_down = KPI_BY_NAME[name].better is Better.DOWN
    return frame.sort(name, descending=not better_down, nulls_last=True)


def league_table(
    conn: Connection,
    user: SignedInUser,
    name: str,
    start: dt.date,
    end: dt.date,
    period: str,
    *,
    language: str,
) -> pl.DataFrame:
    """Every branch on `end`, best first by KPI `name`: code, name (in `language`), region,
    `name` and the league's other KPIs, and trend (`name` per period over start..end).
    Whole-firm readers only."""
    branch_rows = branches(conn, user)
    series = scope_rows(conn, user, BRANCH, name, start, end)
    today = day_rows(conn, user, BRANCH, end)
    periodic = by_period(
        series.rename({"scope_key": "code"}).with_columns(kpi=pl.lit(name)), period, keys=["code"]
    )
    sparks = periodic.group_by("code").agg(pl.col("value").sort_by("period_start").alias("trend"))
    shown = _shown_with(name)
    latest = (
        today.filter(pl.col("kpi").is_in(shown))
        .pivot(on="kpi", index="scope_key", values="value")
        .rename({"scope_key": "code"})
    )
    table = (
        branch_rows.select(
            "code", pl.col("name_ko" if language == "ko" else "name_en").alias("name"), "region"
        )
        .join(latest, on="code", how="left")
        .join(sparks, on="code", how="left")
    )
    return _best_first(table, name).select(
        "code", "name", "region", *(c for c in shown if c in table.columns), "trend"
    )


@dataclass(frozen=True, slots=True)
class RegionView:
    """The regions on a day: `chart` (scope_key, value of the chosen KPI) and `table`
    (scope_key and the league's KPIs, the chosen one first), best first."""

    chart: pl.DataFrame
    table: pl.DataFrame


def region_view(conn: Connection, user: SignedInUser, name: str, day: dt.date) -> RegionView:
    rows = day_rows(conn, user, REGION, day)
    chart = rows.filter(pl.col("kpi") == name).select("scope_key", "value")
    if rows.is_empty():
        return RegionView(chart=chart, table=chart)
    shown = _shown_with(name)
    table = rows.filter(pl.col("kpi").is_in(shown)).pivot(
        on="kpi", index="scope_key", values="value"
    )
    shown_table = _best_first(table, name).select(
        "scope_key", *(c for c in shown if c in table.columns)
    )
    return RegionView(chart=chart, table=shown_table)


# ---------------------------------------------------------------------------------------------
# Targets and parameters (data, edited by administrators, audited)


def _parameter_values(source: Connection | Engine) -> dict[str, float]:
    stmt = select(KpiParameter.name, KpiParameter.value)
    if isinstance(source, Connection):
        stored = dict(source.execute(stmt).all())
    else:
        with source.connect() as conn:
            stored = dict(conn.execute(stmt).all())
    return {**DEFAULT_PARAMETERS, **{k: v for k, v in stored.items() if k in DEFAULT_PARAMETERS}}


def parameters(conn: Connection, user: SignedInUser) -> dict[str, float]:
    require(user, Action.KPI_READ)
    return _parameter_values(conn)


def targets(conn: Connection, user: SignedInUser) -> dict[str, float]:
    """The firm's target per KPI name (stored ones over the defaults); KPIs without none."""
    require(user, Action.KPI_READ)
    stored = dict(conn.execute(select(KpiTarget.kpi, KpiTarget.target)).all())
    return {**DEFAULT_TARGETS, **{k: v for k, v in stored.items() if k in KPI_BY_NAME}}


def _checked_number(value: float) -> float:
    if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise Refused("kpi_setting_not_number")
    return float(value)


def save_target(conn: Connection, user: SignedInUser, kpi: str, target: float) -> None:
    """Set the firm's target for `kpi`; audited with the value before and after."""
    require(user, Action.KPI_TARGETS_WRITE)
    if kpi not in KPI_BY_NAME:
        raise NotFound("kpi_unknown", name=kpi)
    target = _checked_number(target)
    if KPI_BY_NAME[kpi].unit is Unit.PERCENT and target > 100:
        raise Refused("kpi_target_percent")
    with unit_of_work(conn) as session:
        row = session.get(KpiTarget, kpi)
        before = row.target if row else DEFAULT_TARGETS.get(kpi)
        if row is None:
            row = KpiTarget(kpi=kpi)
            session.add(row)
        row.target, row.updated_by, row.updated_at = target, user.username, now_seoul()
        audit_as(
            session, user, "kpi_target_save",
            target_kind="kpi", target_id=kpi, detail={"before": before, "after": target},
        )  # fmt: skip


def save_parameter(conn: Connection, user: SignedInUser, name: str, value: float) -> None:
    """Set a formula parameter (a per-piece cost); audited. Takes effect at the next snapshot."""
    require(user, Action.KPI_TARGETS_WRITE)
    if name not in DEFAULT_PARAMETERS:
        raise NotFound("kpi_unknown", name=name)
    value = _checked_number(value)
    with unit_of_work(conn) as session:
        row = session.get(KpiParameter, name)
        before = row.value if row else DEFAULT_PARAMETERS[name]
        if row is None:
            row = KpiParameter(name=name)
            session.add(row)
        row.value, row.updated_by, row.updated_at = value, user.username, now_seoul()
        audit_as(
            session, user, "kpi_parameter_save",
            target_kind="kpi", target_id=name, detail={"before": before, "after": value},
        )  # fmt: skip


def export_table(
    conn: Connection,
    user: SignedInUser,
    frame: pl.DataFrame,
    *,
    what: str,
    reason: str,
    branch_code: str | None = None,
) -> exports.ExportFile:
    """A KPI table shown on the page (`what`: periods or league) of the firm or of the branch
    `branch_code` (resolved as in `history`) as a CSV file.

    KPI figures hold no one's personal data, yet they leave like every download: through
    `exports.export_frame`, so the export grant for the scope, the stated reason, formula-safe
    cells and the audit record are one code path for the whole console.
    """
    scope = scope_for(conn, user, branch_code)
    return exports.export_frame(
        conn,
        user,
        frame,
        name=f"kpi_{what}_{scope.kind}{'_' + scope.key if scope.key else ''}",
        reason=reason,
        branch_id=scope.branch_id,
        page=PAGE,
    )
