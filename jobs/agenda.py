"""The agenda build as a job: by hand (always rebuilds) or scheduled (once per date)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine

from data_access import agenda
from data_access.core import job_runs
from data_access.core.errors import (
    DomainError,
)


class JobFailed(DomainError):
    """The job did not produce its output: a refresh that follows an import notes the job and
    goes on, the command line and the jobs page say why."""


def run(engine: Engine, business_date: dt.date) -> dict[str, Any]:
    """Rebuild the agenda of `business_date` (the CLI and the jobs page's "run now")."""
    return summary(agenda.build_agenda(engine, business_date, force=True))


def run_if_due(engine: Engine, business_date: dt.date) -> dict[str, Any]:
    """Build `business_date` unless it is built or being built (the scheduler's way)."""
    outcome = agenda.build_agenda(engine, business_date, force=False)
    return summary(outcome, raise_on_failure=False)


def summary(outcome: job_runs.RunOutcome, *, raise_on_failure: bool = True) -> dict[str, Any]:
    """date, status, items, items_by_rule and duration_s; a failure or a refusal raises
    JobFailed unless the caller (the scheduler) only logs it."""
    if raise_on_failure and outcome.status == job_runs.FAILED:
        raise JobFailed(
            "job_failed_kept",
            job=job_runs.JobName(agenda.JOB),
            date=outcome.business_date,
            error=outcome.error,
        )
    if raise_on_failure and outcome.status == job_runs.SKIPPED:
        raise JobFailed("job_busy", job=job_runs.JobName(agenda.JOB), date=outcome.business_date)
    return {
        "date": outcome.business_date.isoformat(),
        "status": outcome.status,
        "items": outcome.rows,
        "items_by_rule": outcome.detail.get("items_by_rule", {}),
        "duration_s": round(outcome.duration_s, 3),
        **({"reason": outcome.reason} if outcome.reason else {}),
        **({"error": outcome.error} if outcome.error else {}),
    }
