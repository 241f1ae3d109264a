"""The complaint numbers every screen shares (issue #22): a case's deadline, when it is near,
when it is overdue, and which cases are open on a day. Defined here once because the
complaints package, the morning agenda and the KPI snapshot all count them.

The settings are data: `complaint_settings` holds what an administrator changed (through
data_access.complaints), the defaults live here. The firm answers a complaint within 14
business days of receipt, inside the regulator's own handling period for the complaints it
passes on (금융감독원 민원 처리기간); the deadline counts working days, so it never lands on a
weekend, a public holiday or a day the firm closes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, or_, select

from data_access.core.business_days import (
    is_business_day,
)
from data_access.core.models import (
    Complaint,
    ComplaintSetting,
)

OPEN, IN_PROGRESS, CLOSED = "open", "in_progress", "closed"
STATUSES = (OPEN, IN_PROGRESS, CLOSED)
DEADLINE_DAYS = "deadline_business_days"
NEAR_DAYS = "near_deadline_business_days"


@dataclass(frozen=True, slots=True)
class SettingRange:
    """A complaint setting's default and the whole numbers it may take; its meaning is the
    catalog key `complaint_setting_<name>`."""

    default: int
    minimum: int
    maximum: int


COMPLAINT_SETTINGS: dict[str, SettingRange] = {
    # Business days from receipt to the answer the firm owes the customer.
    DEADLINE_DAYS: SettingRange(14, 1, 60),
    # An open case whose deadline is this many business days away or fewer is "near".
    NEAR_DAYS: SettingRange(3, 0, 20),
}


def complaint_settings(conn: Connection) -> dict[str, int]:
    """Every complaint setting: the stored value where an administrator set one, else the
    default."""
    stored = dict(conn.execute(select(ComplaintSetting.name, ComplaintSetting.value)).all())
    return {name: int(stored.get(name, spec.default)) for name, spec in COMPLAINT_SETTINGS.items()}


def after_business_days(day: dt.date, count: int, closures: Collection[dt.date]) -> dt.date:
    """The working day `count` working days after `day` (`day` itself when 0 and it is one).

    A case received on a Saturday or a holiday starts counting on the next working day.
    """
    remaining = count
    while remaining > 0 or not is_business_day(day, closures):
        day += dt.timedelta(days=1)
        if is_business_day(day, closures):
            remaining -= 1
    return day


def deadline_for(
    received_on: dt.date, business_days: int, closures: Collection[dt.date]
) -> dt.date:
    """The day a case received on `received_on` must be answered by."""
    return after_business_days(received_on, business_days, closures)


def near_cutoff(day: dt.date, near_days: int, closures: Collection[dt.date]) -> dt.date:
    """An open case whose deadline is on or before this day (and not before `day`) is near."""
    return after_business_days(day, near_days, closures)


def open_on(day: dt.date) -> ColumnElement[bool]:
    """Cases received by `day` and not closed by then: the open cases of that day."""
    return and_(
        Complaint.received_on <= day,
        or_(Complaint.closed_on.is_(None), Complaint.closed_on > day),
    )


def overdue_on(day: dt.date) -> ColumnElement[bool]:
    """Cases open on `day` whose deadline has passed: the overdue KPI and the red rows."""
    return and_(open_on(day), Complaint.deadline_on < day)
