"""The morning agenda on hand-made data (tests/handmade.py + tests/agenda_data.py), both dialects.

Rule semantics run inside the rolled-back `handmade` connection; the build, its ledger and the
scheduler need committed data and use a throw-away database of the `databases` fixture.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from polars.testing import assert_frame_equal
from sqlalchemy import Connection, Engine, func, insert, select, text, update

from data_access.agenda import agenda
from data_access.core import business_days, job_runs
from data_access.core.db import (
    read_arrow_frame,
    read_frame,
)
from data_access.core.errors import (
    AccessDenied,
    Refused,
)
from data_access.core.models import (
    AgendaItem,
    AgendaRule,
    AuditRecord,
    BusinessHoliday,
    Consultation,
    Customer,
    DoNotCallNumber,
    JobRun,
    UsageEvent,
)
from data_access.core.security import (
    now_seoul,
)
from data_access.segments import segments
from jobs import agenda as agenda_job
from jobs import scheduler
from tests import agenda_data, handmade
from tests.handmade import ADMIN, EXECUTIVE, KIM, MANAGER_101, PARK

DAY = agenda_data.BUSINESS_DATE
ALL_TIERS = ["vip", "priority", "general"]


@pytest.fixture
def data(handmade: Connection) -> Connection:
    agenda_data.load(handmade)
    return handmade


def rule(kind: str, params: dict[str, Any], *, tiers: list[str] = ALL_TIERS, rule_id: int = 1):
    spec = agenda.validate_rule(
        {"kind": kind, "name_ko": "규칙", "name_en": "rule", "priority": 3, "tiers": tiers}
        | {"params": params}
    )
    return agenda.StoredRule(rule_id, 1, spec, "test", dt.datetime(2026, 1, 1))


def items(conn: Connection, stored: agenda.StoredRule, day: dt.date = DAY) -> list[dict]:
    """(customer, employee, due date, facts) of each item, by customer."""
    found = agenda.compute_agenda(conn, [stored], day).items.sort("customer_id")
    return [
        {
            "customer": row["customer_id"],
            "employee": row["employee_id"],
            "due": row["due_date"],
            **json.loads(row["facts"]),
        }
        for row in found.iter_rows(named=True)
    ]


# ---------------------------------------------------------------------------------------------
# Each rule kind, expected items written out by hand.

LIFE_EVENTS = ["birthday", "wedding_anniversary", "account_anniversary"]


def test_life_events_across_the_year_end(data):
    # 2026-12-29 + 5 days reaches 2027-01-03. Customer 2: account anniversary today (16 years)
    # and birthday on the 31st, listed once for the nearer; customer 3: birthday 2027-01-01 (the
    # wedding anniversary on the 4th is 6 days off); customer 5: 7 years on 2027-01-01;
    # customer 4 is closed.
    day = dt.date(2026, 12, 29)
    d = dt.date
    got = items(data, rule("life_event", {"events": LIFE_EVENTS, "within_days": 5}), day)
    assert got == [
        {
            "customer": 2,
            "employee": 3,
            "due": d(2026, 12, 29),
            "event": "account_anniversary",
            "on": "2026-12-29",
            "days": 0,
            "years": 16,
            "more": 1,
        },
        {
            "customer": 3,
            "employee": 4,
            "due": d(2027, 1, 1),
            "event": "birthday",
            "on": "2027-01-01",
            "days": 3,
            "years": 47,
            "more": 0,
        },
        {
            "customer": 5,
            "employee": 3,
            "due": d(2027, 1, 1),
            "event": "account_anniversary",
            "on": "2027-01-01",
            "days": 3,
            "years": 7,
            "more": 0,
        },
    ]


def test_life_events_filtered_by_event_and_tier(data):
    day = dt.date(2026, 12, 29)
    birthdays = rule("life_event", {"events": ["birthday"], "within_days": 5})
    assert [(i["customer"], i["on"]) for i in items(data, birthdays, day)] == [
        (2, "2026-12-31"),
        (3, "2027-01-01"),
    ]
    vip_only = rule("life_event", {"events": LIFE_EVENTS, "within_days": 5}, tiers=["vip"])
    assert [i["customer"] for i in items(data, vip_only, day)] == [5]


@pytest.mark.parametrize(
    ("day", "within_days", "expected"),
    [
        # 2027 has no 29 February: customer 1's birthday falls on the 28th, 3 days ahead.
        (dt.date(2027, 2, 25), 3, [("2027-02-28", 3, 67)]),
        (dt.date(2027, 2, 25), 2, []),
        # 2028 has one.
        (dt.date(2028, 2, 27), 2, [("2028-02-29", 2, 68)]),
        # Already past in 2027 (on the 28th), next in 2028.
        (dt.date(2027, 3, 1), 0, []),
    ],
    ids=["non-leap-28-feb", "non-leap-out-of-window", "leap-29-feb", "day-after"],
)
def test_life_events_on_29_february(data, day, within_days, expected):
    found = items(
        data, rule("life_event", {"events": ["birthday"], "within_days": within_days}), day
    )
    assert [(i["on"], i["days"], i["years"]) for i in found if i["customer"] == 1] == expected


def test_event_month_days_cover_29_february_in_other_years():
    assert agenda.event_month_days(dt.date(2027, 2, 27), 1) == ["02-27", "02-28", "02-29"]
    assert agenda.event_month_days(dt.date(2028, 2, 27), 1) == ["02-27", "02-28"]
    assert agenda.event_month_days(dt.date(2026, 12, 31), 1) == ["01-01", "12-31"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # A8 (03-15, 1,000,000) and A1 (03-20, 5,000,000); A10 is closed, A4 matures in June.
        ({"within_days": 14}, ("2026-03-15", 5, 6_000_000, 2, "A8")),
        ({"within_days": 14, "min_value_krw": 2_000_000}, ("2026-03-20", 10, 5_000_000, 1, "A1")),
        ({"within_days": 5}, ("2026-03-15", 5, 1_000_000, 1, "A8")),
        ({"within_days": 4}, None),
    ],
    ids=["two-accounts", "min-value", "window-edge", "none"],
)
def test_maturity(data, params, expected):
    got = items(data, rule("maturity", params))
    if expected is None:
        assert got == []
        return
    (item,) = got
    assert item["customer"] == 1
    assert item["due"] == dt.date.fromisoformat(expected[0])
    assert (item["on"], item["days"], item["value_krw"], item["accounts"], item["account_no"]) == (
        expected
    )


@pytest.mark.parametrize(
    ("min_aum_krw", "expected"),
    [
        # Customer 3: no transaction ever, a customer since 2015-06-01 (3,935 days), 10,000,000.
        # Customer 5: last transaction 2024-12-01 (464 days; the deposit on the business day
        # itself comes after the cut-off), 4,000,000. Customers 1 and 2 traded this year.
        (1_000_000, [(3, None, 3935, 10_000_000), (5, "2024-12-01", 464, 4_000_000)]),
        (5_000_000, [(3, None, 3935, 10_000_000)]),
    ],
    ids=["both", "large-only"],
)
def test_dormant(data, min_aum_krw, expected):
    got = items(data, rule("dormant", {"idle_days": 365, "min_aum_krw": min_aum_krw}))
    assert [(i["customer"], i["last_on"], i["idle_days"], i["aum_krw"]) for i in got] == expected
    assert {i["due"] for i in got} == {DAY}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # Customer 1: two redemptions (+30), never consulted (+20), balance down 800,000 of
        # 6,800,000 = 12% (<20%): 50. Customer 2: A9 matured 02-01 with nothing paid in since
        # (+20), balance down 1,000,000 of 3,000,000 = 33% (+30), one redemption, consulted 9
        # days ago: 50. Customer 5: never consulted: 20. Customer 3: 0.
        ({"threshold": 50}, [(1, 50), (2, 50)]),
        ({"threshold": 51}, []),
        ({"threshold": 60, "weight_maturity_not_reinvested": 40}, [(2, 70)]),
        ({"threshold": 20}, [(1, 50), (2, 50), (5, 20)]),
    ],
    ids=["at-threshold", "above", "heavier-maturity", "low-threshold"],
)
def test_churn_risk(data, params, expected):
    got = items(data, rule("churn_risk", params))
    assert [(i["customer"], i["score"]) for i in got] == expected


def test_churn_risk_facts(data):
    by_customer = {i["customer"]: i for i in items(data, rule("churn_risk", {"threshold": 50}))}
    assert {k: by_customer[1][k] for k in ("redemptions", "outflow_krw", "drop_pct")} == {
        "redemptions": 2,
        "outflow_krw": 1_000_000,
        "drop_pct": 12,
    }
    assert (by_customer[1]["contact_days"], by_customer[1]["p_no_contact"]) == (None, 20)
    assert (by_customer[2]["matured_on"], by_customer[2]["p_maturity"]) == ("2026-02-01", 20)
    assert (by_customer[2]["drop_pct"], by_customer[2]["p_falling_balance"]) == (33, 30)


DUE_DAYS = {"vip": 30, "priority": 90, "general": 365}


@pytest.mark.parametrize(
    ("params", "tiers", "expected"),
    [
        # 1 (vip, never, customer since 1998-01-05: 10,291 days), 3 (priority, 128 days),
        # 5 (vip, never, since 2020-01-01: 2,260 days); 2 was consulted 9 days ago.
        ({"days_by_tier": DUE_DAYS}, ALL_TIERS, [(1, 10291), (3, 128), (5, 2260)]),
        ({"days_by_tier": DUE_DAYS, "channel": "dm"}, ALL_TIERS, [(1, 10291), (3, 128)]),
        ({"days_by_tier": DUE_DAYS, "channel": "tm"}, ALL_TIERS, [(1, 10291), (5, 2260)]),
        # Kim's longest waiting customer (1) before 5; Park has only 3.
        ({"days_by_tier": DUE_DAYS, "max_per_employee": 1}, ALL_TIERS, [(1, 10291), (3, 128)]),
        ({"days_by_tier": {"priority": 90}}, ["priority"], [(3, 128)]),
        ({"days_by_tier": {"priority": 200}}, ["priority"], []),
    ],
    ids=["any", "dm-consent", "tm-consent", "cap-per-employee", "one-tier", "not-yet"],
)
def test_contact_due(data, params, tiers, expected):
    got = items(data, rule("contact_due", params, tiers=tiers))
    assert [(i["customer"], i["idle_days"]) for i in got] == expected


def test_a_tm_rule_offers_no_customer_whose_number_is_on_the_do_not_call_list(data):
    # Customers 1 and 5 consent to TM (the tm-consent case above); 5's phone is then listed.
    data.execute(
        insert(DoNotCallNumber).values(
            phone="01099990000", source="finance_dnc", registered_on=dt.date(2026, 3, 1)
        )
    )
    got = items(data, rule("contact_due", {"days_by_tier": DUE_DAYS, "channel": "tm"}))
    assert [(i["customer"], i["idle_days"]) for i in got] == [(1, 10291)]


# ---------------------------------------------------------------------------------------------
# Rules as data: validation, saving, audit.


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"params": {"within_days": -3}}, "within_days", "greater_than_equal"),
        ({"tiers": []}, "tiers", "too_short"),
        ({"priority": 0}, "priority", "greater_than_equal"),
        ({"name_ko": "  "}, "name_ko", "string_too_short"),
        ({"params": {"within_days": 7, "colour": "red"}}, "colour", "extra_forbidden"),
        ({"params": {"within_days": "soon"}}, "within_days", "int_parsing"),
    ],
    ids=["negative-days", "no-tiers", "priority-zero", "blank-name", "unknown-param", "text"],
)
def test_impossible_rules_are_refused_and_nothing_is_saved(data, change, field, code):
    before = data.execute(select(func.count()).select_from(AgendaRule)).scalar_one()
    raw = {
        "kind": "maturity",
        "name_ko": "만기",
        "name_en": "Maturity soon",
        "priority": 1,
        "tiers": ["vip"],
        "params": {"within_days": 7},
    } | change
    with pytest.raises(Refused) as refused:
        agenda.save_rule(data, ADMIN, raw)
    assert (field, code) in {(p.field, p.code) for p in refused.value.problems}
    assert data.execute(select(func.count()).select_from(AgendaRule)).scalar_one() == before


def test_cross_field_rules_are_refused():
    with pytest.raises(Refused) as refused:
        agenda.validate_rule(
            {
                "kind": "churn_risk",
                "name_ko": "이탈",
                "name_en": "Churn",
                "priority": 2,
                "tiers": ["vip"],
                "params": {"threshold": 150},
            }
        )
    assert [(p.code, p.limit) for p in refused.value.problems] == [("threshold_unreachable", 150)]
    with pytest.raises(Refused) as refused:
        agenda.validate_rule(
            {
                "kind": "contact_due",
                "name_ko": "DM",
                "name_en": "DM",
                "priority": 5,
                "tiers": ["vip", "general"],
                "params": {"days_by_tier": {"vip": 30}},
            }
        )
    assert [(p.code, p.limit) for p in refused.value.problems] == [("tier_days_missing", "general")]


def test_saving_rules_versions_and_audits(data):
    rules = agenda.agenda_rules(data)  # seeds the defaults
    assert [r.kind for r in rules] == [
        "maturity",
        "happy_call",  # priority 1 too, seeded after the maturity rule (issue #22)
        "complaint",  # priority 1 too, seeded after the happy calls (issue #22)
        "churn_risk",
        "life_event",
        "dormant",
        "contact_due",
    ]
    maturity = rules[0]
    raw = maturity.spec.model_dump(mode="json") | {"params": {"within_days": 30}}
    saved = agenda.save_rule(data, ADMIN, raw, rule_id=maturity.id, expected_version=1)
    assert (saved.version, saved.spec.params.within_days) == (2, 30)
    audit = data.execute(
        select(AuditRecord.action, AuditRecord.target_id, AuditRecord.detail).order_by(
            AuditRecord.id.desc()
        )
    ).first()
    assert audit.action == "agenda_rule_update"
    assert audit.target_id == str(maturity.id)
    detail = json.loads(audit.detail)
    assert (
        detail["before"]["params"]["within_days"],
        detail["after"]["params"]["within_days"],
    ) == (
        14,
        30,
    )
    with pytest.raises(Refused) as stale:
        agenda.save_rule(data, ADMIN, raw, rule_id=maturity.id, expected_version=1)
    assert stale.value.problems[0].code == "stale"
    with pytest.raises(AccessDenied):
        agenda.save_rule(data, KIM, raw, rule_id=maturity.id)


def test_preview_counts_items_per_branch(data):
    raw = {
        "kind": "contact_due",
        "name_ko": "연락",
        "name_en": "Contact",
        "priority": 5,
        "tiers": ALL_TIERS,
        "params": {"days_by_tier": DUE_DAYS},
    }
    preview = agenda.preview_rule(data, ADMIN, raw, DAY)
    assert_frame_equal(
        preview,
        pl.DataFrame(
            {
                "branch_code": ["101", "102"],
                "name_ko": ["강남지점", "해운대지점"],
                "name_en": ["Gangnam", "Haeundae"],
                "items": [2, 1],
            }
        ),
    )
    with pytest.raises(AccessDenied):
        agenda.preview_rule(data, KIM, raw, DAY)


# ---------------------------------------------------------------------------------------------
# A rep's day: working items, and what a worked item keeps off later lists.


def built(conn: Connection, rules: list[agenda.StoredRule], day: dt.date = DAY) -> None:
    agenda.replace_items(conn, agenda.compute_agenda(conn, rules, day))


@pytest.fixture
def kims_day(data: Connection) -> Connection:
    """The default rules' items for DAY, stored."""
    built(data, agenda.agenda_rules(data, enabled_only=True))
    return data


