"""The measured tasks; each capability adds its own as it lands (see issue #10's task names)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import polars as pl
from sqlalchemy import Engine, bindparam, func, select, text
from streamlit.testing.v1 import AppTest

from benchmarks.harness import Task
from benchmarks.import_tasks import tasks as import_tasks
from benchmarks.retention_tasks import tasks as retention_tasks
from benchmarks.security_tasks import tasks as security_tasks
from benchmarks.segment_tasks import tasks as segment_tasks
from benchmarks.suppression_tasks import tasks as suppression_tasks
from data_access.agenda import agenda
from data_access.core import complaint_rules
from data_access.core.business_days import extra_holidays
from data_access.core.db import (
    PROJECT_ROOT,
    read_frame,
)
from data_access.core.models import (
    Customer,
)
from data_access.core.security import (
    SignedInUser,
    authenticate,
)
from data_access.customers.records import (
    CONSULTATION_LIMIT,
    RECENT_TRANSACTIONS,
    SEARCH_LIMIT,
    customer_360,
    search_customers,
)
from jobs.demo import DEMO_PASSWORD

AS_OF = dt.date(2026, 11, 20)
PAGE_TIMEOUT_S = 300
SAMPLE_SIZE = 200
SAMPLE_SEED = 20261120


def signed_in_app(username: str) -> AppTest:
    """A console session signed in as a demo account, ready to rerun a page."""
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=PAGE_TIMEOUT_S)
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(DEMO_PASSWORD)
    at.button[0].click()
    at.run()
    if at.exception:
        raise RuntimeError(f"page run failed for {username}: {at.exception[0].message}")
    return at


def sample_customers(engine: Engine, count: int = SAMPLE_SIZE) -> pl.DataFrame:
    """A fixed random sample of customers (numbers, names, phone tails) to look up."""
    with engine.connect() as conn:
        highest = conn.execute(select(func.max(Customer.id))).scalar_one()
        ids = np.random.default_rng(SAMPLE_SEED).integers(1, highest + 1, size=count).tolist()
        stmt = select(Customer.id, Customer.customer_no, Customer.name, Customer.phone_last4).where(
            Customer.id.in_(ids)
        )
        return read_frame(conn, stmt).sort("id")


def search_queries(sample: pl.DataFrame) -> list[str]:
    """Name prefixes (surname and one letter), customer numbers and phone tails, in turn."""
    queries = []
    for customer_no, name, phone_last4 in sample.select(
        "customer_no", "name", "phone_last4"
    ).iter_rows():
        queries.extend([name[:2], customer_no, phone_last4])
    return queries


def search_tasks(engine: Engine, user: SignedInUser, sample: pl.DataFrame) -> list[Task]:
    queries = search_queries(sample)

    def ours(index: int) -> list[str]:
        with engine.connect() as conn:
            found = search_customers(conn, user, queries[index % len(queries)])
        # The names found, not their order: the console lists open customers first.
        return sorted(found.filter(pl.col("matched_by") == "name_prefix")["name"])

    def baseline(index: int) -> list[str]:
        """A typical app: read the customer table with pandas, then filter it."""
        customers = pd.read_sql(
            "SELECT customer_no, name, birth_date, tier, home_branch_id, phone, phone_last4 "
            "FROM customers",
            engine,
        )
        query = queries[index % len(queries)]
        by_name = customers[customers["name"].str.startswith(query)]
        first = by_name.sort_values(["name", "customer_no"]).head(SEARCH_LIMIT)
        return sorted(first["name"])

    def strong(index: int) -> list[str]:
        """The prefix filter and the limit in SQL, as any competent app would push them."""
        query = queries[index % len(queries)]
        found = pd.read_sql(
            text(
                "SELECT name FROM customers WHERE name LIKE :prefix "
                "ORDER BY name, customer_no LIMIT :limit"
            ),
            engine,
            params={"prefix": f"{query}%", "limit": SEARCH_LIMIT},
        )
        return sorted(found["name"])

    return [
        Task(
            "search",
            ours,
            baseline,
            same_answer=lambda a, b: a == b,
            strong=strong,
            strong_kind="sql",
        )
    ]


def customer360_tasks(engine: Engine, user: SignedInUser, sample: pl.DataFrame) -> list[Task]:
    numbers = sample["customer_no"].to_list()
    ids = sample["id"].to_list()
    end_of_day = dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time())

    def ours(index: int) -> tuple[int, int, int]:
        with engine.connect() as conn:
            view = customer_360(conn, user, numbers[index % len(numbers)], as_of=AS_OF)
        return view.profile.aum_krw, view.holdings.height, view.open_alerts.height

    def baseline(index: int) -> tuple[int, int, int]:
        """A typical app: one pandas read per section of the page, shaped in pandas."""
        customer_id = ids[index % len(ids)]
        params = {"customer_id": customer_id}
        accounts = pd.read_sql(
            text("SELECT * FROM accounts WHERE customer_id = :customer_id"), engine, params=params
        )
        open_accounts = accounts[accounts["closed_on"].isna()]
        alerts = pd.read_sql(
            text("SELECT * FROM alerts WHERE customer_id = :customer_id"), engine, params=params
        )
        for section in ("transactions", "consultations", "life_events", "branch_transfers"):
            pd.read_sql(
                text(f"SELECT * FROM {section} WHERE customer_id = :customer_id"),  # noqa: S608
                engine,
                params=params,
            )
        return (
            int(open_accounts["market_value_krw"].sum()),
            len(open_accounts),
            int(alerts["resolved_at"].isna().sum()),
        )

    def strong(index: int) -> tuple[int, int, int]:
        """The page's sections with their filters, sums and limits in SQL: the customer row,
        open holdings and their total, open alerts, the latest transactions, notes, events
        and transfers."""
        params = {"customer_id": ids[index % len(ids)], "end": end_of_day}
        with engine.connect() as conn:
            pd.read_sql(
                text("SELECT * FROM customers WHERE id = :customer_id"), conn, params=params
            )
            holdings = pd.read_sql(
                text(
                    "SELECT a.*, p.name FROM accounts a JOIN products p ON p.id = a.product_id "
                    "WHERE a.customer_id = :customer_id AND a.closed_on IS NULL"
                ),
                conn,
                params=params,
            )
            open_alerts = pd.read_sql(
                text(
                    "SELECT * FROM alerts WHERE customer_id = :customer_id AND resolved_at IS NULL"
                ),
                conn,
                params=params,
            )
            pd.read_sql(
                text(
                    "SELECT * FROM transactions WHERE customer_id = :customer_id "
                    "AND occurred_at < :end ORDER BY occurred_at DESC, id DESC LIMIT :limit"
                ),
                conn,
                params={**params, "limit": RECENT_TRANSACTIONS},
            )
            pd.read_sql(
                text(
                    "SELECT * FROM consultations WHERE customer_id = :customer_id "
                    "ORDER BY occurred_at DESC LIMIT :limit"
                ),
                conn,
                params={**params, "limit": CONSULTATION_LIMIT},
            )
            for section in ("life_events", "branch_transfers"):
                pd.read_sql(
                    text(f"SELECT * FROM {section} WHERE customer_id = :customer_id"),  # noqa: S608
                    conn,
                    params=params,
                )
        return int(holdings["market_value_krw"].sum()), len(holdings), len(open_alerts)

    return [
        Task(
            "customer360",
            ours,
            baseline,
            same_answer=lambda a, b: a == b,
            strong=strong,
            strong_kind="sql",
        )
    ]


def build(engine: Engine) -> list[Task]:
    from benchmarks.complaint_tasks import tasks as complaint_tasks  # it builds on this module
    from benchmarks.conduct_tasks import tasks as conduct_tasks  # it builds on this module
    from benchmarks.kpi_tasks import tasks as kpi_tasks  # it builds on this module
    from benchmarks.usage_tasks import tasks as usage_tasks  # it builds on this module

    with engine.connect() as conn:
        exec_user = authenticate(conn, "exec", DEMO_PASSWORD)
        conn.commit()
    sample = sample_customers(engine)
    return [
        *search_tasks(engine, exec_user, sample),
        *customer360_tasks(engine, exec_user, sample),
        agenda_build_task(engine),
        *usage_tasks(engine),
        *kpi_tasks(engine),
        *conduct_tasks(engine),
        *complaint_tasks(engine),
        *import_tasks(engine),
        *segment_tasks(engine, exec_user, AS_OF),
        *suppression_tasks(engine),
        *security_tasks(engine),
        *retention_tasks(engine, AS_OF),
    ]


# --- agenda_build (issue #5) -----------------------------------------------------------------

AGENDA_RUNS = 3  # each run is a whole build: seconds at small scale, tens at full scale


RuleItems = list[tuple[int, int, dt.date]]


def stored_rule(engine: Engine, kind: agenda.RuleKind) -> agenda.StoredRule:
    """The agenda rule of `kind` as the demo stores it (the first one, by priority)."""
    with engine.connect() as conn:
        rules = agenda.agenda_rules(conn)
        conn.commit()
    return next(rule for rule in rules if rule.kind == kind)


def rule_items(frame: pd.DataFrame, day_column: str) -> RuleItems:
    """A rule's items as (customer, employee, day) triples, in order, to compare contenders."""
    return sorted(
        (int(c), int(e), pd.Timestamp(d).date())
        for c, e, d in zip(
            frame["customer_id"], frame["employee_id"], frame[day_column], strict=True
        )
    )


