"""The ledger of job runs: one row per (job, business date), claimed before the work starts.

The unique key on (job, business_date) is what lets two schedulers, a retry and a person
pressing "run now" meet safely: whoever inserts the row (or turns a failed row back to
running) does the work; everyone else sees the row and stands aside. The work itself is
split in two: a read-and-compute phase outside any write transaction, then one write
transaction that replaces the output and marks the run succeeded together, so a failure
leaves the previous output as it was and records why.

A process killed mid-build (kill -9, a lost machine) records nothing, so its row stays
"running". To tell it from a live build, the claim is a lease: it lapses at
`claim_expires_at`, which a thread of the live builder pushes forward every few seconds
through its own connection. Once a claim has missed `MISSED_RENEWALS` renewals, its builder
is taken for dead and the date may be claimed again. This works the same on SQLite and
PostgreSQL and between machines (a PostgreSQL session lock would end with the connection,
but SQLite has nothing alike across processes), provided their clocks agree to a few seconds,
as NTP keeps them. A builder that was only stalled past its lease finds at write time that its
claim was taken and writes nothing (`taken over`), so a live build is never joined.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, Engine, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from data_access.core.db import (
    FrameSchema,
    hold_job_lock,
    read_frame,
)
from data_access.core.models import (
    AgendaRule,
    JobRun,
)
from data_access.core.policy import (
    Action,
    require,
)
from data_access.core.security import (
    SignedInUser,
    now_seoul,
)

log = logging.getLogger("dreams.jobs")

RUNNING, SUCCEEDED, FAILED, SKIPPED = "running", "succeeded", "failed", "skipped"
# A live build renews its claim this often (seconds; CRM_JOB_CLAIM_RENEW_S overrides it, as
# the tests do), and a claim that missed this many renewals in a row belongs to a dead process.
# With the scheduler looking as often as builds renew, a killed build's date is taken over
# within 40 seconds.
CLAIM_RENEW_S = 10.0
MISSED_RENEWALS = 3
# Rows claimed before migration 0011 have no expiry: their builder never renews, so the old
# rule stands for them: still "running" after this long, it died with its process.
STALE_AFTER = dt.timedelta(hours=2)
ERROR_MAX_CHARS = 2_000


class JobName(str):
    """A job's name as a refusal's value: people read it in words (the catalogue's
    job_<name>), not as the name the command line takes."""


# The write phase: given the open write transaction, store the output; returns the rows
# written and a JSON-able detail for the ledger.
Writer = Callable[[Connection], tuple[int, dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """What one attempt did. `status` is succeeded, failed or skipped (`reason` says why)."""

    job: str
    business_date: dt.date
    status: str
    rows: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    duration_s: float = 0.0
    error: str | None = None
    reason: str | None = None


def run_job(
    engine: Engine,
    job: str,
    business_date: dt.date,
    prepare: Callable[[], Writer],
    *,
    force: bool,
) -> RunOutcome:
    """Claim (job, business_date), run `prepare` then its writer, and record the outcome.

    Without `force` (the scheduler) a date that already succeeded is skipped; with it (a
    person: the CLI, "run now") it is rebuilt. A run in progress is never joined, and a
    failed one is always retried, as is one whose builder died (its claim lapsed).
    """
    claim, reason = _claim(engine, job, business_date, force=force)
    if claim is None:
        log.info("%s for %s skipped: %s", job, business_date, reason)
        return RunOutcome(job, business_date, SKIPPED, reason=reason)
    started = time.perf_counter()
    with _renewing(engine, claim):
        try:
            write = prepare()
            with engine.begin() as conn:
                # Write first: on SQLite this takes the write lock before anything is read, so
                # a concurrent writer makes us wait instead of failing on a stale snapshot.
                if not _renew(conn, claim):
                    log.warning("%s for %s was taken over; nothing written", job, business_date)
                    return RunOutcome(job, business_date, SKIPPED, reason="taken over")
                hold_job_lock(conn, job)
                rows, detail = write(conn)
                duration = time.perf_counter() - started
                detail = {**detail, "duration_s": round(duration, 3)}
                _finish(conn, claim, SUCCEEDED, rows=rows, detail=detail, duration=duration)
        except Exception as exc:
            duration = time.perf_counter() - started
            error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS]
            log.exception("%s for %s failed", job, business_date)
            with engine.begin() as conn:
                _finish(conn, claim, FAILED, duration=duration, error=error)
            return RunOutcome(job, business_date, FAILED, duration_s=duration, error=error)
    return RunOutcome(job, business_date, SUCCEEDED, rows, detail, duration)


@dataclass(frozen=True, slots=True)
class _Claim:
    """A claim on a run row: the row and when it was claimed, which a takeover changes."""

    run_id: int
    claimed_at: dt.datetime

    def held(self) -> ColumnElement[bool]:
        return (
            (JobRun.id == self.run_id)
            & (JobRun.started_at == self.claimed_at)
            & (JobRun.status == RUNNING)
        )


def claim_renewal_s() -> float:
    """How often a live build renews its claim, in seconds (CRM_JOB_CLAIM_RENEW_S or 10)."""
    setting = os.environ.get("CRM_JOB_CLAIM_RENEW_S", "")
    try:
        seconds = float(setting or CLAIM_RENEW_S)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < math.inf:
        log.warning(
            "CRM_JOB_CLAIM_RENEW_S=%r is no number of seconds; using %s", setting, CLAIM_RENEW_S
        )
        return CLAIM_RENEW_S
    return seconds


def _claim_expiry(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=claim_renewal_s() * MISSED_RENEWALS)


def _builder_died(now: dt.datetime) -> ColumnElement[bool]:
    """A run still marked running whose builder stopped renewing its claim."""
    lapsed = JobRun.claim_expires_at < now
    legacy = JobRun.claim_expires_at.is_(None) & (JobRun.started_at < now - STALE_AFTER)
    return (JobRun.status == RUNNING) & or_(lapsed, legacy)


def _renew(conn: Connection, claim: _Claim) -> bool:
    """Push the claim's expiry forward; False if it is no longer ours (another took over)."""
    renewed = conn.execute(
        update(JobRun).where(claim.held()).values(claim_expires_at=_claim_expiry(now_seoul()))
    )
    return renewed.rowcount == 1


