"""Customer search, the 360 view, notes, alerts and behavioural cues on the hand-made dataset.

Customers 1-4 come from tests/handmade.py `load`; their transactions, notes, alerts, life
events and transfers from `load_customer_history`, whose docstring tells the story each
expected value below is read from. As of 2026-03-10 unless a test says otherwise.
"""

import contextlib
import datetime as dt
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Connection, event, func, select

from data_access.core.db import (
    WRITE_TRANSACTION,
    bulk_insert,
    make_engine,
)
from data_access.core.errors import (
    AccessDenied,
    NotFound,
    Refused,
)
from data_access.core.models import (
    Account,
    Alert,
    AuditRecord,
    Consultation,
    Customer,
    Role,
    Transaction,
    UsageEvent,
)
from data_access.core.security import (
    SignedInUser,
)
from data_access.customers.records import (
    ALERT_SCHEMA,
    CONSULTATION_SCHEMA,
    EVENT_SCHEMA,
    NOTE_MAX_CHARS,
    TRANSFER_SCHEMA,
    FlagKind,
    ViewReason,
    ViewReasonRequired,
    add_note,
    behavioural_flags,
    customer_360,
    next_occurrence,
    raise_alert,
    record_customer_view,
    resolve_alert,
    search_customers,
)
from tests import handmade as handmade_dataset
from tests.handmade import ADMIN, AS_OF, EXECUTIVE, KIM, MANAGER_101, PARK, TRAINER, signed_in
from ui.messages import translate

d, at = dt.date, dt.datetime


@pytest.fixture
def story(handmade: Connection) -> Connection:
    """`handmade` plus the customer history of tests/handmade.py."""
    handmade_dataset.load_customer_history(handmade)
    return handmade


def audit_rows(conn: Connection) -> list[tuple]:
    rows = conn.execute(
        select(
            AuditRecord.username, AuditRecord.action, AuditRecord.target_id, AuditRecord.detail
        ).order_by(AuditRecord.id)
    )
    return [
        (user, action, target, json.loads(detail or "null"))
        for user, action, target, detail in rows
    ]


def usage_rows(conn: Connection) -> list[tuple]:
    rows = conn.execute(
        select(
            UsageEvent.employee_id, UsageEvent.action, UsageEvent.page, UsageEvent.target
        ).order_by(UsageEvent.id)
    )
    return [tuple(row) for row in rows]


def count_rows(conn: Connection, model: type) -> int:
    return conn.execute(select(func.count()).select_from(model)).scalar_one()


# --- search ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("100000003", [("100000003", "박민수", "customer_no")]),
        (" 100000003 ", [("100000003", "박민수", "customer_no")]),
        ("A3", [("100000002", "이영희", "account_no")]),
        ("a3", [("100000002", "이영희", "account_no")]),
        ("4444", [("100000002", "이영희", "phone")]),
        ("010-3333-4444", [("100000002", "이영희", "phone")]),
        ("01033334444", [("100000002", "이영희", "phone")]),
        ("홍", [("100000001", "홍길동", "name_prefix")]),
        ("이영희", [("100000002", "이영희", "name_prefix")]),
        ("이 영희", [("100000002", "이영희", "name_prefix")]),
        ("길동", [("100000001", "홍길동", "name_partial")]),
        ("최지", [("100000004", "최지우", "name_prefix")]),
        # One letter: a prefix look-up only; the infix scan needs two.
        ("동", []),
        ("999999999", []),
        ("9999", []),
        ("%", []),
        ("_영", []),
    ],
    ids=[
        "customer-number",
        "number-with-spaces",
        "account-number",
        "account-number-lower-case",
        "phone-last-4",
        "phone-with-dashes",
        "phone-digits",
        "name-prefix-one-letter",
        "full-name",
        "name-with-a-space",
        "name-partial",
        "closed-customer",
        "one-letter-no-infix",
        "unknown-number",
        "unknown-phone",
        "like-wildcard-is-literal",
        "underscore-is-literal",
    ],
)
def test_search_by_each_key(handmade, query, expected):
    found = search_customers(handmade, KIM, query)
    assert list(found.select("customer_no", "name", "matched_by").iter_rows()) == expected


def test_search_shows_enough_to_pick_and_masks_contact_for_every_role(handmade):
    for user in (KIM, PARK, MANAGER_101, EXECUTIVE):
        found = search_customers(handmade, user, "홍길동")
        assert_frame_equal(
            found,
            pl.DataFrame(
                {
                    "customer_no": ["100000001"],
                    "name": ["홍길동"],
                    "birth_year": [1960],
                    "tier": ["vip"],
                    "branch_ko": ["강남지점"],
                    "branch_en": ["Gangnam"],
                    "phone_masked": ["010-****-2222"],
                    "is_closed": [False],
                    "closed_on": [None],
                    "matched_by": ["name_prefix"],
                },
                schema_overrides={"birth_year": pl.Int32, "closed_on": pl.Date},
            ),
        )
    assert search_customers(handmade, KIM, "최지우")["is_closed"].to_list() == [True]


def test_search_ranks_number_before_account_and_prefix_before_partial(handmade):
    # Account "100000003" belongs to customer 1: the customer number itself ranks first.
    bulk_insert(
        handmade,
        Account.__table__,
        pl.DataFrame(
            {
                "id": [20],
                "account_no": ["100000003"],
                "customer_id": [1],
                "product_id": [1],
                "branch_id": [1],
                "opened_on": [d(2025, 1, 2)],
                "principal_krw": [1],
                "market_value_krw": [1],
            }
        ),
    )
    by_number = search_customers(handmade, KIM, "100000003")
    assert by_number.select("customer_no", "matched_by").rows() == [
        ("100000003", "customer_no"),
        ("100000001", "account_no"),
    ]
    add_customers(handmade, {30: "민수정", 31: "김민수"})
    # 민수정 starts with the text; 김민수 and 박민수 contain it, by name.
    by_name = search_customers(handmade, KIM, "민수")
    assert by_name.select("name", "matched_by").rows() == [
        ("민수정", "name_prefix"),
        ("김민수", "name_partial"),
        ("박민수", "name_partial"),
    ]