def _complaints_near_by(engine: Engine, day: dt.date) -> dt.date:
    """The last deadline the complaint rule lists on `day` (near or past it)."""
    with engine.connect() as conn:
        settings = complaint_rules.complaint_settings(conn)
        closures = extra_holidays(conn)
    return complaint_rules.near_cutoff(day, settings[complaint_rules.NEAR_DAYS], closures)


def complaint_items_pandas(engine: Engine, day: dt.date, tiers: list[str]) -> RuleItems:
    """The complaint rule's items the plain way: whole tables into pandas, filtered, joined."""
    near_by = _complaints_near_by(engine, day)
    cases = pd.read_sql("SELECT * FROM complaints", engine)
    customers = pd.read_sql("SELECT id, tier FROM customers", engine)
    staff = pd.read_sql("SELECT id, branch_id, role, is_active FROM employees", engine)
    staff = staff[staff["is_active"].astype(bool)]
    managers = (
        staff[staff["role"] == "branch_manager"]
        .groupby("branch_id", as_index=False)["id"]
        .min()
        .rename(columns={"id": "manager_id"})
    )
    for column in ("received_on", "deadline_on", "closed_on"):
        cases[column] = pd.to_datetime(cases[column])
    today, near = pd.Timestamp(day), pd.Timestamp(near_by)
    open_cases = cases[
        (cases["status"] != "closed")
        & (cases["received_on"] <= today)
        & (cases["closed_on"].isna() | (cases["closed_on"] > today))
        & (cases["deadline_on"] <= near)
    ]
    open_cases = open_cases.merge(managers, on="branch_id", how="left")
    open_cases["employee_id"] = open_cases["handler_id"].fillna(open_cases["manager_id"])
    open_cases = open_cases.merge(customers, left_on="customer_id", right_on="id")
    open_cases = open_cases[open_cases["tier"].isin(tiers)]
    open_cases = open_cases.merge(staff[["id"]], left_on="employee_id", right_on="id")
    first = open_cases.sort_values(["customer_id", "deadline_on", "id_x"])
    return rule_items(first.groupby("customer_id", as_index=False).first(), "deadline_on")


