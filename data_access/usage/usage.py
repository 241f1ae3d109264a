"""Usage events, their daily aggregates, and the adoption metrics read from those aggregates.

Recording: an action that writes (a note, a worked agenda item, a rule change) adds its event to
its own unit of work (`record_usage`), so the event lands with the action or not at all. Reads
(page views) go to a `UsageRecorder`, a process-wide buffer written in bulk by size and time, so
a page run pays a list append instead of a database round trip.

Aggregates: the usage-aggregate job turns each day's events into `usage_daily` rows (employee x
action counts) and their per-person sums (`usage_person_days`), replacing the days in one
transaction. The usage page reads only those rows.

Metrics, for the active branch staff in scope (by the branch they work at today), over the
window of data_access/metrics.py: the 30 days ending on the latest completed business day D
(`metrics.completed_day`), the days the KPI snapshot of D counts too:
  actions per person per day  metrics.actions_per_person_day, against metrics' ~250 norm
  DAU                         mean distinct active staff per working day of the window
  WAU / MAU                   distinct active staff in the 7 days / the window ending on D
  stickiness                  DAU / MAU
  decline                     actions per working day in the 14 days to D against the 14 before
  idle                        calendar days since the last day with any action
  paper holdout               notes typed mostly at closing time (a paper diary copied in), or
                              agenda items closed as done mostly without a note
"""

from __future__ import annotations

import atexit
import datetime as dt
import enum
import logging
import threading
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, case, delete, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from data_access.core import job_runs, metrics
from data_access.core.business_days import (
    extra_holidays,
    is_business_day,
)
from data_access.core.db import (
    FrameSchema,
    bulk_insert,
    day_of,
    hour_of,
    read_frame,
)
from data_access.core.models import (
    AgendaItem,
    Branch,
    Employee,
    UsageDaily,
    UsageEvent,
    UsagePersonDay,
)
from data_access.core.policy import (
    AccessDenied,
    Action,
    branch_condition,
    permits,
    require,
)
from data_access.core.security import (
    SignedInUser,
    now_seoul,
)

log = logging.getLogger("dreams.usage")


class UsageAction(enum.StrEnum):
    """The one vocabulary of usage events; the demo generator draws from the same names."""

    PAGE_VIEW = "page_view"
    SEARCH = "search"
    CUSTOMER_VIEW = "customer_view"
    NOTE = "note"
    ALERT = "alert"
    AGENDA_WORK = "agenda_work"
    EXPORT = "export"
    CAMPAIGN = "campaign"
    REPORT = "report"
    RULE_EDIT = "rule_edit"


WEEK_DAYS = 7
HALF_WINDOW_DAYS = 14
TREND_WEEKS = 12
LATE_HOUR = 17  # notes typed from 17:00 on are the end-of-day burst of a paper diary
DECLINE_PCT = 30  # a drop of this share or more between the two halves of the window
DECLINE_MIN_BEFORE = 20  # actions per working day before, so a near-zero user is not flagged
BURST_MIN_NOTES = 5
BURST_SHARE = 0.5
NOTELESS_MIN_CLOSED = 5
NOTELESS_SHARE = 0.8
AGGREGATE_LOOKBACK_DAYS = 31  # the job re-aggregates at most this far back
JOB = "usage-aggregate"
PAGE = "usage"


def record_usage(
    session: Session,
    user: SignedInUser,
    action: UsageAction,
    page: str,
    target: str | None = None,
) -> None:
    """Add the event to the caller's unit of work, so it lands with the action it describes."""
    if user.employee_id is None:
        return
    session.add(
        UsageEvent(
            employee_id=user.employee_id,
            branch_id=user.branch_id,
            occurred_at=now_seoul(),
            action=UsageAction(action).value,
            page=page[:30],
            target=target[:40] if target else None,
        )
    )


# ---------------------------------------------------------------------------------------------
# The batched recorder for read-only actions.

EVENT_SCHEMA: FrameSchema = {
    "employee_id": pl.Int64,
    "branch_id": pl.Int64,
    "occurred_at": pl.Datetime("us"),
    "action": pl.String,
    "page": pl.String,
    "target": pl.String,
}


