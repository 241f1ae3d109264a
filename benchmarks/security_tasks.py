"""Security tasks (issue #9): checking the whole audit chain and the monthly access review,
each against what a plain pandas app would do (read the tables whole, then compute)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import polars as pl
from sqlalchemy import Engine, func, select, text

from benchmarks.harness import Task
from data_access.admin.audit import (
    AUDIT_SCHEMA,
    MANY_RECORDS_PER_MONTH,
    OUTSIDE_BRANCH_VIEWS,
    monthly_review,
    verify_chain,
)
from data_access.core.db import (
    bulk_insert,
    read_frame,
)
from data_access.core.masking import (
    mask_address,
    mask_email,
    mask_phone,
)
from data_access.core.models import (
    AuditRecord,
    Customer,
    User,
)
from data_access.core.policy import (
    Action,
    holds_grant,
)
from data_access.core.security import (
    AUDIT_HASH_VERSION,
    GENESIS_HASH,
    SignedInUser,
    SignInRefused,
    audit_row_hash,
    authenticate,
    now_seoul,
)
from data_access.exports import exports, grants
from jobs.demo import DEMO_PASSWORD

BENCH_CLIENT = "benchmark"
SEED = 20261125
# A month of record views: about a third of the customer base (1,000 staff, 40 views a day).
ROWS_PER_CUSTOMER = 1 / 3
MIN_ROWS = 50_000
INSERT_CHUNK = 100_000
# The audit log's columns as the review reads them, plus those the chain is made of.
TRAIL_SCHEMA = {
    **{name: dtype for name, dtype in AUDIT_SCHEMA.items() if name != "id"},
    "user_id": pl.Int64,
    "prev_hash": pl.String,
    "row_hash": pl.String,
    "hash_version": pl.Int16,
}


def tasks(engine: Engine) -> list[Task]:
    month = ensure_trail(engine)
    with engine.connect() as conn:
        admin = authenticate(conn, "admin", DEMO_PASSWORD)
        conn.commit()
    return [
        audit_verify_task(engine),
        audit_review_task(engine, admin, month),
        export_task(engine),
        failed_sign_in_task(engine),
    ]


def ensure_trail(engine: Engine) -> dt.date:
    """Append a month of synthetic record views (chained to the head) unless already there;
    returns the month they fall in."""
    with engine.connect() as conn:
        customers = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
        wanted = max(MIN_ROWS, int(customers * ROWS_PER_CUSTOMER))
        have = conn.execute(
            select(func.count(), func.max(AuditRecord.occurred_at)).where(
                AuditRecord.client == BENCH_CLIENT
            )
        ).one()
        if have[0] >= wanted:
            return have[1].date().replace(day=1)
        users = conn.execute(select(User.id, User.username)).all()
        numbers = conn.scalars(select(Customer.customer_no)).all()
    rng = np.random.default_rng(SEED)
    now = now_seoul()
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    seconds = np.sort(rng.integers(0, max(int((now - start).total_seconds()), 1), wanted - have[0]))
    who = rng.integers(0, len(users), seconds.size)
    whom = rng.integers(0, len(numbers), seconds.size)
    with engine.begin() as conn:
        head = conn.execute(select(AuditRecord.row_hash).order_by(AuditRecord.id.desc()).limit(1))
        previous = head.scalar() or GENESIS_HASH
        rows = []
        for offset, user_index, customer_index in zip(seconds, who, whom, strict=True):
            user_id, username = users[user_index]
            record = SimpleNamespace(
                occurred_at=start + dt.timedelta(seconds=int(offset)),
                user_id=user_id,
                username=username,
                action="customer_view",
                target_kind="customer",
                target_id=numbers[customer_index],
                detail=None,
                client=BENCH_CLIENT,
                prev_hash=previous,
                hash_version=AUDIT_HASH_VERSION,
            )
            record.row_hash = previous = audit_row_hash(record)
            rows.append(vars(record))
            if len(rows) == INSERT_CHUNK:
                bulk_insert(conn, AuditRecord.__table__, pl.DataFrame(rows, schema=TRAIL_SCHEMA))
                rows = []
        if rows:
            bulk_insert(conn, AuditRecord.__table__, pl.DataFrame(rows, schema=TRAIL_SCHEMA))
    return start.date()


def audit_verify_task(engine: Engine) -> Task:
    """`audit-verify`: ours streams the chain in batches; pandas reads the whole log at once."""

    def ours(_index: int) -> tuple[int, bool, str]:
        with engine.connect() as conn:
            report = verify_chain(conn)
        return report.rows, report.intact, report.head_hash

    def baseline(_index: int) -> tuple[int, bool, str]:
        log = pd.read_sql("SELECT * FROM audit_log ORDER BY id", engine)
        previous, version = GENESIS_HASH, 1
        for row in log.itertuples(index=False):
            occurred = pd.Timestamp(row.occurred_at).to_pydatetime()
            fields = [
                None if pd.isna(part) else part
                for part in (
                    row.prev_hash,
                    occurred.isoformat(),
                    None if pd.isna(row.user_id) else int(row.user_id),
                    row.username,
                    row.action,
                    row.target_kind,
                    row.target_id,
                    row.detail,
                    row.client,
                )
            ]
            if row.hash_version == 1:
                payload = "|".join(str(field) for field in fields)
            else:
                payload = json.dumps(
                    [int(row.hash_version), *fields], ensure_ascii=False, separators=(",", ":")
                )
            if (
                row.prev_hash != previous
                or row.hash_version < version
                or hashlib.sha256(payload.encode()).hexdigest() != row.row_hash
            ):
                return len(log), False, previous
            previous, version = row.row_hash, row.hash_version
        return len(log), True, previous

    return Task("audit_verify", ours, baseline, same_answer=lambda a, b: a == b, runs=3)


def audit_review_task(engine: Engine, admin: SignedInUser, month: dt.date) -> Task:
    """The monthly access review: ours aggregates in SQL; pandas joins whole tables."""

    def ours(_index: int) -> list[tuple]:
        with engine.connect() as conn:
            review = monthly_review(conn, admin, month)
        return sorted(
            review.select("username", "views", "customers", "outside_branch", "exports")
            .fill_null(-1)
            .rows()
        )

    def baseline(_index: int) -> list[tuple]:
        start = dt.datetime.combine(month, dt.time())
        end = (start + dt.timedelta(days=32)).replace(day=1)
        log = pd.read_sql(
            text(
                "SELECT user_id, action, target_kind, target_id FROM audit_log "
                "WHERE occurred_at >= :start AND occurred_at < :end"
            ),
            engine,
            params={"start": str(start), "end": str(end)},
        )
        users = pd.read_sql("SELECT id AS user_id, username, employee_id FROM users", engine)
        staff = pd.read_sql("SELECT id AS employee_id, branch_id FROM employees", engine)
        homes = pd.read_sql("SELECT customer_no, home_branch_id FROM customers", engine)
        log = log[log["action"].isin(["customer_view", "customer_search"])
                  | log["action"].str.endswith("export")]  # fmt: skip
        log = log.merge(users, on="user_id").merge(staff, on="employee_id", how="left")
        log = log.merge(homes, left_on="target_id", right_on="customer_no", how="left")
        view = log["action"] == "customer_view"
        log["view"] = view.astype(int)
        log["viewed"] = log["target_id"].where(view)
        log["outside"] = (view & (log["home_branch_id"] != log["branch_id"])).astype(int)
        log["export"] = log["action"].str.endswith("export").astype(int)
        per_user = log.groupby("username").agg(
            views=("view", "sum"),
            customers=("viewed", "nunique"),
            outside_branch=("outside", "sum"),
            exports=("export", "sum"),
            branch=("branch_id", "first"),
        )
        per_user.loc[per_user["branch"].isna(), "outside_branch"] = -1
        flagged = per_user[
            (per_user["customers"] >= MANY_RECORDS_PER_MONTH)
            | (
                (per_user["outside_branch"] >= OUTSIDE_BRANCH_VIEWS)
                & (per_user["outside_branch"] * 2 >= per_user["views"])
            )
            | (per_user["exports"] > 0)
        ]
        return sorted(
            (name, int(r.views), int(r.customers), int(r.outside_branch), int(r.exports))
            for name, r in flagged.iterrows()
        )

    def strong(_index: int) -> list[tuple]:
        """One GROUP BY in the database over the month's rows, the flags in its WHERE."""
        start = dt.datetime.combine(month, dt.time())
        end = (start + dt.timedelta(days=32)).replace(day=1)
        per_user = """
            SELECT u.username,
                SUM(CASE WHEN l.action = 'customer_view' THEN 1 ELSE 0 END) AS views,
                COUNT(DISTINCT CASE WHEN l.action = 'customer_view' THEN l.target_id END)
                    AS customers,
                CASE WHEN e.branch_id IS NULL THEN -1 ELSE SUM(
                    CASE WHEN l.action = 'customer_view'
                        AND (c.home_branch_id IS NULL OR c.home_branch_id <> e.branch_id)
                    THEN 1 ELSE 0 END) END AS outside_branch,
                SUM(CASE WHEN l.action LIKE '%export' THEN 1 ELSE 0 END) AS exports
            FROM audit_log l
            JOIN users u ON u.id = l.user_id
            LEFT JOIN employees e ON e.id = u.employee_id
            LEFT JOIN customers c ON c.customer_no = l.target_id
            WHERE l.occurred_at >= :start AND l.occurred_at < :end
                AND (l.action IN ('customer_view', 'customer_search') OR l.action LIKE '%export')
            GROUP BY u.username, e.branch_id
        """
        flagged = pd.read_sql(
            text(
                f"SELECT * FROM ({per_user}) per_user WHERE customers >= :many "  # noqa: S608
                "OR (outside_branch >= :outside AND outside_branch * 2 >= views) OR exports > 0"
            ),
            engine,
            params={
                "start": start,
                "end": end,
                "many": MANY_RECORDS_PER_MONTH,
                "outside": OUTSIDE_BRANCH_VIEWS,
            },
        )
        return sorted(
            (r.username, int(r.views), int(r.customers), int(r.outside_branch), int(r.exports))
            for r in flagged.itertuples(index=False)
        )

    return Task(
        "audit_review",
        ours,
        baseline,
        same_answer=lambda a, b: a == b,
        runs=5,
        strong=strong,
        strong_kind="sql",
    )


