"""Consent per customer, purpose and channel, and the numbers nobody may call (issue #22).

One definition of "may we contact this customer over this channel", read by the campaigns and
the agenda: the customer's marketing booleans (`consent_dm`, `consent_tm`, `consent_email`) are
the current marketing consent, and `record_consent` changes them only in the same unit of work
that appends the event explaining the change, so they cannot drift from the history. Keeping
them (rather than deriving them from the events) leaves the analytical copy, the segment
filters and the agenda rules unchanged and keeps every existing customer's consent as it was.
Other purposes and SMS have no boolean: their state is the newest event, none meaning not given.

A phone on the do-not-call list (the finance sector's 두낫콜 or an in-house opt-out) is never
called, whatever the consent says.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, exists, func, literal, select, union_all

from data_access import segments
from data_access.core import business_days
from data_access.core.change_marks import change_mark
from data_access.core.db import (
    read_frame,
    unit_of_work,
)
from data_access.core.errors import (
    Refused,
)
from data_access.core.models import (
    ConsentEvent,
    ContactSetting,
    Customer,
    DoNotCallNumber,
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
from data_access.customers import records as customers

PURPOSES = ("marketing", "product_info")
CHANNELS = ("dm", "tm", "sms", "email")
SOURCES = ("branch", "phone", "online", "written")
MARKETING = "marketing"
# The customer columns holding the current marketing consent, the one the campaigns read.
MARKETING_FLAGS = {
    "dm": Customer.consent_dm,
    "tm": Customer.consent_tm,
    "email": Customer.consent_email,
}
# Channels that ring a phone, which the do-not-call list closes.
PHONE_CHANNELS = ("tm", "sms")
FINANCE_DO_NOT_CALL = "finance_dnc"
IN_HOUSE_OPT_OUT = "in_house"
DO_NOT_CALL_SOURCES = (FINANCE_DO_NOT_CALL, IN_HOUSE_OPT_OUT)

STATE_SCHEMA: dict[str, Any] = {
    "purpose": pl.String,
    "channel": pl.String,
    "given": pl.Boolean,
    "since": pl.Datetime("us"),
    "source": pl.String,
}
HISTORY_SCHEMA: dict[str, Any] = {
    "occurred_at": pl.Datetime("us"),
    "purpose": pl.String,
    "channel": pl.String,
    "given": pl.Boolean,
    "source": pl.String,
    "recorded_by": pl.String,
}


def _customer_phone_digits() -> ColumnElement[str]:
    return func.replace(func.replace(Customer.phone, "-", ""), " ", "")


def listed_for_calls() -> ColumnElement[bool]:
    """True where the customer's phone is on the do-not-call list (either source)."""
    return exists().where(DoNotCallNumber.phone == _customer_phone_digits())


def _readable_customer(
    conn: Connection, user: SignedInUser, customer_no: str
) -> customers.CustomerRow:
    require(user, Action.CUSTOMER_READ)
    return customers._customer_row(conn, customer_no)


def record_consent(
    conn: Connection,
    user: SignedInUser,
    customer_no: str,
    *,
    purpose: str,
    channel: str,
    given: bool,
    source: str,
) -> int:
    """Append a consent given or withdrawn now and return its id; audited.

    Anyone who may write to customers records it (a customer opts out wherever they ask).
    A marketing consent over DM, TM or e-mail also sets the customer's boolean, so the next
    draw and the agenda see it; the analytical copy is marked stale.
    """
    require(user, Action.CUSTOMER_WRITE)
    if purpose not in PURPOSES:
        raise Refused("consent_rejected_purpose")
    if channel not in CHANNELS:
        raise Refused("consent_rejected_channel")
    if source not in SOURCES:
        raise Refused("consent_rejected_source")
    with unit_of_work(conn) as session:
        customer = customers._customer_row(session.connection(), customer_no)
        event = ConsentEvent(
            customer_id=customer.id,
            purpose=purpose,
            channel=channel,
            given=given,
            occurred_at=now_seoul(),
            source=source,
            recorded_by=user.username,
        )
        session.add(event)
        session.flush()
        event_id = event.id
        flag = MARKETING_FLAGS.get(channel) if purpose == MARKETING else None
        if flag is not None:
            session.execute(
                Customer.__table__.update()
                .where(Customer.id == customer.id)
                .values({flag.key: given})
            )
        audit_as(
            session,
            user,
            "consent_record",
            target_kind="customer",
            target_id=customer.customer_no,
            detail={"purpose": purpose, "channel": channel, "given": given, "source": source},
        )
        if flag is not None:
            segments.mark_features_stale(session.connection())
    return event_id


