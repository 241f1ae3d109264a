"""One customer: search, the 360 view, consultation notes, alerts and behavioural cues.

Any employee may serve any customer (the shared record is the point of the system), so reading
one record is open to every customer-facing role; full contact details are shown only to those
who answer for the customer. Every read of a record, every search and every write leaves an
audit record and a usage event in the same unit of work as the action itself.

All queries here are indexed point queries on one customer (or, for search, on one key), so
they stay fast at 2.6 million customers; the small frames they return are shaped in polars.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import typing
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Connection,
    CursorResult,
    Integer,
    Row,
    Select,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased

from data_access import segments
from data_access.core.db import (
    AnySelect,
    read_frame,
    reads_before_write,
    unit_of_work,
)
from data_access.core.errors import (
    AccessDenied,
    NotFound,
    Refused,
)
from data_access.core.masking import (
    mask_address,
    mask_email,
    mask_phone,
)
from data_access.core.models import (
    ALERT_KINDS,
    ALERT_SEVERITIES,
    CONSULTATION_CHANNELS,
    CONSULTATION_OUTCOMES,
    INFLOW_KINDS,
    OUTFLOW_KINDS,
    Account,
    Alert,
    Branch,
    BranchTransfer,
    Consultation,
    Customer,
    Employee,
    LifeEvent,
    Product,
    Transaction,
)
from data_access.core.policy import (
    Action,
    reaches_customer,
    require,
    roles_permitted,
)
from data_access.core.security import (
    SignedInUser,
    audit_as,
    now_seoul,
)
from data_access.usage import (
    UsageAction,
    record_usage,
)

PAGE = "customer"
SEARCH_LIMIT = 50
QUERY_MAX_CHARS = 40
PARTIAL_MIN_CHARS = 2
# SQLite allows 500 SELECTs in one UNION; Korea has about 300 surnames in use.
SURNAMES_PER_STATEMENT = 250
# Sorts after every Hangul syllable and Latin letter: `name < prefix + HIGHEST` ends a prefix
# range in binary (SQLite) and C (PostgreSQL) collation, so the name index serves it.
HIGHEST_CHARACTER = "\uffff"
CUSTOMER_NO = re.compile(r"[0-9]{1,12}")
PHONE_NUMBER = re.compile(r"0[0-9]{8,10}")
DIGITS = re.compile(r"[0-9]+")
WHITESPACE = re.compile(r"\s+")

NOTE_MAX_CHARS = 4_000
ALERT_TEXT_MAX_CHARS = 500

BRANCH_CHANNEL = "branch"
OWNER = "owner"  # any other `performed_by` is someone acting for the owner
PERFORMERS = (OWNER, "proxy")

MATURITY_SOON_DAYS = 30
LIFE_EVENT_HORIZON_DAYS = 60
TIMELINE_MONTHS = 36
RECENT_TRANSACTIONS = 50
CONSULTATION_LIMIT = 200

# Behavioural cues: thresholds from issue #4.
CUE_WINDOW_DAYS = 90
HABIT_MIN_TRANSACTIONS = 5
DORMANT_DAYS = 365
DORMANT_SHARE = 0.5

# Roles that work with individual customers; trainers and administrators do not.
CUSTOMER_ROLES = roles_permitted(Action.CUSTOMER_READ)


# Why someone opens a customer they do not answer for; "other" is explained in words.
VIEW_REASONS = (
    "customer_request",
    "colleague_cover",
    "alert_check",
    "complaint",
    "supervision",
    "other",
)
VIEW_REASON_TEXT_MAX_CHARS = 200


class ViewReasonRequired(AccessDenied):
    """The customer is outside the ones the user answers for: the view states a reason first
    (the page asks for one instead of refusing)."""


@dataclass(frozen=True, slots=True)
class ViewReason:
    """Why a user opens a customer outside their own book or branch: a code of
    VIEW_REASONS and optional words (required for "other"), kept in the view's audit row.

    Korean privacy law (PIPC) asks that personal data be read for a purpose; for the
    customers someone answers for the purpose is their work, elsewhere they state it.
    """

    code: str
    text: str = ""

    def __post_init__(self) -> None:
        if self.code not in VIEW_REASONS:
            raise Refused("view_reason_rejected_unknown")
        words = self.text.strip()
        if self.code == "other" and not words:
            raise Refused("view_reason_rejected_needs_text")
        if len(words) > VIEW_REASON_TEXT_MAX_CHARS:
            raise Refused("view_reason_rejected_too_long", limit=VIEW_REASON_TEXT_MAX_CHARS)
        object.__setattr__(self, "text", words)

    def as_detail(self) -> dict[str, str]:
        return {"reason": self.code} | ({"reason_text": self.text} if self.text else {})


class FlagKind(enum.StrEnum):
    PROXY_AFTER_ALONE = "proxy_after_alone"
    DORMANT_WITHDRAWAL = "dormant_withdrawal"
    NEW_BRANCH = "new_branch"


FLAG_SEVERITY = {
    FlagKind.PROXY_AFTER_ALONE: "critical",
    FlagKind.DORMANT_WITHDRAWAL: "critical",
    FlagKind.NEW_BRANCH: "warning",
}


@dataclass(frozen=True, slots=True)
class BehaviouralFlag:
    """A cue derived from the transactions, with the numbers that explain it.

    `earlier_transactions` counts the owner's own branch transactions before it
    (proxy_after_alone) or all branch transactions before it (new_branch);
    `dormant_days` and `share_pct` explain a dormant_withdrawal (0 for the other kinds).
    """

    kind: FlagKind
    severity: str
    occurred_at: dt.datetime
    account_no: str
    amount_krw: int
    earlier_transactions: int
    dormant_days: int
    share_pct: int
    branch_ko: str | None
    branch_en: str | None


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    """The header of the 360 page; contact fields are masked unless `contact_visible`."""

    customer_no: str
    name: str
    birth_date: dt.date
    age_years: int
    gender: str
    occupation: str
    region: str
    tier: str
    home_branch_code: str
    home_branch_ko: str
    home_branch_en: str
    manager_name: str | None
    opened_on: dt.date
    closed_on: dt.date | None
    tenure_years: int
    aum_krw: int
    phone: str
    email: str | None
    address: str
    contact_visible: bool
    consent_dm: bool
    consent_tm: bool
    consent_email: bool
    preferred_channel: str


@dataclass(frozen=True, slots=True)
class Customer360:
    """Everything the customer page shows, fetched together as of one day."""

    as_of: dt.date
    profile: CustomerProfile
    open_alerts: pl.DataFrame
    flags: tuple[BehaviouralFlag, ...]
    holdings: pl.DataFrame
    monthly_flows: pl.DataFrame
    recent_transactions: pl.DataFrame
    consultations: pl.DataFrame
    upcoming_events: pl.DataFrame
    transfers: pl.DataFrame


SEARCH_SCHEMA: dict[str, Any] = {
    "customer_no": pl.String,
    "name": pl.String,
    "birth_year": pl.Int32,
    "tier": pl.String,
    "branch_ko": pl.String,
    "branch_en": pl.String,
    "phone_masked": pl.String,
    "is_closed": pl.Boolean,
    "closed_on": pl.Date,
    "matched_by": pl.String,
}
# What the search look-ups read; every column typed, so frames of different look-ups concat.
SEARCH_READ_SCHEMA: dict[str, Any] = {
    "customer_no": pl.String,
    "name": pl.String,
    "birth_date": pl.Date,
    "tier": pl.String,
    "branch_ko": pl.String,
    "branch_en": pl.String,
    "phone": pl.String,
    "phone_last4": pl.String,
    "closed_on": pl.Date,
    "matched_by": pl.String,
    "rank": pl.Int64,
}
ALERT_SCHEMA: dict[str, Any] = {
    "alert_id": pl.Int64,
    "kind": pl.String,
    "severity": pl.String,
    "text": pl.String,
    "raised_by": pl.String,
    "raised_at": pl.Datetime("us"),
}
HOLDING_SCHEMA: dict[str, Any] = {
    "account_no": pl.String,
    "product": pl.String,
    "fund_type": pl.String,
    "risk_grade": pl.Int64,
    "opened_on": pl.Date,
    "maturity_date": pl.Date,
    "principal_krw": pl.Int64,
    "market_value_krw": pl.Int64,
}
FLOW_SCHEMA: dict[str, Any] = {
    "year": pl.Int32,
    "month": pl.Int32,
    "inflow_krw": pl.Int64,
    "outflow_krw": pl.Int64,
    "transactions": pl.Int64,
}
TRANSACTION_SCHEMA: dict[str, Any] = {
    "occurred_at": pl.Datetime("us"),
    "account_no": pl.String,
    "product": pl.String,
    "kind": pl.String,
    "amount_krw": pl.Int64,
    "channel": pl.String,
    "branch_ko": pl.String,
    "branch_en": pl.String,
    "performed_by": pl.String,
    "employee": pl.String,
}
CONSULTATION_SCHEMA: dict[str, Any] = {
    "consultation_id": pl.Int64,
    "occurred_at": pl.Datetime("us"),
    "channel": pl.String,
    "employee": pl.String,
    "branch_ko": pl.String,
    "branch_en": pl.String,
    "outcome": pl.String,
    "note": pl.String,
    "is_sensitive": pl.Boolean,
    "corrects_id": pl.Int64,
}
EVENT_SCHEMA: dict[str, Any] = {
    "kind": pl.String,
    "event_date": pl.Date,
    "next_on": pl.Date,
    "days_until": pl.Int64,
    "years": pl.Int64,
}
TRANSFER_SCHEMA: dict[str, Any] = {
    "transferred_on": pl.Date,
    "from_ko": pl.String,
    "from_en": pl.String,
    "to_ko": pl.String,
    "to_en": pl.String,
    "reason": pl.String,
}
CUE_SCHEMA: dict[str, Any] = {
    "occurred_at": pl.Datetime("us"),
    "account_id": pl.Int64,
    "account_no": pl.String,
    "account_opened_on": pl.Date,
    "market_value_krw": pl.Int64,
    "kind": pl.String,
    "amount_krw": pl.Int64,
    "channel": pl.String,
    "performed_by": pl.String,
    "branch_id": pl.Int64,
    "branch_ko": pl.String,
    "branch_en": pl.String,
    "previous_on_account_at": pl.Datetime("us"),
    "earlier_proxy": pl.Int64,
    "earlier_owner_at_branch": pl.Int64,
    "earlier_at_branch": pl.Int64,
    "earlier_at_same_branch": pl.Int64,
}


# --- scope and masking -------------------------------------------------------------------


def _require_reader(user: SignedInUser) -> None:
    require(user, Action.CUSTOMER_READ)


def _require_writer(user: SignedInUser) -> None:
    require(user, Action.CUSTOMER_WRITE)
    if user.employee_id is None:
        # A note or an alert is signed by an employee; an administrator account is none.
        raise AccessDenied("write_refused")


def sees_contact_details(
    user: SignedInUser, *, home_branch_id: int, manager_id: int | None
) -> bool:
    """Whether `user` answers for the customer: firm-wide role, own branch (manager), own book.

    The masking itself lives in data_access/masking.py (re-exported here for the pages).
    """
    return reaches_customer(
        user, Action.CONTACT_READ, home_branch_id=home_branch_id, manager_id=manager_id
    )


def view_needs_reason(user: SignedInUser, *, home_branch_id: int, manager_id: int | None) -> bool:
    """Whether opening the customer asks `user` to state why: the customer is outside the
    ones they answer for (their book, their branch; head office answers for the firm), the
    same line beyond which contact details are masked."""
    return not sees_contact_details(user, home_branch_id=home_branch_id, manager_id=manager_id)


def reads_sensitive_notes(
    user: SignedInUser, *, home_branch_id: int, manager_id: int | None
) -> bool:
    """Whether `user` may read the text of the customer's notes flagged sensitive."""
    return reaches_customer(
        user, Action.SENSITIVE_NOTE_READ, home_branch_id=home_branch_id, manager_id=manager_id
    )