def add_customers(conn: Connection, names: dict[int, str]) -> None:
    ids = list(names)
    bulk_insert(
        conn,
        Customer.__table__,
        pl.DataFrame(
            {
                "id": ids,
                "customer_no": [f"2000{i:05d}" for i in ids],
                "name": list(names.values()),
                "birth_date": [d(1970, 1, 1)] * len(ids),
                "gender": ["M"] * len(ids),
                "occupation": ["회사원"] * len(ids),
                "region": ["서울"] * len(ids),
                "address": ["서울"] * len(ids),
                "phone": [f"010-0000-{i:04d}" for i in ids],
                "phone_last4": [f"{i:04d}" for i in ids],
                "tier": ["general"] * len(ids),
                "home_branch_id": [1] * len(ids),
                "consent_dm": [False] * len(ids),
                "consent_tm": [False] * len(ids),
                "consent_email": [False] * len(ids),
                "preferred_channel": ["branch"] * len(ids),
                "opened_on": [d(2020, 1, 1)] * len(ids),
            }
        ),
    )


def test_search_lists_closed_customers_after_open_ones_with_their_closing_day(handmade):
    # 최지우 (handmade customer 4) closed on 2025-12-31; 최지훈 is open. By name alone
    # 최지우 would come first.
    add_customers(handmade, {50: "최지훈"})
    found = search_customers(handmade, KIM, "최지")
    assert found.select("name", "is_closed", "closed_on").rows() == [
        ("최지훈", False, None),
        ("최지우", True, d(2025, 12, 31)),
    ]


def test_search_stops_at_the_limit_and_fills_it_with_partial_matches(handmade):
    add_customers(handmade, {100 + i: f"김테스트{i:02d}" for i in range(60)})
    prefix_only = search_customers(handmade, KIM, "김테")
    assert prefix_only.height == 50
    assert set(prefix_only["matched_by"]) == {"name_prefix"}
    assert prefix_only["name"].to_list() == [f"김테스트{i:02d}" for i in range(50)]
    add_customers(handmade, {200: "박테스", 201: "이테스"})
    # No name starts with 테스; 62 contain it, and the infix look-up stops at the limit.
    partial = search_customers(handmade, KIM, "테스", limit=5)
    assert partial.height == 5
    assert set(partial["matched_by"]) == {"name_partial"}


def test_search_looks_for_text_anywhere_in_a_name_only_when_nothing_else_matches(handmade):
    add_customers(handmade, {40: "남궁옥분", 41: "남궁민수"})
    # 옥분 is neither the start of a name nor of a given name: the infix scan finds it.
    assert search_customers(handmade, KIM, "옥분").select("name", "matched_by").rows() == [
        ("남궁옥분", "name_partial")
    ]
    # 민수 is 박민수's given name, found through the index; the scan that would also find
    # 남궁민수 (a two-letter surname) does not run.
    assert search_customers(handmade, KIM, "민수")["name"].to_list() == ["박민수"]


@pytest.mark.parametrize("query", ["", "   ", "가" * 41], ids=["empty", "blank", "over-long"])
def test_search_of_nothing_finds_nothing_and_writes_nothing(handmade, query):
    assert search_customers(handmade, KIM, query).is_empty()
    assert audit_rows(handmade) == []


def test_search_is_audited_by_kind_not_text_and_counted_as_usage(handmade):
    search_customers(handmade, KIM, "홍길")
    search_customers(handmade, KIM, "2222")
    search_customers(handmade, KIM, "100000001")
    assert audit_rows(handmade) == [
        ("sales_rep-3", "customer_search", None, {"kind": "name", "results": 1}),
        ("sales_rep-3", "customer_search", None, {"kind": "phone", "results": 1}),
        ("sales_rep-3", "customer_search", None, {"kind": "number", "results": 1}),
    ]
    assert usage_rows(handmade) == [
        (3, "search", "customer", "name"),
        (3, "search", "customer", "phone"),
        (3, "search", "customer", "number"),
    ]


@pytest.mark.parametrize("user", [TRAINER, ADMIN], ids=["trainer", "admin"])
def test_roles_without_customers_cannot_search_or_open_a_record(handmade, user):
    with pytest.raises(AccessDenied):
        search_customers(handmade, user, "홍길동")
    with pytest.raises(AccessDenied):
        customer_360(handmade, user, "100000001", as_of=AS_OF)


# --- the 360 view ---------------------------------------------------------------------------


def test_360_header(story):
    profile = customer_360(story, KIM, "100000001", as_of=AS_OF).profile
    # Born 1960-02-29: 66 on 2026-03-10. Customer since 1998-01-05: 28 full years.
    # AUM: account 1 only (5,000,000); account 2 is closed.
    assert (
        profile.customer_no,
        profile.name,
        profile.age_years,
        profile.tier,
        profile.home_branch_ko,
        profile.home_branch_en,
        profile.manager_name,
        profile.tenure_years,
        profile.aum_krw,
        (profile.consent_dm, profile.consent_tm, profile.consent_email),
    ) == (
        "100000001",
        "홍길동",
        66,
        "vip",
        "강남지점",
        "Gangnam",
        "김영업",
        28,
        5_000_000,
        (True,) * 3,
    )
    assert (profile.phone, profile.email, profile.address, profile.contact_visible) == (
        "010-1111-2222",
        "hong@example.com",
        "서울특별시 강남구 1",
        True,
    )


def test_360_header_of_a_closed_customer_without_manager(story):
    profile = customer_360(story, EXECUTIVE, "100000004", as_of=AS_OF).profile
    # Opened 2020-01-01, closed 2025-12-31: tenure ends at closing (5 full years).
    assert (profile.manager_name, profile.closed_on, profile.tenure_years, profile.aum_krw) == (
        None,
        d(2025, 12, 31),
        5,
        0,
    )