class UsageRecorder:
    """Buffers events in memory and writes them in one bulk insert, by size or age.

    `add` only appends under a lock (microseconds); a daemon thread flushes every
    `max_age_s` seconds or as soon as `max_events` are waiting, and an exit hook flushes the
    rest at shutdown. Counting usage must never break the page being used, so a failed write
    never reaches it: when the database is busy or away (an import holding SQLite's write lock
    past its timeout, a PostgreSQL restart) the events wait for the next flush, up to
    `max_held` of them (the oldest go first beyond that); any other failure is logged and
    its events dropped. While the database stays away the thread backs off (`max_age_s`,
    doubling up to MAX_RETRY_WAIT_S) and wakes early only for `max_events` new events, so
    held events never make it retry in a tight loop.
    """

    MAX_RETRY_WAIT_S = 60.0

    def __init__(
        self,
        engine: Engine,
        *,
        max_events: int = 500,
        max_age_s: float = 5.0,
        max_held: int = 200_000,  # some ten minutes of a whole firm's actions
    ) -> None:
        self.engine = engine
        self.max_events = max_events
        self.max_age_s = max_age_s
        self.max_held = max_held
        self._rows: list[tuple] = []
        self._added = 0  # events added since the last write attempt
        self._retry_wait_s: float | None = None  # set while the database is busy or away
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        atexit.register(self.flush)

    def add(
        self, user: SignedInUser, action: UsageAction, page: str, target: str | None = None
    ) -> None:
        if user.employee_id is None:
            return
        row = (
            user.employee_id,
            user.branch_id,
            now_seoul(),
            UsageAction(action).value,
            page[:30],
            target[:40] if target else None,
        )
        with self._lock:
            self._rows.append(row)
            self._added += 1
            added = self._added
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._flush_forever, name="usage-recorder", daemon=True
                )
                self._thread.start()
        if added >= self.max_events:
            self._wake.set()

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._rows)

    def flush(self) -> int:
        """Write what is waiting now; returns the number of events written."""
        with self._lock:
            rows, self._rows = self._rows, []
            self._added = 0
        if not rows:
            return 0
        frame = pl.DataFrame(rows, schema=EVENT_SCHEMA, orient="row")
        busy = (OperationalError, self.engine.dialect.loaded_dbapi.OperationalError)
        try:
            with self.engine.begin() as conn:
                written = bulk_insert(conn, UsageEvent.__table__, frame)
        except busy as exc:
            with self._lock:
                held = rows + self._rows
                self._rows = held[-self.max_held :]
                kept = len(self._rows)
                longest = max(self.MAX_RETRY_WAIT_S, self.max_age_s)
                wait = self._retry_wait_s
                self._retry_wait_s = min(2 * wait, longest) if wait else self.max_age_s
            log.warning(
                "database busy or away (%s): %d usage events held for the next write, %d dropped",
                exc.__class__.__name__,
                kept,
                len(held) - kept,
            )
            return 0
        except Exception:
            log.exception("dropped %d usage events that could not be written", len(rows))
            return 0
        self._retry_wait_s = None
        return written

    def _flush_forever(self) -> None:
        while True:
            self._wake.wait(self._retry_wait_s or self.max_age_s)
            self._wake.clear()
            self.flush()


# ---------------------------------------------------------------------------------------------
# Daily aggregates (the usage-aggregate job).

DAILY_SCHEMA = {
    "day": pl.Date,
    "employee_id": pl.Int64,
    "action": pl.String,
    "branch_id": pl.Int64,
    "events": pl.Int64,
    "late_events": pl.Int64,
}


def daily_counts(
    conn: Connection, first: dt.date, last: dt.date, *, every_event: bool = False
) -> pl.DataFrame:
    """usage_daily rows for the days first..last, counted by the database from usage_events.

    `every_event` says first..last spans the whole table: the count then reads the table
    straight through instead of through the time index, one random row lookup per event
    (demo data on SQLite, 4.6 M events: 4.4 s against 8.1 s).
    """
    day = day_of(conn, UsageEvent.occurred_at)
    is_late = hour_of(conn, UsageEvent.occurred_at) >= LATE_HOUR
    stmt = select(
        day.label("day"),
        UsageEvent.employee_id,
        UsageEvent.action,
        func.max(UsageEvent.branch_id).label("branch_id"),
        func.count().label("events"),
        func.sum(case((is_late, 1), else_=0)).label("late_events"),
    ).group_by(day, UsageEvent.employee_id, UsageEvent.action)
    if not every_event:
        stmt = stmt.where(
            UsageEvent.occurred_at >= dt.datetime.combine(first, dt.time()),
            UsageEvent.occurred_at < dt.datetime.combine(last + dt.timedelta(days=1), dt.time()),
        )
    return read_frame(conn, stmt, DAILY_SCHEMA)


