"""Complaint cases (민원): received, worked at the customer's branch, closed by compliance.

A case belongs to the customer's home branch at receipt: its staff see and work it (assign a
handler, add progress notes), compliance sees and works every case and alone closes one with
a resolution. Anyone who may work cases may open one for any customer, because any branch
serves any customer (and a happy call that finds a suspected mis-sale opens one as the caller);
the case still lands at the customer's branch. Every change appends a row to
`complaint_events` and an audit record in the same unit of work.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from data_access.core import complaint_rules
from data_access.core.business_days import (
    business_today,
    extra_holidays,
)
from data_access.core.complaint_rules import (
    CLOSED,
    COMPLAINT_SETTINGS,
    DEADLINE_DAYS,
    IN_PROGRESS,
    NEAR_DAYS,
    OPEN,
    complaint_settings,
    deadline_for,
    near_cutoff,
    open_on,
    overdue_on,
)
from data_access.core.db import (
    AnySelect,
    FrameSchema,
    read_frame,
    unit_of_work,
)
from data_access.core.errors import (
    NotFound,
    Refused,
)
from data_access.core.models import (
    Branch,
    Complaint,
    ComplaintEvent,
    ComplaintSetting,
    Customer,
    Employee,
    Product,
)
from data_access.core.policy import (
    Action,
    branch_condition,
    require,
)
from data_access.core.security import (
    SignedInUser,
    audit_as,
    now_seoul,
)

# The firm's categories (금융소비자보호 민원 유형) and the ways a complaint arrives.
CATEGORIES = ("mis_selling", "fees", "service", "system", "other")
CHANNELS = ("visit", "phone", "letter", "regulator", "website")
# Who raised it: the customer, the regulator passing one on (금감원 이첩), or a happy call that
# found a suspected mis-sale (data_access.conduct).
SOURCES = ("customer", "regulator", "happy_call")
SUMMARY_MAX_CHARS = 2000
NOTE_MAX_CHARS = 2000
LIST_LIMIT = 500

OPENED, ASSIGNED, NOTED, CLOSED_EVENT = "opened", "assigned", "note", "closed"

CASE_SCHEMA: FrameSchema = {
    "complaint_id": pl.Int64,
    "case_no": pl.String,
    "received_on": pl.Date,
    "deadline_on": pl.Date,
    "status": pl.String,
    "category": pl.String,
    "channel": pl.String,
    "source": pl.String,
    "customer_no": pl.String,
    "customer_name": pl.String,
    "branch_id": pl.Int64,
    "branch_code": pl.String,
    "branch_ko": pl.String,
    "branch_en": pl.String,
    "handler_id": pl.Int64,
    "handler_name": pl.String,
    "product_name": pl.String,
    "closed_on": pl.Date,
    "overdue": pl.Boolean,
    "near_deadline": pl.Boolean,
}
HISTORY_SCHEMA: FrameSchema = {
    "recorded_at": pl.Datetime("us"),
    "kind": pl.String,
    "status": pl.String,
    "handler_name": pl.String,
    "note": pl.String,
    "recorded_by": pl.String,
}


@dataclass(frozen=True, slots=True)
class ComplaintCounts:
    """Open, overdue and near-deadline cases in a reader's scope on one day."""

    open: int
    overdue: int
    near_deadline: int


@dataclass(frozen=True, slots=True)
class ComplaintCase:
    """One case as its page shows it: the row of `cases`, its summary and resolution, whether
    its deadline fell on a day the firm has since closed, the branch staff who may handle it,
    and its history, oldest first."""

    row: dict[str, object]
    summary: str
    resolution: str | None
    closed_by: str | None
    deadline_on_closing_day: bool
    handlers: pl.DataFrame
    history: pl.DataFrame


def _text(value: str, limit: int, refusal: str) -> str:
    text = value.strip()
    if not text or len(text) > limit:
        raise Refused(refusal, limit=limit)
    return text


def _one_of(value: str, allowed: tuple[str, ...], refusal: str) -> str:
    if value not in allowed:
        raise Refused(refusal, value=str(value)[:40])
    return value


