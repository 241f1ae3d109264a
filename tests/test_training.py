"""Training: catalogue, sessions, enrolments, the results import, expiry, completion, and usage
before and after a course; on tests/handmade.py plus tests/usage_data.py's training rows.

Handmade: CRM101 (12-month certificate), session 1 ended 2025-01-07; Kim (101) certified until
2026-04-01, Park (102) until 2026-01-07, the manager (101) enrolled but never completed.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hyp
from sqlalchemy import Connection, func, select

from data_access.core.db import (
    bulk_insert,
)
from data_access.core.errors import (
    NotFound,
    Refused,
)
from data_access.core.models import (
    AuditRecord,
    Enrolment,
    TrainingCourse,
    UsagePersonDay,
)
from data_access.core.policy import (
    AccessDenied,
)
from data_access.training import training
from tests import usage_data
from tests.handmade import EXECUTIVE, KIM, MANAGER_101, TRAINER
from ui.training_view import effect_chart

AS_OF = usage_data.AS_OF
GOOD_AND_BAD = """employee_no,course_code,completed_on,score
E3,CRM101,2026-02-03,90
E4,SAL101,2026-02-10,55
E99,CRM101,2026-02-03,80
E3,NOPE,2026-02-03,80
E3,CRM101,2026-02-30,80
E3,CRM101,2026-03-11,80
E3,CRM101,2026-02-05,80
E4,CRM101,2026-02-03,abc
E4,CRM101,2026-02-03,101
E4,,2026-02-03,70
E3,CRM101,2026-02-02,70
"""


@pytest.fixture
def db(handmade: Connection) -> Connection:
    usage_data.load_training(handmade)
    return handmade


def enrolments(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(Enrolment)).scalar_one()


def audits(conn: Connection, action: str) -> int:
    stmt = select(func.count()).select_from(AuditRecord).where(AuditRecord.action == action)
    return conn.execute(stmt).scalar_one()


def test_import_lists_every_bad_row_with_its_line_and_writes_nothing(db):
    check = training.check_import(db, TRAINER, GOOD_AND_BAD.encode(), today=AS_OF)
    assert check.total == 11
    assert check.problems.select("line", "reason").rows() == [
        (4, "unknown_employee"),
        (5, "unknown_course"),
        (6, "bad_date"),  # 30 February
        (7, "future_date"),
        (8, "no_session"),  # CRM101 has no session on 5 February
        (9, "bad_score"),
        (10, "score_range"),
        (11, "missing"),
        (12, "duplicate"),  # Kim in session 2 again (line 2)
    ]
    good = check.good.select(
        "line", "employee_id", "session_id", "score", "certified_on", "certification_expires_on"
    ).rows()
    assert good == [
        (2, 3, 2, 90, dt.date(2026, 2, 3), dt.date(2027, 2, 3)),  # passed: 12 months
        (3, 4, 3, 55, None, None),  # SAL101 has no certificate
    ]
    assert enrolments(db) == 3 and audits(db, "training_import") == 0


def test_applying_then_reimporting_creates_no_duplicates(db):
    check = training.check_import(db, TRAINER, GOOD_AND_BAD.encode(), today=AS_OF)
    assert training.apply_import(db, TRAINER, check) == training.ImportResult(2, 0, 0)
    assert enrolments(db) == 5
    again = training.check_import(db, TRAINER, GOOD_AND_BAD.encode(), today=AS_OF)
    assert training.apply_import(db, TRAINER, again) == training.ImportResult(0, 0, 2)
    assert enrolments(db) == 5
    changed = GOOD_AND_BAD.replace("E3,CRM101,2026-02-03,90", "E3,CRM101,2026-02-03,50")
    check = training.check_import(db, TRAINER, changed.encode(), today=AS_OF)
    assert training.apply_import(db, TRAINER, check) == training.ImportResult(0, 1, 1)
    kim = db.execute(
        select(Enrolment.score, Enrolment.certified_on).where(
            Enrolment.session_id == 2, Enrolment.employee_id == 3
        )
    ).one()
    assert tuple(kim) == (50, None)  # failed now: no certificate
    assert audits(db, "training_import") == 3


def test_unreadable_files_are_refused_with_a_reason(db):
    with pytest.raises(Refused) as missing:
        training.check_import(db, TRAINER, b"name,score\nkim,80\n", today=AS_OF)
    assert missing.value.code == "training_rejected_columns"
    bom = "\ufeff" + GOOD_AND_BAD.splitlines()[0] + "\nE3,CRM101,2026-02-03,90\n"
    assert training.check_import(db, TRAINER, bom.encode(), today=AS_OF).good.height == 1


def test_only_trainers_import(db):
    for user in (MANAGER_101, EXECUTIVE, KIM):
        with pytest.raises(AccessDenied):
            training.check_import(db, user, GOOD_AND_BAD.encode(), today=AS_OF)


def test_a_result_by_form_goes_through_the_same_checks(db):
    result = training.record_result(
        db, TRAINER, "E4", "CRM101", dt.date(2026, 2, 2), 75, today=AS_OF
    )
    assert result == training.ImportResult(1, 0, 0)
    with pytest.raises(Refused) as refused:
        training.record_result(db, TRAINER, "E4", "CRM101", dt.date(2026, 2, 9), 75, today=AS_OF)
    assert refused.value.code == "training_reason_no_session"


def test_expiry_states(db):
    states = training.certifications(db, TRAINER, AS_OF)
    assert states.select("employee_no", "expires_on", "days_left", "state").rows() == [
        ("E4", dt.date(2026, 1, 7), -62, "expired"),
        ("E3", dt.date(2026, 4, 1), 22, "expiring"),  # within 90 days
    ]
    check = training.check_import(db, TRAINER, GOOD_AND_BAD.encode(), today=AS_OF)
    training.apply_import(db, TRAINER, check)
    kim = training.certifications(db, TRAINER, AS_OF).filter(pl.col("employee_no") == "E3")
    assert kim.select("expires_on", "state").row(0) == (dt.date(2027, 2, 3), "valid")
    own = training.certifications(db, MANAGER_101, AS_OF)
    assert own["employee_no"].to_list() == ["E3"]


def test_completion_and_overdue_by_person_and_branch(db):
    people = training.completion_by_person(db, TRAINER, AS_OF)
    rows = people.select(
        "employee_no", "enrolled", "completed", "overdue", "upcoming", "expired", "expiring"
    ).rows()
    assert rows == [
        ("E2", 1, 0, 1, 0, 0, 0),  # session 1 ended without a completion
        ("E3", 1, 1, 0, 0, 0, 1),
        ("E4", 1, 1, 0, 0, 1, 0),
    ]
    assert people["completion_pct"].to_list() == [0.0, 100.0, 100.0]
    assert people["mean_score"].to_list()[1:] == [88.0, 72.0]
    branches = training.completion_by_branch(db, TRAINER, AS_OF)
    assert branches.select(
        "branch_code", "staff", "completed", "overdue", "expired", "expiring", "completion_pct"
    ).rows() == [("101", 2, 1, 1, 0, 1, 50.0), ("102", 1, 1, 0, 1, 0, 100.0)]
    own = training.completion_by_person(db, MANAGER_101, AS_OF)
    assert own["employee_no"].to_list() == ["E2", "E3"]
    with pytest.raises(AccessDenied, match="access_denied_branch"):
        training.completion_by_person(db, MANAGER_101, AS_OF, branch_id=2)


def test_usage_before_and_after_a_course(db):
    """Kim completes CRM101 on Feb 3 and Park SAL101 on Feb 10; usage is counted Jan 5 - Mar 6.

    Kim: before Jan 6 - Feb 2 (20 working days) holds 50 actions (Jan 20; Jan 5 is a day
    early) = 2.5 a day; after Feb 4 - Mar 3 (16 working days: Seollal and Mar 2 off) holds 80
    (Feb 10) = 5.0 a day. Park: before Jan 13 - Feb 9 (20 days) holds 40 (Jan 15) = 2.0; his
    after window would end Mar 10, past the counted days, so nobody is behind "after".
    """
    check = training.check_import(
        db,
        TRAINER,
        b"employee_no,course_code,completed_on,score\n"
        b"E3,CRM101,2026-02-03,90\nE4,SAL101,2026-02-10,70\n",
        today=AS_OF,
    )
    training.apply_import(db, TRAINER, check)
    counts = [
        (dt.date(2026, 1, 5), 3, 1, 100),
        (dt.date(2026, 1, 20), 3, 1, 50),
        (dt.date(2026, 2, 10), 3, 1, 80),
        (dt.date(2026, 1, 15), 4, 2, 40),
        (dt.date(2026, 3, 6), 4, 2, 10),
    ]
    bulk_insert(
        db,
        UsagePersonDay.__table__,
        pl.DataFrame(
            counts, schema=["day", "employee_id", "branch_id", "actions"], orient="row"
        ).with_columns(pl.lit(0).alias("notes"), pl.lit(0).alias("late_notes")),
    )
    effect = training.before_after(db, TRAINER, AS_OF)
    rows = effect.select(
        "course_code", "people_before", "before_per_day", "people_after", "after_per_day"
    ).rows()
    assert rows == [("CRM101", 1, 2.5, 1, 5.0), ("SAL101", 1, 2.0, 0, None)]
    assert effect["change_pct"].to_list() == [100.0, None]
    chart = effect_chart(effect).to_dict()
    # Courses by name down the side, never by code along a crowded bottom.
    assert chart["encoding"]["y"]["field"] == "course"
    (rows,) = chart["datasets"].values()
    assert {row["course"] for row in rows} == set(effect["title_ko"])
    assert "course_code" not in json.dumps(chart)


def test_before_after_without_usage_counts_is_empty(db):
    assert training.before_after(db, TRAINER, AS_OF).is_empty()


def test_catalogue_create_edit_retire_audited(db):
    draft = training.CourseDraft("crm501 ", "고객 데이터 분석", "Customer analytics", "system", 24)
    course_id = training.save_course(db, TRAINER, draft)
    row = db.execute(
        select(
            TrainingCourse.code, TrainingCourse.certification_months, TrainingCourse.is_retired
        ).where(TrainingCourse.id == course_id)
    ).one()
    assert tuple(row) == ("CRM501", 24, False)
    edited = training.CourseDraft("CRM501", "고객 분석", "Customer analytics", "sales", None)
    training.save_course(db, TRAINER, edited, course_id)
    training.retire_course(db, TRAINER, course_id)
    courses = training.courses(db, TRAINER).filter(pl.col("id") == course_id)
    assert courses.select("title_ko", "category", "certification_months", "is_retired").row(0) == (
        "고객 분석",
        "sales",
        None,
        True,
    )
    with pytest.raises(Refused) as retired:
        training.add_session(db, TRAINER, course_id, AS_OF, AS_OF, "본사")
    assert retired.value.code == "training_rejected_course_retired"
    with pytest.raises(Refused) as taken:
        training.save_course(db, TRAINER, draft)
    assert taken.value.code == "training_rejected_course_code_taken"
    with pytest.raises(Refused) as months:
        training.save_course(db, TRAINER, training.CourseDraft("X1", "가", "A", "system", 500))
    assert months.value.code == "training_rejected_course_months"
    assert audits(db, "training_course_create") == 1
    assert audits(db, "training_course_update") == 1
    assert audits(db, "training_course_retire") == 1


def test_sessions_and_enrolments(db):
    session_id = training.add_session(
        db, TRAINER, 1, dt.date(2026, 3, 16), dt.date(2026, 3, 17), "서울 교육센터"
    )
    assert training.enrol(db, TRAINER, session_id, ["E2", "E3", " E3 "], AS_OF) == 2
    assert training.enrol(db, TRAINER, session_id, ["E3", "E4"], AS_OF) == 1
    with pytest.raises(NotFound) as unknown:
        training.enrol(db, TRAINER, session_id, ["E77"], AS_OF)
    assert unknown.value.code == "training_rejected_unknown_employee"
    with pytest.raises(Refused) as backwards:
        training.add_session(db, TRAINER, 1, AS_OF, AS_OF - dt.timedelta(days=1), "본사")
    assert backwards.value.code == "training_rejected_session_dates"
    listed = training.sessions(db, TRAINER).filter(pl.col("id") == session_id)
    assert listed.select("enrolled", "completed").row(0) == (3, 0)
    # The manager of 101 counts only his own staff in a session.
    own = training.sessions(db, MANAGER_101).filter(pl.col("id") == session_id)
    assert own.select("enrolled").item() == 2
    people = training.completion_by_person(db, TRAINER, AS_OF)
    assert people.filter(pl.col("employee_no") == "E3")["upcoming"].item() == 1


IMPORT_VALUES = {
    "employee_no": ["E2", "E3", "E4", "E99", "", " E3 "],
    "course_code": ["CRM101", "SAL101", "NOPE", ""],
    "completed_on": ["2026-02-02", "2026-02-03", "2026-02-10", "2026-03-11", "2026/02/03", ""],
    "score": ["0", "59", "60", "100", "101", "-1", "x", "7.5", ""],
}
import_row = hyp.fixed_dictionaries({k: hyp.sampled_from(v) for k, v in IMPORT_VALUES.items()})


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=hyp.lists(import_row, max_size=12))
def test_import_property_every_line_judged_once_and_reimport_changes_nothing(db, rows):
    text = "employee_no,course_code,completed_on,score\n" + "".join(
        f"{r['employee_no']},{r['course_code']},{r['completed_on']},{r['score']}\n" for r in rows
    )
    check = training.check_import(db, TRAINER, text.encode(), today=AS_OF)
    lines = sorted([*check.good["line"].to_list(), *check.problems["line"].to_list()])
    assert lines == list(range(2, len(rows) + 2))
    assert check.good.select("session_id", "employee_id").is_duplicated().sum() == 0
    assert check.good["score"].is_between(0, 100).all()
    before = enrolments(db)
    first = training.apply_import(db, TRAINER, check)
    assert enrolments(db) == before + first.created
    again = training.apply_import(
        db, TRAINER, training.check_import(db, TRAINER, text.encode(), today=AS_OF)
    )
    assert (again.created, again.updated) == (0, 0)