# --- finding a customer -------------------------------------------------------------------


# A customer's id, customer_no, home_branch_id and manager_id: what the policy checks need.
CustomerRow = Row[int, str, int, int | None]


def _customer_row(conn: Connection, customer_no: str) -> CustomerRow:
    number = customer_no.strip()
    if not CUSTOMER_NO.fullmatch(number):
        raise NotFound("customer_malformed", number=customer_no[:20])
    row = conn.execute(
        select(
            Customer.id, Customer.customer_no, Customer.home_branch_id, Customer.manager_id
        ).where(Customer.customer_no == number)
    ).one_or_none()
    if row is None:
        raise NotFound("customer_not_found", number=number)
    return row


def _search_select(condition: ColumnElement[bool], matched_by: str, rank: int) -> AnySelect:
    return (
        select(
            Customer.customer_no,
            Customer.name,
            Customer.birth_date,
            Customer.tier,
            Branch.name_ko.label("branch_ko"),
            Branch.name_en.label("branch_en"),
            Customer.phone,
            Customer.phone_last4,
            Customer.closed_on,
            literal(matched_by).label("matched_by"),
            literal(rank).label("rank"),
        )
        .join(Branch, Branch.id == Customer.home_branch_id)
        .where(condition)
    )


def _name_prefix(prefix: str) -> ColumnElement[bool]:
    return and_(Customer.name >= prefix, Customer.name < prefix + HIGHEST_CHARACTER)


