"""disposal_report (issue #22): the retention schedule's report of what is due for disposal.

`disposal_report_daily` is the report the retention-report job makes every working day: as of
the benchmark's date almost nothing is old enough, so each kind is one range read on its
clock. `disposal_report_all_due` asks as of twelve years later, when every record of every kind
is due: each kind's rows are counted whole, with the check that no other row points at them,
the most the report can cost on a database of this size. Neither deletes anything.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from benchmarks.harness import Task
from data_access import retention
from data_access.core.security import authenticate
from jobs.demo import DEMO_PASSWORD

REPORT_RUNS = 3
YEARS_LATER = 12


def tasks(engine: Engine, as_of: dt.date) -> list[Task]:
    with engine.connect() as conn:
        admin = authenticate(conn, "admin", DEMO_PASSWORD)
        conn.commit()

    def report_on(day: dt.date) -> dict[str, int]:
        with engine.connect() as conn:
            report = retention.disposal_report(conn, admin, day).filter("applies")
        return dict(zip(report["kind"], report["due"], strict=True))

    later = as_of.replace(year=as_of.year + YEARS_LATER)
    return [
        Task("disposal_report_daily", lambda _index: report_on(as_of), runs=REPORT_RUNS),
        Task("disposal_report_all_due", lambda _index: report_on(later), runs=REPORT_RUNS),
    ]
