"""The retention-report job and the disposal command: the schedule's report runs every working
day and deletes nothing; disposal runs only when an administrator asks (the audit page's
button or `python -m jobs dispose-records --as USER`), with an audit record per kind."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine

from data_access import retention
from data_access.core import job_runs
from jobs.agenda import JobFailed

JOB = retention.JOB


def run(engine: Engine, business_date: dt.date) -> dict[str, Any]:
    """Report what is due on `business_date` (the CLI and the jobs page's "run now")."""
    return summary(retention.run_disposal_report(engine, business_date, force=True))


def run_if_due(engine: Engine, business_date: dt.date) -> dict[str, Any]:
    """Report unless this date's report is done or running (the scheduler's way)."""
    outcome = retention.run_disposal_report(engine, business_date, force=False)
    return summary(outcome, raise_on_failure=False)


def summary(outcome: job_runs.RunOutcome, *, raise_on_failure: bool = True) -> dict[str, Any]:
    """date, status, items (records due for disposal) and the due and held counts per kind."""
    if raise_on_failure and outcome.status == job_runs.FAILED:
        raise JobFailed(
            "job_failed_kept",
            job=job_runs.JobName(retention.JOB),
            date=outcome.business_date,
            error=outcome.error,
        )
    if raise_on_failure and outcome.status == job_runs.SKIPPED:
        raise JobFailed("job_busy", job=job_runs.JobName(retention.JOB), date=outcome.business_date)
    return {
        "date": outcome.business_date.isoformat(),
        "status": outcome.status,
        "items": outcome.rows,
        "kinds": outcome.detail.get("kinds", {}),
        "duration_s": round(outcome.duration_s, 3),
    }
