"""Working days: Monday to Friday, minus Korea's public holidays and the firm's own closures.

Public holidays (with substitute and election days) come from the `holidays` package; days the
firm closes on top of them are rows of `business_holidays`, edited by admins. Scheduled jobs
run on working days only.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Collection
from typing import Any, cast

import holidays
import polars as pl
from sqlalchemy import Connection, CursorResult, delete, select

from data_access.core.db import (
    read_frame,
    unit_of_work,
)
from data_access.core.errors import (
    Refused,
)
from data_access.core.models import (
    BusinessHoliday,
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

COUNTRY = "KR"
NAME_MAX_CHARS = 60


def business_today() -> dt.date:
    """Today in Seoul, unless CRM_BUSINESS_DATE pins the business date (demos, training, tests).

    The console and its in-process scheduler read the same variable, so a pinned console
    builds and shows the agenda of the pinned day.
    """
    pinned = os.environ.get("CRM_BUSINESS_DATE")
    return dt.date.fromisoformat(pinned) if pinned else now_seoul().date()


def business_now() -> dt.datetime:
    """The console's moment for rules that depend on the hour (allowed call hours).

    The business date with Seoul's wall-clock time, unless CRM_BUSINESS_TIME (HH:MM) pins the
    hour too: a pinned demo or training console then behaves the same at any time of day.
    """
    pinned = os.environ.get("CRM_BUSINESS_TIME")
    hour = dt.time.fromisoformat(pinned) if pinned else now_seoul().time()
    return dt.datetime.combine(business_today(), hour)


@functools.lru_cache(maxsize=32)
def public_holidays(year: int, language: str = "ko") -> dict[dt.date, str]:
    """Korea's public holidays of `year` with their names ('ko' or 'en_US')."""
    return dict(holidays.country_holidays(COUNTRY, years=year, language=language))


def is_business_day(day: dt.date, extra_holidays: Collection[dt.date] = ()) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year) and day not in extra_holidays


def add_business_days(
    day: dt.date, count: int, extra_holidays: Collection[dt.date] = ()
) -> dt.date:
    """The working day `count` working days after `day` (before it when negative): a deadline
    of N business days skips weekends, public holidays and the firm's closures."""
    step = dt.timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    while remaining:
        day += step
        if is_business_day(day, extra_holidays):
            remaining -= 1
    return day


def extra_holidays(conn: Connection) -> frozenset[dt.date]:
    return frozenset(conn.execute(select(BusinessHoliday.day)).scalars())


def holiday_calendar(conn: Connection, year: int) -> pl.DataFrame:
    """Every day of `year` that is not a working day for a reason other than the weekend.

    Columns: day, name_ko, name_en, source ('public' from the holidays package, 'firm' from
    business_holidays), weekday (0 = Monday).
    """
    public_ko, public_en = public_holidays(year, "ko"), public_holidays(year, "en_US")
    rows = [(day, name, public_en.get(day, name), "public") for day, name in public_ko.items()]
    firm = read_frame(
        conn,
        select(BusinessHoliday.day, BusinessHoliday.name).where(
            BusinessHoliday.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31))
        ),
        {"day": pl.Date},
    )
    rows += [(day, name, name, "firm") for day, name in firm.iter_rows()]
    schema = {"day": pl.Date, "name_ko": pl.String, "name_en": pl.String, "source": pl.String}
    return (
        pl.DataFrame(rows, schema=schema, orient="row")
        .with_columns((pl.col("day").dt.weekday() - 1).alias("weekday"))
        .sort("day", "source")
    )


def add_holiday(conn: Connection, user: SignedInUser, day: dt.date, name: str) -> None:
    """Close the branches on `day` (today or later); audited. AccessDenied unless the policy
    lets `user` change the calendar."""
    require(user, Action.CALENDAR_WRITE)
    name = name.strip()
    if not name or len(name) > NAME_MAX_CHARS:
        raise Refused("holiday_rejected_name", limit=NAME_MAX_CHARS)
    if day < business_today():
        raise Refused("holiday_rejected_past")
    with unit_of_work(conn) as session:
        if session.get(BusinessHoliday, day) is not None:
            raise Refused("holiday_rejected_exists")
        session.add(
            BusinessHoliday(day=day, name=name, created_by=user.username, created_at=now_seoul())
        )
        audit_as(
            session,
            user,
            "holiday_add",
            target_kind="holiday",
            target_id=day.isoformat(),
            detail={"name": name},
        )


def remove_holiday(conn: Connection, user: SignedInUser, day: dt.date) -> None:
    require(user, Action.CALENDAR_WRITE)
    with unit_of_work(conn) as session:
        # Session.execute is typed as any Result; a DELETE's is a CursorResult, with a rowcount.
        removed = cast(
            CursorResult[Any],
            session.execute(delete(BusinessHoliday).where(BusinessHoliday.day == day)),
        )
        if removed.rowcount != 1:
            raise Refused("holiday_rejected_missing")
        audit_as(
            session,
            user,
            "holiday_remove",
            target_kind="holiday",
            target_id=day.isoformat(),
        )