def complaint_items_sql(engine: Engine, day: dt.date, tiers: list[str]) -> RuleItems:
    """The complaint rule's items in one query: cases due soon, the first per customer."""
    sql = text(
        "SELECT customer_id, employee_id, deadline_on FROM ("
        " SELECT c.customer_id, COALESCE(c.handler_id, (SELECT MIN(m.id) FROM employees m"
        "   WHERE m.branch_id = c.branch_id AND m.role = 'branch_manager' AND m.is_active))"
        "   AS employee_id, c.deadline_on,"
        "  ROW_NUMBER() OVER (PARTITION BY c.customer_id ORDER BY c.deadline_on, c.id) AS n"
        " FROM complaints c JOIN customers p ON p.id = c.customer_id"
        " WHERE c.status <> 'closed' AND c.received_on <= :day"
        "  AND (c.closed_on IS NULL OR c.closed_on > :day) AND c.deadline_on <= :near_by"
        "  AND p.tier IN :tiers"
        ") AS firsts JOIN employees e ON e.id = firsts.employee_id AND e.is_active"
        " WHERE n = 1"
    ).bindparams(bindparam("tiers", expanding=True))
    params = {"day": day, "near_by": _complaints_near_by(engine, day), "tiers": tiers}
    with engine.connect() as conn:
        return rule_items(pd.read_sql(sql, conn, params=params), "deadline_on")


