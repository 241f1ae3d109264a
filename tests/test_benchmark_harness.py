"""The benchmark harness times every contender the same way, and caps a naive rival whose
one call takes minutes so a full-scale run of every task fits its budget."""

from __future__ import annotations

from benchmarks.harness import run_contender


def counting_call(calls: list[int]):
    def call(index: int) -> int:
        calls.append(index)
        return 42

    return call


def test_a_warmed_up_contender_is_timed_on_the_calls_after_its_first():
    calls: list[int] = []
    answer, timing = run_contender(counting_call(calls), runs=3, warm_up=True)
    assert (answer, calls, timing.runs) == (42, [0, 1, 2, 3], 3)


def test_a_contender_without_warm_up_is_timed_from_its_first_call():
    calls: list[int] = []
    _, timing = run_contender(counting_call(calls), runs=3, warm_up=False)
    assert (calls, timing.runs) == ([0, 1, 2], 3)


def test_a_first_call_over_the_cap_is_the_only_one():
    calls: list[int] = []
    answer, timing = run_contender(counting_call(calls), runs=3, warm_up=True, once_over_ms=-1)
    assert (answer, calls, timing.runs) == (42, [0], 1)
