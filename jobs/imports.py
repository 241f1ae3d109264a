"""After an import: refresh what is built from the data it changed.

The customer-feature copy (segments) is rebuilt at once, because pages count from it; the daily
jobs (agenda, KPI snapshot) are named for the admin and run at their next schedule, since
rebuilding today's agenda in the middle of a working day would reshuffle the reps' lists. A
refresh that fails leaves the import in place (it is committed) and is named as failed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from data_access.imports import ImportResult
from jobs.agenda import JobFailed
from jobs.registry import JOBS

REFRESHED_AT_ONCE = frozenset({"customer-features"})


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
            JOBS[name].run(engine, business_date)
        except JobFailed:
            failed.append(name)
        else:
            ran.append(name)
    due = tuple(name for name in stale if name not in REFRESHED_AT_ONCE)
    return Refresh(ran=tuple(ran), due=due, failed=tuple(failed))
