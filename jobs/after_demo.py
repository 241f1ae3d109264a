"""What a freshly generated demo database needs beyond its rows, in the order it needs it.

One sequence for `python -m jobs demo-data` and the console's first run, so both open on the
same consent history and do-not-call list (jobs/demo_consent.py), daily usage counts, worked
agenda history, segment copy, campaigns (jobs/demo_campaigns.py), sales with their
suitability records and happy calls (jobs/demo_conduct.py), complaints and KPI history.
The agenda work drawn here is the demo's own, which is why it lives here and not in the agenda
job.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import Connection, Engine

from data_access import agenda, kpis
from data_access.core.business_days import (
    extra_holidays,
    is_business_day,
)
from data_access.core.db import (
    unit_of_work,
)
from jobs import agenda as agenda_job
from jobs import demo_campaigns, demo_complaints, demo_conduct, demo_consent
from jobs import kpis as kpis_job
from jobs import segments as segments_job
from jobs import usage as usage_job
from jobs.demo import WORK_HOUR_WEIGHTS


@dataclass(frozen=True, slots=True)
class HistoryStep:
    """One step of the history: `share` is its part of the fill's time at 20,000 customers."""

    name: str
    share: float
    run: Callable[[Engine, dt.date], Any]


# In the order each needs the one before; see the comments for why.
HISTORY_STEPS = (
    # First: the agenda history and the TM draws leave the listed numbers out.
    HistoryStep("consent", 0.03, demo_consent.run),
    HistoryStep("usage", 0.08, lambda engine, _: usage_job.after_demo_data(engine)),
    # Before the KPIs: completion.
    HistoryStep("agenda", 0.52, lambda engine, as_of: agenda_history(engine, as_of)),
    # After the history's notes; the campaigns draw from it.
    HistoryStep("segments", 0.04, segments_job.run),
    HistoryStep("campaigns", 0.04, demo_campaigns.run),
    # After the worked agendas (their days predate the calls' items), before the KPIs.
    HistoryStep("conduct", 0.04, demo_conduct.run),
    # With the outcomes' notes, so the copy opens current.
    HistoryStep("segments_current", 0.07, segments_job.run_if_stale),
    HistoryStep("complaints", 0.02, demo_complaints.run),
    # Last: the executive page opens on the whole history.
    HistoryStep("kpis", 0.19, kpis_job.after_demo_data),
)
HistoryProgress = Callable[[str, float], None]


def build_history(
    engine: Engine, as_of: dt.date, progress: HistoryProgress | None = None
) -> dict[str, Any]:
    """Run the steps of the history the database still lacks, each recorded as done once it
    is, and return what each made. `progress(step, fraction)` is told of each step as it
    starts, with the share of the work done before it.

    A fill cut off (the console stopped) resumes at the step it was in; the steps before it
    are kept. A complete history is left alone.
    """
    with engine.connect() as conn:
        recorded = kpis.demo_history_next(conn)
    if recorded == kpis.DEMO_HISTORY_DONE:
        return {}
    names = [step.name for step in HISTORY_STEPS]
    first = names.index(recorded) if recorded in names else 0
    made: dict[str, Any] = {}
    done_share = sum(step.share for step in HISTORY_STEPS[:first])
    for index, step in enumerate(HISTORY_STEPS[first:], start=first):
        if progress is not None:
            progress(step.name, done_share)
        made[step.name] = step.run(engine, as_of)
        done_share += step.share
        following = names[index + 1] if index + 1 < len(names) else kpis.DEMO_HISTORY_DONE
        with engine.connect() as conn:
            kpis.record_demo_history_next(conn, following)
            conn.commit()
    if progress is not None:
        progress(kpis.DEMO_HISTORY_DONE, 1.0)
    return made


def history_pending(engine: Engine) -> bool:
    """Whether a fill of this database's history started and has not finished."""
    with engine.connect() as conn:
        return kpis.demo_history_next(conn) not in (None, kpis.DEMO_HISTORY_DONE)


def mark_history_pending(engine: Engine) -> None:
    """Record that the history is to be filled, from its first step: the console's first run
    does so before it fills in the background, so a stop resumes it."""
    with engine.connect() as conn:
        kpis.record_demo_history_next(conn, HISTORY_STEPS[0].name)
        conn.commit()


# The demo opens on this many business days of worked agendas, so completion shows on the
# executive and branch pages. Each day is one agenda build (about 1 s at 20,000 customers).
DEMO_AGENDA_DAYS = 10
DEMO_SEED = 5  # the worked shares depend on the data and this seed only
# Branches and reps differ: a branch works Beta(6, 2.5) of its items (about 70%), a rep
# 75-110% of that. Worked items end done, unreachable or snoozed; most done ones get a note.
BRANCH_SHARE_BETA = (6.0, 2.5)
REP_FACTOR = (0.75, 1.1)
OUTCOME_SHARES = {agenda.DONE: 0.8, agenda.UNREACHABLE: 0.14, agenda.SNOOZED: 0.06}
DEMO_SNOOZE_DAYS = (1, 3, 7)
NOTED_SHARE = 0.85
DEMO_NOTE = ("phone", "follow_up", "아젠다 항목 확인 전화. 다음 상담 일정 안내.")
# A worked item of a contact-due rule is a mailing or call sent: always done and logged in the
# rule's channel, so the customer's last contact moves on and the next one waiting comes up the
# next morning (the rule lists the longest-waiting few of each book).
CONTACT_NOTES = {
    "dm": ("dm", "follow_up", "DM 발송: 펀드 운용 보고서와 신상품 안내장."),
    "tm": ("tm", "follow_up", "TM 안내 통화: 펀드 운용 현황과 신상품 안내."),
    "any": DEMO_NOTE,
}