def test_my_agenda_is_the_reps_own_book(kims_day):
    mine = agenda.my_agenda(kims_day, KIM, DAY)
    assert set(mine.items["customer_no"]) <= {"100000001", "100000002", "100000005"}
    assert mine.counts.total == mine.counts.open == mine.items.height > 0
    # Park's only customer (3, priority) was consulted 128 days ago (due after 180), holds no
    # maturing account and shows no sign of leaving: nothing today.
    parks = agenda.my_agenda(kims_day, PARK, DAY)
    assert parks.items.is_empty() and parks.counts.total == 0
    with pytest.raises(AccessDenied):
        agenda.my_agenda(kims_day, MANAGER_101, DAY)


def test_working_items_records_outcome_note_audit_and_usage(kims_day):
    # Default rules on DAY: maturity gives customer 1 (A8, 03-15) to Kim.
    maturity_id = kims_day.execute(
        select(AgendaRule.id).where(AgendaRule.kind == "maturity")
    ).scalar_one()
    notes_before = kims_day.execute(select(func.count()).select_from(Consultation)).scalar_one()
    worked = agenda.work_items(
        kims_day,
        KIM,
        DAY,
        [(maturity_id, "100000001")],
        agenda.DONE,
        note=agenda.NoteDraft("phone", "follow_up", "만기 재투자 안내"),
    )
    assert worked == 1
    item = kims_day.execute(
        select(AgendaItem.status, AgendaItem.consultation_id).where(
            AgendaItem.business_date == DAY, AgendaItem.rule_id == maturity_id
        )
    ).one()
    assert item.status == "done" and item.consultation_id is not None
    assert kims_day.execute(select(func.count()).select_from(Consultation)).scalar_one() == (
        notes_before + 1
    )
    actions = kims_day.execute(select(AuditRecord.action)).scalars().all()
    assert "agenda_done" in actions and "note_add" in actions
    usage = kims_day.execute(select(UsageEvent.action).where(UsageEvent.employee_id == 3))
    assert "agenda_work" in usage.scalars().all()
    counts = agenda.my_agenda(kims_day, KIM, DAY).counts
    assert (counts.done, counts.open) == (1, counts.total - 1)


