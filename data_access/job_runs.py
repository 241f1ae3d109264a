"""The ledger of job runs: one row per (job, business date), claimed before the work starts.

The unique key on (job, business_date) is what lets two schedulers, a retry and a person
pressing "run now" meet safely: whoever inserts the row (or turns a failed row back to
running) does the work; everyone else sees the row and stands aside. The work itself is
split in two: a read-and-compute phase outside any write transaction, then one write
transaction that replaces the output and marks the run succeeded together, so a failure
leaves the previous output as it was and records why.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from data_access.db import hold_job_lock, read_frame
from data_access.models import JobRun, Role
from data_access.security import SignedInUser, now_seoul

log = logging.getLogger("dreams.jobs")

RUNNING, SUCCEEDED, FAILED, SKIPPED = "running", "succeeded", "failed", "skipped"
# A run still "running" after this long died with its process; another may take over.
STALE_AFTER = dt.timedelta(hours=2)
ERROR_MAX_CHARS = 2_000

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
    failed one is always retried.
    """
    claimed, reason = _claim(engine, job, business_date, force=force)
    if claimed is None:
        log.info("%s for %s skipped: %s", job, business_date, reason)
        return RunOutcome(job, business_date, SKIPPED, reason=reason)
    started = time.perf_counter()
    try:
        write = prepare()
        with engine.begin() as conn:
            # Write first: on SQLite this takes the write lock before anything is read, so a
            # concurrent writer makes us wait instead of failing on a stale snapshot.
            conn.execute(update(JobRun).where(JobRun.id == claimed).values(started_at=now_seoul()))
            hold_job_lock(conn, job)
            rows, detail = write(conn)
            duration = time.perf_counter() - started
            detail = {**detail, "duration_s": round(duration, 3)}
            _finish(conn, claimed, SUCCEEDED, rows=rows, detail=detail, duration=duration)
    except Exception as exc:
        duration = time.perf_counter() - started
        error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS]
        log.exception("%s for %s failed", job, business_date)
        with engine.begin() as conn:
            _finish(conn, claimed, FAILED, duration=duration, error=error)
        return RunOutcome(job, business_date, FAILED, duration_s=duration, error=error)
    return RunOutcome(job, business_date, SUCCEEDED, rows, detail, duration)


def _claim(
    engine: Engine, job: str, business_date: dt.date, *, force: bool
) -> tuple[int | None, str | None]:
    """The run row's id if this caller may do the work, else None and why not."""
    now = now_seoul()
    try:
        with engine.begin() as conn:
            result = conn.execute(
                insert(JobRun).values(
                    job=job, business_date=business_date, status=RUNNING, started_at=now
                )
            )
            return int(result.inserted_primary_key[0]), None
    except IntegrityError:
        pass  # the date has a row already: maybe take it over below
    retake = [
        JobRun.status == FAILED,
        (JobRun.status == RUNNING) & (JobRun.started_at < now - STALE_AFTER),
    ]
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
            return run_id, None
        status = conn.execute(
            select(JobRun.status).where(JobRun.job == job, JobRun.business_date == business_date)
        ).scalar_one()
    return None, "running" if status == RUNNING else "done"


def _finish(
    conn: Connection,
    run_id: int,
    status: str,
    *,
    duration: float,
    rows: int | None = None,
    detail: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    conn.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(
            status=status,
            finished_at=now_seoul(),
            duration_s=round(duration, 3),
            rows=rows,
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None,
            error=error,
        )
    )


RUNS_SCHEMA = {
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


def recent_runs(conn: Connection, user: SignedInUser, *, limit: int = 30) -> pl.DataFrame:
    """The latest runs of every job, newest business date first (administrators only).

    `counts` sums up the detail's `items_by_rule` ("1:maturity 45 · 2:churn_risk 118").
    """
    if user.role != Role.ADMIN:
        raise PermissionError("Only administrators may read the job ledger.")
    stmt = (
        select(*(getattr(JobRun, name) for name in RUNS_SCHEMA))
        .order_by(JobRun.business_date.desc(), JobRun.started_at.desc())
        .limit(limit)
    )
    runs = read_frame(conn, stmt, RUNS_SCHEMA)
    return runs.with_columns(
        pl.Series("counts", [_counts(detail) for detail in runs["detail"]], dtype=pl.String)
    )


def _counts(detail: str | None) -> str:
    by_rule = json.loads(detail).get("items_by_rule", {}) if detail else {}
    return " · ".join(f"{rule} {count:,}" for rule, count in by_rule.items())


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