def _search_statements(text: str, limit: int) -> tuple[str, list[Select[Any]]]:
    """The query kind (for the audit trail) and the look-ups to run, best match first."""
    by_account = _search_select(
        Customer.id.in_(select(Account.customer_id).where(Account.account_no == text.upper())),
        "account_no",
        1,
    )
    digits = text.replace("-", "")
    if DIGITS.fullmatch(digits):
        by_number = _search_select(Customer.customer_no == digits, "customer_no", 0)
        if len(digits) == 4:
            by_phone = Customer.phone_last4 == digits
        elif PHONE_NUMBER.fullmatch(digits):
            by_phone = and_(
                Customer.phone_last4 == digits[-4:],
                func.replace(Customer.phone, "-", "") == digits,
            )
        else:
            return "number", [by_number, by_account]
        phone = _search_select(by_phone, "phone", 2).order_by(Customer.name).limit(limit)
        return "phone", [by_number, by_account, phone]
    if any(character.isdigit() for character in text):
        return "number", [by_account]  # account numbers carry a letter: A30000000001
    # Ordered by the indexed column alone, so the scan stops after `limit` rows.
    prefix = _search_select(_name_prefix(text), "name_prefix", 3).order_by(Customer.name)
    return "name", [prefix.limit(limit)]


def search_customers(
    conn: Connection, user: SignedInUser, query: str, *, limit: int = SEARCH_LIMIT
) -> pl.DataFrame:
    """Customers matching a customer number, account number, phone or name, best first.

    Ranking: open customers before closed ones, then exact customer number, exact account
    number, phone (last four digits or the whole number), names starting with the text, then
    names containing it. Containing is looked up only for two characters or more and while
    fewer than `limit` were found. Phones are masked and e-mail and address left out for every
    role. The search is audited by its kind (number, phone, name), not its text.
    """
    _require_reader(user)
    text = WHITESPACE.sub("", query)  # names, numbers and phones never hold a space
    if not text or len(text) > QUERY_MAX_CHARS:
        return pl.DataFrame(schema=SEARCH_SCHEMA)
    kind, statements = _search_statements(text, limit)
    with reads_before_write(conn):
        found = pl.concat([read_frame(conn, stmt, SEARCH_READ_SCHEMA) for stmt in statements])
        if kind == "name" and len(text) >= PARTIAL_MIN_CHARS and found.height < limit:
            found = pl.concat([found, _given_name_matches(conn, text, limit - found.height)])
            if found.is_empty():
                found = _infix_matches(conn, text, limit)
    results = _search_frame(found, limit)
    with unit_of_work(conn) as session:
        _audit(session, user, "customer_search", None, {"kind": kind, "results": results.height})
        record_usage(session, user, UsageAction.SEARCH, PAGE, target=kind)
    return results


def _name_initials() -> CTE:
    """The distinct first letters of customer names (a few hundred Korean surnames).

    It hops through the name index, one seek per letter, instead of reading every name.
    """
    initials = select(func.substr(func.min(Customer.name), 1, 1).label("initial")).cte(
        "initials", recursive=True
    )
    later = aliased(Customer)
    next_initial = (
        select(func.substr(later.name, 1, 1))
        .where(later.name >= initials.c.initial + HIGHEST_CHARACTER)
        .order_by(later.name)
        .limit(1)
        .scalar_subquery()
    )
    return initials.union_all(select(next_initial).where(initials.c.initial.is_not(None)))


