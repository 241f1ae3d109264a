"""Usage events, agenda closures and training sessions added to tests/handmade.py's `load`
(loaded first); every expected figure in the tests follows from this text by hand.

As of 2026-03-10 (a Tuesday) the latest completed day is Monday 03-09 and the window, the 30
days ending on it, is 2026-02-08 .. 2026-03-09. Its working days are 17: Feb 9-13, 19-20, 23-27
and Mar 3-6, 9 (Seollal closes Feb 16-18, Mar 2 replaces Samiljeol). The decline compares the
14 days to 03-09 with the 14 before: Feb 10-23 has 7 working days, Feb 24 - Mar 9 has 9.

Branch staff: the manager (employee 2, branch 101), Kim (3, 101), Park (4, 102).
  manager  2026-02-12 10:00  200 page views                       then nothing: idle 26 days
  Kim      2026-02-20 09:00  10 page views
           2026-03-06 14:00  4 customer views
           2026-03-09 09:00  3 page views, 10:00 2 searches, 11:00 1 note
           2026-03-10 08:30  1 page view (the as-of day itself: not in the window)
           agenda: 5 items closed as done on Mar 2-6, 4 of them without a note
  Park     2026-02-11 09:00  2 page views
           2026-03-09 09:00  1 page view, 17:30 6 notes (typed up at closing time)
           agenda: 5 items closed as done on Mar 2-6, none with a note

Training (for imports): CRM101 (course 1, 12-month certificate) gets session 2 on
2026-02-02 .. 2026-02-03; SAL101 (course 2, no certificate) with session 3 on 2026-02-10.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import Connection, select

from data_access.agenda import agenda
from data_access.core.db import (
    bulk_insert,
)
from data_access.core.models import (
    AgendaItem,
    AgendaRule,
    TrainingCourse,
    TrainingSession,
    UsageEvent,
)

AS_OF = dt.date(2026, 3, 10)
WORKING_DAYS = 17
FIRST_HALF_DAYS, SECOND_HALF_DAYS = 7, 9


def _events(employee: int, branch: int, at: dt.datetime, action: str, n: int) -> list[tuple]:
    page = {"page_view": "home", "note": "customer", "search": "customer"}.get(action, "customer")
    return [(employee, branch, at, action, page, None)] * n


def load(conn: Connection) -> None:
    at = dt.datetime
    rows = [
        *_events(2, 1, at(2026, 2, 12, 10), "page_view", 200),
        *_events(3, 1, at(2026, 2, 20, 9), "page_view", 10),
        *_events(3, 1, at(2026, 3, 6, 14), "customer_view", 4),
        *_events(3, 1, at(2026, 3, 9, 9), "page_view", 3),
        *_events(3, 1, at(2026, 3, 9, 10), "search", 2),
        *_events(3, 1, at(2026, 3, 9, 11), "note", 1),
        *_events(3, 1, at(2026, 3, 10, 8, 30), "page_view", 1),
        *_events(4, 2, at(2026, 2, 11, 9), "page_view", 2),
        *_events(4, 2, at(2026, 3, 9, 9), "page_view", 1),
        *_events(4, 2, at(2026, 3, 9, 17, 30), "note", 6),
    ]
    events = pl.DataFrame(
        rows,
        schema={
            "employee_id": pl.Int64,
            "branch_id": pl.Int64,
            "occurred_at": pl.Datetime("us"),
            "action": pl.String,
            "page": pl.String,
            "target": pl.String,
        },
        orient="row",
    ).with_row_index("id", offset=1001)
    bulk_insert(conn, UsageEvent.__table__, events.with_columns(pl.col("id").cast(pl.Int64)))

    agenda.ensure_default_rules(conn)
    rule = conn.execute(select(AgendaRule.id).order_by(AgendaRule.id).limit(1)).scalar_one()
    days = [dt.date(2026, 3, d) for d in (2, 3, 4, 5, 6)]
    items = [
        # Kim: customer 1 on five days; the first (Mar 2) closed with consultation 1.
        *[(day, 1, 3, 1, 1 if day.day == 2 else None) for day in days],
        *[(day, 3, 4, 2, None) for day in days],
    ]
    bulk_insert(
        conn,
        AgendaItem.__table__,
        pl.DataFrame(
            [
                {
                    "business_date": day,
                    "rule_id": rule,
                    "customer_id": customer,
                    "employee_id": employee,
                    "branch_id": branch,
                    "priority": 1,
                    "due_date": day,
                    "facts": "{}",
                    "status": "done",
                    "worked_at": dt.datetime.combine(day, dt.time(15)),
                    "consultation_id": consultation,
                    "created_at": dt.datetime.combine(day, dt.time(6)),
                }
                for day, customer, employee, branch, consultation in items
            ],
            schema_overrides={"consultation_id": pl.Int64},
        ),
    )


def load_training(conn: Connection) -> None:
    bulk_insert(
        conn,
        TrainingCourse.__table__,
        pl.DataFrame(
            {
                "id": [2],
                "code": ["SAL101"],
                "title_ko": ["펀드 상품 이해"],
                "title_en": ["Understanding our funds"],
                "category": ["product"],
                "certification_months": [None],
                "is_retired": [False],
            },
            schema_overrides={"certification_months": pl.Int64},
        ),
    )
    bulk_insert(
        conn,
        TrainingSession.__table__,
        pl.DataFrame(
            {
                "id": [2, 3],
                "course_id": [1, 2],
                "starts_on": [dt.date(2026, 2, 2), dt.date(2026, 2, 10)],
                "ends_on": [dt.date(2026, 2, 3), dt.date(2026, 2, 10)],
                "location": ["연수원", "온라인"],
                "trainer_id": [5, 5],
            }
        ),
    )