@pytest.mark.parametrize(
    ("user", "customer_no", "visible"),
    [
        (KIM, "100000001", True),  # in Kim's book
        (MANAGER_101, "100000001", True),  # in the manager's branch
        (EXECUTIVE, "100000003", True),  # firm-wide
        (PARK, "100000001", False),  # another branch's customer
        (MANAGER_101, "100000003", False),  # another branch
        (KIM, "100000004", False),  # Kim's branch but nobody's book
    ],
    ids=["own-book", "own-branch", "firm-wide", "other-rep", "other-branch", "not-in-book"],
)
def test_360_shows_full_contact_only_to_those_who_answer_for_the_customer(
    story, user, customer_no, visible
):
    profile = customer_360(story, user, customer_no, as_of=AS_OF).profile
    assert profile.contact_visible is visible
    assert ("****" in profile.phone) is not visible


def test_360_masks_phone_email_and_address_for_others(story):
    profile = customer_360(story, PARK, "100000001", as_of=AS_OF).profile
    assert (profile.phone, profile.email, profile.address) == (
        "010-****-2222",
        "h***@example.com",
        "서울특별시 강남구 ***",
    )


def test_360_open_alerts_critical_first_with_who_and_when(story):
    alerts = customer_360(story, KIM, "100000001", as_of=AS_OF).open_alerts
    # Alert 4 is resolved; 3 is critical and comes before the older warning 5.
    expected = pl.DataFrame(
        {
            "alert_id": [3, 5],
            "kind": ["proxy_attempt", "always_alone"],
            "severity": ["critical", "warning"],
            "text": ["대리인 출금 발생. 본인 확인 전 추가 거래 보류.", "항상 본인이 직접 거래"],
            "raised_by": ["박영업", "김영업"],
            "raised_at": [at(2026, 2, 20, 15, 20), at(2024, 6, 1, 9)],
        },
        schema=ALERT_SCHEMA,
    )
    assert_frame_equal(alerts, expected)


def test_360_holdings_with_gain_and_maturity(story):
    holdings = customer_360(story, KIM, "100000002", as_of=AS_OF).holdings
    # A6 (4,000,000 of 11,000,000 invested) before A3 (2,000,000, no maturity).
    assert holdings.select(
        "account_no", "product", "market_value_krw", "gain_krw", "gain_pct", "maturity_date"
    ).rows() == [
        ("A6", "드림 성장 주식형 2호", 4_000_000, -7_000_000, -63.64, None),
        ("A3", "드림 채권형 1호", 2_000_000, 0, 0.0, None),
    ]
    soon = customer_360(story, KIM, "100000001", as_of=AS_OF).holdings
    # A1 matures 2026-03-20, 10 days after AS_OF.
    assert soon.select("account_no", "gain_krw", "days_to_maturity", "matures_soon").rows() == [
        ("A1", 200_000, 10, True)
    ]
    later = customer_360(story, PARK, "100000003", as_of=AS_OF).holdings
    # A4 matures 2026-06-30, 112 days away: not highlighted.
    assert later.select("account_no", "days_to_maturity", "matures_soon").rows() == [
        ("A4", 112, False),
        ("A7", None, False),
    ]


def test_360_monthly_flows_of_the_last_36_months(story):
    flows = customer_360(story, KIM, "100000001", as_of=AS_OF).monthly_flows
    # Transactions 1-7 of customer 1, summed by month.
    assert_frame_equal(
        flows,
        pl.DataFrame(
            {
                "month": [
                    d(2025, 3, 1),
                    d(2025, 5, 1),
                    d(2025, 7, 1),
                    d(2025, 9, 1),
                    d(2025, 10, 1),
                    d(2026, 2, 1),
                ],
                "inflow_krw": [5_500_000, 300_000, 300_000, 0, 200_000, 0],
                "outflow_krw": [0, 0, 0, 1_500_000, 0, 1_000_000],
                "transactions": [2, 1, 1, 1, 1, 1],
            }
        ),
    )
    # Customer 2's 2019 subscription is older than 36 months; 2024-12 and 2025-03 and 2026-01 stay.
    older = customer_360(story, KIM, "100000002", as_of=AS_OF).monthly_flows
    assert older["month"].to_list() == [d(2024, 12, 1), d(2025, 3, 1), d(2026, 1, 1)]


def test_360_recent_transactions_newest_first_with_channel_and_who(story):
    recent = customer_360(story, KIM, "100000001", as_of=AS_OF).recent_transactions
    assert recent.select(
        "occurred_at",
        "account_no",
        "kind",
        "amount_krw",
        "channel",
        "branch_en",
        "performed_by",
        "employee",
    ).rows() == [
        (
            at(2026, 2, 20, 15),
            "A1",
            "withdrawal",
            1_000_000,
            "branch",
            "Haeundae",
            "proxy",
            "박영업",
        ),
        (at(2025, 10, 15, 21), "A1", "deposit", 200_000, "online", None, "owner", None),
        (at(2025, 9, 1, 14), "A2", "redemption", 1_500_000, "branch", "Gangnam", "owner", "김영업"),
        (at(2025, 7, 15, 11), "A1", "deposit", 300_000, "branch", "Gangnam", "owner", "김영업"),
        (at(2025, 5, 15, 11), "A1", "deposit", 300_000, "branch", "Gangnam", "owner", "김영업"),
        (
            at(2025, 3, 20, 10, 30),
            "A2",
            "subscription",
            1_500_000,
            "branch",
            "Gangnam",
            "owner",
            "김영업",
        ),
        (
            at(2025, 3, 20, 10),
            "A1",
            "subscription",
            4_000_000,
            "branch",
            "Gangnam",
            "owner",
            "김영업",
        ),
    ]
    # As of the day before the proxy withdrawal, it is not shown yet.
    before = customer_360(story, KIM, "100000001", as_of=d(2026, 2, 19)).recent_transactions
    assert before.height == 6


