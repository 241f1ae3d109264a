"""The retention schedule: how long each kind of record is kept, legal holds that keep records
whatever their age, the report of what is due for disposal, and the disposal itself.

A kind of record is a row of `retention_rules` (its table, the date that starts the clock, the
column naming the customer, the years), so a new kind or a longer period is data, not code. The
table and columns a row names are taken only from the models' metadata: a row naming anything
else is reported as not applying and is never turned into SQL.

A record is due once its clock date lies more than `years` before today, no legal hold covers
it (one on its whole kind, or one on its customer) and no other record still points at it (a
note an agenda item names waits until the item goes). The audit trail is listed with its two
years but never disposed of: `python -m jobs audit-verify` recomputes its hash chain from the
first row, and every head noted in an anchor file must still stand, so deleting its oldest
rows would make the chain unverifiable; it is kept for good, past the two years the rules ask.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

import polars as pl
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    CursorResult,
    Date,
    Engine,
    Table,
    and_,
    delete,
    exists,
    false,
    func,
    select,
    true,
)

from data_access.core import job_runs
from data_access.core.db import (
    FrameSchema,
    read_frame,
    reads_before_write,
    unit_of_work,
)
from data_access.core.errors import (
    NotFound,
    Refused,
)
from data_access.core.models import (
    Base,
    Customer,
    LegalHold,
    RetentionRule,
    RetentionSetting,
)
from data_access.core.policy import (
    Action,
    require,
)
from data_access.core.security import (
    SignedInUser,
    audit_as,
    now_seoul,
)

JOB = "retention-report"
# Tables the migration fills with the firm's defaults: a demo load or replacement leaves them.
CONFIGURATION = frozenset({"retention_rules"})
CUSTOMERS, CUSTOMER_ID = "customers", "customer_id"
# Why a kind is kept as long as it is; the catalogs word each as `retention_basis_<code>`.
BASES = ("sales_record", "customer_rights", "internal_control", "access_record")
MAX_YEARS = 30
HOLD_REASON_MAX_CHARS = 200
# Numbers an administrator may change, with their defaults and the range each may take; the
# catalogs word each as `retention_setting_<name>` and `retention_setting_help_<name>`.
DEFAULT_SETTINGS: dict[str, float] = {"access_request_business_days": 6.0}
SETTING_RANGES: dict[str, tuple[float, float]] = {"access_request_business_days": (1.0, 10.0)}


@dataclass(frozen=True, slots=True)
class Disposal:
    """What one kind's disposal removed, under which rule."""

    kind: str
    table_name: str
    years: int
    cutoff: dt.date
    rows: int


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True, slots=True)
class _Rule:
    """One row of `retention_rules`, as read."""

    kind: str
    table_name: str
    clock_column: str
    customer_column: str | None
    basis: str
    years: int
    minimum_years: int
    disposable: bool
    updated_by: str
    updated_at: dt.datetime


def _rules(conn: Connection) -> list[_Rule]:
    rows = conn.execute(select(RetentionRule.__table__).order_by(RetentionRule.kind))
    return [_Rule(**row._mapping) for row in rows]


def _table_of(rule: _Rule) -> Table | None:
    """The rule's table from the models, if it and its columns exist there: the customer
    column names the customer, or a row (one foreign key away) that has a customer_id."""
    table = Base.metadata.tables.get(rule.table_name)
    if table is None or rule.clock_column not in table.c:
        return None
    if rule.customer_column is not None:
        if rule.customer_column not in table.c:
            return None
        parent = _parent_of(table.c[rule.customer_column])
        if parent is not None and CUSTOMER_ID not in parent.table.c:
            return None
    return table


def _parent_of(column: ColumnElement[Any]) -> Any:
    """The column a foreign key points at, unless it points at the customers themselves."""
    target = next((key.column for key in column.foreign_keys), None)
    return None if target is None or target.table.name == CUSTOMERS else target


def retention_schedule(conn: Connection, user: SignedInUser) -> pl.DataFrame:
    """One row per kind: kind, table_name, clock_column, customer_column, basis, years,
    minimum_years, disposable, applies (its table exists here), updated_by, updated_at."""
    require(user, Action.RETENTION_READ)
    rows = [
        {
            "kind": rule.kind,
            "table_name": rule.table_name,
            "clock_column": rule.clock_column,
            "customer_column": rule.customer_column,
            "basis": rule.basis,
            "years": rule.years,
            "minimum_years": rule.minimum_years,
            "disposable": rule.disposable,
            "applies": _table_of(rule) is not None,
            "updated_by": rule.updated_by,
            "updated_at": rule.updated_at,
        }
        for rule in _rules(conn)
    ]
    schema: FrameSchema = {
        "kind": pl.String,
        "table_name": pl.String,
        "clock_column": pl.String,
        "customer_column": pl.String,
        "basis": pl.String,
        "years": pl.Int64,
        "minimum_years": pl.Int64,
        "disposable": pl.Boolean,
        "applies": pl.Boolean,
        "updated_by": pl.String,
        "updated_at": pl.Datetime("us"),
    }
    return pl.DataFrame(rows, schema=schema)


