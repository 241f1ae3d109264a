"""Consent history and state on hand-made data (tests/handmade.py), both dialects.

Customer 1 consents to DM, TM and e-mail marketing; customer 2 to TM only (handmade.load).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import Connection, insert, select

from data_access.core import business_days
from data_access.core.errors import (
    DomainError,
    NotFound,
)
from data_access.core.models import (
    AuditRecord,
    BusinessHoliday,
    ConsentEvent,
    Customer,
)
from data_access.customers import consent
from tests.handmade import ADMIN, KIM, TRAINER


def test_existing_customers_keep_their_consents_with_no_history(handmade: Connection):
    state = consent.consent_state(handmade, KIM, "100000002")
    given = {(p, c) for p, c, g in state.select("purpose", "channel", "given").iter_rows() if g}
    assert given == {("marketing", "tm")}
    assert state.height == 8  # two purposes x four channels
    assert consent.consent_history(handmade, KIM, "100000002").is_empty()


def test_a_withdrawal_is_appended_sets_the_state_and_is_audited(handmade: Connection):
    event_id = consent.record_consent(
        handmade, KIM, "100000001", purpose="marketing", channel="tm", given=False, source="phone"
    )
    stored = select(Customer.consent_tm).where(Customer.id == 1)
    assert handmade.execute(stored).scalar_one() is False
    state = consent.consent_state(handmade, KIM, "100000001")
    tm = state.filter(purpose="marketing", channel="tm").row(0, named=True)
    assert (tm["given"], tm["source"]) == (False, "phone")
    assert tm["since"] is not None
    # DM and e-mail marketing are untouched: still given from the stored booleans.
    assert state.filter(purpose="marketing", given=True)["channel"].sort().to_list() == [
        "dm",
        "email",
    ]
    audit = handmade.execute(
        select(AuditRecord.action, AuditRecord.target_id).where(
            AuditRecord.action == "consent_record"
        )
    ).all()
    assert [tuple(row) for row in audit] == [("consent_record", "100000001")]
    assert event_id > 0


def test_history_only_grows_and_keeps_every_change(handmade: Connection):
    for given, source in ((False, "phone"), (True, "branch")):
        consent.record_consent(
            handmade, KIM, "100000001", purpose="product_info", channel="sms", given=given,
            source=source,
        )  # fmt: skip
    history = consent.consent_history(handmade, KIM, "100000001")
    assert history.select("channel", "given", "source", "recorded_by").rows() == [
        ("sms", True, "branch", "sales_rep-3"),
        ("sms", False, "phone", "sales_rep-3"),
    ]
    state = consent.consent_state(handmade, KIM, "100000001")
    assert state.filter(purpose="product_info", channel="sms")["given"].to_list() == [True]
    assert len(handmade.execute(select(ConsentEvent.id)).all()) == 2
    # No path rewrites history: the module offers recording and reading only.
    writers = [name for name in dir(consent) if name.startswith(("update", "delete", "edit"))]
    assert writers == []


def test_consent_for_an_unknown_customer_is_refused(handmade: Connection):
    with pytest.raises(NotFound) as refused:
        consent.record_consent(
            handmade, KIM, "199999999", purpose="marketing", channel="dm", given=True,
            source="branch",
        )  # fmt: skip
    assert (refused.value.code, refused.value.values) == (
        "customer_not_found",
        {"number": "199999999"},
    )
    assert handmade.execute(select(ConsentEvent.id)).first() is None


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"purpose": "lottery"}, "consent_rejected_purpose"),
        ({"channel": "fax"}, "consent_rejected_channel"),
        ({"source": "rumour"}, "consent_rejected_source"),
    ],
    ids=["purpose", "channel", "source"],
)
def test_a_consent_outside_the_lists_is_refused(handmade: Connection, changes, code):
    values = {"purpose": "marketing", "channel": "dm", "given": True, "source": "branch"}
    with pytest.raises(DomainError) as refused:
        consent.record_consent(handmade, KIM, "100000001", **(values | changes))
    assert refused.value.code == code


@pytest.mark.parametrize("user", [TRAINER, ADMIN], ids=["trainer", "admin"])
def test_who_may_not_write_to_customers_records_no_consent(handmade: Connection, user):
    with pytest.raises(DomainError):
        consent.record_consent(
            handmade, user, "100000001", purpose="marketing", channel="dm", given=False,
            source="branch",
        )  # fmt: skip
    assert pl.DataFrame(handmade.execute(select(ConsentEvent.id)).all()).is_empty()


# --- allowed contact hours -------------------------------------------------------------------

TUESDAY = dt.date(2026, 3, 3)  # a working day


@pytest.mark.parametrize(
    ("hour", "minute", "open_now", "opens_at"),
    [
        (7, 59, False, dt.datetime(2026, 3, 3, 8)),
        (8, 0, True, None),
        (20, 59, True, None),
        (21, 0, False, dt.datetime(2026, 3, 4, 8)),
    ],
    ids=["before-eight", "eight", "before-nine-pm", "nine-pm"],
)
def test_calls_are_allowed_from_eight_to_nine_by_default(
    handmade, hour, minute, open_now, opens_at
):
    window = consent.call_window(handmade, dt.datetime.combine(TUESDAY, dt.time(hour, minute)))
    assert (window.open_now, window.opens_at) == (open_now, opens_at)


def test_a_pinned_console_judges_the_call_hours_on_its_own_day_and_hour(monkeypatch):
    monkeypatch.setenv("CRM_BUSINESS_DATE", TUESDAY.isoformat())
    monkeypatch.setenv("CRM_BUSINESS_TIME", "20:45")
    assert business_days.business_now() == dt.datetime(2026, 3, 3, 20, 45)
    monkeypatch.delenv("CRM_BUSINESS_TIME")
    assert business_days.business_now().date() == TUESDAY  # the wall clock's hour on that day


def test_no_calls_on_a_public_or_firm_holiday(handmade):
    # 2 March 2026: substitute holiday for 삼일절 (1 March was a Sunday).
    window = consent.call_window(handmade, dt.datetime(2026, 3, 2, 10))
    assert (window.open_now, window.opens_at) == (False, dt.datetime(2026, 3, 3, 8))
    handmade.execute(
        insert(BusinessHoliday).values(
            day=TUESDAY, name="창립기념일", created_by="admin", created_at=dt.datetime(2026, 1, 2)
        )
    )
    window = consent.call_window(handmade, dt.datetime(2026, 3, 2, 10))
    assert window.opens_at == dt.datetime(2026, 3, 4, 8)


def test_contact_hours_are_settings_an_admin_changes(handmade):
    consent.save_contact_setting(handmade, ADMIN, "call_from_hour", 9)
    assert consent.contact_settings(handmade)["call_from_hour"] == 9
    window = consent.call_window(handmade, dt.datetime.combine(TUESDAY, dt.time(8, 30)))
    assert (window.open_now, window.opens_at) == (False, dt.datetime(2026, 3, 3, 9))
    audit = handmade.execute(
        select(AuditRecord.target_id).where(AuditRecord.action == "contact_setting_save")
    ).scalars()
    assert list(audit) == ["call_from_hour"]


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("call_from_hour", 25, "contact_setting_out_of_range"),
        ("call_until_hour", 7, "contact_setting_hours_reversed"),
        ("call_minutes", 3, "contact_setting_unknown"),
    ],
    ids=["hour-25", "until-before-from", "unknown"],
)
def test_impossible_contact_settings_are_refused(handmade, name, value, code):
    with pytest.raises(DomainError) as refused:
        consent.save_contact_setting(handmade, ADMIN, name, value)
    assert refused.value.code == code
    with pytest.raises(DomainError):
        consent.save_contact_setting(handmade, KIM, "call_from_hour", 9)
