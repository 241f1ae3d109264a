"""tm_draw_suppression (issue #22): leaving do-not-call numbers out of a TM draw, against pandas.

The draw is 100,000 of 2.6 million customers at full scale (the same share otherwise), and the
do-not-call list 1,000,000 numbers, scaled alike: one in three a customer's own phone, the rest
numbers no customer has, a tenth of all of them in-house opt-outs. The list is loaded once,
untimed, into a database that has none. What is timed is the step suppression adds to a draw:
finding which of the draw's eligible customers are listed, and why. The target at full scale is
under 500 ms.
"""

from __future__ import annotations

import datetime as dt

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
        eligible = read_frame(
            conn,
            select(Customer.id.label("customer_id"), Customer.phone)
            .where(Customer.consent_tm, Customer.closed_on.is_(None))
            .order_by(Customer.id)
            .limit(size),
            {"customer_id": pl.Int64, "phone": pl.String},
        )
        numbers = read_frame(
            conn,
            select(DoNotCallNumber.phone, DoNotCallNumber.source),
            {"phone": pl.String, "source": pl.String},
        ).to_pandas()
    ids = eligible["customer_id"]
    customer_phones = eligible.to_pandas()

    def ours(_index: int) -> dict[str, int]:
        with engine.connect() as conn:
            found = consent.listed_customers(conn, ids)
        return dict(found.group_by("reason").len().iter_rows())

    def baseline(_index: int) -> dict[str, int]:
        """The draw's customers and the whole list in pandas: strip dashes, merge, count."""
        digits = customer_phones.assign(phone=customer_phones["phone"].str.replace("-", ""))
        matched = digits.merge(numbers, on="phone").sort_values(["customer_id", "source"])
        first = matched.drop_duplicates("customer_id")
        reasons = first["source"].map(consent.REASON_OF_SOURCE)
        return {reason: int(n) for reason, n in reasons.value_counts().items()}

    return [
        Task(
            "tm_draw_suppression",
            ours,
            baseline,
            same_answer=lambda a, b: a == b,
        )
    ]
