"""The usage-aggregate job: yesterday's (and any not yet counted) usage events into usage_daily."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine

from data_access import usage
from data_access.core import job_runs
from data_access.core.db import (
    unit_of_work,
)
from jobs.agenda import JobFailed


def run(engine: Engine, business_date: dt.date) -> dict[str, Any]:
    """Recount the days before `business_date` (the CLI and the jobs page's "run now")."""
    return summary(usage.aggregate_usage(engine, business_date, force=True))


def run_if_due(engine: Engine, business_date: dt.date) -> dict[str, Any]:
    """Count unless this date's run is done or running (the scheduler's way)."""
    outcome = usage.aggregate_usage(engine, business_date, force=False)
    return summary(outcome, raise_on_failure=False)


# Days of console usage the demo generates (the CLI's and the console's first run): enough for
# the training page's four weeks before and after a completion, with a month of completions
# in between (28 days held none).
DEMO_USAGE_DAYS = 90


def after_demo_data(engine: Engine) -> int:
    """Count every day of freshly generated demo events, so the usage page has its history."""
    # A write transaction from the start: the embedded scheduler may be writing too.
    with engine.connect() as conn, unit_of_work(conn) as session:
        return usage.aggregate_all(session.connection())


def summary(outcome: job_runs.RunOutcome, *, raise_on_failure: bool = True) -> dict[str, Any]:
    """date, status, items (usage_daily rows written, the count the jobs page shows) and the
    days counted; a failure raises JobFailed for the CLI."""
    if raise_on_failure and outcome.status == job_runs.FAILED:
        raise JobFailed(
            "job_failed_kept",
            job=job_runs.JobName(usage.JOB),
            date=outcome.business_date,
            error=outcome.error,
        )
    if raise_on_failure and outcome.status == job_runs.SKIPPED:
        raise JobFailed("job_busy", job=job_runs.JobName(usage.JOB), date=outcome.business_date)
    return {
        "date": outcome.business_date.isoformat(),
        "status": outcome.status,
        "items": outcome.rows,
        "first_day": outcome.detail.get("first_day"),
        "last_day": outcome.detail.get("last_day"),
        "duration_s": round(outcome.duration_s, 3),
        **({"reason": outcome.reason} if outcome.reason else {}),
        **({"error": outcome.error} if outcome.error else {}),
    }