def test_360_consultations_from_all_branches_newest_first(story):
    notes = customer_360(story, KIM, "100000001", as_of=AS_OF).consultations
    expected = pl.DataFrame(
        {
            "consultation_id": [6, 5, 4, 7, 3],
            "occurred_at": [
                at(2026, 2, 21, 9, 30),
                at(2026, 2, 21, 9),
                at(2026, 2, 20, 15, 10),
                at(2025, 11, 2, 10),
                at(2025, 9, 1, 14, 30),
            ],
            "channel": ["phone", "phone", "visit", "phone", "visit"],
            "employee": ["김영업", "김영업", "박영업", "박영업", "김영업"],
            "branch_ko": ["강남지점", "강남지점", "해운대지점", "해운대지점", "강남지점"],
            "branch_en": ["Gangnam", "Gangnam", "Haeundae", "Haeundae", "Gangnam"],
            "outcome": ["follow_up", "follow_up", "follow_up", "no_answer", "follow_up"],
            "note": [
                "정정: 통화 시각은 09:30, 본인이 직접 경찰에 신고함.",
                "본인 통화: 대리 출금을 부탁한 적 없음 <b>확인</b> **경찰 신고**",
                "조카라는 사람이 대리 출금 요청. 위임장 확인 후 처리.",
                "건강 문제로 입원 중, 가족을 통해 연락 요청",
                "항상 혼자 방문함. 채권형 일부 환매.",
            ],
            "is_sensitive": [False, False, False, True, False],
            "corrects_id": [5, None, None, None, None],
            "corrected_by_id": [None, 6, None, None, None],
        },
        schema={**CONSULTATION_SCHEMA, "corrected_by_id": pl.Int64},
    )
    assert_frame_equal(notes, expected)


def test_360_hides_a_sensitive_note_from_staff_outside_the_customers_book(story):
    notes = customer_360(story, PARK, "100000001", as_of=AS_OF).consultations
    hidden = notes.filter(pl.col("is_sensitive"))
    # Park wrote note 7 but customer 1 is Kim's: the text stays with those who answer for it.
    assert hidden.select("consultation_id", "note").rows() == [(7, None)]
    assert notes.filter(~pl.col("is_sensitive"))["note"].null_count() == 0


def test_360_upcoming_life_events_and_transfers(story):
    view = customer_360(story, KIM, "100000001", as_of=AS_OF)
    # Account anniversary on 03-20 (10 days, 1st) and wedding anniversary on 05-05 (56 days,
    # 41st); the 29 February birthday (2027-02-28) and 1998-05-10 (61 days) are too far.
    assert_frame_equal(
        view.upcoming_events,
        pl.DataFrame(
            {
                "kind": ["account_anniversary", "wedding_anniversary"],
                "event_date": [d(2025, 3, 20), d(1985, 5, 5)],
                "next_on": [d(2026, 3, 20), d(2026, 5, 5)],
                "days_until": [10, 56],
                "years": [1, 41],
            },
            schema=EVENT_SCHEMA,
        ),
    )
    assert_frame_equal(
        view.transfers,
        pl.DataFrame(
            {
                "transferred_on": [d(2015, 4, 1), d(2010, 2, 1)],
                "from_ko": ["해운대지점", "강남지점"],
                "from_en": ["Haeundae", "Gangnam"],
                "to_ko": ["강남지점", "해운대지점"],
                "to_en": ["Gangnam", "Haeundae"],
                "reason": ["이사", "직장 이전"],
            },
            schema=TRANSFER_SCHEMA,
        ),
    )


@pytest.mark.parametrize(
    ("customer_no", "as_of", "expected"),
    [
        # Year end: 12-31 birthday seen from 12-20 is 11 days away (51st).
        ("100000002", d(2026, 12, 20), [("birthday", d(2026, 12, 31), 11, 51)]),
        # Across the new year: the 29 February birthday falls on 2027-02-28, 44 days after
        # 2027-01-15; the 03-20 account anniversary is 64 days away, too far.
        ("100000001", d(2027, 1, 15), [("birthday", d(2027, 2, 28), 44, 67)]),
        # On the day itself.
        ("100000002", d(2026, 12, 31), [("birthday", d(2026, 12, 31), 0, 51)]),
    ],
    ids=["year-end", "29-february-in-2027", "today"],
)
def test_360_life_events_across_year_end_and_29_february(story, customer_no, as_of, expected):
    events = customer_360(story, EXECUTIVE, customer_no, as_of=as_of).upcoming_events
    assert events.select("kind", "next_on", "days_until", "years").rows() == expected


@pytest.mark.parametrize(
    ("event_date", "on_or_after", "expected"),
    [
        (d(1960, 2, 29), d(2027, 2, 1), d(2027, 2, 28)),
        (d(1960, 2, 29), d(2028, 2, 1), d(2028, 2, 29)),
        (d(1960, 2, 29), d(2027, 3, 1), d(2028, 2, 29)),
        (d(1975, 1, 5), d(2026, 12, 20), d(2027, 1, 5)),
        (d(1975, 12, 31), d(2026, 12, 31), d(2026, 12, 31)),
    ],
    ids=["29-feb-non-leap", "29-feb-leap", "29-feb-passed", "year-end", "same-day"],
)
def test_next_occurrence(event_date, on_or_after, expected):
    assert next_occurrence(event_date, on_or_after) == expected


def test_360_of_a_customer_without_history_has_empty_sections(handmade):
    view = customer_360(handmade, EXECUTIVE, "100000004", as_of=AS_OF)
    assert view.open_alerts.is_empty() and view.holdings.is_empty()
    assert view.recent_transactions.is_empty() and view.monthly_flows.is_empty()
    assert view.consultations.is_empty() and view.upcoming_events.is_empty()
    assert view.transfers.is_empty() and view.flags == ()


@pytest.mark.parametrize(
    ("customer_no", "code"),
    [
        ("999999999", "customer_not_found"),
        ("12ab", "customer_malformed"),
        ("", "customer_malformed"),
        ("1 OR 1=1", "customer_malformed"),
        ("1" * 13, "customer_malformed"),
    ],
    ids=["unknown", "letters", "empty", "injection", "too-long"],
)
def test_bad_customer_numbers_say_what_to_do(handmade, customer_no, code):
    with pytest.raises(NotFound) as raised:
        customer_360(handmade, KIM, customer_no, as_of=AS_OF)
    assert (raised.value.code, raised.value.values) == (code, {"number": customer_no})
    assert "search by name" in translate(code, "en", **raised.value.values)
    with pytest.raises(NotFound):
        record_customer_view(handmade, KIM, customer_no)
    assert audit_rows(handmade) == [] and usage_rows(handmade) == []


