"""The measured tasks; each capability adds its own as it lands (see issue #10's task names)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import streamlit as st
from sqlalchemy import Engine, func, select, text
from streamlit.testing.v1 import AppTest

from benchmarks.harness import Task
from data_access.customers import SEARCH_LIMIT, customer_360, search_customers
from data_access.db import PROJECT_ROOT, read_frame
from data_access.demo import DEMO_PASSWORD
from data_access.models import Customer
from data_access.security import SignedInUser, authenticate

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


def page_run(at: AppTest) -> AppTest:
    """A whole page run as a first visit would wait for it: caches cleared each time."""
    st.cache_data.clear()
    at.run()
    if at.exception:
        raise RuntimeError(at.exception[0].message)
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
        return found.filter(pl.col("matched_by") == "name_prefix")["name"].to_list()

    def baseline(index: int) -> list[str]:
        """A typical app: read the customer table with pandas, then filter it."""
        customers = pd.read_sql(
            "SELECT customer_no, name, birth_date, tier, home_branch_id, phone, phone_last4 "
            "FROM customers",
            engine,
        )
        query = queries[index % len(queries)]
        by_name = customers[customers["name"].str.startswith(query)]
        return by_name.sort_values(["name", "customer_no"]).head(SEARCH_LIMIT)["name"].tolist()

    return [Task("search", ours, baseline, same_answer=lambda a, b: a == b)]


def customer360_tasks(engine: Engine, user: SignedInUser, sample: pl.DataFrame) -> list[Task]:
    numbers = sample["customer_no"].to_list()
    ids = sample["id"].to_list()

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

    return [Task("customer360", ours, baseline, same_answer=lambda a, b: a == b)]


def build(engine: Engine) -> list[Task]:
    executive = signed_in_app("exec")
    with engine.connect() as conn:
        exec_user = authenticate(conn, "exec", DEMO_PASSWORD)
        conn.commit()
    sample = sample_customers(engine)
    return [
        *search_tasks(engine, exec_user, sample),
        *customer360_tasks(engine, exec_user, sample),
        Task("page_home", lambda _index: page_run(executive), runs=5),
    ]
