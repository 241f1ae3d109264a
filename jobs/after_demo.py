"""What a freshly generated demo database needs beyond its rows, in the order it needs it.

One sequence for `python -m jobs demo-data` and the console's first run, so both open on the
same daily usage counts, segment copy, worked agenda history and KPI history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine

from jobs import agenda as agenda_job
from jobs import kpis as kpis_job
from jobs import segments as segments_job
from jobs import usage as usage_job


def build_history(engine: Engine, as_of: dt.date) -> dict[str, Any]:
    usage_daily_rows = usage_job.after_demo_data(engine)
    segments_job.run(engine, as_of)  # segment counts read this copy
    worked_agendas = agenda_job.after_demo_data(engine, as_of)  # before the KPIs: completion
    kpis_job.after_demo_data(engine, as_of)  # the executive page opens on history
    return {"usage_daily_rows": usage_daily_rows, "agenda": worked_agendas}
