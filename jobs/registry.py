"""The jobs that `python -m jobs run` and the scheduler know, by name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from jobs import agenda


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    description: str
    run: Callable[[Engine, dt.date], dict[str, Any]]
    # What the scheduler calls: like `run`, but a date already done is left alone.
    run_if_due: Callable[[Engine, dt.date], dict[str, Any]] | None = None


# Filled as features land: the agenda build (issue 5) and the KPI snapshot (issue 7).
JOBS: dict[str, Job] = {}

JOBS["agenda"] = Job(
    "agenda",
    "Morning agenda: every rep's items for the business date, from the agenda rules",
    run=agenda.run,
    run_if_due=agenda.run_if_due,
)


class UnknownJob(LookupError):
    def __init__(self, name: str) -> None:
        known = ", ".join(sorted(JOBS)) or "none yet"
        super().__init__(f"No job named {name!r}; known jobs: {known}.")