@pytest.mark.parametrize(
    ("who", "customer_no", "outcome", "snooze_days", "reason"),
    [
        (PARK, "100000001", "done", None, "missing"),  # Kim's customer
        (KIM, "100000003", "done", None, "missing"),  # Park's customer
        (KIM, "100000001", "snoozed", 5, "snooze_days"),
        (KIM, "100000001", "forgotten", None, "outcome"),
    ],
    ids=["other-reps-item", "not-in-book", "odd-snooze", "unknown-outcome"],
)
def test_working_items_refuses_with_a_reason(
    kims_day, who, customer_no, outcome, snooze_days, reason
):
    maturity_id = kims_day.execute(
        select(AgendaRule.id).where(AgendaRule.kind == "maturity")
    ).scalar_one()
    with pytest.raises(Refused) as refused:
        agenda.work_items(
            kims_day, who, DAY, [(maturity_id, customer_no)], outcome, snooze_days=snooze_days
        )
    assert refused.value.code == f"agenda_refused_{reason}"


def test_a_past_day_worked_in_bulk_follows_the_same_rules(kims_day):
    """work_history: many items at once, by their own reps, with the rules of work_items."""
    items = agenda.open_items(kims_day, DAY)
    kims = items.filter(pl.col("employee_id") == KIM.employee_id)
    assert kims.height >= 2  # the maturity and contact-due items of customer 1, at least
    first, second = kims.head(2).select("rule_id", "customer_id").iter_rows()
    at = dt.datetime.combine(DAY, dt.time(10, 15))
    worked = pl.DataFrame(
        [
            (*first, agenda.DONE, at, None, "phone", "follow_up", "만기 안내 통화"),
            (*second, agenda.SNOOZED, at + dt.timedelta(hours=4), 3, None, None, None),
        ],
        schema=agenda.WORKED_SCHEMA,
        orient="row",
    )
    notes_before = kims_day.execute(select(func.count()).select_from(Consultation)).scalar_one()
    version_before = segments.features_version(kims_day)
    # An item of a rep without a branch (head office): its note goes to the home branch.
    kims_day.execute(
        AgendaItem.__table__.update()
        .where(
            AgendaItem.business_date == DAY,
            AgendaItem.rule_id == first[0],
            AgendaItem.customer_id == first[1],
        )
        .values(branch_id=None)
    )
    for bad, reason in (
        (worked.with_columns(snooze_days=pl.lit(5)), "snooze_days"),
        (worked.with_columns(status=pl.lit("forgotten")), "outcome"),
        (worked.with_columns(channel=pl.lit("pigeon")), "notes"),
        (worked.with_columns(customer_id=pl.lit(999_999)), "missing"),
    ):
        with pytest.raises(Refused) as refused:
            agenda.work_history(kims_day, DAY, bad)
        assert refused.value.code == f"agenda_refused_{reason}"
    assert agenda.work_history(kims_day, DAY, worked) == 2
    with pytest.raises(Refused) as again:
        agenda.work_history(kims_day, DAY, worked)
    assert again.value.code == "agenda_refused_not_open"
    stored = {
        row.rule_id: row
        for row in kims_day.execute(
            select(AgendaItem).where(
                AgendaItem.business_date == DAY, AgendaItem.employee_id == KIM.employee_id
            )
        )
    }
    done, snoozed = stored[first[0]], stored[second[0]]
    assert (done.status, done.worked_at, done.snoozed_until) == ("done", at, None)
    assert (snoozed.status, snoozed.snoozed_until) == ("snoozed", DAY + dt.timedelta(days=3))
    assert snoozed.consultation_id is None
    note = kims_day.execute(
        select(
            Consultation.employee_id,
            Consultation.customer_id,
            Consultation.occurred_at,
            Consultation.branch_id,
            Customer.home_branch_id,
        )
        .join(Customer, Customer.id == Consultation.customer_id)
        .where(Consultation.id == done.consultation_id)
    ).one()
    assert (note.employee_id, note.customer_id, note.occurred_at) == (KIM.employee_id, first[1], at)
    assert note.branch_id == note.home_branch_id
    assert segments.features_version(kims_day) == version_before + 1, "one mark per batch"
    assert kims_day.execute(select(func.count()).select_from(Consultation)).scalar_one() == (
        notes_before + 1
    )
    # Untouched items stay open, and the rep's own view counts the work.
    counts = agenda.my_agenda(kims_day, KIM, DAY).counts
    assert (counts.done, counts.snoozed, counts.open) == (1, 1, counts.total - 2)


