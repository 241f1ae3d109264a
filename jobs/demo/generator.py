"""Deterministic demo data: a plausible Korean fund company to explore, test and benchmark on.

Every table is drawn with numpy from a generator seeded by (seed, table, chunk), shaped as
polars frames and bulk-loaded in one transaction. So the same seed and arguments give the same
rows on SQLite and PostgreSQL, a failure leaves the old data untouched, and the big tables are
built a chunk at a time so 2.6 million customers fit in a few GB. Names, phone numbers and
addresses are assembled from common parts; none belongs to a real person.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import holidays
import numpy as np
import polars as pl
from sqlalchemy import Connection, Engine, Table, insert, select

from data_access import agenda, retention
from data_access.core.business_days import (
    business_today,
)
from data_access.core.db import (
    bulk_insert,
    bulk_load_transaction,
    checks_built_after_load,
    database_size_bytes,
    is_sqlite,
    settle_after_bulk_load,
    sqlite_driver,
)
from data_access.core.errors import (
    Refused,
)
from data_access.core.models import (
    ALERT_KINDS,
    CONSULTATION_CHANNELS,
    CONSULTATION_OUTCOMES,
    LIFE_EVENT_KINDS,
    PREFERRED_CHANNELS,
    TRANSACTION_CHANNELS,
    TRANSACTION_KINDS,
    Account,
    AgendaRule,
    Alert,
    Base,
    Branch,
    BranchTransfer,
    Consultation,
    Customer,
    Employee,
    Enrolment,
    LifeEvent,
    Product,
    Role,
    Setting,
    Tier,
    TrainingCourse,
    TrainingSession,
    Transaction,
    UsageEvent,
    User,
)
from data_access.core.security import (
    hash_password,
)
from jobs.demo.reference import (
    AGENDA_RULES,
    ALERT_RESOLUTIONS,
    ALERT_TEXTS,
    BRANCH_SITES,
    CORRECTED_FIELDS,
    COURSES,
    CUE_WEIGHTS,
    CUES,
    EMAIL_DOMAINS,
    FEMALE_FIRST,
    FEMALE_SECOND,
    FUND_TYPE_POPULARITY,
    MALE_FIRST,
    MALE_SECOND,
    NO_ANSWER_NOTES,
    NOTE_TEMPLATES,
    OCCUPATION_WEIGHTS_BY_AGE_BAND,
    OCCUPATIONS,
    OUTCOME_SENTENCES,
    PRODUCTS,
    PROVINCES,
    REGION_CUSTOMER_WEIGHT,
    ROADS,
    SENSITIVE_NOTES,
    SURNAMES,
    TRAINING_LOCATIONS,
    TRANSFER_REASONS,
    Course,
)

_log = logging.getLogger(__name__)
DEMO_PASSWORD = "dreams-demo"

Progress = Callable[[str, float], None]

CUSTOMER_CHUNK = 200_000  # customers per chunk of customer-derived rows (~1.5 M transactions)
USAGE_DAYS_PER_CHUNK = 5  # working days of usage events per bulk insert (~1.2 M rows)
FIRST_CUSTOMER_NO = 100_000_001
FIRST_ACCOUNT_NO = 30_000_000_001
HISTORY_YEARS = 3  # transactions, consultations and training sessions reach this far back
EARLIEST_AS_OF = dt.date(2001, 1, 1)  # customers open accounts from 1997 and are 20+ years old
DAY_START_S = 9 * 3600
BRANCH_HOURS_S = 7 * 3600  # transactions are booked 09:00-16:00


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """A named sign-in of the demo database, one per role, all with DEMO_PASSWORD."""

    username: str
    role: Role
    description_en: str
    description_ko: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "exec", Role.EXECUTIVE, "Executive: firm-wide KPIs and branch league tables",
        "임원: 전사 KPI와 지점 순위",
    ),
    DemoAccount(
        "manager", Role.BRANCH_MANAGER,
        "Branch manager of Gangnam (101): staff usage and the branch agenda",
        "강남지점(101) 지점장: 직원 시스템 활용도와 지점 아젠다",
    ),
    DemoAccount(
        "dedicated", Role.DEDICATED_MANAGER,
        "Dedicated manager in Gangnam (101): a book of VIP and priority customers",
        "강남지점 전담 매니저: VIP·우수 고객 담당",
    ),
    DemoAccount(
        "rep", Role.SALES_REP, "Sales rep in Gangnam (101): morning agenda and customer 360",
        "강남지점 영업 담당: 모닝 아젠다와 고객 360",
    ),
    DemoAccount(
        "trainer", Role.TRAINER, "Trainer: courses, enrolments and certifications",
        "교육 담당: 교육 과정, 수강, 인증 관리",
    ),
    DemoAccount(
        "admin", Role.ADMIN, "Administrator: users, rules, jobs and the audit log",
        "관리자: 사용자, 규칙, 작업, 감사 로그",
    ),
    DemoAccount(
        "compliance", Role.COMPLIANCE, "Compliance: every branch's complaints, closed here",
        "소비자보호 담당: 전 지점 민원 처리와 종결",
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DemoSummary:
    rows: dict[str, int]
    seconds: float
    database_bytes: int
    as_of: dt.date
    seed: int
    customers: int


# ---------------------------------------------------------------------------------------------
# The shape of the firm and its customers. Names, places, funds, courses and texts are the
# reference data in jobs/demo/firm_data (see jobs.demo.reference).

# The firm scales with its customers on the article's ratios: 2.6 million customers in 84
# branches (about 31,000 a branch), 12 staff a branch, four of them dedicated managers with
# books of about 440 priority customers. A small demo keeps a few branches, so league tables
# and comparisons still mean something; its reps then hold smaller books than at full scale.
CUSTOMERS_PER_BRANCH = 2_600_000 / 84
MIN_BRANCHES = 4
DEDICATED_BOOK_SIZE = 440
# In a demo too small for full books, dedicated managers keep at most this share of a branch's
# customers, so the reps still have books.
DEDICATED_SHARE_LIMIT = 0.5
OFFICE_WORKER, HOMEMAKER = OCCUPATIONS.index("회사원"), OCCUPATIONS.index("주부")
AGE_BAND_LIMITS = (30, 60)  # age bands: under 30, 30-59, 60 and over
PREFERRED_CHANNEL_WEIGHTS_BY_AGE_BAND = ((15, 15, 62, 8), (35, 25, 28, 12), (55, 25, 5, 15))

TIERS = (Tier.VIP, Tier.PRIORITY, Tier.GENERAL)
VIP, PRIORITY, GENERAL = range(3)
VIP_SHARE, PRIORITY_SHARE = 0.02, 0.13  # of open customers, ranked by assets

ALWAYS_ALONE = 0  # the first of CUES, the article's fraud cue
CUE_SHARE = 0.04

# Expected yearly return and its spread by risk grade 1..6.
RETURN_MEAN_BY_RISK = np.array([0.08, 0.06, 0.045, 0.035, 0.025, 0.015])
RETURN_SPREAD_BY_RISK = np.array([0.30, 0.22, 0.14, 0.09, 0.05, 0.01])

SUBSCRIPTION, REDEMPTION = (TRANSACTION_KINDS.index(k) for k in ("subscription", "redemption"))
TRANSACTION_KIND_WEIGHTS = (35, 20, 30, 15)  # follows TRANSACTION_KINDS (data_access.models)
TRANSACTIONS_PER_ACCOUNT = 4.0
BRANCH_CHANNEL, ONLINE_CHANNEL, PHONE_CHANNEL = (
    TRANSACTION_CHANNELS.index(c) for c in ("branch", "online", "phone")
)
PROXY_SHARE_AT_BRANCH, PROXY_SHARE_BY_PHONE = 0.04, 0.01
TIER_ACTIVITY = np.array([2.0, 1.4, 0.9])  # transactions relative to an average customer

CONSULTATIONS_PER_CUSTOMER = 1.5
TIER_CONSULTATIONS = np.array([5.0, 2.5, 1.0])
CONSULTATION_CHANNEL_WEIGHTS = (35, 33, 10, 12, 10)
OUTCOME_WEIGHTS_BY_CHANNEL = (  # rows follow CONSULTATION_CHANNELS
    (30, 25, 15, 30, 0),
    (22, 8, 20, 25, 25),
    (10, 5, 10, 15, 60),
    (18, 7, 22, 23, 30),
    (30, 30, 10, 30, 0),
)
SENSITIVE_SHARE, CORRECTION_SHARE, CUE_IN_NOTE_SHARE = 0.02, 0.005, 0.6

ALWAYS_ALONE_ALERT_SHARE = 0.25  # of customers with the always-alone cue
OTHER_ALERT_SHARE = 0.0045  # of all customers, split evenly over the other three kinds

# Branch staffing after the redesign: 12 per branch. Slot 0 manages the branch.
BRANCH_SLOT_ROLES = (Role.BRANCH_MANAGER,) + (Role.DEDICATED_MANAGER,) * 4 + (Role.SALES_REP,) * 7
HEAD_OFFICE_ROLES = (
    (Role.EXECUTIVE,) * 3 + (Role.TRAINER,) * 4 + (Role.ADMIN,) * 2 + (Role.COMPLIANCE,) * 2
)
# Slots that always stay active, so every branch has someone to own VIP and general books.
FIRST_DEDICATED_SLOT, FIRST_REP_SLOT = 1, 5
HIRED_YEARS_AGO = {
    Role.BRANCH_MANAGER: (15, 35), Role.DEDICATED_MANAGER: (5, 30), Role.SALES_REP: (0.3, 25),
    Role.EXECUTIVE: (20, 35), Role.TRAINER: (5, 20), Role.ADMIN: (3, 15),
    Role.COMPLIANCE: (8, 25),
}  # fmt: skip
INACTIVE_SHARE = 0.03

# System adoption: most staff use it all day, a few barely, a few keep a paper diary.
REGULAR, LOW_ADOPTER, PAPER_HOLDOUT = range(3)
PAPER_BRANCH_SHARE = 0.08  # branches whose manager still prefers paper; staff follow
LOW_ADOPTER_SHARE, PAPER_HOLDOUT_SHARE = 0.065, 0.03  # elsewhere (overall ~8% and ~5%)
LOW_ADOPTER_SHARE_IN_PAPER_BRANCH, PAPER_HOLDOUT_SHARE_IN_PAPER_BRANCH = 0.3, 0.3
LEAVE_SHARE = 0.04  # employee-days off (leave, training, sick)

USAGE_ACTIONS = (
    "page_view", "search", "customer_view", "note", "agenda_work", "export", "campaign", "report",
)  # fmt: skip
NOTE_ACTION = USAGE_ACTIONS.index("note")
CUSTOMER_ACTIONS = tuple(USAGE_ACTIONS.index(a) for a in ("customer_view", "note", "agenda_work"))
# Rows: branch staff, branch managers, low adopters, paper holdouts (who mostly type up notes).
USAGE_ACTION_WEIGHTS = (
    (22, 14, 30, 7, 15, 2, 4, 6),
    (24, 8, 20, 4, 12, 8, 6, 18),
    (35, 20, 30, 5, 8, 0, 1, 1),
    (15, 5, 15, 65, 0, 0, 0, 0),
)
BRANCH_MANAGER_USAGE = 1  # row of USAGE_ACTION_WEIGHTS for a branch manager using the system
USAGE_PROFILE_BY_ADOPTION = np.array([0, 2, 3])  # REGULAR, LOW_ADOPTER, PAPER_HOLDOUT
PAGES_BY_ACTION = (
    ("home", "agenda", "customer_search", "customer_360", "segments", "campaigns",
     "branch_dashboard", "training", "kpis"),
    ("customer_search",), ("customer_360",), ("customer_360",), ("agenda",),
    ("segments", "campaigns", "branch_dashboard"), ("campaigns",), ("branch_dashboard", "kpis"),
)  # fmt: skip
# Share of a working day's console actions per hour, 08:00-17:59 (lunch dip at noon).
WORK_HOUR_WEIGHTS = {8: 2, 9: 11, 10: 14, 11: 13, 12: 5, 13: 10, 14: 13, 15: 13, 16: 11, 17: 8}
PAPER_BURST_HOUR = 17  # holdouts type up the day's paper notes at closing time

TRAINING_SCHEDULED_AHEAD_DAYS = 60
# Where the latest certification of a certified course stands on as_of. Certificates renewed
# as they fall due leave about a quarter of a one-year certificate (an eighth of a two-year
# one) inside its last 90 days; a few people let theirs lapse, for up to LAPSED_DAYS.
CERT_EXPIRED_SHARE, CERT_EXPIRING_SHARE, EXPIRING_WINDOW_DAYS = 0.07, 0.18, 90
LAPSED_DAYS = 180
UPCOMING_SHARE, NO_SHOW_SHARE, PASS_SCORE = 0.05, 0.04, 60


# ---------------------------------------------------------------------------------------------
# Drawing helpers shared by the tables.

NEVER = np.datetime64("1900-01-01")  # a transfer date for customers who never moved
NO_DATE = np.datetime64("NaT", "D")


def _rng(seed: int, stream: str, chunk: int = 0) -> np.random.Generator:
    """A generator per (seed, table, chunk), so one table or chunk never reshuffles another."""
    return np.random.default_rng([seed, zlib.crc32(stream.encode()), chunk])


def _shares(weights: tuple[float, ...] | list[float] | np.ndarray) -> np.ndarray:
    values = np.asarray(weights, dtype=float)
    return values / values.sum()


def _cumulative(weights: tuple[float, ...] | tuple[tuple[float, ...], ...]) -> np.ndarray:
    """Cumulative shares per row (the last exactly 1) for `_draw_categories`."""
    table = np.atleast_2d(np.asarray(weights, dtype=float))
    table = np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)
    table[:, -1] = 1.0
    return table


def _draw_categories(
    rng: np.random.Generator, cumulative: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """One category index per entry, drawn with the weights in row `rows[i]` of `cumulative`."""
    return (rng.random(len(rows))[:, None] >= cumulative[rows]).sum(axis=1)


def _draw(rng: np.random.Generator, weights: tuple[float, ...], size: int) -> np.ndarray:
    return _draw_categories(rng, _cumulative(weights), np.zeros(size, dtype=np.int64))


@dataclass(frozen=True, slots=True)
class _Members:
    """Members of numbered groups laid out for vectorised draws (the sales reps of each branch,
    the customers of each branch): `draw` picks a uniform member per requested group, -1 if the
    group is empty."""

    values: np.ndarray
    starts: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, groups: np.ndarray, values: np.ndarray, group_count: int) -> _Members:
        order = np.argsort(groups, kind="stable")
        counts = np.bincount(groups, minlength=group_count)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        return cls(values[order], starts, counts)

    def draw(self, rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
        counts = self.counts[groups]
        picks = self.starts[groups] + (rng.random(len(groups)) * counts).astype(np.int64)
        if len(self.values) == 0:
            return np.full(len(groups), -1, dtype=np.int64)
        return np.where(counts > 0, self.values[np.minimum(picks, len(self.values) - 1)], -1)


@dataclass(frozen=True, slots=True)
class _Calendar:
    """Korean business days (weekdays that are not public holidays) as a sorted array, so
    drawing or rolling to a business day is index arithmetic over whole arrays."""

    days: np.ndarray

    @classmethod
    def between(cls, first: dt.date, last: dt.date) -> _Calendar:
        public_holidays = holidays.KR(years=range(first.year, last.year + 1))
        closed = np.array(sorted(public_holidays), dtype="datetime64[D]")
        every_day = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)
        return cls(every_day[np.is_busday(every_day, holidays=closed)])

    def roll_back(self, days: np.ndarray) -> np.ndarray:
        """The last business day on or before each day."""
        return self.days[np.maximum(np.searchsorted(self.days, days, side="right") - 1, 0)]

    def roll_forward(self, days: np.ndarray, business_days: int = 0) -> np.ndarray:
        """The first business day on or after each day, moved on by `business_days`."""
        index = np.searchsorted(self.days, days, side="left") + business_days
        return self.days[np.minimum(index, len(self.days) - 1)]

    def draw_between(
        self, rng: np.random.Generator, first: np.ndarray, last: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """A uniform business day in [first, last] per pair, and whether the range held one."""
        low = np.searchsorted(self.days, first, side="left")
        width = np.searchsorted(self.days, last, side="right") - low
        picks = low + (rng.random(len(low)) * np.maximum(width, 0)).astype(np.int64)
        return self.days[np.minimum(picks, len(self.days) - 1)], width > 0


@dataclass(frozen=True, slots=True)
class _Window:
    """The history the activity tables cover: HISTORY_YEARS up to the day before as_of, so the
    data look like the morning of as_of, before the day's work starts."""

    first: np.datetime64
    last: np.datetime64

    @property
    def days(self) -> int:
        return int((self.last - self.first).astype(np.int64)) + 1

    def overlap(self, opened: np.ndarray, closed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """First and last day of each life span (closed NaT = still open) inside the window."""
        first = np.maximum(opened, self.first)
        last = np.where(np.isnat(closed), self.last, np.minimum(closed, self.last))
        return first, last

    def share(self, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        return np.clip((last - first).astype(np.int64) + 1, 0, None) / self.days


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _add_months(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Calendar month arithmetic clipped to month end (31 January + 1 month = end of February)."""
    month = days.astype("datetime64[M]")
    day_of_month = days - month.astype("datetime64[D]")
    target = month + months.astype("timedelta64[M]")
    month_end = (target + 1).astype("datetime64[D]") - 1
    return np.minimum(target.astype("datetime64[D]") + day_of_month, month_end)


def _first_of_years(years: np.ndarray) -> np.ndarray:
    return (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")


def _days(count: np.ndarray | float) -> np.ndarray:
    return np.asarray(count).astype(np.int64).astype("timedelta64[D]")


def _at_seconds(days: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Naive Asia/Seoul timestamps: a day plus seconds after midnight."""
    return days.astype("datetime64[us]") + (seconds * 1_000_000).astype("timedelta64[us]")


def _work_hour_seconds(rng: np.random.Generator, size: int) -> np.ndarray:
    hours = np.array(list(WORK_HOUR_WEIGHTS))
    hour = hours[_draw(rng, tuple(WORK_HOUR_WEIGHTS.values()), size)]
    return hour * 3600 + rng.integers(0, 3600, size)


def _gather(values: tuple[str | None, ...] | list[str], index: np.ndarray) -> pl.Series:
    return pl.Series(values, dtype=pl.String).gather(index)


def _nullable(values: np.ndarray) -> pl.Series:
    """Integers where -1 means none (no branch, no employee, no score) as a nullable column."""
    return pl.Series(np.ma.masked_less(values, 0), dtype=pl.Int64)


def _with_ids(frame: pl.DataFrame, first_id: int) -> pl.DataFrame:
    return frame.select(
        pl.int_range(first_id, first_id + frame.height, dtype=pl.Int64).alias("id"), pl.all()
    )


def _korean_names(rng: np.random.Generator, female: np.ndarray) -> tuple[pl.Series, pl.Series]:
    """Names like 김민준, drawn by surname frequency, and a romanised handle like minjunkim."""
    size = len(female)
    surname = rng.choice(len(SURNAMES), size, p=_shares([w for _, _, w in SURNAMES]))
    first = np.where(
        female,
        len(MALE_FIRST) + rng.integers(0, len(FEMALE_FIRST), size),
        rng.integers(0, len(MALE_FIRST), size),
    )
    second = np.where(
        female,
        len(MALE_SECOND) + rng.integers(0, len(FEMALE_SECOND), size),
        rng.integers(0, len(MALE_SECOND), size),
    )
    firsts, seconds = MALE_FIRST + FEMALE_FIRST, MALE_SECOND + FEMALE_SECOND
    parts = pl.DataFrame(
        {
            "surname": _gather([s for s, _, _ in SURNAMES], surname),
            "surname_roman": _gather([r for _, r, _ in SURNAMES], surname),
            "first": _gather([s for s, _ in firsts], first),
            "first_roman": _gather([r for _, r in firsts], first),
            "second": _gather([s for s, _ in seconds], second),
            "second_roman": _gather([r for _, r in seconds], second),
        }
    )
    names = parts.select(
        pl.concat_str("surname", "first", "second").alias("name"),
        pl.concat_str("first_roman", "second_roman", "surname_roman").alias("handle"),
    )
    return names["name"], names["handle"]


# ---------------------------------------------------------------------------------------------
# The firm: branches, staff, products, training.


@dataclass(frozen=True, slots=True)
class _Staff:
    """Employees as arrays (index = id - 1) plus the per-branch pools that draws pick from."""

    ids: np.ndarray
    branch: np.ndarray  # branch index, -1 for head office
    sites: np.ndarray  # index into BRANCH_SITES of each branch
    roles: list[Role]
    active: np.ndarray
    hired: np.ndarray
    adoption: np.ndarray  # REGULAR, LOW_ADOPTER or PAPER_HOLDOUT
    usage_profile: np.ndarray  # row of USAGE_ACTION_WEIGHTS
    actions_per_day: np.ndarray
    usernames: list[str]
    dedicated_managers: _Members
    sales_reps: _Members
    branch_staff: _Members  # every active employee of the branch


def _branch_manager_id(branch: np.ndarray) -> np.ndarray:
    return branch * len(BRANCH_SLOT_ROLES) + 1


def branch_count(customers: int) -> int:
    """Branches of a demo firm of this many customers: one per ~31,000 customers (84 at the
    article's 2.6 million), at least MIN_BRANCHES and at most one per branch site."""
    wanted = round(customers / CUSTOMERS_PER_BRANCH)
    return min(max(wanted, MIN_BRANCHES), len(BRANCH_SITES))


def _branch_sites(count: int) -> np.ndarray:
    """The site of each branch: the first (101 Gangnam, the demo accounts' branch) and the rest
    spread evenly over the site list, so a small firm still spans Seoul and the regions."""
    return np.rint(np.linspace(0, len(BRANCH_SITES) - 1, count)).astype(np.int64)


def _branch_frame(rng: np.random.Generator, sites: np.ndarray) -> tuple[pl.DataFrame, np.ndarray]:
    """The branches, and each one's share of customers (bigger in Seoul and Gyeonggi)."""
    count = len(sites)
    site = [BRANCH_SITES[i] for i in sites]
    opened = np.datetime64("1970-01-01") + _days(rng.integers(0, 30 * 365, count))
    weight = rng.lognormal(0.0, 0.25, count) * np.array(
        [REGION_CUSTOMER_WEIGHT.get(s.region, 1.0) for s in site]
    )
    frame = pl.DataFrame(
        {
            "id": np.arange(1, count + 1),
            "code": [str(101 + i) for i in range(count)],
            "name_ko": [f"{s.name_ko}지점" for s in site],
            "name_en": [s.name_en for s in site],
            "region": [s.region for s in site],
            "opened_on": opened,
            "is_active": np.ones(count, dtype=bool),
        }
    )
    return frame, _shares(weight)


def _staff(rng: np.random.Generator, as_of: dt.date, sites: np.ndarray) -> _Staff:
    slots = len(BRANCH_SLOT_ROLES)
    head_office = len(HEAD_OFFICE_ROLES)
    branches = len(sites)
    roles = list(BRANCH_SLOT_ROLES) * branches + list(HEAD_OFFICE_ROLES)
    size = len(roles)
    ids = np.arange(1, size + 1)
    role = np.array([r.value for r in roles])
    branch = np.concatenate([np.repeat(np.arange(branches), slots), np.full(head_office, -1)])
    slot = np.concatenate([np.tile(np.arange(slots), branches), np.full(head_office, -1)])

    years_ago = np.array([rng.uniform(*HIRED_YEARS_AGO[r]) for r in roles])
    hired = np.datetime64(as_of, "D") - _days(years_ago * 365.25)

    # Book owners, head office and the demo branch (101) stay active; a few others have left.
    always_active = np.isin(slot, (0, FIRST_DEDICATED_SLOT, FIRST_REP_SLOT)) | (branch <= 0)
    active = always_active | (rng.random(size) >= INACTIVE_SHARE)

    # A fixed share of branches, never the demo accounts' own (101): a small firm has none,
    # so its average stays near the article's ~250 actions a day.
    paper_branch = np.zeros(branches, dtype=bool)
    paper_branch[
        rng.choice(np.arange(1, branches), round(PAPER_BRANCH_SHARE * branches), replace=False)
    ] = True
    in_paper_branch = (branch >= 0) & paper_branch[np.maximum(branch, 0)]
    holdout_share = np.where(
        in_paper_branch, PAPER_HOLDOUT_SHARE_IN_PAPER_BRANCH, PAPER_HOLDOUT_SHARE
    )
    low_share = np.where(in_paper_branch, LOW_ADOPTER_SHARE_IN_PAPER_BRANCH, LOW_ADOPTER_SHARE)
    u = rng.random(size)
    adoption = np.select(
        [u < holdout_share, u < holdout_share + low_share], [PAPER_HOLDOUT, LOW_ADOPTER], REGULAR
    )
    adoption[in_paper_branch & (slot == 0)] = PAPER_HOLDOUT
    adoption[branch < 0] = REGULAR
    # Gangnam (101) hosts the demo accounts, who use the system; two colleagues do not.
    adoption[:slots] = REGULAR
    adoption[slots - 1] = PAPER_HOLDOUT
    adoption[slots - 2] = LOW_ADOPTER
    actions_per_day = np.select(
        [adoption == PAPER_HOLDOUT, adoption == LOW_ADOPTER],
        [rng.uniform(2, 12, size), rng.uniform(20, 60, size)],
        np.clip(rng.normal(275, 32, size), 180, 330),
    )
    usage_profile = np.where(
        (slot == 0) & (adoption == REGULAR),
        BRANCH_MANAGER_USAGE,
        USAGE_PROFILE_BY_ADOPTION[adoption],
    )

    usernames = [f"e{i:05d}" for i in ids]
    for account in DEMO_ACCOUNTS:
        # The first employee of each role: in Gangnam (101) for branch roles, else head office.
        usernames[roles.index(account.role)] = account.username

    works_in_branch = (branch >= 0) & active
    return _Staff(
        ids=ids,
        branch=branch,
        sites=sites,
        roles=roles,
        active=active,
        hired=hired,
        adoption=adoption,
        usage_profile=usage_profile,
        actions_per_day=actions_per_day,
        usernames=usernames,
        dedicated_managers=_branch_pool(
            branch, ids, works_in_branch & (role == Role.DEDICATED_MANAGER), branches
        ),
        sales_reps=_branch_pool(branch, ids, works_in_branch & (role == Role.SALES_REP), branches),
        branch_staff=_branch_pool(branch, ids, works_in_branch, branches),
    )


def _branch_pool(
    branch: np.ndarray, ids: np.ndarray, chosen: np.ndarray, branches: int
) -> _Members:
    return _Members.of(branch[chosen], ids[chosen], branches)


def _employee_frame(rng: np.random.Generator, staff: _Staff) -> pl.DataFrame:
    names, _ = _korean_names(rng, rng.random(len(staff.ids)) < 0.45)
    return pl.DataFrame(
        {
            "id": staff.ids,
            "employee_no": [f"E{i:05d}" for i in staff.ids],
            "name": names,
            "role": [r.value for r in staff.roles],
            "branch_id": _nullable(np.where(staff.branch >= 0, staff.branch + 1, -1)),
            "hire_date": staff.hired,
            "is_active": staff.active,
        }
    )


def _user_frame(staff: _Staff, as_of: dt.date) -> pl.DataFrame:
    # Demo only: every account shares one argon2 hash, computed once (each hash takes ~50 ms).
    password_hash = hash_password(DEMO_PASSWORD)
    size = len(staff.ids)
    return pl.DataFrame(
        {
            "id": staff.ids,
            "username": staff.usernames,
            "password_hash": [password_hash] * size,
            "role": [r.value for r in staff.roles],
            "employee_id": staff.ids,
            "is_active": staff.active,
            "must_change_password": np.zeros(size, dtype=bool),
            "failed_sign_ins": np.zeros(size, dtype=np.int64),
            "created_at": [dt.datetime.combine(as_of, dt.time())] * size,
        }
    )


def _product_launches(rng: np.random.Generator) -> np.ndarray:
    years = np.array([fund.launch_year for fund in PRODUCTS])
    return _first_of_years(years) + _days(rng.integers(0, 365, len(PRODUCTS)))


def _product_frame(launched: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": np.arange(1, len(PRODUCTS) + 1),
            "code": [f"DF{i:03d}" for i in range(1, len(PRODUCTS) + 1)],
            "name": [fund.name for fund in PRODUCTS],
            "fund_type": [fund.fund_type for fund in PRODUCTS],
            "risk_grade": [fund.risk_grade for fund in PRODUCTS],
            "term_months": pl.Series([fund.term_months for fund in PRODUCTS], dtype=pl.Int64),
            "launched_on": launched,
        }
    )


def _training_frames(
    rng: np.random.Generator, staff: _Staff, calendar: _Calendar, window: _Window
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Courses, sessions over the history window (and a few scheduled), and enrolments whose
    certifications are partly expired or about to expire on as_of."""
    courses = pl.DataFrame(
        {
            "id": np.arange(1, len(COURSES) + 1),
            "code": [c.code for c in COURSES],
            "title_ko": [c.title_ko for c in COURSES],
            "title_en": [c.title_en for c in COURSES],
            "category": [c.category for c in COURSES],
            "certification_months": pl.Series(
                [c.certification_months for c in COURSES], dtype=pl.Int64
            ),
            "is_retired": [c.is_retired for c in COURSES],
        }
    )
    trainers = staff.ids[np.array([r is Role.TRAINER for r in staff.roles])]
    is_branch_manager = np.array([r is Role.BRANCH_MANAGER for r in staff.roles])
    audiences = {
        "branch": staff.branch >= 0,
        "managers": is_branch_manager,
        "all": np.ones(len(staff.ids), dtype=bool),
    }
    sessions: list[pl.DataFrame] = []
    enrolments: list[pl.DataFrame] = []
    next_session_id = 1
    for course_id, course in enumerate(COURSES, start=1):
        last_start = window.last + TRAINING_SCHEDULED_AHEAD_DAYS
        if course.is_retired:
            last_start = window.first + 365
        offsets = np.arange(int(rng.integers(0, course.session_every_days)), window.days + 366,
                            course.session_every_days)  # fmt: skip
        starts = np.unique(calendar.roll_forward(window.first + _days(offsets)))
        starts = starts[starts <= last_start]
        ends = calendar.roll_forward(starts, course.duration_days - 1)
        session_ids = np.arange(next_session_id, next_session_id + len(starts))
        next_session_id += len(starts)
        sessions.append(
            pl.DataFrame(
                {
                    "id": session_ids,
                    "course_id": np.full(len(starts), course_id),
                    "starts_on": starts,
                    "ends_on": ends,
                    "location": _gather(
                        TRAINING_LOCATIONS, rng.integers(0, len(TRAINING_LOCATIONS), len(starts))
                    ),
                    "trainer_id": trainers[rng.integers(0, len(trainers), len(starts))],
                }
            )
        )
        enrolments.append(
            _enrolments(
                rng, course, staff, audiences[course.audience], session_ids, starts, ends, window
            )
        )
    enrolment_frame = pl.concat(enrolments)
    return courses, pl.concat(sessions), _with_ids(enrolment_frame, 1)


def _enrolments(
    rng: np.random.Generator,
    course: Course,
    staff: _Staff,
    eligible: np.ndarray,
    session_ids: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    window: _Window,
) -> pl.DataFrame:
    share = np.full(len(staff.ids), course.enrolled_share)
    if course.category in ("system", "certification"):
        share = np.where(staff.adoption == REGULAR, share, share * 0.5)
    learner = np.flatnonzero(eligible & (rng.random(len(staff.ids)) < share))
    size = len(learner)
    past = np.flatnonzero(ends <= window.last)
    upcoming = np.flatnonzero(starts > window.last)

    u = rng.random(size)
    months = course.certification_months
    if months:
        # Age of the latest certificate on as_of: expired, expiring soon, or well inside validity.
        valid_days = months * 30.44
        age_days = np.select(
            [u < CERT_EXPIRED_SHARE, u < CERT_EXPIRED_SHARE + CERT_EXPIRING_SHARE],
            [valid_days + rng.uniform(1, LAPSED_DAYS, size),
             valid_days - rng.uniform(0, EXPIRING_WINDOW_DAYS, size)],
            rng.uniform(0, valid_days - EXPIRING_WINDOW_DAYS, size),
        )  # fmt: skip
    else:
        age_days = rng.uniform(0, window.days, size)
    u = rng.random(size)
    is_upcoming = u < UPCOMING_SHARE
    no_show = (u >= UPCOMING_SHARE) & (u < UPCOMING_SHARE + NO_SHOW_SHARE)

    earliest = staff.hired[learner] + 14
    wanted_end = np.maximum(window.last - _days(age_days), earliest)
    chosen = np.searchsorted(ends[past], wanted_end, side="right") - 1
    chosen = np.maximum(chosen, np.searchsorted(ends[past], earliest, side="left"))
    is_upcoming |= chosen >= len(past)
    if len(upcoming):
        upcoming_session = upcoming[rng.integers(0, len(upcoming), size)]
    else:  # a retired course: nothing scheduled, so those learners drop out
        upcoming_session = np.full(size, -1)
    session = np.where(is_upcoming, upcoming_session, past[np.minimum(chosen, len(past) - 1)])
    completed = ~is_upcoming & ~no_show
    score = np.clip(np.rint(rng.normal(81, 11, size)), 40, 100).astype(np.int64)
    certified = completed & bool(months) & (score >= PASS_SCORE)
    completed_on = np.where(completed, ends[session], NO_DATE)
    certified_on = np.where(certified, completed_on, NO_DATE)
    expires_on = _add_months(certified_on, np.full(size, months or 0))
    enrolled_on = np.minimum(starts[session] - _days(rng.integers(5, 31, size)), window.last)
    frame = pl.DataFrame(
        {
            "session_id": session_ids[session],
            "employee_id": staff.ids[learner],
            "enrolled_on": np.maximum(enrolled_on, staff.hired[learner]),
            "completed_on": completed_on,
            "score": _nullable(np.where(completed, score, -1)),
            "certified_on": certified_on,
            "certification_expires_on": np.where(certified, expires_on, NO_DATE),
        }
    )
    return frame.filter(pl.Series(session >= 0))


# ---------------------------------------------------------------------------------------------
# Customers and their holdings, as whole-population arrays (index = id - 1).


@dataclass(frozen=True, slots=True)
class _Customers:
    ids: np.ndarray
    branch: np.ndarray  # home branch index today
    sites: np.ndarray  # index into BRANCH_SITES of each branch
    female: np.ndarray
    birth: np.ndarray
    age: np.ndarray  # whole years on as_of
    opened: np.ndarray
    closed: np.ndarray  # NaT while the customer stays
    tier: np.ndarray  # VIP, PRIORITY or GENERAL
    wealth_krw: np.ndarray
    manager: np.ndarray  # employee id
    cue: np.ndarray  # index into CUES, -1 for none
    # Earlier home branches: first_branch before first_move, middle_branch before second_move.
    first_branch: np.ndarray
    first_move: np.ndarray
    middle_branch: np.ndarray
    second_move: np.ndarray

    def branch_on(self, who: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Each customer's home branch on the given day, following their transfers."""
        branch = np.where(days < self.second_move[who], self.middle_branch[who], self.branch[who])
        return np.where(days < self.first_move[who], self.first_branch[who], branch)


def _customers(
    rng: np.random.Generator,
    size: int,
    window: _Window,
    calendar: _Calendar,
    branch_share: np.ndarray,
    staff: _Staff,
) -> _Customers:
    branches = len(staff.sites)
    branch = rng.choice(branches, size, p=branch_share)
    female = rng.random(size) < 0.52
    last_birth_year = min(2004, int(window.last.astype(object).year) - 21)
    birth_year = np.clip(np.rint(rng.normal(1966, 13, size)), 1935, last_birth_year).astype(int)
    year_start = _first_of_years(birth_year)
    year_length = (_first_of_years(birth_year + 1) - year_start).astype(np.int64)
    birth = year_start + _days(rng.random(size) * year_length)
    # 29 February birthdays are rare (1 in 1,461) yet must work everywhere: make sure of a few.
    leap = rng.choice(size, max(1, size // 1500), replace=False)
    leap_year = np.maximum(birth_year[leap] - birth_year[leap] % 4, 1936)
    birth[leap] = (_first_of_years(leap_year).astype("datetime64[M]") + 1).astype(
        "datetime64[D]"
    ) + 28
    age = ((window.last + 1 - birth).astype(np.int64) // 365.25).astype(np.int64)

    # Assets are long-tailed: median a few million won, the top 1% in billions; older is richer.
    log_wealth = np.log(4e6) + 2.4 * rng.standard_normal(size) + 0.02 * (age - 55)
    wealth_krw = np.clip(np.exp(log_wealth), 1e4, 8e10)

    earliest = np.maximum(np.datetime64("1997-01-02"), birth + _days(20 * 365.25))
    opened, _ = calendar.draw_between(rng, earliest, np.full(size, window.last))
    leaving = (rng.random(size) < 0.05) & (window.last - opened > _days(30))
    left_on, can_leave = calendar.draw_between(rng, opened + 30, np.full(size, window.last))
    closed = np.where(leaving & can_leave, left_on, NO_DATE)

    stays = np.isnat(closed)
    score = log_wealth + rng.normal(0, 0.35, size)
    vip_from, priority_from = np.quantile(
        score[stays] if stays.any() else score, [1 - VIP_SHARE, 1 - VIP_SHARE - PRIORITY_SHARE]
    )
    tier = np.select(
        [stays & (score >= vip_from), stays & (score >= priority_from)], [VIP, PRIORITY], GENERAL
    )
    manager = np.where(
        _in_dedicated_book(branch, stays, score, staff.dedicated_managers),
        _dedicated_manager_by_rank(branch, stays, score, staff.dedicated_managers),
        staff.sales_reps.draw(rng, branch),
    )
    cue = np.where(rng.random(size) < CUE_SHARE, _draw(rng, CUE_WEIGHTS, size), -1)

    # ~3% moved branch once or twice; the record and its history moved with them.
    last_day = np.where(stays, window.last, closed)
    moved = (rng.random(size) < 0.03) & (last_day - opened > 60)
    move_a, _ = calendar.draw_between(rng, opened + 1, last_day)
    move_b, _ = calendar.draw_between(rng, opened + 1, last_day)
    twice = moved & (rng.random(size) < 0.3) & (move_a != move_b)
    middle = (branch + 1 + rng.integers(0, branches - 1, size)) % branches
    before_middle = (middle + 1 + rng.integers(0, branches - 1, size)) % branches
    return _Customers(
        ids=np.arange(1, size + 1),
        branch=branch,
        sites=staff.sites,
        female=female,
        birth=birth,
        age=age,
        opened=opened,
        closed=closed,
        tier=tier,
        wealth_krw=wealth_krw,
        manager=manager,
        cue=cue,
        first_branch=np.where(twice, before_middle, middle),
        first_move=np.where(twice, np.minimum(move_a, move_b), np.where(moved, move_a, NEVER)),
        middle_branch=middle,
        second_move=np.where(twice, np.maximum(move_a, move_b), NEVER),
    )


def _rank_in_branch(branch: np.ndarray, stays: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Each staying customer's place in their branch by score (0 = best); -1 for leavers."""
    rank = np.full(len(branch), -1, dtype=np.int64)
    staying = np.flatnonzero(stays)
    order = staying[np.lexsort((-score[staying], branch[staying]))]
    starts = np.searchsorted(branch[order], branch[order], side="left")
    rank[order] = np.arange(len(order)) - starts
    return rank


def _in_dedicated_book(
    branch: np.ndarray, stays: np.ndarray, score: np.ndarray, dedicated: _Members
) -> np.ndarray:
    """The branch's best customers, DEDICATED_BOOK_SIZE per dedicated manager (the article's
    ~440), never more than DEDICATED_SHARE_LIMIT of the branch's staying customers."""
    rank = _rank_in_branch(branch, stays, score)
    staying = np.bincount(branch[stays], minlength=len(dedicated.counts))
    capacity = np.minimum(
        dedicated.counts * DEDICATED_BOOK_SIZE, np.floor(DEDICATED_SHARE_LIMIT * staying)
    )
    return (rank >= 0) & (rank < capacity[branch])


def _dedicated_manager_by_rank(
    branch: np.ndarray, stays: np.ndarray, score: np.ndarray, dedicated: _Members
) -> np.ndarray:
    """Dealt in rank order over the branch's dedicated managers, so their books are even."""
    rank = np.maximum(_rank_in_branch(branch, stays, score), 0)
    counts = np.maximum(dedicated.counts[branch], 1)
    pick = dedicated.starts[branch] + rank % counts
    return dedicated.values[np.minimum(pick, len(dedicated.values) - 1)]


def _customer_frame(rng: np.random.Generator, people: _Customers, part: slice) -> pl.DataFrame:
    size = part.stop - part.start
    home, female, age = people.branch[part], people.female[part], people.age[part]
    names, handles = _korean_names(rng, female)
    age_band = np.digitize(age, AGE_BAND_LIMITS)
    occupation = _draw_categories(rng, _cumulative(OCCUPATION_WEIGHTS_BY_AGE_BAND), age_band)
    occupation = np.where(~female & (occupation == HOMEMAKER), OFFICE_WORKER, occupation)
    # Most live near their home branch; the rest moved or bank near work.
    branches = len(people.sites)
    address_branch = np.where(rng.random(size) < 0.9, home, rng.integers(0, branches, size))
    address_site = people.sites[address_branch]
    birth_year = people.birth[part].astype("datetime64[Y]").astype(np.int64) + 1970
    has_email = rng.random(size) < np.clip(0.6 + 0.01 * (60 - age), 0.1, 0.95)
    raw = pl.DataFrame(
        {
            "id": people.ids[part],
            "name": names,
            "birth_date": people.birth[part],
            "female": female,
            "occupation": _gather(OCCUPATIONS, occupation),
            "region": _gather([s.region for s in BRANCH_SITES], address_site),
            "province": _gather([PROVINCES[s.region] for s in BRANCH_SITES], address_site),
            "district": _gather([s.district for s in BRANCH_SITES], address_site),
            "road": _gather(ROADS, rng.integers(0, len(ROADS), size)),
            "building": rng.integers(1, 300, size),
            "in_apartment": rng.random(size) < 0.55,
            "apartment": rng.integers(101, 116, size),
            "floor": rng.integers(1, 26, size),
            "unit": rng.integers(1, 5, size),
            "phone_middle": rng.integers(2000, 10000, size),
            "phone_last": rng.integers(0, 10000, size),
            "has_email": has_email,
            "handle": handles,
            "email_number": np.where(
                rng.random(size) < 0.5, birth_year % 100, rng.integers(1, 1000, size)
            ),
            "domain": _gather(
                [d for d, _ in EMAIL_DOMAINS], _draw(rng, tuple(w for _, w in EMAIL_DOMAINS), size)
            ),
            "tier": _gather([t.value for t in TIERS], people.tier[part]),
            "home_branch_id": home + 1,
            "manager_id": people.manager[part],
            "consent_dm": rng.random(size) < 0.7,
            "consent_tm": rng.random(size) < 0.55,
            "consent_email": has_email & (rng.random(size) < 0.83),
            "preferred_channel": _gather(
                PREFERRED_CHANNELS,
                _draw_categories(rng, _cumulative(PREFERRED_CHANNEL_WEIGHTS_BY_AGE_BAND), age_band),
            ),
            "opened_on": people.opened[part],
            "closed_on": people.closed[part],
        }
    )
    phone_last4 = pl.col("phone_last").cast(pl.String).str.zfill(4)
    two_digits = pl.col("email_number").cast(pl.String).str.zfill(2)
    apartment = pl.format(
        ", {}동 {}{}호", "apartment", "floor", pl.col("unit").cast(pl.String).str.zfill(2)
    )
    return raw.select(
        "id",
        (pl.col("id") + (FIRST_CUSTOMER_NO - 1)).cast(pl.String).alias("customer_no"),
        "name",
        "birth_date",
        pl.when("female").then(pl.lit("F")).otherwise(pl.lit("M")).alias("gender"),
        "occupation",
        "region",
        pl.concat_str(
            pl.format("{} {} {} {}", "province", "district", "road", "building"),
            pl.when("in_apartment").then(apartment).otherwise(pl.lit("")),
        ).alias("address"),
        pl.format("010-{}-{}", "phone_middle", phone_last4).alias("phone"),
        phone_last4.alias("phone_last4"),
        pl.when("has_email")
        .then(pl.format("{}{}@{}", "handle", two_digits, "domain"))
        .alias("email"),
        "tier",
        "home_branch_id",
        "manager_id",
        "consent_dm",
        "consent_tm",
        "consent_email",
        "preferred_channel",
        "opened_on",
        "closed_on",
    )


def _transfer_frame(rng: np.random.Generator, people: _Customers) -> pl.DataFrame:
    moved = np.flatnonzero(people.first_move > NEVER)
    moved_again = np.flatnonzero(people.second_move > NEVER)
    first_to = np.where(
        people.second_move[moved] > NEVER, people.middle_branch[moved], people.branch[moved]
    )
    who = np.concatenate([moved, moved_again])
    frame = pl.DataFrame(
        {
            "customer_id": people.ids[who],
            "from_branch_id": 1
            + np.concatenate([people.first_branch[moved], people.middle_branch[moved_again]]),
            "to_branch_id": 1 + np.concatenate([first_to, people.branch[moved_again]]),
            "transferred_on": np.concatenate(
                [people.first_move[moved], people.second_move[moved_again]]
            ),
            "reason": _gather(TRANSFER_REASONS, rng.integers(0, len(TRANSFER_REASONS), len(who))),
        }
    ).sort("customer_id", "transferred_on")
    return _with_ids(frame, 1)


@dataclass(frozen=True, slots=True)
class _Accounts:
    """Holdings as arrays (index = id - 1), grouped by owner in customer order."""

    owner: np.ndarray  # customer index
    first_of_owner: np.ndarray  # index of each customer's first account
    product: np.ndarray
    branch: np.ndarray
    opened: np.ndarray
    maturity: np.ndarray  # NaT without a term
    closed: np.ndarray  # NaT while open
    principal_krw: np.ndarray
    market_value_krw: np.ndarray


def _accounts(
    rng: np.random.Generator,
    people: _Customers,
    launched: np.ndarray,
    window: _Window,
    calendar: _Calendar,
) -> _Accounts:
    size = len(people.ids)
    wealth_rank = np.argsort(np.argsort(people.wealth_krw)) / max(size - 1, 1)
    per_customer = 1 + rng.poisson(0.4 + wealth_rank)  # 1.9 on average, more for the rich
    owner = np.repeat(np.arange(size), per_customer)
    count = len(owner)
    first_of_owner = np.concatenate(([0], np.cumsum(per_customer)[:-1]))
    is_first = np.zeros(count, dtype=bool)
    is_first[first_of_owner] = True
    owner_opened, owner_closed = people.opened[owner], people.closed[owner]
    owner_last_day = np.where(np.isnat(owner_closed), window.last, owner_closed)
    later, _ = calendar.draw_between(rng, owner_opened, owner_last_day)
    opened = np.where(is_first, owner_opened, later)

    term_months = np.array([fund.term_months or 0 for fund in PRODUCTS])
    popularity = _shares([FUND_TYPE_POPULARITY[fund.fund_type] for fund in PRODUCTS])
    product = rng.choice(len(PRODUCTS), count, p=popularity)
    # Nobody buys a fund before its launch, and a relationship starts with an open-ended fund.
    classic = np.flatnonzero(launched < np.datetime64("1997-01-01"))
    classic_open_ended = classic[term_months[classic] == 0]
    substitute = np.where(
        is_first,
        rng.choice(classic_open_ended, count, p=_shares(popularity[classic_open_ended])),
        rng.choice(classic, count, p=_shares(popularity[classic])),
    )
    product = np.where(is_first | (launched[product] > opened), substitute, product)

    term = term_months[product]
    # Most term holdings were bought within one term of as_of, so maturities fall ahead of it.
    current_term = (term > 0) & np.isnat(owner_closed) & (rng.random(count) < 0.7)
    term_start = np.maximum.reduce(
        [owner_opened, window.last - _days(term * 30.44), launched[product]]
    )
    recent, has_recent = calendar.draw_between(rng, term_start, np.full(count, window.last))
    opened = np.where(current_term & has_recent, recent, opened)
    maturity = np.where(term > 0, _add_months(opened, term), NO_DATE)

    matured = maturity <= window.last
    sold_early = (term == 0) & ~is_first & (rng.random(count) < 0.12)
    sold_on, can_sell = calendar.draw_between(rng, opened + 1, owner_last_day)
    closed = np.where(matured, maturity, np.where(sold_early & can_sell, sold_on, NO_DATE))
    # A customer who left closed everything that was still open on that day.
    closed = np.where(
        ~np.isnat(owner_closed) & (np.isnat(closed) | (closed > owner_closed)), owner_closed, closed
    )
    served_at_home = rng.random(count) < 0.88
    branch = np.where(
        served_at_home,
        people.branch_on(owner, opened),
        rng.integers(0, len(people.sites), count),
    )

    is_open = np.isnat(closed)
    risk = np.array([fund.risk_grade for fund in PRODUCTS])[product] - 1
    held_years = np.clip((window.last - opened).astype(np.int64) / 365.25, 0.1, 10)
    gain = np.clip(
        rng.normal(
            RETURN_MEAN_BY_RISK[risk] * held_years,
            RETURN_SPREAD_BY_RISK[risk] * np.sqrt(held_years),
        ),
        -0.7,
        3.0,
    )
    weight = rng.gamma(1.0, 1.0, count) * is_open
    weight_of_owner = np.bincount(owner, weights=weight, minlength=size)[owner]
    share = np.divide(weight, weight_of_owner, out=np.zeros(count), where=weight_of_owner > 0)
    # Open holdings split the customer's assets; closed ones keep what was paid in, worth nil.
    paid_in = np.where(
        is_open, people.wealth_krw[owner] * share / (1 + gain),
        people.wealth_krw[owner] * rng.gamma(1.0, 0.6, count),
    )  # fmt: skip
    principal = np.maximum(np.rint(paid_in / 10_000) * 10_000, 10_000).astype(np.int64)
    market_value = np.where(is_open, np.rint(principal * (1 + gain)), 0).astype(np.int64)
    return _Accounts(
        owner=owner,
        first_of_owner=first_of_owner,
        product=product,
        branch=branch,
        opened=opened,
        maturity=maturity,
        closed=closed,
        principal_krw=principal,
        market_value_krw=market_value,
    )


def _account_frame(accounts: _Accounts, part: slice) -> pl.DataFrame:
    account_id = np.arange(part.start + 1, part.stop + 1)
    return pl.DataFrame(
        {
            "id": account_id,
            "account_no": pl.Series(account_id + (FIRST_ACCOUNT_NO - 1)).cast(pl.String),
            "customer_id": accounts.owner[part] + 1,
            "product_id": accounts.product[part] + 1,
            "branch_id": accounts.branch[part] + 1,
            "opened_on": accounts.opened[part],
            "maturity_date": accounts.maturity[part],
            "closed_on": accounts.closed[part],
            "principal_krw": accounts.principal_krw[part],
            "market_value_krw": accounts.market_value_krw[part],
        }
    ).with_columns(pl.concat_str(pl.lit("A"), "account_no").alias("account_no"))


def _life_event_frame(
    rng: np.random.Generator, people: _Customers, part: slice, first_id: int
) -> pl.DataFrame:
    """Birthdays for all, wedding anniversaries for about a third, and the anniversary of the
    first account (the customer's opening day) for all."""
    customer = np.arange(part.start, part.stop)
    size = len(customer)
    married = customer[(people.age[customer] >= 28) & (rng.random(size) < 0.37)]
    wedding_age = rng.uniform(24, np.minimum(34, people.age[married]), len(married))
    wedding = people.birth[married] + _days(wedding_age * 365.25)
    who = np.concatenate([customer, married, customer])
    kind = np.repeat([0, 1, 2], [size, len(married), size])
    frame = pl.DataFrame(
        {
            "customer_id": people.ids[who],
            "kind": _gather(LIFE_EVENT_KINDS, kind),
            "event_date": np.concatenate(
                [people.birth[customer], wedding, people.opened[customer]]
            ),
            "order": kind,
        }
    ).sort("customer_id", "order")
    return _with_ids(frame.drop("order"), first_id)


# ---------------------------------------------------------------------------------------------
# Activity: transactions, consultations, alerts and console usage.


def _transaction_rate(accounts: _Accounts, people: _Customers, window: _Window) -> float:
    """Routine transactions per account-year that make all accounts average
    TRANSACTIONS_PER_ACCOUNT rows, counting the subscription at opening and the redemption at
    closing inside the window."""
    first, last = window.overlap(accounts.opened, accounts.closed)
    exposure = TIER_ACTIVITY[people.tier[accounts.owner]] * window.share(first, last)
    openings = np.count_nonzero(accounts.opened >= window.first)
    closings = np.count_nonzero(accounts.closed >= window.first)
    wanted = TRANSACTIONS_PER_ACCOUNT * len(accounts.owner) - openings - closings
    return max(wanted, 0) / max(exposure.sum(), 1e-9)


def _transaction_frame(
    rng: np.random.Generator,
    accounts: _Accounts,
    part: slice,
    people: _Customers,
    staff: _Staff,
    calendar: _Calendar,
    window: _Window,
    rate: float,
) -> pl.DataFrame:
    account = np.arange(part.start, part.stop)
    opened, closed = accounts.opened[account], accounts.closed[account]
    first, last = window.overlap(opened, closed)
    expected = (
        rate * TIER_ACTIVITY[people.tier[accounts.owner[account]]] * window.share(first, last)
    )
    repeats = rng.poisson(expected)
    routine = np.repeat(account, repeats)
    routine_day, has_day = calendar.draw_between(
        rng, np.repeat(first, repeats), np.repeat(last, repeats)
    )
    routine, routine_day = routine[has_day], routine_day[has_day]
    opening = account[opened >= window.first]
    closing = account[closed >= window.first]
    closing_day = np.maximum(calendar.roll_back(accounts.closed[closing]), accounts.opened[closing])
    who = np.concatenate([routine, opening, closing])
    day = np.concatenate([routine_day, accounts.opened[opening], closing_day])
    kind = np.concatenate(
        [
            _draw(rng, TRANSACTION_KIND_WEIGHTS, len(routine)),
            np.full(len(opening), SUBSCRIPTION),
            np.full(len(closing), REDEMPTION),
        ]
    )
    principal = accounts.principal_krw[who]
    amount = principal * np.concatenate(
        [
            rng.lognormal(np.log(0.1), 0.9, len(routine)),
            np.ones(len(opening)),
            rng.lognormal(0.02, 0.1, len(closing)),
        ]
    )
    amount_krw = np.maximum(np.rint(amount / 1_000) * 1_000, 10_000).astype(np.int64)

    size = len(who)
    owner = accounts.owner[who]
    age = people.age[owner]
    elapsed = (day - window.first).astype(np.int64) / window.days
    # Online grows over the years and with younger customers; phone orders stay steady.
    online_share = np.clip(
        0.12 + 0.33 * elapsed + 0.15 * (age < 45) - 0.08 * (age >= 70), 0.02, 0.9
    )
    u = rng.random(size)
    channel = np.select(
        [u < online_share, u < online_share + 0.15], [ONLINE_CHANNEL, PHONE_CHANNEL], BRANCH_CHANNEL
    )
    at_home = people.branch_on(owner, day)
    elsewhere = (channel == BRANCH_CHANNEL) & (rng.random(size) >= 0.88)
    branch = np.where(elsewhere, rng.integers(0, len(staff.sites), size), at_home)
    branch = np.where(channel == ONLINE_CHANNEL, -1, branch)
    employee = staff.branch_staff.draw(rng, np.maximum(branch, 0))
    # Staff hired after that day were not there yet; the branch manager served instead.
    employee = np.where(staff.hired[employee - 1] > day, _branch_manager_id(branch), employee)
    employee = np.where(branch >= 0, employee, -1)
    proxy_share = np.select(
        [channel == BRANCH_CHANNEL, channel == PHONE_CHANNEL],
        [PROXY_SHARE_AT_BRANCH, PROXY_SHARE_BY_PHONE],
        0.0,
    )
    # The article's cue: a customer who always comes alone never sends a proxy.
    by_proxy = (rng.random(size) < proxy_share) & (people.cue[owner] != ALWAYS_ALONE)
    seconds = DAY_START_S + rng.integers(0, BRANCH_HOURS_S, size)
    return pl.DataFrame(
        {
            "account_id": who + 1,
            "customer_id": owner + 1,
            "occurred_at": _at_seconds(day, seconds),
            "kind": _gather(TRANSACTION_KINDS, kind),
            "amount_krw": amount_krw,
            "channel": _gather(TRANSACTION_CHANNELS, channel),
            "branch_id": _nullable(np.where(branch >= 0, branch + 1, -1)),
            "performed_by": _gather(("owner", "proxy"), by_proxy.astype(np.int64)),
            "employee_id": _nullable(employee),
        }
    ).sort("account_id", "occurred_at")


OUTCOME_SENTENCE_POOL = _Members.of(
    np.repeat(
        np.arange(len(CONSULTATION_OUTCOMES)), [len(sentences) for sentences in OUTCOME_SENTENCES]
    ),
    np.arange(sum(len(sentences) for sentences in OUTCOME_SENTENCES)),
    len(CONSULTATION_OUTCOMES),
)


def _consultation_rate(people: _Customers, window: _Window) -> float:
    first, last = window.overlap(people.opened, people.closed)
    exposure = TIER_CONSULTATIONS[people.tier] * window.share(first, last)
    return CONSULTATIONS_PER_CUSTOMER * len(people.ids) / max(exposure.sum(), 1e-9)


def _consultation_frame(
    rng: np.random.Generator,
    people: _Customers,
    part: slice,
    main_fund_type: pl.Series,
    staff: _Staff,
    calendar: _Calendar,
    window: _Window,
    rate: float,
    first_id: int,
) -> pl.DataFrame:
    """Consultation notes from templates, mostly by the customer's own manager or branch, now
    and then by another branch (the record is shared), plus a few appended corrections."""
    customer = np.arange(part.start, part.stop)
    first, last = window.overlap(people.opened[customer], people.closed[customer])
    repeats = rng.poisson(
        rate * TIER_CONSULTATIONS[people.tier[customer]] * window.share(first, last)
    )
    day, has_day = calendar.draw_between(rng, np.repeat(first, repeats), np.repeat(last, repeats))
    who = np.repeat(customer, repeats)[has_day]
    day = day[has_day]
    size = len(who)

    home = people.branch_on(who, day)
    u = rng.random(size)
    employee = np.select(
        [u < 0.65, u < 0.87],
        [people.manager[who], staff.branch_staff.draw(rng, home)],
        staff.branch_staff.values[rng.integers(0, len(staff.branch_staff.values), size)],
    )
    # Someone hired after that day cannot have written the note; the branch manager did.
    employee = np.where(staff.hired[employee - 1] > day, _branch_manager_id(home), employee)
    holdout = staff.adoption[employee - 1] == PAPER_HOLDOUT
    seconds = np.where(
        holdout,
        PAPER_BURST_HOUR * 3600 + rng.integers(0, 3600, size),
        _work_hour_seconds(rng, size),
    )
    channel = _draw(rng, CONSULTATION_CHANNEL_WEIGHTS, size)
    outcome = _draw_categories(rng, _cumulative(OUTCOME_WEIGHTS_BY_CHANNEL), channel)
    sensitive = rng.random(size) < SENSITIVE_SHARE
    cue = people.cue[who]
    parts = pl.DataFrame(
        {
            "customer_id": people.ids[who],
            "employee_id": employee,
            "branch_id": staff.branch[employee - 1] + 1,
            "channel": _gather(CONSULTATION_CHANNELS, channel),
            "occurred_at": _at_seconds(day, seconds),
            "outcome": _gather(CONSULTATION_OUTCOMES, outcome),
            "is_sensitive": sensitive,
            "template": _gather(NOTE_TEMPLATES, rng.integers(0, len(NOTE_TEMPLATES), size)),
            "fund": main_fund_type.gather(who - part.start),
            "private": _gather(SENSITIVE_NOTES, rng.integers(0, len(SENSITIVE_NOTES), size)),
            "unanswered": _gather(NO_ANSWER_NOTES, channel),
            "closing": _gather(
                [s for sentences in OUTCOME_SENTENCES for s in sentences],
                OUTCOME_SENTENCE_POOL.draw(rng, outcome),
            ),
            "amount_10k_krw": np.maximum(
                np.rint(rng.lognormal(np.log(500), 1.0, size) / 10) * 10, 10
            ).astype(np.int64),
            "cue": _gather((*CUES, ""), np.where(cue >= 0, cue, len(CUES))),
            "shows_cue": (cue >= 0) & (rng.random(size) < CUE_IN_NOTE_SHARE),
        }
    )
    amount = pl.col("amount_10k_krw").cast(pl.String)
    closing = pl.col("closing").str.replace("{amount}", amount, literal=True)
    body = (
        pl.when("is_sensitive")
        .then(pl.concat_str("private", closing, separator=" "))
        .when(pl.col("outcome") == "no_answer")
        .then(pl.col("unanswered"))
        .otherwise(
            pl.concat_str(
                pl.col("template").str.replace("{fund}", pl.col("fund"), literal=True),
                closing,
                separator=" ",
            )
        )
    )
    cue_text = pl.when("shows_cue").then(pl.col("cue")).otherwise(pl.lit(""))
    note = pl.concat_str(body, cue_text, separator=" ").str.strip_chars()
    notes = _with_ids(
        parts.select(
            "customer_id", "employee_id", "branch_id", "channel", "occurred_at",
            note.alias("note"), "outcome", "is_sensitive",
        ).sort("customer_id", "occurred_at"),
        first_id,
    )  # fmt: skip

    # Notes are append-only: a correction is a new note pointing at the one it corrects.
    corrected = notes.filter(pl.Series(rng.random(notes.height) < CORRECTION_SHARE))
    fields = _gather(CORRECTED_FIELDS, rng.integers(0, len(CORRECTED_FIELDS), corrected.height))
    minutes_later = pl.Series(rng.integers(20, 180, corrected.height) * 60_000_000).cast(
        pl.Duration("us")
    )
    corrections = corrected.with_columns(
        pl.int_range(first_id + notes.height, first_id + notes.height + corrected.height).alias(
            "id"
        ),
        (pl.col("occurred_at") + minutes_later).alias("occurred_at"),
        pl.format("정정: 앞선 기록의 {} 오기를 바로잡음. {}", fields, "note").alias("note"),
        pl.col("id").alias("corrects_id"),
    )
    return pl.concat(
        [notes.with_columns(pl.lit(None, dtype=pl.Int64).alias("corrects_id")), corrections]
    )


def _alert_frame(
    rng: np.random.Generator,
    people: _Customers,
    staff: _Staff,
    calendar: _Calendar,
    window: _Window,
) -> pl.DataFrame:
    """Open and resolved alerts: always-alone flags for a share of customers with that cue,
    and proxy attempts, dormant large withdrawals and identity checks for a few others."""
    size = len(people.ids)
    alone = np.flatnonzero(people.cue == ALWAYS_ALONE)
    alone = alone[rng.random(len(alone)) < ALWAYS_ALONE_ALERT_SHARE]
    others = rng.choice(size, min(size, round(size * OTHER_ALERT_SHARE)), replace=False)
    who = np.concatenate([alone, others])
    kind = np.concatenate(
        [np.zeros(len(alone), dtype=np.int64), rng.integers(1, len(ALERT_KINDS), len(others))]
    )
    count = len(who)
    # Standing flags date from any time in the history; incidents from the last year.
    earliest = np.maximum(people.opened[who], np.where(kind == 0, window.first, window.last - 364))
    latest = np.where(np.isnat(people.closed[who]), window.last, people.closed[who])
    raised_day, can_raise = calendar.draw_between(rng, earliest, latest)
    severity = np.select(
        [kind == 1, kind == 2, kind == 3],
        [2, np.where(rng.random(count) < 0.5, 2, 1), 0],
        1,
    )
    home = people.branch[who]
    raised_by = np.select(
        [kind == 1, kind == 2], [staff.branch_staff.draw(rng, home), -1], people.manager[who]
    )
    resolved_day = calendar.roll_forward(raised_day + _days(rng.integers(1, 21, count)))
    resolved = (rng.random(count) < np.where(kind == 0, 0.1, 0.45)) & (resolved_day <= window.last)
    frame = pl.DataFrame(
        {
            "customer_id": people.ids[who],
            "kind": _gather(ALERT_KINDS, kind),
            "severity": _gather(("info", "warning", "critical"), severity),
            "text": _gather(ALERT_TEXTS, kind),
            "raised_by": _nullable(raised_by),
            "raised_at": _at_seconds(raised_day, _work_hour_seconds(rng, count)),
            "resolved_by": _nullable(np.where(resolved, _branch_manager_id(home), -1)),
            "resolved_at": np.where(
                resolved,
                _at_seconds(resolved_day, _work_hour_seconds(rng, count)),
                np.datetime64("NaT", "us"),
            ),
            "resolution_note": _gather(
                (*ALERT_RESOLUTIONS, None), np.where(resolved, kind, len(ALERT_RESOLUTIONS))
            ),
        }
    ).filter(pl.Series(can_raise))
    return _with_ids(frame.sort("customer_id", "raised_at"), 1)


PAGE_NAMES = [page for pages in PAGES_BY_ACTION for page in pages]
PAGES_OF_ACTIONS = _Members.of(
    np.repeat(np.arange(len(PAGES_BY_ACTION)), [len(pages) for pages in PAGES_BY_ACTION]),
    np.arange(len(PAGE_NAMES)),
    len(PAGES_BY_ACTION),
)


def _usage_day_frame(
    rng: np.random.Generator, day: np.datetime64, staff: _Staff, customers_by_branch: _Members
) -> pl.DataFrame:
    """One working day of console actions by every active branch employee: ~250 each for most,
    a few dozen for low adopters, and a burst of typed-up notes at closing for paper holdouts."""
    working = np.flatnonzero((staff.branch >= 0) & staff.active & (staff.hired < day))
    level = staff.actions_per_day[working] * rng.gamma(25, 1 / 25, len(working))
    on_leave = rng.random(len(working)) < LEAVE_SHARE
    employee = np.repeat(working, np.where(on_leave, 0, rng.poisson(level)))
    size = len(employee)
    action = _draw_categories(rng, _cumulative(USAGE_ACTION_WEIGHTS), staff.usage_profile[employee])
    page = PAGES_OF_ACTIONS.draw(rng, action)
    customer = customers_by_branch.draw(rng, staff.branch[employee])
    target = np.where(np.isin(action, CUSTOMER_ACTIONS) & (customer > 0), customer, -1)
    burst = (staff.adoption[employee] == PAPER_HOLDOUT) & (action == NOTE_ACTION)
    seconds = np.where(
        burst,
        PAPER_BURST_HOUR * 3600 + rng.integers(0, 3600, size),
        _work_hour_seconds(rng, size),
    )
    return pl.DataFrame(
        {
            "employee_id": staff.ids[employee],
            "branch_id": staff.branch[employee] + 1,
            "occurred_at": _at_seconds(np.full(size, day), seconds),
            "action": _gather(USAGE_ACTIONS, action),
            "page": _gather(PAGE_NAMES, page),
            "target": _nullable(np.where(target > 0, target + (FIRST_CUSTOMER_NO - 1), -1)).cast(
                pl.String
            ),
        }
    ).sort("employee_id", "occurred_at")  # measured: SQLite then indexes the day 2x faster


# ---------------------------------------------------------------------------------------------
# Loading.

# Their plain (non-unique) indexes (and on PostgreSQL foreign keys) are dropped for the load
# and built once at the end.
BULK_TABLES: tuple[Table, ...] = (
    Customer.__table__, Account.__table__, Transaction.__table__, Consultation.__table__,
    LifeEvent.__table__, UsageEvent.__table__,
)  # fmt: skip
LOADING_SHARE = 0.9  # of the progress bar; building indexes takes the rest
# Rows per customer of the customer-derived tables, for the progress estimate.
ROWS_PER_CUSTOMER = 1 + 1.9 + 1.9 * TRANSACTIONS_PER_ACCOUNT + CONSULTATIONS_PER_CUSTOMER + 2.35
USAGE_ROWS_PER_EMPLOYEE_DAY = 240


class _Loader:
    """Bulk-loads frames into the open transaction, counting rows and reporting progress."""

    def __init__(self, conn: Connection, progress: Progress | None, expected_rows: int) -> None:
        self.conn = conn
        self.progress = progress
        self.expected_rows = max(expected_rows, 1)
        self.rows = {table.name: 0 for table in Base.metadata.sorted_tables}
        self.loaded = 0

    def load(self, table: Table, frame: pl.DataFrame) -> None:
        count = bulk_insert(self.conn, table, frame)
        self.rows[table.name] += count
        self.loaded += count
        self.report(table.name, LOADING_SHARE * min(self.loaded / self.expected_rows, 1.0))

    def report(self, label: str, fraction: float) -> None:
        if self.progress is not None:
            self.progress(label, fraction)


def _empty_or_refuse(conn: Connection, replace: bool) -> None:
    """Refuse a database that holds anything, or with `replace` delete all of it (children
    first) inside the caller's transaction, so a failed load leaves the old data in place."""
    # The retention schedule is configuration the migration seeds, not data: kept as it is.
    tables = [t for t in Base.metadata.sorted_tables if t.name not in retention.CONFIGURATION]
    holding = [t.name for t in tables if conn.execute(select(1).select_from(t).limit(1)).first()]
    if not holding:
        return
    if not replace:
        raise Refused("demo_database_not_empty", tables=", ".join(holding))
    for table in reversed(tables):
        conn.execute(table.delete())


@contextmanager
def _sqlite_sorts_on_disk(conn: Connection) -> Iterator[None]:
    """Let the index sorter merge its runs in temporary files rather than in memory, for this
    connection and outside any transaction (SQLite refuses the switch inside one).

    Measured at full scale: the index build took half the time and the generator's peak memory
    fell from 5.0 GB to 1.8 GB. The console keeps db.py's in-memory setting for its small sorts.
    """
    if not is_sqlite(conn):
        yield
        return
    # On the driver's connection: SQLAlchemy would open a transaction for the statement.
    sqlite = sqlite_driver(conn)
    temp_store = sqlite.execute("PRAGMA temp_store").fetchone()[0]
    sqlite.execute("PRAGMA temp_store=FILE")
    try:
        yield
    finally:
        sqlite.execute(f"PRAGMA temp_store={int(temp_store)}")


@contextmanager
def _sqlite_rollback_journal(conn: Connection, sole_user: bool) -> Iterator[None]:
    """With the database to itself (`sole_user`), SQLite writes the load straight into the
    database file through a rollback journal, and goes back to the write-ahead log after it.

    A transaction of gigabytes is slow in the write-ahead log: every page read back searches
    the log's index, one hash table per 4,096 frames, and the index builds read every table
    (SQLite's notes on WAL advise a rollback journal above about 100 MB). The switch needs
    every other connection to the file closed, and while it holds no other can open one, so
    the console's first run, which other browser tabs share, keeps the log. When another
    connection has the file open the load keeps the log too: slower, never wrong.
    """
    if not sole_user or not is_sqlite(conn):
        yield
        return
    # On the driver's connection: SQLAlchemy would open a transaction for the statement.
    sqlite = sqlite_driver(conn)
    busy_timeout = sqlite.execute("PRAGMA busy_timeout").fetchone()[0]
    sqlite.execute("PRAGMA busy_timeout=0")  # an open connection elsewhere: do not wait
    try:
        switched = sqlite.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
    except sqlite3.OperationalError:
        switched = False
    finally:
        sqlite.execute(f"PRAGMA busy_timeout={int(busy_timeout)}")
    if not switched:
        _log.warning("another connection has the database open: loading through the WAL")
    try:
        yield
    finally:
        if switched:
            try:
                sqlite.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:
                # Someone opened the file meanwhile; every new connection sets WAL itself.
                _log.warning("could not switch the database back to WAL; the next connection will")


def _store_agenda_rules(conn: Connection, as_of: dt.date) -> None:
    """The demo firm's agenda rules (firm_data/agenda_rules.toml), checked like an admin's."""
    changed_at = dt.datetime.combine(as_of, dt.time())
    rows = [
        {**agenda.validate_rule(raw).model_dump(mode="json"), "version": 1}
        | {"updated_by": "system", "updated_at": changed_at}
        for raw in AGENDA_RULES
    ]
    conn.execute(insert(AgendaRule.__table__), rows)


def _chunks(size: int, chunk: int) -> Iterator[tuple[int, slice]]:
    for number, start in enumerate(range(0, size, chunk)):
        yield number, slice(start, min(start + chunk, size))


def generate(
    engine: Engine,
    *,
    customers: int = 20_000,
    seed: int = 7,
    as_of: dt.date | None = None,
    usage_days: int = 14,
    replace: bool = False,
    progress: Progress | None = None,
    sole_user: bool = False,
) -> DemoSummary:
    """Fill a migrated database with demo data as of the morning of `as_of` (default: the
    business date, so a console pinned by CRM_BUSINESS_DATE gets its demo of that day), in one
    transaction. The same arguments always give the same rows.

    Refuses (demo_database_not_empty) a database that holds any data unless `replace`; with
    `replace` the old data are deleted in the same transaction. `progress(label, fraction)` is
    called after each table or chunk with the share of the work done so far. `sole_user`
    says nothing else uses the database until this returns (a build from the command line or
    the benchmark), which lets SQLite load through a rollback journal: faster at millions of
    rows, see `_sqlite_rollback_journal`.
    """
    as_of = as_of or business_today()
    if customers < 1 or seed < 0 or usage_days < 0:
        raise ValueError("customers must be at least 1, seed and usage_days at least 0")
    if as_of < EARLIEST_AS_OF:
        raise ValueError(f"as_of must be {EARLIEST_AS_OF} or later: customers join from 1997")
    started = time.perf_counter()
    calendar = _Calendar.between(
        dt.date(1996, 12, 1), as_of + dt.timedelta(days=TRAINING_SCHEDULED_AHEAD_DAYS + 30)
    )
    window = _Window(
        np.datetime64(_years_before(as_of, HISTORY_YEARS), "D"), np.datetime64(as_of, "D") - 1
    )
    usage_dates = calendar.days[
        (calendar.days >= window.last + 1 - usage_days) & (calendar.days <= window.last)
    ]
    expected_rows = round(
        customers * ROWS_PER_CUSTOMER
        + len(usage_dates)
        * branch_count(customers)
        * len(BRANCH_SLOT_ROLES)
        * USAGE_ROWS_PER_EMPLOYEE_DAY
    )
    with (
        engine.connect() as conn,
        _sqlite_sorts_on_disk(conn),
        _sqlite_rollback_journal(conn, sole_user),
        bulk_load_transaction(conn),
    ):
        _empty_or_refuse(conn, replace)
        loader = _Loader(conn, progress, expected_rows)
        with checks_built_after_load(
            conn, BULK_TABLES, on_build=lambda: loader.report("indexes", LOADING_SHARE)
        ):
            for table, frame in _built_ahead(
                _demo_frames(seed, customers, window, calendar, usage_dates)
            ):
                loader.load(table, frame)
        _store_agenda_rules(conn, as_of)
    settle_after_bulk_load(engine, Base.metadata.sorted_tables)
    seconds = time.perf_counter() - started
    loader.report("done", 1.0)
    return DemoSummary(
        rows=loader.rows,
        seconds=seconds,
        database_bytes=database_size_bytes(engine),
        as_of=as_of,
        seed=seed,
        customers=customers,
    )


def _demo_frames(
    seed: int, customer_count: int, window: _Window, calendar: _Calendar, usage_dates: np.ndarray
) -> Iterator[tuple[Table, pl.DataFrame]]:
    """Every table's rows in an order that satisfies the foreign keys, big tables in chunks."""
    as_of = window.last.astype(object) + dt.timedelta(days=1)
    sites = _branch_sites(branch_count(customer_count))
    branches, branch_share = _branch_frame(_rng(seed, "branches"), sites)
    yield Branch.__table__, branches
    staff = _staff(_rng(seed, "staff"), as_of, sites)
    yield Employee.__table__, _employee_frame(_rng(seed, "employees"), staff)
    yield User.__table__, _user_frame(staff, as_of)
    launched = _product_launches(_rng(seed, "products"))
    yield Product.__table__, _product_frame(launched)
    courses, sessions, enrolments = _training_frames(
        _rng(seed, "training"), staff, calendar, window
    )
    yield TrainingCourse.__table__, courses
    yield TrainingSession.__table__, sessions
    yield Enrolment.__table__, enrolments

    people = _customers(
        _rng(seed, "customers"), customer_count, window, calendar, branch_share, staff
    )
    for number, part in _chunks(customer_count, CUSTOMER_CHUNK):
        yield (
            Customer.__table__,
            _customer_frame(_rng(seed, "customer_details", number), people, part),
        )
    yield BranchTransfer.__table__, _transfer_frame(_rng(seed, "transfers"), people)
    next_id = 1
    for number, part in _chunks(customer_count, CUSTOMER_CHUNK):
        frame = _life_event_frame(_rng(seed, "life_events", number), people, part, next_id)
        next_id += frame.height
        yield LifeEvent.__table__, frame
    yield Alert.__table__, _alert_frame(_rng(seed, "alerts"), people, staff, calendar, window)

    accounts = _accounts(_rng(seed, "accounts"), people, launched, window, calendar)
    account_count = len(accounts.owner)
    for _, part in _chunks(account_count, 2 * CUSTOMER_CHUNK):
        yield Account.__table__, _account_frame(accounts, part)

    fund_types = [fund.fund_type for fund in PRODUCTS]
    main_fund_type = _gather(fund_types, accounts.product[accounts.first_of_owner])
    rate = _consultation_rate(people, window)
    next_id = 1
    for number, part in _chunks(customer_count, CUSTOMER_CHUNK):
        frame = _consultation_frame(
            _rng(seed, "consultations", number), people, part,
            main_fund_type[part.start : part.stop], staff, calendar, window, rate, next_id,
        )  # fmt: skip
        next_id += frame.height
        yield Consultation.__table__, frame

    rate = _transaction_rate(accounts, people, window)
    firsts = np.searchsorted(accounts.owner, np.arange(0, customer_count, CUSTOMER_CHUNK))
    bounds = [*firsts.tolist(), account_count]
    next_id = 1
    for number in range(len(bounds) - 1):
        frame = _transaction_frame(
            _rng(seed, "transactions", number), accounts, slice(bounds[number], bounds[number + 1]),
            people, staff, calendar, window, rate,
        )  # fmt: skip
        yield Transaction.__table__, _with_ids(frame, next_id)
        next_id += frame.height

    customers_by_branch = _Members.of(people.branch, people.ids, len(sites))
    next_id = 1
    for start in range(0, len(usage_dates), USAGE_DAYS_PER_CHUNK):
        days = usage_dates[start : start + USAGE_DAYS_PER_CHUNK]
        # One generator per calendar day: a day's events do not depend on usage_days.
        frame = pl.concat(
            _usage_day_frame(
                _rng(seed, "usage_events", int(day.astype(np.int64))), day, staff,
                customers_by_branch,
            )
            for day in days
        )  # fmt: skip
        yield UsageEvent.__table__, _with_ids(frame, next_id)
        next_id += frame.height

    settings = {
        "demo_data": "true",
        "demo_seed": str(seed),
        "demo_as_of": as_of.isoformat(),
        "demo_customers": str(customer_count),
    }
    yield Setting.__table__, pl.DataFrame({"key": list(settings), "value": list(settings.values())})


def _built_ahead(
    frames: Iterator[tuple[Table, pl.DataFrame]],
) -> Iterator[tuple[Table, pl.DataFrame]]:
    """Build the next frame in a worker thread while the caller loads this one: numpy, polars
    and the database drivers release the GIL, so generating and loading overlap."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-data") as worker:
        upcoming = worker.submit(next, frames, None)
        while (item := upcoming.result()) is not None:
            upcoming = worker.submit(next, frames, None)
            yield item