def agenda_build_task(engine: Engine) -> Task:
    """The morning agenda build against pandas over whole tables; answers: items by rule."""

    def ours(_index: int) -> dict[str, int]:
        outcome = agenda.build_agenda(engine, AS_OF, force=True)
        if outcome.status != "succeeded":
            raise RuntimeError(f"agenda build {outcome.status}: {outcome.error}")
        return outcome.detail["items_by_rule"]

    return Task(
        "agenda_build",
        ours,
        lambda _index: agenda_counts_pandas(engine, AS_OF),
        same_answer=lambda a, b: a == b,
        runs=AGENDA_RUNS,
        figure=True,
        strong=lambda _index: agenda_counts_pushed_down(engine, AS_OF),
        strong_kind="sql",
    )


def agenda_counts_pandas(engine: Engine, day: dt.date) -> dict[str, int]:
    """Items by rule for `day` the plain way: pd.read_sql of the tables, then pandas.

    Written from the rule descriptions in data_access/agenda.py, not from its code. A fresh
    build has no worked items, so the suppression of worked customers is left out.
    """
    with engine.connect() as conn:
        rules = agenda.agenda_rules(conn, enabled_only=True)
        conn.commit()
        read = _pandas_tables(conn)
    start = pd.Timestamp(day)
    book = read["customers"]
    book = book[
        book["manager_id"].notna()
        & (book["opened_on"] <= start)
        & (book["closed_on"].isna() | (book["closed_on"] > start))
    ]
    staff = read["employees"][read["employees"]["is_active"].astype(bool)]
    book = book.merge(staff, left_on="manager_id", right_on="employee_id")
    accounts = read["accounts"]
    open_accounts = accounts[accounts["closed_on"].isna()]
    aum = open_accounts.groupby("customer_id")["market_value_krw"].sum().rename("aum_krw")
    tx = read["transactions"]
    tx = tx[tx["occurred_at"] < start]
    last_tx = tx.groupby("customer_id")["occurred_at"].max().dt.normalize().rename("last_tx")
    contacts = read["consultations"]
    contacts = contacts[contacts["occurred_at"] < start]
    last_contact = (
        contacts.groupby("customer_id")["occurred_at"].max().dt.normalize().rename("last_contact")
    )
    calls = read["happy_calls"].merge(read["fund_sales"], left_on="sale_id", right_on="id")
    calls = calls[calls["status"] == "open"].merge(
        read["customers"][["customer_id", "tier"]], on="customer_id"
    )
    calls = calls[calls["responsible_id"].isin(staff["employee_id"])]
    inputs = RuleInputs(book, accounts, read["life_events"], tx, aum, last_tx, last_contact, calls)
    return _counts_by_rule(
        rules, day, inputs, lambda tiers: complaint_items_pandas(engine, day, tiers)
    )