def test_bulk_notes_are_numbered_by_the_database_like_add_note(kims_day):
    """A note written meanwhile through add_note holds an id from the sequence before it
    commits; the bulk history must not take that id (PostgreSQL: SQLite has one writer)."""
    if kims_day.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time number rows")
    held = kims_day.execute(
        select(func.nextval(func.pg_get_serial_sequence("consultations", "id")))
    ).scalar_one()  # what a concurrent add_note has taken and not yet committed
    first, second = agenda.open_items(kims_day, DAY).head(2).select("rule_id", "customer_id").rows()
    at = dt.datetime.combine(DAY, dt.time(11))
    worked = pl.DataFrame(
        [
            (*key, agenda.DONE, at, None, "phone", "follow_up", "안내 통화")
            for key in (first, second)
        ],
        schema=agenda.WORKED_SCHEMA,
        orient="row",
    )
    agenda.work_history(kims_day, DAY, worked)
    note_ids = kims_day.execute(
        select(AgendaItem.consultation_id).where(
            AgendaItem.business_date == DAY, AgendaItem.consultation_id.is_not(None)
        )
    ).scalars()
    assert all(note_id > held for note_id in note_ids)


def test_working_several_items_with_notes_counts_one_change(kims_day):
    mine = agenda.open_items(kims_day, DAY).filter(pl.col("customer_id") == 1)
    assert mine.height >= 2  # the maturity and contact-due items of customer 1
    before = segments.features_version(kims_day)
    agenda.work_items(
        kims_day,
        KIM,
        DAY,
        [(rule_id, "100000001") for rule_id in mine["rule_id"]],
        agenda.DONE,
        note=agenda.NoteDraft("phone", "follow_up", "만기 재투자 안내"),
    )
    assert segments.features_version(kims_day) == before + 1