def test_a_view_is_audited_and_counted_and_reading_alone_writes_nothing(story):
    customer_360(story, KIM, "100000001", as_of=AS_OF)
    assert audit_rows(story) == []
    record_customer_view(story, KIM, "100000001")
    assert audit_rows(story) == [("sales_rep-3", "customer_view", "100000001", None)]
    assert usage_rows(story) == [(3, "customer_view", "customer", "100000001")]


@pytest.mark.parametrize(
    ("user", "customer_no"),
    [
        (KIM, "100000001"),
        (MANAGER_101, "100000004"),
        (EXECUTIVE, "100000003"),
    ],
    ids=["rep-own-book", "manager-own-branch", "head-office"],
)
def test_a_customer_one_answers_for_opens_without_a_reason(handmade, user, customer_no):
    record_customer_view(handmade, user, customer_no)
    assert [row[1:] for row in audit_rows(handmade)] == [("customer_view", customer_no, None)]


@pytest.mark.parametrize(
    ("user", "customer_no"),
    [(PARK, "100000001"), (KIM, "100000004"), (MANAGER_101, "100000003")],
    ids=["another-branchs-rep", "rep-outside-own-book", "another-branchs-manager"],
)
def test_outside_ones_own_book_or_branch_a_view_states_its_reason(handmade, user, customer_no):
    """PIPC: personal data is read for a stated purpose. The reason goes into the view's
    audit row; without one nothing is recorded and the page shows no personal data."""
    with pytest.raises(ViewReasonRequired):
        record_customer_view(handmade, user, customer_no)
    assert audit_rows(handmade) == [] and usage_rows(handmade) == []
    reason = ViewReason("colleague_cover", "담당자 휴가 중 고객 내방")
    record_customer_view(handmade, user, customer_no, reason=reason)
    assert [row[1:] for row in audit_rows(handmade)] == [
        (
            "customer_view",
            customer_no,
            {"reason": "colleague_cover", "reason_text": "담당자 휴가 중 고객 내방"},
        )
    ]


@pytest.mark.parametrize(
    ("code", "text", "problem"),
    [
        ("curiosity", "", "unknown"),
        ("other", "   ", "needs_text"),
        ("customer_request", "가" * 201, "too_long"),
    ],
    ids=["unknown-code", "other-without-words", "over-long"],
)
def test_a_reason_that_says_nothing_is_refused(code, text, problem):
    with pytest.raises(Refused) as refused:
        ViewReason(code, text)
    assert refused.value.code == f"view_reason_rejected_{problem}"


# --- behavioural cues -----------------------------------------------------------------------

FLAG_ACCOUNT = 8


def given_history(
    conn: Connection, rows: list[tuple], *, market_value_krw: int = 4_000_000
) -> None:
    """Customer 4 with account 8 (opened 2020-01-01) and `rows` of
    (time, kind, amount, channel, branch, performed by)."""
    bulk_insert(
        conn,
        Account.__table__,
        pl.DataFrame(
            {
                "id": [FLAG_ACCOUNT],
                "account_no": ["A8"],
                "customer_id": [4],
                "product_id": [1],
                "branch_id": [1],
                "opened_on": [d(2020, 1, 1)],
                "principal_krw": [10_000_000],
                "market_value_krw": [market_value_krw],
            }
        ),
    )
    bulk_insert(
        conn,
        Transaction.__table__,
        pl.DataFrame(
            [(FLAG_ACCOUNT, 4, *row) for row in rows],
            schema=[
                "account_id",
                "customer_id",
                "occurred_at",
                "kind",
                "amount_krw",
                "channel",
                "branch_id",
                "performed_by",
            ],
            orient="row",
            schema_overrides={"branch_id": pl.Int64},
        ).with_row_index("id", offset=1000),
    )


def visits(count: int, branch: int = 1, year: int = 2025) -> list[tuple]:
    """`count` own deposits at `branch`, one a month from January of `year`."""
    return [
        (at(year, month, 5, 10), "deposit", 100_000, "branch", branch, "owner")
        for month in range(1, count + 1)
    ]


def flag_kinds(conn: Connection, as_of: dt.date = AS_OF) -> list[FlagKind]:
    return [flag.kind for flag in behavioural_flags(conn, KIM, "100000004", as_of=as_of)]


PROXY = "proxy"
WINDOW_START = at(2025, 12, 10)  # AS_OF - 90 days


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [*visits(5), (at(2026, 3, 1, 10), "withdrawal", 500_000, "branch", 1, PROXY)],
            [FlagKind.PROXY_AFTER_ALONE],
        ),
        ([*visits(4), (at(2026, 3, 1, 10), "withdrawal", 500_000, "branch", 1, PROXY)], []),
        (
            [
                (at(2024, 6, 1, 10), "deposit", 1, "branch", 1, PROXY),
                *visits(5),
                (at(2026, 3, 1, 10), "withdrawal", 500_000, "branch", 1, PROXY),
            ],
            [],
        ),
        ([*visits(5), (at(2025, 12, 9, 23, 59), "withdrawal", 500_000, "branch", 1, PROXY)], []),
        (
            [*visits(5), (WINDOW_START, "withdrawal", 500_000, "branch", 1, PROXY)],
            [FlagKind.PROXY_AFTER_ALONE],
        ),
        (
            [
                *visits(4),
                (at(2025, 9, 1, 10), "deposit", 1, "online", None, "owner"),
                (at(2026, 3, 1, 10), "withdrawal", 500_000, "phone", None, PROXY),
            ],
            [],
        ),
        ([*visits(5), (at(2026, 3, 11, 10), "withdrawal", 500_000, "branch", 1, PROXY)], []),
    ],
    ids=[
        "five-visits-then-proxy",
        "four-visits-then-proxy",
        "proxy-seen-before",
        "proxy-before-window",
        "proxy-on-window-start",
        "online-visits-do-not-count",
        "proxy-after-as-of",
    ],
)
def test_flag_proxy_after_always_alone(handmade, rows, expected):
    given_history(handmade, rows)
    assert flag_kinds(handmade) == expected


