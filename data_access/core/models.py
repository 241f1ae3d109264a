"""The CRM's tables as typed SQLAlchemy models; migrations/ is generated from these.

Timestamps are naive Asia/Seoul wall-clock time. Korea has kept no daylight saving since 1988,
so a stored time is unambiguous and a business day is its date part on both databases.
Amounts are whole won (KRW has no minor unit) in BIGINT columns named `*_krw`.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-numbers a column declared exactly INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:
        # Every model maps one Table (none a join or a select), whose name, indexes and keys
        # the bulk loads use; SQLAlchemy types it as any FromClause.
        __table__: ClassVar[Table]


class Role(enum.StrEnum):
    SALES_REP = "sales_rep"
    DEDICATED_MANAGER = "dedicated_manager"
    BRANCH_MANAGER = "branch_manager"
    TRAINER = "trainer"
    EXECUTIVE = "executive"
    ADMIN = "admin"
    # Head office's consumer protection (금융소비자보호): complaint cases firm-wide (issue #22).
    COMPLIANCE = "compliance"


class Tier(enum.StrEnum):
    VIP = "vip"
    PRIORITY = "priority"
    GENERAL = "general"


# The codes stored in the tables' kind, channel and outcome columns. The demo generator, the
# checks on what staff enter, the KPIs and the data dictionary all take them from here.
PREFERRED_CHANNELS = ("branch", "phone", "online", "dm")
TRANSACTION_KINDS = ("subscription", "redemption", "deposit", "withdrawal")
INFLOW_KINDS = ("subscription", "deposit")  # money into the customer's funds
OUTFLOW_KINDS = ("redemption", "withdrawal")
TRANSACTION_CHANNELS = ("branch", "online", "phone")
CONSULTATION_CHANNELS = ("visit", "phone", "dm", "tm", "online")
CONSULTATION_OUTCOMES = ("interested", "purchased", "declined", "follow_up", "no_answer")
ALERT_KINDS = ("always_alone", "proxy_attempt", "dormant_large_withdrawal", "identity_check")
ALERT_SEVERITIES = ("critical", "warning")
LIFE_EVENT_KINDS = ("birthday", "wedding_anniversary", "account_anniversary")


class Branch(Base):
    __tablename__ = "branches"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name_ko: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(60))
    region: Mapped[str] = mapped_column(String(20), index=True)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Employee(Base):
    __tablename__ = "employees"
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    hire_date: Mapped[dt.date] = mapped_column(Date)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base):
    """A sign-in account; its role decides what the console shows, scoped by its employee."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    if TYPE_CHECKING:
        # Mapped after the other columns, at the end of this module, in the order the
        # migrations added them.
        sessions_revoked_at: Mapped[dt.datetime | None]
        sso_email: Mapped[str | None]


# What the KPI snapshot reads of a customer and of an account besides the days they opened
# and closed (the partial indexes below carry them).
CUSTOMER_STOCK_COLUMNS = (
    "home_branch_id", "manager_id", "opened_on", "tier", "consent_dm", "consent_tm",
    "consent_email",
)  # fmt: skip
ACCOUNT_STOCK_COLUMNS = ("branch_id", "opened_on", "market_value_krw")


def open_and_closed_indexes(table: str, columns: tuple[str, ...]) -> tuple[Index, Index]:
    """`columns` of the open rows, and of the closed ones led by their closing day."""
    open_rows, closed_rows = text("closed_on IS NULL"), text("closed_on IS NOT NULL")
    return (
        Index(f"ix_{table}_open", *columns, sqlite_where=open_rows, postgresql_where=open_rows),
        Index(
            f"ix_{table}_closed",
            "closed_on",
            *columns,
            sqlite_where=closed_rows,
            postgresql_where=closed_rows,
        ),
    )


