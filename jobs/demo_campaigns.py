"""The demo's DM and TM campaigns: head office's segments, draws and outcomes over the history.

They are made as a person would make them, through the console's own functions and policy, by
the `exec` demo account (a head-office executive, the role that runs firm-wide campaigns):
a shared segment is saved, a campaign drawn from it with a hold-out after consent and
do-not-call suppression, and the outcomes that came back are recorded at their own moments
(`campaigns.record_history`: replies to mailings by head office, calls by the rep each target
went to, in working hours on business days). The campaigns start on different business days,
so the DM/TM KPIs have a history, and the last TM is still running on the business day with
calls left for the reps (the `rep` account among them).

Everything depends on the data, the demo's seed and as_of only.
"""

from __future__ import annotations

import datetime as dt
import time
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import Engine

from data_access import admin, campaigns, kpis, segments
from data_access.core.business_days import (
    extra_holidays,
    is_business_day,
)
from data_access.core.errors import (
    Refused,
)
from jobs.demo import WORK_HOUR_WEIGHTS
from jobs.demo.reference import CAMPAIGN_NAMES

CAMPAIGNER = "exec"
# Of a campaign's contacted targets, the share each outcome comes back for; the rest have
# none: a letter nobody answered, a call never got through to. A DM draws replies from a few
# percent and some letters come back undelivered; a TM reaches most people it calls, and
# about one in six says yes.
DM_OUTCOMES = {"responded": 0.03, "bought": 0.012, "unreachable": 0.025}
TM_OUTCOMES = {"responded": 0.12, "bought": 0.05, "declined": 0.28, "unreachable": 0.3}
# When outcomes come back, in business days from the start: replies to a mailing over the
# first five weeks, calls over the first two weeks.
DM_REPLY_DAYS = (3, 25)
TM_CALL_DAYS = (0, 10)
HISTORY_DAYS = 400  # calendar days searched back for the campaigns' start days


@dataclass(frozen=True, slots=True)
class DemoCampaign:
    key: str  # its segment's and its own name: [campaigns.<key>] in firm_data/texts.toml
    channel: str
    spec: dict[str, Any]  # the segment's filter (segments.validate_spec)
    started: int  # business days before as_of
    sample_rate_pct: float  # of the segment's eligible customers
    control_pct: int
    stratify_by: str | None = None


DEMO_CAMPAIGNS = (
    DemoCampaign(
        "dormant", "dm",
        {"items": [{"field": "days_since_transaction", "min": 365}]},
        started=110, sample_rate_pct=60, control_pct=10,
    ),
    DemoCampaign(
        "priority_calls", "tm",
        {"items": [{"field": "tier", "values": ["vip", "priority"]},
                   {"field": "days_since_contact", "min": 90}]},
        started=75, sample_rate_pct=40, control_pct=20, stratify_by="tier",
    ),
    DemoCampaign(
        "celebrations", "dm",
        {"items": [{"field": "life_event_within_days", "max": 30}]},
        started=40, sample_rate_pct=50, control_pct=10,
    ),
    DemoCampaign(
        "wealthy", "dm",
        {"items": [{"field": "aum_krw", "min": 100_000_000}]},
        started=15, sample_rate_pct=50, control_pct=10, stratify_by="branch",
    ),
    DemoCampaign(
        "retirement_calls", "tm",
        {"items": [{"field": "age", "min": 65},
                   {"field": "products", "values": ["채권형", "혼합형"]}]},
        started=4, sample_rate_pct=45, control_pct=10, stratify_by="branch",
    ),
)  # fmt: skip