def agenda_history(engine: Engine, as_of: dt.date) -> dict[str, Any]:
    """Build and work the agendas of the DEMO_AGENDA_DAYS business days before `as_of`, day by
    day, so each build sees the earlier days' work (a worked customer is not listed again)."""
    started = time.perf_counter()
    with engine.connect() as conn:
        holidays = extra_holidays(conn)
    days: list[dt.date] = []
    day = as_of
    while len(days) < DEMO_AGENDA_DAYS:
        day -= dt.timedelta(days=1)
        if is_business_day(day, holidays):
            days.insert(0, day)
    with engine.connect() as conn:
        contact_channels = contact_rule_channels(conn)
    items = worked = 0
    for day in days:
        items += agenda_job.run(engine, day)["items"]
        with engine.connect() as conn, unit_of_work(conn) as session:
            write = session.connection()
            work = demo_work(agenda.open_items(write, day), day, contact_channels)
            worked += agenda.work_history(write, day, work)
    return {
        "days": len(days),
        "items": items,
        "worked": worked,
        "seconds": round(time.perf_counter() - started, 2),
    }


def contact_rule_channels(conn: Connection) -> dict[int, str]:
    """The channel of each contact-due rule, by rule id: what working its items sends."""
    return {
        rule.id: rule.spec.params.channel
        for rule in agenda.agenda_rules(conn)
        if isinstance(rule.spec, agenda.ContactDueRule)
    }


def demo_work(
    items: pl.DataFrame, day: dt.date, contact_channels: dict[int, str] | None = None
) -> pl.DataFrame:
    """The items a day's reps worked (agenda.WORKED_SCHEMA), drawn from the seed and the day:
    each branch and rep keeps a share of their own, spread over the working hours. Items of
    the contact-due rules in `contact_channels` (rule id: channel) are mailings sent."""
    if items.is_empty():
        return pl.DataFrame(schema=agenda.WORKED_SCHEMA)
    branch = items["branch_id"].fill_null(0).to_numpy()
    rep = items["employee_id"].to_numpy()
    branch_share = np.random.default_rng([DEMO_SEED, 1]).beta(*BRANCH_SHARE_BETA, branch.max() + 1)
    rep_factor = np.random.default_rng([DEMO_SEED, 2]).uniform(*REP_FACTOR, rep.max() + 1)
    rng = np.random.default_rng([DEMO_SEED, day.toordinal()])
    size = items.height
    chosen = rng.random(size) < np.clip(branch_share[branch] * rep_factor[rep], 0.05, 0.98)
    outcomes = list(OUTCOME_SHARES)
    status = np.array(outcomes)[rng.choice(len(outcomes), size, p=list(OUTCOME_SHARES.values()))]
    hours = np.array(list(WORK_HOUR_WEIGHTS))
    weights = np.array(list(WORK_HOUR_WEIGHTS.values()), dtype=float)
    seconds = rng.choice(hours, size, p=weights / weights.sum()) * 3600 + rng.integers(
        0, 3600, size
    )
    noted = (status == agenda.DONE) & (rng.random(size) < NOTED_SHARE)
    channels = contact_channels or {}
    contact = [channels.get(rule) for rule in items["rule_id"].to_list()]
    is_contact = np.array([c is not None for c in contact], dtype=bool)
    status = np.where(is_contact, agenda.DONE, status)
    noted |= is_contact
    notes = [DEMO_NOTE if c is None else CONTACT_NOTES[c] for c in contact]
    channel, outcome, text = (pl.Series(column) for column in zip(*notes, strict=True))
    return (
        items.select("rule_id", "customer_id")
        .with_columns(
            pl.Series("status", status),
            (
                pl.lit(dt.datetime.combine(day, dt.time()))
                + pl.duration(seconds=pl.lit(pl.Series(seconds)))
            ).alias("worked_at"),
            pl.Series("snooze_days", rng.choice(DEMO_SNOOZE_DAYS, size)),
            pl.Series("noted", noted),
        )
        .with_columns(
            pl.when(pl.col("status") == agenda.SNOOZED).then("snooze_days").alias("snooze_days"),
            pl.when("noted").then(channel).alias("channel"),
            pl.when("noted").then(outcome).alias("outcome"),
            pl.when("noted").then(text).alias("note"),
        )
        .filter(pl.Series(chosen))
        .select(list(agenda.WORKED_SCHEMA))
    )