def consent_state(conn: Connection, user: SignedInUser, customer_no: str) -> pl.DataFrame:
    """Per purpose and channel: whether consent is given now, since when and from where.

    One query: the newest event of each purpose and channel, beside the marketing booleans
    (which decide the marketing rows even where no event was recorded since the migration).
    """
    customer = _readable_customer(conn, user, customer_no)
    newest = (
        select(func.max(ConsentEvent.id))
        .where(ConsentEvent.customer_id == customer.id)
        .group_by(ConsentEvent.purpose, ConsentEvent.channel)
    )
    events = select(
        ConsentEvent.purpose,
        ConsentEvent.channel,
        ConsentEvent.given,
        ConsentEvent.occurred_at.label("since"),
        ConsentEvent.source,
    ).where(ConsentEvent.id.in_(newest))
    flags = [
        select(
            literal(MARKETING).label("purpose"),
            literal(channel).label("channel"),
            flag.label("given"),
            literal(None).label("since"),
            literal(None).label("source"),
        ).where(Customer.id == customer.id)
        for channel, flag in MARKETING_FLAGS.items()
    ]
    rows = read_frame(conn, union_all(events, *flags), STATE_SCHEMA)
    recorded = rows.filter(pl.col("since").is_not_null()).rename({"given": "event_given"})
    stored = rows.filter(pl.col("since").is_null()).select(
        "purpose", "channel", pl.col("given").alias("flag_given")
    )
    every = pl.DataFrame(
        [(p, c) for p in PURPOSES for c in CHANNELS], schema=["purpose", "channel"], orient="row"
    )
    keys = ["purpose", "channel"]
    return (
        every.join(stored, on=keys, how="left")
        .join(recorded, on=keys, how="left")
        .select(
            *keys,
            given=pl.coalesce("flag_given", "event_given", pl.lit(False)),
            since="since",
            source="source",
        )
    )


def consent_history(conn: Connection, user: SignedInUser, customer_no: str) -> pl.DataFrame:
    """Every consent event of the customer, newest first."""
    customer = _readable_customer(conn, user, customer_no)
    stmt = (
        select(
            ConsentEvent.occurred_at,
            ConsentEvent.purpose,
            ConsentEvent.channel,
            ConsentEvent.given,
            ConsentEvent.source,
            ConsentEvent.recorded_by,
        )
        .where(ConsentEvent.customer_id == customer.id)
        .order_by(ConsentEvent.id.desc())
    )
    return read_frame(conn, stmt, HISTORY_SCHEMA)


LISTED_CHUNK = 5_000
# Why a customer drawn over a phone channel is left out: the finance list names the number
# before an in-house opt-out does, so a number on both counts once, as on the finance list.
REASON_OF_SOURCE = {FINANCE_DO_NOT_CALL: "do_not_call", IN_HOUSE_OPT_OUT: "opted_out"}


@dataclass(frozen=True, slots=True)
class _HeldList:
    mark: tuple[str | None, int]  # the list's change mark and row count when it was read
    reasons: pl.DataFrame  # phone, reason: one row per listed number


_HELD_LISTS: dict[str, _HeldList] = {}
_HOLDING = threading.Lock()


def _list_by_number(conn: Connection) -> pl.DataFrame:
    """The do-not-call list (phone, reason), read once per process and database and again
    when it changed: a million numbers join a draw in memory in milliseconds, where a lookup
    per drawn customer took seconds. An import marks the list changed in its own
    transaction; the row count also catches a writer that does not."""
    with _HOLDING:
        mark = (
            change_mark(conn, DoNotCallNumber.__table__),
            conn.execute(select(func.count()).select_from(DoNotCallNumber)).scalar_one(),
        )
        database = conn.engine.url.render_as_string(hide_password=True)
        held = _HELD_LISTS.get(database)
        if held is None or held.mark != mark:
            numbers = read_frame(
                conn,
                select(DoNotCallNumber.phone, DoNotCallNumber.source),
                {"phone": pl.String, "source": pl.String},
            )
            reasons = (
                numbers.select("phone", reason=pl.col("source").replace_strict(REASON_OF_SOURCE))
                .sort("phone", "reason")
                .unique("phone", keep="first")
            )
            held = _HELD_LISTS[database] = _HeldList(mark, reasons)
        return held.reasons


