"""jobs.scheduler.control, the paused scheduler the jobs page (and any process) reads and
changes the shared schedule through: it must never take a run meant for the scheduler process."""

from __future__ import annotations

import datetime as dt

from jobs import scheduler


def test_a_control_leaves_a_due_run_to_the_scheduler_process(databases):
    """A run that is due (say, missed while the scheduler process was down) keeps its time
    after a control opens and closes: APScheduler looks for due jobs once more as it stops,
    and with the store attached it would move this run to its next date, never run."""
    engine = databases.new("scheduler_control")
    due = (dt.datetime.now(scheduler.SEOUL) - dt.timedelta(minutes=5)).replace(microsecond=0)
    with scheduler.control(engine) as control:
        control.add_job(print, "interval", hours=1, id="due", jobstore="default", next_run_time=due)
    with scheduler.control(engine) as control:
        kept = control.get_job("due", jobstore="default").next_run_time
    assert kept == due