def _given_name_matches(conn: Connection, text: str, limit: int) -> pl.DataFrame:
    """Names whose second letter on starts with `text`: a Korean name is a one-letter
    surname and a given name, so this is the search for a given name, answered by one index
    range per surname instead of a scan of 2.6 million names.

    Each range is its own SELECT with its bounds as plain values: both databases then read it
    from the name index (a join to the surnames, or one OR of the ranges, made one of them
    misjudge the ranges and scan the table).
    """
    initials: list[str] = [
        row.initial for row in conn.execute(select(_name_initials())) if row.initial
    ]
    found = [pl.DataFrame(schema=SEARCH_READ_SCHEMA)]
    for start in range(0, len(initials), SURNAMES_PER_STATEMENT):
        ranges = [
            select(Customer.id).where(_name_prefix(initial + text)).limit(limit).subquery()
            for initial in initials[start : start + SURNAMES_PER_STATEMENT]
        ]
        matching = union_all(*(select(each.c.id) for each in ranges)).limit(limit)
        stmt = _search_select(Customer.id.in_(matching), "name_partial", 4)
        found.append(read_frame(conn, stmt, SEARCH_READ_SCHEMA))
        if sum(frame.height for frame in found) >= limit:
            break
    return pl.concat(found)


def _infix_matches(conn: Connection, text: str, limit: int) -> pl.DataFrame:
    """Names containing `text` anywhere: a scan of the name index (about a quarter of a
    second at 2.6 million on SQLite), so only the last resort when nothing else matched."""
    containing = (
        select(Customer.id).where(Customer.name.contains(text, autoescape=True)).limit(limit)
    )
    stmt = _search_select(Customer.id.in_(containing), "name_partial", 4)
    return read_frame(conn, stmt, SEARCH_READ_SCHEMA)


def _search_frame(found: pl.DataFrame, limit: int) -> pl.DataFrame:
    if found.is_empty():
        return pl.DataFrame(schema=SEARCH_SCHEMA)
    # A closed customer is rarely the one sought: open ones first, then by how well each matched.
    return (
        found.sort(pl.col("closed_on").is_not_null(), "rank", "name", "customer_no")
        .unique("customer_no", keep="first", maintain_order=True)
        .head(limit)
        .select(
            "customer_no",
            "name",
            pl.col("birth_date").dt.year().cast(pl.Int32).alias("birth_year"),
            "tier",
            "branch_ko",
            "branch_en",
            (pl.col("phone").str.slice(0, 3) + "-****-" + pl.col("phone_last4")).alias(
                "phone_masked"
            ),
            pl.col("closed_on").is_not_null().alias("is_closed"),
            "closed_on",
            "matched_by",
        )
        .with_columns(pl.col(name).cast(dtype) for name, dtype in SEARCH_SCHEMA.items())
    )


# --- the 360 view -------------------------------------------------------------------------


def customer_360(
    conn: Connection, user: SignedInUser, customer_no: str, *, as_of: dt.date
) -> Customer360:
    """Every section of the customer page for `customer_no`, as of the day `as_of`.

    Reading does not audit; the page calls `record_customer_view` once per view.
    """
    _require_reader(user)
    customer = _customer_row(conn, customer_no)
    profile = _profile(conn, user, customer.id, as_of)
    return Customer360(
        as_of=as_of,
        profile=profile,
        open_alerts=_open_alerts(conn, customer.id),
        flags=_derived_flags(conn, customer.id, as_of),
        holdings=_holdings(conn, customer.id, as_of),
        monthly_flows=_monthly_flows(conn, customer.id, as_of),
        recent_transactions=_recent_transactions(conn, customer.id, as_of),
        consultations=_consultations(
            conn,
            customer.id,
            show_sensitive=reads_sensitive_notes(
                user, home_branch_id=customer.home_branch_id, manager_id=customer.manager_id
            ),
        ),
        upcoming_events=_upcoming_events(conn, customer.id, as_of),
        transfers=_transfers(conn, customer.id),
    )


