"""The demo's consent history and do-not-call list (issue #22), so the customer 360, the TM
draws, the agenda and the consent KPIs have something real to show.

Consent: a share of customers signed their marketing consent (DM, TM, e-mail, as the flags
say) and their product-information consent (DM, SMS) at the branch on the day they opened;
some of those whose TM or DM consent is now off gave it then and withdrew it later, by phone,
online or in writing. The newest marketing event of a channel always agrees with the
customer's flag, as `consent.record_consent` keeps it.

Do-not-call: the finance sector's list (두낫콜) names a few percent of the customers' phones and
many numbers of people who are not customers; customers who withdrew TM consent by phone are
on the in-house opt-out list from that day. Everything depends on the data, the demo's seed
and as_of only, and is written in one transaction.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import Engine, select

from data_access import customers
from data_access.core.change_marks import mark_changed
from data_access.core.db import (
    bulk_insert,
    read_frame,
)
from data_access.core.models import (
    ConsentEvent,
    Customer,
    DoNotCallNumber,
)
from jobs.demo_conduct import working_moment

DEMO_SEED = 23
SIGNED_AT_OPENING_SHARE = 0.35  # customers whose consent form at opening is on record
WITHDRAWN_SHARE = 0.3  # of those with a channel now off: gave it at opening, withdrew since
WITHDRAWN_WITHIN_DAYS = 730
FINANCE_LIST_SHARE = 0.04  # customers' phones on the finance sector's list
OTHER_NUMBERS_PER_LISTED_CUSTOMER = 3  # the list's numbers of people who are not customers
FINANCE_LIST_WITHIN_DAYS = 1_095
WITHDRAWAL_SOURCES = ("phone", "online", "written")
RECORDED_BY = "demo"
PRODUCT_INFO_CHANNELS = ("dm", "sms")


def _events(rng: np.random.Generator, people: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    signed = people.filter(pl.Series(rng.random(people.height) < SIGNED_AT_OPENING_SHARE))
    at_opening = working_moment(rng, signed["opened_on"]).alias("occurred_at")
    rows = []
    for channel, flag in (("dm", "consent_dm"), ("tm", "consent_tm"), ("email", "consent_email")):
        gave = signed.with_columns(at_opening).with_columns(
            purpose=pl.lit(customers.MARKETING),
            channel=pl.lit(channel),
            given=pl.lit(True),
            source=pl.lit("branch"),
        )
        # Off today: most never gave it; some gave it at opening and withdrew it since.
        withdrew = pl.Series(rng.random(signed.height) < WITHDRAWN_SHARE)
        rows.append(gave.filter(pl.col(flag) | withdrew))
        off = gave.filter(~pl.col(flag) & withdrew)
        since = pl.Series(rng.integers(1, WITHDRAWN_WITHIN_DAYS, size=off.height))
        withdrawn_on = pl.max_horizontal(
            pl.lit(as_of) - pl.duration(days=pl.lit(since)),
            pl.col("opened_on") + pl.duration(days=1),
        )
        off = off.with_columns(withdrawn_on.alias("withdrawn_on")).filter(
            pl.col("withdrawn_on") < as_of
        )
        picked = rng.integers(0, len(WITHDRAWAL_SOURCES), size=off.height)
        rows.append(
            off.with_columns(
                working_moment(rng, off["withdrawn_on"]).alias("occurred_at"),
                given=pl.lit(False),
                source=pl.Series(np.array(WITHDRAWAL_SOURCES)[picked]),
            )
        )
    for channel in PRODUCT_INFO_CHANNELS:
        rows.append(
            signed.with_columns(
                at_opening,
                purpose=pl.lit("product_info"),
                channel=pl.lit(channel),
                given=pl.lit(True),
                source=pl.lit("branch"),
            )
        )
    columns = ["customer_id", "purpose", "channel", "given", "occurred_at", "source", "phone"]
    return (
        pl.concat([frame.select(columns) for frame in rows])
        .with_columns(recorded_by=pl.lit(RECORDED_BY))
        .sort("occurred_at", "customer_id", "purpose", "channel")
    )


def _do_not_call(
    rng: np.random.Generator, people: pl.DataFrame, events: pl.DataFrame, as_of: dt.date
) -> pl.DataFrame:
    digits = pl.col("phone").str.replace_all(r"\D", "")
    phones = people.select(digits.alias("phone")).unique()
    on_list = phones.filter(pl.Series(rng.random(phones.height) < FINANCE_LIST_SHARE))
    others = (
        pl.DataFrame(
            {"n": rng.integers(0, 10**8, size=on_list.height * OTHER_NUMBERS_PER_LISTED_CUSTOMER)}
        )
        .select(pl.format("010{}", pl.col("n").cast(pl.String).str.zfill(8)).alias("phone"))
        .unique()
        .join(phones, on="phone", how="anti")
    )
    finance = pl.concat([on_list, others])
    since = pl.Series(rng.integers(1, FINANCE_LIST_WITHIN_DAYS, size=finance.height))
    finance = finance.with_columns(
        source=pl.lit(customers.FINANCE_DO_NOT_CALL),
        registered_on=pl.lit(as_of) - pl.duration(days=pl.lit(since)),
    )
    opted_out = (
        events.filter(
            (pl.col("channel") == "tm") & ~pl.col("given") & (pl.col("source") == "phone")
        )
        .select(
            digits.alias("phone"),
            source=pl.lit(customers.IN_HOUSE_OPT_OUT),
            registered_on=pl.col("occurred_at").dt.date(),
        )
        .unique("phone")
    )
    return pl.concat([finance, opted_out]).select(
        "phone", "source", pl.col("registered_on").cast(pl.Date)
    )


def run(engine: Engine, as_of: dt.date) -> dict[str, Any]:
    """Write the consent history and both lists; returns how many rows and how long."""
    started = time.perf_counter()
    rng = np.random.default_rng([DEMO_SEED, as_of.toordinal()])
    with engine.begin() as conn:
        people = read_frame(
            conn,
            select(
                Customer.id.label("customer_id"),
                Customer.phone,
                Customer.opened_on,
                Customer.consent_dm,
                Customer.consent_tm,
                Customer.consent_email,
            ).order_by(Customer.id),
            {"customer_id": pl.Int64, "opened_on": pl.Date},
        )
        events = _events(rng, people, as_of)
        numbers = _do_not_call(rng, people, events, as_of)
        bulk_insert(conn, ConsentEvent.__table__, events.drop("phone"))
        bulk_insert(conn, DoNotCallNumber.__table__, numbers)
        mark_changed(conn, DoNotCallNumber.__table__)
    return {
        "consent_events": events.height,
        "do_not_call_numbers": numbers.height,
        "seconds": round(time.perf_counter() - started, 3),
    }
