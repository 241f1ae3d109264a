"""Agenda rows added to tests/handmade.py's `load` (loaded first); expected items follow by hand.

Business date 2026-03-10 (a Tuesday). Kim (employee 3, branch 101) has customers 1, 2 and 5,
Park (employee 4, branch 102) has customer 3; customer 4 is closed and has no manager.

  1 홍길동 vip       accounts A1 5,000,000 (matures 03-20) and A8 1,000,000 (matures 03-15);
                     deposit 200,000 on 01-05, redemption 500,000 on 01-10, withdrawal 500,000
                     on 02-10; never consulted; birthday 29 February 1960.
  2 이영희 general   account A3 2,000,000; A9 matured on 02-01 (closed, nothing left);
                     redemption 1,000,000 on 02-02; consulted on 03-01; birthday 31 December
                     1975, account anniversary 29 December 2010.
  3 박민수 priority  account A4 10,000,000 (matures 06-30), A10 closed on 2025-12-01 though it
                     would mature 03-12; no transaction ever; consulted on 2025-11-02; birthday
                     1 January 1980, wedding anniversary 4 January 2005.
  4 최지우 (closed)  birthday 30 December 1990.
  5 정미래 vip       new, customer since 2020-01-01; account A11 4,000,000; subscription on
                     2024-12-01 and a deposit on the business date itself (09:30, after the
                     build's cut-off); never consulted; no DM consent; account anniversary
                     1 January 2020.
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
    Customer,
    LifeEvent,
    Transaction,
)

BUSINESS_DATE = dt.date(2026, 3, 10)


def load(conn: Connection) -> None:
    d = dt.date
    bulk_insert(
        conn,
        Customer.__table__,
        pl.DataFrame(
            {
                "id": [5],
                "customer_no": ["100000005"],
                "name": ["정미래"],
                "birth_date": [d(1990, 3, 12)],
                "gender": ["F"],
                "occupation": ["연구원"],
                "region": ["서울"],
                "address": ["서울특별시 강남구 5"],
                "phone": ["010-9999-0000"],
                "phone_last4": ["0000"],
                "email": [None],
                "tier": ["vip"],
                "home_branch_id": [1],
                "manager_id": [3],
                "consent_dm": [False],
                "consent_tm": [True],
                "consent_email": [False],
                "preferred_channel": ["phone"],
                "opened_on": [d(2020, 1, 1)],
                "closed_on": [None],
            },
            schema_overrides={"email": pl.String, "closed_on": pl.Date},
        ),
    )
    bulk_insert(
        conn,
        Account.__table__,
        pl.DataFrame(
            {
                "id": [8, 9, 10, 11],
                "account_no": ["A8", "A9", "A10", "A11"],
                "customer_id": [1, 2, 3, 5],
                "product_id": [1, 1, 1, 1],
                "branch_id": [1, 1, 2, 1],
                "opened_on": [d(2025, 3, 15), d(2025, 2, 1), d(2025, 3, 12), d(2024, 12, 1)],
                "maturity_date": [d(2026, 3, 15), d(2026, 2, 1), d(2026, 3, 12), None],
                "closed_on": [None, d(2026, 2, 1), d(2025, 12, 1), None],
                "principal_krw": [1_000_000, 3_000_000, 500_000, 4_000_000],
                "market_value_krw": [1_000_000, 0, 0, 4_000_000],
            },
            schema_overrides={"maturity_date": pl.Date, "closed_on": pl.Date},
        ),
    )
    at = dt.datetime
    transactions = [
        (1, 1, at(2026, 1, 5, 10), "deposit", 200_000),
        (1, 1, at(2026, 1, 10, 11), "redemption", 500_000),
        (1, 8, at(2026, 2, 10, 14), "withdrawal", 500_000),
        (2, 3, at(2026, 2, 2, 10), "redemption", 1_000_000),
        (5, 11, at(2024, 12, 1, 10), "subscription", 4_000_000),
        (5, 11, at(2026, 3, 10, 9, 30), "deposit", 100_000),
    ]
    bulk_insert(
        conn,
        Transaction.__table__,
        pl.DataFrame(
            transactions,
            schema=["customer_id", "account_id", "occurred_at", "kind", "amount_krw"],
            orient="row",
        )
        .with_columns(
            pl.lit("branch").alias("channel"),
            pl.lit(1).alias("branch_id"),
            pl.lit("owner").alias("performed_by"),
            pl.lit(3).alias("employee_id"),
        )
        .with_row_index("id", offset=101),
    )
    bulk_insert(
        conn,
        LifeEvent.__table__,
        pl.DataFrame(
            [
                (11, 1, "birthday", d(1960, 2, 29)),
                (12, 2, "birthday", d(1975, 12, 31)),
                (13, 2, "account_anniversary", d(2010, 12, 29)),
                (14, 3, "birthday", d(1980, 1, 1)),
                (15, 3, "wedding_anniversary", d(2005, 1, 4)),
                (16, 4, "birthday", d(1990, 12, 30)),
                (17, 5, "account_anniversary", d(2020, 1, 1)),
            ],
            schema=["id", "customer_id", "kind", "event_date"],
            orient="row",
        ),
    )