@contextmanager
def _renewing(engine: Engine, claim: _Claim) -> Iterator[None]:
    """Renew `claim` from a thread of this process for as long as the block runs.

    The thread has its own connection and short transactions. While the build's own write
    transaction holds the row (PostgreSQL) or the database (SQLite), a renewal waits; so does
    anyone trying to take the date over, who then finds it finished.
    """
    stop = threading.Event()
    every = claim_renewal_s()

    def renew_until_stopped() -> None:
        while not stop.wait(every):
            try:
                with engine.begin() as conn:
                    _renew(conn, claim)
            except SQLAlchemyError:
                # One missed renewal is no death; the claim lasts MISSED_RENEWALS of them.
                log.warning("could not renew the claim on job run %s", claim.run_id, exc_info=True)

    renewer = threading.Thread(
        target=renew_until_stopped, name=f"job-run-{claim.run_id}-claim", daemon=True
    )
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()


def _claim(
    engine: Engine, job: str, business_date: dt.date, *, force: bool
) -> tuple[_Claim | None, str | None]:
    """The claim on the run row if this caller may do the work, else None and why not."""
    now = now_seoul()
    try:
        with engine.begin() as conn:
            result = conn.execute(
                insert(JobRun).values(
                    job=job,
                    business_date=business_date,
                    status=RUNNING,
                    started_at=now,
                    claim_expires_at=_claim_expiry(now),
                )
            )
            key = result.inserted_primary_key
            assert key is not None  # typed optional; a one-row INSERT always reports its key
            return _Claim(int(key[0]), now), None
    except IntegrityError:
        pass  # the date has a row already: maybe take it over below
    retake = [JobRun.status == FAILED, _builder_died(now)]
    if force:
        retake.append(JobRun.status == SUCCEEDED)
    with engine.begin() as conn:
        # One conditional UPDATE, so two callers cannot both turn the same row to running.
        taken = conn.execute(
            update(JobRun)
            .where(JobRun.job == job, JobRun.business_date == business_date, or_(*retake))
            .values(
                status=RUNNING,
                started_at=now,
                claim_expires_at=_claim_expiry(now),
                finished_at=None,
                duration_s=None,
                rows=None,
                detail=None,
                error=None,
            )
        )
        if taken.rowcount == 1:
            run_id = conn.execute(
                select(JobRun.id).where(JobRun.job == job, JobRun.business_date == business_date)
            ).scalar_one()
            return _Claim(run_id, now), None
        status = conn.execute(
            select(JobRun.status).where(JobRun.job == job, JobRun.business_date == business_date)
        ).scalar_one()
    return None, "running" if status == RUNNING else "done"