def person_days_of(counts: pl.DataFrame) -> pl.DataFrame:
    """usage_daily rows summed per employee and day, notes and late notes apart."""
    is_note = pl.col("action") == UsageAction.NOTE.value
    return counts.group_by("day", "employee_id").agg(
        pl.col("branch_id").max(),
        pl.col("events").sum().alias("actions"),
        pl.col("events").filter(is_note).sum().alias("notes"),
        pl.col("late_events").filter(is_note).sum().alias("late_notes"),
    )


def replace_daily(
    conn: Connection, first: dt.date, last: dt.date, *, every_event: bool = False
) -> int:
    """Recount the days first..last into usage_daily and usage_person_days inside the
    caller's transaction; returns the usage_daily rows written."""
    counts = daily_counts(conn, first, last, every_event=every_event)
    conn.execute(delete(UsageDaily).where(UsageDaily.day.between(first, last)))
    conn.execute(delete(UsagePersonDay).where(UsagePersonDay.day.between(first, last)))
    bulk_insert(conn, UsagePersonDay.__table__, person_days_of(counts))
    return bulk_insert(conn, UsageDaily.__table__, counts)


def days_to_aggregate(conn: Connection, business_date: dt.date) -> tuple[dt.date, dt.date]:
    """The days the job for `business_date` recounts: from the last aggregated day (its late
    events included) up to yesterday, at least yesterday, at most a month back."""
    last = business_date - dt.timedelta(days=1)
    latest = conn.execute(select(func.max(UsageDaily.day)).where(UsageDaily.day <= last))
    latest_day = latest.scalar_one()
    if isinstance(latest_day, str):
        latest_day = dt.date.fromisoformat(latest_day[:10])
    floor = business_date - dt.timedelta(days=AGGREGATE_LOOKBACK_DAYS)
    first = max(min(latest_day or last, last), floor)
    return first, last


def aggregate_usage(
    engine: Engine, business_date: dt.date, *, force: bool = True
) -> job_runs.RunOutcome:
    """Run the usage-aggregate job for `business_date`, recorded in the job ledger."""

    def prepare() -> job_runs.Writer:
        def write(conn: Connection) -> tuple[int, dict[str, object]]:
            first, last = days_to_aggregate(conn, business_date)
            rows = replace_daily(conn, first, last)
            return rows, {"first_day": first.isoformat(), "last_day": last.isoformat()}

        return write

    return job_runs.run_job(engine, JOB, business_date, prepare, force=force)


def aggregate_all(conn: Connection) -> int:
    """Count every day that has events (after demo data are generated), in the caller's
    transaction: one grouped read over the events, one bulk insert."""
    bounds = conn.execute(
        select(func.min(UsageEvent.occurred_at), func.max(UsageEvent.occurred_at))
    ).one()
    if bounds[0] is None:
        return 0
    first, last = (
        dt.date.fromisoformat(v[:10]) if isinstance(v, str) else v.date() for v in bounds
    )
    return replace_daily(conn, first, last, every_event=True)


# ---------------------------------------------------------------------------------------------
# Adoption metrics.


@dataclass(frozen=True, slots=True)
class Adoption:
    """The usage page's figures for the staff in scope on `as_of` (today), over the window
    first_day..last_day (metrics.window of the latest completed day).

    `people`: one row per staff member (employee_id, employee_no, name, role, branch_code,
    actions, active_days, actions_per_day, vs_norm_pct, features, last_active, idle_days,
    before_per_day, recent_per_day, change_pct, declining, notes, late_notes, closed,
    closed_without_note, paper_signal). `coverage`: employee x feature event counts (long).
    `weekly`: per week, active staff and actions per active person-day.
    """

    as_of: dt.date
    first_day: dt.date
    last_day: dt.date
    staff: int
    dau: float
    wau: int
    mau: int
    stickiness: float
    actions_per_person_day: float
    vs_norm_pct: float  # actions_per_person_day as a share of metrics' norm
    people: pl.DataFrame
    coverage: pl.DataFrame
    weekly: pl.DataFrame


