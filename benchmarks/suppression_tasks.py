"""tm_draw_suppression (issue #22): leaving do-not-call numbers out of a TM draw.

The draw is 100,000 of 2.6 million customers at full scale (the same share otherwise), and the
do-not-call list 1,000,000 numbers, scaled alike: one in three a customer's own phone, the rest
numbers no customer has, a tenth of all of them in-house opt-outs. The list is loaded once,
untimed, into a database that has none. What is timed is the step suppression adds to a draw:
finding which of the draw's eligible customers are listed, and why. The target at full scale is
under 500 ms.

Every contender reads the draw's phones from the database on each call. The console holds the
list in memory between draws and reads it again when an import changed it (the warm-up call
pays that read); the naive rival reads the whole list into pandas on every draw, the strong
one joins the draw to the list in the database.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import polars as pl
from sqlalchemy import Engine, func, select

from benchmarks.harness import Task
from benchmarks.segment_tasks import FULL_SCALE_CUSTOMERS, FULL_SCALE_DRAW
from data_access.core.db import (
    bulk_insert,
    read_frame,
)
from data_access.core.models import (
    Customer,
    DoNotCallNumber,
)
from data_access.customers import consent

FULL_SCALE_LIST = 1_000_000
LISTED_DAY = dt.date(2026, 1, 2)
# Numbers of the 050 personal-number range, which the demo never gives a customer.
UNUSED_PREFIX = "0505"
CHUNK = consent.LISTED_CHUNK  # ids per statement, as the console reads them


def _load_list(engine: Engine, listed: int) -> None:
    """Fill the do-not-call table once: a third customers' phones, the rest unused numbers."""
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(DoNotCallNumber)).scalar_one():
            return
        phones = read_frame(
            conn,
            select(Customer.phone).order_by(Customer.id).limit(listed // 3),
            {"phone": pl.String},
        )["phone"].str.replace_all("-", "")
        unused = pl.Series(
            [f"{UNUSED_PREFIX}{n:07d}" for n in range(listed - phones.n_unique())], dtype=pl.String
        )
        numbers = pl.concat([phones.unique(), unused])
        bulk_insert(
            conn,
            DoNotCallNumber.__table__,
            pl.DataFrame({"phone": numbers}).with_columns(
                source=pl.when(pl.int_range(pl.len()) % 10 == 0)
                .then(pl.lit(consent.IN_HOUSE_OPT_OUT))
                .otherwise(pl.lit(consent.FINANCE_DO_NOT_CALL)),
                registered_on=pl.lit(LISTED_DAY),
            ),
        )


def tasks(engine: Engine) -> list[Task]:
    with engine.connect() as conn:
        customers = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
    size = max(1, round(FULL_SCALE_DRAW * customers / FULL_SCALE_CUSTOMERS))
    listed = max(3, round(FULL_SCALE_LIST * customers / FULL_SCALE_CUSTOMERS))
    _load_list(engine, listed)
    with engine.connect() as conn:
        ids = read_frame(
            conn,
            select(Customer.id.label("customer_id"))
            .where(Customer.consent_tm, Customer.closed_on.is_(None))
            .order_by(Customer.id)
            .limit(size),
            {"customer_id": pl.Int64},
        )["customer_id"]
    chunks = [ids[start : start + CHUNK].to_list() for start in range(0, ids.len(), CHUNK)]

    def ours(_index: int) -> dict[str, int]:
        with engine.connect() as conn:
            found = consent.listed_customers(conn, ids)
        return dict(found.group_by("reason").len().iter_rows())

    def counted(first_source_per_customer: pd.DataFrame) -> dict[str, int]:
        reasons = first_source_per_customer["source"].map(consent.REASON_OF_SOURCE)
        return {reason: int(n) for reason, n in reasons.value_counts().items()}

    def baseline(_index: int) -> dict[str, int]:
        """Naive: the whole list and the draw's phones into pandas on every draw, then merge."""
        with engine.connect() as conn:
            numbers = pd.read_sql(select(DoNotCallNumber.phone, DoNotCallNumber.source), conn)
            phones = pd.concat(
                pd.read_sql(
                    select(Customer.id.label("customer_id"), Customer.phone).where(
                        Customer.id.in_(chunk)
                    ),
                    conn,
                )
                for chunk in chunks
            )
        phones["phone"] = phones["phone"].str.replace(r"[- ]", "", regex=True)
        matched = phones.merge(numbers, on="phone").sort_values(["customer_id", "source"])
        return counted(matched.drop_duplicates("customer_id"))

    def strong(_index: int) -> dict[str, int]:
        """SQL pushed down: the draw's customers joined to the list in the database, a chunk
        of ids at a time (the list's primary key answers each phone)."""
        digits = func.replace(func.replace(Customer.phone, "-", ""), " ", "")
        with engine.connect() as conn:
            matched = pd.concat(
                pd.read_sql(
                    select(Customer.id.label("customer_id"), DoNotCallNumber.source)
                    .join(DoNotCallNumber, DoNotCallNumber.phone == digits)
                    .where(Customer.id.in_(chunk)),
                    conn,
                )
                for chunk in chunks
            )
        first = matched.sort_values(["customer_id", "source"]).drop_duplicates("customer_id")
        return counted(first)

    return [
        Task(
            "tm_draw_suppression",
            ours,
            baseline,
            same_answer=lambda a, b: a == b,
            strong=strong,
            strong_kind="sql",
        )
    ]
