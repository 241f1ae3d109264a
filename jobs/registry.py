"""The jobs that `python -m jobs run` and the scheduler know, by name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from jobs import agenda, segments
from jobs import kpis as kpis_job
from jobs import retention as retention_job
from jobs import usage as usage_job


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    description: str
    run: Callable[[Engine, dt.date], dict[str, Any]]
    # What the scheduler calls: like `run`, but a date already done is left alone.
    run_if_due: Callable[[Engine, dt.date], dict[str, Any]] | None = None
    # A job that fills a span of dates in one pass (`run JOB --from --to`).
    run_range: Callable[[Engine, dt.date, dt.date], dict[str, Any]] | None = None


# Filled as features land: the agenda build (issue 5) and the KPI snapshot (issue 7).
JOBS: dict[str, Job] = {}

JOBS["agenda"] = Job(
    "agenda",
    "Morning agenda: every rep's items for the business date, from the agenda rules",
    run=agenda.run,
    run_if_due=agenda.run_if_due,
)

JOBS[segments.JOB] = Job(
    segments.JOB,
    "Customer features: the analytical copy that segment counts and campaign draws read",
    run=segments.run,
    run_if_due=segments.run_if_due,
)

JOBS["usage-aggregate"] = Job(
    "usage-aggregate",
    "Console usage: each employee's actions per day, counted from the usage events",
    run=usage_job.run,
    run_if_due=usage_job.run_if_due,
)

JOBS[kpis_job.JOB] = Job(
    kpis_job.JOB,
    "KPI snapshot: every KPI per branch, region and firm for the business date",
    run=kpis_job.run,
    run_if_due=kpis_job.run_if_due,
    run_range=kpis_job.run_range,
)

JOBS[retention_job.JOB] = Job(
    retention_job.JOB,
    "Retention report: records due for disposal per kind of record, and those legal holds keep",
    run=retention_job.run,
    run_if_due=retention_job.run_if_due,
)