def _end_of(day: dt.date) -> dt.datetime:
    """The exclusive upper bound of `day` for timestamp comparisons."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def full_years(since: dt.date, as_of: dt.date) -> int:
    return as_of.year - since.year - ((as_of.month, as_of.day) < (since.month, since.day))


def _profile(
    conn: Connection, user: SignedInUser, customer_id: int, as_of: dt.date
) -> CustomerProfile:
    manager = aliased(Employee)
    aum = (
        select(func.coalesce(func.sum(Account.market_value_krw), 0))
        .where(Account.customer_id == Customer.id, Account.closed_on.is_(None))
        .scalar_subquery()
    )
    row = conn.execute(
        select(
            Customer.customer_no,
            Customer.name,
            Customer.birth_date,
            Customer.gender,
            Customer.occupation,
            Customer.region,
            Customer.address,
            Customer.phone,
            Customer.email,
            Customer.tier,
            Customer.home_branch_id,
            Customer.manager_id,
            Customer.consent_dm,
            Customer.consent_tm,
            Customer.consent_email,
            Customer.preferred_channel,
            Customer.opened_on,
            Customer.closed_on,
            Branch.code.label("branch_code"),
            Branch.name_ko.label("branch_ko"),
            Branch.name_en.label("branch_en"),
            manager.name.label("manager_name"),
            cast(aum, BigInteger).label("aum_krw"),
        )
        .join(Branch, Branch.id == Customer.home_branch_id)
        .outerjoin(manager, manager.id == Customer.manager_id)
        .where(Customer.id == customer_id)
    ).one()
    visible = sees_contact_details(
        user, home_branch_id=row.home_branch_id, manager_id=row.manager_id
    )
    return CustomerProfile(
        customer_no=row.customer_no,
        name=row.name,
        birth_date=row.birth_date,
        age_years=full_years(row.birth_date, as_of),
        gender=row.gender,
        occupation=row.occupation,
        region=row.region,
        tier=row.tier,
        home_branch_code=row.branch_code,
        home_branch_ko=row.branch_ko,
        home_branch_en=row.branch_en,
        manager_name=row.manager_name,
        opened_on=row.opened_on,
        closed_on=row.closed_on,
        tenure_years=full_years(row.opened_on, row.closed_on or as_of),
        aum_krw=int(row.aum_krw),
        phone=row.phone if visible else mask_phone(row.phone),
        email=row.email if visible else mask_email(row.email),
        address=row.address if visible else mask_address(row.address),
        contact_visible=visible,
        consent_dm=row.consent_dm,
        consent_tm=row.consent_tm,
        consent_email=row.consent_email,
        preferred_channel=row.preferred_channel,
    )


def _open_alerts(conn: Connection, customer_id: int) -> pl.DataFrame:
    """Open alerts, critical first, newest first within a severity."""
    severity_order = case(
        (Alert.severity == "critical", 0), (Alert.severity == "warning", 1), else_=2
    )
    stmt = (
        select(
            Alert.id.label("alert_id"),
            Alert.kind,
            Alert.severity,
            Alert.text,
            Employee.name.label("raised_by"),
            Alert.raised_at,
        )
        .outerjoin(Employee, Employee.id == Alert.raised_by)
        .where(Alert.customer_id == customer_id, Alert.resolved_at.is_(None))
        .order_by(severity_order, Alert.raised_at.desc(), Alert.id.desc())
    )
    return read_frame(conn, stmt, ALERT_SCHEMA)


def _holdings(conn: Connection, customer_id: int, as_of: dt.date) -> pl.DataFrame:
    """Open accounts with their gain since opening and days left to maturity."""
    stmt = (
        select(
            Account.account_no,
            Product.name.label("product"),
            Product.fund_type,
            Product.risk_grade,
            Account.opened_on,
            Account.maturity_date,
            Account.principal_krw,
            Account.market_value_krw,
        )
        .join(Product, Product.id == Account.product_id)
        .where(Account.customer_id == customer_id, Account.closed_on.is_(None))
        .order_by(Account.market_value_krw.desc(), Account.account_no)
    )
    days_left = (pl.col("maturity_date") - pl.lit(as_of)).dt.total_days()
    return read_frame(conn, stmt, HOLDING_SCHEMA).with_columns(
        (pl.col("market_value_krw") - pl.col("principal_krw")).alias("gain_krw"),
        pl.when(pl.col("principal_krw") > 0)
        .then((pl.col("market_value_krw") / pl.col("principal_krw") - 1) * 100)
        .round(2)
        .alias("gain_pct"),
        days_left.alias("days_to_maturity"),
        days_left.is_between(0, MATURITY_SOON_DAYS).fill_null(False).alias("matures_soon"),
    )


def _monthly_flows(conn: Connection, customer_id: int, as_of: dt.date) -> pl.DataFrame:
    """Money in and out per calendar month over the last 36 months, summed in SQL."""
    first_month = as_of.replace(day=1)
    months_back = TIMELINE_MONTHS - 1
    year, month = divmod(first_month.year * 12 + first_month.month - 1 - months_back, 12)
    since = dt.datetime(year, month + 1, 1)
    year_of = cast(extract("year", Transaction.occurred_at), Integer)
    month_of = cast(extract("month", Transaction.occurred_at), Integer)

    def total(kinds: tuple[str, ...]) -> ColumnElement[int]:
        amount = case((Transaction.kind.in_(kinds), Transaction.amount_krw), else_=0)
        return cast(func.sum(amount), BigInteger)

    stmt = (
        select(
            year_of.label("year"),
            month_of.label("month"),
            total(INFLOW_KINDS).label("inflow_krw"),
            total(OUTFLOW_KINDS).label("outflow_krw"),
            func.count().label("transactions"),
        )
        .where(
            Transaction.customer_id == customer_id,
            Transaction.occurred_at >= since,
            Transaction.occurred_at < _end_of(as_of),
        )
        .group_by(year_of, month_of)
        .order_by(year_of, month_of)
    )
    flows = read_frame(conn, stmt, FLOW_SCHEMA)
    return flows.select(
        pl.date(pl.col("year"), pl.col("month"), 1).alias("month"),
        "inflow_krw",
        "outflow_krw",
        "transactions",
    )


def _recent_transactions(conn: Connection, customer_id: int, as_of: dt.date) -> pl.DataFrame:
    """The newest transactions up to the end of `as_of`, with where and by whom."""
    stmt = (
        select(
            Transaction.occurred_at,
            Account.account_no,
            Product.name.label("product"),
            Transaction.kind,
            Transaction.amount_krw,
            Transaction.channel,
            Branch.name_ko.label("branch_ko"),
            Branch.name_en.label("branch_en"),
            Transaction.performed_by,
            Employee.name.label("employee"),
        )
        .join(Account, Account.id == Transaction.account_id)
        .join(Product, Product.id == Account.product_id)
        .outerjoin(Branch, Branch.id == Transaction.branch_id)
        .outerjoin(Employee, Employee.id == Transaction.employee_id)
        .where(Transaction.customer_id == customer_id, Transaction.occurred_at < _end_of(as_of))
        .order_by(Transaction.occurred_at.desc(), Transaction.id.desc())
        .limit(RECENT_TRANSACTIONS)
    )
    return read_frame(conn, stmt, TRANSACTION_SCHEMA)


def _consultations(conn: Connection, customer_id: int, *, show_sensitive: bool) -> pl.DataFrame:
    """Notes from every branch, newest first; a sensitive note's text only for its owners."""
    stmt = (
        select(
            Consultation.id.label("consultation_id"),
            Consultation.occurred_at,
            Consultation.channel,
            Employee.name.label("employee"),
            Branch.name_ko.label("branch_ko"),
            Branch.name_en.label("branch_en"),
            Consultation.outcome,
            Consultation.note,
            Consultation.is_sensitive,
            Consultation.corrects_id,
        )
        .join(Employee, Employee.id == Consultation.employee_id)
        .join(Branch, Branch.id == Consultation.branch_id)
        .where(Consultation.customer_id == customer_id)
        .order_by(Consultation.occurred_at.desc(), Consultation.id.desc())
        .limit(CONSULTATION_LIMIT)
    )
    notes = read_frame(conn, stmt, CONSULTATION_SCHEMA)
    corrected_by = (
        notes.filter(pl.col("corrects_id").is_not_null())
        .group_by("corrects_id")
        .agg(pl.col("consultation_id").max().alias("corrected_by_id"))
        .rename({"corrects_id": "consultation_id"})
    )
    hidden = pl.col("is_sensitive") & pl.lit(not show_sensitive)
    return notes.join(
        corrected_by, on="consultation_id", how="left", maintain_order="left"
    ).with_columns(pl.when(hidden).then(None).otherwise(pl.col("note")).alias("note"))