STAFF_SCHEMA = {
    "employee_id": pl.Int64,
    "employee_no": pl.String,
    "name": pl.String,
    "role": pl.String,
    "branch_id": pl.Int64,
    "branch_code": pl.String,
    "branch_name_ko": pl.String,
    "branch_name_en": pl.String,
}
PERSON_DAY_SCHEMA = {
    "day": pl.Date,
    "employee_id": pl.Int64,
    "actions": pl.Int64,
    "notes": pl.Int64,
    "late_notes": pl.Int64,
}
COVERAGE_SCHEMA = {"employee_id": pl.Int64, "action": pl.String, "events": pl.Int64}
CLOSED_SCHEMA = {"employee_id": pl.Int64, "closed": pl.Int64, "closed_without_note": pl.Int64}


def check_branch(user: SignedInUser, branch_id: int | None) -> None:
    """Refuse a branch outside the user's usage scope with a sentence the page can show."""
    require(user, Action.USAGE_READ, branch_id=branch_id)


def staff_in_scope(
    conn: Connection, user: SignedInUser, *, branch_id: int | None = None
) -> pl.DataFrame:
    """Active branch employees the user may see the usage of (optionally one branch)."""
    check_branch(user, branch_id)
    stmt = (
        select(
            Employee.id.label("employee_id"),
            Employee.employee_no,
            Employee.name,
            Employee.role,
            Employee.branch_id,
            Branch.code.label("branch_code"),
            Branch.name_ko.label("branch_name_ko"),
            Branch.name_en.label("branch_name_en"),
        )
        .join(Branch, Branch.id == Employee.branch_id)
        .where(Employee.is_active, branch_condition(user, Action.USAGE_READ, Employee.branch_id))
        .order_by(Branch.code, Employee.employee_no)
    )
    if branch_id is not None:
        stmt = stmt.where(Employee.branch_id == branch_id)
    return read_frame(conn, stmt, STAFF_SCHEMA)


def working_days(first: dt.date, last: dt.date, holidays: frozenset[dt.date]) -> list[dt.date]:
    """The working days first..last: Monday to Friday, minus public and firm holidays."""
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in days if is_business_day(day, holidays)]


def adoption(
    conn: Connection, user: SignedInUser, as_of: dt.date, *, branch_id: int | None = None
) -> Adoption:
    """Every adoption metric of the usage page for the staff in scope (see the module doc).

    Usage counts by the branch a person works at today, as their row in `people` and the KPI
    snapshot do: a read keeps the person-days of the staff in scope, wherever they were.
    """
    staff = staff_in_scope(conn, user, branch_id=branch_id)
    last_day = metrics.completed_day(conn, as_of)
    window_first = metrics.window(last_day)[0]
    trend_first = _monday(last_day - dt.timedelta(weeks=TREND_WEEKS))
    staff_ids = _staff_ids(user, branch_id)
    person_days = read_frame(
        conn,
        select(
            UsagePersonDay.day,
            UsagePersonDay.employee_id,
            UsagePersonDay.actions,
            UsagePersonDay.notes,
            UsagePersonDay.late_notes,
        ).where(
            UsagePersonDay.day.between(trend_first, last_day),
            UsagePersonDay.employee_id.in_(staff_ids),
        ),
        PERSON_DAY_SCHEMA,
    )
    coverage = read_frame(
        conn,
        select(
            UsageDaily.employee_id,
            UsageDaily.action,
            func.sum(UsageDaily.events).label("events"),
        )
        .where(
            UsageDaily.day.between(window_first, last_day), UsageDaily.employee_id.in_(staff_ids)
        )
        .group_by(UsageDaily.employee_id, UsageDaily.action),
        COVERAGE_SCHEMA,
    ).join(staff.select("employee_id", "employee_no", "name"), on="employee_id", how="inner")
    closed = _closed_items(conn, user, window_first, last_day, branch_id)
    holidays = extra_holidays(conn)
    window_days = working_days(window_first, last_day, holidays)
    window = person_days.filter(pl.col("day") >= window_first)
    people = _people(staff, person_days, window, coverage, closed, as_of, last_day, holidays)
    active = window.filter(pl.col("actions") > 0)
    daily_active = active.filter(pl.col("day").is_in(window_days)).group_by("day").len()
    dau = daily_active["len"].sum() / len(window_days) if window_days else 0.0
    week_first = last_day - dt.timedelta(days=WEEK_DAYS - 1)
    wau = active.filter(pl.col("day") >= week_first)["employee_id"].n_unique()
    mau = active["employee_id"].n_unique()
    per_person_day, vs_norm = (
        active.select(
            metrics.actions_per_person_day(pl.col("actions").sum(), pl.len())
            .fill_null(0.0)
            .alias("per_day")
        )
        .with_columns(metrics.share_of_norm_pct(pl.col("per_day")).alias("vs_norm"))
        .row(0)
    )
    return Adoption(
        as_of=as_of,
        first_day=window_first,
        last_day=last_day,
        staff=staff.height,
        dau=float(dau),
        wau=wau,
        mau=mau,
        stickiness=float(dau / mau) if mau else 0.0,
        actions_per_person_day=float(per_person_day),
        vs_norm_pct=float(vs_norm),
        people=people,
        coverage=coverage.sort("employee_no", "action"),
        weekly=_weekly(person_days),
    )


