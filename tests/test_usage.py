"""Usage: recording, the daily aggregate job and every adoption metric, on tests/usage_data.py.

Expected values are worked out by hand in tests/usage_data.py's docstring; the comments here
repeat the arithmetic.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time

import polars as pl
import pytest
from sqlalchemy import Connection, Engine, func, select

from data_access.core.db import (
    make_engine,
)
from data_access.core.models import (
    JobRun,
    UsageDaily,
    UsageEvent,
    UsagePersonDay,
)
from data_access.core.policy import (
    AccessDenied,
)
from data_access.core.security import (
    now_seoul,
)
from data_access.customers import records as customers
from data_access.usage import usage
from data_access.usage.usage import (
    UsageAction,
)
from jobs.registry import JOBS
from tests import handmade, usage_data
from tests.handmade import ADMIN, EXECUTIVE, KIM, MANAGER_101, TRAINER

AS_OF = usage_data.AS_OF


@pytest.fixture
def usage_db(handmade: Connection) -> Connection:
    usage_data.load(handmade)
    usage.aggregate_all(handmade)
    return handmade


@pytest.fixture(scope="module")
def committed(databases) -> Engine:
    engine = databases.new("usage_job")
    with engine.begin() as conn:
        handmade.load(conn)
        usage_data.load(conn)
    return engine


def person(adoption: usage.Adoption, employee_id: int) -> dict:
    return adoption.people.filter(pl.col("employee_id") == employee_id).row(0, named=True)


def test_the_vocabulary_covers_every_action_the_demo_draws():
    from jobs.demo import USAGE_ACTIONS

    assert set(USAGE_ACTIONS) <= {action.value for action in UsageAction}


def test_daily_counts_per_employee_action_with_late_events(usage_db):
    day = usage.daily_counts(usage_db, dt.date(2026, 3, 9), dt.date(2026, 3, 9))
    assert sorted(day.select("employee_id", "action", "events", "late_events").rows()) == [
        (3, "note", 1, 0),
        (3, "page_view", 3, 0),
        (3, "search", 2, 0),
        (4, "note", 6, 6),  # typed at 17:30
        (4, "page_view", 1, 0),
    ]
    assert set(day["branch_id"]) == {1, 2}


def test_aggregate_all_counts_every_day_with_events(usage_db):
    days = usage_db.execute(select(UsageDaily.day).distinct()).scalars().all()
    as_dates = sorted(d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d in days)
    assert as_dates == [
        dt.date(2026, 2, 11),
        dt.date(2026, 2, 12),
        dt.date(2026, 2, 20),
        dt.date(2026, 3, 6),
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 10),
    ]
    total = usage_db.execute(select(func.sum(UsageDaily.events))).scalar_one()
    assert total == 200 + 10 + 4 + 6 + 1 + 2 + 7
    person_days = usage_db.execute(
        select(
            UsagePersonDay.employee_id,
            UsagePersonDay.actions,
            UsagePersonDay.notes,
            UsagePersonDay.late_notes,
        ).where(UsagePersonDay.day == dt.date(2026, 3, 9))
    ).all()
    assert sorted(tuple(row) for row in person_days) == [(3, 6, 1, 0), (4, 7, 6, 6)]


def test_the_job_counts_yesterday_records_its_run_and_is_idempotent(committed):
    job = JOBS["usage-aggregate"]
    first = job.run(committed, AS_OF)
    # Nothing counted yet: the job starts at yesterday (Mar 9): Kim 3 rows, Park 2 rows.
    assert (first["status"], first["items"]) == ("succeeded", 5)
    assert (first["first_day"], first["last_day"]) == ("2026-03-09", "2026-03-09")
    again = job.run(committed, AS_OF)
    assert again["items"] == 5
    skipped = job.run_if_due(committed, AS_OF)
    assert skipped["status"] == "skipped"
    with committed.connect() as conn:
        assert conn.execute(select(func.count()).select_from(UsageDaily)).scalar_one() == 5
        runs = conn.execute(select(JobRun.status).where(JobRun.job == "usage-aggregate")).scalars()
        assert list(runs) == ["succeeded"]
    # A week later the job recounts from the last counted day (Mar 9) up to yesterday.
    later = job.run(committed, dt.date(2026, 3, 17))
    assert (later["first_day"], later["last_day"]) == ("2026-03-09", "2026-03-16")
    assert later["items"] == 5 + 1  # Kim's page view on Mar 10 joins


def test_recorder_writes_buffered_events_in_one_bulk_insert(committed):
    recorder = usage.UsageRecorder(committed, max_events=1000, max_age_s=3600)
    recorder.add(KIM, UsageAction.PAGE_VIEW, "usage")
    recorder.add(KIM, UsageAction.SEARCH, "customer", target="name")
    recorder.add(dataclasses.replace(ADMIN, employee_id=None), UsageAction.PAGE_VIEW, "jobs")
    assert recorder.waiting == 2
    with committed.connect() as conn:
        before = conn.execute(select(func.count()).select_from(UsageEvent)).scalar_one()
    assert recorder.flush() == 2
    assert recorder.waiting == 0 and recorder.flush() == 0
    with committed.connect() as conn:
        rows = conn.execute(
            select(UsageEvent.employee_id, UsageEvent.branch_id, UsageEvent.action)
            .order_by(UsageEvent.id.desc())
            .limit(2)
        ).all()
        after = conn.execute(select(func.count()).select_from(UsageEvent)).scalar_one()
    assert after == before + 2
    assert sorted(rows) == [(3, 1, "page_view"), (3, 1, "search")]


def test_recorder_keeps_events_while_the_database_is_away_and_writes_them_later(
    committed, tmp_path
):
    recorder = usage.UsageRecorder(committed, max_events=1000, max_age_s=3600, max_held=3)
    recorder.engine = make_engine(f"sqlite:///{tmp_path / 'no such folder' / 'gone.db'}")
    for _ in range(2):
        recorder.add(KIM, UsageAction.PAGE_VIEW, "usage")
    assert recorder.flush() == 0 and recorder.waiting == 2  # held, not dropped
    recorder.add(KIM, UsageAction.SEARCH, "customer", target="name")
    recorder.add(KIM, UsageAction.SEARCH, "customer", target="phone")
    assert recorder.flush() == 0 and recorder.waiting == 3  # the oldest beyond the cap go
    recorder.engine = committed  # the database is back
    with committed.connect() as conn:
        before = conn.execute(select(func.max(UsageEvent.id))).scalar_one() or 0
    assert recorder.flush() == 3 and recorder.waiting == 0
    with committed.connect() as conn:
        written = conn.execute(
            select(UsageEvent.action, UsageEvent.target)
            .where(UsageEvent.id > before)
            .order_by(UsageEvent.id)
        ).all()
    assert written == [("page_view", None), ("search", "name"), ("search", "phone")]


def test_recorder_backs_off_while_the_database_stays_away(committed, tmp_path, caplog):
    """No busy loop: held events do not wake the writer, each failed try waits twice as long
    as the one before, and max_events new events still wake it early."""
    caplog.set_level(logging.WARNING, logger="dreams.usage")
    recorder = usage.UsageRecorder(committed, max_events=20, max_age_s=0.02)
    recorder.engine = make_engine(f"sqlite:///{tmp_path / 'no such folder' / 'gone.db'}")
    for _ in range(20):
        recorder.add(KIM, UsageAction.PAGE_VIEW, "backoff")  # the 20th wakes the writer
    added = 20
    watched_until = time.monotonic() + 1.5
    while time.monotonic() < watched_until:
        recorder.add(KIM, UsageAction.PAGE_VIEW, "backoff")  # held ones stay over max_events
        added += 1
        time.sleep(0.1)
    tries = sum("database busy or away" in record.getMessage() for record in caplog.records)
    # Waits of 0.02, 0.04, 0.08 ... s: some 7 tries in 1.5 s, where a busy loop makes 75+.
    assert 3 <= tries <= 10, tries
    recorder.engine = committed  # the database is back; the next wait is over a second
    for _ in range(20):
        recorder.add(KIM, UsageAction.PAGE_VIEW, "backoff")
    woken_until = time.monotonic() + 0.6
    while recorder.waiting and time.monotonic() < woken_until:
        time.sleep(0.02)
    assert recorder.waiting == 0, "20 new events wake the writer early"
    with committed.connect() as conn:
        written = conn.execute(
            select(func.count()).select_from(UsageEvent).where(UsageEvent.page == "backoff")
        ).scalar_one()
    assert written == added + 20, "none lost"


def test_recorder_refuses_words_outside_the_vocabulary(committed):
    recorder = usage.UsageRecorder(committed)
    with pytest.raises(ValueError):
        recorder.add(KIM, "looked_around", "home")


def test_firm_wide_headline_figures(usage_db):
    figures = usage.adoption(usage_db, EXECUTIVE, AS_OF)
    assert figures.staff == 3  # manager, Kim, Park (head office has no branch)
    # Active person-days on working days: Feb 11 Park, Feb 12 manager, Feb 20 Kim, Mar 6 Kim,
    # Mar 9 Kim and Park = 6 over the window's 17 working days (30 days to Monday 03-09).
    assert figures.dau == pytest.approx(6 / 17)
    assert figures.wau == 2  # Mar 3-9: Kim and Park
    assert figures.mau == 3
    assert figures.stickiness == pytest.approx(6 / 17 / 3)
    # (200 + 20 + 9) actions over the 6 active person-days.
    assert figures.actions_per_person_day == pytest.approx(229 / 6)


def test_per_person_actions_norm_features_and_idle(usage_db):
    figures = usage.adoption(usage_db, EXECUTIVE, AS_OF)
    manager, kim, park = (person(figures, e) for e in (2, 3, 4))
    assert (manager["actions"], manager["active_days"], manager["actions_per_day"]) == (
        200,
        1,
        200.0,
    )
    assert manager["vs_norm_pct"] == pytest.approx(80.0)  # 200 of 250
    assert (kim["actions"], kim["active_days"]) == (20, 3)
    assert kim["actions_per_day"] == pytest.approx(20 / 3)
    assert (park["actions"], park["active_days"], park["actions_per_day"]) == (9, 2, 4.5)
    assert (manager["features"], kim["features"], park["features"]) == (1, 4, 2)
    assert manager["last_active"] == dt.date(2026, 2, 12) and manager["idle_days"] == 26
    assert kim["idle_days"] == 1 and park["idle_days"] == 1


def test_decliners_compare_working_day_averages_of_the_two_halves(usage_db):
    figures = usage.adoption(usage_db, EXECUTIVE, AS_OF)
    manager, kim = person(figures, 2), person(figures, 3)
    assert manager["before_per_day"] == pytest.approx(200 / 7)
    assert manager["recent_per_day"] == 0
    assert manager["change_pct"] == pytest.approx(-100.0)
    assert kim["before_per_day"] == pytest.approx(10 / 7)
    assert kim["recent_per_day"] == pytest.approx(10 / 9)
    assert kim["change_pct"] == pytest.approx(((10 / 9) / (10 / 7) - 1) * 100)
    # Kim fell 22% from under 20 a day: too little to flag. The manager fell from 28.6 to 0.
    assert figures.people.filter("declining")["employee_id"].to_list() == [2]


def test_idle_staff_for_n_days(usage_db):
    people = usage.adoption(usage_db, EXECUTIVE, AS_OF).people
    assert usage.idle_staff(people, 5)["employee_id"].to_list() == [2]
    assert usage.idle_staff(people, 27).is_empty()
    assert sorted(usage.idle_staff(people, 1)["employee_id"].to_list()) == [2, 3, 4]


def test_paper_holdout_signal(usage_db):
    figures = usage.adoption(usage_db, EXECUTIVE, AS_OF)
    manager, kim, park = (person(figures, e) for e in (2, 3, 4))
    # Park typed all 6 notes after 17:00 and closed 5 items without a note.
    assert (park["notes"], park["late_notes"]) == (6, 6)
    assert (park["closed"], park["closed_without_note"]) == (5, 5)
    # Kim's one note was at 11:00, but 4 of 5 closed items had no note (80%).
    assert (kim["notes"], kim["late_notes"], kim["closed"], kim["closed_without_note"]) == (
        1,
        0,
        5,
        4,
    )
    assert (manager["paper_signal"], kim["paper_signal"], park["paper_signal"]) == (
        False,
        True,
        True,
    )


def test_feature_coverage_employee_by_feature(usage_db):
    coverage = usage.adoption(usage_db, EXECUTIVE, AS_OF).coverage
    assert sorted(coverage.select("employee_id", "action", "events").rows()) == [
        (2, "page_view", 200),
        (3, "customer_view", 4),
        (3, "note", 1),
        (3, "page_view", 13),
        (3, "search", 2),
        (4, "note", 6),
        (4, "page_view", 3),
    ]
    by_branch = usage.coverage_by_branch(usage.adoption(usage_db, EXECUTIVE, AS_OF))
    shares = {
        (r["branch_code"], r["action"]): r["share_pct"] for r in by_branch.iter_rows(named=True)
    }
    assert shares[("101", "page_view")] == 100.0  # both staff of 101
    assert shares[("101", "search")] == 50.0  # Kim only


def test_weekly_trend(usage_db):
    weekly = usage.adoption(usage_db, EXECUTIVE, AS_OF).weekly
    assert weekly.rows() == [
        (dt.date(2026, 2, 9), 2, (200 + 2) / 2),
        (dt.date(2026, 2, 16), 1, 10.0),
        (dt.date(2026, 3, 2), 1, 4.0),
        (dt.date(2026, 3, 9), 2, (6 + 7) / 2),
    ]


def test_branch_manager_sees_own_branch_only(usage_db):
    figures = usage.adoption(usage_db, MANAGER_101, AS_OF)
    assert sorted(figures.people["employee_id"].to_list()) == [2, 3]
    assert figures.staff == 2 and figures.mau == 2 and figures.wau == 1
    assert figures.dau == pytest.approx(4 / 17)  # Feb 12, Feb 20, Mar 6, Mar 9
    assert set(figures.coverage["employee_id"]) == {2, 3}


def test_another_branch_gives_nothing_and_a_clear_message(usage_db):
    with pytest.raises(AccessDenied, match="access_denied_branch"):
        usage.adoption(usage_db, MANAGER_101, AS_OF, branch_id=2)
    with pytest.raises(AccessDenied, match="access_denied_branch"):
        usage.employee_activity(usage_db, MANAGER_101, 4, AS_OF)
    with pytest.raises(AccessDenied, match="access_denied_role"):
        usage.adoption(usage_db, KIM, AS_OF)


def test_executive_and_trainer_may_pick_any_branch(usage_db):
    for user in (EXECUTIVE, TRAINER):
        figures = usage.adoption(usage_db, user, AS_OF, branch_id=2)
        assert figures.people["employee_id"].to_list() == [4]
        assert figures.mau == 1
    assert usage.branches_in_scope(usage_db, MANAGER_101)["code"].to_list() == ["101"]
    assert usage.branches_in_scope(usage_db, TRAINER)["code"].to_list() == ["101", "102"]


def test_one_employees_recent_activity(usage_db):
    activity = usage.employee_activity(usage_db, MANAGER_101, 3, AS_OF, days=14)
    assert activity.employee_no == "E3" and activity.branch_code == "101"
    # Feb 24 - Mar 9 from the aggregates; the as-of day's event is only in the raw list.
    assert activity.daily.rows() == [
        (dt.date(2026, 3, 6), "customer_view", 4),
        (dt.date(2026, 3, 9), "note", 1),
        (dt.date(2026, 3, 9), "page_view", 3),
        (dt.date(2026, 3, 9), "search", 2),
    ]
    assert activity.recent["occurred_at"][0] == dt.datetime(2026, 3, 10, 8, 30)
    assert activity.recent.height == 21  # all of Kim's events


def test_no_usage_yet_gives_zeros_not_errors(handmade):
    figures = usage.adoption(handmade, EXECUTIVE, AS_OF)
    assert (figures.staff, figures.dau, figures.wau, figures.mau) == (3, 0.0, 0, 0)
    assert figures.stickiness == 0.0 and figures.weekly.is_empty()
    assert figures.people["idle_days"].null_count() == 3


def test_who_may_not_open_customer_records_never_reads_which_ones_staff_opened(usage_db):
    """A trainer coaches on actions and screens; the customer numbers in the person view are
    for those the policy lets read customer records (the manager, an executive)."""
    customers.record_customer_view(usage_db, KIM, "100000002")
    as_of = now_seoul().date()
    for reader in (MANAGER_101, EXECUTIVE):
        recent = usage.employee_activity(usage_db, reader, 3, as_of).recent
        assert recent.row(0, named=True) | {"occurred_at": None} == {
            "occurred_at": None,
            "action": "customer_view",
            "page": "customer",
            "target": "100000002",
        }, reader.role
    recent = usage.employee_activity(usage_db, TRAINER, 3, as_of).recent
    assert recent.columns == ["occurred_at", "action", "page"]
    assert recent.row(0, named=True)["action"] == "customer_view"