@dataclass(frozen=True, slots=True)
class RuleInputs:
    """What the rules read: the managed book, accounts (open ones, and those maturing in the
    churn window), life events, transactions before the day, and per customer the AUM and
    the last transaction and contact days."""

    book: pd.DataFrame
    accounts: pd.DataFrame
    life_events: pd.DataFrame
    transactions: pd.DataFrame
    aum: pd.Series
    last_tx: pd.Series
    last_contact: pd.Series
    # Open happy calls: customer, tier, caller (active only), sale day (issue #22).
    happy_calls: pd.DataFrame


def agenda_counts_pushed_down(engine: Engine, day: dt.date) -> dict[str, int]:
    """Items by rule for `day` as a careful pandas app gets them: the filters, joins and
    per-customer aggregates in SQL, only the rows the rules can use read, then the same rules
    in pandas as `agenda_counts_pandas`."""
    with engine.connect() as conn:
        rules = agenda.agenda_rules(conn, enabled_only=True)
        conn.commit()
    params = [rule.spec.params for rule in rules]
    window_days = max((p.window_days for p in params if hasattr(p, "window_days")), default=0)
    bounds = {
        "day": dt.datetime.combine(day, dt.time()),
        "since": dt.datetime.combine(day - dt.timedelta(days=window_days), dt.time()),
        # Date columns against dates: SQLite compares text, and '2026-03-10' sorts before
        # '2026-03-10 00:00:00', so a sale of the day itself would pass `sold_on < :day` and an
        # account maturing on the window's first day fail `maturity_date >= :since`.
        "today": day,
        "first_day": day - dt.timedelta(days=window_days),
    }
    queries = {
        "book": "SELECT c.id AS customer_id, c.manager_id, c.tier, c.consent_dm, c.consent_tm, "
        "c.opened_on, c.closed_on, e.id AS employee_id, e.branch_id, e.is_active "
        "FROM customers c JOIN employees e ON e.id = c.manager_id AND e.is_active "
        "WHERE c.opened_on <= :day AND (c.closed_on IS NULL OR c.closed_on > :day)",
        "accounts": "SELECT customer_id, maturity_date, closed_on, market_value_krw "
        "FROM accounts WHERE closed_on IS NULL OR maturity_date >= :first_day",
        "life_events": "SELECT customer_id, kind, event_date FROM life_events",
        "transactions": "SELECT customer_id, kind, amount_krw, occurred_at FROM transactions "
        "WHERE occurred_at >= :since AND occurred_at < :day",
        "aum": "SELECT customer_id, SUM(market_value_krw) AS aum_krw FROM accounts "
        "WHERE closed_on IS NULL GROUP BY customer_id",
        "last_tx": "SELECT customer_id, MAX(occurred_at) AS last_tx FROM transactions "
        "WHERE occurred_at < :day GROUP BY customer_id",
        "last_contact": "SELECT customer_id, MAX(occurred_at) AS last_contact "
        "FROM consultations WHERE occurred_at < :day GROUP BY customer_id",
        "happy_calls": "SELECT h.customer_id, c.tier, h.responsible_id, s.sold_on "
        "FROM happy_calls h JOIN fund_sales s ON s.id = h.sale_id "
        "JOIN customers c ON c.id = h.customer_id "
        "JOIN employees e ON e.id = h.responsible_id AND e.is_active "
        "WHERE h.status = 'open' AND s.sold_on < :today",
    }
    dates = {
        "book": ["opened_on", "closed_on"],
        "accounts": ["maturity_date", "closed_on"],
        "life_events": ["event_date"],
        "transactions": ["occurred_at"],
        "last_tx": ["last_tx"],
        "last_contact": ["last_contact"],
        "happy_calls": ["sold_on"],
    }
    with engine.connect() as conn:
        read = {name: pd.read_sql(text(sql), conn, params=bounds) for name, sql in queries.items()}
    for name, columns in dates.items():
        for column in columns:
            read[name][column] = pd.to_datetime(read[name][column], format="ISO8601")

    def per_customer(name: str, column: str) -> pd.Series:
        return read[name].set_index("customer_id")[column]

    inputs = RuleInputs(
        book=read["book"],
        accounts=read["accounts"],
        life_events=read["life_events"],
        transactions=read["transactions"],
        aum=per_customer("aum", "aum_krw"),
        last_tx=per_customer("last_tx", "last_tx").dt.normalize(),
        last_contact=per_customer("last_contact", "last_contact").dt.normalize(),
        happy_calls=read["happy_calls"],
    )
    return _counts_by_rule(
        rules, day, inputs, lambda tiers: complaint_items_sql(engine, day, tiers)
    )