def _staff_ids(user: SignedInUser, branch_id: int | None) -> Any:
    """The ids of staff_in_scope, as a subquery for the usage reads."""
    stmt = select(Employee.id).where(
        Employee.is_active,
        Employee.branch_id.is_not(None),
        branch_condition(user, Action.USAGE_READ, Employee.branch_id),
    )
    return stmt.where(Employee.branch_id == branch_id) if branch_id is not None else stmt


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _closed_items(
    conn: Connection,
    user: SignedInUser,
    first: dt.date,
    last: dt.date,
    branch_id: int | None,
) -> pl.DataFrame:
    """Agenda items each employee closed as done in the window, and how many without a note."""
    stmt = (
        select(
            AgendaItem.employee_id,
            func.count().label("closed"),
            func.sum(case((AgendaItem.consultation_id.is_(None), 1), else_=0)).label(
                "closed_without_note"
            ),
        )
        .where(
            AgendaItem.business_date.between(first, last),
            AgendaItem.status == "done",
            branch_condition(user, Action.USAGE_READ, AgendaItem.branch_id),
        )
        .group_by(AgendaItem.employee_id)
    )
    if branch_id is not None:
        stmt = stmt.where(AgendaItem.branch_id == branch_id)
    return read_frame(conn, stmt, CLOSED_SCHEMA)