def open_case(
    conn: Connection,
    actor: SignedInUser,
    *,
    customer_no: str,
    category: str,
    channel: str,
    received_on: dt.date,
    product_code: str | None,
    summary: str,
    source: str,
) -> int:
    """Open a case for `customer_no` at the customer's home branch, due the configured number
    of business days after `received_on`; returns its id. Refused for an unknown category,
    channel or source, an empty or overlong summary, or a receipt date in the future."""
    require(actor, Action.COMPLAINT_WRITE)
    _one_of(category, CATEGORIES, "complaint_category_unknown")
    _one_of(channel, CHANNELS, "complaint_channel_unknown")
    _one_of(source, SOURCES, "complaint_source_unknown")
    text = _text(summary, SUMMARY_MAX_CHARS, "complaint_summary_length")
    if received_on > business_today():
        raise Refused("complaint_received_in_future")
    with unit_of_work(conn) as session:
        connection = session.connection()
        customer = connection.execute(
            select(Customer.id, Customer.home_branch_id).where(
                Customer.customer_no == customer_no.strip()
            )
        ).one_or_none()
        if customer is None:
            raise NotFound("customer_not_found", number=customer_no.strip()[:20])
        product_id = None
        if product_code:
            product_id = connection.scalar(
                select(Product.id).where(Product.code == product_code.strip())
            )
            if product_id is None:
                raise NotFound("complaint_product_not_found", code=product_code.strip()[:20])
        days = complaint_settings(connection)[DEADLINE_DAYS]
        deadline = deadline_for(received_on, days, extra_holidays(connection))
        now = now_seoul()
        complaint = Complaint(
            case_no=f"pending-{uuid.uuid4().hex[:12]}",  # numbered below, once it has an id
            customer_id=customer.id,
            product_id=product_id,
            branch_id=customer.home_branch_id,
            category=category,
            channel=channel,
            source=source,
            received_on=received_on,
            deadline_on=deadline,
            summary=text,
            status=OPEN,
            opened_by=actor.username,
            opened_at=now,
        )
        session.add(complaint)
        session.flush()
        complaint.case_no = case_number(received_on, complaint.id)
        _event(session, actor, complaint, OPENED, note=None, at=now)
        audit_as(
            session, actor, "complaint_open", target_kind="complaint",
            target_id=complaint.case_no,
            detail={"category": category, "channel": channel, "source": source,
                    "deadline_on": deadline.isoformat()},
        )  # fmt: skip
        return complaint.id


def case_number(received_on: dt.date, complaint_id: int) -> str:
    """The number a case is quoted by: year of receipt and its id (민원 2026-000123)."""
    return f"{received_on.year}-{complaint_id:06d}"


def _event(
    session: Session,
    actor: SignedInUser,
    complaint: Complaint,
    kind: str,
    *,
    note: str | None,
    at: dt.datetime,
) -> None:
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            kind=kind,
            status=complaint.status,
            handler_id=complaint.handler_id,
            note=note,
            recorded_by=actor.username,
            recorded_at=at,
        )
    )


def _case_for(session: Session, user: SignedInUser, complaint_id: int, action: Action) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        require(user, action)
        raise NotFound("complaint_not_found")
    require(user, action, branch_id=complaint.branch_id)
    return complaint


def assign_handler(
    conn: Connection, user: SignedInUser, complaint_id: int, *, employee_id: int
) -> None:
    """Give an open case to a handler: an active employee of the case's branch."""
    with unit_of_work(conn) as session:
        complaint = _case_for(session, user, complaint_id, Action.COMPLAINT_WRITE)
        if complaint.status == CLOSED:
            raise Refused("complaint_already_closed")
        handler = session.get(Employee, employee_id)
        if handler is None or not handler.is_active or handler.branch_id != complaint.branch_id:
            raise Refused("complaint_handler_not_in_branch")
        complaint.handler_id = handler.id
        complaint.status = IN_PROGRESS
        _event(session, user, complaint, ASSIGNED, note=None, at=now_seoul())
        audit_as(
            session, user, "complaint_assign", target_kind="complaint",
            target_id=complaint.case_no, detail={"handler_id": handler.id},
        )  # fmt: skip