def set_retention_years(conn: Connection, user: SignedInUser, kind: str, years: int) -> None:
    """Keep `kind` for `years` (at least its legal minimum, at most MAX_YEARS); audited with
    the years before and after."""
    require(user, Action.RETENTION_WRITE)
    with unit_of_work(conn) as session:
        rule = session.get(RetentionRule, kind, with_for_update=True)
        if rule is None:
            raise NotFound("retention_kind_missing")
        if not rule.minimum_years <= years <= MAX_YEARS:
            raise Refused("retention_years_range", minimum=rule.minimum_years, maximum=MAX_YEARS)
        before = rule.years
        rule.years, rule.updated_by, rule.updated_at = years, user.username, now_seoul()
        audit_as(
            session,
            user,
            "retention_rule_change",
            target_kind="retention",
            target_id=kind,
            detail={"years_before": before, "years": years},
        )


def setting_values(conn: Connection) -> dict[str, float]:
    """The retention settings in force: an administrator's value, or the default."""
    rows = conn.execute(select(RetentionSetting.name, RetentionSetting.value))
    stored = {name: value for name, value in rows}
    return {name: stored.get(name, default) for name, default in DEFAULT_SETTINGS.items()}


def retention_settings(conn: Connection, user: SignedInUser) -> dict[str, float]:
    require(user, Action.RETENTION_READ)
    return setting_values(conn)


def save_retention_setting(conn: Connection, user: SignedInUser, name: str, value: float) -> None:
    """Change one setting within its range; audited with the value before and after."""
    require(user, Action.RETENTION_WRITE)
    if name not in DEFAULT_SETTINGS:
        raise NotFound("retention_setting_missing")
    low, high = SETTING_RANGES[name]
    if not low <= value <= high:
        raise Refused("retention_setting_range", minimum=low, maximum=high)
    with unit_of_work(conn) as session:
        stored = session.get(RetentionSetting, name, with_for_update=True)
        before = DEFAULT_SETTINGS[name] if stored is None else stored.value
        if stored is None:
            stored = RetentionSetting(name=name)
            session.add(stored)
        stored.value, stored.updated_by, stored.updated_at = value, user.username, now_seoul()
        audit_as(
            session,
            user,
            "retention_setting_change",
            target_kind="retention",
            target_id=name,
            detail={"before": before, "value": value},
        )


# ---------------------------------------------------------------------------------------------
# Legal holds


def _active_hold() -> ColumnElement[bool]:
    return LegalHold.lifted_at.is_(None)


def legal_holds(conn: Connection, user: SignedInUser, *, lifted: bool = False) -> pl.DataFrame:
    """Holds in force (and lifted ones too with `lifted`), newest first: id, customer_no,
    customer_name, kind, reason, placed_by, placed_at, lifted_by, lifted_at."""
    require(user, Action.RETENTION_READ)
    stmt = (
        select(
            LegalHold.id,
            Customer.customer_no,
            Customer.name.label("customer_name"),
            LegalHold.kind,
            LegalHold.reason,
            LegalHold.placed_by,
            LegalHold.placed_at,
            LegalHold.lifted_by,
            LegalHold.lifted_at,
        )
        .outerjoin(Customer, Customer.id == LegalHold.customer_id)
        .where(true() if lifted else _active_hold())
        .order_by(LegalHold.placed_at.desc(), LegalHold.id.desc())
    )
    return read_frame(
        conn,
        stmt,
        {
            "id": pl.Int64,
            "customer_no": pl.String,
            "customer_name": pl.String,
            "kind": pl.String,
            "reason": pl.String,
            "placed_by": pl.String,
            "placed_at": pl.Datetime("us"),
            "lifted_by": pl.String,
            "lifted_at": pl.Datetime("us"),
        },
    )