def next_occurrence(event_date: dt.date, on_or_after: dt.date) -> dt.date:
    """The first yearly recurrence of `event_date` on or after `on_or_after`.

    29 February falls on 28 February in years without it.
    """
    for year in (on_or_after.year, on_or_after.year + 1):
        try:
            candidate = event_date.replace(year=year)
        except ValueError:
            candidate = dt.date(year, 2, 28)
        if candidate >= on_or_after:
            return candidate
    raise AssertionError("a yearly date recurs within two calendar years")


def _upcoming_events(conn: Connection, customer_id: int, as_of: dt.date) -> pl.DataFrame:
    """Life events recurring within the next 60 days (today included), soonest first."""
    rows = conn.execute(
        select(LifeEvent.kind, LifeEvent.event_date).where(LifeEvent.customer_id == customer_id)
    ).all()
    upcoming = []
    for kind, event_date in rows:
        next_on = next_occurrence(event_date, as_of)
        days_until = (next_on - as_of).days
        if days_until <= LIFE_EVENT_HORIZON_DAYS:
            upcoming.append((kind, event_date, next_on, days_until, next_on.year - event_date.year))
    return pl.DataFrame(upcoming, schema=EVENT_SCHEMA, orient="row").sort("days_until", "kind")


def _transfers(conn: Connection, customer_id: int) -> pl.DataFrame:
    source, target = aliased(Branch), aliased(Branch)
    stmt = (
        select(
            BranchTransfer.transferred_on,
            source.name_ko.label("from_ko"),
            source.name_en.label("from_en"),
            target.name_ko.label("to_ko"),
            target.name_en.label("to_en"),
            BranchTransfer.reason,
        )
        .join(source, source.id == BranchTransfer.from_branch_id)
        .join(target, target.id == BranchTransfer.to_branch_id)
        .where(BranchTransfer.customer_id == customer_id)
        .order_by(BranchTransfer.transferred_on.desc(), BranchTransfer.id.desc())
    )
    return read_frame(conn, stmt, TRANSFER_SCHEMA)


# --- behavioural cues ---------------------------------------------------------------------


def behavioural_flags(
    conn: Connection, user: SignedInUser, customer_no: str, *, as_of: dt.date
) -> tuple[BehaviouralFlag, ...]:
    """The cues the transactions of the 90 days up to `as_of` raise for one customer."""
    _require_reader(user)
    return _derived_flags(conn, _customer_row(conn, customer_no).id, as_of)


