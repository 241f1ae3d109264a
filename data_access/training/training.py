"""Training: the course catalogue, sessions, enrolments, results and certifications.

Trainers keep the catalogue (create, edit, retire), schedule sessions, enrol staff and record
results by form or by CSV import; branch managers read their own staff, executives and trainers
the whole firm (policy TRAINING_READ / TRAINING_WRITE). Every write is audited.

A result is a completion date and a score out of 100. A course with a certification period
certifies whoever scores at least PASS_SCORE, until the completion date plus that many months.
A certificate is expired after that date, expiring within metrics.EXPIRING_DAYS, valid
otherwise. Completion is data_access/metrics.py's: of the enrolments due by a day (completed, or
their session ended), the share completed; the trainer's home, this page and the KPI read it.

The CSV import reads `employee_no,course_code,completed_on,score` (header first, dates as
2026-03-10). The session is the course's session whose days include the completion date. A
check lists every bad row with its line number and writes nothing; applying writes the good
rows keyed by (session, employee), so importing the same file again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import polars as pl
from sqlalchemy import ColumnElement, Connection, and_, case, func, select
from sqlalchemy.exc import IntegrityError

from data_access.core import metrics
from data_access.core.business_days import (
    extra_holidays,
)
from data_access.core.db import (
    days_after,
    read_frame,
    unit_of_work,
)
from data_access.core.errors import (
    NotFound,
    Refused,
)
from data_access.core.models import (
    Branch,
    Employee,
    Enrolment,
    TrainingCourse,
    TrainingSession,
    UsagePersonDay,
)
from data_access.core.policy import (
    Action,
    branch_condition,
    require,
)
from data_access.core.security import (
    SignedInUser,
    audit_as,
)
from data_access.usage import (
    working_days,
)

PASS_SCORE = 60
COMPARE_DAYS = 28  # usage per working day in the four weeks before vs after a completion
CATEGORIES = ("system", "certification", "compliance", "product", "sales", "management")
IMPORT_COLUMNS = ("employee_no", "course_code", "completed_on", "score")
MAX_CERTIFICATION_MONTHS = 120
EXPIRED, EXPIRING, VALID = metrics.EXPIRED, metrics.EXPIRING, metrics.VALID


# ---------------------------------------------------------------------------------------------
# The catalogue.

COURSE_SCHEMA = {
    "id": pl.Int64,
    "code": pl.String,
    "title_ko": pl.String,
    "title_en": pl.String,
    "category": pl.String,
    "certification_months": pl.Int64,
    "is_retired": pl.Boolean,
}


@dataclass(frozen=True, slots=True)
class CourseDraft:
    code: str
    title_ko: str
    title_en: str
    category: str
    certification_months: int | None


def courses(conn: Connection, user: SignedInUser, *, include_retired: bool = True) -> pl.DataFrame:
    require(user, Action.TRAINING_READ)
    stmt = select(*(getattr(TrainingCourse, name) for name in COURSE_SCHEMA)).order_by(
        TrainingCourse.is_retired, TrainingCourse.code
    )
    if not include_retired:
        stmt = stmt.where(~TrainingCourse.is_retired)
    return read_frame(conn, stmt, COURSE_SCHEMA)


def _checked(draft: CourseDraft) -> CourseDraft:
    code = draft.code.strip().upper()
    title_ko, title_en = draft.title_ko.strip(), draft.title_en.strip()
    if not code or len(code) > 12:
        raise Refused("training_rejected_course_code")
    if not title_ko or not title_en or max(len(title_ko), len(title_en)) > 100:
        raise Refused("training_rejected_course_title")
    if draft.category not in CATEGORIES:
        raise Refused("training_rejected_course_category")
    months = draft.certification_months
    if months is not None and not 1 <= months <= MAX_CERTIFICATION_MONTHS:
        raise Refused("training_rejected_course_months")
    return CourseDraft(code, title_ko, title_en, draft.category, months)


def save_course(
    conn: Connection, user: SignedInUser, draft: CourseDraft, course_id: int | None = None
) -> int:
    """Create a course, or edit `course_id`; returns its id. Audited with before and after."""
    require(user, Action.TRAINING_WRITE)
    draft = _checked(draft)
    after = {
        "code": draft.code,
        "title_ko": draft.title_ko,
        "title_en": draft.title_en,
        "category": draft.category,
        "certification_months": draft.certification_months,
    }
    try:
        with unit_of_work(conn) as session:
            course: TrainingCourse | None
            if course_id is None:
                course = TrainingCourse(**after, is_retired=False)
                session.add(course)
                before = None
            else:
                course = session.get(TrainingCourse, course_id)
                if course is None:
                    raise NotFound("training_rejected_course_missing")
                before = {name: getattr(course, name) for name in after}
                for name, value in after.items():
                    setattr(course, name, value)
            session.flush()
            _audit(
                session,
                user,
                "training_course_create" if before is None else "training_course_update",
                "course",
                course.id,
                {"before": before, "after": after},
            )
            return course.id
    except IntegrityError as exc:
        raise Refused("training_rejected_course_code_taken") from exc


def retire_course(
    conn: Connection, user: SignedInUser, course_id: int, *, retired: bool = True
) -> None:
    """Retire a course (no new sessions; its history stays) or bring it back."""
    require(user, Action.TRAINING_WRITE)
    with unit_of_work(conn) as session:
        course = session.get(TrainingCourse, course_id)
        if course is None:
            raise NotFound("training_rejected_course_missing")
        course.is_retired = retired
        action = "training_course_retire" if retired else "training_course_restore"
        _audit(session, user, action, "course", course_id, {"code": course.code})


def _audit(
    session, user: SignedInUser, action: str, kind: str, target: object, detail: dict | None
) -> None:
    audit_as(
        session,
        user,
        action,
        target_kind=kind,
        target_id=str(target),
        detail=detail,
    )


# ---------------------------------------------------------------------------------------------
# Sessions and enrolments.

SESSION_SCHEMA = {
    "id": pl.Int64,
    "course_id": pl.Int64,
    "code": pl.String,
    "title_ko": pl.String,
    "title_en": pl.String,
    "starts_on": pl.Date,
    "ends_on": pl.Date,
    "location": pl.String,
    "enrolled": pl.Int64,
    "completed": pl.Int64,
}


def sessions(conn: Connection, user: SignedInUser, *, since: dt.date | None = None) -> pl.DataFrame:
    """Sessions (newest first) with how many are enrolled and completed in scope."""
    require(user, Action.TRAINING_READ)
    counts = (
        select(
            Enrolment.session_id,
            func.count().label("enrolled"),
            func.count(Enrolment.completed_on).label("completed"),
        )
        .join(Employee, Employee.id == Enrolment.employee_id)
        .where(branch_condition(user, Action.TRAINING_READ, Employee.branch_id))
        .group_by(Enrolment.session_id)
        .subquery()
    )
    stmt = (
        select(
            TrainingSession.id,
            TrainingSession.course_id,
            TrainingCourse.code,
            TrainingCourse.title_ko,
            TrainingCourse.title_en,
            TrainingSession.starts_on,
            TrainingSession.ends_on,
            TrainingSession.location,
            func.coalesce(counts.c.enrolled, 0).label("enrolled"),
            func.coalesce(counts.c.completed, 0).label("completed"),
        )
        .join(TrainingCourse, TrainingCourse.id == TrainingSession.course_id)
        .join(counts, counts.c.session_id == TrainingSession.id, isouter=True)
        .order_by(TrainingSession.starts_on.desc(), TrainingCourse.code)
    )
    if since is not None:
        stmt = stmt.where(TrainingSession.ends_on >= since)
    return read_frame(conn, stmt, SESSION_SCHEMA)


def add_session(
    conn: Connection,
    user: SignedInUser,
    course_id: int,
    starts_on: dt.date,
    ends_on: dt.date,
    location: str,
) -> int:
    """Schedule a session of an active course, taught by the acting trainer; audited."""
    require(user, Action.TRAINING_WRITE)
    location = location.strip()
    if ends_on < starts_on:
        raise Refused("training_rejected_session_dates")
    if not location or len(location) > 60:
        raise Refused("training_rejected_session_location")
    with unit_of_work(conn) as session:
        course = session.get(TrainingCourse, course_id)
        if course is None or course.is_retired:
            raise Refused("training_rejected_course_retired")
        row = TrainingSession(
            course_id=course_id,
            starts_on=starts_on,
            ends_on=ends_on,
            location=location,
            trainer_id=user.employee_id,
        )
        session.add(row)
        session.flush()
        _audit(
            session,
            user,
            "training_session_create",
            "session",
            row.id,
            {"course": course.code, "starts_on": starts_on.isoformat()},
        )
        return row.id


def enrol(
    conn: Connection, user: SignedInUser, session_id: int, employee_nos: list[str], on: dt.date
) -> int:
    """Enrol staff in a session; those already enrolled are left as they are. Returns how
    many were added. Unknown numbers refuse the whole request."""
    require(user, Action.TRAINING_WRITE)
    wanted = sorted({number.strip() for number in employee_nos if number.strip()})
    with unit_of_work(conn) as session:
        if session.get(TrainingSession, session_id) is None:
            raise NotFound("training_rejected_session_missing")
        found = {
            number: employee_id
            for number, employee_id in session.execute(
                select(Employee.employee_no, Employee.id).where(Employee.employee_no.in_(wanted))
            )
        }
        unknown = [number for number in wanted if number not in found]
        if unknown:
            raise NotFound("training_rejected_unknown_employee", numbers=", ".join(unknown))
        already = set(
            session.scalars(select(Enrolment.employee_id).where(Enrolment.session_id == session_id))
        )
        new = [found[number] for number in wanted if found[number] not in already]
        for employee_id in new:
            session.add(Enrolment(session_id=session_id, employee_id=employee_id, enrolled_on=on))
        if new:
            _audit(session, user, "training_enrol", "session", session_id, {"added": len(new)})
        return len(new)


# ---------------------------------------------------------------------------------------------
# Results: by form and by CSV import.


@dataclass(frozen=True, slots=True)
class ImportCheck:
    """What an import would do: `good` rows (resolved ids, certification worked out) and
    `problems` (line, employee_no, course_code, reason) for the rows it would skip."""

    good: pl.DataFrame
    problems: pl.DataFrame
    total: int


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


PROBLEM_SCHEMA = {
    "line": pl.Int64,
    "employee_no": pl.String,
    "course_code": pl.String,
    "reason": pl.String,
}
REFERENCE_SCHEMA = {
    "session_id": pl.Int64,
    "course_id": pl.Int64,
    "course_code": pl.String,
    "starts_on": pl.Date,
    "ends_on": pl.Date,
    "certification_months": pl.Int64,
}


def check_import(
    conn: Connection, user: SignedInUser, data: bytes, *, today: dt.date
) -> ImportCheck:
    """Read a results CSV and say, row by row, what applying it would do; writes nothing.

    Reasons: missing (a field is empty), unknown_employee, unknown_course, bad_date,
    future_date, no_session (no session of the course on that date), bad_score, score_range,
    duplicate (the same person and session earlier in the file). Refuses the file itself
    when it cannot be read or lacks a column.
    """
    require(user, Action.TRAINING_WRITE)
    try:
        raw = pl.read_csv(io.BytesIO(data.removeprefix(b"\xef\xbb\xbf")), infer_schema=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise Refused("training_rejected_unreadable") from exc
    missing = [name for name in IMPORT_COLUMNS if name not in raw.columns]
    if missing:
        raise Refused("training_rejected_columns")
    rows = (
        raw.select(pl.col(IMPORT_COLUMNS).str.strip_chars())
        .with_row_index("line", offset=2)
        .with_columns(pl.col("line").cast(pl.Int64))
    )
    employees = read_frame(
        conn,
        select(Employee.employee_no, Employee.id.label("employee_id")).where(
            Employee.employee_no.in_(rows["employee_no"].drop_nulls().unique().to_list())
        ),
        {"employee_no": pl.String, "employee_id": pl.Int64},
    )
    course_codes = read_frame(
        conn,
        select(TrainingCourse.code.label("course_code")),
        {"course_code": pl.String},
    )
    references = read_frame(
        conn,
        select(
            TrainingSession.id.label("session_id"),
            TrainingCourse.id.label("course_id"),
            TrainingCourse.code.label("course_code"),
            TrainingSession.starts_on,
            TrainingSession.ends_on,
            TrainingCourse.certification_months,
        ).join(TrainingCourse, TrainingCourse.id == TrainingSession.course_id),
        REFERENCE_SCHEMA,
    )
    parsed = rows.with_columns(
        pl.col("completed_on").str.to_date("%Y-%m-%d", strict=False).alias("completed_date"),
        pl.col("score").cast(pl.Int64, strict=False).alias("score_value"),
    ).join(employees, on="employee_no", how="left")
    sessions_on_day = (
        parsed.select("line", "course_code", "completed_date")
        .drop_nulls()
        .join(references, on="course_code", how="inner")
        .filter(pl.col("completed_date").is_between(pl.col("starts_on"), pl.col("ends_on")))
        .sort("line", "starts_on", descending=[False, True])
        .unique("line", keep="first")
        .select("line", "session_id", "course_id", "certification_months")
    )
    parsed = parsed.join(sessions_on_day, on="line", how="left")
    known_course = pl.col("course_code").is_in(course_codes["course_code"].implode())
    blank = pl.any_horizontal(pl.col(IMPORT_COLUMNS).is_null() | (pl.col(IMPORT_COLUMNS) == ""))
    reason = (
        pl.when(blank)
        .then(pl.lit("missing"))
        .when(pl.col("employee_id").is_null())
        .then(pl.lit("unknown_employee"))
        .when(~known_course)
        .then(pl.lit("unknown_course"))
        .when(pl.col("completed_date").is_null())
        .then(pl.lit("bad_date"))
        .when(pl.col("completed_date") > today)
        .then(pl.lit("future_date"))
        .when(pl.col("score_value").is_null())
        .then(pl.lit("bad_score"))
        .when(~pl.col("score_value").is_between(0, 100))
        .then(pl.lit("score_range"))
        .when(pl.col("session_id").is_null())
        .then(pl.lit("no_session"))
    )
    judged = parsed.with_columns(reason.alias("reason"))
    first_of_pair = (
        judged.filter(pl.col("reason").is_null())
        .group_by("session_id", "employee_id")
        .agg(pl.col("line").min().alias("first_line"))
    )
    judged = judged.join(first_of_pair, on=["session_id", "employee_id"], how="left").with_columns(
        pl.when(pl.col("reason").is_null() & (pl.col("line") != pl.col("first_line")))
        .then(pl.lit("duplicate"))
        .otherwise(pl.col("reason"))
        .alias("reason")
    )
    problems = (
        judged.filter(pl.col("reason").is_not_null())
        .select("line", "employee_no", "course_code", "reason")
        .sort("line")
    )
    certified = pl.col("certification_months").is_not_null() & (pl.col("score") >= PASS_SCORE)
    good = (
        judged.filter(pl.col("reason").is_null())
        .select(
            "line",
            "employee_no",
            "employee_id",
            "course_code",
            "session_id",
            pl.col("completed_date").alias("completed_on"),
            pl.col("score_value").alias("score"),
            "certification_months",
        )
        .with_columns(
            pl.when(certified).then(pl.col("completed_on")).alias("certified_on"),
            pl.when(certified)
            .then(
                pl.col("completed_on").dt.offset_by(
                    pl.format("{}mo", pl.col("certification_months"))
                )
            )
            .alias("certification_expires_on"),
        )
        .sort("line")
    )
    problems = problems.with_columns(
        pl.col(name).cast(dtype) for name, dtype in PROBLEM_SCHEMA.items()
    )
    return ImportCheck(good=good, problems=problems, total=rows.height)


def apply_import(conn: Connection, user: SignedInUser, check: ImportCheck) -> ImportResult:
    """Write the good rows of a checked import in one transaction; audited with the counts."""
    require(user, Action.TRAINING_WRITE)
    created = updated = unchanged = 0
    with unit_of_work(conn) as session:
        for row in check.good.iter_rows(named=True):
            outcome = _store_result(session, row)
            created += outcome == "created"
            updated += outcome == "updated"
            unchanged += outcome == "unchanged"
        result = ImportResult(created, updated, unchanged)
        _audit(
            session,
            user,
            "training_import",
            "training",
            "results",
            {
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
                "skipped": check.problems.height,
            },
        )
    return result


def _store_result(session, row: dict) -> str:
    """Create or update one (session, employee) result; says which, or that nothing changed."""
    enrolment = session.scalars(
        select(Enrolment).where(
            Enrolment.session_id == row["session_id"], Enrolment.employee_id == row["employee_id"]
        )
    ).one_or_none()
    values = {
        "completed_on": row["completed_on"],
        "score": row["score"],
        "certified_on": row["certified_on"],
        "certification_expires_on": row["certification_expires_on"],
    }
    if enrolment is None:
        session.add(
            Enrolment(
                session_id=row["session_id"],
                employee_id=row["employee_id"],
                enrolled_on=row["completed_on"],
                **values,
            )
        )
        return "created"
    if all(getattr(enrolment, name) == value for name, value in values.items()):
        return "unchanged"
    for name, value in values.items():
        setattr(enrolment, name, value)
    return "updated"


def record_result(
    conn: Connection,
    user: SignedInUser,
    employee_no: str,
    course_code: str,
    completed_on: dt.date,
    score: int,
    *,
    today: dt.date,
) -> ImportResult:
    """One result from the form: checked exactly like an import line, then applied."""
    line = (
        "employee_no,course_code,completed_on,score\n"
        f"{employee_no},{course_code},{completed_on.isoformat()},{score}\n"
    )
    check = check_import(conn, user, line.encode(), today=today)
    if check.problems.height:
        raise Refused(f"training_reason_{check.problems['reason'][0]}")
    return apply_import(conn, user, check)


# ---------------------------------------------------------------------------------------------
# Status: certifications, completion and overdue, before and after.

CERT_SCHEMA = {
    "employee_id": pl.Int64,
    "employee_no": pl.String,
    "name": pl.String,
    "branch_code": pl.String,
    "branch_name_ko": pl.String,
    "branch_name_en": pl.String,
    "course_code": pl.String,
    "title_ko": pl.String,
    "title_en": pl.String,
    "certified_on": pl.Date,
    "expires_on": pl.Date,
}


def certifications(
    conn: Connection,
    user: SignedInUser,
    as_of: dt.date,
    *,
    branch_id: int | None = None,
    employee_no: str | None = None,
) -> pl.DataFrame:
    """Each person's (or `employee_no`'s) latest certificate per course with its state
    (expired, expiring, valid) and days left (negative once expired), soonest expiry first."""
    require(user, Action.TRAINING_READ, branch_id=branch_id)
    stmt = (
        select(
            Employee.id.label("employee_id"),
            Employee.employee_no,
            Employee.name,
            Branch.code.label("branch_code"),
            Branch.name_ko.label("branch_name_ko"),
            Branch.name_en.label("branch_name_en"),
            TrainingCourse.code.label("course_code"),
            TrainingCourse.title_ko,
            TrainingCourse.title_en,
            func.max(Enrolment.certified_on).label("certified_on"),
            func.max(Enrolment.certification_expires_on).label("expires_on"),
        )
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .join(TrainingCourse, TrainingCourse.id == TrainingSession.course_id)
        .join(Employee, Employee.id == Enrolment.employee_id)
        .join(Branch, Branch.id == Employee.branch_id, isouter=True)
        .where(
            Enrolment.certification_expires_on.is_not(None),
            Employee.is_active,
            branch_condition(user, Action.TRAINING_READ, Employee.branch_id),
        )
        .group_by(
            Employee.id,
            Employee.employee_no,
            Employee.name,
            Branch.code,
            Branch.name_ko,
            Branch.name_en,
            TrainingCourse.code,
            TrainingCourse.title_ko,
            TrainingCourse.title_en,
        )
    )
    if branch_id is not None:
        stmt = stmt.where(Employee.branch_id == branch_id)
    if employee_no is not None:
        stmt = stmt.where(Employee.employee_no == employee_no)
    frame = read_frame(conn, stmt, CERT_SCHEMA)
    return frame.with_columns(
        (pl.col("expires_on") - pl.lit(as_of)).dt.total_days().alias("days_left"),
        metrics.certificate_state(pl.col("expires_on"), as_of).alias("state"),
    ).sort("expires_on", "employee_no", "course_code")


STAFF_SCHEMA = {
    "employee_id": pl.Int64,
    "employee_no": pl.String,
    "name": pl.String,
    "branch_id": pl.Int64,
    "branch_code": pl.String,
    "branch_name_ko": pl.String,
    "branch_name_en": pl.String,
}
ENROLMENT_SCHEMA = {
    "employee_id": pl.Int64,
    "completed_on": pl.Date,
    "ends_on": pl.Date,
    "score": pl.Int64,
}
COUNTED = ("enrolled", "completed", "overdue", "upcoming", "expired", "expiring")


def completion_by_person(
    conn: Connection, user: SignedInUser, as_of: dt.date, *, branch_id: int | None = None
) -> pl.DataFrame:
    """Per active branch employee in scope, on `as_of`: enrolled, completed, overdue (due by
    metrics.training_due_on but not completed), upcoming (not due yet), mean score,
    completion %, and the count of expired and expiring certificates."""
    require(user, Action.TRAINING_READ, branch_id=branch_id)
    staff_stmt = (
        select(
            Employee.id.label("employee_id"),
            Employee.employee_no,
            Employee.name,
            Employee.branch_id,
            Branch.code.label("branch_code"),
            Branch.name_ko.label("branch_name_ko"),
            Branch.name_en.label("branch_name_en"),
        )
        .join(Branch, Branch.id == Employee.branch_id)
        .where(Employee.is_active, branch_condition(user, Action.TRAINING_READ, Employee.branch_id))
        .order_by(Branch.code, Employee.employee_no)
    )
    if branch_id is not None:
        staff_stmt = staff_stmt.where(Employee.branch_id == branch_id)
    staff = read_frame(conn, staff_stmt, STAFF_SCHEMA)
    enrolments = read_frame(
        conn,
        select(
            Enrolment.employee_id, Enrolment.completed_on, TrainingSession.ends_on, Enrolment.score
        )
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .where(Enrolment.employee_id.in_(staff_stmt.with_only_columns(Employee.id).order_by(None))),
        ENROLMENT_SCHEMA,
    )
    completed = pl.col("completed_on") <= as_of
    due = metrics.training_due_on() <= as_of
    per_person = enrolments.group_by("employee_id").agg(
        pl.len().alias("enrolled"),
        completed.sum().alias("completed"),
        (due & ~completed.fill_null(False)).sum().alias("overdue"),
        (~due).sum().alias("upcoming"),
        pl.col("score").mean().alias("mean_score"),
    )
    states = (
        certifications(conn, user, as_of, branch_id=branch_id)
        .group_by("employee_id")
        .agg(
            (pl.col("state") == EXPIRED).sum().alias("expired"),
            (pl.col("state") == EXPIRING).sum().alias("expiring"),
        )
    )
    return (
        staff.join(per_person, on="employee_id", how="left")
        .join(states, on="employee_id", how="left")
        .with_columns(pl.col(COUNTED).fill_null(0).cast(pl.Int64))
        .with_columns(_completion_pct())
        .sort("branch_code", "employee_no")
    )


def _completion_pct() -> pl.Expr:
    due = pl.col("completed") + pl.col("overdue")
    return metrics.training_completion_pct(pl.col("completed"), due).alias("completion_pct")


def completion_by_branch(conn: Connection, user: SignedInUser, as_of: dt.date) -> pl.DataFrame:
    """completion_by_person summed per branch: staff, enrolled, completed, overdue, upcoming,
    expired and expiring certificates, completion %."""
    people = completion_by_person(conn, user, as_of)
    return (
        people.group_by("branch_id", "branch_code", "branch_name_ko", "branch_name_en")
        .agg(pl.len().alias("staff"), pl.col(COUNTED).sum())
        .with_columns(_completion_pct())
        .sort("branch_code")
    )


@dataclass(frozen=True, slots=True)
class TrainingTotals:
    """The staff in a user's training scope on `as_of`, as one: the same formula as each
    branch's row, over the union (so it lies between the branches'). Certificates: each
    person's latest per course; `valid` includes those expiring (they are still valid)."""

    as_of: dt.date
    staff: int
    enrolled: int
    completed: int
    overdue: int
    completion_pct: float | None
    valid_certificates: int
    expiring_certificates: int
    expired_certificates: int