def test_worked_items_keep_customers_off_later_lists(kims_day):
    rules = agenda.agenda_rules(kims_day, enabled_only=True)
    maturity = next(r for r in rules if r.kind == "maturity")
    contact = next(r for r in rules if r.kind == "contact_due")
    agenda.work_items(kims_day, KIM, DAY, [(maturity.id, "100000001")], agenda.DONE)
    agenda.work_items(
        kims_day, KIM, DAY, [(contact.id, "100000001")], agenda.SNOOZED, snooze_days=3
    )
    with pytest.raises(Refused) as again:
        agenda.work_items(kims_day, KIM, DAY, [(maturity.id, "100000001")], agenda.DONE)
    assert again.value.code == "agenda_refused_not_open"

    def listed(day: dt.date, stored: agenda.StoredRule) -> set[int]:
        found = agenda.compute_agenda(kims_day, [stored], day).items
        return set(found.filter(pl.col("employee_id") == 3)["customer_id"])

    # Done on 03-10 with the maturity (03-15) still ahead: not listed on 03-11.
    assert 1 not in listed(dt.date(2026, 3, 11), maturity)
    # Snoozed for 3 days: back on 03-13, not before.
    assert 1 not in listed(dt.date(2026, 3, 12), contact)
    assert 1 in listed(dt.date(2026, 3, 13), contact)


def test_a_worked_customer_makes_room_under_a_rules_cap_for_the_next_one(kims_day):
    """A rule capped at one item a person lists Kim's longest-waiting customer (1) first; once
    Kim has done that contact, the next day's one place goes to her next customer due (5), not
    to nobody: the cap counts only customers the worked items leave on the list."""
    contact = next(r for r in agenda.agenda_rules(kims_day) if r.kind == "contact_due")
    capped = rule(
        "contact_due", {"days_by_tier": DUE_DAYS, "max_per_employee": 1}, rule_id=contact.id
    )
    next_day = dt.date(2026, 3, 11)
    assert [(i["customer"], i["employee"]) for i in items(kims_day, capped, DAY)][:1] == [(1, 3)]
    agenda.work_items(kims_day, KIM, DAY, [(contact.id, "100000001")], agenda.DONE)
    kims = [i["customer"] for i in items(kims_day, capped, next_day) if i["employee"] == 3]
    assert kims == [5]


# ---------------------------------------------------------------------------------------------
# Completion for branch managers and executives.


def test_completion_by_employee_reason_and_week(kims_day):
    # One more rule gives Park (branch 102) customer 3, consulted 128 days ago.
    agenda.save_rule(
        kims_day,
        ADMIN,
        {
            "kind": "contact_due",
            "name_ko": "우수 고객 연락",
            "name_en": "Priority customers to call",
            "priority": 6,
            "tiers": ["priority"],
            "params": {"days_by_tier": {"priority": 90}},
        },
    )
    rules = agenda.agenda_rules(kims_day, enabled_only=True)
    built(kims_day, rules)
    maturity = next(r for r in rules if r.kind == "maturity")
    agenda.work_items(kims_day, KIM, DAY, [(maturity.id, "100000001")], agenda.DONE)
    kim_total = agenda.my_agenda(kims_day, KIM, DAY).counts.total
    staff = agenda.completion_by_employee(kims_day, MANAGER_101, DAY)
    # Every active staff member of the branch, the manager (no items) at zero.
    assert staff.select("employee_no", "items", "done", "open").rows() == [
        ("E2", 0, 0, 0),
        ("E3", kim_total, 1, kim_total - 1),
    ]
    firm = agenda.completion_by_employee(kims_day, EXECUTIVE, DAY)
    assert set(firm["employee_no"]) == {"E3", "E4"}
    reasons = agenda.completion_by_reason(kims_day, MANAGER_101, DAY)
    assert reasons.filter(pl.col("rule_id") == maturity.id).select("items", "done").row(0) == (1, 1)
    weeks = agenda.completion_by_week(kims_day, MANAGER_101, DAY, weeks=2)
    # 2026-03-10 is a Tuesday: its week starts on Monday the 9th.
    assert weeks.select("week_start", "items", "done").rows() == [
        (dt.date(2026, 3, 9), kim_total, 1)
    ]
    # The rate has one window, the 30 days to the last completed day (03-09), which holds no
    # items here: today's work shows as counts and enters the rate once the day has ended.
    assert "completion_pct" not in weeks.columns
    team = agenda.team_completion(kims_day, MANAGER_101, DAY)
    assert (team.items, team.done, team.open) == (kim_total, 1, kim_total - 1)
    assert (team.first_day, team.last_day) == (dt.date(2026, 2, 8), dt.date(2026, 3, 9))
    assert team.completion_pct is None
    assert staff["completion_pct"].to_list() == [None, None]
    branches = agenda.completion_by_branch(kims_day, EXECUTIVE, DAY)
    assert branches.select("branch_code", "items", "done").rows() == [
        ("101", kim_total, 1),
        ("102", 1, 0),
    ]
    with pytest.raises(AccessDenied):
        agenda.completion_by_employee(kims_day, KIM, DAY)
    with pytest.raises(AccessDenied):
        agenda.completion_by_branch(kims_day, MANAGER_101, DAY)


# ---------------------------------------------------------------------------------------------
# The build: committed data, the ledger, idempotency, failure, two schedulers.


@pytest.fixture(scope="module")
def committed(databases) -> Engine:
    engine = databases.new("agenda")
    with engine.begin() as conn:
        handmade.load(conn)
        agenda_data.load(conn)
    return engine


AGENDA_TABLES = ("agenda_items", "job_runs", "agenda_rules", "business_holidays", "audit_log")


@pytest.fixture
def fresh(committed: Engine) -> Iterator[Engine]:
    """The committed database without agenda state, before and after the test."""

    def clear() -> None:
        with committed.begin() as conn:
            conn.execute(text("DELETE FROM agenda_items"))
            conn.execute(text("DELETE FROM consultations WHERE id > 2"))
            for table in AGENDA_TABLES[1:]:
                conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608
            if "scheduler_jobs" in committed.dialect.get_table_names(conn):
                conn.execute(text("DELETE FROM scheduler_jobs"))

    clear()
    yield committed
    clear()