EXPORT_ROWS = 20_000


def export_task(engine: Engine) -> Task:
    """One masked, formula-safe CSV export of a customer list (reason, grant and audit
    included) against pandas masking row by row and writing CSV, nothing checked."""
    with engine.connect() as conn:
        listing = read_frame(
            conn,
            select(
                Customer.customer_no, Customer.name, Customer.phone, Customer.email,
                Customer.address,
            ).order_by(Customer.id).limit(EXPORT_ROWS),
        )  # fmt: skip
        # End the read before the sign-ins write: on SQLite a read transaction cannot become a
        # write one once another connection has written since it began ("database is locked").
        conn.commit()
        executive = authenticate(conn, "exec", DEMO_PASSWORD)
        admin = authenticate(conn, "admin", DEMO_PASSWORD)
        conn.commit()
        if not holds_grant(conn, executive, Action.EXPORT):
            grants.grant(conn, admin, "exec", Action.EXPORT, reason="benchmark")
            conn.commit()

    def ours(_index: int) -> list[str]:
        with engine.connect() as conn:
            exported = exports.export_frame(
                conn, executive, listing, name="benchmark", reason="benchmark"
            )
            conn.commit()
        return pl.read_csv(exported.data[3:], infer_schema=False)["phone"].to_list()

    def baseline(_index: int) -> list[str]:
        frame = listing.to_pandas()
        frame["phone"] = frame["phone"].map(mask_phone)
        frame["email"] = frame["email"].map(mask_email, na_action="ignore")
        frame["address"] = frame["address"].map(mask_address)
        data = frame.to_csv(index=False).encode()
        return pd.read_csv(io.BytesIO(data), dtype=str)["phone"].tolist()

    return Task("export_csv", ours, baseline, same_answer=lambda a, b: a == b, runs=5)


# Failed sign-ins of the timing task come from an address of their own: its throttle holds only
# that address back, and a held-back try costs the same verify as a judged one.
SIGN_IN_PROBE_CLIENT = "benchmark-sign-in"


def failed_sign_in_task(engine: Engine) -> Task:
    """A wrong sign-in under a name nobody has (ours) against one under a real account's name
    (the baseline): the ratio near 1 is what says the answer's time does not tell them apart
    (the unknown name is verified against a dummy argon2 hash, not skipped)."""

    def refusal(username: str) -> str:
        with engine.connect() as conn:
            try:
                authenticate(conn, username, "not-the-password", client=SIGN_IN_PROBE_CLIENT)
            except SignInRefused as refused:
                return str(refused)
        return "signed in"

    return Task(
        "failed_sign_in_unknown_vs_real_name",
        lambda index: refusal(f"nobody-{index}"),
        lambda _index: refusal("exec"),
        same_answer=lambda a, b: a == b,
        runs=10,
    )
