"""Sales-conduct tasks (issue #22): what the happy calls add to the morning agenda build and
what the two conduct KPIs add to a day's snapshot, each against a plain pandas app and SQL
pushed down.

- happy_call_agenda: the happy-call rule's items of the business day (the open calls' read and
  their items, one a customer, on the caller's agenda); the rest of the build is timed by
  agenda_build. Target at full scale: under 5 s.
- conduct_kpis_day: the two reads the snapshot makes for the conduct KPIs over one day's
  lookback and the firm's two values on the day. Target at full scale: under 3 s.

Ours runs the very statements the job adds to its batch of reads, and the job's polars code
on their rows. The job hands its whole batch to read_arrow_frames at once (on SQLite one child
process for every read, about half a second to start on two cores), so what these parts add
to it is the statements' own time, which ours reads through one connection, not the start of
a second child process.
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
from data_access.core import metrics
from data_access.core.db import read_frame
from data_access.core.models import FundSale
from data_access.kpis import kpis
from jobs import demo_conduct


def tasks(engine: Engine) -> list[Task]:
    with engine.connect() as conn:
        sold = conn.execute(select(func.count()).select_from(FundSale)).scalar_one()
    if sold == 0:  # the harness's database holds the generated rows only: add the demo's sales
        made = demo_conduct.run(engine, AS_OF)
        print(
            f"  demo sales conduct: {made['sales']:,} sales, {made['happy_calls']:,} happy calls "
            f"in {made['seconds']:.1f} s",
            file=sys.stderr,
        )
    return [happy_call_agenda_task(engine), conduct_kpis_task(engine)]


def happy_call_agenda_task(engine: Engine) -> Task:
    rule = stored_rule(engine, agenda.RuleKind.HAPPY_CALL)
    needs = agenda._Needs.of([rule])
    days_after = rule.spec.params.days_after_sale  # type: ignore[union-attr]
    latest_sale = AS_OF - dt.timedelta(days=days_after)

    def ours(_index: int) -> RuleItems:
        reads = agenda._feature_reads(engine, needs, AS_OF)
        with engine.connect() as conn:
            features = {
                name: read_frame(conn, *reads[name]).lazy() for name in ("happy_calls", "staff")
            }
        items = agenda._happy_call_items(rule, pl.LazyFrame(), features, AS_OF).collect()
        return sorted(
            (c, e, d)
            for c, e, d in zip(
                items["customer_id"], items["employee_id"], items["due_date"], strict=True
            )
        )

    tiers = tuple(tier.value for tier in rule.spec.tiers)

    def baseline(_index: int) -> RuleItems:
        """Whole tables into pandas, then filtered and joined."""
        calls = pd.read_sql("SELECT * FROM happy_calls", engine)
        sales = pd.read_sql("SELECT id, sold_on FROM fund_sales", engine)
        customers = pd.read_sql("SELECT id, tier FROM customers", engine)
        staff = pd.read_sql("SELECT id, branch_id, is_active FROM employees", engine)
        calls = calls[calls["status"] == "open"]
        calls = calls.merge(sales, left_on="sale_id", right_on="id", suffixes=("", "_sale"))
        calls = calls.merge(customers, left_on="customer_id", right_on="id", suffixes=("", "_c"))
        calls = calls.merge(
            staff[staff["is_active"].astype(bool)], left_on="responsible_id", right_on="id"
        )
        calls = calls[
            (pd.to_datetime(calls["sold_on"]).dt.date <= latest_sale) & calls["tier"].isin(tiers)
        ]
        calls["due_on"] = pd.to_datetime(calls["due_on"])
        first = calls.sort_values(["customer_id", "due_on", "id_x" if "id_x" in calls else "id"])
        first = first.groupby("customer_id", as_index=False).first()
        return rule_items(first.rename(columns={"responsible_id": "employee_id"}), "due_on")

    def strong(_index: int) -> RuleItems:
        """One query: the open calls, the first due per customer by a window function."""
        sql = text(
            "SELECT customer_id, employee_id, due_on FROM ("
            " SELECT h.customer_id, h.responsible_id AS employee_id, h.due_on,"
            "  ROW_NUMBER() OVER (PARTITION BY h.customer_id ORDER BY h.due_on, h.id) AS n"
            " FROM happy_calls h JOIN fund_sales s ON s.id = h.sale_id"
            " JOIN customers c ON c.id = h.customer_id"
            " JOIN employees e ON e.id = h.responsible_id AND e.is_active"
            " WHERE h.status = 'open' AND s.sold_on <= :latest AND c.tier IN :tiers"
            ") AS firsts WHERE n = 1"
        ).bindparams(bindparam("tiers", expanding=True))
        with engine.connect() as conn:
            found = pd.read_sql(sql, conn, params={"latest": latest_sale, "tiers": list(tiers)})
        return rule_items(found, "due_on")

    return Task(
        "happy_call_agenda",
        ours,
        baseline,
        same_answer=lambda a, b: a == b,
        strong=strong,
        strong_kind="sql",
    )


Values = dict[str, float | None]


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator * 100 / denominator if denominator > 0 else None


def conduct_kpis_task(engine: Engine) -> Task:
    day = AS_OF - dt.timedelta(days=1)
    first = day - dt.timedelta(days=kpis.LOOKBACK_DAYS)
    since = day - dt.timedelta(days=metrics.WINDOW_DAYS)  # the window is (since, day]

    def ours(_index: int) -> Values:
        reads = kpis._reads(engine, first, day, since + dt.timedelta(days=1))
        with engine.connect() as conn:
            frames = {name: read_frame(conn, *reads[name]) for name in ("sales", "happy_calls")}
        window = {
            name: frame.filter((pl.col("day") > since) & (pl.col("day") <= day)).sum()
            for name, frame in frames.items()
        }
        sales, calls = window["sales"], window["happy_calls"]
        return {
            "happy_calls_on_time_pct": _ratio(
                calls["happy_calls_on_time"][0] or 0, calls["happy_calls_due"][0] or 0
            ),
            "unsuitable_sale_share_pct": _ratio(
                sales["unsuitable_sales"][0] or 0, sales["sales"][0] or 0
            ),
        }

    def baseline(_index: int) -> Values:
        sales = pd.read_sql("SELECT sold_on, suitable FROM fund_sales", engine)
        calls = pd.read_sql("SELECT due_on, status, outcome_at FROM happy_calls", engine)
        sold = pd.to_datetime(sales["sold_on"]).dt.date
        sales = sales[(sold > since) & (sold <= day)]
        due = pd.to_datetime(calls["due_on"]).dt.date
        calls = calls[(due > since) & (due <= day)]
        closed_on = pd.to_datetime(calls["outcome_at"]).dt.date
        on_time = (calls["status"] != "open") & (
            closed_on <= pd.to_datetime(calls["due_on"]).dt.date
        )
        return {
            "happy_calls_on_time_pct": _ratio(int(on_time.sum()), len(calls)),
            "unsuitable_sale_share_pct": _ratio(
                int((~sales["suitable"].astype(bool)).sum()), len(sales)
            ),
        }

    def strong(_index: int) -> Values:
        window = {"since": since, "day": day}
        with engine.connect() as conn:
            sold, unsuitable = conn.execute(
                text(
                    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN suitable THEN 0 ELSE 1 END), 0) "
                    "FROM fund_sales WHERE sold_on > :since AND sold_on <= :day"
                ),
                window,
            ).one()
            calls = pd.read_sql(
                text(
                    "SELECT due_on, status, outcome_at FROM happy_calls "
                    "WHERE due_on > :since AND due_on <= :day"
                ),
                conn,
                params=window,
            )
        closed_on = pd.to_datetime(calls["outcome_at"]).dt.date
        on_time = (calls["status"] != "open") & (
            closed_on <= pd.to_datetime(calls["due_on"]).dt.date
        )
        return {
            "happy_calls_on_time_pct": _ratio(int(on_time.sum()), len(calls)),
            "unsuitable_sale_share_pct": _ratio(int(unsuitable), int(sold)),
        }

    def same(ours_values: Values, theirs: Values) -> bool:
        return all(
            (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-9)
            for a, b in ((ours_values[k], theirs[k]) for k in ours_values)
        ) and set(ours_values) == set(theirs)

    return Task(
        "conduct_kpis_day",
        ours,
        baseline,
        same_answer=same,
        figure=True,
        strong=strong,
        strong_kind="sql",
    )
