"""The jobs that `python -m jobs run` and the scheduler know, by name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    description: str
    run: Callable[[Engine, dt.date], dict[str, Any]]


# Filled as features land: the agenda build (issue 5) and the KPI snapshot (issue 7).
JOBS: dict[str, Job] = {}


class UnknownJob(LookupError):
    def __init__(self, name: str) -> None:
        known = ", ".join(sorted(JOBS)) or "none yet"
        super().__init__(f"No job named {name!r}; known jobs: {known}.")