def training_totals(conn: Connection, user: SignedInUser, as_of: dt.date) -> TrainingTotals:
    people = completion_by_person(conn, user, as_of)
    summed = people.select(pl.len().alias("staff"), pl.col(COUNTED).sum()).with_columns(
        _completion_pct()
    )
    states = certifications(conn, user, as_of)["state"]
    totals = summed.row(0, named=True)
    return TrainingTotals(
        as_of=as_of,
        staff=totals["staff"],
        enrolled=totals["enrolled"],
        completed=totals["completed"],
        overdue=totals["overdue"],
        completion_pct=totals["completion_pct"],
        valid_certificates=int((states != EXPIRED).sum()),
        expiring_certificates=int((states == EXPIRING).sum()),
        expired_certificates=int((states == EXPIRED).sum()),
    )


WINDOW_SUMS_SCHEMA = {
    "course_code": pl.String,
    "title_ko": pl.String,
    "title_en": pl.String,
    "completed_on": pl.Date,
    "before_actions": pl.Int64,
    "after_actions": pl.Int64,
}


def before_after(conn: Connection, user: SignedInUser, as_of: dt.date) -> pl.DataFrame:
    """Per course: console actions per working day in the 28 days before a completion against
    the 28 days after, averaged over the people whose window the usage counts fully cover.

    Columns: course_code, title_ko, title_en, people_before, before_per_day, people_after,
    after_per_day, change_pct. Usage counts cover the days from the first aggregated day up to
    the day before `as_of`; a completion too recent (or too old) for a window is left out of
    that window's figure, and the people behind each figure are counted.
    """
    require(user, Action.TRAINING_READ)
    coverage = conn.execute(
        select(func.min(UsagePersonDay.day), func.max(UsagePersonDay.day)).where(
            UsagePersonDay.day < as_of
        )
    ).one()
    first_day, last_day = (_as_date(value) for value in coverage)
    empty = pl.DataFrame(
        schema={
            "course_code": pl.String,
            "title_ko": pl.String,
            "title_en": pl.String,
            "people_before": pl.UInt32,
            "before_per_day": pl.Float64,
            "people_after": pl.UInt32,
            "after_per_day": pl.Float64,
            "change_pct": pl.Float64,
        }
    )
    if first_day is None or last_day is None:
        return empty
    span, one_day = dt.timedelta(days=COMPARE_DAYS), dt.timedelta(days=1)
    # Each completion's actions in its two windows, summed in the database: a read of every
    # person-day of a year (230,000 rows at full scale) took 1.3 s of the training page.
    in_window = and_(
        UsagePersonDay.employee_id == Enrolment.employee_id,
        UsagePersonDay.day.between(first_day, last_day),
        UsagePersonDay.day >= days_after(conn, Enrolment.completed_on, -COMPARE_DAYS),
        UsagePersonDay.day <= days_after(conn, Enrolment.completed_on, COMPARE_DAYS),
    )

    def actions_when(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, UsagePersonDay.actions), else_=0)), 0)

    completions = read_frame(
        conn,
        select(
            TrainingCourse.code.label("course_code"),
            TrainingCourse.title_ko,
            TrainingCourse.title_en,
            Enrolment.completed_on,
            actions_when(UsagePersonDay.day < Enrolment.completed_on).label("before_actions"),
            actions_when(UsagePersonDay.day > Enrolment.completed_on).label("after_actions"),
        )
        .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
        .join(TrainingCourse, TrainingCourse.id == TrainingSession.course_id)
        .join(Employee, Employee.id == Enrolment.employee_id)
        .outerjoin(UsagePersonDay, in_window)
        .where(
            Enrolment.completed_on.between(first_day - one_day, last_day + one_day),
            branch_condition(user, Action.TRAINING_READ, Employee.branch_id),
        )
        .group_by(Enrolment.id, TrainingCourse.id),
        WINDOW_SUMS_SCHEMA,
    )
    if completions.is_empty():
        return empty
    holidays = extra_holidays(conn)
    windows = _windows(completions["completed_on"].unique().to_list(), holidays)
    per_completion = completions.join(windows, on="completed_on").with_columns(
        pl.when(pl.col("completed_on") - span >= first_day)
        .then(pl.col("before_actions") / pl.col("before_days"))
        .alias("before"),
        pl.when(pl.col("completed_on") + span <= last_day)
        .then(pl.col("after_actions") / pl.col("after_days"))
        .alias("after"),
    )
    return (
        per_completion.group_by("course_code", "title_ko", "title_en")
        .agg(
            pl.col("before").count().alias("people_before"),
            pl.col("before").mean().alias("before_per_day"),
            pl.col("after").count().alias("people_after"),
            pl.col("after").mean().alias("after_per_day"),
        )
        .with_columns(
            # No use before the course leaves nothing to compare (not NaN, not infinity).
            metrics.ratio(
                pl.col("after_per_day") - pl.col("before_per_day"), pl.col("before_per_day"), 100
            ).alias("change_pct")
        )
        .sort("course_code")
    )


def _windows(completed: list[dt.date], holidays: frozenset[dt.date]) -> pl.DataFrame:
    """Working days in the 28 days before and after each completion date."""

    def working(first: dt.date, days: int) -> int:
        return len(working_days(first, first + dt.timedelta(days=days - 1), holidays))

    return pl.DataFrame(
        {
            "completed_on": completed,
            "before_days": [
                working(d - dt.timedelta(days=COMPARE_DAYS), COMPARE_DAYS) for d in completed
            ],
            "after_days": [working(d + dt.timedelta(days=1), COMPARE_DAYS) for d in completed],
        },
        schema={"completed_on": pl.Date, "before_days": pl.Int64, "after_days": pl.Int64},
    )


def _as_date(value: str | dt.date | None) -> dt.date | None:
    """A date column's value: SQLite hands it back as text, PostgreSQL as a date."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value