def run(engine: Engine, as_of: dt.date) -> dict[str, Any]:
    """Save the segments, draw the campaigns and record their outcomes up to the day before
    `as_of`; needs the feature copy. Returns what was made and how long it took."""
    started = time.perf_counter()
    with engine.connect() as conn:
        user = admin.acting_admin(conn, CAMPAIGNER)
        seed = int(kpis.demo_settings(conn).get("demo_seed", 0))
        costs = kpis.parameters(conn, user)
        days = business_days_before(as_of, extra_holidays(conn))
    copy = segments.load_features(engine, user)
    made = contacted = recorded = 0
    for index, demo in enumerate(DEMO_CAMPAIGNS):
        segment_name, name = CAMPAIGN_NAMES[demo.key]
        start = len(days) - demo.started
        with engine.connect() as conn:
            segment = segments.save_segment(
                conn, user, segment_name, segments.validate_spec(demo.spec), shared=True
            )
            plan = campaigns.CampaignPlan(
                name=name,
                segment_id=segment.segment_id,
                channel=demo.channel,
                control_pct=demo.control_pct,
                seed=seed * 100 + index + 1,
                cost_per_piece_krw=round(costs[f"{demo.channel}_piece_cost_krw"]),
                sample_rate_pct=demo.sample_rate_pct,
                stratify_by=demo.stratify_by,
            )
            try:
                drawn = campaigns.create_campaign(conn, user, copy, plan, started_on=days[start])
            except Refused as refused:
                if refused.code != "camp_rejected_too_large":
                    raise
                continue  # a firm too small to have anyone eligible in the segment
            targets = campaigns.open_targets(conn, user, drawn.campaign_id)
            rng = np.random.default_rng([seed, zlib.crc32(demo.key.encode())])
            outcomes = demo_outcomes(targets, demo.channel, days[start:], rng)
            recorded += campaigns.record_history(conn, user, drawn.campaign_id, outcomes)
            conn.commit()
        made, contacted = made + 1, contacted + drawn.contacted
    return {
        "campaigns": made,
        "contacted": contacted,
        "recorded": recorded,
        "seconds": round(time.perf_counter() - started, 2),
    }


def business_days_before(as_of: dt.date, holidays: frozenset[dt.date]) -> list[dt.date]:
    """The business days of the HISTORY_DAYS before `as_of`, oldest first."""
    span = (as_of - dt.timedelta(days=back) for back in range(HISTORY_DAYS, 0, -1))
    return [day for day in span if is_business_day(day, holidays)]


def demo_outcomes(
    targets: pl.DataFrame, channel: str, days: list[dt.date], rng: np.random.Generator
) -> pl.DataFrame:
    """The outcomes of `targets` (campaigns.open_targets) that came back on `days` (the
    business days from the campaign's start to the day before as_of), at moments in working
    hours (campaigns.HISTORY_SCHEMA). A running campaign has its later outcomes still to come.
    """
    shares = DM_OUTCOMES if channel == "dm" else TM_OUTCOMES
    first, last = DM_REPLY_DAYS if channel == "dm" else TM_CALL_DAYS
    size = targets.height
    weights = [*shares.values(), 1 - sum(shares.values())]  # the last: nothing came back
    drawn = rng.choice(len(weights), size, p=weights)
    day = rng.integers(first, last, size)
    hours = np.array(list(WORK_HOUR_WEIGHTS))
    hour_weights = np.array(list(WORK_HOUR_WEIGHTS.values()), dtype=float)
    hour = rng.choice(hours, size, p=hour_weights / hour_weights.sum())
    second = rng.integers(0, 3600, size)
    came_back = (drawn < len(shares)) & (day < len(days))
    moments = [
        dt.datetime.combine(days[d], dt.time(int(h))) + dt.timedelta(seconds=int(s))
        for d, h, s in zip(day[came_back], hour[came_back], second[came_back], strict=True)
    ]
    return pl.DataFrame(
        {
            "customer_id": targets["customer_id"].filter(pl.Series(came_back)),
            "outcome": pl.Series(np.array(list(shares))[drawn[came_back]], dtype=pl.String),
            "outcome_at": pl.Series(moments, dtype=pl.Datetime("us")),
        },
        schema=campaigns.HISTORY_SCHEMA,
    )