def _counts_by_rule(
    rules, day: dt.date, inputs: RuleInputs, complaint_items: Callable[[list[str]], RuleItems]
) -> dict[str, int]:
    start = pd.Timestamp(day)
    book, accounts, tx = inputs.book, inputs.accounts, inputs.transactions
    aum, last_tx, last_contact = inputs.aum, inputs.last_tx, inputs.last_contact
    open_accounts = accounts[accounts["closed_on"].isna()]
    counts = {}
    for rule in rules:
        spec, params = rule.spec, rule.spec.params
        mine = book[book["tier"].isin([tier.value for tier in spec.tiers])]
        if rule.kind == "maturity":
            due = open_accounts[
                (open_accounts["maturity_date"] >= start)
                & (open_accounts["maturity_date"] <= start + pd.Timedelta(days=params.within_days))
                & (open_accounts["market_value_krw"] >= params.min_value_krw)
            ]
            found = mine[mine["customer_id"].isin(due["customer_id"])]
        elif rule.kind == "life_event":
            found = _life_events_pandas(inputs.life_events, mine, day, params)
        elif rule.kind == "dormant":
            frame = mine.join(aum, on="customer_id").join(last_tx, on="customer_id")
            frame = frame[frame["aum_krw"] >= params.min_aum_krw]
            since = frame["last_tx"].fillna(frame["opened_on"])
            found = frame[(start - since).dt.days >= params.idle_days]
        elif rule.kind == "churn_risk":
            found = _churn_pandas(mine, tx, accounts, aum, last_contact, day, params)
        elif rule.kind == "happy_call":
            # On the caller's agenda, whoever manages the customer: not limited to the book.
            calls = inputs.happy_calls
            latest = start - pd.Timedelta(days=params.days_after_sale)
            found = calls[
                calls["tier"].isin([tier.value for tier in spec.tiers])
                & (pd.to_datetime(calls["sold_on"]) <= latest)
            ]
        elif rule.kind == "complaint":
            items = complaint_items([tier.value for tier in spec.tiers])
            found = pd.DataFrame({"customer_id": [customer for customer, _, _ in items]})
        else:
            found = _contact_due_pandas(mine, aum, last_contact, day, params)
        counts[f"{rule.id}:{rule.kind}"] = int(found["customer_id"].nunique())
    return counts


def _pandas_tables(conn) -> dict[str, pd.DataFrame]:
    queries = {
        "customers": "SELECT id AS customer_id, manager_id, tier, consent_dm, consent_tm, "
        "opened_on, closed_on FROM customers",
        "employees": "SELECT id AS employee_id, branch_id, is_active FROM employees",
        "accounts": "SELECT customer_id, maturity_date, closed_on, market_value_krw FROM accounts",
        "transactions": "SELECT customer_id, kind, amount_krw, occurred_at FROM transactions",
        "consultations": "SELECT customer_id, occurred_at FROM consultations",
        "life_events": "SELECT customer_id, kind, event_date FROM life_events",
        "happy_calls": "SELECT * FROM happy_calls",
        "fund_sales": "SELECT id, sold_on FROM fund_sales",
    }
    dates = {
        "fund_sales": ["sold_on"],
        "customers": ["opened_on", "closed_on"],
        "accounts": ["maturity_date", "closed_on"],
        "transactions": ["occurred_at"],
        "consultations": ["occurred_at"],
        "life_events": ["event_date"],
    }
    tables = {}
    for name, sql in queries.items():
        frame = pd.read_sql(text(sql), conn)
        for column in dates.get(name, []):
            frame[column] = pd.to_datetime(frame[column])
        tables[name] = frame
    return tables


