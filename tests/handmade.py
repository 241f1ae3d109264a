"""A dataset small enough to count by hand; tests state expected values from this text.

Two branches (101 Gangnam, 102 Haeundae). Staff: an executive at head office, the branch
manager of 101, reps Kim (101) and Park (102), a trainer, an admin, a compliance officer. Customers:
  1 홍길동 (101, rep Kim)   accounts 1 (5,000,000 won, matures 2026-03-20) and 2 (1,500,000, closed)
  2 이영희 (101, rep Kim)   account 3 (2,000,000), an open alert, a consultation on 2026-03-01
  3 박민수 (102, rep Park)  account 4 (10,000,000, matures 2026-06-30), a resolved alert
  4 최지우 (101, no rep)    closed on 2025-12-31, account 5 (300,000, closed)
As of 2026-03-10.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import Connection

from data_access.core.db import (
    bulk_insert,
)
from data_access.core.models import (
    Account,
    Alert,
    Branch,
    BranchTransfer,
    Consultation,
    Customer,
    Employee,
    Enrolment,
    LifeEvent,
    Product,
    Role,
    TrainingCourse,
    TrainingSession,
    Transaction,
    User,
)
from data_access.core.security import (
    SignedInUser,
    hash_password,
)

AS_OF = dt.date(2026, 3, 10)
PASSWORD = "handmade-password"
# Hashed once per test session: argon2 is deliberately slow.
PASSWORD_HASH = hash_password(PASSWORD)
USERS = {"exec": 1, "manager": 2, "kim": 3, "park": 4, "trainer": 5, "admin": 6, "compliance": 10}


def signed_in(role: Role, employee_id: int | None, branch_id: int | None) -> SignedInUser:
    """A signed-in user as the console would hold it, without going through a password."""
    return SignedInUser(
        user_id=employee_id or USERS["admin"],
        username=f"{role}-{employee_id}",
        role=role,
        employee_id=employee_id,
        employee_name="테스트",
        branch_id=branch_id,
    )


EXECUTIVE = signed_in(Role.EXECUTIVE, 1, None)
MANAGER_101 = signed_in(Role.BRANCH_MANAGER, 2, 1)
KIM = signed_in(Role.SALES_REP, 3, 1)
PARK = signed_in(Role.SALES_REP, 4, 2)
TRAINER = signed_in(Role.TRAINER, 5, None)
ADMIN = signed_in(Role.ADMIN, 6, None)
# 10, not 7: tests/kpi_data.py adds employees 7-9 on top of this dataset.
COMPLIANCE = signed_in(Role.COMPLIANCE, 10, None)


def load(conn: Connection) -> None:
    d = dt.date
    bulk_insert(
        conn,
        Branch.__table__,
        pl.DataFrame(
            {
                "id": [1, 2],
                "code": ["101", "102"],
                "name_ko": ["강남지점", "해운대지점"],
                "name_en": ["Gangnam", "Haeundae"],
                "region": ["서울", "부산"],
                "opened_on": [d(1988, 5, 2), d(1991, 9, 1)],
                "is_active": [True, True],
            }
        ),
    )
    bulk_insert(
        conn,
        Employee.__table__,
        pl.DataFrame(
            {
                "id": [1, 2, 3, 4, 5, 6, 10],
                "employee_no": ["E1", "E2", "E3", "E4", "E5", "E6", "E10"],
                "name": ["정경영", "오지점", "김영업", "박영업", "한교육", "서관리", "윤소보"],
                "role": [
                    "executive",
                    "branch_manager",
                    "sales_rep",
                    "sales_rep",
                    "trainer",
                    "admin",
                    "compliance",
                ],
                "branch_id": [None, 1, 1, 2, None, None, None],
                "hire_date": [d(2000, 1, 3)] * 7,
                "is_active": [True] * 7,
            },
            schema_overrides={"branch_id": pl.Int64},
        ),
    )
    bulk_insert(
        conn,
        User.__table__,
        pl.DataFrame(
            {
                "id": list(USERS.values()),
                "username": list(USERS),
                "password_hash": [PASSWORD_HASH] * 7,
                "role": [
                    "executive",
                    "branch_manager",
                    "sales_rep",
                    "sales_rep",
                    "trainer",
                    "admin",
                    "compliance",
                ],
                "employee_id": list(USERS.values()),
                "is_active": [True] * 7,
                "must_change_password": [False] * 7,
                "failed_sign_ins": [0] * 7,
                "created_at": [dt.datetime(2026, 1, 1)] * 7,
            }
        ),
    )
    bulk_insert(
        conn,
        Customer.__table__,
        pl.DataFrame(
            {
                "id": [1, 2, 3, 4],
                "customer_no": ["100000001", "100000002", "100000003", "100000004"],
                "name": ["홍길동", "이영희", "박민수", "최지우"],
                "birth_date": [d(1960, 2, 29), d(1975, 12, 31), d(1980, 1, 1), d(1990, 7, 7)],
                "gender": ["M", "F", "M", "F"],
                "occupation": ["자영업", "교사", "회사원", "주부"],
                "region": ["서울", "서울", "부산", "서울"],
                "address": ["서울특별시 강남구 1", "서울특별시 서초구 2", "부산광역시 3", "서울 4"],
                "phone": ["010-1111-2222", "010-3333-4444", "010-5555-6666", "010-7777-8888"],
                "phone_last4": ["2222", "4444", "6666", "8888"],
                "email": ["hong@example.com", None, None, None],
                "tier": ["vip", "general", "priority", "general"],
                "home_branch_id": [1, 1, 2, 1],
                "manager_id": [3, 3, 4, None],
                "consent_dm": [True, False, True, False],
                "consent_tm": [True, True, False, False],
                "consent_email": [True, False, False, False],
                "preferred_channel": ["branch", "phone", "online", "dm"],
                "opened_on": [d(1998, 1, 5), d(2010, 3, 3), d(2015, 6, 1), d(2020, 1, 1)],
                "closed_on": [None, None, None, d(2025, 12, 31)],
            },
            schema_overrides={"manager_id": pl.Int64, "closed_on": pl.Date},
        ),
    )
    bulk_insert(
        conn,
        Product.__table__,
        pl.DataFrame(
            {
                "id": [1],
                "code": ["F001"],
                "name": ["드림 채권형 1호"],
                "fund_type": ["bond"],
                "risk_grade": [5],
                "term_months": [12],
                "launched_on": [d(1997, 7, 1)],
            }
        ),
    )
    bulk_insert(
        conn,
        Account.__table__,
        pl.DataFrame(
            {
                "id": [1, 2, 3, 4, 5],
                "account_no": ["A1", "A2", "A3", "A4", "A5"],
                "customer_id": [1, 1, 2, 3, 4],
                "product_id": [1] * 5,
                "branch_id": [1, 1, 1, 2, 1],
                "opened_on": [d(2025, 3, 20)] * 5,
                "maturity_date": [d(2026, 3, 20), None, None, d(2026, 6, 30), None],
                "closed_on": [None, d(2025, 9, 1), None, None, d(2025, 12, 31)],
                "principal_krw": [4_800_000, 1_500_000, 2_000_000, 9_000_000, 300_000],
                "market_value_krw": [5_000_000, 1_500_000, 2_000_000, 10_000_000, 300_000],
            },
            schema_overrides={"maturity_date": pl.Date, "closed_on": pl.Date},
        ),
    )
    bulk_insert(
        conn,
        Consultation.__table__,
        pl.DataFrame(
            {
                "id": [1, 2],
                "customer_id": [2, 3],
                "employee_id": [3, 4],
                "branch_id": [1, 2],
                "channel": ["visit", "phone"],
                "occurred_at": [dt.datetime(2026, 3, 1, 10, 0), dt.datetime(2025, 11, 2, 14, 0)],
                "note": ["항상 혼자 방문함. 채권형 만기 재투자 문의.", "해외주식형 관심."],
                "outcome": ["follow_up", "interested"],
                "is_sensitive": [False, False],
            }
        ),
    )
    bulk_insert(
        conn,
        Alert.__table__,
        pl.DataFrame(
            {
                "id": [1, 2],
                "customer_id": [2, 3],
                "kind": ["always_alone", "identity_check"],
                "severity": ["critical", "warning"],
                "text": ["항상 본인이 직접 거래", "신분증 재확인 필요"],
                "raised_by": [3, 4],
                "raised_at": [dt.datetime(2026, 2, 1, 9, 0), dt.datetime(2025, 5, 1, 9, 0)],
                "resolved_by": [None, 4],
                "resolved_at": [None, dt.datetime(2025, 6, 1, 9, 0)],
            },
            schema_overrides={"resolved_by": pl.Int64, "resolved_at": pl.Datetime("us")},
        ),
    )
    bulk_insert(
        conn,
        TrainingCourse.__table__,
        pl.DataFrame(
            {
                "id": [1],
                "code": ["CRM101"],
                "title_ko": ["CRM 기본"],
                "title_en": ["CRM basics"],
                "category": ["system"],
                "certification_months": [12],
                "is_retired": [False],
            }
        ),
    )
    bulk_insert(
        conn,
        TrainingSession.__table__,
        pl.DataFrame(
            {
                "id": [1],
                "course_id": [1],
                "starts_on": [d(2025, 1, 6)],
                "ends_on": [d(2025, 1, 7)],
                "location": ["연수원"],
                "trainer_id": [5],
            }
        ),
    )
    # Kim (101) certified until 2026-04-01 (valid, expiring within 90 days of AS_OF);
    # Park (102) certified until 2026-01-07 (expired); the manager enrolled, not completed.
    bulk_insert(
        conn,
        Enrolment.__table__,
        pl.DataFrame(
            {
                "id": [1, 2, 3],
                "session_id": [1, 1, 1],
                "employee_id": [3, 4, 2],
                "enrolled_on": [d(2024, 12, 1)] * 3,
                "completed_on": [d(2025, 1, 7), d(2025, 1, 7), None],
                "score": [88, 72, None],
                "certified_on": [d(2025, 4, 1), d(2025, 1, 7), None],
                "certification_expires_on": [d(2026, 4, 1), d(2026, 1, 7), None],
            },
            schema_overrides={
                "completed_on": pl.Date,
                "score": pl.Int64,
                "certified_on": pl.Date,
                "certification_expires_on": pl.Date,
            },
        ),
    )


def load_customer_history(conn: Connection, *, as_of: dt.date = AS_OF) -> None:
    """Add what the customer 360 shows to `load`'s rows (loaded first), without changing them.

    Dates below are stated for AS_OF; any other `as_of` shifts every added date by the same
    number of days, so the page tests can use today's date and still see the same story.

    Customer 1 홍길동: always came alone (transactions 1-5 at branch 101 by the owner, 6 online),
    then on 2026-02-20 a proxy withdrew 1,000,000 from A1 at branch 102, never used before:
    flags proxy_after_alone and new_branch. Open alerts 3 (critical) and 5 (warning), 4 is
    resolved. Notes 3-7 from both branches; 6 corrects 5; 7 is sensitive. Life events: the
    account anniversary on 2026-03-20 (10 days) and the wedding anniversary on 2026-05-05
    (56 days) are upcoming; the 29 February birthday (2027-02-28) and 1998-05-10 (61 days) are
    not. Moved 101 -> 102 in 2010 and back in 2015.
    Customer 2 이영희: new account A6 quiet since 2024-12-01, then 8,000,000 redeemed on
    2026-01-15, two thirds of the 12,000,000 it held: flag dormant_withdrawal.
    Customer 3 박민수: new account A7 quiet since 2020, then 1,000,000 of 10,000,000 redeemed
    online on 2026-02-01: dormant but too small, no flag.
    """
    shift = as_of - AS_OF

    def day(year: int, month: int, date: int) -> dt.date:
        return dt.date(year, month, date) + shift

    def at(year: int, month: int, date: int, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(year, month, date, hour, minute) + shift

    bulk_insert(
        conn,
        Product.__table__,
        pl.DataFrame(
            {
                "id": [2],
                "code": ["F002"],
                "name": ["드림 성장 주식형 2호"],
                "fund_type": ["equity"],
                "risk_grade": [2],
                "term_months": [None],
                "launched_on": [dt.date(1996, 1, 2)],
            },
            schema_overrides={"term_months": pl.Int64},
        ),
    )
    bulk_insert(
        conn,
        Account.__table__,
        pl.DataFrame(
            {
                "id": [6, 7],
                "account_no": ["A6", "A7"],
                "customer_id": [2, 3],
                "product_id": [2, 2],
                "branch_id": [1, 2],
                "opened_on": [day(2019, 6, 1), day(2020, 1, 10)],
                "maturity_date": [None, None],
                "closed_on": [None, None],
                "principal_krw": [11_000_000, 10_000_000],
                "market_value_krw": [4_000_000, 9_000_000],
            },
            schema_overrides={"maturity_date": pl.Date, "closed_on": pl.Date},
        ),
    )
    # (customer, account, time, kind, amount, channel, branch, performed by, employee)
    transactions = [
        (1, 1, at(2025, 3, 20, 10), "subscription", 4_000_000, "branch", 1, "owner", 3),
        (1, 2, at(2025, 3, 20, 10, 30), "subscription", 1_500_000, "branch", 1, "owner", 3),
        (1, 1, at(2025, 5, 15, 11), "deposit", 300_000, "branch", 1, "owner", 3),
        (1, 1, at(2025, 7, 15, 11), "deposit", 300_000, "branch", 1, "owner", 3),
        (1, 2, at(2025, 9, 1, 14), "redemption", 1_500_000, "branch", 1, "owner", 3),
        (1, 1, at(2025, 10, 15, 21), "deposit", 200_000, "online", None, "owner", None),
        (1, 1, at(2026, 2, 20, 15), "withdrawal", 1_000_000, "branch", 2, "proxy", 4),
        (2, 6, at(2019, 6, 1, 10), "subscription", 10_000_000, "branch", 1, "owner", 3),
        (2, 3, at(2025, 3, 20, 11), "subscription", 2_000_000, "branch", 1, "owner", 3),
        (2, 6, at(2024, 12, 1, 10), "deposit", 1_000_000, "online", None, "owner", None),
        (2, 6, at(2026, 1, 15, 10), "redemption", 8_000_000, "branch", 1, "owner", 3),
        (3, 7, at(2020, 1, 10, 10), "subscription", 10_000_000, "online", None, "owner", None),
        (3, 4, at(2025, 3, 20, 10), "subscription", 9_000_000, "branch", 2, "owner", 4),
        (3, 7, at(2026, 2, 1, 10), "redemption", 1_000_000, "online", None, "owner", None),
    ]
    columns = [
        "customer_id",
        "account_id",
        "occurred_at",
        "kind",
        "amount_krw",
        "channel",
        "branch_id",
        "performed_by",
        "employee_id",
    ]
    bulk_insert(
        conn,
        Transaction.__table__,
        pl.DataFrame(
            transactions,
            schema=columns,
            orient="row",
            schema_overrides={"branch_id": pl.Int64, "employee_id": pl.Int64},
        ).with_row_index("id", offset=1),
    )
    bulk_insert(
        conn,
        Consultation.__table__,
        pl.DataFrame(
            {
                "id": [3, 4, 5, 6, 7],
                "customer_id": [1] * 5,
                "employee_id": [3, 4, 3, 3, 4],
                "branch_id": [1, 2, 1, 1, 2],
                "channel": ["visit", "visit", "phone", "phone", "phone"],
                "occurred_at": [
                    at(2025, 9, 1, 14, 30),
                    at(2026, 2, 20, 15, 10),
                    at(2026, 2, 21, 9),
                    at(2026, 2, 21, 9, 30),
                    at(2025, 11, 2, 10),
                ],
                "note": [
                    "항상 혼자 방문함. 채권형 일부 환매.",
                    "조카라는 사람이 대리 출금 요청. 위임장 확인 후 처리.",
                    "본인 통화: 대리 출금을 부탁한 적 없음 <b>확인</b> **경찰 신고**",
                    "정정: 통화 시각은 09:30, 본인이 직접 경찰에 신고함.",
                    "건강 문제로 입원 중, 가족을 통해 연락 요청",
                ],
                "outcome": ["follow_up", "follow_up", "follow_up", "follow_up", "no_answer"],
                "is_sensitive": [False, False, False, False, True],
                "corrects_id": [None, None, None, 5, None],
            },
            schema_overrides={"corrects_id": pl.Int64},
        ),
    )
    bulk_insert(
        conn,
        Alert.__table__,
        pl.DataFrame(
            {
                "id": [3, 4, 5],
                "customer_id": [1, 1, 1],
                "kind": ["proxy_attempt", "identity_check", "always_alone"],
                "severity": ["critical", "warning", "warning"],
                "text": [
                    "대리인 출금 발생. 본인 확인 전 추가 거래 보류.",
                    "신분증 유효기간 만료",
                    "항상 본인이 직접 거래",
                ],
                "raised_by": [4, 3, 3],
                "raised_at": [at(2026, 2, 20, 15, 20), at(2025, 1, 10, 9), at(2024, 6, 1, 9)],
                "resolved_by": [None, 3, None],
                "resolved_at": [None, at(2025, 2, 1, 9), None],
                "resolution_note": [None, "신분증 재확인 완료", None],
            },
            schema_overrides={"resolved_by": pl.Int64, "resolved_at": pl.Datetime("us")},
        ),
    )
    bulk_insert(
        conn,
        LifeEvent.__table__,
        pl.DataFrame(
            {
                "id": [1, 2, 3, 4, 5],
                "customer_id": [1, 1, 1, 1, 2],
                "kind": [
                    "birthday",
                    "wedding_anniversary",
                    "account_anniversary",
                    "account_anniversary",
                    "birthday",
                ],
                "event_date": [
                    day(1960, 2, 29),
                    day(1985, 5, 5),
                    day(2025, 3, 20),
                    day(1998, 5, 10),
                    day(1975, 12, 31),
                ],
            }
        ),
    )
    bulk_insert(
        conn,
        BranchTransfer.__table__,
        pl.DataFrame(
            {
                "id": [1, 2],
                "customer_id": [1, 1],
                "from_branch_id": [1, 2],
                "to_branch_id": [2, 1],
                "transferred_on": [day(2010, 2, 1), day(2015, 4, 1)],
                "reason": ["직장 이전", "이사"],
            }
        ),
    )
