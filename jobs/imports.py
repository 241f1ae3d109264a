"""After an import: refresh what is built from the data it changed.

The customer-feature copy (segments) is rebuilt at once, because pages count from it: the import
marked it stale in its own unit of work, and the rebuild is the one any stale copy gets
(`jobs.segments.run_if_stale`, a no-op if another process refreshed it meanwhile); the daily
jobs (agenda, KPI snapshot) are named for the admin and run at their next schedule, since
rebuilding today's agenda in the middle of a working day would reshuffle the reps' lists. A
refresh that fails leaves the import in place (it is committed) and is named as failed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from data_access.imports import (
    ImportResult,
)
from jobs import segments as segments_job
from jobs.agenda import JobFailed
from jobs.registry import JOBS

REFRESHED_AT_ONCE: dict[str, Callable[[Engine, dt.date], Any]] = {
    segments_job.JOB: segments_job.run_if_stale
}


@dataclass(frozen=True, slots=True)
class Refresh:
    ran: tuple[str, ...] = ()
    due: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()


def refresh_after_import(engine: Engine, result: ImportResult, business_date: dt.date) -> Refresh:
    stale = [name for name in result.stale_jobs if name in JOBS]
    ran, failed = [], []
    for name in stale:
        if name not in REFRESHED_AT_ONCE:
            continue
        try:
            REFRESHED_AT_ONCE[name](engine, business_date)
        except JobFailed:
            failed.append(name)
        else:
            ran.append(name)
    due = tuple(name for name in stale if name not in REFRESHED_AT_ONCE)
    return Refresh(ran=tuple(ran), due=due, failed=tuple(failed))