def add_progress_note(
    conn: Connection, user: SignedInUser, complaint_id: int, *, note: str
) -> None:
    """Add what was done on an open case (a call, a letter, what the branch found); the case is
    then in progress."""
    text = _text(note, NOTE_MAX_CHARS, "complaint_note_length")
    with unit_of_work(conn) as session:
        complaint = _case_for(session, user, complaint_id, Action.COMPLAINT_WRITE)
        if complaint.status == CLOSED:
            raise Refused("complaint_already_closed")
        complaint.status = IN_PROGRESS
        _event(session, user, complaint, NOTED, note=text, at=now_seoul())
        audit_as(
            session, user, "complaint_note", target_kind="complaint",
            target_id=complaint.case_no,
        )  # fmt: skip


def close_case(
    conn: Connection, user: SignedInUser, complaint_id: int, *, resolution: str, on: dt.date
) -> None:
    """Close a case with its resolution on `on` (compliance only): not before its receipt,
    not in the future, not twice."""
    text = _text(resolution, NOTE_MAX_CHARS, "complaint_resolution_length")
    with unit_of_work(conn) as session:
        complaint = _case_for(session, user, complaint_id, Action.COMPLAINT_CLOSE)
        if complaint.status == CLOSED:
            raise Refused("complaint_already_closed")
        if on < complaint.received_on or on > business_today():
            raise Refused("complaint_closed_on_out_of_range")
        complaint.status = CLOSED
        complaint.resolution = text
        complaint.closed_on = on
        complaint.closed_by = user.username
        _event(session, user, complaint, CLOSED_EVENT, note=text, at=now_seoul())
        audit_as(
            session, user, "complaint_close", target_kind="complaint",
            target_id=complaint.case_no,
            detail={"closed_on": on.isoformat(),
                    "overdue": on > complaint.deadline_on},
        )  # fmt: skip


def _case_select(user: SignedInUser, as_of: dt.date, near_by: dt.date) -> AnySelect:
    handler = aliased(Employee)
    return (
        select(
            Complaint.id.label("complaint_id"),
            Complaint.case_no,
            Complaint.received_on,
            Complaint.deadline_on,
            Complaint.status,
            Complaint.category,
            Complaint.channel,
            Complaint.source,
            Customer.customer_no,
            Customer.name.label("customer_name"),
            Complaint.branch_id,
            Branch.code.label("branch_code"),
            Branch.name_ko.label("branch_ko"),
            Branch.name_en.label("branch_en"),
            Complaint.handler_id,
            handler.name.label("handler_name"),
            Product.name.label("product_name"),
            Complaint.closed_on,
            case((overdue_on(as_of), True), else_=False).label("overdue"),
            case(
                (
                    and_(
                        open_on(as_of),
                        Complaint.deadline_on >= as_of,
                        Complaint.deadline_on <= near_by,
                    ),
                    True,
                ),
                else_=False,
            ).label("near_deadline"),
        )
        .join(Customer, Customer.id == Complaint.customer_id)
        .join(Branch, Branch.id == Complaint.branch_id)
        .outerjoin(handler, handler.id == Complaint.handler_id)
        .outerjoin(Product, Product.id == Complaint.product_id)
        .where(branch_condition(user, Action.COMPLAINT_READ, Complaint.branch_id))
    )


def _near_by(conn: Connection, as_of: dt.date) -> dt.date:
    near_days = complaint_settings(conn)[NEAR_DAYS]
    return near_cutoff(as_of, near_days, extra_holidays(conn))


def cases(
    conn: Connection,
    user: SignedInUser,
    *,
    as_of: dt.date,
    status: str | None = None,
    overdue_only: bool = False,
    branch_code: str | None = None,
) -> pl.DataFrame:
    """The cases `user` may read, overdue first, then by deadline: a branch's for its staff,
    every branch's for compliance and head office. `status` 'open' means not closed."""
    require(user, Action.COMPLAINT_READ)
    stmt = _case_select(user, as_of, _near_by(conn, as_of))
    if status == OPEN:
        stmt = stmt.where(Complaint.status != CLOSED)
    elif status is not None:
        stmt = stmt.where(
            Complaint.status
            == _one_of(status, complaint_rules.STATUSES, "complaint_status_unknown")
        )
    if overdue_only:
        stmt = stmt.where(overdue_on(as_of))
    if branch_code:
        stmt = stmt.where(Branch.code == branch_code)
    stmt = stmt.order_by((Complaint.status == CLOSED), Complaint.deadline_on, Complaint.id).limit(
        LIST_LIMIT
    )
    return read_frame(conn, stmt, CASE_SCHEMA)