def listed_customers(conn: Connection, customer_ids: pl.Series) -> pl.DataFrame:
    """customer_id and reason (do_not_call, opted_out) of those among `customer_ids` whose
    phone, as stored now, is on the do-not-call list as it stands now."""
    ids = customer_ids.to_list()
    phones = (
        pl.concat(
            [
                read_frame(
                    conn,
                    select(Customer.id.label("customer_id"), Customer.phone).where(
                        Customer.id.in_(ids[start : start + LISTED_CHUNK])
                    ),
                    {"customer_id": pl.Int64, "phone": pl.String},
                )
                for start in range(0, len(ids), LISTED_CHUNK)
            ],
            how="vertical",
        )
        if ids
        else pl.DataFrame(schema={"customer_id": pl.Int64, "phone": pl.String})
    )
    return (
        phones.select("customer_id", phone=pl.col("phone").str.replace_all(r"[- ]", ""))
        .join(_list_by_number(conn), on="phone")
        .select("customer_id", "reason")
        .sort("customer_id")
    )


# --- allowed contact hours ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SettingRange:
    """A contact setting's default and the values it may take; its meaning is in
    ui/messages.py under `contact_setting_<name>`."""

    default: float
    minimum: float
    maximum: float


# Calls in Seoul time from 08:00 until 21:00, none on public or firm holidays: the finance
# sector's rule for calls to customers, kept as data an administrator may tighten.
CONTACT_SETTINGS = {
    "call_from_hour": SettingRange(8, 0, 23),
    "call_until_hour": SettingRange(21, 1, 24),
    "calls_on_holidays": SettingRange(0, 0, 1),  # 1 allows calls on holidays
}


@dataclass(frozen=True, slots=True)
class CallWindow:
    open_now: bool
    opens_at: dt.datetime | None  # the next allowed moment while closed, Seoul time


def contact_settings(conn: Connection) -> dict[str, float]:
    """Every contact setting: the stored value where an administrator set one, else the default."""
    stored = dict(conn.execute(select(ContactSetting.name, ContactSetting.value)).all())
    return {name: stored.get(name, spec.default) for name, spec in CONTACT_SETTINGS.items()}


def save_contact_setting(conn: Connection, user: SignedInUser, name: str, value: float) -> None:
    """Set one contact setting; audited with the value before and after."""
    require(user, Action.AGENDA_RULES_WRITE)
    spec = CONTACT_SETTINGS.get(name)
    if spec is None:
        raise Refused("contact_setting_unknown")
    if not math.isfinite(value) or not spec.minimum <= value <= spec.maximum:
        raise Refused("contact_setting_out_of_range", minimum=spec.minimum, maximum=spec.maximum)
    with unit_of_work(conn) as session:
        before = contact_settings(session.connection())
        after = before | {name: float(value)}
        if after["call_from_hour"] >= after["call_until_hour"]:
            raise Refused("contact_setting_hours_reversed")
        row = session.get(ContactSetting, name) or ContactSetting(name=name)
        row.value, row.updated_by, row.updated_at = float(value), user.username, now_seoul()
        session.add(row)
        audit_as(
            session, user, "contact_setting_save",
            target_kind="contact_setting", target_id=name,
            detail={"before": before[name], "after": float(value)},
        )  # fmt: skip


def call_window(conn: Connection, at: dt.datetime) -> CallWindow:
    """Whether a customer may be called at `at` (Seoul time) and, if not, from when."""
    settings = contact_settings(conn)
    opens, closes = dt.time(int(settings["call_from_hour"])), int(settings["call_until_hour"])
    firm_holidays = business_days.extra_holidays(conn)

    def callable_day(day: dt.date) -> bool:
        holiday = day in business_days.public_holidays(day.year) or day in firm_holidays
        return bool(settings["calls_on_holidays"]) or not holiday

    day = at.date()
    if callable_day(day) and opens <= at.time() and at.hour < closes:
        return CallWindow(True, None)
    if not (callable_day(day) and at.time() < opens):
        day += dt.timedelta(days=1)
        while not callable_day(day):
            day += dt.timedelta(days=1)
    return CallWindow(False, dt.datetime.combine(day, opens))