def _cue_window(conn: Connection, customer_id: int, as_of: dt.date) -> pl.DataFrame:
    """The window's transactions, each with counts of what the customer did before it.

    The correlated counts walk the (customer_id, occurred_at) and (account_id, occurred_at)
    indexes of one customer, so this stays a point query.
    """
    earlier = aliased(Transaction)

    def earlier_count(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
        return (
            select(func.count())
            .select_from(earlier)
            .where(
                earlier.customer_id == Transaction.customer_id,
                earlier.occurred_at < Transaction.occurred_at,
                *conditions,
            )
            .scalar_subquery()
        )

    at_branch = earlier.channel == BRANCH_CHANNEL
    previous_on_account = (
        select(func.max(earlier.occurred_at))
        .where(
            earlier.account_id == Transaction.account_id,
            earlier.occurred_at < Transaction.occurred_at,
        )
        .scalar_subquery()
    )
    since = dt.datetime.combine(as_of - dt.timedelta(days=CUE_WINDOW_DAYS), dt.time())
    stmt = (
        select(
            Transaction.occurred_at,
            Transaction.account_id,
            Account.account_no,
            Account.opened_on.label("account_opened_on"),
            Account.market_value_krw,
            Transaction.kind,
            Transaction.amount_krw,
            Transaction.channel,
            Transaction.performed_by,
            Transaction.branch_id,
            Branch.name_ko.label("branch_ko"),
            Branch.name_en.label("branch_en"),
            previous_on_account.label("previous_on_account_at"),
            earlier_count(earlier.performed_by != OWNER).label("earlier_proxy"),
            earlier_count(at_branch, earlier.performed_by == OWNER).label(
                "earlier_owner_at_branch"
            ),
            earlier_count(at_branch).label("earlier_at_branch"),
            earlier_count(at_branch, earlier.branch_id == Transaction.branch_id).label(
                "earlier_at_same_branch"
            ),
        )
        .join(Account, Account.id == Transaction.account_id)
        .outerjoin(Branch, Branch.id == Transaction.branch_id)
        .where(
            Transaction.customer_id == customer_id,
            Transaction.occurred_at >= since,
            Transaction.occurred_at < _end_of(as_of),
        )
        .order_by(Transaction.occurred_at, Transaction.id)
    )
    return read_frame(conn, stmt, CUE_SCHEMA)


def _derived_flags(
    conn: Connection, customer_id: int, as_of: dt.date
) -> tuple[BehaviouralFlag, ...]:
    """(a) a first proxy after ≥5 own branch visits; (b) a dormant account emptied by half or
    more; (c) a branch never used before by a customer with ≥5 branch transactions."""
    window = _cue_window(conn, customer_id, as_of)
    proxy_after_alone = window.filter(
        pl.col("performed_by") != OWNER,
        pl.col("earlier_proxy") == 0,
        pl.col("earlier_owner_at_branch") >= HABIT_MIN_TRANSACTIONS,
    ).head(1)
    new_branch = window.filter(
        pl.col("channel") == BRANCH_CHANNEL,
        pl.col("branch_id").is_not_null(),
        pl.col("earlier_at_same_branch") == 0,
        pl.col("earlier_at_branch") >= HABIT_MIN_TRANSACTIONS,
    ).unique("branch_id", keep="first", maintain_order=True)
    flags = [
        _flag(FlagKind.PROXY_AFTER_ALONE, row, earlier=row["earlier_owner_at_branch"])
        for row in proxy_after_alone.iter_rows(named=True)
    ]
    flags += _dormant_withdrawals(window)
    flags += [
        _flag(FlagKind.NEW_BRANCH, row, earlier=row["earlier_at_branch"])
        for row in new_branch.iter_rows(named=True)
    ]
    return tuple(sorted(flags, key=lambda flag: flag.occurred_at))


def _dormant_withdrawals(window: pl.DataFrame) -> list[BehaviouralFlag]:
    """An account quiet for a year whose money left, from the first outflow on, is at least
    half of what it held just before (today's value plus what left, less what came in)."""
    quiet_since = pl.coalesce(
        "previous_on_account_at", pl.col("account_opened_on").cast(pl.Datetime("us"))
    )
    starts = (
        window.with_columns((pl.col("occurred_at") - quiet_since).dt.total_days().alias("quiet"))
        .filter(pl.col("kind").is_in(OUTFLOW_KINDS), pl.col("quiet") >= DORMANT_DAYS)
        .unique("account_id", keep="first", maintain_order=True)
    )
    flags = []
    for start in starts.iter_rows(named=True):
        since_start = window.filter(
            pl.col("account_id") == start["account_id"],
            pl.col("occurred_at") >= start["occurred_at"],
        )
        taken = int(since_start.filter(pl.col("kind").is_in(OUTFLOW_KINDS))["amount_krw"].sum())
        added = int(since_start.filter(pl.col("kind").is_in(INFLOW_KINDS))["amount_krw"].sum())
        held_before = start["market_value_krw"] + taken - added
        if held_before > 0 and taken >= DORMANT_SHARE * held_before:
            flags.append(
                _flag(
                    FlagKind.DORMANT_WITHDRAWAL,
                    start,
                    amount_krw=taken,
                    dormant_days=start["quiet"],
                    share_pct=taken * 100 // held_before,
                )
            )
    return flags


def _flag(
    kind: FlagKind,
    row: dict[str, Any],
    *,
    earlier: int = 0,
    amount_krw: int | None = None,
    dormant_days: int = 0,
    share_pct: int = 0,
) -> BehaviouralFlag:
    return BehaviouralFlag(
        kind=kind,
        severity=FLAG_SEVERITY[kind],
        occurred_at=row["occurred_at"],
        account_no=row["account_no"],
        amount_krw=row["amount_krw"] if amount_krw is None else amount_krw,
        earlier_transactions=earlier,
        dormant_days=dormant_days,
        share_pct=share_pct,
        branch_ko=row["branch_ko"],
        branch_en=row["branch_en"],
    )


# --- writes and the audit trail ----------------------------------------------------------


def _audit(
    session: Session,
    user: SignedInUser,
    action: str,
    customer_no: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    audit_as(
        session,
        user,
        action,
        target_kind="customer",
        target_id=customer_no,
        detail=detail,
    )


def record_customer_view(
    conn: Connection, user: SignedInUser, customer_no: str, *, reason: ViewReason | None = None
) -> None:
    """Audit one view of a customer record and count it as usage, in one unit of work.

    Call once per view (not per widget rerun), before showing the record. A customer outside
    the ones `user` answers for (`view_needs_reason`) needs a `reason`, written into the
    audit row; without one ViewReasonRequired is raised and nothing is written. An unknown
    number raises NotFound and writes nothing.
    """
    _require_reader(user)
    with unit_of_work(conn) as session:
        customer = _customer_row(session.connection(), customer_no)
        if reason is None and view_needs_reason(
            user, home_branch_id=customer.home_branch_id, manager_id=customer.manager_id
        ):
            raise ViewReasonRequired("view_reason_needed")
        detail = reason.as_detail() if reason is not None else None
        _audit(session, user, "customer_view", customer.customer_no, detail)
        record_usage(session, user, UsageAction.CUSTOMER_VIEW, PAGE, target=customer.customer_no)


def _checked_choice(value: str, allowed: tuple[str, ...], refusal: str) -> None:
    if value not in allowed:
        raise Refused(refusal)


def _checked_text(text: str, limit: int, *, empty: str, too_long: str) -> str:
    """`text` stripped; `empty` and `too_long` are the refusals' catalogue keys."""
    cleaned = text.strip()
    if not cleaned:
        raise Refused(empty)
    if len(cleaned) > limit:
        raise Refused(too_long, limit=limit)
    return cleaned


def note_branch_id(author_branch_id: int | None, home_branch_id: int) -> int:
    """The branch a note is filed under: its author's, or the customer's home branch for
    head-office staff, who have none (a note always has a branch)."""
    return author_branch_id or home_branch_id


def add_note(
    conn: Connection,
    user: SignedInUser,
    customer_no: str,
    *,
    channel: str,
    outcome: str,
    text: str,
    corrects_id: int | None = None,
    sensitive: bool = False,
) -> int:
    """Append a consultation note by `user` and return its id.

    Notes are never edited: a correction is a new note whose `corrects_id` names the note it
    corrects (which must belong to the same customer). The note is filed under
    `note_branch_id`. A `sensitive` note (what the customer said in confidence) is read only
    by those who answer for the customer.
    """
    with unit_of_work(conn) as session:
        consultation_id = add_note_unmarked(
            session.connection(),
            user,
            customer_no,
            channel=channel,
            outcome=outcome,
            text=text,
            corrects_id=corrects_id,
            sensitive=sensitive,
        )
        segments.mark_features_stale(session.connection())  # days since the last contact
    return consultation_id


def add_note_unmarked(
    conn: Connection,
    user: SignedInUser,
    customer_no: str,
    *,
    channel: str,
    outcome: str,
    text: str,
    corrects_id: int | None = None,
    sensitive: bool = False,
) -> int:
    """`add_note` without counting the change on the analytical copy: for writers of many
    notes in one unit of work, which call segments.mark_features_stale once, last (on
    PostgreSQL the mark holds its row lock until the commit)."""
    _require_writer(user)
    note = _checked_text(
        text, NOTE_MAX_CHARS, empty="note_rejected_empty", too_long="note_rejected_too_long"
    )
    _checked_choice(channel, CONSULTATION_CHANNELS, "note_rejected_channel")
    _checked_choice(outcome, CONSULTATION_OUTCOMES, "note_rejected_outcome")
    with unit_of_work(conn) as session:
        customer = _customer_row(session.connection(), customer_no)
        if corrects_id is not None:
            corrected = session.get(Consultation, corrects_id)
            if corrected is None or corrected.customer_id != customer.id:
                raise Refused("note_rejected_correction")
        consultation = Consultation(
            customer_id=customer.id,
            employee_id=user.employee_id,
            branch_id=note_branch_id(user.branch_id, customer.home_branch_id),
            channel=channel,
            occurred_at=now_seoul(),
            note=note,
            outcome=outcome,
            is_sensitive=sensitive,
            corrects_id=corrects_id,
        )
        session.add(consultation)
        session.flush()
        _audit(
            session,
            user,
            "note_add",
            customer.customer_no,
            {"consultation_id": consultation.id, "corrects_id": corrects_id}
            | ({"sensitive": True} if sensitive else {}),
        )
        record_usage(session, user, UsageAction.NOTE, PAGE, target=customer.customer_no)
        consultation_id = consultation.id
    return consultation_id


def raise_alert(
    conn: Connection,
    user: SignedInUser,
    customer_no: str,
    *,
    kind: str,
    severity: str,
    text: str,
) -> int:
    """Open an alert on the customer, raised by `user`; returns its id."""
    _require_writer(user)
    _checked_choice(kind, ALERT_KINDS, "alert_rejected_kind")
    _checked_choice(severity, ALERT_SEVERITIES, "alert_rejected_severity")
    cleaned = _checked_text(
        text, ALERT_TEXT_MAX_CHARS, empty="alert_rejected_empty", too_long="alert_rejected_too_long"
    )
    with unit_of_work(conn) as session:
        customer = _customer_row(session.connection(), customer_no)
        alert = Alert(
            customer_id=customer.id,
            kind=kind,
            severity=severity,
            text=cleaned,
            raised_by=user.employee_id,
            raised_at=now_seoul(),
        )
        session.add(alert)
        session.flush()
        _audit(
            session,
            user,
            "alert_raise",
            customer.customer_no,
            {"alert_id": alert.id, "kind": kind, "severity": severity},
        )
        record_usage(session, user, UsageAction.ALERT, PAGE, target=customer.customer_no)
        alert_id = alert.id
    return alert_id


def resolve_alert(
    conn: Connection, user: SignedInUser, customer_no: str, alert_id: int, *, note: str
) -> None:
    """Close an open alert of this customer with a resolution note by `user`.

    Only those the policy lets resolve it (the staff of the customer's home branch, head
    office) may; anyone else is refused (alert_rejected_other_branch), the alert open on
    every screen. The update only touches a still-open alert, so of two people resolving it
    at once the second is told it is already resolved instead of overwriting the first.
    """
    _require_writer(user)
    resolution = _checked_text(
        note, ALERT_TEXT_MAX_CHARS, empty="alert_rejected_empty", too_long="alert_rejected_too_long"
    )
    with unit_of_work(conn) as session:
        customer = _customer_row(session.connection(), customer_no)
        if not reaches_customer(
            user,
            Action.ALERT_RESOLVE,
            home_branch_id=customer.home_branch_id,
            manager_id=customer.manager_id,
        ):
            raise AccessDenied("alert_rejected_other_branch")
        # Session.execute is typed as any Result; an UPDATE's is a CursorResult, with a rowcount.
        closed = typing.cast(
            CursorResult[Any],
            session.execute(
                update(Alert)
                .where(
                    Alert.id == alert_id,
                    Alert.customer_id == customer.id,
                    Alert.resolved_at.is_(None),
                )
                .values(
                    resolved_by=user.employee_id,
                    resolved_at=now_seoul(),
                    resolution_note=resolution,
                )
            ),
        )
        if closed.rowcount != 1:
            raise Refused("alert_rejected_not_open")
        _audit(session, user, "alert_resolve", customer.customer_no, {"alert_id": alert_id})
        record_usage(session, user, UsageAction.ALERT, PAGE, target=customer.customer_no)
