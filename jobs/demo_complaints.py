"""The demo's complaint cases (민원): a trickle of a few a month per branch over the last six
months, of every category and channel, most answered in time and closed by compliance, a few
closed late, a few still open past their deadline and some close to it, so the complaints
page, the agenda, the home pages and the complaint KPIs all have something to show.

The `rep` demo account's branch (Gangnam, 101) always holds an overdue case the rep handles
and one near its deadline nobody has taken yet (it sits on the branch manager's agenda).
Cases are written in bulk with their history, as the rest of the demo is: everything depends
on the data, the demo's seed and as_of only, and costs well under a second at any scale.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import Engine, func, select

from data_access import complaints
from data_access.core.business_days import (
    extra_holidays,
    is_business_day,
)
from data_access.core.complaint_rules import (
    DEADLINE_DAYS,
    after_business_days,
    complaint_settings,
    deadline_for,
)
from data_access.core.db import (
    FrameSchema,
    bulk_insert,
    read_frame,
)
from data_access.core.models import (
    Branch,
    Complaint,
    ComplaintEvent,
    Customer,
    Employee,
    Product,
    Role,
    User,
)

DEMO_SEED = 22
HISTORY_DAYS = 182  # about six months of cases before as_of
CASES_PER_BRANCH_MONTH = 3.0
CATEGORY_WEIGHTS = {"mis_selling": 18, "fees": 24, "service": 34, "system": 12, "other": 12}
CHANNEL_WEIGHTS = {"visit": 28, "phone": 34, "letter": 9, "regulator": 11, "website": 18}
PRODUCT_SHARE = {"mis_selling": 1.0, "fees": 0.7}  # of cases naming a product, by category
# Of cases received before the last deadline's worth of days: closed in time, closed late,
# still open past the deadline (the rest). Younger cases close in proportion to their age.
CLOSED_IN_TIME, CLOSED_LATE = 0.9, 0.06
OPEN_OVERDUE_AT_MOST_DAYS = 45
COMPLIANCE_USER = "compliance"
REP_USER = "rep"
SUMMARIES = {
    "mis_selling": "상품 위험을 충분히 설명받지 못하고 가입했다는 민원. 원금 손실 보상 요구.",
    "fees": "환매 수수료가 안내받은 것과 다르다는 민원.",
    "service": "창구 대기 시간과 직원 응대가 불친절했다는 민원.",
    "system": "인터넷 조회 화면에 잔고가 잘못 표시되었다는 민원.",
    "other": "우편물 주소 변경이 반영되지 않았다는 민원.",
}
RESOLUTIONS = {
    "mis_selling": "판매 당시 설명 녹취와 서류 확인, 고객 면담 후 일부 보상 합의.",
    "fees": "수수료 산정 근거 설명, 착오분 환급 처리.",
    "service": "지점장 사과 및 직원 응대 교육 실시.",
    "system": "전산 오류 수정 확인 후 고객에게 결과 안내.",
    "other": "주소 변경 처리 및 고객 안내.",
}
NOTE = "고객과 통화하여 경위 확인, 처리 일정 안내."


def _weighted(rng: np.random.Generator, weights: dict[str, int], size: int) -> np.ndarray:
    names = list(weights)
    shares = np.array([weights[name] for name in names], dtype=float)
    return np.array(names)[rng.choice(len(names), size=size, p=shares / shares.sum())]


def run(engine: Engine, as_of: dt.date) -> dict[str, Any]:
    """Write the demo's cases and their history; returns how many and how long it took."""
    started = time.perf_counter()
    rng = np.random.default_rng([DEMO_SEED, as_of.toordinal()])
    with engine.begin() as conn:
        closures = extra_holidays(conn)
        deadline_days = complaint_settings(conn)[DEADLINE_DAYS]
        branches = read_frame(conn, select(Branch.id).where(Branch.is_active), {"id": pl.Int64})[
            "id"
        ].to_numpy()
        last_customer = conn.scalar(select(func.max(Customer.id))) or 0
        products = read_frame(conn, select(Product.id), {"id": pl.Int64})["id"].to_numpy()
        staff = read_frame(
            conn,
            select(Employee.id, Employee.branch_id, Employee.role).where(
                Employee.is_active, Employee.branch_id.is_not(None)
            ),
            {"id": pl.Int64, "branch_id": pl.Int64, "role": pl.String},
        )
        rep = conn.execute(
            select(User.employee_id, Employee.branch_id)
            .join(Employee, Employee.id == User.employee_id)
            .where(User.username == REP_USER)
        ).one_or_none()
        first_id = (conn.scalar(select(func.max(Complaint.id))) or 0) + 1
        if not len(branches) or not last_customer:
            return {"cases": 0, "seconds": 0.0}

        # Customers drawn at random (a branch's share follows its customers), open ones only.
        months = HISTORY_DAYS / 30.4
        wanted = round(len(branches) * months * CASES_PER_BRANCH_MONTH)
        drawn = np.unique(rng.integers(1, last_customer + 1, size=wanted * 2))
        people = read_frame(
            conn,
            select(Customer.id, Customer.home_branch_id, Customer.manager_id).where(
                Customer.id.in_(drawn.tolist()), Customer.closed_on.is_(None)
            ),
            {"id": pl.Int64, "home_branch_id": pl.Int64, "manager_id": pl.Int64},
        )
        people = people.sample(n=min(wanted, people.height), seed=int(rng.integers(1 << 31)))
        rep_book = None
        if rep is not None:
            rep_book = read_frame(
                conn,
                select(Customer.id, Customer.home_branch_id, Customer.manager_id)
                .where(Customer.manager_id == rep.employee_id, Customer.closed_on.is_(None))
                .order_by(Customer.id)
                .limit(2),
                {"id": pl.Int64, "home_branch_id": pl.Int64, "manager_id": pl.Int64},
            )
        cases = _cases(rng, people, as_of, closures, deadline_days, products, staff)
        if rep is not None and rep_book is not None and rep_book.height == 2:
            cases = pl.concat(
                [cases, _rep_cases(rep_book, rep.employee_id, as_of, closures, deadline_days)],
                how="vertical_relaxed",
            )
        cases = cases.with_columns(
            pl.int_range(first_id, first_id + cases.height, dtype=pl.Int64).alias("id")
        ).with_columns(
            pl.struct("received_on", "id")
            .map_elements(
                lambda row: complaints.case_number(row["received_on"], row["id"]),
                return_dtype=pl.String,
            )
            .alias("case_no")
        )
        bulk_insert(conn, Complaint.__table__, cases.select(_COMPLAINT_COLUMNS))
        bulk_insert(conn, ComplaintEvent.__table__, _events(cases))
    return {"cases": cases.height, "seconds": round(time.perf_counter() - started, 3)}