def _life_events_pandas(
    events: pd.DataFrame, book: pd.DataFrame, day: dt.date, params
) -> pd.DataFrame:
    events = events[
        events["kind"].isin(params.events) & events["customer_id"].isin(book["customer_id"])
    ]

    def next_on(event: pd.Timestamp) -> tuple[dt.date, int]:
        for year in (day.year, day.year + 1):
            try:
                candidate = dt.date(year, event.month, event.day)
            except ValueError:  # 29 February in a year without it
                candidate = dt.date(year, 2, 28)
            if candidate >= day:
                return candidate, year - event.year
        raise AssertionError("a yearly date recurs within two years")

    upcoming = [next_on(event) for event in events["event_date"]]
    events = events.assign(
        days=[(on - day).days for on, _ in upcoming], years=[years for _, years in upcoming]
    )
    return events[(events["days"] <= params.within_days) & (events["years"] >= 1)]


def _churn_pandas(book, tx, accounts, aum, last_contact, day, p) -> pd.DataFrame:
    start = pd.Timestamp(day)
    since = start - pd.Timedelta(days=p.window_days)
    window = tx[tx["occurred_at"] >= since]
    outflow = window["kind"].isin(["redemption", "withdrawal"])
    inflow = window["kind"].isin(["subscription", "deposit"])
    per = pd.DataFrame(
        {
            "redemptions": outflow.groupby(window["customer_id"]).sum(),
            "outflow": window["amount_krw"].where(outflow, 0).groupby(window["customer_id"]).sum(),
            "inflow": window["amount_krw"].where(inflow, 0).groupby(window["customer_id"]).sum(),
            "last_inflow": window["occurred_at"]
            .where(inflow)
            .groupby(window["customer_id"])
            .max()
            .dt.normalize(),
        }
    )
    matured = accounts[(accounts["maturity_date"] >= since) & (accounts["maturity_date"] < start)]
    matured_on = matured.groupby("customer_id")["maturity_date"].max().rename("matured_on")
    frame = book.join(aum, on="customer_id").join(per, on="customer_id")
    frame = frame.join(matured_on, on="customer_id").join(last_contact, on="customer_id")
    for column in ("aum_krw", "redemptions", "outflow", "inflow"):
        frame[column] = frame[column].fillna(0)
    net = frame["outflow"] - frame["inflow"]
    held = frame["aum_krw"] + net
    drop = np.where((net > 0) & (held > 0), np.round(net * 100 / held.where(held > 0, 1)), 0)
    no_contact = frame["last_contact"].isna() | (
        (start - frame["last_contact"]).dt.days >= p.no_contact_days
    )
    not_reinvested = frame["matured_on"].notna() & ~(frame["last_inflow"] >= frame["matured_on"])
    score = (
        np.where(frame["redemptions"] >= p.min_redemptions, p.weight_redemptions, 0)
        + np.where(drop >= p.balance_drop_pct, p.weight_falling_balance, 0)
        + np.where(no_contact, p.weight_no_contact, 0)
        + np.where(not_reinvested, p.weight_maturity_not_reinvested, 0)
    )
    return frame[score >= p.threshold]


def _contact_due_pandas(book, aum, last_contact, day, p) -> pd.DataFrame:
    start = pd.Timestamp(day)
    limits = pd.Series({tier.value: days for tier, days in p.days_by_tier.items()}, name="limit")
    frame = book.join(limits, on="tier", how="inner")
    if p.channel != "any":
        frame = frame[frame[f"consent_{p.channel}"].astype(bool)]
    frame = frame.join(last_contact, on="customer_id").join(aum, on="customer_id")
    frame["aum_krw"] = frame["aum_krw"].fillna(0)
    frame["idle"] = (start - frame["last_contact"].fillna(frame["opened_on"])).dt.days
    frame = frame[frame["idle"] >= frame["limit"]]
    if p.max_per_employee is not None:
        frame = frame.sort_values(
            ["employee_id", "idle", "aum_krw", "customer_id"], ascending=[True, False, False, True]
        )
        frame = frame.groupby("employee_id").head(p.max_per_employee)
    return frame