class Customer(Base):
    __tablename__ = "customers"
    # The KPI snapshot's customers (kpis._stock_reads): those opened lately from the first
    # index; the open ones counted per branch and manager from the second alone, in its order;
    # those closed lately from the third (migrations 0017 and 0018). Partial, so no query
    # asking for open customers mistakes a closing-day index for a selective one.
    __table_args__ = (
        Index(
            "ix_customers_stock",
            "opened_on",
            "closed_on",
            "home_branch_id",
            "tier",
            "manager_id",
        ),
        *open_and_closed_indexes("customers", CUSTOMER_STOCK_COLUMNS),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_no: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(40), index=True)
    birth_date: Mapped[dt.date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(1))
    occupation: Mapped[str] = mapped_column(String(30))
    region: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))
    phone_last4: Mapped[str] = mapped_column(String(4), index=True)
    email: Mapped[str | None] = mapped_column(String(80))
    tier: Mapped[str] = mapped_column(String(10))
    home_branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), index=True)
    consent_dm: Mapped[bool] = mapped_column(Boolean)
    consent_tm: Mapped[bool] = mapped_column(Boolean)
    consent_email: Mapped[bool] = mapped_column(Boolean)
    preferred_channel: Mapped[str] = mapped_column(String(10))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)


class BranchTransfer(Base):
    """A customer's move between home branches; the record and its history stay one."""

    __tablename__ = "branch_transfers"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    from_branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    to_branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    transferred_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(60))


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    fund_type: Mapped[str] = mapped_column(String(20))
    risk_grade: Mapped[int] = mapped_column(SmallInteger)
    term_months: Mapped[int | None] = mapped_column(SmallInteger)
    launched_on: Mapped[dt.date] = mapped_column(Date)


class Account(Base):
    """One holding of one fund by one customer; `market_value_krw` is today's value."""

    __tablename__ = "accounts"
    # Covering, for the KPI snapshot's AUM (kpis._stock_reads): accounts opened lately from
    # the first, the open ones summed per booking branch in the second's order, those closed
    # lately from the third (migrations 0017 and 0018); partial as the customers' ones.
    __table_args__ = (
        Index("ix_accounts_stock", "opened_on", "closed_on", "branch_id", "market_value_krw"),
        *open_and_closed_indexes("accounts", ACCOUNT_STOCK_COLUMNS),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_no: Mapped[str] = mapped_column(String(16), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    maturity_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    principal_krw: Mapped[int] = mapped_column(BigInteger)
    market_value_krw: Mapped[int] = mapped_column(BigInteger)


class Transaction(Base):
    __tablename__ = "transactions"
    __table_args__ = (
        Index("ix_transactions_account_id_occurred_at", "account_id", "occurred_at"),
        Index("ix_transactions_customer_id_occurred_at", "customer_id", "occurred_at"),
        # Covering: the KPI snapshot's flows by day read the index alone (migration 0010).
        Index(
            "ix_transactions_occurred_at_flows",
            "occurred_at",
            "account_id",
            "kind",
            "amount_krw",
            "channel",
        ),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(12))
    amount_krw: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(8))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))
    performed_by: Mapped[str] = mapped_column(String(8))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    if TYPE_CHECKING:
        # Mapped at the end of this module, as the last column (the import's key).
        external_id: Mapped[str | None]


