"""Timing, baselines and the machine's memory-bandwidth bound, shared by every task."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from data_access.db import counting_bytes_read


@dataclass(frozen=True, slots=True)
class Task:
    """One measured task: our way, optionally a plain pandas way, and an equality check.

    Both ways take the call's index, so a task can walk through many inputs (random customers)
    while call 0 of each answers the same question and the two answers can be compared.
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


@dataclass(frozen=True, slots=True)
class TaskResult:
    task: str
    median_ms: float
    p95_ms: float
    runs: int
    baseline_median_ms: float | None
    ratio: float | None
    same_answer: bool | None
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


def memory_bandwidth_bytes_per_s(size_mb: int = 512) -> float:
    """Single-thread read bandwidth: the best of a few sums over a buffer larger than cache."""
    buffer = np.ones(size_mb * 2**20 // 8, dtype=np.float64)
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        buffer.sum()
        best = min(best, time.perf_counter() - started)
    return buffer.nbytes / best


def measure(task: Task, *, runs: int, baseline_runs: int, bandwidth: float) -> TaskResult:
    """Call 0 warms up (and is the answer compared); calls 1..runs are timed. Without a
    warm-up, call 0 is timed too and `runs` calls are made in all.

    The baseline is timed from call 0, `baseline_runs` times in all: at full scale one call
    takes seconds to minutes (it reads whole tables, as a typical Streamlit app would).
    """
    runs = task.runs or runs
    if task.setup is not None:
        task.setup()
    with counting_bytes_read() as bytes_read:
        started = time.perf_counter()
        ours_answer = task.ours(0)
        first_ms = (time.perf_counter() - started) * 1000
    if task.warm_up:
        ours_ms = time_calls(task.ours, range(1, runs + 1))
    else:
        ours_ms = [first_ms, *time_calls(task.ours, range(1, runs))]
    baseline_ms: float | None = None
    same: bool | None = None
    if task.baseline is not None:
        started = time.perf_counter()
        baseline_answer = task.baseline(0)
        first_ms = (time.perf_counter() - started) * 1000
        later_ms = time_calls(task.baseline, range(1, min(runs, baseline_runs)))
        baseline_ms = statistics.median([first_ms, *later_ms])
        if task.same_answer is not None:
            same = task.same_answer(ours_answer, baseline_answer)
    median = statistics.median(ours_ms)
    return TaskResult(
        task=task.name,
        median_ms=round(median, 2),
        p95_ms=round(percentile(ours_ms, 0.95), 2),
        runs=runs,
        baseline_median_ms=round(baseline_ms, 2) if baseline_ms is not None else None,
        ratio=round(baseline_ms / median, 2) if baseline_ms is not None and median > 0 else None,
        same_answer=same,
        limit_ms=round(bytes_read[0] / bandwidth * 1000, 3) if task.figure else None,
    )


def format_table(results: list[TaskResult]) -> str:
    header = f"{'task':<24}{'median ms':>11}{'p95 ms':>10}{'runs':>6}{'pandas ms':>11}"
    header += f"{'ratio':>8}{'same':>7}{'limit ms':>10}"
    lines = [header, "-" * len(header)]
    for r in results:

        def cell(value: Any, width: int) -> str:
            return f"{'-' if value is None else str(value):>{width}}"

        lines.append(
            f"{r.task:<24}{r.median_ms:>11}{r.p95_ms:>10}{r.runs:>6}"
            f"{cell(r.baseline_median_ms, 11)}{cell(r.ratio, 8)}{cell(r.same_answer, 7)}"
            f"{cell(r.limit_ms, 10)}"
        )
    return "\n".join(lines)