def stored_items(engine: Engine) -> pl.DataFrame:
    with engine.connect() as conn:
        return read_frame(
            conn,
            select(
                AgendaItem.business_date,
                AgendaItem.rule_id,
                AgendaItem.customer_id,
                AgendaItem.employee_id,
                AgendaItem.due_date,
                AgendaItem.facts,
                AgendaItem.status,
            ).order_by(AgendaItem.rule_id, AgendaItem.customer_id),
            {"business_date": pl.Date, "due_date": pl.Date},
        )


def ledger(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            select(JobRun.job, JobRun.business_date, JobRun.status, JobRun.rows)
        ).all()


def test_arrow_reads_equal_row_reads(fresh):
    stmt = select(
        Customer.id, Customer.birth_date, Customer.consent_dm, Customer.closed_on, Customer.tier
    ).order_by(Customer.id)
    schema = {"birth_date": pl.Date, "consent_dm": pl.Boolean, "closed_on": pl.Date}
    with fresh.connect() as conn:
        by_rows = read_frame(conn, stmt, schema)
    assert_frame_equal(read_arrow_frame(fresh, stmt, schema), by_rows)
    with fresh.connect() as conn:
        assert not conn.in_transaction()
        assert_frame_equal(read_arrow_frame(conn, stmt, schema), by_rows)


def test_build_twice_gives_the_same_items_and_keeps_worked_ones(fresh):
    first = agenda_job.run(fresh, DAY)
    assert first["status"] == "succeeded"
    items_first = stored_items(fresh)
    assert items_first.height == first["items"] > 0
    assert sum(first["items_by_rule"].values()) == first["items"]
    second = agenda_job.run(fresh, DAY)
    assert second["items_by_rule"] == first["items_by_rule"]
    assert_frame_equal(stored_items(fresh), items_first)
    assert ledger(fresh) == [("agenda", DAY, "succeeded", first["items"])]

    maturity = next(r for r in _rules(fresh) if r.kind == "maturity")
    with fresh.connect() as conn:
        agenda.work_items(conn, KIM, DAY, [(maturity.id, "100000001")], agenda.DONE)
    agenda_job.run(fresh, DAY)
    after = stored_items(fresh)
    assert after.height == items_first.height
    assert after.filter(pl.col("status") == "done").select("rule_id", "customer_id").rows() == [
        (maturity.id, 1)
    ]
    with fresh.connect() as conn:
        detail = json.loads(conn.execute(select(JobRun.detail)).scalar_one())
    assert (detail["kept_worked"], detail["inserted"]) == (1, items_first.height - 1)


def _rules(engine: Engine) -> list[agenda.StoredRule]:
    with engine.connect() as conn:
        return agenda.agenda_rules(conn)


def test_a_failed_build_keeps_the_previous_items_and_can_be_retried(fresh, monkeypatch):
    agenda_job.run(fresh, DAY)
    before = stored_items(fresh)

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    with monkeypatch.context() as patched:
        patched.setattr(agenda, "compute_agenda", broken)
        with pytest.raises(agenda_job.JobFailed, match="the disk is full"):
            agenda_job.run(fresh, DAY)
    assert_frame_equal(stored_items(fresh), before)
    with fresh.connect() as conn:
        run = job_runs.run_state(conn, "agenda", DAY)
        recent = job_runs.recent_runs(conn, ADMIN)
    assert run.status == "failed" and "the disk is full" in run.error
    assert recent["error"][0] == "RuntimeError: the disk is full"
    # The scheduler retries a failed date (and leaves a succeeded one alone).
    assert agenda_job.run_if_due(fresh, DAY)["status"] == "succeeded"
    assert agenda_job.run_if_due(fresh, DAY)["status"] == "skipped"


def test_two_builds_at_once_make_one(fresh):
    barrier = threading.Barrier(2)
    results: list[dict] = []

    def build() -> None:
        barrier.wait()
        results.append(agenda_job.run_if_due(fresh, DAY))

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r["status"] for r in results) == ["skipped", "succeeded"]
    built_items = next(r["items"] for r in results if r["status"] == "succeeded")
    assert ledger(fresh) == [("agenda", DAY, "succeeded", built_items)]
    assert stored_items(fresh).height == built_items


def test_two_schedulers_firing_together_build_once(fresh, monkeypatch):
    monkeypatch.setenv("CRM_BUSINESS_DATE", DAY.isoformat())
    finished = threading.Semaphore(0)
    errors: list[Any] = []

    def listener(event: Any) -> None:
        if event.job_id == "together":
            if event.exception:
                errors.append(event.exception)
            finished.release()

    both = [scheduler.start_background(fresh) for _ in range(2)]
    fire_at = dt.datetime.now(scheduler.SEOUL) + dt.timedelta(seconds=1)
    try:
        for each in both:
            each.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
            each.add_job(
                scheduler.run_scheduled,
                "date",
                run_date=fire_at,
                args=("agenda", scheduler.database_key(fresh)),
                id="together",
                jobstore="local",
            )
        assert finished.acquire(timeout=60) and finished.acquire(timeout=60)
    finally:
        for each in both:
            each.shutdown(wait=True)
    assert errors == []
    (run,) = ledger(fresh)
    assert run[:3] == ("agenda", DAY, "succeeded")
    assert stored_items(fresh).height == run[3]


# ---------------------------------------------------------------------------------------------
# A build whose process died: its claim lapses once it stops being renewed.