class Consultation(Base):
    """A consultation note; append-only, a correction is a new row pointing at the old one."""

    __tablename__ = "consultations"
    __table_args__ = (
        Index("ix_consultations_customer_id_occurred_at", "customer_id", "occurred_at"),
        Index("ix_consultations_employee_id_occurred_at", "employee_id", "occurred_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    channel: Mapped[str] = mapped_column(String(8))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20))
    is_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id"))


class LifeEvent(Base):
    """A yearly date worth a call: birthday, wedding anniversary, account anniversary."""

    __tablename__ = "life_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    event_date: Mapped[dt.date] = mapped_column(Date)


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_customer_id_resolved_at", "customer_id", "resolved_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(500))
    raised_by: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolution_note: Mapped[str | None] = mapped_column(String(500))


class UsageEvent(Base):
    """One action of one employee in the console (view, search, note, export, ...)."""

    __tablename__ = "usage_events"
    __table_args__ = (
        Index("ix_usage_events_employee_id_occurred_at", "employee_id", "occurred_at"),
        Index("ix_usage_events_occurred_at", "occurred_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    action: Mapped[str] = mapped_column(String(20))
    page: Mapped[str] = mapped_column(String(30))
    target: Mapped[str | None] = mapped_column(String(40))


class TrainingCourse(Base):
    __tablename__ = "training_courses"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    title_ko: Mapped[str] = mapped_column(String(100))
    title_en: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    certification_months: Mapped[int | None] = mapped_column(SmallInteger)
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False)


class TrainingSession(Base):
    __tablename__ = "training_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"), index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(60))
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("session_id", "employee_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    enrolled_on: Mapped[dt.date] = mapped_column(Date)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    score: Mapped[int | None] = mapped_column(SmallInteger)
    certified_on: Mapped[dt.date | None] = mapped_column(Date)
    certification_expires_on: Mapped[dt.date | None] = mapped_column(Date)


class AuditRecord(Base):
    """Append-only; each row's hash covers the previous row's hash, so edits are detectable."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_user_id_occurred_at", "user_id", "occurred_at"),
        # The admin's trail search (data_access/audit.py search_trail), newest first.
        Index("ix_audit_log_username_occurred_at", "username", "occurred_at"),
        Index("ix_audit_log_action_occurred_at", "action", "occurred_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(30))
    target_kind: Mapped[str | None] = mapped_column(String(20))
    target_id: Mapped[str | None] = mapped_column(String(40), index=True)
    detail: Mapped[str | None] = mapped_column(Text)
    client: Mapped[str | None] = mapped_column(String(60))
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # How row_hash was computed (security.audit_row_hash); rows from before 0011 are 1.
    hash_version: Mapped[int] = mapped_column(SmallInteger, server_default="1")


class JobRun(Base):
    """One run of one job for one business date; the unique key stops double work."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "business_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    business_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    duration_s: Mapped[float | None]
    rows: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    # A running build renews this every few seconds (job_runs.CLAIM_RENEW_EVERY); once it has
    # passed, the builder is dead. None: claimed before migration 0011, by a build that never
    # renews.
    claim_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Setting(Base):
    """Small facts about this database, e.g. that it holds demo data and as of which date."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- Morning agenda (issue #5) ---------------------------------------------------------------

# The agenda build reads the last weeks of transactions (time, customer, kind, amount) out of
# tens of millions: covering those columns keeps it to one index range scan instead of one
# random table lookup per row (13 s against 2 s of CPU at 20 million rows on SQLite).
Index(
    "ix_transactions_agenda_window",
    Transaction.occurred_at,
    Transaction.customer_id,
    Transaction.kind,
    Transaction.amount_krw,
)


class AgendaRule(Base):
    """One agenda rule as data; `params` is the kind's spec, validated in data_access.agenda.

    Admins edit rules without a deploy; every change bumps `version` and is audited with the
    rule as it was and as it became. Rules are switched off, never deleted, so the items they
    made keep their reason.
    """

    __tablename__ = "agenda_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name_ko: Mapped[str] = mapped_column(String(60), unique=True)
    name_en: Mapped[str] = mapped_column(String(60), unique=True)
    priority: Mapped[int] = mapped_column(SmallInteger)
    tiers: Mapped[list[str]] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AgendaItem(Base):
    """One thing a rep should do on `business_date` for one customer, and why (`facts`).

    Keyed by (business_date, rule_id, customer_id): a rule lists a customer once a day, and a
    rebuild finds the worked items it must keep by that key. `facts` is JSON with the numbers
    behind the reason (dates, days, amounts in KRW); the console words it in the reader's
    language. Items still `open` are replaced by a rebuild; worked ones (done, snoozed,
    unreachable) stay. A rebuild writes some 100,000 rows at full scale, so every index here
    earns its place: the rep's list, the branch's completion, and the few worked items an
    agenda build looks back on (a partial index that open items never touch).
    """

    __tablename__ = "agenda_items"
    __table_args__ = (
        Index("ix_agenda_items_business_date_employee_id", "business_date", "employee_id"),
        Index("ix_agenda_items_business_date_branch_id", "business_date", "branch_id"),
        Index(
            "ix_agenda_items_worked_business_date",
            "business_date",
            sqlite_where=text("status <> 'open'"),
            postgresql_where=text("status <> 'open'"),
        ),
        {"sqlite_with_rowid": False},
    )
    business_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("agenda_rules.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))
    priority: Mapped[int] = mapped_column(SmallInteger)
    due_date: Mapped[dt.date] = mapped_column(Date)
    facts: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    snoozed_until: Mapped[dt.date | None] = mapped_column(Date)
    worked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    consultation_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("consultations.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class BusinessHoliday(Base):
    """A day the branches close beyond Korea's public holidays (from the `holidays` package),
    e.g. the firm's founding day; scheduled jobs do not run on it."""

    __tablename__ = "business_holidays"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


# --- KPI snapshots and targets (issue #7) ----------------------------------------------------


class KpiSnapshot(Base):
    """One KPI's value for one business date and scope (the firm, a region or a branch).

    Pages read these rows, never the fact tables: the snapshot job replaces a date's rows in
    one transaction. A null value is a KPI with nothing to measure that day (no DM sent, no
    usage recorded); a date without rows was never snapshotted and shows as a gap.
    """

    __tablename__ = "kpi_snapshots"
    __table_args__ = (
        Index("ix_kpi_snapshots_scope_kind_kpi", "scope_kind", "kpi", "business_date"),
        # One scope's history over a range of days, from the index alone (migration 0019).
        Index(
            "ix_kpi_snapshots_scope_day", "scope_kind", "scope_key", "business_date", "kpi", "value"
        ),
        {"sqlite_with_rowid": False},
    )
    business_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    scope_kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # firm, region, branch
    scope_key: Mapped[str] = mapped_column(String(40), primary_key=True)  # '', region, code
    kpi: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[float | None]


class KpiTarget(Base):
    """The firm's target for one KPI; admins edit it, every change is audited."""

    __tablename__ = "kpi_targets"
    kpi: Mapped[str] = mapped_column(String(40), primary_key=True)
    target: Mapped[float]
    updated_by: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class KpiParameter(Base):
    """A number a KPI formula needs that is data, not code: e.g. the cost of one DM piece."""

    __tablename__ = "kpi_parameters"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[float]
    updated_by: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


# --- Usage aggregates and training (issue #8) ------------------------------------------------


class UsageDaily(Base):
    """One employee's count of one action on one day, built from usage_events by the
    usage-aggregate job, so the usage page reads thousands of rows instead of millions.

    `late_events` counts those at or after 17:00: notes typed in a burst at closing time are
    the trace of a paper contact diary copied into the system.
    """

    __tablename__ = "usage_daily"
    __table_args__ = (Index("ix_usage_daily_branch_id_day", "branch_id", "day"),)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    action: Mapped[str] = mapped_column(String(20), primary_key=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))
    events: Mapped[int] = mapped_column(Integer)
    late_events: Mapped[int] = mapped_column(Integer)


