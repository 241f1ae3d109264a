"""Segment rows added to tests/handmade.py's `load` (loaded first); features follow by hand.

As of 2026-03-10, the analytical copy holds the seven open customers below (customer 4 closed).
Fund types: product 1 is `bond`, product 11 `equity`. "-" is never / none.

 id age g branch tier       AUM (won) funds    tenure tx  contact pref   dm tm email life job,region
  1  66 M 101  vip        5,000,000 bond         28 -   -       branch T  T  T     -    자영업, 서울
  2  50 F 101  general    2,000,000 bond         16 -   9       phone  F  T  F     -    교사, 서울
  3  46 M 102  priority  10,000,000 bond         10 -   128     online T  F  F     -    회사원, 부산
 11  29 F 101  general    1,000,000 bond          6 9   -       online T  T  F     1    학생, 서울
 12  40 M 102  priority  60,000,000 equity        9 -   60      phone  T  F  T     -    회사원, 부산
 13  60 F 101  vip      500,000,000 bond+eq.     26 365 -       branch F  T  F     30   주부, 서울
 14  69 M 102  general            0 -             0 -   -       dm     F  T  F     -    은퇴자, 대구

Customer 11 turns 30 tomorrow (birthday 1996-03-11, the life event 1 day ahead); 12 turned 40
today; 13's wedding anniversary is 2000-04-09 (30 days ahead). Customer 14 has no manager:
a TM campaign gives him to Park, the one rep of branch 102.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import Connection

from data_access.core.db import (
    bulk_insert,
)
from data_access.core.models import (
    AccessGrant,
    Account,
    Consultation,
    Customer,
    LifeEvent,
    Product,
    Transaction,
)
from data_access.core.security import (
    SignedInUser,
)

AS_OF = dt.date(2026, 3, 10)
OPEN_CUSTOMERS = {1, 2, 3, 11, 12, 13, 14}


def load(conn: Connection) -> None:
    d = dt.date
    bulk_insert(
        conn,
        Product.__table__,
        pl.DataFrame(
            {
                "id": [11],
                "code": ["F011"],
                "name": ["드림 주식형 11호"],
                "fund_type": ["equity"],
                "risk_grade": [2],
                "term_months": [None],
                "launched_on": [d(2000, 1, 3)],
            },
            schema_overrides={"term_months": pl.Int64},
        ),
    )
    bulk_insert(
        conn,
        Customer.__table__,
        pl.DataFrame(
            {
                "id": [11, 12, 13, 14],
                "customer_no": ["100000011", "100000012", "100000013", "100000014"],
                "name": ["정하나", "강두리", "윤세나", "문네오"],
                "birth_date": [d(1996, 3, 11), d(1986, 3, 10), d(1966, 1, 1), d(1956, 6, 15)],
                "gender": ["F", "M", "F", "M"],
                "occupation": ["학생", "회사원", "주부", "은퇴자"],
                "region": ["서울", "부산", "서울", "대구"],
                "address": ["서울특별시 강남구 11", "부산광역시 12", "서울특별시 13", "대구 14"],
                "phone": ["010-1100-0011", "010-1200-0012", "010-1300-0013", "010-1400-0014"],
                "phone_last4": ["0011", "0012", "0013", "0014"],
                "email": [None, "kang@example.com", None, None],
                "tier": ["general", "priority", "vip", "general"],
                "home_branch_id": [1, 2, 1, 2],
                "manager_id": [3, 4, 3, None],
                "consent_dm": [True, True, False, False],
                "consent_tm": [True, False, True, True],
                "consent_email": [False, True, False, False],
                "preferred_channel": ["online", "phone", "branch", "dm"],
                "opened_on": [d(2020, 3, 10), d(2016, 3, 11), d(2000, 1, 1), d(2026, 3, 10)],
                "closed_on": [None, None, None, None],
            },
            schema_overrides={"manager_id": pl.Int64, "email": pl.String, "closed_on": pl.Date},
        ),
    )
    bulk_insert(
        conn,
        Account.__table__,
        pl.DataFrame(
            {
                "id": [21, 22, 23, 24],
                "account_no": ["A21", "A22", "A23", "A24"],
                "customer_id": [11, 12, 13, 13],
                "product_id": [1, 11, 1, 11],
                "branch_id": [1, 2, 1, 1],
                "opened_on": [d(2020, 3, 10), d(2016, 3, 11), d(2000, 1, 1), d(2001, 1, 1)],
                "maturity_date": [None, None, None, None],
                "closed_on": [None, None, None, None],
                "principal_krw": [1_000_000, 50_000_000, 200_000_000, 250_000_000],
                "market_value_krw": [1_000_000, 60_000_000, 200_000_000, 300_000_000],
            },
            schema_overrides={"maturity_date": pl.Date, "closed_on": pl.Date},
        ),
    )
    bulk_insert(
        conn,
        Transaction.__table__,
        pl.DataFrame(
            {
                "id": [21, 22],
                "account_id": [21, 23],
                "customer_id": [11, 13],
                "occurred_at": [dt.datetime(2026, 3, 1, 10), dt.datetime(2025, 3, 10, 11)],
                "kind": ["deposit", "redemption"],
                "amount_krw": [100_000, 5_000_000],
                "channel": ["online", "branch"],
                "branch_id": [None, 1],
                "performed_by": ["owner", "owner"],
                "employee_id": [None, 3],
            },
            schema_overrides={"branch_id": pl.Int64, "employee_id": pl.Int64},
        ),
    )
    bulk_insert(
        conn,
        Consultation.__table__,
        pl.DataFrame(
            {
                "id": [21],
                "customer_id": [12],
                "employee_id": [4],
                "branch_id": [2],
                "channel": ["phone"],
                "occurred_at": [dt.datetime(2026, 1, 9, 15)],
                "note": ["주식형 추가 매수 상담."],
                "outcome": ["interested"],
                "is_sensitive": [False],
            }
        ),
    )
    bulk_insert(
        conn,
        LifeEvent.__table__,
        pl.DataFrame(
            {
                "id": [21, 22],
                "customer_id": [11, 13],
                "kind": ["birthday", "wedding_anniversary"],
                "event_date": [d(1996, 3, 11), d(2000, 4, 9)],
            }
        ),
    )


def grant_export(conn: Connection, *users: SignedInUser) -> None:
    """An admin's export grant for each of `users` (exports need one besides the role)."""
    bulk_insert(
        conn,
        AccessGrant.__table__,
        pl.DataFrame(
            {
                "user_id": [user.user_id for user in users],
                "action": ["export"] * len(users),
                "reason": ["DM 발송 담당"] * len(users),
                "granted_by": ["admin"] * len(users),
                "granted_at": [dt.datetime(2026, 1, 2)] * len(users),
            }
        ),
    )
