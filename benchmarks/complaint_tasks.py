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
from sqlalchemy import Engine, bindparam, func, select, text

from benchmarks.harness import Task
from benchmarks.tasks import AS_OF, RuleItems, rule_items, stored_rule
from data_access.agenda import agenda
from data_access.core import complaint_rules, metrics
from data_access.core.business_days import extra_holidays
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
    with engine.connect() as conn:
        settings = complaint_rules.complaint_settings(conn)
        closures = extra_holidays(conn)
    near_by = complaint_rules.near_cutoff(AS_OF, settings[complaint_rules.NEAR_DAYS], closures)

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
        """Whole tables into pandas, then filtered and joined."""
        cases = pd.read_sql("SELECT * FROM complaints", engine)
        customers = pd.read_sql("SELECT id, tier FROM customers", engine)
        staff = pd.read_sql("SELECT id, branch_id, role, is_active FROM employees", engine)
        staff = staff[staff["is_active"].astype(bool)]
        managers = (
            staff[staff["role"] == "branch_manager"]
            .groupby("branch_id", as_index=False)["id"]
            .min()
            .rename(columns={"id": "manager_id"})
        )
        for column in ("received_on", "deadline_on", "closed_on"):
            cases[column] = pd.to_datetime(cases[column]).dt.date
        open_cases = cases[
            (cases["status"] != "closed")
            & (cases["received_on"] <= AS_OF)
            & (cases["closed_on"].isna() | (cases["closed_on"] > AS_OF))
            & (cases["deadline_on"] <= near_by)
        ]
        open_cases = open_cases.merge(managers, on="branch_id", how="left")
        open_cases["employee_id"] = open_cases["handler_id"].fillna(open_cases["manager_id"])
        open_cases = open_cases.merge(customers, left_on="customer_id", right_on="id")
        open_cases = open_cases[open_cases["tier"].isin(tiers)]
        open_cases = open_cases.merge(staff[["id"]], left_on="employee_id", right_on="id")
        first = open_cases.sort_values(["customer_id", "deadline_on", "id_x"])
        return rule_items(first.groupby("customer_id", as_index=False).first(), "deadline_on")

    def strong(_index: int) -> RuleItems:
        """One query: the cases due soon, the first per customer by a window function."""
        sql = text(
            "SELECT customer_id, employee_id, deadline_on FROM ("
            " SELECT c.customer_id, COALESCE(c.handler_id, (SELECT MIN(m.id) FROM employees m"
            "   WHERE m.branch_id = c.branch_id AND m.role = 'branch_manager' AND m.is_active))"
            "   AS employee_id, c.deadline_on,"
            "  ROW_NUMBER() OVER (PARTITION BY c.customer_id ORDER BY c.deadline_on, c.id) AS n"
            " FROM complaints c JOIN customers p ON p.id = c.customer_id"
            " WHERE c.status <> 'closed' AND c.received_on <= :day"
            "  AND (c.closed_on IS NULL OR c.closed_on > :day) AND c.deadline_on <= :near_by"
            "  AND p.tier IN :tiers"
            ") AS firsts JOIN employees e ON e.id = firsts.employee_id AND e.is_active"
            " WHERE n = 1"
        ).bindparams(bindparam("tiers", expanding=True))
        with engine.connect() as conn:
            found = pd.read_sql(
                sql, conn, params={"day": AS_OF, "near_by": near_by, "tiers": tiers}
            )
        return rule_items(found, "deadline_on")

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
            cases[column] = pd.to_datetime(cases[column]).dt.date
        received = (cases["received_on"] > since) & (cases["received_on"] <= day)
        overdue = (cases["deadline_on"] < day) & (
            cases["closed_on"].isna() | (cases["closed_on"] > day)
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
