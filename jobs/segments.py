"""The analytical copy of customer features as a job: by hand (always) or scheduled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Engine

from data_access import job_runs, segments
from jobs.agenda import JobFailed

JOB = "customer-features"


def refresh(engine: Engine, business_date: dt.date, *, force: bool) -> job_runs.RunOutcome:
    """Rebuild the copy as of `business_date`, recorded in the job ledger like every job."""

    def prepare() -> job_runs.Writer:
        copy = segments.write_features(engine, business_date)

        def write(_conn: Connection) -> tuple[int, dict[str, Any]]:
            return copy.frame.height, {"built_at": copy.built_at.isoformat(timespec="seconds")}

        return write

    return job_runs.run_job(engine, JOB, business_date, prepare, force=force)


def summary(outcome: job_runs.RunOutcome, *, raise_on_failure: bool = True) -> dict[str, Any]:
    if raise_on_failure and outcome.status == job_runs.FAILED:
        raise JobFailed(
            f"the customer features for {outcome.business_date} failed and the previous copy "
            f"is kept: {outcome.error}"
        )
    return {
        "date": outcome.business_date.isoformat(),
        "status": outcome.status,
        "customers": outcome.rows,
        "duration_s": round(outcome.duration_s, 3),
        **({"reason": outcome.reason} if outcome.reason else {}),
        **({"error": outcome.error} if outcome.error else {}),
    }


def run(engine: Engine, business_date: dt.date) -> dict[str, Any]:
    return summary(refresh(engine, business_date, force=True))


def run_if_due(engine: Engine, business_date: dt.date) -> dict[str, Any]:
    return summary(refresh(engine, business_date, force=False), raise_on_failure=False)
