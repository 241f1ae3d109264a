"""Timing, rivals and the machine's memory-bandwidth bound, shared by every task."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from data_access.core.db import (
    counting_bytes_read,
)


@dataclass(frozen=True, slots=True)
class Task:
    """One measured task: our way, up to two rivals, and an equality check.

    The rivals are a naive pandas app (`baseline`: whole tables into pandas, then filter) and
    a strong one (`strong`): what a competent engineer writes in an afternoon with the same
    freshness of data, SQL pushed down to the database or DuckDB over the same analytical
    copy; `strong_kind` names which. Every way takes the call's index, so a task can walk
    through many inputs (random customers) while call 0 of each answers the same question and
    the answers can be compared.
    """

    name: str
    ours: Callable[[int], Any]
    baseline: Callable[[int], Any] | None = None
    same_answer: Callable[[Any, Any], bool] | None = None
    # The answer is a figure computed from data: bound the time at the memory bandwidth by the
    # bytes of the frames call 0 reads (data_access.db counts them).
    figure: bool = False
    runs: int | None = None
    # A task whose every call starts from a fresh copy (an import) has nothing to warm up, and
    # at full scale a warm-up call costs a minute: its first call is then timed too.
    warm_up: bool = True
    # Untimed preparation before the first call (say, the database an import reloads).
    setup: Callable[[], Any] | None = None
    strong: Callable[[int], Any] | None = None
    strong_kind: str | None = None  # "sql" (pushed down) or "duckdb" (over a Parquet copy)


@dataclass(frozen=True, slots=True)
class Timing:
    median_ms: float
    p95_ms: float
    runs: int


@dataclass(frozen=True, slots=True)
class TaskResult:
    task: str
    median_ms: float
    p95_ms: float
    runs: int
    naive_median_ms: float | None
    naive_p95_ms: float | None
    naive_runs: int | None
    ratio_naive: float | None
    strong_kind: str | None
    strong_median_ms: float | None
    strong_p95_ms: float | None
    ratio_strong: float | None
    # Whether every rival answered as we did (None: nothing to compare); `differs` names any
    # rival that did not.
    same_answer: bool | None
    differs: tuple[str, ...]
    limit_ms: float | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def time_calls(call: Callable[[int], Any], indices: range) -> list[float]:
    """Milliseconds of each call, one per index."""
    timings = []
    for index in indices:
        started = time.perf_counter()
        call(index)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
    return ordered[index]


def summary(timings: list[float]) -> Timing:
    return Timing(
        median_ms=round(statistics.median(timings), 2),
        p95_ms=round(percentile(timings, 0.95), 2),
        runs=len(timings),
    )


def memory_bandwidth_bytes_per_s(size_mb: int = 512) -> float:
    """Single-thread read bandwidth: the best of a few sums over a buffer larger than cache."""
    buffer = np.ones(size_mb * 2**20 // 8, dtype=np.float64)
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        buffer.sum()
        best = min(best, time.perf_counter() - started)
    return buffer.nbytes / best


# At full scale a rival's call can take minutes (agenda_build's SQL rival 2 min, its naive one
# and the naive imports more): one that took longer than this is timed by that first call
# alone, so a run of every task fits its budget.
ONCE_OVER_MS = 60_000


def run_contender(
    call: Callable[[int], Any], *, runs: int, warm_up: bool, once_over_ms: float | None = None
) -> tuple[Any, Timing]:
    """Call 0 warms up (its answer is the one compared), then calls 1..runs are timed; without
    a warm-up, call 0 is timed too and `runs` calls are made in all. A call 0 slower than
    `once_over_ms` is the only one, and its time is the timing (runs 1)."""
    started = time.perf_counter()
    answer = call(0)
    first_ms = (time.perf_counter() - started) * 1000
    if once_over_ms is not None and first_ms > once_over_ms:
        return answer, summary([first_ms])
    if warm_up:
        return answer, summary(time_calls(call, range(1, runs + 1)))
    return answer, summary([first_ms, *time_calls(call, range(1, runs))])


def measure(task: Task, *, runs: int, naive_runs: int | None, bandwidth: float) -> TaskResult:
    """Every contender is timed the same way (`run_contender`), ours first, then the strong
    rival, then the naive one. `naive_runs` caps the naive rival's runs where one call takes
    minutes (full scale), and there a rival's call over ONCE_OVER_MS is its only one; None
    gives it as many as the others.
    """
    runs = task.runs or runs
    if task.setup is not None:
        task.setup()
    with counting_bytes_read() as bytes_read:
        started = time.perf_counter()
        ours_answer = task.ours(0)
        first_ms = (time.perf_counter() - started) * 1000
    if task.warm_up:
        ours = summary(time_calls(task.ours, range(1, runs + 1)))
    else:
        ours = summary([first_ms, *time_calls(task.ours, range(1, runs))])
    rivals: dict[str, Timing] = {}
    differs = []
    compared = False
    capped = ONCE_OVER_MS if naive_runs is not None else None
    for label, call, count in (
        ("strong", task.strong, runs),
        ("naive", task.baseline, min(runs, naive_runs or runs)),
    ):
        if call is None:
            continue
        answer, rivals[label] = run_contender(
            call, runs=count, warm_up=task.warm_up, once_over_ms=capped
        )
        if task.same_answer is not None:
            compared = True
            if not task.same_answer(ours_answer, answer):
                differs.append(label)
    naive, strong = rivals.get("naive"), rivals.get("strong")

    def ratio(rival: Timing | None) -> float | None:
        if rival is None or ours.median_ms <= 0:
            return None
        return round(rival.median_ms / ours.median_ms, 2)

    return TaskResult(
        task=task.name,
        median_ms=ours.median_ms,
        p95_ms=ours.p95_ms,
        runs=ours.runs,
        naive_median_ms=naive.median_ms if naive else None,
        naive_p95_ms=naive.p95_ms if naive else None,
        naive_runs=naive.runs if naive else None,
        ratio_naive=ratio(naive),
        strong_kind=task.strong_kind if strong else None,
        strong_median_ms=strong.median_ms if strong else None,
        strong_p95_ms=strong.p95_ms if strong else None,
        ratio_strong=ratio(strong),
        same_answer=(not differs) if compared else None,
        differs=tuple(differs),
        limit_ms=round(bytes_read[0] / bandwidth * 1000, 3) if task.figure else None,
    )


def _cell(value: Any, width: int) -> str:
    return f"{'-' if value is None else str(value):>{width}}"


def format_table(results: list[TaskResult]) -> str:
    columns = (
        ("median ms", 11), ("p95 ms", 10), ("runs", 6), ("strong", 8), ("strong ms", 11),
        ("ratio_strong", 14), ("naive ms", 11), ("ratio_naive", 13), ("same", 7),
        ("limit ms", 10),
    )  # fmt: skip
    header = f"{'task':<36}" + "".join(f"{name:>{width}}" for name, width in columns)
    lines = [header, "-" * len(header)]
    for r in results:
        same = r.same_answer if not r.differs else "no:" + ",".join(r.differs)
        values = (
            r.median_ms, r.p95_ms, r.runs, r.strong_kind, r.strong_median_ms, r.ratio_strong,
            r.naive_median_ms, r.ratio_naive, same, r.limit_ms,
        )  # fmt: skip
        lines.append(
            f"{r.task:<36}"
            + "".join(
                _cell(value, width) for value, (_, width) in zip(values, columns, strict=True)
            )
        )
    return "\n".join(lines)