def test_flag_proxy_after_alone_carries_its_reason(handmade):
    given_history(
        handmade, [*visits(6), (at(2026, 3, 1, 10), "withdrawal", 500_000, "branch", 1, PROXY)]
    )
    (flag,) = behavioural_flags(handmade, KIM, "100000004", as_of=AS_OF)
    assert (
        flag.kind,
        flag.severity,
        flag.occurred_at,
        flag.account_no,
        flag.amount_krw,
        flag.earlier_transactions,
        flag.branch_en,
    ) == (FlagKind.PROXY_AFTER_ALONE, "critical", at(2026, 3, 1, 10), "A8", 500_000, 6, "Gangnam")


@pytest.mark.parametrize(
    ("rows", "market_value_krw", "expected"),
    [
        # Quiet since opening (2020-01-01), then 6,000,000 of 10,000,000 out: 60 %.
        (
            [(at(2026, 2, 1, 10), "redemption", 6_000_000, "online", None, "owner")],
            4_000_000,
            (6_000_000, 2223, 60),
        ),
        # Exactly half.
        (
            [(at(2026, 2, 1, 10), "redemption", 5_000_000, "online", None, "owner")],
            5_000_000,
            (5_000_000, 2223, 50),
        ),
        # 49 %.
        ([(at(2026, 2, 1, 10), "redemption", 4_900_000, "online", None, "owner")], 5_100_000, None),
        # Quiet for exactly 365 days since the last deposit.
        (
            [
                (at(2025, 2, 1, 10), "deposit", 1, "online", None, "owner"),
                (at(2026, 2, 1, 10), "withdrawal", 6_000_000, "online", None, "owner"),
            ],
            4_000_001,
            (6_000_000, 365, 59),
        ),
        # 364 days: not dormant.
        (
            [
                (at(2025, 2, 2, 10), "deposit", 1, "online", None, "owner"),
                (at(2026, 2, 1, 10), "withdrawal", 6_000_000, "online", None, "owner"),
            ],
            4_000_001,
            None,
        ),
        # Taken in two steps: both count, from the first on (3 + 3 of 10 million).
        (
            [
                (at(2026, 1, 10, 10), "redemption", 3_000_000, "branch", 1, "owner"),
                (at(2026, 2, 10, 10), "redemption", 3_000_000, "branch", 1, "owner"),
            ],
            4_000_000,
            (6_000_000, 2201, 60),
        ),
        # Money put back after the withdrawal counts against it: 6 out, 2 in, 6 of 8 held.
        (
            [
                (at(2026, 1, 10, 10), "redemption", 6_000_000, "branch", 1, "owner"),
                (at(2026, 2, 10, 10), "deposit", 2_000_000, "branch", 1, "owner"),
            ],
            4_000_000,
            (6_000_000, 2201, 75),
        ),
        # Deposits into a quiet account are not withdrawals.
        ([(at(2026, 2, 1, 10), "deposit", 6_000_000, "online", None, "owner")], 10_000_000, None),
    ],
    ids=[
        "quiet-since-opening",
        "exactly-half",
        "49-percent",
        "365-days",
        "364-days",
        "two-steps",
        "money-put-back",
        "deposit",
    ],
)
def test_flag_dormant_account_emptied(handmade, rows, market_value_krw, expected):
    given_history(handmade, rows, market_value_krw=market_value_krw)
    flags = behavioural_flags(handmade, KIM, "100000004", as_of=AS_OF)
    got = [
        (f.amount_krw, f.dormant_days, f.share_pct)
        for f in flags
        if f.kind == FlagKind.DORMANT_WITHDRAWAL
    ]
    assert got == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [*visits(5), (at(2026, 2, 1, 10), "deposit", 1, "branch", 2, "owner")],
            [FlagKind.NEW_BRANCH],
        ),
        ([*visits(4), (at(2026, 2, 1, 10), "deposit", 1, "branch", 2, "owner")], []),
        (
            [
                (at(2024, 5, 1, 10), "deposit", 1, "branch", 2, "owner"),
                *visits(5),
                (at(2026, 2, 1, 10), "deposit", 1, "branch", 2, "owner"),
            ],
            [],
        ),
        ([*visits(5), (at(2026, 2, 1, 10), "deposit", 1, "online", None, "owner")], []),
        (
            [
                *visits(5),
                (at(2026, 2, 1, 10), "deposit", 1, "branch", 2, "owner"),
                (at(2026, 2, 2, 10), "deposit", 1, "branch", 2, "owner"),
            ],
            [FlagKind.NEW_BRANCH],
        ),
        ([*visits(5), (at(2025, 11, 1, 10), "deposit", 1, "branch", 2, "owner")], []),
    ],
    ids=[
        "five-then-new-branch",
        "four-then-new-branch",
        "branch-used-before",
        "online-is-not-a-branch",
        "second-visit-not-flagged-again",
        "before-window",
    ],
)
def test_flag_branch_never_used_before(handmade, rows, expected):
    given_history(handmade, rows)
    assert flag_kinds(handmade) == expected