# The builders these tests start renew their claims this often, so a dead one's claim lapses in
# 3 s (in production: every 10 s, lapsing after 30 s).
CLAIM_RENEW_S = 1.0
LAPSE_S = CLAIM_RENEW_S * job_runs.MISSED_RENEWALS
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Claims (job, date) through the ledger like any build, then hangs in its read phase.
BLOCKING_BUILDER = """
import datetime as dt, sys, threading
from data_access.core import job_runs
from data_access.core.db import make_engine

def prepare():
    print("claimed", flush=True)
    threading.Event().wait()

day = dt.date.fromisoformat(sys.argv[3])
job_runs.run_job(make_engine(sys.argv[1]), sys.argv[2], day, prepare, force=True)
"""


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@contextmanager
def builder_holding(engine: Engine, job: str, day: dt.date) -> Iterator[subprocess.Popen]:
    """Another process holding the claim on (job, day) mid-build; SIGKILLed on leaving."""
    builder = subprocess.Popen(
        [sys.executable, "-c", BLOCKING_BUILDER, url_of(engine), job, day.isoformat()],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "CRM_JOB_CLAIM_RENEW_S": str(CLAIM_RENEW_S),
        },
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert builder.stdout.readline().strip() == "claimed"
        yield builder
    finally:
        builder.kill()
        builder.wait(timeout=30)