class UsagePersonDay(Base):
    """usage_daily summed per employee and day: the usage page's trends read one row per
    person-day instead of one per action (a year of the firm is 250,000 rows, not 2 million)."""

    __tablename__ = "usage_person_days"
    __table_args__ = (Index("ix_usage_person_days_branch_id_day", "branch_id", "day"),)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))
    actions: Mapped[int] = mapped_column(Integer)
    notes: Mapped[int] = mapped_column(Integer)
    late_notes: Mapped[int] = mapped_column(Integer)


# --- Segments and campaigns (issue #6) -------------------------------------------------------


class Segment(Base):
    """A saved, named customer filter; its specs live in `segment_versions`, never overwritten.

    `branch_id` is the owner's branch when the owner sees one branch only: whoever evaluates
    the segment still sees only the customers of their own scope.
    """

    __tablename__ = "segments"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    owner_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    owner_name: Mapped[str] = mapped_column(String(40))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"))
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class SegmentVersion(Base):
    """One version of a segment's filter spec (validated JSON); campaigns point at one."""

    __tablename__ = "segment_versions"
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    spec: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Campaign(Base):
    """A DM or TM campaign: a reproducible sample of one segment version with a hold-out."""

    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"))
    segment_version: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(2))
    sample_size: Mapped[int] = mapped_column(Integer)
    stratify_by: Mapped[str | None] = mapped_column(String(10))
    control_pct: Mapped[int] = mapped_column(SmallInteger)
    seed: Mapped[int] = mapped_column(BigInteger)
    cost_per_piece_krw: Mapped[int] = mapped_column(BigInteger)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    eligible: Mapped[int] = mapped_column(Integer)
    started_on: Mapped[dt.date] = mapped_column(Date)
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    features_built_at: Mapped[dt.datetime] = mapped_column(DateTime)