def test_flags_of_the_hand_made_story(story):
    first = customer_360(story, KIM, "100000001", as_of=AS_OF).flags
    # The proxy withdrawal of 2026-02-20 at branch 102 after five own visits to 101.
    assert [
        (f.kind, f.occurred_at, f.amount_krw, f.earlier_transactions, f.branch_ko) for f in first
    ] == [
        (FlagKind.PROXY_AFTER_ALONE, at(2026, 2, 20, 15), 1_000_000, 5, "해운대지점"),
        (FlagKind.NEW_BRANCH, at(2026, 2, 20, 15), 1_000_000, 5, "해운대지점"),
    ]
    second = customer_360(story, KIM, "100000002", as_of=AS_OF).flags
    # A6: quiet from 2024-12-01 10:00 to 2026-01-15 10:00 (410 days), then 8 of 12 million out.
    assert [(f.kind, f.account_no, f.amount_krw, f.dormant_days, f.share_pct) for f in second] == [
        (FlagKind.DORMANT_WITHDRAWAL, "A6", 8_000_000, 410, 66)
    ]
    # Customer 3: A7 quiet since 2020 but only a tenth redeemed.
    assert customer_360(story, KIM, "100000003", as_of=AS_OF).flags == ()
    # 91 days after the proxy withdrawal it has left the window.
    assert customer_360(story, KIM, "100000001", as_of=d(2026, 5, 22)).flags == ()


# --- notes ----------------------------------------------------------------------------------


def test_add_note_records_author_branch_audit_and_usage(story):
    note_id = add_note(
        story,
        PARK,
        "100000001",
        channel="visit",
        outcome="interested",
        text="  채권형 추가 가입 문의.  ",
    )
    row = story.execute(
        select(
            Consultation.customer_id,
            Consultation.employee_id,
            Consultation.branch_id,
            Consultation.channel,
            Consultation.outcome,
            Consultation.note,
            Consultation.corrects_id,
        ).where(Consultation.id == note_id)
    ).one()
    assert tuple(row) == (1, 4, 2, "visit", "interested", "채권형 추가 가입 문의.", None)
    newest = customer_360(story, KIM, "100000001", as_of=AS_OF).consultations.row(0, named=True)
    assert (newest["consultation_id"], newest["employee"], newest["branch_en"]) == (
        note_id,
        "박영업",
        "Haeundae",
    )
    assert audit_rows(story) == [
        ("sales_rep-4", "note_add", "100000001", {"consultation_id": note_id, "corrects_id": None})
    ]
    assert usage_rows(story) == [(4, "note", "customer", "100000001")]


def test_a_head_office_note_is_filed_under_the_customers_home_branch(story):
    note_id = add_note(
        story, EXECUTIVE, "100000003", channel="phone", outcome="follow_up", text="VIP 안부 전화"
    )
    branch = story.execute(select(Consultation.branch_id).where(Consultation.id == note_id))
    assert branch.scalar_one() == 2


def test_a_correction_is_a_new_note_and_the_original_stays(story):
    correction = add_note(
        story,
        KIM,
        "100000001",
        channel="phone",
        outcome="follow_up",
        text="정정: 신고는 09:40",
        corrects_id=6,
    )
    notes = customer_360(story, KIM, "100000001", as_of=AS_OF).consultations
    assert notes.filter(pl.col("consultation_id").is_in([correction, 6, 5])).select(
        "consultation_id", "corrects_id", "corrected_by_id"
    ).rows() == [(correction, 6, None), (6, 5, correction), (5, None, 6)]
    original = story.execute(select(Consultation.note).where(Consultation.id == 6)).scalar_one()
    assert original == "정정: 통화 시각은 09:30, 본인이 직접 경찰에 신고함."


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"text": ""}, "empty"),
        ({"text": " \n\t "}, "empty"),
        ({"text": "가" * (NOTE_MAX_CHARS + 1)}, "too_long"),
        ({"channel": "fax"}, "channel"),
        ({"outcome": "maybe"}, "outcome"),
        ({"corrects_id": 1}, "correction"),  # note 1 is customer 2's
        ({"corrects_id": 999}, "correction"),
    ],
    ids=[
        "empty",
        "blank",
        "over-long",
        "channel",
        "outcome",
        "other-customers-note",
        "no-such-note",
    ],
)
def test_bad_notes_are_refused_with_a_reason_and_nothing_is_written(story, changes, reason):
    before = count_rows(story, Consultation)
    note = {"channel": "visit", "outcome": "follow_up", "text": "메모"} | changes
    with pytest.raises(Refused) as refused:
        add_note(story, KIM, "100000001", **note)
    assert refused.value.code == f"note_rejected_{reason}"
    assert count_rows(story, Consultation) == before
    assert audit_rows(story) == [] and usage_rows(story) == []


def test_a_note_of_exactly_the_limit_and_with_markup_is_kept_verbatim(story):
    text = "<b>굵게</b> **강조** [링크](http://example.com) " + "가" * 100
    long_text = "나" * NOTE_MAX_CHARS
    for body in (text, long_text):
        note_id = add_note(story, KIM, "100000001", channel="tm", outcome="declined", text=body)
        stored = story.execute(select(Consultation.note).where(Consultation.id == note_id))
        assert stored.scalar_one() == body


@pytest.mark.parametrize(
    ("user", "customer_no", "error"),
    [
        (TRAINER, "100000001", AccessDenied),
        (signed_in(Role.SALES_REP, None, 1), "100000001", AccessDenied),
        (KIM, "999999999", NotFound),
        (KIM, "abc", NotFound),
    ],
    ids=["trainer", "no-employee", "unknown-customer", "malformed-number"],
)
def test_notes_need_an_employee_and_a_real_customer(story, user, customer_no, error):
    with pytest.raises(error):
        add_note(story, user, customer_no, channel="visit", outcome="follow_up", text="메모")
    assert audit_rows(story) == []


def test_two_people_writing_notes_at_once_both_keep_their_notes(databases):
    """Both transactions read the customer before either inserts; both notes must survive."""
    engine = databases.new("concurrent_notes")
    with engine.begin() as conn:
        handmade_dataset.load(conn)
    both_have_read = threading.Barrier(2, timeout=5)

    def hold_first_insert(_conn, _cursor, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CONSULTATIONS"):
            # A database that serialises writers at BEGIN never lets both get here.
            with contextlib.suppress(threading.BrokenBarrierError):
                both_have_read.wait()

    event.listen(engine, "before_cursor_execute", hold_first_insert)

    def write(user: SignedInUser, text: str) -> int:
        with engine.connect() as conn:
            return add_note(
                conn, user, "100000002", channel="visit", outcome="follow_up", text=text
            )

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(write, KIM, "김영업 메모"), pool.submit(write, PARK, "박영업 메모")]
        ids = [future.result() for future in futures]
    with engine.connect() as conn:
        kept = conn.execute(
            select(Consultation.id, Consultation.note)
            .where(Consultation.id.in_(ids))
            .order_by(Consultation.note)
        ).all()
        assert [note for _, note in kept] == ["김영업 메모", "박영업 메모"]
        assert count_rows(conn, UsageEvent) == 2