_COMPLAINT_COLUMNS = [
    "id", "case_no", "customer_id", "product_id", "branch_id", "category", "channel", "source",
    "received_on", "deadline_on", "summary", "handler_id", "status", "resolution", "closed_on",
    "closed_by", "opened_by", "opened_at",
]  # fmt: skip


def _business_days_between(first: dt.date, last: dt.date, closures: Any) -> list[dt.date]:
    days = pl.date_range(first, last, eager=True).to_list()
    return [day for day in days if is_business_day(day, closures)]


def _cases(
    rng: np.random.Generator,
    people: pl.DataFrame,
    as_of: dt.date,
    closures: Any,
    deadline_days: int,
    products: np.ndarray,
    staff: pl.DataFrame,
) -> pl.DataFrame:
    size = people.height
    days = _business_days_between(as_of - dt.timedelta(days=HISTORY_DAYS), as_of, closures)
    received = [days[i] for i in np.sort(rng.integers(0, len(days), size=size))]
    category = _weighted(rng, CATEGORY_WEIGHTS, size)
    channel = _weighted(rng, CHANNEL_WEIGHTS, size)
    names_product = rng.random(size) < np.array([PRODUCT_SHARE.get(c, 0.2) for c in category])
    product = (
        np.where(names_product, rng.choice(products, size=size), -1) if len(products) else None
    )
    deadline = [deadline_for(day, deadline_days, closures) for day in received]
    fate = rng.random(size)
    spent = rng.uniform(0.2, 1.0, size)  # share of the allowed days a case took when in time
    late_by = rng.integers(1, 8, size)
    by_branch = {
        branch: group["id"].to_numpy()
        for (branch,), group in staff.filter(pl.col("role") != Role.BRANCH_MANAGER.value).group_by(
            "branch_id"
        )
    }
    # A case left open for months would have been escalated long ago: the older ones were
    # closed late, so those still overdue are of the last weeks.
    stale_before = as_of - dt.timedelta(days=OPEN_OVERDUE_AT_MOST_DAYS)
    rows = []
    for i, person in enumerate(people.iter_rows(named=True)):
        due = deadline[i]
        age = len(_business_days_between(received[i], as_of, closures)) - 1
        closed_on = None
        if due < as_of:  # the whole allowance has passed
            if fate[i] < CLOSED_IN_TIME:
                closed_on = after_business_days(
                    received[i], int(spent[i] * deadline_days), closures
                )
            elif fate[i] < CLOSED_IN_TIME + CLOSED_LATE or due < stale_before:
                closed_on = min(after_business_days(due, int(late_by[i]), closures), as_of)
        elif fate[i] < 0.8 * age / deadline_days:  # younger cases: some answered already
            closed_on = after_business_days(received[i], max(age - 1, 0), closures)
        branch_staff = by_branch.get(person["home_branch_id"])
        handler = person["manager_id"] if person["manager_id"] is not None else None
        if handler is None and branch_staff is not None and len(branch_staff):
            handler = int(rng.choice(branch_staff))
        handled = closed_on is not None or fate[i] < 0.7
        rows.append(
            _row(
                person["id"],
                person["home_branch_id"],
                category[i],
                channel[i],
                received[i],
                due,
                handler if handled else None,
                closed_on,
                None if product is None or product[i] < 0 else int(product[i]),
            )
        )
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row")


