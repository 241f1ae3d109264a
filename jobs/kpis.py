"""The KPI snapshot as a job: a business date (scheduled or by hand) or a backfilled range."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine

from data_access import kpis
from data_access.core import job_runs
from jobs.agenda import JobFailed

JOB = kpis.JOB


def run(engine: Engine, business_date: dt.date) -> dict[str, Any]:
    """Snapshot `business_date` again (the CLI and the jobs page's "run now")."""
    return run_range(engine, business_date, business_date)


def run_range(engine: Engine, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Backfill start..end in one pass (`python -m jobs run kpi-snapshot --from --to`)."""
    if start > end:
        raise JobFailed("job_backfill_order", start=start, end=end)
    return summary(kpis.snapshot(engine, start, end, force=True))


def run_if_due(engine: Engine, business_date: dt.date) -> dict[str, Any]:
    """Snapshot `business_date` unless it is done or being done (the scheduler's way)."""
    outcome = kpis.snapshot(engine, business_date, business_date, force=False)
    return summary(outcome, raise_on_failure=False)


def summary(outcome: kpis.SnapshotOutcome, *, raise_on_failure: bool = True) -> dict[str, Any]:
    """The run (date, status, items, from, to, days, duration_s) and, by KPI name, the firm's
    values on the last business day of the range."""
    run = outcome.run
    if raise_on_failure and run.status == job_runs.FAILED:
        raise JobFailed(
            "job_failed_kept",
            job=job_runs.JobName(JOB),
            date=f"{outcome.start}..{outcome.end}",
            error=run.error,
        )
    if raise_on_failure and run.status == job_runs.SKIPPED:
        raise JobFailed("job_busy", job=job_runs.JobName(JOB), date=outcome.end)
    return {
        "date": outcome.end.isoformat(),
        "status": run.status,
        "items": run.rows,  # snapshot rows written, named as the other jobs name their output
        "from": outcome.start.isoformat(),
        "to": outcome.end.isoformat(),
        "days": outcome.days,
        "duration_s": round(run.duration_s, 3),
        **({"reason": run.reason} if run.reason else {}),
        **({"error": run.error} if run.error else {}),
        **outcome.firm,
    }


# The demo opens on about six months of KPI history: some 3 s of work at the default 20,000
# customers, most of it writing the rows (400 days took 5 s).
DEMO_HISTORY_DAYS = 200


def after_demo_data(engine: Engine, as_of: dt.date) -> dict[str, Any]:
    """Backfill the demo's last DEMO_HISTORY_DAYS of snapshots, up to the day before `as_of`."""
    end = as_of - dt.timedelta(days=1)
    return run_range(engine, end - dt.timedelta(days=DEMO_HISTORY_DAYS), end)
