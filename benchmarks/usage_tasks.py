"""Usage tasks (issue #8): the usage page's data, the daily aggregate and recording an event,
each against what a plain pandas app would do (the page as a whole: page_tasks)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, bindparam, func, insert, select, text

from benchmarks.harness import Task
from benchmarks.tasks import AS_OF
from data_access.core import metrics
from data_access.core.business_days import (
    is_business_day,
)
from data_access.core.models import (
    UsageEvent,
    UsagePersonDay,
)
from data_access.core.security import (
    SignedInUser,
    authenticate,
    now_seoul,
)
from data_access.usage import usage
from data_access.usage.usage import (
    UsageAction,
)
from jobs import usage as usage_job
from jobs.demo import DEMO_PASSWORD

RECORD_RUNS = 2_000


def tasks(engine: Engine) -> list[Task]:
    with engine.connect() as conn:
        counted = conn.execute(select(func.count()).select_from(UsagePersonDay)).scalar_one()
    if counted == 0:
        usage_job.after_demo_data(engine)  # a database generated before the aggregates existed
    with engine.connect() as conn:
        executive = authenticate(conn, "exec", DEMO_PASSWORD)
        conn.commit()
    return [
        usage_page_task(engine, executive),
        usage_daily_aggregate_task(engine),
        usage_event_record_task(engine, executive),
    ]


def usage_page_task(engine: Engine, user: SignedInUser) -> Task:
    """The firm-wide usage page's figures, ours and the rivals' from the same person-day
    counts the usage-aggregate job keeps (that job is usage_daily_aggregate)."""

    def ours(_index: int) -> tuple[int, int, float, float]:
        with engine.connect() as conn:
            figures = usage.adoption(conn, user, AS_OF)
        return (
            figures.staff,
            figures.mau,
            round(figures.dau, 6),
            round(figures.actions_per_person_day, 6),
        )

    with engine.connect() as conn:  # the window: the 30 days to the last completed day
        first, last = metrics.window(metrics.completed_day(conn, AS_OF))
    working = [
        first + dt.timedelta(days=n)
        for n in range(metrics.WINDOW_DAYS)
        if is_business_day(first + dt.timedelta(days=n))
    ]
    staff_sql = "SELECT id FROM employees WHERE is_active AND branch_id IS NOT NULL"

    def baseline(_index: int) -> tuple[int, int, float, float]:
        """A plain app over the same person-day counts: the table into pandas, then shaped."""
        staff = pd.read_sql(staff_sql, engine)
        days = pd.read_sql("SELECT day, employee_id, actions FROM usage_person_days", engine)
        days["day"] = pd.to_datetime(days["day"]).dt.date
        active = days[
            days["day"].between(first, last)
            & (days["actions"] > 0)
            & days["employee_id"].isin(staff["id"])
        ]
        dau = active["day"].isin(working).sum() / len(working)
        return (
            len(staff),
            active["employee_id"].nunique(),
            round(float(dau), 6),
            round(float(active["actions"].sum() / len(active)), 6),
        )

    def strong(_index: int) -> tuple[int, int, float, float]:
        """The four figures in one SQL pass over the same person-day counts (ours also reads
        the people table, coverage and the weekly trend the page shows)."""
        row = pd.read_sql(
            text(
                f"WITH staff AS ({staff_sql}), active AS ("  # noqa: S608 - our own constant
                "SELECT d.day, d.employee_id, d.actions FROM usage_person_days d "
                "JOIN staff ON staff.id = d.employee_id "
                "WHERE d.day BETWEEN :first AND :last AND d.actions > 0) "
                "SELECT (SELECT COUNT(*) FROM staff) AS staff, "
                "COUNT(DISTINCT employee_id) AS mau, "
                "SUM(CASE WHEN day IN :working THEN 1 ELSE 0 END) AS working_person_days, "
                "SUM(actions) AS actions, COUNT(*) AS person_days FROM active"
            ).bindparams(bindparam("working", expanding=True)),
            engine,
            params={"first": first, "last": last, "working": working},
        ).iloc[0]
        return (
            int(row["staff"]),
            int(row["mau"]),
            round(float(row["working_person_days"]) / len(working), 6),
            round(float(row["actions"]) / float(row["person_days"]), 6),
        )

    return Task(
        "usage_page",
        ours,
        baseline,
        same_answer=lambda a, b: a == b,
        figure=True,
        strong=strong,
        strong_kind="sql",
    )


def usage_daily_aggregate_task(engine: Engine) -> Task:
    """The usage-aggregate job for one day (the day before AS_OF), against pandas grouping."""
    day = AS_OF - dt.timedelta(days=1)

    def ours(_index: int) -> int:
        outcome = usage.aggregate_usage(engine, AS_OF, force=True)
        if outcome.status != "succeeded":
            raise RuntimeError(f"usage aggregate {outcome.status}: {outcome.error}")
        return int(outcome.rows or 0)

    def baseline(_index: int) -> int:
        events = pd.read_sql(
            text(
                "SELECT employee_id, action, occurred_at FROM usage_events "
                "WHERE occurred_at >= :first AND occurred_at < :last"
            ),
            engine,
            params={"first": str(day), "last": str(AS_OF)},
        )
        return len(events.groupby(["employee_id", "action"]).size())

    def strong(_index: int) -> int:
        """The same day's groups counted by the database (ours also writes them)."""
        return int(
            pd.read_sql(
                text(
                    "SELECT COUNT(*) AS groups FROM (SELECT employee_id, action FROM usage_events "
                    "WHERE occurred_at >= :first AND occurred_at < :last "
                    "GROUP BY employee_id, action) per_group"
                ),
                engine,
                params={"first": str(day), "last": str(AS_OF)},
            )["groups"].iloc[0]
        )

    return Task(
        "usage_daily_aggregate",
        ours,
        baseline,
        strong=strong,
        strong_kind="sql",
        same_answer=lambda a, b: a == b,
        runs=5,
        figure=True,
    )


def usage_event_record_task(engine: Engine, user: SignedInUser) -> Task:
    """What a page run pays to record a page view: ours appends to the process-wide buffer;
    the baseline commits one INSERT per event, as a plain app would."""
    recorder = usage.UsageRecorder(engine)

    def ours(_index: int) -> None:
        recorder.add(user, UsageAction.PAGE_VIEW, "benchmark")

    def baseline(_index: int) -> None:
        with engine.begin() as conn:
            conn.execute(
                insert(UsageEvent).values(
                    employee_id=user.employee_id,
                    branch_id=user.branch_id,
                    occurred_at=now_seoul(),
                    action=UsageAction.PAGE_VIEW.value,
                    page="benchmark",
                )
            )

    return Task("usage_event_record", ours, baseline, runs=RECORD_RUNS)
