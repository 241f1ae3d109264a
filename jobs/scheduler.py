"""APScheduler 3: when jobs run, the scheduler processes, and the controls of the jobs page.

Each scheduled job fires at a fixed Asia/Seoul time on working days (Monday to Friday, minus
Korea's public holidays and the firm's extra ones, see data_access.business_days), with
coalesce and an hour of misfire grace. Jobs live in a SQLAlchemyJobStore on the console's own
database (table `scheduler_jobs`), so every process sees the same schedule, pause and next run.

Production runs exactly one `python -m jobs scheduler` (a BlockingScheduler). The embedded
console starts one BackgroundScheduler per server process (ui/background.py), only on SQLite or
when CRM_IN_PROCESS_SCHEDULER=1. If two ever run against one database, the job ledger's unique
(job, business_date) key still lets only one of them build a date (data_access.job_runs).

A job fires once a day, so a build killed mid-way (its run left "running") would leave the day
without output. Every scheduler therefore looks every few seconds for scheduled runs of the
business date whose builder died, and fires their job again (`take_over_abandoned_runs`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine, make_url

from data_access.core import job_runs
from data_access.core.business_days import (
    business_today,
    extra_holidays,
    is_business_day,
)
from data_access.core.db import (
    make_engine,
    unit_of_work,
)
from data_access.core.policy import (
    Action,
    require,
)
from data_access.core.security import (
    SignedInUser,
    audit_as,
    now_seoul,
)
from jobs.registry import JOBS

log = logging.getLogger("dreams.scheduler")

SEOUL = ZoneInfo("Asia/Seoul")
JOB_TABLE = "scheduler_jobs"
DEFAULTS = {"coalesce": True, "misfire_grace_time": 3600, "max_instances": 1}
TAKE_OVER_JOB = "take-over-abandoned-runs"
# Enough to step over any run of holidays (Chuseok with a weekend is five days).
MAX_SKIPPED_DAYS = 31


@dataclass(frozen=True, slots=True)
class Schedule:
    job: str
    hour: int
    minute: int


SCHEDULES: tuple[Schedule, ...] = (
    Schedule("agenda", 6, 0),
    Schedule("customer-features", 5, 0),  # the segment copy, fresh before the day starts
    Schedule("usage-aggregate", 5, 30),
    Schedule("kpi-snapshot", 20, 0),  # the day's KPIs once the branches have closed
    Schedule("retention-report", 21, 0),  # what is due for disposal; it deletes nothing
)


class WorkingDayTrigger(BaseTrigger):
    """Fires at hour:minute Asia/Seoul on working days: Monday to Friday, minus Korea's public
    holidays and `extra_holidays` (the firm's own, refreshed whenever they change)."""

    __slots__ = ("_cron", "extra_holidays", "hour", "minute")

    def __init__(self, hour: int, minute: int, extra_holidays: frozenset[dt.date] = frozenset()):
        self._configure(hour, minute, extra_holidays)

    def _configure(self, hour: int, minute: int, extra_holidays: frozenset[dt.date]) -> None:
        self.hour = hour
        self.minute = minute
        self.extra_holidays = frozenset(extra_holidays)
        self._cron = CronTrigger(day_of_week="mon-fri", hour=hour, minute=minute, timezone=SEOUL)

    def get_next_fire_time(
        self, previous_fire_time: dt.datetime | None, now: dt.datetime
    ) -> dt.datetime | None:
        candidate = self._cron.get_next_fire_time(previous_fire_time, now)
        for _ in range(MAX_SKIPPED_DAYS):
            if candidate is None or is_business_day(candidate.date(), self.extra_holidays):
                return candidate
            candidate = self._cron.get_next_fire_time(None, candidate + dt.timedelta(seconds=1))
        return None

    def __getstate__(self) -> dict[str, Any]:
        return {
            "version": 1,
            "hour": self.hour,
            "minute": self.minute,
            "extra_holidays": sorted(day.isoformat() for day in self.extra_holidays),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._configure(
            state["hour"],
            state["minute"],
            frozenset(dt.date.fromisoformat(day) for day in state["extra_holidays"]),
        )

    def __str__(self) -> str:
        return f"working days at {self.hour:02d}:{self.minute:02d} Asia/Seoul"

    def __repr__(self) -> str:
        extra = len(self.extra_holidays)
        return f"<WorkingDayTrigger {self.hour:02d}:{self.minute:02d} extra holidays={extra}>"


# Engines of the schedulers in this process, by database. The job store keeps only this key
# (the URL without its password) with each job, never a credential.
_ENGINES: dict[str, Engine] = {}


def database_key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def run_scheduled(job_name: str, database: str) -> None:
    """What a fired job calls: build the business date, unless it is no working day.

    The date is the console's business date (CRM_BUSINESS_DATE when pinned), so a pinned
    demo builds the day it shows.
    """
    engine = _ENGINES.get(database) or _engine_from_environment(database)
    day = business_today()
    with engine.connect() as conn:
        holidays = extra_holidays(conn)
    if not is_business_day(day, holidays):
        log.info("%s: %s is not a working day, nothing to do", job_name, day)
        return
    job = JOBS[job_name]
    run = job.run_if_due or job.run
    result = run(engine, day)
    log.info("%s for %s: %s", job_name, day, result)


def _engine_from_environment(database: str) -> Engine:
    engine = make_engine()
    if database_key(engine) != database:
        log.warning("job stored for %s runs on %s", database, database_key(engine))
    _ENGINES[database] = engine
    return engine


def take_over_abandoned_runs(scheduler: BaseScheduler, engine: Engine) -> None:
    """Fire again, now, each scheduled job whose run of the business date lost its builder.

    Runs as often as live builds renew their claims (data_access.job_runs), so a dead build's
    date is built again within seconds of its claim lapsing; a paused job stays paused. Its
    firing also wakes a scheduler that has nothing due, to see what other processes changed
    in the shared job store (pause, resume, holidays).
    """
    day = business_today()
    with engine.connect() as conn:
        if not is_business_day(day, extra_holidays(conn)):
            return
        abandoned = job_runs.abandoned_runs(conn, [s.job for s in SCHEDULES], day)
    for name in abandoned:
        job = scheduler.get_job(name, jobstore="default")
        if job is not None and job.next_run_time is not None:
            log.warning("%s for %s: its builder died, building it again", name, day)
            job.modify(next_run_time=dt.datetime.now(SEOUL))


def _watch_abandoned_runs(scheduler: BaseScheduler, engine: Engine) -> None:
    scheduler.add_job(
        take_over_abandoned_runs,
        "interval",
        seconds=job_runs.claim_renewal_s(),
        args=(scheduler, engine),
        id=TAKE_OVER_JOB,
        jobstore="local",
    )


def _new_scheduler(scheduler_class: type[BaseScheduler], engine: Engine) -> BaseScheduler:
    _ENGINES[database_key(engine)] = engine
    return scheduler_class(
        timezone=SEOUL,
        job_defaults=DEFAULTS,
        jobstores={
            "default": SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE),
            "local": MemoryJobStore(),
        },
    )


def _trigger_for(schedule: Schedule, holidays: frozenset[dt.date]) -> WorkingDayTrigger:
    return WorkingDayTrigger(schedule.hour, schedule.minute, holidays)


def _sync_schedules(scheduler: BaseScheduler, engine: Engine) -> None:
    """Add missing jobs to the store; give existing ones today's holidays, keeping pauses."""
    with engine.connect() as conn:
        holidays = extra_holidays(conn)
    for schedule in SCHEDULES:
        trigger = _trigger_for(schedule, holidays)
        args = (schedule.job, database_key(engine))
        job = scheduler.get_job(schedule.job, jobstore="default")
        if job is None:
            scheduler.add_job(
                run_scheduled,
                trigger,
                args=args,
                id=schedule.job,
                name=JOBS[schedule.job].description,
                jobstore="default",
            )
        elif job.next_run_time is None:
            job.modify(trigger=trigger, args=args)  # paused: stays paused
        else:
            # A run missed while no scheduler was up keeps its time, so the misfire grace
            # decides about it; a future one moves to the next working day.
            now = dt.datetime.now(SEOUL)
            missed = job.next_run_time <= now
            next_run = job.next_run_time if missed else trigger.get_next_fire_time(None, now)
            job.modify(trigger=trigger, args=args, next_run_time=next_run)


@contextmanager
def control(engine: Engine) -> Iterator[BaseScheduler]:
    """A paused scheduler over the shared job store, for reading and changing the schedule
    from any process (the jobs page, tests); it runs nothing."""
    scheduler = _new_scheduler(BackgroundScheduler, engine)
    scheduler.start(paused=True)
    try:
        yield scheduler
    finally:
        # APScheduler's loop looks for due jobs once more as it stops (stopped is not paused):
        # with the shared store still attached, a run due now (a missed one the scheduler
        # process should catch up) would be taken here, fail on the stopped executor, and be
        # moved to its next date. Detached first, and without closing the store, whose engine
        # is the console's own.
        scheduler.remove_jobstore("default", shutdown=False)
        scheduler.shutdown(wait=False)


def start_background(engine: Engine, *, catch_up: bool = False) -> BackgroundScheduler:
    """A running BackgroundScheduler (the embedded console's; tests).

    With `catch_up`, a working day whose scheduled time has passed without a build (the
    console was not running at 06:00) is built right away, once.
    """
    scheduler = _new_scheduler(BackgroundScheduler, engine)
    scheduler.start(paused=True)
    _sync_schedules(scheduler, engine)
    if catch_up:
        _catch_up(scheduler, engine)
    _watch_abandoned_runs(scheduler, engine)
    scheduler.resume()
    return scheduler


def _catch_up(scheduler: BaseScheduler, engine: Engine) -> None:
    day = business_today()
    with engine.connect() as conn:
        holidays = extra_holidays(conn)
        if not is_business_day(day, holidays):
            return
        for schedule in SCHEDULES:
            due_at = dt.datetime.combine(day, dt.time(schedule.hour, schedule.minute))
            job = scheduler.get_job(schedule.job, jobstore="default")
            pinned = day != now_seoul().date()
            if job is None or job.next_run_time is None:
                continue  # paused by an administrator
            if (pinned or now_seoul() >= due_at) and job_runs.run_state(
                conn, schedule.job, day
            ) is None:
                log.info("catching up %s for %s", schedule.job, day)
                job.modify(next_run_time=dt.datetime.now(SEOUL))


def run_blocking(engine: Engine) -> None:
    """The production scheduler process: runs until interrupted."""
    with control(engine) as scheduler:
        _sync_schedules(scheduler, engine)
    scheduler = _new_scheduler(BlockingScheduler, engine)
    _watch_abandoned_runs(scheduler, engine)
    log.info("scheduler started for %s", database_key(engine))
    # A service manager stops us with SIGTERM: shut down like on Ctrl-C, letting a running
    # job's transaction roll back rather than be cut off mid-write.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)


def in_process_wanted(url: str) -> bool:
    """The embedded console runs its own scheduler on SQLite (the single-process default) or
    when CRM_IN_PROCESS_SCHEDULER=1; =0 switches it off even on SQLite."""
    setting = os.environ.get("CRM_IN_PROCESS_SCHEDULER", "")
    if setting in ("0", "1"):
        return setting == "1"
    return make_url(url).get_backend_name() == "sqlite"


# ---------------------------------------------------------------------------------------------
# The jobs page: what is scheduled, pause and resume, holidays changed, run now.


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    id: str
    name: str
    schedule: str
    at: dt.time | None  # the time of day a working-day job fires, Asia/Seoul
    next_run_at: dt.datetime | None  # Asia/Seoul wall-clock time; None while paused

    @property
    def paused(self) -> bool:
        return self.next_run_at is None


def scheduled_jobs(engine: Engine, user: SignedInUser) -> list[ScheduledJob]:
    require(user, Action.JOBS_RUN)
    with control(engine) as scheduler:
        _sync_missing(scheduler, engine)
        return [
            ScheduledJob(
                id=job.id,
                name=job.name,
                schedule=str(job.trigger),
                at=(
                    dt.time(job.trigger.hour, job.trigger.minute)
                    if isinstance(job.trigger, WorkingDayTrigger)
                    else None
                ),
                next_run_at=(
                    job.next_run_time.astimezone(SEOUL).replace(tzinfo=None)
                    if job.next_run_time
                    else None
                ),
            )
            for job in scheduler.get_jobs(jobstore="default")
        ]


def _sync_missing(scheduler: BaseScheduler, engine: Engine) -> None:
    """A database whose scheduler never started still lists its jobs, as scheduled."""
    if any(scheduler.get_job(s.job, jobstore="default") is None for s in SCHEDULES):
        _sync_schedules(scheduler, engine)


def _audited(engine: Engine, user: SignedInUser, action: str, job_id: str, **detail: Any) -> None:
    with engine.connect() as conn, unit_of_work(conn) as session:
        audit_as(
            session,
            user,
            action,
            target_kind="job",
            target_id=job_id,
            detail=detail or None,
        )


def pause(engine: Engine, user: SignedInUser, job_id: str) -> None:
    require(user, Action.JOBS_RUN)
    with control(engine) as scheduler:
        _sync_missing(scheduler, engine)
        scheduler.pause_job(job_id, jobstore="default")
    _audited(engine, user, "job_pause", job_id)


def resume(engine: Engine, user: SignedInUser, job_id: str) -> None:
    require(user, Action.JOBS_RUN)
    with control(engine) as scheduler:
        _sync_missing(scheduler, engine)
        scheduler.resume_job(job_id, jobstore="default")
    _audited(engine, user, "job_resume", job_id)


def refresh_holidays(engine: Engine) -> None:
    """After the firm's holidays change: every trigger skips the new set from its next run."""
    with control(engine) as scheduler:
        _sync_schedules(scheduler, engine)


def run_now(
    engine: Engine, user: SignedInUser, job_name: str, business_date: dt.date
) -> dict[str, Any]:
    """Rebuild `business_date` in this process, now; audited. Raises JobFailed on failure."""
    require(user, Action.JOBS_RUN)
    _audited(engine, user, "job_run_now", job_name, business_date=business_date.isoformat())
    return JOBS[job_name].run(engine, business_date)
