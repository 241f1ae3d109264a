"""A day's snapshot gives the values of the year computed in one pass, on demo data.

A one-day run reads the customers and accounts open since before its grid as per-branch sums
and the counted facts only from its own window on (kpis._stock_reads, kpis._counted_from);
a run over the year splits the same rows at other days. Every KPI of every scope must agree
on every business day, also after undated changes (tier, consent, manager, market value) and
dated ones (an account and a customer closing), and the stocks must be those counted straight
from the tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import polars as pl
import pytest
from sqlalchemy import Connection, Engine, func, or_, select, update

from data_access.core import metrics
from data_access.core.models import (
    Account,
    Customer,
    Employee,
    Role,
    Tier,
    Transaction,
)
from data_access.kpis import kpis
from jobs import demo
from tests.conftest import rolled_back

AS_OF = dt.date(2026, 3, 10)
END = AS_OF - dt.timedelta(days=1)
START = END - dt.timedelta(days=364)
CHANGED_ON = dt.date(2025, 9, 15)  # a Monday: the closings' day


@pytest.fixture(scope="module")
def demo_engine(databases) -> Engine:
    engine = databases.new("kpi_days")
    demo.generate(engine, customers=600, seed=11, as_of=AS_OF, usage_days=40)
    return engine


@pytest.fixture
def demo_conn(demo_engine: Engine) -> Iterator[Connection]:
    """Inside a transaction rolled back afterwards, so the changes below stay in the test."""
    with rolled_back(demo_engine) as connection:
        yield connection


def day_by_day(conn: Connection) -> pl.DataFrame:
    days = kpis.reported_days(conn, START, END)
    return pl.concat([kpis.compute_kpis(conn, day, day) for day in days])


def change_the_firm(conn: Connection) -> None:
    """Undated changes to customers open all year and to an open account (tier, consent,
    manager, market value), and an account and a customer closing on CHANGED_ON."""
    long_open = (Customer.opened_on < START - dt.timedelta(days=400), Customer.closed_on.is_(None))

    def first_customer(tier: Tier) -> int:
        return conn.execute(
            select(func.min(Customer.id)).where(*long_open, Customer.tier == tier.value)
        ).scalar_one()

    general, priority = first_customer(Tier.GENERAL), first_customer(Tier.PRIORITY)
    dedicated = conn.execute(
        select(func.min(Employee.id)).where(Employee.role == Role.DEDICATED_MANAGER.value)
    ).scalar_one()
    conn.execute(
        update(Customer)
        .where(Customer.id == general)
        .values(tier=Tier.VIP.value, consent_dm=True, consent_tm=True, consent_email=True,
                manager_id=dedicated)
    )  # fmt: skip
    conn.execute(
        update(Customer)
        .where(Customer.id == priority)
        .values(consent_dm=False, consent_tm=False, consent_email=False, closed_on=CHANGED_ON)
    )
    # The closing account has no flow after its closing day, as in a real closing.
    flows_later = select(Transaction.id).where(
        Transaction.account_id == Account.id,
        Transaction.occurred_at >= dt.datetime.combine(CHANGED_ON, dt.time()),
    )
    revalued, closing = conn.execute(
        select(Account.id)
        .where(
            Account.opened_on < START - dt.timedelta(days=400),
            Account.closed_on.is_(None),
            ~flows_later.exists(),
        )
        .order_by(Account.id)
        .limit(2)
    ).scalars()
    conn.execute(
        update(Account)
        .where(Account.id == revalued)
        .values(market_value_krw=Account.market_value_krw + 123_456_789)
    )
    conn.execute(update(Account).where(Account.id == closing).values(closed_on=CHANGED_ON))


def test_each_day_alone_gives_the_year_computed_in_one_pass(demo_conn):
    before = day_by_day(demo_conn)
    assert before.equals(kpis.compute_kpis(demo_conn, START, END))
    assert before["business_date"].n_unique() > 240

    change_the_firm(demo_conn)
    after = day_by_day(demo_conn)
    assert after.equals(kpis.compute_kpis(demo_conn, START, END))
    changed = before.join(after, on=["business_date", "scope_kind", "scope_key", "kpi"])
    moved = changed.filter(
        pl.col("scope_kind") == "firm", pl.col("value") != pl.col("value_right")
    )["kpi"].unique()
    for name in ("aum_krw", "active_customers", "priority_customers", "consent_dm_pct",
                 "customers_per_manager", "lost_customers"):  # fmt: skip
        assert name in moved.to_list(), name


def counted_straight(conn: Connection, day: dt.date) -> dict[str, float]:
    """The firm's stocks on `day` from their definitions, one query each."""
    open_on = (
        Customer.opened_on <= day,
        or_(Customer.closed_on.is_(None), Customer.closed_on > day),
    )
    customers, priority, consent_dm = conn.execute(
        select(
            func.count(),
            func.count().filter(Customer.tier.in_(kpis.PRIORITY_TIERS)),
            func.count().filter(Customer.consent_dm.is_(True)),
        ).where(*open_on)
    ).one()
    held = (
        Account.opened_on <= day,
        or_(Account.closed_on.is_(None), Account.closed_on > day),
    )
    value = conn.execute(select(func.sum(Account.market_value_krw)).where(*held)).scalar_one()
    after = day + dt.timedelta(days=1)  # an account's value on `day` less the flows after it
    later_flows = conn.execute(
        select(func.coalesce(func.sum(metrics.net_flow_krw()), 0))
        .join(Account, Account.id == Transaction.account_id)
        .where(*held, Transaction.occurred_at >= dt.datetime.combine(after, dt.time()))
    ).scalar_one()
    return {
        "active_customers": customers,
        "priority_customers": priority,
        "consent_dm_pct": consent_dm * 100 / customers,
        "aum_krw": int(value) - int(later_flows),  # PostgreSQL sums BIGINT as NUMERIC
    }


@pytest.mark.parametrize(
    "day",
    [START, CHANGED_ON - dt.timedelta(days=3), CHANGED_ON, CHANGED_ON + dt.timedelta(days=1), END],
)
def test_a_day_holds_the_stocks_counted_from_the_tables(demo_conn, day):
    change_the_firm(demo_conn)
    frame = kpis.compute_kpis(demo_conn, day, day).filter(pl.col("scope_kind") == "firm")
    shown = dict(zip(frame["kpi"], frame["value"], strict=True))
    expected = counted_straight(demo_conn, day)
    assert {name: shown[name] for name in expected} == pytest.approx(expected)
