"""Complaint tasks (issue #22): what the complaints add to the morning agenda build and what the
two complaint KPIs add to a day's snapshot, each against a plain pandas app and SQL pushed
down.

- complaint_agenda: the complaint rule's items of the business day (open cases overdue or near
  their deadline, one a customer, on the handler's or the branch manager's agenda); the rest
  of the build is timed by agenda_build. Target at full scale: under 5 s.
- complaint_kpis_day: the two reads the snapshot makes for the complaint KPIs over one day's
  lookback, and the firm's cases received in the 30-day window and overdue on the day (the
  numerators; the active customers under the rate are the snapshot's own customer read).
  Target at full scale: under 3 s.

Ours runs the very statements the jobs add to their batch of reads and the jobs' polars code on
their rows, through one connection (as conduct_tasks explains, the batch's child process is
started once for all reads).
"""

from __future__ import annotations

import datetime as dt
import sys

import pandas as pd
import polars as pl
from sqlalchemy import Engine, func, select, text

from benchmarks.harness import Task
from benchmarks.tasks import (
    AS_OF,
    RuleItems,
    complaint_items_pandas,
    complaint_items_sql,
    stored_rule,
)
from data_access.agenda import agenda
from data_access.core import metrics
from data_access.core.db import read_frame
from data_access.core.models import Complaint
from data_access.kpis import kpis
from jobs import demo_complaints


def tasks(engine: Engine) -> list[Task]:
    with engine.connect() as conn:
        cases = conn.execute(select(func.count()).select_from(Complaint)).scalar_one()
    if cases == 0:  # the harness's database holds the generated rows only: add the demo's cases
        made = demo_complaints.run(engine, AS_OF)
        print(
            f"  demo complaints: {made['cases']:,} cases in {made['seconds']:.2f} s",
            file=sys.stderr,
        )
    return [complaint_agenda_task(engine), complaint_kpis_task(engine)]


def complaint_agenda_task(engine: Engine) -> Task:
    rule = stored_rule(engine, agenda.RuleKind.COMPLAINT)
    tiers = [tier.value for tier in rule.spec.tiers]

    def ours(_index: int) -> RuleItems:
        with engine.connect() as conn:
            features = {
                "complaints": read_frame(conn, *agenda._complaint_read(conn, AS_OF)).lazy(),
                "staff": read_frame(
                    conn, *agenda._feature_reads(conn, agenda._Needs.of([]), AS_OF)["staff"]
                ).lazy(),
            }
        items = agenda._complaint_items(rule, pl.LazyFrame(), features, AS_OF).collect()
        return sorted(
            (c, e, d)
            for c, e, d in zip(
                items["customer_id"], items["employee_id"], items["due_date"], strict=True
            )
        )

    def baseline(_index: int) -> RuleItems:
        return complaint_items_pandas(engine, AS_OF, tiers)

    def strong(_index: int) -> RuleItems:
        return complaint_items_sql(engine, AS_OF, tiers)

    return Task(
        "complaint_agenda",
        ours,
        baseline,
        same_answer=lambda a, b: a == b,
        strong=strong,
        strong_kind="sql",
    )


Values = dict[str, int]


def complaint_kpis_task(engine: Engine) -> Task:
    day = AS_OF - dt.timedelta(days=1)
    first = day - dt.timedelta(days=kpis.LOOKBACK_DAYS)
    since = day - dt.timedelta(days=metrics.WINDOW_DAYS)  # the window is (since, day]

    def ours(_index: int) -> Values:
        reads = kpis._complaint_reads(first, day)
        with engine.connect() as conn:
            frames = {name: read_frame(conn, *read) for name, read in reads.items()}
        events = pl.concat(kpis._complaint_events(frames), how="diagonal_relaxed")
        received = events.filter((pl.col("day") > since) & (pl.col("day") <= day))
        overdue = events.filter(pl.col("day") <= day)
        return {
            "complaints_received": int(received["complaints_received"].fill_null(0).sum()),
            "complaints_overdue": int(overdue["complaints_overdue"].fill_null(0).sum()),
        }

    def baseline(_index: int) -> Values:
        cases = pd.read_sql("SELECT received_on, deadline_on, closed_on FROM complaints", engine)
        for column in ("received_on", "deadline_on", "closed_on"):
            cases[column] = pd.to_datetime(cases[column])
        start, end = pd.Timestamp(since), pd.Timestamp(day)
        received = (cases["received_on"] > start) & (cases["received_on"] <= end)
        overdue = (cases["deadline_on"] < end) & (
            cases["closed_on"].isna() | (cases["closed_on"] > end)
        )
        return {
            "complaints_received": int(received.sum()),
            "complaints_overdue": int(overdue.sum()),
        }

    def strong(_index: int) -> Values:
        with engine.connect() as conn:
            received, overdue = conn.execute(
                text(
                    "SELECT COALESCE(SUM(CASE WHEN received_on > :since AND received_on <= :day"
                    " THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN deadline_on < :day AND"
                    " (closed_on IS NULL OR closed_on > :day) THEN 1 ELSE 0 END), 0)"
                    " FROM complaints"
                ),
                {"since": since, "day": day},
            ).one()
        return {"complaints_received": int(received), "complaints_overdue": int(overdue)}

    return Task(
        "complaint_kpis_day",
        ours,
        baseline,
        same_answer=lambda a, b: a == b,
        figure=True,
        strong=strong,
        strong_kind="sql",
    )