def _people(
    staff: pl.DataFrame,
    person_days: pl.DataFrame,
    window: pl.DataFrame,
    coverage: pl.DataFrame,
    closed: pl.DataFrame,
    as_of: dt.date,
    last_day: dt.date,
    holidays: frozenset[dt.date],
) -> pl.DataFrame:
    """One row per staff member with every per-person figure of `Adoption.people`; idle days
    count up to `as_of` (today), the rest stops at `last_day`."""
    half = last_day - dt.timedelta(days=HALF_WINDOW_DAYS - 1)
    first = half - dt.timedelta(days=HALF_WINDOW_DAYS)
    active = window.filter(pl.col("actions") > 0)
    day = pl.col("day")
    halves = person_days.group_by("employee_id").agg(
        pl.col("actions")
        .filter(day.is_between(first, half, closed="left"))
        .sum()
        .alias("before_actions"),
        pl.col("actions").filter(day >= half).sum().alias("recent_actions"),
    )
    per_person = active.group_by("employee_id").agg(
        pl.col("actions").sum(),
        pl.len().alias("active_days"),
        pl.col("notes").sum(),
        pl.col("late_notes").sum(),
    )
    last_active = (
        person_days.filter(pl.col("actions") > 0)
        .group_by("employee_id")
        .agg(pl.col("day").max().alias("last_active"))
    )
    features = coverage.group_by("employee_id").agg(pl.len().alias("features"))
    people = (
        staff.join(per_person, on="employee_id", how="left")
        .join(halves, on="employee_id", how="left")
        .join(last_active, on="employee_id", how="left")
        .join(features, on="employee_id", how="left")
        .join(closed, on="employee_id", how="left")
        .with_columns(
            pl.col(
                "actions",
                "active_days",
                "notes",
                "late_notes",
                "before_actions",
                "recent_actions",
                "features",
                "closed",
                "closed_without_note",
            ).fill_null(0)
        )
    )
    # The decline divides by each half's working days, so days without use count as zero.
    before_days = len(working_days(first, half - dt.timedelta(days=1), holidays))
    recent_days = len(working_days(half, last_day, holidays))
    before = pl.col("before_actions") / before_days if before_days else pl.lit(0.0)
    recent = pl.col("recent_actions") / recent_days if recent_days else pl.lit(0.0)
    return (
        people.with_columns(
            metrics.actions_per_person_day(pl.col("actions"), pl.col("active_days"))
            .fill_null(0.0)
            .alias("actions_per_day"),
            before.alias("before_per_day"),
            recent.alias("recent_per_day"),
            (as_of - pl.col("last_active")).dt.total_days().alias("idle_days"),
        )
        .with_columns(
            metrics.share_of_norm_pct(pl.col("actions_per_day")).alias("vs_norm_pct"),
            pl.when(pl.col("before_per_day") > 0)
            .then((pl.col("recent_per_day") / pl.col("before_per_day") - 1) * 100)
            .otherwise(None)
            .alias("change_pct"),
            (
                (
                    (pl.col("notes") >= BURST_MIN_NOTES)
                    & (pl.col("late_notes") >= BURST_SHARE * pl.col("notes"))
                )
                | (
                    (pl.col("closed") >= NOTELESS_MIN_CLOSED)
                    & (pl.col("closed_without_note") >= NOTELESS_SHARE * pl.col("closed"))
                )
            ).alias("paper_signal"),
        )
        .with_columns(
            (
                (pl.col("before_per_day") >= DECLINE_MIN_BEFORE)
                & (pl.col("change_pct") <= -DECLINE_PCT)
            )
            .fill_null(False)
            .alias("declining")
        )
        .drop("before_actions", "recent_actions")
    )


def _weekly(person_days: pl.DataFrame) -> pl.DataFrame:
    active = person_days.filter(pl.col("actions") > 0)
    return (
        active.with_columns(pl.col("day").dt.truncate("1w").alias("week_start"))
        .group_by("week_start")
        .agg(
            pl.col("employee_id").n_unique().alias("active_staff"),
            (pl.col("actions").sum() / pl.len()).alias("actions_per_person_day"),
        )
        .sort("week_start")
    )


def idle_staff(people: pl.DataFrame, days: int) -> pl.DataFrame:
    """Staff with no action for at least `days` days (or none within the trend weeks)."""
    return people.filter(pl.col("idle_days").is_null() | (pl.col("idle_days") >= days)).sort(
        pl.col("idle_days").fill_null(10**6), descending=True
    )


def idle_today_or_below_norm(
    conn: Connection, user: SignedInUser, as_of: dt.date, *, branch_id: int | None = None
) -> pl.DataFrame:
    """Staff with no action yet on `as_of` (today, from the raw events) or below the norm
    (metrics.ACTIONS_NORM_PER_DAY over the window), with used_today: those idle today first,
    then the lowest use. A branch manager's to-do."""
    people = adoption(conn, user, as_of, branch_id=branch_id).people
    start = dt.datetime.combine(as_of, dt.time())
    acted = read_frame(
        conn,
        select(UsageEvent.employee_id)
        .where(
            UsageEvent.occurred_at >= start,
            UsageEvent.occurred_at < start + dt.timedelta(days=1),
            UsageEvent.employee_id.in_(people["employee_id"].to_list()),
        )
        .distinct(),
        {"employee_id": pl.Int64},
    )
    used_today = pl.col("employee_id").is_in(acted["employee_id"].implode())
    return (
        people.with_columns(used_today.alias("used_today"))
        .filter(~pl.col("used_today") | (pl.col("vs_norm_pct").fill_null(0) < 100))
        .sort("used_today", pl.col("actions_per_day").fill_null(0))
    )