# --- alerts ---------------------------------------------------------------------------------


def test_raise_and_resolve_an_alert_with_audit_and_usage(story):
    alert_id = raise_alert(
        story,
        PARK,
        "100000003",
        kind="identity_check",
        severity="warning",
        text="신분증 재확인 필요",
    )
    open_alerts = customer_360(story, PARK, "100000003", as_of=AS_OF).open_alerts
    assert open_alerts.select("alert_id", "kind", "severity", "raised_by").rows() == [
        (alert_id, "identity_check", "warning", "박영업")
    ]
    resolve_alert(story, PARK, "100000003", alert_id, note="본인 방문, 신분증 확인 완료")
    assert customer_360(story, PARK, "100000003", as_of=AS_OF).open_alerts.is_empty()
    resolved = story.execute(
        select(Alert.resolved_by, Alert.resolution_note, Alert.resolved_at.is_not(None)).where(
            Alert.id == alert_id
        )
    ).one()
    assert tuple(resolved) == (4, "본인 방문, 신분증 확인 완료", True)
    assert audit_rows(story) == [
        (
            "sales_rep-4",
            "alert_raise",
            "100000003",
            {"alert_id": alert_id, "kind": "identity_check", "severity": "warning"},
        ),
        ("sales_rep-4", "alert_resolve", "100000003", {"alert_id": alert_id}),
    ]
    assert usage_rows(story) == [
        (4, "alert", "customer", "100000003"),
        (4, "alert", "customer", "100000003"),
    ]


@pytest.mark.parametrize(
    ("customer_no", "alert_id", "note", "reason"),
    [
        ("100000001", 4, "다시 해제", "not_open"),  # alert 4 is already resolved
        ("100000001", 1, "남의 경보", "not_open"),  # alert 1 is customer 2's
        ("100000002", 999, "없는 경보", "not_open"),
        ("100000002", 1, "   ", "empty"),
        ("100000002", 1, "가" * 501, "too_long"),
    ],
    ids=[
        "already-resolved",
        "other-customers-alert",
        "no-such-alert",
        "empty-note",
        "over-long-note",
    ],
)
def test_bad_alert_resolutions_are_refused(story, customer_no, alert_id, note, reason):
    with pytest.raises(Refused) as refused:
        resolve_alert(story, KIM, customer_no, alert_id, note=note)
    assert refused.value.code == f"alert_rejected_{reason}"
    assert story.execute(select(Alert.resolved_at).where(Alert.id == 1)).scalar_one() is None
    assert audit_rows(story) == []


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"kind": "gossip"}, "kind"),
        ({"severity": "info"}, "severity"),
        ({"text": ""}, "empty"),
        ({"text": "가" * 501}, "too_long"),
    ],
    ids=["kind", "severity", "empty", "over-long"],
)
def test_bad_alerts_are_refused(story, changes, reason):
    alert = {"kind": "proxy_attempt", "severity": "critical", "text": "대리인 출금 시도"} | changes
    with pytest.raises(Refused) as refused:
        raise_alert(story, KIM, "100000002", **alert)
    assert refused.value.code == f"alert_rejected_{reason}"
    assert count_rows(story, Alert) == 5


def test_search_reads_outside_the_write_transaction_and_writes_its_audit_inside(handmade_url):
    """A slow name scan must not hold SQLite's single write lock: only the audit record and
    the usage event are written in the write transaction."""
    engine = make_engine(handmade_url)
    statements: list[tuple[str, bool, bool]] = []

    def remember(conn, _cursor, statement, _parameters, _context, _many):
        writing = conn.get_execution_options().get(WRITE_TRANSACTION, False)
        statements.append(
            (statement.lstrip().split()[0].upper(), "customers" in statement, writing)
        )

    with engine.connect() as conn:
        event.listen(conn, "before_cursor_execute", remember)
        found = search_customers(conn, KIM, "옥분")  # prefix, given name, then the infix scan
        event.remove(conn, "before_cursor_execute", remember)
        conn.rollback()
    engine.dispose()
    assert found.is_empty()
    reads = [writing for verb, of_customers, writing in statements if of_customers]
    writes = [writing for verb, _, writing in statements if verb == "INSERT"]
    assert len(reads) >= 3 and not any(reads)
    assert len(writes) >= 2 and all(writes)


@pytest.mark.parametrize(
    ("user", "resolves"),
    [(PARK, True), (EXECUTIVE, True), (KIM, False), (MANAGER_101, False)],
    ids=["rep-of-its-branch", "head-office", "rep-of-another-branch", "another-branchs-manager"],
)
def test_only_the_customers_branch_or_head_office_resolves_its_alert(story, user, resolves):
    """Customer 3 is branch 102's: a critical alert there is for 102's staff to clear; anyone
    else is told so, and the alert stays on everyone's screen."""
    alert_id = raise_alert(
        story, KIM, "100000003", kind="proxy_attempt", severity="critical", text="대리인 출금 시도"
    )
    if resolves:
        resolve_alert(story, user, "100000003", alert_id, note="본인 확인 완료")
    else:
        with pytest.raises(AccessDenied) as refused:
            resolve_alert(story, user, "100000003", alert_id, note="본인 확인 완료")
        assert refused.value.code == "alert_rejected_other_branch"
    for reader in (KIM, PARK, MANAGER_101, EXECUTIVE):
        still_open = customer_360(story, reader, "100000003", as_of=AS_OF).open_alerts
        assert (alert_id in still_open["alert_id"].to_list()) is not resolves
    resolutions = [row for row in audit_rows(story) if row[1] == "alert_resolve"]
    assert len(resolutions) == int(resolves)