class CampaignTarget(Base):
    """One drawn customer: in the `contact` arm (mailed or called) or the `control` hold-out."""

    __tablename__ = "campaign_targets"
    __table_args__ = (
        Index("ix_campaign_targets_employee_id_outcome", "employee_id", "outcome"),
        Index("ix_campaign_targets_customer_id", "customer_id"),
        # The campaigns reaching a branch manager's branch (data_access/campaigns.py).
        Index("ix_campaign_targets_branch_id_campaign_id", "branch_id", "campaign_id"),
    )
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    arm: Mapped[str] = mapped_column(String(8))
    stratum: Mapped[str] = mapped_column(String(40))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    outcome: Mapped[str | None] = mapped_column(String(12))
    outcome_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    recorded_by: Mapped[str | None] = mapped_column(String(40))
    consultation_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("consultations.id"))


# --- Imports and user administration (issue #11) ---------------------------------------------

# Transactions had no key of their own outside this database: an import names each one by the
# source system's id, so re-importing a file finds the rows it loaded before. Partial, because
# the tens of millions of rows made here (demo data, the console) have none.
Transaction.external_id = mapped_column(String(40))
Index(
    "ix_transactions_external_id",
    Transaction.external_id,
    unique=True,
    sqlite_where=text("external_id IS NOT NULL"),
    postgresql_where=text("external_id IS NOT NULL"),
)

# Disabling a user, resetting their password or changing their role ends the sessions they
# have open: the console compares this with the time each session signed in, on every run.
User.sessions_revoked_at = mapped_column(DateTime)


class ImportRun(Base):
    """One import of one file: who, when, which file (name and SHA-256) and what it did.

    `status` is `loaded` (written, perhaps good rows only) or `refused` (bad rows and nothing
    written). Dry runs write nothing and leave no record.
    """

    __tablename__ = "import_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_bytes: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12))
    good_rows_only: Mapped[bool] = mapped_column(Boolean)
    rows: Mapped[int] = mapped_column(BigInteger)
    inserted: Mapped[int] = mapped_column(BigInteger)
    updated: Mapped[int] = mapped_column(BigInteger)
    unchanged: Mapped[int] = mapped_column(BigInteger)
    rejected: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    duration_s: Mapped[float]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(40))


# --- Security: policy, sessions (issue #9) ---------------------------------------------------

# Single sign-on: the identity provider's e-mail an admin linked to this account, so an OIDC
# sign-in becomes this user (with this user's role and employee) and nobody else.
User.sso_email = mapped_column(String(120))
Index("ix_users_sso_email", User.sso_email, unique=True)


