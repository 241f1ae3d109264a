"""The analytical copy of customer features as a job: by hand (always), scheduled, after an
import, or in the background once writes made it stale.

A stale copy is rebuilt in the background only when it is older than AUTO_REFRESH_AFTER and
this process has not tried within as long: at full scale a rebuild takes seconds of CPU, so a
busy day of notes costs a rebuild every few minutes at most, never one per page run.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from data_access import segments
from data_access.core import job_runs
from data_access.core.security import (
    SignedInUser,
    now_seoul,
)
from jobs.agenda import JobFailed

JOB = segments.FEATURES_JOB
AUTO_REFRESH_AFTER = dt.timedelta(minutes=10)


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
            "job_failed_kept",
            job=job_runs.JobName(JOB),
            date=outcome.business_date,
            error=outcome.error,
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


def run_for(user: SignedInUser, engine: Engine, business_date: dt.date) -> dict[str, Any]:
    """A rebuild a person asked for in the console; AccessDenied unless they may ask."""
    segments.require_refresh_features(user)
    return run(engine, business_date)


def run_if_due(engine: Engine, business_date: dt.date) -> dict[str, Any]:
    return summary(refresh(engine, business_date, force=False), raise_on_failure=False)


def run_if_stale(engine: Engine, business_date: dt.date) -> dict[str, Any] | None:
    """Rebuild now when the copy is missing or lacks changes; None when it is current."""
    try:
        if not segments.features_behind(engine):
            return None
    except segments.CopyMissing:
        pass
    return run(engine, business_date)


_background_tries: dict[Path, dt.datetime] = {}
_running: set[Path] = set()
_background_lock = threading.Lock()


def refresh_in_background(
    engine: Engine, business_date: dt.date, copy: segments.FeatureCopy
) -> bool:
    """Start rebuilding `copy` in a thread if it lacks changes and is due (see the module
    docstring); True while this process rebuilds it. The page keeps reading the old copy
    until the new file is in place."""
    folder = segments.analytics_folder(engine)
    now = now_seoul()
    with _background_lock:
        if folder in _running:
            return True
        tried = _background_tries.get(folder)
        due = copy.behind > 0 and now - copy.built_at >= AUTO_REFRESH_AFTER
        if not due or (tried is not None and now - tried < AUTO_REFRESH_AFTER):
            return False
        _background_tries[folder] = now
        _running.add(folder)

    def rebuild() -> None:
        try:
            refresh(engine, business_date, force=True)  # a failure is in the job ledger
        finally:
            with _background_lock:
                _running.discard(folder)

    threading.Thread(target=rebuild, name=f"{JOB}-refresh", daemon=True).start()
    return True
