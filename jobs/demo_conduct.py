"""The demo's sales conduct (issue #22): suitability records for the branch sales of the last
months, the investment profiles behind them, and the happy calls they owed, most made on
time, some late or unreachable, a few overdue, and one suspected mis-sale.

Every branch subscription of the last HISTORY_DAYS becomes a sale recorded by the employee
who made it, on the rules of data_access.conduct (conduct.sale_terms, the settings in force):
each customer's profile was assessed before their first sale in the window and suits most of
their funds; a few customers bear less risk than a fund they bought, so those sales are
unsuitable and recorded. Calls due before as_of have their outcome at seeded rates, dated in
working hours; one call in branch 101 is recorded through conduct.record_call as a complaint,
which opens its mis-selling case. Calls due from as_of on are still open, the `rep` account
among their callers.

Everything depends on the data, DEMO_SEED and as_of only; written in one transaction.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import ColumnElement, Connection, Engine, select

from data_access import conduct
from data_access.core.business_days import (
    business_today,
    extra_holidays,
)
from data_access.core.db import (
    FrameSchema,
    bulk_insert,
    read_frame,
)
from data_access.core.models import (
    Account,
    Branch,
    Customer,
    Employee,
    FundSale,
    HappyCall,
    InvestmentProfile,
    Product,
    Role,
    Transaction,
    User,
)
from data_access.core.security import (
    SignedInUser,
)

HISTORY_DAYS = 120
DEMO_SEED = 22
# Customers whose profile bears less risk than a fund they bought (so that sale is unsuitable).
UNSUITABLE_CUSTOMER_SHARE = 0.04
# Of the calls due before as_of: left open past their day, closed late, unreachable.
OVERDUE_SHARE = 0.01
LATE_SHARE = 0.06
UNREACHABLE_SHARE = 0.05
# Of the calls still ahead: already tried once without an answer.
TRIED_SHARE = 0.25
CALLING_ROLES = (Role.SALES_REP.value, Role.DEDICATED_MANAGER.value)
DEMO_BRANCH = "101"
DEMO_CALLER = "rep"
MIS_SALE_NOTE = "원금이 보장되는 상품이라고 들었다고 함. 위험등급 설명을 듣지 못했다고 함."
SALE_SCHEMA: FrameSchema = {
    "transaction_id": pl.Int64,
    "account_id": pl.Int64,
    "customer_id": pl.Int64,
    "product_id": pl.Int64,
    "product_risk_grade": pl.Int64,
    "branch_id": pl.Int64,
    "seller_id": pl.Int64,
    "occurred_at": pl.Datetime("us"),
    "amount_krw": pl.Int64,
    "birth_date": pl.Date,
}


def _sales(engine: Engine, as_of: dt.date) -> pl.DataFrame:
    since = dt.datetime.combine(as_of - dt.timedelta(days=HISTORY_DAYS), dt.time())
    stmt = (
        select(
            Transaction.id.label("transaction_id"),
            Transaction.account_id,
            Transaction.customer_id,
            Account.product_id,
            Product.risk_grade.label("product_risk_grade"),
            Transaction.branch_id,
            Transaction.employee_id.label("seller_id"),
            Transaction.occurred_at,
            Transaction.amount_krw,
            Customer.birth_date,
        )
        .join(Account, Account.id == Transaction.account_id)
        .join(Product, Product.id == Account.product_id)
        .join(Customer, Customer.id == Transaction.customer_id)
        .where(
            Transaction.kind == "subscription",
            Transaction.employee_id.is_not(None),
            Transaction.branch_id.is_not(None),
            Transaction.occurred_at >= since,
            Transaction.occurred_at < dt.datetime.combine(as_of, dt.time()),
        )
        .order_by(Transaction.id)
    )
    with engine.connect() as conn:
        return read_frame(conn, stmt, SALE_SCHEMA).with_columns(
            pl.col("occurred_at").dt.date().alias("sold_on")
        )


def _profiles(rng: np.random.Generator, sales: pl.DataFrame, validity: int) -> pl.DataFrame:
    """One profile a customer, assessed on or before their first sale and still valid at
    their last (so some have lapsed by as_of and show the flag): suiting every fund they
    bought, but one grade past the riskiest for a few customers."""
    per_customer = (
        sales.group_by("customer_id")
        .agg(
            pl.col("sold_on").min().alias("first_sale"),
            pl.col("sold_on").max().alias("last_sale"),
            pl.col("product_risk_grade").min().alias("riskiest"),
        )
        .sort("customer_id")
    )
    size = per_customer.height
    lower = rng.integers(0, 3, size)
    unsuitable = rng.random(size) < UNSUITABLE_CUSTOMER_SHARE
    riskiest = per_customer["riskiest"].to_numpy()
    grade = np.where(unsuitable, np.minimum(riskiest + 1, 6), np.maximum(riskiest - lower, 1))
    first, last = per_customer["first_sale"].to_numpy(), per_customer["last_sale"].to_numpy()
    earliest = last - np.timedelta64(validity - 1, "D")
    room = (first - earliest).astype("timedelta64[D]").astype(np.int64)
    assessed = earliest + rng.integers(0, room + 1).astype("timedelta64[D]")
    how = rng.choice(np.array(conduct.CONFIRMATIONS), size, p=[0.6, 0.25, 0.15])
    return per_customer.select("customer_id").with_columns(
        pl.Series("risk_tolerance_grade", grade, dtype=pl.Int64),
        pl.Series("assessed_on", assessed, dtype=pl.Date),
        pl.Series("confirmed_by", how, dtype=pl.String),
    )


def _employee_user(conn: Connection, condition: ColumnElement[bool]) -> SignedInUser:
    """The demo account a generated action is recorded as (its employee's own account), as
    the console holds it after sign-in: the demo writes its history without passwords."""
    row = conn.execute(
        select(User.id, User.username, User.role, User.employee_id, Employee.name,
               Employee.branch_id)
        .join(Employee, Employee.id == User.employee_id)
        .where(condition)
    ).one()  # fmt: skip
    return SignedInUser(
        user_id=row.id,
        username=row.username,
        role=Role(row.role),
        employee_id=row.employee_id,
        employee_name=row.name,
        branch_id=row.branch_id,
    )


def _callers(engine: Engine) -> tuple[dict[int, list[int]], int | None]:
    """Each branch's customer-facing staff, and the `rep` account's employee."""
    with engine.connect() as conn:
        staff = read_frame(
            conn,
            select(Employee.id, Employee.branch_id)
            .where(Employee.is_active, Employee.role.in_(CALLING_ROLES))
            .order_by(Employee.id),
            {"id": pl.Int64, "branch_id": pl.Int64},
        )
        demo_caller = conn.execute(
            select(User.employee_id).where(User.username == DEMO_CALLER)
        ).scalar_one_or_none()
    by_branch: dict[int, list[int]] = {}
    for employee_id, branch_id in staff.iter_rows():
        by_branch.setdefault(branch_id, []).append(employee_id)
    return by_branch, demo_caller


def working_moment(rng: np.random.Generator, days: pl.Series) -> pl.Series:
    """A moment in working hours (09:00-17:59) on each of `days`."""
    minutes = rng.integers(9 * 60, 18 * 60, len(days))
    return days.cast(pl.Datetime("us")) + pl.Series(minutes * 60_000_000).cast(pl.Duration("us"))


def _outcomes(
    rng: np.random.Generator,
    calls: pl.DataFrame,
    as_of: dt.date,
    max_tries: int,
    demo_caller: int | None,
    demo_branch: int | None,
) -> pl.DataFrame:
    """Each call's state on as_of: due before it, closed on time at most, some late, some
    unreachable, a few still open (overdue); due from it on, open, some tried once. In the
    demo branch at least two are overdue and the `rep` account makes some of the open ones."""
    size = calls.height
    draw = rng.random(size)
    past = (calls["due_on"] < as_of).to_numpy()
    overdue = past & (draw < OVERDUE_SHARE)
    late = past & ~overdue & (draw < OVERDUE_SHARE + LATE_SHARE)
    unreachable = past & ~overdue & ~late & (draw < OVERDUE_SHARE + LATE_SHARE + UNREACHABLE_SHARE)
    in_demo_branch = (calls["branch_id"] == demo_branch).to_numpy()
    demo_past = np.flatnonzero(past & in_demo_branch)
    if overdue[demo_past].sum() < 2 and demo_past.size >= 2:
        forced = demo_past[-2:]
        overdue[forced], late[forced], unreachable[forced] = True, False, False
    understood = past & ~overdue & ~unreachable
    sold, due = calls["sold_on"].to_numpy(), calls["due_on"].to_numpy()
    span = np.maximum((due - sold).astype("timedelta64[D]").astype(np.int64), 1)
    on_time = sold + (1 + rng.integers(0, span)).astype("timedelta64[D]")
    after = np.minimum(
        due + rng.integers(1, 5, size).astype("timedelta64[D]"),
        np.datetime64(as_of - dt.timedelta(days=1)),
    )
    outcome_day = pl.Series(np.where(late, after, on_time), dtype=pl.Date)
    tried = (
        ~past & (draw < TRIED_SHARE) & (calls["sold_on"] < as_of - dt.timedelta(days=1)).to_numpy()
    )
    status = np.select(
        [overdue, unreachable, understood],
        [conduct.OPEN, conduct.UNREACHABLE, conduct.UNDERSTOOD],
        default=conduct.OPEN,
    )
    tries = np.select(
        [unreachable, overdue, understood, tried],
        [max_tries, rng.integers(1, max_tries, size), rng.integers(1, 3, size), 1],
        default=0,
    )
    responsible = calls["responsible_id"].to_numpy().copy()
    open_ahead = np.flatnonzero(~past & in_demo_branch & (calls["sold_on"] < as_of).to_numpy())
    if demo_caller is not None and open_ahead.size and demo_caller not in responsible[open_ahead]:
        responsible[open_ahead[::5]] = demo_caller
    closed = status != conduct.OPEN
    return calls.with_columns(
        pl.Series("responsible_id", responsible, dtype=pl.Int64),
        pl.Series("status", status, dtype=pl.String),
        pl.Series("tries", tries, dtype=pl.Int64),
        pl.when(pl.Series(closed))
        .then(working_moment(rng, outcome_day))
        .otherwise(None)
        .alias("outcome_at"),
        pl.lit(False).alias("mis_selling_suspected"),
    )


def _mis_sale(conn: Connection, as_of: dt.date, sale_id: int) -> int:
    """Record the demo's one suspected mis-sale as its caller would: a complaint on the call,
    which opens its mis-selling case. Returns the case's id."""
    call_id, caller = conn.execute(
        select(HappyCall.id, HappyCall.responsible_id).where(HappyCall.sale_id == sale_id)
    ).one()
    user = _employee_user(conn, User.employee_id == caller)
    recorded = conduct.record_call(
        conn,
        user,
        call_id,
        conduct.COMPLAINT,
        note=MIS_SALE_NOTE,
        business_date=min(as_of, business_today()),
    )
    assert recorded.complaint_case_id is not None
    return recorded.complaint_case_id


def run(engine: Engine, as_of: dt.date) -> dict[str, Any]:
    """Write the demo's profiles, sales and happy calls; returns counts and seconds."""
    started = time.perf_counter()
    rng = np.random.default_rng(DEMO_SEED)
    with engine.connect() as conn:
        settings = conduct.conduct_settings(conn)
        holidays = extra_holidays(conn)
        demo_branch = conn.execute(
            select(Branch.id).where(Branch.code == DEMO_BRANCH)
        ).scalar_one_or_none()
    sales = _sales(engine, as_of)
    if sales.is_empty():
        return {"profiles": 0, "sales": 0, "unsuitable": 0, "happy_calls": 0, "seconds": 0.0}
    callers, demo_caller = _callers(engine)
    validity_days = int(settings["profile_validity_days"])
    profiles = _profiles(rng, sales, validity_days).with_columns(
        pl.int_range(1, pl.len() + 1).alias("id")
    )
    sales = sales.join(
        profiles.select(pl.col("id").alias("profile_id"), "customer_id", "risk_tolerance_grade"),
        on="customer_id",
    ).with_columns(pl.int_range(1, pl.len() + 1).alias("id"))
    sale_rows, call_rows = [], []
    turn: dict[int, int] = {}
    for sale in sales.iter_rows(named=True):
        age = conduct.age_on(sale["birth_date"], sale["sold_on"])
        terms = conduct.sale_terms(
            settings,
            customer_grade=sale["risk_tolerance_grade"],
            product_risk_grade=sale["product_risk_grade"],
            age=age,
            sold_on=sale["sold_on"],
            holidays=holidays,
        )
        recording = (
            f"REC-{sale['sold_on']:%Y%m%d}-{sale['id']:06d}" if terms.needs_recording else None
        )
        sale_rows.append((sale["id"], age, terms.suitable, recording, terms.cooling_off_ends_on))
        if not terms.call_reasons:
            continue
        branch = sale["branch_id"]
        others = [e for e in callers.get(branch, []) if e != sale["seller_id"]]
        turn[branch] = turn.get(branch, -1) + 1
        call_rows.append(
            (
                sale["id"],
                sale["customer_id"],
                branch,
                others[turn[branch] % len(others)] if others else sale["seller_id"],
                ",".join(terms.call_reasons),
                terms.call_due_on,
                terms.call_reminder_on,
                sale["sold_on"],
            )
        )
    sale_frame = sales.join(
        pl.DataFrame(
            sale_rows,
            schema={
                "id": pl.Int64,
                "customer_age": pl.Int64,
                "suitable": pl.Boolean,
                "recording_ref": pl.String,
                "cooling_off_ends_on": pl.Date,
            },
            orient="row",
        ),
        on="id",
    ).select(
        "id", "customer_id", "product_id", "account_id", "transaction_id", "branch_id",
        "seller_id", "sold_on", "amount_krw", "profile_id",
        pl.col("risk_tolerance_grade").alias("customer_grade"), "product_risk_grade",
        "customer_age", "suitable", "recording_ref", "cooling_off_ends_on",
        pl.lit("demo").alias("recorded_by"), pl.col("occurred_at").alias("recorded_at"),
    )  # fmt: skip
    calls = _outcomes(
        rng,
        pl.DataFrame(
            call_rows,
            schema={
                "sale_id": pl.Int64,
                "customer_id": pl.Int64,
                "branch_id": pl.Int64,
                "responsible_id": pl.Int64,
                "reasons": pl.String,
                "due_on": pl.Date,
                "reminder_on": pl.Date,
                "sold_on": pl.Date,
            },
            orient="row",
        ),
        as_of,
        int(settings["happy_call_max_tries"]),
        demo_caller,
        demo_branch,
    )
    # The demo branch's latest call closed as understood becomes the suspected mis-sale: left
    # open here, recorded below through conduct.record_call.
    candidates = calls.with_row_index().filter(
        (pl.col("branch_id") == demo_branch) & (pl.col("status") == conduct.UNDERSTOOD)
    )
    mis_sale = candidates.row(-1, named=True) if not candidates.is_empty() else None
    if mis_sale is not None:
        reopened = pl.int_range(pl.len()) == mis_sale["index"]
        calls = calls.with_columns(
            pl.when(reopened).then(pl.lit(conduct.OPEN)).otherwise("status").alias("status"),
            pl.when(reopened).then(0).otherwise("tries").alias("tries"),
            pl.when(reopened).then(None).otherwise("outcome_at").alias("outcome_at"),
        )
    with engine.begin() as conn:
        bulk_insert(
            conn,
            InvestmentProfile.__table__,
            profiles.with_columns(
                (pl.col("assessed_on") + pl.duration(days=validity_days)).alias("valid_until"),
                pl.when(pl.col("confirmed_by") == "recording")
                .then(pl.format("REC-P-{}", pl.col("id")))
                .otherwise(None)
                .alias("confirmation_ref"),
                pl.lit("demo").alias("recorded_by"),
                pl.col("assessed_on").cast(pl.Datetime("us")).alias("recorded_at"),
            ),
        )
        bulk_insert(conn, FundSale.__table__, sale_frame)
        bulk_insert(conn, HappyCall.__table__, calls.drop("sold_on"))
        case_id = _mis_sale(conn, as_of, mis_sale["sale_id"]) if mis_sale is not None else None
    return {
        "profiles": profiles.height,
        "sales": sale_frame.height,
        "unsuitable": int((~sale_frame["suitable"]).sum()),
        "happy_calls": calls.height,
        "overdue_calls": int(
            calls.filter((pl.col("status") == conduct.OPEN) & (pl.col("due_on") < as_of)).height
        ),
        "mis_selling_case": case_id,
        "seconds": round(time.perf_counter() - started, 3),
    }