def test_a_killed_build_frees_its_date_in_seconds_and_a_live_one_is_never_joined(fresh):
    with builder_holding(fresh, "agenda", DAY) as builder:
        # Alive and renewing: refused however long it takes, by hand (force) and by schedule.
        time.sleep(LAPSE_S * 2)
        with pytest.raises(agenda_job.JobFailed, match="job_busy"):
            agenda_job.run(fresh, DAY)
        assert agenda_job.run_if_due(fresh, DAY)["reason"] == "running"
        builder.send_signal(signal.SIGKILL)  # kill -9: no chance to record anything
        builder.wait(timeout=30)
    with fresh.connect() as conn:
        assert job_runs.run_state(conn, "agenda", DAY).status == "running"
    time.sleep(LAPSE_S + 0.5)
    rerun = subprocess.run(
        [sys.executable, "-m", "jobs", "run", "agenda", "--date", DAY.isoformat(), "--json"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "CRM_DATABASE_URL": url_of(fresh)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout.splitlines()[-1])["status"] == "succeeded"
    (run,) = ledger(fresh)
    assert run[:3] == ("agenda", DAY, "succeeded")
    assert stored_items(fresh).height == run[3]


def test_the_scheduler_takes_over_a_date_whose_builder_died(fresh, monkeypatch):
    # Production: a claim lapses 30 s after its last renewal and the scheduler looks every
    # 10 s, so the morning is built again within 40 s of the builder's death.
    assert job_runs.CLAIM_RENEW_S * (job_runs.MISSED_RENEWALS + 1) <= 60
    monkeypatch.setenv("CRM_BUSINESS_DATE", DAY.isoformat())
    monkeypatch.setenv("CRM_JOB_CLAIM_RENEW_S", str(CLAIM_RENEW_S))
    with builder_holding(fresh, "agenda", DAY):
        pass  # killed as soon as it holds the claim
    background = scheduler.start_background(fresh)
    try:
        deadline = time.monotonic() + LAPSE_S + 60
        while time.monotonic() < deadline and ledger(fresh)[0][2] == "running":
            time.sleep(0.2)
    finally:
        background.shutdown(wait=True)
    (run,) = ledger(fresh)
    assert run[:3] == ("agenda", DAY, "succeeded")
    assert stored_items(fresh).height == run[3]


def test_a_build_whose_lapsed_claim_was_taken_over_writes_nothing(fresh, monkeypatch):
    """A builder stalled past its claim (its renewals could not land) must not write over the
    build that took its date over."""
    monkeypatch.setenv("CRM_JOB_CLAIM_RENEW_S", "60")
    taken_over: list[job_runs.RunOutcome] = []

    def stalled() -> job_runs.Writer:
        with fresh.begin() as conn:
            conn.execute(
                update(JobRun).values(claim_expires_at=now_seoul() - dt.timedelta(seconds=1))
            )
        taken_over.append(
            job_runs.run_job(fresh, "agenda", DAY, lambda: lambda conn: (7, {}), force=False)
        )
        return lambda conn: (99, {})

    outcome = job_runs.run_job(fresh, "agenda", DAY, stalled, force=False)
    assert taken_over[0].status == "succeeded"
    assert (outcome.status, outcome.reason) == ("skipped", "taken over")
    assert ledger(fresh) == [("agenda", DAY, "succeeded", 7)]


@pytest.mark.parametrize(
    ("setting", "seconds"),
    [("", 10.0), ("0.5", 0.5), ("0", 10.0), ("-1", 10.0), ("inf", 10.0), ("soon", 10.0)],
    ids=["unset", "half-second", "zero", "negative", "infinite", "not-a-number"],
)
def test_a_claim_renewal_setting_that_is_no_interval_falls_back(monkeypatch, setting, seconds):
    monkeypatch.setenv("CRM_JOB_CLAIM_RENEW_S", setting)
    assert job_runs.claim_renewal_s() == seconds


def test_a_run_claimed_before_claims_lapsed_keeps_the_two_hour_rule(fresh):
    """Rows claimed by a build of a version before migration 0011 are never renewed."""
    with fresh.begin() as conn:
        conn.execute(
            insert(JobRun).values(
                job="agenda",
                business_date=DAY,
                status="running",
                started_at=now_seoul() - dt.timedelta(hours=1),
            )
        )
    assert agenda_job.run_if_due(fresh, DAY)["reason"] == "running"
    with fresh.begin() as conn:
        conn.execute(update(JobRun).values(started_at=now_seoul() - dt.timedelta(hours=3)))
    assert agenda_job.run_if_due(fresh, DAY)["status"] == "succeeded"


# ---------------------------------------------------------------------------------------------
# Scheduling: working days in Asia/Seoul.


def fire_times(trigger: scheduler.WorkingDayTrigger, start: dt.datetime, n: int) -> list[str]:
    times, previous, now = [], None, start
    for _ in range(n):
        fire = trigger.get_next_fire_time(previous, now)
        times.append(fire.isoformat())
        previous = now = fire
    return times


def test_agenda_fires_at_six_on_working_days_only():
    trigger = scheduler.WorkingDayTrigger(6, 0)
    start = dt.datetime(2026, 9, 22, 7, 0, tzinfo=scheduler.SEOUL)  # Tuesday, after 06:00
    # Wednesday the 23rd; then Thursday 24 and Friday 25 are Chuseok (public holidays) and
    # the 26th-27th a weekend, so Monday the 28th.
    assert fire_times(trigger, start, 3) == [
        "2026-09-23T06:00:00+09:00",
        "2026-09-28T06:00:00+09:00",
        "2026-09-29T06:00:00+09:00",
    ]
    firm_holiday = scheduler.WorkingDayTrigger(6, 0, frozenset({dt.date(2026, 9, 28)}))
    assert fire_times(firm_holiday, start, 2) == [
        "2026-09-23T06:00:00+09:00",
        "2026-09-29T06:00:00+09:00",
    ]


def agenda_schedule(engine):
    return next(job for job in scheduler.scheduled_jobs(engine, ADMIN) if job.id == "agenda")


def test_scheduled_jobs_pause_resume_and_holidays(fresh, monkeypatch):
    monkeypatch.setenv("CRM_BUSINESS_DATE", "2026-09-21")
    job = agenda_schedule(fresh)
    assert (job.id, job.schedule) == ("agenda", "working days at 06:00 Asia/Seoul")
    assert job.next_run_at is not None and job.next_run_at.time() == dt.time(6, 0)
    assert business_days.is_business_day(job.next_run_at.date())
    scheduler.pause(fresh, ADMIN, "agenda")
    assert agenda_schedule(fresh).paused
    scheduler.resume(fresh, ADMIN, "agenda")
    resumed = agenda_schedule(fresh)
    assert not resumed.paused
    # A firm holiday on the next run day moves the next run on.
    with fresh.connect() as conn:
        business_days.add_holiday(conn, ADMIN, resumed.next_run_at.date(), "창립기념일")
    scheduler.refresh_holidays(fresh)
    moved = agenda_schedule(fresh)
    assert moved.next_run_at.date() > resumed.next_run_at.date()
    with fresh.connect() as conn:
        actions = conn.execute(select(AuditRecord.action)).scalars().all()
        assert {"job_pause", "job_resume", "holiday_add"} <= set(actions)
        assert conn.execute(select(func.count()).select_from(BusinessHoliday)).scalar_one() == 1
    with pytest.raises(AccessDenied):
        scheduler.pause(fresh, KIM, "agenda")


def test_a_scheduled_run_on_a_holiday_does_nothing(fresh, monkeypatch):
    monkeypatch.setenv("CRM_BUSINESS_DATE", "2026-09-25")  # Chuseok
    scheduler.run_scheduled("agenda", scheduler.database_key(fresh))
    assert ledger(fresh) == []


@pytest.mark.parametrize(
    ("url", "setting", "expected"),
    [
        ("sqlite:///data/dreams.db", None, True),
        ("postgresql://db/dreams", None, False),
        ("postgresql://db/dreams", "1", True),
        ("sqlite:///data/dreams.db", "0", False),
    ],
    ids=["sqlite", "postgresql", "postgresql-forced", "sqlite-off"],
)
def test_in_process_scheduler_only_where_wanted(monkeypatch, url, setting, expected):
    if setting is None:
        monkeypatch.delenv("CRM_IN_PROCESS_SCHEDULER", raising=False)
    else:
        monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", setting)
    assert scheduler.in_process_wanted(url) is expected


def test_holidays_refuse_bad_input(data, monkeypatch):
    monkeypatch.setenv("CRM_BUSINESS_DATE", DAY.isoformat())
    with pytest.raises(Refused) as past:
        business_days.add_holiday(data, ADMIN, dt.date(2026, 3, 9), "어제")
    assert past.value.code == "holiday_rejected_past"
    with pytest.raises(Refused) as unnamed:
        business_days.add_holiday(data, ADMIN, dt.date(2026, 3, 20), " ")
    assert unnamed.value.code == "holiday_rejected_name"
    business_days.add_holiday(data, ADMIN, dt.date(2026, 3, 20), "창립기념일")
    calendar = business_days.holiday_calendar(data, 2026)
    assert calendar.filter(pl.col("source") == "firm").select("day", "name_ko").rows() == [
        (dt.date(2026, 3, 20), "창립기념일")
    ]
    assert not business_days.is_business_day(
        dt.date(2026, 3, 20), business_days.extra_holidays(data)
    )
    with pytest.raises(AccessDenied):
        business_days.add_holiday(data, KIM, dt.date(2026, 3, 23), "휴무")


def test_cli_runs_the_agenda_and_prints_json(fresh, monkeypatch, capsys):
    from jobs.__main__ import main

    monkeypatch.setenv("CRM_DATABASE_URL", fresh.url.render_as_string(hide_password=False))
    assert main(["run", "agenda", "--date", DAY.isoformat(), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["date"], summary["status"]) == (DAY.isoformat(), "succeeded")
    assert sum(summary["items_by_rule"].values()) == summary["items"]
    assert summary["seconds"] >= 0


def test_arrow_reads_leave_the_consoles_sqlite_connections_alone(fresh):
    """ADBC's own copy of SQLite must not delete the WAL the console is writing to."""
    if fresh.dialect.name != "sqlite":
        pytest.skip("a SQLite file matter")
    wal = f"{fresh.url.database}-wal"
    with fresh.connect() as conn:
        conn.execute(
            text("INSERT INTO business_holidays VALUES ('2030-01-02', 'a', 'b', '2030-01-01')")
        )
        assert read_arrow_frame(fresh, select(Customer.id)).height == 5
        assert os.path.exists(wal)
        conn.commit()
    with fresh.connect() as conn:
        assert conn.execute(select(func.count()).select_from(BusinessHoliday)).scalar_one() == 1


def test_preview_of_all_enabled_rules(data):
    # The default rules on 2026-03-10 (see tests/test_agenda_pages.py's docstring): customer 1
    # for maturity and for direct mail, nothing else.
    overview = agenda.preview_rules(data, ADMIN, DAY)
    assert overview.select("name_en", "branches", "items").rows() == [
        ("Accounts reaching maturity", 1, 1),
        ("Happy calls after a sale", 0, 0),
        ("Complaints due", 0, 0),
        ("Customers about to leave", 0, 0),
        ("Birthdays and anniversaries", 0, 0),
        ("Dormant customers with assets", 0, 0),
        ("Due for direct mail", 1, 1),
    ]