class AccessGrant(Base):
    """An explicit permission an admin gave one user for one action (today: exports).

    The role still bounds the scope; the grant says this person may use it. Revoking keeps the
    row (with who and when), so the history of who could export stays readable.
    """

    __tablename__ = "access_grants"
    __table_args__ = (Index("ix_access_grants_user_id_action", "user_id", "action"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(String(200))
    granted_by: Mapped[str] = mapped_column(String(40))
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(40))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# --- Sign-in throttling (issue #18) ----------------------------------------------------------


class SignInAddress(Base):
    """Failed sign-ins from one client address, whatever names were tried: the limit on
    spraying guesses over many accounts from one place (data_access/security.py).

    In the database, not in a process, so every console replica counts the same failures.
    `wait_until` is when the address may try again once it failed too often; it grows with
    each further failure.
    """

    __tablename__ = "sign_in_addresses"
    client: Mapped[str] = mapped_column(String(60), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    wait_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


class KnownSignInClient(Base):
    """An address a user signed in from with the right password. A lock that strangers' failed
    guesses put on the account does not hold there, so nobody can lock a person out of the
    desk they work at."""

    __tablename__ = "known_sign_in_clients"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    client: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_signed_in_at: Mapped[dt.datetime] = mapped_column(DateTime)


# --- Consent and contact suppression (issue #22) ---------------------------------------------


class ConsentEvent(Base):
    """A consent given or withdrawn for one purpose over one channel; rows are only appended.

    The customer's marketing booleans (`consent_dm`, `consent_tm`, `consent_email`) stay the
    current state that segments, campaigns and the agenda read; data_access/consent.py changes
    them only together with an event here, so the history explains every change after 0013.
    """

    __tablename__ = "consent_events"
    __table_args__ = (Index("ix_consent_events_customer_id_id", "customer_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    purpose: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    given: Mapped[bool] = mapped_column(Boolean)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(20))
    recorded_by: Mapped[str] = mapped_column(String(40))


class DoNotCallNumber(Base):
    """A phone number nobody may call: the finance sector's do-not-call list (두낫콜) or an
    in-house opt-out. Digits only (`customers.PHONE_NUMBER`), so a match ignores dashes.
    Loaded by the `do_not_call` import, whose runs (import_runs) say when each list came."""

    __tablename__ = "do_not_call_numbers"
    phone: Mapped[str] = mapped_column(String(11), primary_key=True)
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    registered_on: Mapped[dt.date] = mapped_column(Date)


class ContactSetting(Base):
    """A number the contact rules need that is data, not code: the hours calls are allowed."""

    __tablename__ = "contact_settings"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[float]
    updated_by: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


# --- Complaints (민원) and their handling (issue #22) -----------------------------------------


class Complaint(Base):
    """One complaint case (민원): who complained about what, through which channel, and by
    when it must be answered. `deadline_on` is `received_on` plus the firm's business days
    (data_access.core.complaint_rules); `branch_id` is the customer's home branch at receipt,
    whose staff work the case; compliance closes it with a resolution."""

    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_status_deadline_on", "status", "deadline_on"),
        Index("ix_complaints_branch_id_received_on", "branch_id", "received_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    category: Mapped[str] = mapped_column(String(20))  # mis_selling, fees, service, system, other
    channel: Mapped[str] = mapped_column(String(20))  # visit, phone, letter, regulator, website
    source: Mapped[str] = mapped_column(String(20))  # customer, regulator, happy_call
    received_on: Mapped[dt.date] = mapped_column(Date)
    deadline_on: Mapped[dt.date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    status: Mapped[str] = mapped_column(String(12))  # open, in_progress, closed
    resolution: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(40))
    opened_by: Mapped[str] = mapped_column(String(40))
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ComplaintEvent(Base):
    """What happened to a case, in order (opened, assigned, a progress note, closed): only
    ever appended, so the case's history is what the people handling it did."""

    __tablename__ = "complaint_events"
    __table_args__ = (Index("ix_complaint_events_complaint_id_id", "complaint_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"))
    kind: Mapped[str] = mapped_column(String(12))  # opened, assigned, note, closed
    status: Mapped[str] = mapped_column(String(12))  # the case's status after the event
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ComplaintSetting(Base):
    """A number the complaint rules use that an administrator changed from its default (the
    business days a case may take, the days before its deadline a case counts as near)."""

    __tablename__ = "complaint_settings"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[float]
    updated_by: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


# --- Sales conduct: investment profiles, sales with their suitability, happy calls (#22) ---


class InvestmentProfile(Base):
    """A customer's assessed risk tolerance (투자성향), on the products' scale: grade 1 bears
    very high risk .. 6 very low risk; a product of grade g suits a profile of grade p when
    g >= p. Rows are only appended: the profile of a sale is the one it points at."""

    __tablename__ = "investment_profiles"
    __table_args__ = (
        Index("ix_investment_profiles_customer_id_assessed_on", "customer_id", "assessed_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    risk_tolerance_grade: Mapped[int] = mapped_column(SmallInteger)
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    confirmed_by: Mapped[str] = mapped_column(String(10))  # signature, seal, recording
    confirmation_ref: Mapped[str | None] = mapped_column(String(60))
    recorded_by: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class FundSale(Base):
    """One subscription of a fund with the suitability record kept at the sale (적합성 원칙):
    the profile in force, both grades, whether it suited, and for an unsuitable sale or a
    customer aged 65 or over the recording and the end of the cooling-off period."""

    __tablename__ = "fund_sales"
    __table_args__ = (
        Index("ix_fund_sales_customer_id_sold_on", "customer_id", "sold_on"),
        Index("ix_fund_sales_sold_on_branch_id", "sold_on", "branch_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    transaction_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("transactions.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    sold_on: Mapped[dt.date] = mapped_column(Date)
    amount_krw: Mapped[int] = mapped_column(BigInteger)
    profile_id: Mapped[int] = mapped_column(ForeignKey("investment_profiles.id"))
    customer_grade: Mapped[int] = mapped_column(SmallInteger)
    product_risk_grade: Mapped[int] = mapped_column(SmallInteger)
    customer_age: Mapped[int] = mapped_column(SmallInteger)
    suitable: Mapped[bool] = mapped_column(Boolean)
    recording_ref: Mapped[str | None] = mapped_column(String(60))
    cooling_off_ends_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)


class HappyCall(Base):
    """The follow-up call (해피콜) a qualifying sale is owed: due by `due_on`, a reminder
    message planned on `reminder_on`, worked by `responsible_id` until an outcome closes it.
    `complaint_case_id` is the case a suspected mis-sale opened."""

    __tablename__ = "happy_calls"
    __table_args__ = (
        Index("ix_happy_calls_status_due_on", "status", "due_on"),
        Index("ix_happy_calls_responsible_id_status", "responsible_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("fund_sales.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    responsible_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    reasons: Mapped[str] = mapped_column(String(60))  # high_risk, aged, unsuitable; by commas
    due_on: Mapped[dt.date] = mapped_column(Date)
    reminder_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))  # open, understood, complaint, unreachable
    tries: Mapped[int] = mapped_column(SmallInteger, default=0)
    outcome_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(String(500))
    mis_selling_suspected: Mapped[bool] = mapped_column(Boolean, default=False)
    complaint_case_id: Mapped[int | None] = mapped_column(Integer)


class ConductSetting(Base):
    """A number the sales-conduct rules use that an administrator changed from its default
    (the defaults and their meanings live in data_access.conduct)."""

    __tablename__ = "conduct_settings"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[float]
    updated_by: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


# --- Retention schedule, legal holds and access requests (issue #22) -------------------------


class RetentionRule(Base):
    """How long one kind of record is kept: a row an administrator edits, never code.

    A record is due for disposal once `years` have passed since its `clock_column` (a null date,
    such as an account still open, never starts the clock). `customer_column` names the
    customer a record belongs to, so a legal hold on that customer keeps it; `minimum_years` is
    the floor the law sets, below which `years` cannot go. `disposable` is false for a kind
    that is listed but never deleted (the audit trail: see data_access/retention).
    """

    __tablename__ = "retention_rules"
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40))
    clock_column: Mapped[str] = mapped_column(String(40))
    customer_column: Mapped[str | None] = mapped_column(String(40))
    basis: Mapped[str] = mapped_column(String(20))
    years: Mapped[int] = mapped_column(SmallInteger)
    minimum_years: Mapped[int] = mapped_column(SmallInteger)
    disposable: Mapped[bool] = mapped_column(Boolean)
    updated_by: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class LegalHold(Base):
    """Records that must not be disposed of whatever their age: one customer's, or a whole kind's
    (a dispute, an inspection, litigation). Lifting keeps the row, with who and when."""

    __tablename__ = "legal_holds"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str | None] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(String(200))
    placed_by: Mapped[str] = mapped_column(String(40))
    placed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    lifted_by: Mapped[str | None] = mapped_column(String(40))
    lifted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AccessRequest(Base):
    """A customer's request to see the records the firm keeps about them (개인정보 열람 요구).

    `deadline_on` is `received_on` plus the firm's number of business days; `branch_id` is the
    customer's home branch when the request came, whose manager answers it.
    """

    __tablename__ = "access_requests"
    __table_args__ = (Index("ix_access_requests_status_deadline_on", "status", "deadline_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    received_on: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(10))
    deadline_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    recorded_by: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    fulfilled_by: Mapped[str | None] = mapped_column(String(40))
    fulfilled_on: Mapped[dt.date | None] = mapped_column(Date)


class RetentionSetting(Base):
    """A number the retention and access-request rules need that is data, not code (the
    business days an access request may take); the defaults live in data_access/retention."""

    __tablename__ = "retention_settings"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[float]
    updated_by: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