def customer_cases(
    conn: Connection, user: SignedInUser, customer_no: str, *, as_of: dt.date
) -> pl.DataFrame:
    """The customer's cases not yet closed, for the customer 360 (within `user`'s scope)."""
    require(user, Action.COMPLAINT_READ)
    stmt = (
        _case_select(user, as_of, _near_by(conn, as_of))
        .where(Customer.customer_no == customer_no.strip(), Complaint.status != CLOSED)
        .order_by(Complaint.deadline_on)
    )
    return read_frame(conn, stmt, CASE_SCHEMA)


def case_detail(
    conn: Connection, user: SignedInUser, complaint_id: int, *, as_of: dt.date
) -> ComplaintCase:
    """One case with its history and the staff who may handle it; another branch's case is
    refused like any other branch's data."""
    require(user, Action.COMPLAINT_READ)
    branch_id = conn.scalar(select(Complaint.branch_id).where(Complaint.id == complaint_id))
    if branch_id is None:
        raise NotFound("complaint_not_found")
    require(user, Action.COMPLAINT_READ, branch_id=branch_id)
    row = conn.execute(
        _case_select(user, as_of, _near_by(conn, as_of)).where(Complaint.id == complaint_id)
    ).one()
    text = conn.execute(
        select(Complaint.summary, Complaint.resolution, Complaint.closed_by).where(
            Complaint.id == complaint_id
        )
    ).one()
    handler = aliased(Employee)
    history = read_frame(
        conn,
        select(
            ComplaintEvent.recorded_at,
            ComplaintEvent.kind,
            ComplaintEvent.status,
            handler.name.label("handler_name"),
            ComplaintEvent.note,
            ComplaintEvent.recorded_by,
        )
        .outerjoin(handler, handler.id == ComplaintEvent.handler_id)
        .where(ComplaintEvent.complaint_id == complaint_id)
        .order_by(ComplaintEvent.id),
        HISTORY_SCHEMA,
    )
    handlers = read_frame(
        conn,
        select(Employee.id.label("employee_id"), Employee.name, Employee.role)
        .where(Employee.branch_id == row.branch_id, Employee.is_active)
        .order_by(Employee.name),
        {"employee_id": pl.Int64, "name": pl.String, "role": pl.String},
    )
    return ComplaintCase(
        row=row._asdict(),
        summary=text.summary,
        resolution=text.resolution,
        closed_by=text.closed_by,
        deadline_on_closing_day=row.deadline_on in extra_holidays(conn),
        handlers=handlers,
        history=history,
    )


def case_counts(conn: Connection, user: SignedInUser, *, as_of: dt.date) -> ComplaintCounts:
    """Open, overdue and near-deadline cases in `user`'s scope on `as_of` (home pages)."""
    require(user, Action.COMPLAINT_READ)
    near_by = _near_by(conn, as_of)
    counts = conn.execute(
        select(
            func.count(),
            func.count(case((Complaint.deadline_on < as_of, 1))),
            func.count(case((Complaint.deadline_on.between(as_of, near_by), 1))),
        ).where(
            open_on(as_of),
            branch_condition(user, Action.COMPLAINT_READ, Complaint.branch_id),
        )
    ).one()
    return ComplaintCounts(open=counts[0], overdue=counts[1], near_deadline=counts[2])


def save_complaint_setting(conn: Connection, user: SignedInUser, name: str, value: float) -> None:
    """Set one complaint setting (administrators, with the other rule settings); audited with
    the value before and after. Cases already open keep the deadline they were given."""
    require(user, Action.AGENDA_RULES_WRITE)
    spec = COMPLAINT_SETTINGS.get(name)
    if spec is None:
        raise Refused("complaint_setting_unknown")
    if not math.isfinite(value) or value != int(value) or not spec.minimum <= value <= spec.maximum:
        raise Refused("complaint_setting_out_of_range", minimum=spec.minimum, maximum=spec.maximum)
    with unit_of_work(conn) as session:
        before = complaint_settings(session.connection())[name]
        row = session.get(ComplaintSetting, name) or ComplaintSetting(name=name)
        row.value, row.updated_by, row.updated_at = float(value), user.username, now_seoul()
        session.add(row)
        audit_as(
            session, user, "complaint_setting_save", target_kind="complaint_setting",
            target_id=name, detail={"before": before, "after": int(value)},
        )  # fmt: skip