def abandoned_runs(conn: Connection, jobs: Sequence[str], business_date: dt.date) -> list[str]:
    """Those of `jobs` whose run of `business_date` is marked running by a builder that died.

    The scheduler builds them again (jobs/scheduler.py `take_over_abandoned_runs`); without
    that, a build killed after its one scheduled firing would leave the day without output.
    """
    found = conn.scalars(
        select(JobRun.job)
        .where(
            JobRun.job.in_(jobs),
            JobRun.business_date == business_date,
            _builder_died(now_seoul()),
        )
        .order_by(JobRun.job)
    )
    return list(found)


def _finish(
    conn: Connection,
    claim: _Claim,
    status: str,
    *,
    duration: float,
    rows: int | None = None,
    detail: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    """Record the outcome, unless another process took the run over meanwhile."""
    conn.execute(
        update(JobRun)
        .where(claim.held())
        .values(
            status=status,
            finished_at=now_seoul(),
            duration_s=round(duration, 3),
            rows=rows,
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None,
            error=error,
        )
    )


RUNS_SCHEMA: FrameSchema = {
    "job": pl.String,
    "business_date": pl.Date,
    "status": pl.String,
    "started_at": pl.Datetime("us"),
    "finished_at": pl.Datetime("us"),
    "duration_s": pl.Float64,
    "rows": pl.Int64,
    "detail": pl.String,
    "error": pl.String,
}


RULE_ITEMS = pl.List(
    pl.Struct({"kind": pl.String, "name_ko": pl.String, "name_en": pl.String, "items": pl.Int64})
)


def recent_runs(conn: Connection, user: SignedInUser, *, limit: int = 30) -> pl.DataFrame:
    """The latest runs of every job, newest business date first (for those who run jobs).

    `items_by_rule` lists the agenda items each rule made in the run (kind, the rule's names
    in Korean and English, items): the detail stores rules by id and kind, which no reader
    should have to decode. A rule deleted since keeps only its kind.
    """
    require(user, Action.JOBS_RUN)
    stmt = (
        select(*(getattr(JobRun, name) for name in RUNS_SCHEMA))
        .order_by(JobRun.business_date.desc(), JobRun.started_at.desc())
        .limit(limit)
    )
    runs = read_frame(conn, stmt, RUNS_SCHEMA)
    names = {
        rule_id: (name_ko, name_en)
        for rule_id, name_ko, name_en in conn.execute(
            select(AgendaRule.id, AgendaRule.name_ko, AgendaRule.name_en)
        )
    }
    return runs.with_columns(
        pl.Series(
            "items_by_rule",
            [_items_by_rule(detail, names) for detail in runs["detail"]],
            RULE_ITEMS,
        )
    )


def last_run_per_job(conn: Connection, user: SignedInUser) -> pl.DataFrame:
    """Each job's latest run (job, business_date, status, finished_at, error), failed first:
    the admin's health check at a glance."""
    require(user, Action.JOBS_RUN)
    latest = (
        select(JobRun.job, func.max(JobRun.started_at).label("started_at"))
        .group_by(JobRun.job)
        .subquery()
    )
    stmt = select(
        JobRun.job, JobRun.business_date, JobRun.status, JobRun.finished_at, JobRun.error
    ).join(latest, (latest.c.job == JobRun.job) & (latest.c.started_at == JobRun.started_at))
    schema = {name: RUNS_SCHEMA[name] for name in ("job", "business_date", "status")}
    schema |= {"finished_at": RUNS_SCHEMA["finished_at"], "error": RUNS_SCHEMA["error"]}
    runs = read_frame(conn, stmt, schema)
    return runs.sort(pl.col("status") != FAILED, "job")


def _items_by_rule(detail: str | None, names: dict[int, tuple[str, str]]) -> list[dict[str, Any]]:
    by_rule = json.loads(detail).get("items_by_rule", {}) if detail else {}
    items = []
    for rule, count in by_rule.items():
        rule_id, kind = rule.split(":", 1)
        name_ko, name_en = names.get(int(rule_id), (None, None))
        items.append({"kind": kind, "name_ko": name_ko, "name_en": name_en, "items": count})
    return items


@dataclass(frozen=True, slots=True)
class RunState:
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    rows: int | None
    error: str | None


def run_state(conn: Connection, job: str, business_date: dt.date) -> RunState | None:
    """How the run of `job` for `business_date` stands, or None if it never started."""
    row = conn.execute(
        select(
            JobRun.status, JobRun.started_at, JobRun.finished_at, JobRun.rows, JobRun.error
        ).where(JobRun.job == job, JobRun.business_date == business_date)
    ).one_or_none()
    return RunState(*row) if row else None