def place_hold(
    conn: Connection,
    user: SignedInUser,
    *,
    reason: str,
    customer_no: str | None = None,
    kind: str | None = None,
) -> int:
    """Hold one customer's records, or every record of one kind, from disposal; audited."""
    require(user, Action.LEGAL_HOLD_WRITE)
    why = reason.strip()
    if not why or len(why) > HOLD_REASON_MAX_CHARS:
        raise Refused("hold_reason_needed", maximum=HOLD_REASON_MAX_CHARS)
    if (customer_no is None) == (kind is None):
        raise Refused("hold_customer_or_kind")
    with unit_of_work(conn) as session:
        customer_id = None
        if customer_no is not None:
            customer_id = session.scalars(
                select(Customer.id).where(Customer.customer_no == customer_no.strip())
            ).one_or_none()
            if customer_id is None:
                raise NotFound("customer_not_found", number=customer_no.strip()[:20])
        elif session.get(RetentionRule, kind) is None:
            raise NotFound("retention_kind_missing")
        hold = LegalHold(
            customer_id=customer_id,
            kind=kind,
            reason=why,
            placed_by=user.username,
            placed_at=now_seoul(),
        )
        session.add(hold)
        session.flush()
        audit_as(
            session,
            user,
            "legal_hold_place",
            target_kind="legal_hold",
            target_id=str(hold.id),
            detail={"customer_no": customer_no, "kind": kind, "reason": why},
        )
        return hold.id


def lift_hold(conn: Connection, user: SignedInUser, hold_id: int) -> None:
    """End a hold in force; the row stays with who lifted it and when; audited."""
    require(user, Action.LEGAL_HOLD_WRITE)
    with unit_of_work(conn) as session:
        hold = session.get(LegalHold, hold_id, with_for_update=True)
        if hold is None or hold.lifted_at is not None:
            raise NotFound("hold_missing")
        hold.lifted_by, hold.lifted_at = user.username, now_seoul()
        audit_as(session, user, "legal_hold_lift", target_kind="legal_hold", target_id=str(hold_id))


# ---------------------------------------------------------------------------------------------
# What is due, and its disposal


def _old(table: Table, rule: _Rule, today: dt.date) -> list[ColumnElement[bool]]:
    """Rows whose clock started more than `years` before `today`."""
    clock = table.c[rule.clock_column]
    cutoff = years_before(today, rule.years)
    limit: dt.date = (
        cutoff if isinstance(clock.type, Date) else dt.datetime.combine(cutoff, dt.time())
    )
    return [clock.is_not(None), clock < limit]


def _unreferenced(table: Table) -> list[ColumnElement[bool]]:
    """Rows no other row points at: deleting them would break a reference, or lose what the
    other row means."""
    conditions: list[ColumnElement[bool]] = []
    for other in Base.metadata.tables.values():
        for foreign_key in other.foreign_keys:
            if foreign_key.column.table is not table:
                continue
            referrer = other.alias(f"ref_{other.name}_{foreign_key.parent.name}")
            pointer = referrer.c[foreign_key.parent.name]
            if _leads_an_index(foreign_key.parent):
                # One seek per aged row: NOT IN would read the whole column (every
                # transaction's account, 3.7 s at full scale) to check 118,000 accounts.
                conditions.append(~exists().where(pointer == foreign_key.column))
            else:
                # NOT IN over the referring column, read once and hashed: a correlated NOT
                # EXISTS on a column without an index (a correction's corrects_id) reads it
                # per row.
                conditions.append(
                    foreign_key.column.not_in(select(pointer).where(pointer.is_not(None)))
                )
    return conditions


def _leads_an_index(column: Column[Any]) -> bool:
    """Whether an index (or the primary key) of the column's table starts with it."""
    table = column.table
    firsts = [next(iter(index.columns), None) for index in table.indexes]
    firsts += [next(iter(table.primary_key.columns), None)]
    return any(first is column for first in firsts)


def _aged(
    conn: Connection, table: Table, rule: _Rule, today: dt.date
) -> list[ColumnElement[bool]] | None:
    """The conditions of the rows due by age, or None when no row is old enough: the check
    for rows pointing at them reads whole referring columns (every transaction's account), so
    it is only made when there is something to check, which most days there is not."""
    old = _old(table, rule, today)
    if conn.execute(select(true()).select_from(table).where(*old).limit(1)).first() is None:
        return None
    return [*old, *_unreferenced(table)]


