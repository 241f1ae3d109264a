"""KPI rows added to tests/handmade.py's `load` (loaded first); expected values follow by hand.

Business date D = 2026-03-10 (Tuesday); the previous business day is Monday 03-09, so a
flow on D covers 03-10 only and one on 03-09 covers the weekend 03-07..03-09. The 30-day
window of D is 02-09..03-10 and holds 18 business days (Seollal 02-16..18 and the substitute
holiday of 03-02 are off). Branch 101 (id 1, region 서울) and 102 (id 2, region 부산).

Staff employed with a branch on D: 101 manager 2, rep Kim 3, dedicated manager 7 (3 staff,
2 customer-facing); 102 rep Park 4 and rep 8 hired on D itself (2 staff, both customer-facing;
on 03-09 only Park). Employee 9 (102) has left and counts nowhere.
Trained: Kim and Park (handmade) and 7 (completed 02-01). Certified on D: Kim (to 04-01) and
7 (two overlapping certifications, counted once); Park's expired on 01-07.

Customers active on D: 101 holds 1 (vip), 2, 21 (priority, new on D, manager 7) and 23 (vip,
manager 7); 102 holds 3 (priority). Customer 22 (102) left on Saturday 03-07. Thirty days
before (02-08): 101 had 1, 2, 23; 102 had 3, 22.

Accounts open on D, value on D = today's value less flows after D:
  101: A1 5,000,000 · A3 2,000,000 · A21 3,000,000 (opened D) · A23 8,000,000 - 1,000,000
       (deposit on 03-11) = 17,000,000
  102: A4 10,000,000; A22 closed on 03-07                              = 10,000,000
On 02-08: 101 = 5,000,000 + 2,000,000 + (8,000,000 + 500,000 - 1,000,000) = 14,500,000;
  102 = (10,000,000 - 1,000,000) + (0 + 2,000,000) = 11,000,000.
Transactions in the window: 101 subscription 3,000,000 on D (branch) and withdrawal 500,000
on D (online); 102 deposit 1,000,000 on 02-20 (online) and redemption 2,000,000 on Saturday
03-07 (online). Net: 101 +2,500,000, 102 -1,000,000.

Consultations in the window (corrections not counted): 101 visit 03-01 (handmade), DM 03-02
purchased, DM on D interested, DM on D no answer, phone 03-09 (its correction is not
counted) = 5; 102 TM 03-05 purchased, TM 03-05 declined = 2. They are notes: DM/TM pieces are
campaign targets in the contact arm, counted on the campaign's start day at the target's
branch (the hold-out gets none):
  campaign 91 DM 03-02: customer 1 (101) bought; customer 2 (101) held out
  campaign 92 DM on D:  customer 1 (101) responded; customer 3 (102) no outcome yet; customer
                        2 (101) held out (the DM note to customer 2 on D is not a piece)
  campaign 93 TM 03-05: customer 3 (102) bought; customer 22 (102) declined
  campaign 94 TM 01-10: customer 1 (101) responded (before the window)
Pieces on D: 101 one, 102 one. In the window: 101 two DM (both responded); 102 one DM and
two TM (one bought).
Agenda items in the window: 101 four (done, open on D; unreachable, snoozed on 03-09), 102
one open (03-05). Usage in the window: Kim 3 actions on D and 1 on 03-09, employee 7 two on
D (101: 6 actions over 3 staff-days); Park 4 on 03-05 (102: 4 over 1); the executive's 5
actions have no branch.

Sales conduct (issue #22), product F009 grade 1 (very high risk) beside handmade's F001 grade
5; customer 1 holds profile grade 3 and is 66, customer 3 grade 4. Sales in the window: 101
F001 on 03-02 (suitable) and F009 on 03-03 (unsuitable); 102 F009 on 02-10 (unsuitable), F001
on 03-05 and 03-09 (suitable); 101's unsuitable F009 of 01-20 is before it. Happy calls due
in the window: 101 the 01-20 sale's, due 02-20 and closed 02-23 (late), the 03-03 sale's, due
03-06 and closed 03-05 (on time); 102 the 02-10 sale's, due 02-20 and still open. The 03-02
sale's call falls due on 03-12, after D.
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
    AgendaItem,
    AgendaRule,
    Campaign,
    CampaignTarget,
    Consultation,
    Customer,
    Employee,
    Enrolment,
    FundSale,
    HappyCall,
    InvestmentProfile,
    Product,
    Segment,
    SegmentVersion,
    TrainingSession,
    Transaction,
    UsageEvent,
)

DAY = dt.date(2026, 3, 10)
MONDAY = dt.date(2026, 3, 9)
WINDOW_BUSINESS_DAYS = 18


def load(conn: Connection) -> None:
    d, at = dt.date, dt.datetime
    bulk_insert(
        conn,
        Employee.__table__,
        pl.DataFrame(
            {
                "id": [7, 8, 9],
                "employee_no": ["E7", "E8", "E9"],
                "name": ["최전담", "신입사", "퇴사자"],
                "role": ["dedicated_manager", "sales_rep", "sales_rep"],
                "branch_id": [1, 2, 2],
                "hire_date": [d(2015, 1, 5), DAY, d(2010, 1, 4)],
                "is_active": [True, True, False],
            }
        ),
    )
    bulk_insert(
        conn,
        Customer.__table__,
        pl.DataFrame(
            {
                "id": [21, 22, 23],
                "customer_no": ["100000021", "100000022", "100000023"],
                "name": ["문신규", "구이탈", "장우수"],
                "birth_date": [d(1985, 4, 1), d(1970, 8, 8), d(1955, 9, 9)],
                "gender": ["F", "M", "M"],
                "occupation": ["회사원", "자영업", "은퇴자"],
                "region": ["서울", "부산", "서울"],
                "address": ["서울 21", "부산 22", "서울 23"],
                "phone": ["010-2100-0021", "010-2200-0022", "010-2300-0023"],
                "phone_last4": ["0021", "0022", "0023"],
                "email": [None, None, None],
                "tier": ["priority", "general", "vip"],
                "home_branch_id": [1, 2, 1],
                "manager_id": [7, None, 7],
                "consent_dm": [True, True, True],
                "consent_tm": [True, True, True],
                "consent_email": [False, False, False],
                "preferred_channel": ["branch", "phone", "branch"],
                "opened_on": [DAY, d(2020, 5, 5), d(2019, 1, 1)],
                "closed_on": [None, d(2026, 3, 7), None],
            },
            schema_overrides={"email": pl.String, "manager_id": pl.Int64},
        ),
    )
    bulk_insert(
        conn,
        Account.__table__,
        pl.DataFrame(
            {
                "id": [21, 22, 23],
                "account_no": ["A21", "A22", "A23"],
                "customer_id": [21, 22, 23],
                "product_id": [1, 1, 1],
                "branch_id": [1, 2, 1],
                "opened_on": [DAY, d(2020, 5, 5), d(2019, 1, 1)],
                "maturity_date": [None, None, None],
                "closed_on": [None, d(2026, 3, 7), None],
                "principal_krw": [3_000_000, 2_000_000, 7_000_000],
                "market_value_krw": [3_000_000, 0, 8_000_000],
            },
            schema_overrides={"maturity_date": pl.Date},
        ),
    )
    # (id, customer, account, time, kind, amount, channel)
    transactions = [
        (201, 21, 21, at(2026, 3, 10, 10), "subscription", 3_000_000, "branch"),
        (202, 23, 23, at(2026, 3, 10, 11), "withdrawal", 500_000, "online"),
        (203, 23, 23, at(2026, 3, 11, 9, 30), "deposit", 1_000_000, "online"),
        (204, 22, 22, at(2026, 3, 7, 10), "redemption", 2_000_000, "online"),
        (205, 3, 4, at(2026, 2, 20, 10), "deposit", 1_000_000, "online"),
        (206, 1, 1, at(2026, 1, 15, 10), "subscription", 400_000, "branch"),
    ]
    bulk_insert(
        conn,
        Transaction.__table__,
        pl.DataFrame(
            transactions,
            schema=["id", "customer_id", "account_id", "occurred_at", "kind", "amount_krw",
                    "channel"],
            orient="row",
        ).with_columns(
            pl.lit(None, pl.Int64).alias("branch_id"),
            pl.lit("owner").alias("performed_by"),
            pl.lit(None, pl.Int64).alias("employee_id"),
        ),
    )  # fmt: skip
    # (id, customer, employee, branch, channel, time, outcome, corrects)
    consultations = [
        (21, 1, 3, 1, "dm", at(2026, 3, 10, 9), "interested", None),
        (22, 2, 3, 1, "dm", at(2026, 3, 10, 9, 10), "no_answer", None),
        (23, 3, 4, 2, "tm", at(2026, 3, 5, 14), "purchased", None),
        (24, 3, 4, 2, "tm", at(2026, 3, 5, 15), "declined", None),
        (25, 23, 7, 1, "phone", at(2026, 3, 9, 11), "follow_up", None),
        (26, 23, 7, 1, "phone", at(2026, 3, 9, 11, 30), "follow_up", 25),
        (27, 1, 3, 1, "tm", at(2026, 1, 10, 10), "interested", None),
        (28, 1, 3, 1, "dm", at(2026, 3, 2, 10), "purchased", None),
    ]
    bulk_insert(
        conn,
        Consultation.__table__,
        pl.DataFrame(
            consultations,
            schema=["id", "customer_id", "employee_id", "branch_id", "channel", "occurred_at",
                    "outcome", "corrects_id"],
            orient="row",
        ).with_columns(pl.lit("상담").alias("note"), pl.lit(False).alias("is_sensitive")),
    )  # fmt: skip
    bulk_insert(
        conn,
        TrainingSession.__table__,
        pl.DataFrame(
            {
                "id": [2],
                "course_id": [1],
                "starts_on": [d(2026, 2, 1)],
                "ends_on": [d(2026, 2, 1)],
                "location": ["연수원"],
                "trainer_id": [5],
            }
        ),
    )
    bulk_insert(
        conn,
        Enrolment.__table__,
        pl.DataFrame(
            {
                "id": [21, 22],
                "session_id": [1, 2],
                "employee_id": [7, 7],
                "enrolled_on": [d(2026, 1, 5), d(2026, 1, 5)],
                "completed_on": [d(2026, 2, 1), d(2026, 3, 1)],
                "score": [90, 95],
                "certified_on": [d(2026, 2, 1), d(2026, 3, 1)],
                "certification_expires_on": [d(2027, 2, 1), d(2027, 3, 1)],
            }
        ),
    )
    bulk_insert(
        conn,
        AgendaRule.__table__,
        pl.DataFrame(
            {
                "id": [91],
                "kind": ["contact_due"],
                "name_ko": ["KPI 테스트 규칙"],
                "name_en": ["KPI test rule"],
                "priority": [9],
                "tiers": ['["vip", "priority", "general"]'],
                "enabled": [False],
                "params": ["{}"],
                "version": [1],
                "updated_by": ["test"],
                "updated_at": [at(2026, 1, 1)],
            }
        ),
    )
    # (business date, customer, employee, branch, status)
    items = [
        (DAY, 1, 3, 1, "done"),
        (DAY, 2, 3, 1, "open"),
        (MONDAY, 23, 7, 1, "unreachable"),
        (MONDAY, 2, 3, 1, "snoozed"),
        (d(2026, 3, 5), 3, 4, 2, "open"),
    ]
    bulk_insert(
        conn,
        AgendaItem.__table__,
        pl.DataFrame(
            items,
            schema=["business_date", "customer_id", "employee_id", "branch_id", "status"],
            orient="row",
        ).with_columns(
            pl.lit(91).alias("rule_id"),
            pl.lit(9).alias("priority"),
            pl.col("business_date").alias("due_date"),
            pl.lit("{}").alias("facts"),
            pl.lit(at(2026, 3, 1)).alias("created_at"),
        ),
    )
    # (employee, branch, time): one row per action
    usage = (
        [(3, 1, at(2026, 3, 10, 9, minute)) for minute in range(3)]
        + [(3, 1, at(2026, 3, 9, 9)), (3, 1, at(2026, 2, 1, 9))]
        + [(7, 1, at(2026, 3, 10, 10, minute)) for minute in range(2)]
        + [(4, 2, at(2026, 3, 5, 10, minute)) for minute in range(4)]
        + [(1, None, at(2026, 3, 10, 11, minute)) for minute in range(5)]
    )
    bulk_insert(
        conn,
        UsageEvent.__table__,
        pl.DataFrame(
            usage,
            schema={"employee_id": pl.Int64, "branch_id": pl.Int64, "occurred_at": pl.Datetime},
            orient="row",
        )
        .with_row_index("id", offset=1)
        .with_columns(pl.lit("view").alias("action"), pl.lit("customer").alias("page")),
    )
    _load_campaigns(conn)
    _load_conduct(conn)


def _load_campaigns(conn: Connection) -> None:
    created = dt.datetime(2026, 1, 2, 9)
    bulk_insert(
        conn,
        Segment.__table__,
        pl.DataFrame(
            {
                "id": [91],
                "name": ["KPI 테스트 세그먼트"],
                "owner_user_id": [1],
                "owner_name": ["정경영"],
                "branch_id": [None],
                "shared": [True],
                "current_version": [1],
                "created_at": [created],
                "updated_at": [created],
            },
            schema_overrides={"branch_id": pl.Int64},
        ),
    )
    bulk_insert(
        conn,
        SegmentVersion.__table__,
        pl.DataFrame(
            {
                "segment_id": [91],
                "version": [1],
                "spec": ['{"all": []}'],
                "created_by": ["exec"],
                "created_at": [created],
            }
        ),
    )
    # (id, channel, started on)
    campaigns = [
        (91, "dm", dt.date(2026, 3, 2)),
        (92, "dm", DAY),
        (93, "tm", dt.date(2026, 3, 5)),
        (94, "tm", dt.date(2026, 1, 10)),
    ]
    bulk_insert(
        conn,
        Campaign.__table__,
        pl.DataFrame(campaigns, schema=["id", "channel", "started_on"], orient="row").with_columns(
            pl.format("KPI 캠페인 {}", "id").alias("name"),
            pl.lit(91).alias("segment_id"),
            pl.lit(1).alias("segment_version"),
            pl.lit(2).alias("sample_size"),
            pl.lit(None, pl.String).alias("stratify_by"),
            pl.lit(30).alias("control_pct"),
            pl.col("id").alias("seed"),
            pl.lit(700).alias("cost_per_piece_krw"),
            pl.lit(None, pl.Int64).alias("branch_id"),
            pl.lit(10).alias("eligible"),
            pl.lit(1).alias("created_by_user_id"),
            pl.lit("exec").alias("created_by"),
            pl.lit(created).alias("created_at"),
            pl.lit(created).alias("features_built_at"),
        ),
    )
    # (campaign, customer, arm, branch, outcome)
    targets = [
        (91, 1, "contact", 1, "bought"),
        (91, 2, "control", 1, None),
        (92, 1, "contact", 1, "responded"),
        (92, 3, "contact", 2, None),
        (92, 2, "control", 1, None),
        (93, 3, "contact", 2, "bought"),
        (93, 22, "contact", 2, "declined"),
        (94, 1, "contact", 1, "responded"),
    ]
    bulk_insert(
        conn,
        CampaignTarget.__table__,
        pl.DataFrame(
            targets,
            schema={
                "campaign_id": pl.Int64,
                "customer_id": pl.Int64,
                "arm": pl.String,
                "branch_id": pl.Int64,
                "outcome": pl.String,
            },
            orient="row",
        ).with_columns(pl.col("branch_id").cast(pl.String).alias("stratum")),
    )


def _load_conduct(conn: Connection) -> None:
    d, at = dt.date, dt.datetime
    bulk_insert(
        conn,
        Product.__table__,
        pl.DataFrame(
            {
                "id": [9], "code": ["F009"], "name": ["드림 레버리지 9호"], "fund_type": ["equity"],
                "risk_grade": [1], "term_months": [None], "launched_on": [d(2020, 1, 2)],
            },
            schema_overrides={"term_months": pl.Int64},
        ),
    )  # fmt: skip
    bulk_insert(
        conn,
        InvestmentProfile.__table__,
        pl.DataFrame(
            {
                "id": [1, 2], "customer_id": [1, 3], "risk_tolerance_grade": [3, 4],
                "assessed_on": [d(2025, 6, 2)] * 2, "valid_until": [d(2026, 6, 2)] * 2,
                "confirmed_by": ["signature", "seal"], "confirmation_ref": [None, None],
                "recorded_by": ["kim", "park"], "recorded_at": [at(2025, 6, 2, 10)] * 2,
            },
            schema_overrides={"confirmation_ref": pl.String},
        ),
    )  # fmt: skip
    # (id, customer, product, grade, branch, seller, sold on, suitable)
    sales = [
        (1, 1, 1, 5, 1, 3, d(2026, 3, 2), True),
        (2, 1, 9, 1, 1, 3, d(2026, 3, 3), False),
        (3, 1, 9, 1, 1, 3, d(2026, 1, 20), False),
        (4, 3, 1, 5, 2, 4, d(2026, 3, 5), True),
        (5, 3, 9, 1, 2, 4, d(2026, 2, 10), False),
        (6, 3, 1, 5, 2, 4, d(2026, 3, 9), True),
    ]
    frame = pl.DataFrame(
        sales,
        schema=["id", "customer_id", "product_id", "product_risk_grade", "branch_id",
                "seller_id", "sold_on", "suitable"],
        orient="row",
    )  # fmt: skip
    bulk_insert(
        conn,
        FundSale.__table__,
        frame.with_columns(
            pl.lit(1_000_000).alias("amount_krw"),
            pl.when(pl.col("customer_id") == 1).then(1).otherwise(2).alias("profile_id"),
            pl.when(pl.col("customer_id") == 1).then(3).otherwise(4).alias("customer_grade"),
            pl.when(pl.col("customer_id") == 1).then(66).otherwise(46).alias("customer_age"),
            pl.when(pl.col("suitable"))
            .then(None)
            .otherwise(pl.lit("REC-1"))
            .alias("recording_ref"),
            pl.lit("kim").alias("recorded_by"),
            pl.col("sold_on").cast(pl.Datetime("us")).alias("recorded_at"),
        ),
    )
    # (id, sale, customer, branch, responsible, reasons, due, status, outcome at)
    calls = [
        (1, 1, 1, 1, 2, "aged", d(2026, 3, 12), "open", None),
        (2, 2, 1, 1, 2, "high_risk,aged,unsuitable", d(2026, 3, 6), "understood",
         at(2026, 3, 5, 15)),
        (3, 3, 1, 1, 2, "high_risk,aged,unsuitable", d(2026, 2, 20), "understood",
         at(2026, 2, 23, 11)),
        (4, 5, 3, 2, 4, "high_risk,unsuitable", d(2026, 2, 20), "open", None),
    ]  # fmt: skip
    bulk_insert(
        conn,
        HappyCall.__table__,
        pl.DataFrame(
            calls,
            schema={
                "id": pl.Int64, "sale_id": pl.Int64, "customer_id": pl.Int64,
                "branch_id": pl.Int64, "responsible_id": pl.Int64, "reasons": pl.String,
                "due_on": pl.Date, "status": pl.String, "outcome_at": pl.Datetime("us"),
            },
            orient="row",
        ).with_columns(
            (pl.col("due_on") - pl.duration(days=1)).alias("reminder_on"),
            pl.when(pl.col("status") == "open").then(0).otherwise(1).alias("tries"),
            pl.lit(False).alias("mis_selling_suspected"),
        ),
    )  # fmt: skip