def declining_staff(people: pl.DataFrame) -> pl.DataFrame:
    """Staff whose use is declining (see the module doc), steepest fall first."""
    return people.filter("declining").sort("change_pct")


def coverage_by_branch(adoption: Adoption) -> pl.DataFrame:
    """Per branch and feature, the share (%) of the branch's staff who used it in the window:
    the firm-wide view of the employee x feature coverage."""
    branch = ["branch_code", "branch_name_ko", "branch_name_en"]
    staff = adoption.people.group_by(branch).agg(pl.len().alias("staff"))
    users = (
        adoption.coverage.join(adoption.people.select("employee_id", *branch), on="employee_id")
        .group_by(*branch, "action")
        .agg(pl.len().alias("users"))
    )
    return (
        users.join(staff, on=branch)
        .with_columns((pl.col("users") * 100 / pl.col("staff")).alias("share_pct"))
        .sort("branch_code", "action")
    )


# ---------------------------------------------------------------------------------------------
# One employee's recent activity.

ACTIVITY_SCHEMA = {"day": pl.Date, "action": pl.String, "events": pl.Int64}
RECENT_SCHEMA: FrameSchema = {
    "occurred_at": pl.Datetime("us"),
    "action": pl.String,
    "page": pl.String,
    "target": pl.String,
}
RECENT_EVENTS = 50


@dataclass(frozen=True, slots=True)
class EmployeeActivity:
    employee_id: int
    employee_no: str
    name: str
    branch_code: str
    daily: pl.DataFrame  # day x action events, the last `days` days (aggregates)
    busiest_day_actions: int  # the most actions of one of those days
    recent: pl.DataFrame  # the latest events, today's included (raw)


def employee_activity(
    conn: Connection, user: SignedInUser, employee_id: int, as_of: dt.date, *, days: int = 14
) -> EmployeeActivity:
    """One employee's daily actions and latest events; AccessDenied outside the user's scope.

    An event's target (which customer was opened, noted or alerted on) is shown only to those
    the policy lets read customer records: a trainer coaches on actions and screens, and their
    `recent` frame has no target column at all, so usage cannot be a way round the customer
    policy.
    """
    row = conn.execute(
        select(Employee.employee_no, Employee.name, Employee.branch_id, Branch.code)
        .join(Branch, Branch.id == Employee.branch_id, isouter=True)
        .where(Employee.id == employee_id)
    ).one_or_none()
    if row is None or row.branch_id is None:
        raise AccessDenied("usage_employee_unknown")
    check_branch(user, row.branch_id)
    daily = read_frame(
        conn,
        select(UsageDaily.day, UsageDaily.action, UsageDaily.events)
        .where(
            UsageDaily.employee_id == employee_id,
            UsageDaily.day.between(as_of - dt.timedelta(days=days), as_of - dt.timedelta(days=1)),
        )
        .order_by(UsageDaily.day, UsageDaily.action),
        ACTIVITY_SCHEMA,
    )
    shown = [UsageEvent.occurred_at, UsageEvent.action, UsageEvent.page]
    if permits(user, Action.CUSTOMER_READ):
        shown.append(UsageEvent.target)
    recent = read_frame(
        conn,
        select(*shown)
        .where(
            UsageEvent.employee_id == employee_id,
            UsageEvent.occurred_at < dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()),
        )
        .order_by(UsageEvent.occurred_at.desc())
        .limit(RECENT_EVENTS),
        {column.key: RECENT_SCHEMA[column.key] for column in shown},
    )
    busiest = daily.group_by("day").agg(pl.col("events").sum())["events"].max()
    return EmployeeActivity(
        employee_id,
        row.employee_no,
        row.name,
        row.code,
        daily,
        busiest if isinstance(busiest, int) else 0,
        recent,
    )


def branches_in_scope(conn: Connection, user: SignedInUser) -> pl.DataFrame:
    """The branches whose usage the user may read (id, code, names), for the branch picker."""
    require(user, Action.USAGE_READ)
    stmt = (
        select(Branch.id, Branch.code, Branch.name_ko, Branch.name_en)
        .where(branch_condition(user, Action.USAGE_READ, Branch.id))
        .order_by(Branch.code)
    )
    return read_frame(conn, stmt, {"id": pl.Int64})
