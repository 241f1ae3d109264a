"""segment_profile and campaign_draw (issue #6) against plain pandas over the customers table.

Both read the analytical copy the customer-features job writes; it is refreshed here when it
is missing or was built for another date. The draw's size scales with the database: 100,000
of 2.6 million customers at full scale, the same share at small scale.

Ours loads the copy once per process, before the timing. So do the rivals: the naive app reads
the customers table into pandas once, the strong one loads a Parquet export of it into DuckDB
once; each call then filters and groups (or draws) as ours does.
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import numpy as np
import pandas as pd
import polars as pl
from sqlalchemy import Engine, func, select, text

from benchmarks import duckdb_copy
from benchmarks.harness import Task
from data_access.campaigns import campaigns
from data_access.core.models import (
    Branch,
    Customer,
)
from data_access.core.security import (
    SignedInUser,
)
from data_access.segments import segments
from jobs import segments as segments_job

FULL_SCALE_CUSTOMERS = 2_600_000
FULL_SCALE_DRAW = 100_000
CONTROL_PCT = 10
SEED = 20261120
SEGMENT_NAME = "benchmark: everyone"
# A typical three-condition filter: people in their thirties and forties, VIP or priority,
# who take direct mail.
THREE_CONDITIONS = segments.validate_spec(
    {
        "op": "and",
        "items": [
            {"field": "age", "min": 30, "max": 49},
            {"field": "tier", "values": ["vip", "priority"]},
            {"field": "consent_dm", "value": True},
        ],
    }
)


def fresh_copy(engine: Engine, user: SignedInUser, as_of: dt.date) -> segments.FeatureCopy:
    """The copy as `user` reads it on the segments page (an executive's: every customer)."""
    try:
        copy = segments.load_features(engine, user)
    except segments.CopyMissing:
        copy = None
    if copy is None or copy.as_of != as_of:
        segments_job.run(engine, as_of)
        copy = segments.load_features(engine, user)
    return copy


def tasks(engine: Engine, user: SignedInUser, as_of: dt.date) -> list[Task]:
    copy = fresh_copy(engine, user, as_of)
    customers = _customers_pandas(engine, copy.as_of)
    branches = pd.read_sql(text("SELECT id AS home_branch_id, code FROM branches"), engine)
    rivals = duckdb_copy.export(
        engine,
        {
            "customers": (
                select(
                    Customer.id, Customer.birth_date, Customer.gender, Customer.region,
                    Customer.tier, Customer.home_branch_id, Customer.consent_dm,
                    Customer.opened_on, Customer.closed_on,
                ),
                {
                    "birth_date": pl.Date, "consent_dm": pl.Boolean, "opened_on": pl.Date,
                    "closed_on": pl.Date,
                },
            ),
            "branches": (select(Branch.id, Branch.code), {}),
        },
    )  # fmt: skip
    return [
        profile_task(user, copy, customers, rivals),
        draw_task(engine, user, copy, customers.merge(branches, on="home_branch_id"), rivals),
    ]


def _open_customers_sql(as_of: dt.date) -> str:
    """The DuckDB rivals' population: open customers on `as_of` with their age in full years."""
    return f"""
        SELECT *, year(DATE '{as_of}') - year(birth_date)
            - CASE WHEN month(birth_date) > {as_of.month}
                OR (month(birth_date) = {as_of.month} AND day(birth_date) > {as_of.day})
              THEN 1 ELSE 0 END AS age
        FROM customers WHERE closed_on IS NULL AND opened_on <= DATE '{as_of}'
    """  # noqa: S608 - a date of ours, not input


def _customers_pandas(engine: Engine, as_of: dt.date) -> pd.DataFrame:
    frame = pd.read_sql(
        text(
            "SELECT id, birth_date, gender, region, tier, home_branch_id, consent_dm, "
            "opened_on, closed_on FROM customers"
        ),
        engine,
    )
    for column in ("birth_date", "opened_on", "closed_on"):
        frame[column] = pd.to_datetime(frame[column])
    return frame[frame["closed_on"].isna() & (frame["opened_on"] <= pd.Timestamp(as_of))]


def _age(birth: pd.Series, as_of: dt.date) -> pd.Series:
    before = (birth.dt.month > as_of.month) | (
        (birth.dt.month == as_of.month) & (birth.dt.day > as_of.day)
    )
    return as_of.year - birth.dt.year - before.astype(int)


def profile_task(
    user: SignedInUser,
    copy: segments.FeatureCopy,
    customers: pd.DataFrame,
    rivals: duckdb.DuckDBPyConnection,
) -> Task:
    """Count and profile of THREE_CONDITIONS; answers: matched and customers per tier."""

    def ours(_index: int) -> tuple[int, dict[str, int]]:
        found = segments.profile(copy, user, THREE_CONDITIONS)
        tiers = found.tier.filter(found.tier["group"] == "segment")
        return found.matched, dict(zip(tiers["value"], tiers["customers"], strict=True))

    def baseline(_index: int) -> tuple[int, dict[str, int]]:
        """A typical app: the customers in pandas, filtered, then grouped for each chart."""
        frame = customers.assign(age=_age(customers["birth_date"], copy.as_of))
        matched = frame[
            frame["age"].between(30, 49)
            & frame["tier"].isin(["vip", "priority"])
            & frame["consent_dm"].astype(bool)
        ]
        matched.groupby([matched["age"] // 10, "gender"]).size()
        matched.groupby("region").size()
        tiers = matched.groupby("tier").size()
        return len(matched), {tier: int(number) for tier, number in tiers.items()}

    def strong(_index: int) -> tuple[int, dict[str, int]]:
        """DuckDB: the same filter and the same three groupings, in SQL."""
        rivals.execute(f"""
            CREATE OR REPLACE TEMP VIEW matched AS
            SELECT * FROM ({_open_customers_sql(copy.as_of)})
            WHERE age BETWEEN 30 AND 49 AND tier IN ('vip', 'priority') AND consent_dm
        """)  # noqa: S608 - no input in it
        rivals.execute("SELECT age // 10, gender, count(*) FROM matched GROUP BY ALL").fetchall()
        rivals.execute("SELECT region, count(*) FROM matched GROUP BY region").fetchall()
        tiers = dict(rivals.execute("SELECT tier, count(*) FROM matched GROUP BY tier").fetchall())
        return sum(tiers.values()), tiers

    return Task(
        "segment_profile",
        ours,
        baseline,
        same_answer=lambda a, b: a == b,
        figure=True,
        strong=strong,
        strong_kind="duckdb",
    )


def _benchmark_segment(engine: Engine, user: SignedInUser) -> int:
    with engine.connect() as conn:
        listed = segments.list_segments(conn, user)
        known = listed.filter(listed["name"] == SEGMENT_NAME)
        if known.height:
            return int(known["segment_id"][0])
        saved = segments.save_segment(
            conn, user, SEGMENT_NAME, segments.validate_spec({"op": "and"}), shared=False
        )
        conn.commit()
    return saved.segment_id


def draw_task(
    engine: Engine,
    user: SignedInUser,
    copy: segments.FeatureCopy,
    customer_frame: pd.DataFrame,
    rivals: duckdb.DuckDBPyConnection,
) -> Task:
    """A DM draw stratified by branch; answers: customers drawn per branch."""
    with engine.connect() as conn:
        customers = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
    size = max(1, round(FULL_SCALE_DRAW * customers / FULL_SCALE_CUSTOMERS))
    plan = campaigns.CampaignPlan(
        name="benchmark",
        segment_id=_benchmark_segment(engine, user),
        channel="dm",
        control_pct=CONTROL_PCT,
        seed=SEED,
        cost_per_piece_krw=1_500,
        sample_size=size,
        stratify_by="branch",
    )

    def ours(_index: int) -> dict[str, int]:
        with engine.connect() as conn:
            drawn = campaigns.preview_draw(conn, user, copy, plan).drawn
        return dict(drawn.group_by("stratum").len().iter_rows())

    def baseline(_index: int) -> dict[str, int]:
        """The customers in pandas; sample each branch its proportional share."""
        eligible = customer_frame[customer_frame["consent_dm"].astype(bool)]
        taken = quotas(eligible.groupby("code").size())
        drawn = pd.concat(
            group.sample(n=int(taken[code]), random_state=SEED)
            for code, group in eligible.groupby("code")
        )
        control = math.floor(size * CONTROL_PCT / 100 + 0.5)
        drawn.sample(n=control, random_state=SEED)
        return {
            code: int(number) for code, number in drawn.groupby("code").size().items() if number
        }

    def strong(_index: int) -> dict[str, int]:
        """DuckDB: branch sizes in SQL, the quotas in Python, then each branch's share drawn
        by a seeded hash order and the control group likewise."""
        population = f"""
            SELECT o.id, b.code FROM ({_open_customers_sql(copy.as_of)}) o
            JOIN branches b ON b.id = o.home_branch_id WHERE o.consent_dm
        """  # noqa: S608 - no input in it
        sizes = rivals.execute(
            f"SELECT code, count(*) AS customers FROM ({population}) GROUP BY code"  # noqa: S608
        ).df()
        taken = quotas(sizes.set_index("code")["customers"])
        rivals.register("quota", pd.DataFrame({"code": taken.index, "quota": taken.to_numpy()}))
        drawn = dict(
            rivals.execute(f"""
                SELECT p.code, count(*) FROM (
                    SELECT code, id, row_number() OVER (
                        PARTITION BY code ORDER BY hash(id + {SEED})) AS rank
                    FROM ({population})
                ) p JOIN quota q ON q.code = p.code WHERE p.rank <= q.quota GROUP BY p.code
            """).fetchall()  # noqa: S608 - no input in it
        )
        control = math.floor(size * CONTROL_PCT / 100 + 0.5)
        rivals.execute(
            f"SELECT id FROM ({population}) ORDER BY hash(id + {SEED + 1}) LIMIT {control}"  # noqa: S608
        ).fetchall()
        return {code: int(number) for code, number in drawn.items() if number}

    def quotas(sizes: pd.Series) -> pd.Series:
        """Each branch's share of `size`, largest remainders rounded up (as ours)."""
        sizes = sizes.sort_index()
        quota = size * sizes / sizes.sum()
        taken = np.floor(quota).astype(int)
        order = (quota - taken).sort_values(ascending=False, kind="stable").index
        taken[order[: size - int(taken.sum())]] += 1
        return taken

    return Task(
        "campaign_draw",
        ours,
        baseline,
        same_answer=lambda a, b: a == b,
        strong=strong,
        strong_kind="duckdb",
    )