def _rep_cases(
    book: pl.DataFrame, rep_id: int, as_of: dt.date, closures: Any, deadline_days: int
) -> pl.DataFrame:
    """The rep's overdue case (received a deadline and four days ago, the rep handling it)
    and a case due within two business days that nobody has taken yet."""
    overdue_received = _business_days_back(as_of, deadline_days + 4, closures)
    near_received = _business_days_back(as_of, deadline_days - 2, closures)
    first, second = book.iter_rows(named=True)
    rows = [
        _row(
            first["id"], first["home_branch_id"], "fees", "phone", overdue_received,
            deadline_for(overdue_received, deadline_days, closures), rep_id, None, None,
        ),
        _row(
            second["id"], second["home_branch_id"], "mis_selling", "regulator", near_received,
            deadline_for(near_received, deadline_days, closures), None, None, None,
        ),
    ]  # fmt: skip
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row")


def _business_days_back(day: dt.date, count: int, closures: Any) -> dt.date:
    while count:
        day -= dt.timedelta(days=1)
        count -= is_business_day(day, closures)
    return day


_SCHEMA: FrameSchema = {
    "customer_id": pl.Int64,
    "branch_id": pl.Int64,
    "category": pl.String,
    "channel": pl.String,
    "source": pl.String,
    "received_on": pl.Date,
    "deadline_on": pl.Date,
    "summary": pl.String,
    "handler_id": pl.Int64,
    "status": pl.String,
    "resolution": pl.String,
    "closed_on": pl.Date,
    "closed_by": pl.String,
    "opened_by": pl.String,
    "opened_at": pl.Datetime("us"),
    "product_id": pl.Int64,
}


def _row(
    customer_id: int,
    branch_id: int,
    category: str,
    channel: str,
    received: dt.date,
    due: dt.date,
    handler: int | None,
    closed_on: dt.date | None,
    product_id: int | None,
) -> tuple[Any, ...]:
    status = complaints.CLOSED if closed_on else complaints.IN_PROGRESS if handler else "open"
    return (
        customer_id,
        branch_id,
        category,
        channel,
        "regulator" if channel == "regulator" else "customer",
        received,
        due,
        SUMMARIES[category],
        handler,
        status,
        RESOLUTIONS[category] if closed_on else None,
        closed_on,
        COMPLIANCE_USER if closed_on else None,
        REP_USER,
        dt.datetime.combine(received, dt.time(10, 0)),
        product_id,
    )


def _events(cases: pl.DataFrame) -> pl.DataFrame:
    """Each case's history: received; assigned the next morning and a note, when it has a
    handler; closed with its resolution."""
    opened = cases.select(
        pl.col("id").alias("complaint_id"),
        pl.lit("opened").alias("kind"),
        pl.lit("open").alias("status"),
        pl.lit(None, dtype=pl.Int64).alias("handler_id"),
        pl.lit(None, dtype=pl.String).alias("note"),
        "opened_by",
        "opened_at",
    )
    handled = cases.filter(pl.col("handler_id").is_not_null())
    assigned = handled.select(
        pl.col("id").alias("complaint_id"),
        pl.lit("assigned").alias("kind"),
        pl.lit("in_progress").alias("status"),
        "handler_id",
        pl.lit(None, dtype=pl.String).alias("note"),
        pl.lit(REP_USER).alias("opened_by"),
        (pl.col("opened_at") + pl.duration(hours=2)).alias("opened_at"),
    )
    noted = assigned.with_columns(
        pl.lit("note").alias("kind"),
        pl.lit(NOTE).alias("note"),
        (pl.col("opened_at") + pl.duration(hours=3)).alias("opened_at"),
    )
    closed = cases.filter(pl.col("closed_on").is_not_null()).select(
        pl.col("id").alias("complaint_id"),
        pl.lit("closed").alias("kind"),
        pl.lit("closed").alias("status"),
        "handler_id",
        pl.col("resolution").alias("note"),
        pl.lit(COMPLIANCE_USER).alias("opened_by"),
        (pl.col("closed_on").cast(pl.Datetime("us")) + pl.duration(hours=16)).alias("opened_at"),
    )
    return (
        pl.concat([opened, assigned, noted, closed], how="vertical_relaxed")
        .rename({"opened_by": "recorded_by", "opened_at": "recorded_at"})
        .sort("complaint_id", "recorded_at")
    )