def _held(conn: Connection, table: Table, rule: _Rule) -> ColumnElement[bool]:
    """Rows of `rule`'s kind a hold in force covers: all of them, or its customers'."""
    kind_held = conn.execute(
        select(LegalHold.id).where(_active_hold(), LegalHold.kind == rule.kind).limit(1)
    ).first()
    if kind_held is not None:
        return true()
    if rule.customer_column is None:
        return false()
    held_customers = select(LegalHold.customer_id).where(
        _active_hold(), LegalHold.customer_id.is_not(None)
    )
    column = table.c[rule.customer_column]
    parent = _parent_of(column)
    if parent is None:
        return column.in_(held_customers)
    return column.in_(select(parent).where(parent.table.c[CUSTOMER_ID].in_(held_customers)))


REPORT_SCHEMA = {
    "kind": pl.String,
    "table_name": pl.String,
    "basis": pl.String,
    "years": pl.Int64,
    "cutoff": pl.Date,
    "applies": pl.Boolean,
    "disposable": pl.Boolean,
    "due": pl.Int64,
    "held": pl.Int64,
    "oldest": pl.Date,
}


def _report(conn: Connection, today: dt.date) -> pl.DataFrame:
    rows = []
    for rule in _rules(conn):
        table = _table_of(rule)
        row: dict[str, Any] = {
            "kind": rule.kind,
            "table_name": rule.table_name,
            "basis": rule.basis,
            "years": rule.years,
            "cutoff": years_before(today, rule.years),
            "applies": table is not None,
            "disposable": rule.disposable,
            "due": None,
            "held": None,
            "oldest": None,
        }
        if table is not None:
            aged = _aged(conn, table, rule, today)
            held = _held(conn, table, rule)
            clock = table.c[rule.clock_column]
            counts = (
                (0, 0, None)
                if aged is None
                else conn.execute(
                    select(
                        func.count(),
                        func.count().filter(held),
                        func.min(clock).filter(~held),
                    )
                    .select_from(table)
                    .where(and_(*aged))
                ).one()
            )
            oldest = counts[2]
            if isinstance(oldest, str):
                oldest = dt.date.fromisoformat(oldest[:10])
            elif isinstance(oldest, dt.datetime):
                oldest = oldest.date()
            row.update(due=counts[0] - counts[1], held=counts[1], oldest=oldest)
        rows.append(row)
    return pl.DataFrame(rows, schema=REPORT_SCHEMA)


def disposal_report(conn: Connection, user: SignedInUser, today: dt.date) -> pl.DataFrame:
    """Per kind: the cutoff date, how many records are due and how many holds keep, and the
    oldest due record's date. `applies` is false for a kind whose table this database lacks;
    a kind that is not `disposable` is counted but never disposed of."""
    require(user, Action.RETENTION_READ)
    return _report(conn, today)


def dispose_due(
    conn: Connection, user: SignedInUser, today: dt.date, *, kinds: list[str] | None = None
) -> list[Disposal]:
    """Delete the records due on `today` (of `kinds`, or every disposable kind), one
    transaction per kind, each with an audit record of the rule, the cutoff and the count.
    Held records and records another one points at stay."""
    require(user, Action.RETENTION_WRITE)
    with reads_before_write(conn):
        rules = _rules(conn)
    done = []
    for rule in rules:
        table = _table_of(rule)
        if table is None or not rule.disposable or (kinds is not None and rule.kind not in kinds):
            continue
        with unit_of_work(conn) as session:
            bound = session.connection()
            aged = _aged(bound, table, rule, today)
            removed = (
                0
                if aged is None
                else cast(
                    CursorResult[Any],
                    bound.execute(delete(table).where(*aged, ~_held(bound, table, rule))),
                ).rowcount
            )
            disposal = Disposal(
                rule.kind, rule.table_name, rule.years, years_before(today, rule.years), removed
            )
            audit_as(
                session,
                user,
                "records_dispose",
                target_kind="retention",
                target_id=rule.kind,
                detail={
                    "table": rule.table_name,
                    "years": rule.years,
                    "basis": rule.basis,
                    "cutoff": disposal.cutoff.isoformat(),
                    "rows": disposal.rows,
                },
            )
        done.append(disposal)
    return done


def run_disposal_report(
    engine: Engine, business_date: dt.date, *, force: bool = True
) -> job_runs.RunOutcome:
    """The scheduled report: what is due on `business_date`, recorded in the job ledger (rows:
    records due; detail: due and held per kind). It deletes nothing."""

    def prepare() -> job_runs.Writer:
        def write(conn: Connection) -> tuple[int, dict[str, object]]:
            report = _report(conn, business_date).filter("applies")
            kinds = {
                row["kind"]: {"due": row["due"], "held": row["held"]}
                for row in report.iter_rows(named=True)
            }
            return int(report["due"].sum()), {"kinds": kinds}

        return write

    return job_runs.run_job(engine, JOB, business_date, prepare, force=force)
