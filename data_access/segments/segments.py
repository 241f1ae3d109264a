"""Segments: a validated filter spec over customers, counted and profiled on an analytical copy.

A segment question covers the whole population (2.6 million customers at full scale), so it is
not asked of the database: the `customer-features` job materialises one row per open customer
(age, gender, occupation, region, branch, tier, AUM, fund types held, tenure, days since the
last transaction and contact, preferred channel, consents, days to the next life event) as an
Arrow IPC file next to the database, and polars filters it in memory in milliseconds. The
database stays the source of truth; the copy carries the database's id and the time it was
built, so a copy of one database is never read for another and a page can say how fresh it is.
A page reads it through `load_features`, cut to the customers its user may count.

Writes that change a feature (imports, consultation notes and so campaign outcomes) count
themselves on one settings row in their own unit of work (`mark_features_stale`); the copy
keeps the count it was built from, so `load_features` says how many changes it lacks and the
page refreshes it (in the background, at most every few minutes) instead of on every run.

The spec is data (pydantic): AND/OR groups, nestable, of range, choice and flag conditions.
Empty groups constrain nothing. A spec that can never match is still valid: it counts zero and
`contradiction` says why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import os
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import polars as pl
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy import BigInteger, Connection, Engine, String, cast, func, select
from sqlalchemy.exc import IntegrityError

from data_access.core.change_marks import insert_or_update
from data_access.core.db import (
    PROJECT_ROOT,
    FrameSchema,
    day_of,
    note_read,
    read_arrow_frames,
    unit_of_work,
)
from data_access.core.errors import (
    AccessDenied,
    NotFound,
    Refused,
)
from data_access.core.models import (
    PREFERRED_CHANNELS,
    Account,
    Branch,
    Consultation,
    Customer,
    LifeEvent,
    Product,
    Segment,
    SegmentVersion,
    Setting,
    Tier,
    Transaction,
)
from data_access.core.policy import (
    Action,
    Scope,
    permits,
    require,
    scope_of,
)
from data_access.core.security import (
    SignedInUser,
    audit_as,
    now_seoul,
)

# --- the filter spec ---------------------------------------------------------------------------


class FieldKind(enum.StrEnum):
    RANGE = "range"
    CHOICE = "choice"
    FLAG = "flag"


RangeField = Literal[
    "age",
    "aum_krw",
    "tenure_years",
    "days_since_transaction",
    "days_since_contact",
    "life_event_within_days",
]
ChoiceField = Literal[
    "gender", "occupation", "region", "branch", "tier", "preferred_channel", "products"
]
FlagField = Literal["consent_dm", "consent_tm", "consent_email"]

FIELD_KINDS: dict[str, FieldKind] = {
    **dict.fromkeys(get_args(RangeField), FieldKind.RANGE),
    **dict.fromkeys(get_args(ChoiceField), FieldKind.CHOICE),
    **dict.fromkeys(get_args(FlagField), FieldKind.FLAG),
}
# Choice fields whose values are a fixed list; the others (occupation, region, branch code,
# fund type) are whatever the data holds, and an unknown value simply matches nobody.
FIXED_CHOICES: dict[str, tuple[str, ...]] = {
    "gender": ("F", "M"),
    "tier": tuple(tier.value for tier in Tier),
    "preferred_channel": PREFERRED_CHANNELS,
}
# Days since a transaction or a contact are null for "never": such a customer is as long ago
# as can be, so a lower bound ("no contact for 180 days") keeps them and an upper bound drops.
NEVER_FIELDS = frozenset({"days_since_transaction", "days_since_contact"})
RANGE_LIMIT = 10**15  # above any won amount or day count a person would type
VALUE_MAX_CHARS = 60
MAX_VALUES = 200
MAX_DEPTH = 5
MAX_CONDITIONS = 100


class _Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RangeCondition(_Node):
    """`min <= field <= max`; either bound may be left out, not both."""

    field: RangeField
    min: int | None = Field(default=None, ge=0, le=RANGE_LIMIT)
    max: int | None = Field(default=None, ge=0, le=RANGE_LIMIT)

    @model_validator(mode="after")
    def _bounded(self) -> RangeCondition:
        if self.min is None and self.max is None:
            raise ValueError("give a lower bound, an upper bound or both")
        return self


class ChoiceCondition(_Node):
    """The field is one of `values`; for `products`, the customer holds any of these fund types."""

    field: ChoiceField
    values: tuple[str, ...] = Field(min_length=1, max_length=MAX_VALUES)

    @field_validator("values")
    @classmethod
    def _clean(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(dict.fromkeys(value.strip() for value in values))
        if any(not value for value in cleaned):
            raise ValueError("a value is empty")
        if any(len(value) > VALUE_MAX_CHARS for value in cleaned):
            raise ValueError(f"a value is longer than {VALUE_MAX_CHARS} characters")
        return cleaned

    @model_validator(mode="after")
    def _known(self) -> ChoiceCondition:
        allowed = FIXED_CHOICES.get(self.field)
        if allowed is not None:
            unknown = [value for value in self.values if value not in allowed]
            if unknown:
                raise ValueError(
                    f"{self.field} must be one of {', '.join(allowed)}, not {', '.join(unknown)}"
                )
        return self


class FlagCondition(_Node):
    field: FlagField
    value: bool


def _node_tag(value: Any) -> str | None:
    if isinstance(value, Group):
        return "group"
    if isinstance(value, RangeCondition | ChoiceCondition | FlagCondition):
        return FIELD_KINDS[value.field].value
    if not isinstance(value, Mapping):
        return None
    if "items" in value or "op" in value:
        return "group"
    # A field that is not text (a list, an object) names no field: unhashable, it would crash
    # the lookup instead of being refused.
    field = value.get("field")
    kind = FIELD_KINDS.get(field) if isinstance(field, str) else None
    return kind.value if kind else None


Node = Annotated[
    Annotated["Group", Tag("group")]
    | Annotated[RangeCondition, Tag("range")]
    | Annotated[ChoiceCondition, Tag("choice")]
    | Annotated[FlagCondition, Tag("flag")],
    Discriminator(
        _node_tag,
        custom_error_type="unknown_condition",
        custom_error_message="not a group and not a condition on a known field",
    ),
]


class Group(_Node):
    """All (`and`) or any (`or`) of its items; an empty group constrains nothing."""

    op: Literal["and", "or"] = "and"
    items: tuple[Node, ...] = ()


Group.model_rebuild()


@dataclass(frozen=True, slots=True)
class SpecProblem:
    where: str
    message: str


def validate_spec(raw: Mapping[str, Any] | str) -> Group:
    """The spec as a validated Group; refuses (seg_spec_invalid) with every problem found."""
    try:
        spec = Group.model_validate_json(raw) if isinstance(raw, str) else Group.model_validate(raw)
    except ValidationError as exc:
        raise Refused(
            "seg_spec_invalid",
            problems=[
                SpecProblem(
                    ".".join(str(part) for part in error["loc"]) or "spec",
                    error["msg"].removeprefix("Value error, "),
                )
                for error in exc.errors()
            ],
        ) from None
    depth, conditions = _size(spec)
    if depth > MAX_DEPTH:
        raise Refused("seg_spec_too_deep", depth=depth, limit=MAX_DEPTH)
    if conditions > MAX_CONDITIONS:
        raise Refused("seg_spec_too_many_conditions", count=conditions, limit=MAX_CONDITIONS)
    return spec


def spec_json(spec: Group) -> str:
    """The stored form; `validate_spec(spec_json(spec)) == spec`."""
    return spec.model_dump_json(exclude_none=True)


def _size(node: Group, depth: int = 1) -> tuple[int, int]:
    deepest, conditions = depth, 0
    for item in node.items:
        if isinstance(item, Group):
            inner_depth, inner_conditions = _size(item, depth + 1)
            deepest, conditions = max(deepest, inner_depth), conditions + inner_conditions
        else:
            conditions += 1
    return deepest, conditions


EVERYONE = Group()

# --- turning a spec into a polars expression ---------------------------------------------------

COLUMN_OF = {
    "branch": "branch_code",
    "products": "fund_types",
    "life_event_within_days": "next_life_event_days",
}


def expression(node: Group | RangeCondition | ChoiceCondition | FlagCondition) -> pl.Expr | None:
    """The polars filter for `node`; None when it constrains nothing (an empty group)."""
    if isinstance(node, Group):
        parts = [part for item in node.items if (part := expression(item)) is not None]
        if not parts:
            return None
        combined = parts[0]
        for part in parts[1:]:
            combined = combined & part if node.op == "and" else combined | part
        return combined
    column = pl.col(COLUMN_OF.get(node.field, node.field))
    if isinstance(node, FlagCondition):
        return column == node.value
    if isinstance(node, ChoiceCondition):
        if node.field == "products":
            return column.list.set_intersection(list(node.values)).list.len() > 0
        return column.is_in(list(node.values))
    if node.field in NEVER_FIELDS:
        column = column.fill_null(RANGE_LIMIT)
    bounds = []
    if node.min is not None:
        bounds.append(column >= node.min)
    if node.max is not None:
        bounds.append(column <= node.max)
    condition = bounds[0] if len(bounds) == 1 else bounds[0] & bounds[1]
    return condition.fill_null(False)


@dataclass(frozen=True, slots=True)
class Contradiction:
    """Why a spec can match nobody: `kind` is `range` (low > high), `choices` (no value in
    common) or `flag` (both yes and no), on `field`."""

    kind: str
    field: str
    low: int | None = None
    high: int | None = None


def contradiction(node: Group) -> Contradiction | None:
    """The first reason, found from the spec alone, why it can match no customer at all."""
    own = [item for item in node.items if not isinstance(item, Group)]
    groups = [item for item in node.items if isinstance(item, Group)]
    if node.op == "or":
        reasons = [
            contradiction(item) if isinstance(item, Group) else _condition_contradiction([item])
            for item in node.items
            if not isinstance(item, Group) or _size(item)[1]
        ]
        return reasons[0] if reasons and all(reasons) else None
    return _condition_contradiction(own) or next(
        (reason for group in groups if (reason := contradiction(group))), None
    )


def _condition_contradiction(
    conditions: list[RangeCondition | ChoiceCondition | FlagCondition],
) -> Contradiction | None:
    """Conditions that must all hold: intersect the ranges, value sets and flags per field."""
    ranges: dict[str, tuple[int, int]] = {}
    choices: dict[str, set[str]] = {}
    flags: dict[str, bool] = {}
    for condition in conditions:
        if isinstance(condition, RangeCondition):
            low, high = ranges.get(condition.field, (0, RANGE_LIMIT))
            low = max(low, condition.min if condition.min is not None else 0)
            high = min(high, condition.max if condition.max is not None else RANGE_LIMIT)
            ranges[condition.field] = (low, high)
            if low > high:
                return Contradiction("range", condition.field, low, high)
        elif isinstance(condition, ChoiceCondition):
            if condition.field == "products":
                continue  # "holds any of" two lists can both hold
            wanted = choices.get(condition.field, set(condition.values)) & set(condition.values)
            choices[condition.field] = wanted
            if not wanted:
                return Contradiction("choices", condition.field)
        else:
            if flags.setdefault(condition.field, condition.value) != condition.value:
                return Contradiction("flag", condition.field)
    return None


# --- the analytical copy ----------------------------------------------------------------------

FEATURES_FILE = "customer_features.arrow"
FEATURES_META = "customer_features.json"
DATABASE_ID_KEY = "analytics_database_id"
FEATURES_VERSION_KEY = "analytics_features_version"
FEATURES_JOB = "customer-features"
ANALYTICS_DIR_ENV = "CRM_ANALYTICS_DIR"

FEATURE_SCHEMA: FrameSchema = {
    "customer_id": pl.Int64,
    "age": pl.Int32,
    "gender": pl.String,
    "occupation": pl.String,
    "region": pl.String,
    "branch_id": pl.Int64,
    "branch_code": pl.String,
    "manager_id": pl.Int64,
    "tier": pl.String,
    "aum_krw": pl.Int64,
    "fund_types": pl.List(pl.String),
    "tenure_years": pl.Int32,
    "days_since_transaction": pl.Int32,
    "days_since_contact": pl.Int32,
    "preferred_channel": pl.String,
    "consent_dm": pl.Boolean,
    "consent_tm": pl.Boolean,
    "consent_email": pl.Boolean,
    "next_life_event_days": pl.Int32,
}


@dataclass(frozen=True, slots=True)
class FeatureCopy:
    """The customer-feature frame and when (and as of which day) it was built; `version` is
    the count of feature changes it holds, `behind` how many the database had since (when
    loaded)."""

    frame: pl.DataFrame
    as_of: dt.date
    built_at: dt.datetime
    database_id: str
    version: int = 0
    behind: int = 0


class CopyMissing(NotFound):
    """No analytical copy of this database yet: pages offer to build it, the
    `customer-features` job makes it."""


def _feature_reads(source: Connection | Engine, as_of: dt.date) -> dict[str, Any]:
    open_customer = Customer.closed_on.is_(None)
    aum = cast(func.sum(Account.market_value_krw), BigInteger)
    return {
        "customers": (
            select(
                Customer.id.label("customer_id"),
                Customer.birth_date,
                Customer.gender,
                Customer.occupation,
                Customer.region,
                Customer.home_branch_id.label("branch_id"),
                Customer.manager_id,
                Customer.tier,
                Customer.preferred_channel,
                Customer.consent_dm,
                Customer.consent_tm,
                Customer.consent_email,
                Customer.opened_on,
            ).where(open_customer, Customer.opened_on <= as_of),
            {
                "customer_id": pl.Int64,
                "birth_date": pl.Date,
                "branch_id": pl.Int64,
                "manager_id": pl.Int64,
                "consent_dm": pl.Boolean,
                "consent_tm": pl.Boolean,
                "consent_email": pl.Boolean,
                "opened_on": pl.Date,
            },
        ),
        "branches": (
            select(Branch.id.label("branch_id"), Branch.code.label("branch_code")),
            {"branch_id": pl.Int64, "branch_code": pl.String},
        ),
        "aum": (
            select(Account.customer_id, aum.label("aum_krw"))
            .where(Account.closed_on.is_(None))
            .group_by(Account.customer_id),
            {"customer_id": pl.Int64, "aum_krw": pl.Int64},
        ),
        "holdings": (
            select(Account.customer_id, Product.fund_type)
            .join(Product, Product.id == Account.product_id)
            .where(Account.closed_on.is_(None))
            .distinct(),
            {"customer_id": pl.Int64, "fund_type": pl.String},
        ),
        "last_transaction": (
            select(
                Transaction.customer_id,
                day_of(source, func.max(Transaction.occurred_at)).label("on"),
            ).group_by(Transaction.customer_id),
            {"customer_id": pl.Int64, "on": pl.Date},
        ),
        "last_contact": (
            select(
                Consultation.customer_id,
                day_of(source, func.max(Consultation.occurred_at)).label("on"),
            ).group_by(Consultation.customer_id),
            {"customer_id": pl.Int64, "on": pl.Date},
        ),
        "events": (
            select(LifeEvent.customer_id, LifeEvent.event_date),
            {"customer_id": pl.Int64, "event_date": pl.Date},
        ),
    }


def _days_since(frame: pl.DataFrame, as_of: dt.date, name: str) -> pl.DataFrame:
    return frame.select(
        "customer_id",
        (pl.lit(as_of) - pl.col("on")).dt.total_days().clip(0).cast(pl.Int32).alias(name),
    )


def _next_life_event_days(events: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Days from `as_of` to the next yearly recurrence of any of the customer's dates
    (29 February falls on the 28th in other years)."""
    years = pl.lit(as_of.year) - pl.col("event_date").dt.year()
    this_year = pl.col("event_date").dt.offset_by(pl.format("{}y", years))
    next_year = pl.col("event_date").dt.offset_by(pl.format("{}y", years + 1))
    upcoming = pl.when(this_year >= as_of).then(this_year).otherwise(next_year)
    return events.group_by("customer_id").agg(
        (upcoming - pl.lit(as_of))
        .dt.total_days()
        .min()
        .cast(pl.Int32)
        .alias("next_life_event_days")
    )


def _age(birth: pl.Expr, as_of: dt.date) -> pl.Expr:
    before_birthday = (birth.dt.month() > as_of.month) | (
        (birth.dt.month() == as_of.month) & (birth.dt.day() > as_of.day)
    )
    return (as_of.year - birth.dt.year() - before_birthday.cast(pl.Int32)).cast(pl.Int32)


def build_features(source: Connection | Engine, as_of: dt.date) -> pl.DataFrame:
    """One row per customer open on `as_of`, with every field a segment may filter on."""
    read = read_arrow_frames(source, _feature_reads(source, as_of))
    customers = read["customers"]
    fund_types = (
        read["holdings"]
        .group_by("customer_id")
        .agg(pl.col("fund_type").unique().sort().alias("fund_types"))
    )
    frame = (
        customers.join(read["branches"], on="branch_id", how="left")
        .join(read["aum"], on="customer_id", how="left")
        .join(fund_types, on="customer_id", how="left")
        .join(
            _days_since(read["last_transaction"], as_of, "days_since_transaction"),
            on="customer_id",
            how="left",
        )
        .join(
            _days_since(read["last_contact"], as_of, "days_since_contact"),
            on="customer_id",
            how="left",
        )
        .join(_next_life_event_days(read["events"], as_of), on="customer_id", how="left")
        .with_columns(
            age=_age(pl.col("birth_date"), as_of),
            tenure_years=_age(pl.col("opened_on"), as_of),
            aum_krw=pl.col("aum_krw").fill_null(0),
            fund_types=pl.col("fund_types").fill_null([]),
        )
    )
    return frame.select(pl.col(name).cast(dtype) for name, dtype in FEATURE_SCHEMA.items()).sort(
        "customer_id"
    )


def analytics_folder(engine: Engine) -> Path:
    """Where this database's copy lives: beside a SQLite file, else under CRM_ANALYTICS_DIR
    (default data/analytics) in a folder named after the server and database."""
    url = engine.url
    configured = os.environ.get(ANALYTICS_DIR_ENV)
    if url.get_backend_name() == "sqlite" and url.database and not configured:
        database = Path(url.database).resolve()
        return database.with_name(f"{database.stem}-analytics")
    identity = f"{url.get_backend_name()}://{url.host}:{url.port}/{url.database}"
    key = hashlib.sha256(identity.encode()).hexdigest()[:12]
    base = Path(configured) if configured else PROJECT_ROOT / "data" / "analytics"
    return base / f"{url.database or 'db'}-{key}"


def database_id(conn: Connection) -> str | None:
    return conn.execute(select(Setting.value).where(Setting.key == DATABASE_ID_KEY)).scalar()


def features_version(conn: Connection) -> int:
    """How many feature changes the database has counted (0 before the first)."""
    value = conn.execute(select(Setting.value).where(Setting.key == FEATURES_VERSION_KEY)).scalar()
    return int(value or 0)


def mark_features_stale(conn: Connection) -> None:
    """Count one feature change, in the writer's unit of work, so the copy is known stale.

    One atomic upsert on one row: a copy records the count it was read after, so any write
    committed later leaves the count ahead of it, whatever the commit order. On PostgreSQL
    the row stays locked until the writer commits: call this last in the unit of work.
    """
    conn.execute(
        insert_or_update(conn)(Setting)
        .values(key=FEATURES_VERSION_KEY, value="1")
        .on_conflict_do_update(
            index_elements=[Setting.key],
            set_={"value": cast(cast(Setting.value, BigInteger) + 1, String)},
        )
    )


def may_refresh_features(user: SignedInUser) -> bool:
    """Who may rebuild the whole copy by hand: firm-wide segment readers and job runners."""
    return scope_of(user, Action.SEGMENT_READ) is Scope.FIRM or permits(user, Action.JOBS_RUN)


def require_refresh_features(user: SignedInUser) -> None:
    """Refuse a rebuild asked for by someone `may_refresh_features` does not name: a rebuild
    costs seconds of CPU for everyone, whatever a page offers."""
    if not may_refresh_features(user):
        raise AccessDenied("seg_copy_refused")


def _ensure_database_id(engine: Engine) -> str:
    with engine.connect() as conn:
        if (known := database_id(conn)) is not None:
            return known
        try:
            with unit_of_work(conn) as session:
                session.add(Setting(key=DATABASE_ID_KEY, value=uuid.uuid4().hex))
            conn.commit()
        except IntegrityError:
            conn.rollback()  # another process named it first
        known = database_id(conn)
    assert known is not None
    return known


def write_features(engine: Engine, as_of: dt.date) -> FeatureCopy:
    """Build the copy of `engine`'s database as of `as_of` and replace the stored one.

    The file is written beside and renamed into place, so a reader sees the old copy or the
    new one, never half of one.
    """
    identity = _ensure_database_id(engine)
    with engine.connect() as conn:
        version = features_version(conn)  # read first: a change after it counts as missing
    frame = build_features(engine, as_of)
    built_at = now_seoul()
    folder = analytics_folder(engine)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f"{FEATURES_FILE}.{uuid.uuid4().hex}.partial"
    frame.write_ipc(partial, compression="uncompressed")
    meta = {
        "database_id": identity,
        "as_of": as_of.isoformat(),
        "built_at": built_at.isoformat(),
        "rows": frame.height,
        "version": version,
    }
    meta_partial = folder / f"{FEATURES_META}.{uuid.uuid4().hex}.partial"
    meta_partial.write_text(json.dumps(meta))
    os.replace(partial, folder / FEATURES_FILE)
    os.replace(meta_partial, folder / FEATURES_META)
    return FeatureCopy(frame, as_of, built_at, identity, version)


_loaded: dict[Path, tuple[tuple[int, int], FeatureCopy]] = {}
_loading = threading.Lock()


def load_features(engine: Engine, user: SignedInUser) -> FeatureCopy:
    """The stored copy of this database cut to the customers `user` may count (`in_scope`):
    the whole firm, or a branch manager's own branch. AccessDenied without segment reading.

    The whole copy stays in memory once per process (`_load_features`); each user's slice is
    a filter of it, so no page ever holds customers outside its user's scope. Raises
    CopyMissing like `_load_features`.
    """
    require(user, Action.SEGMENT_READ)
    copy = _load_features(engine)
    return dataclasses.replace(copy, frame=in_scope(copy, user))


def _load_features(engine: Engine) -> FeatureCopy:
    """The stored copy of the whole firm, kept in memory until the file changes, with how
    many feature changes it lacks (`behind`); it never rebuilds here (see module docstring).
    For data_access only: pages get `load_features`, cut to their user's scope.

    Raises CopyMissing when there is none, or when the copy found was made from another
    database (a restored or swapped file).
    """
    folder = analytics_folder(engine)
    stored = _stored_copy(engine)
    with _loading:
        cached = _loaded.get(folder)
        if cached is not None and cached[0] == stored.stamp:
            copy = cached[1]
        else:
            copy = FeatureCopy(
                frame=pl.read_ipc(folder / FEATURES_FILE),
                as_of=dt.date.fromisoformat(stored.meta["as_of"]),
                built_at=dt.datetime.fromisoformat(stored.meta["built_at"]),
                database_id=stored.database_id,
                version=stored.meta.get("version", 0),
            )
            _loaded[folder] = (stored.stamp, copy)
    return dataclasses.replace(copy, behind=stored.behind)


@dataclass(frozen=True, slots=True)
class _StoredCopy:
    meta: dict[str, Any]
    stamp: tuple[int, int]
    database_id: str
    behind: int


def _stored_copy(engine: Engine) -> _StoredCopy:
    """The stored copy's small meta file, checked against this database (CopyMissing)."""
    folder = analytics_folder(engine)
    data_path, meta_path = folder / FEATURES_FILE, folder / FEATURES_META
    with engine.connect() as conn:
        identity = database_id(conn)
        current = features_version(conn)
    try:
        stamp = (data_path.stat().st_mtime_ns, meta_path.stat().st_mtime_ns)
        meta = json.loads(meta_path.read_text())
    except (FileNotFoundError, json.JSONDecodeError) as exc:
        raise CopyMissing("seg_copy_missing_wait") from exc
    if identity is None or meta.get("database_id") != identity:
        # A copy made from another database (a restored file) counts as none.
        raise CopyMissing("seg_copy_missing_wait")
    return _StoredCopy(meta, stamp, identity, max(0, current - meta.get("version", 0)))


def features_behind(engine: Engine) -> int:
    """How many feature changes the stored copy lacks, without reading the copy itself;
    raises CopyMissing like `_load_features`."""
    return _stored_copy(engine).behind


# --- counting and profiling --------------------------------------------------------------------

AGE_BANDS = (20, 30, 40, 50, 60, 70, 80)  # lower bounds; the first band is "under 30"
AUM_BANDS_KRW = (0, 1_000_000, 10_000_000, 50_000_000, 100_000_000, 500_000_000, 1_000_000_000)


def in_scope(copy: FeatureCopy, user: SignedInUser) -> pl.DataFrame:
    """The customers of `copy` that `user` may count: the whole firm, or a branch manager's own
    branch. The policy is asked before the copy is touched."""
    scope = require(user, Action.SEGMENT_READ)
    if scope is Scope.FIRM:
        return copy.frame
    return copy.frame.filter(pl.col("branch_id") == user.branch_id)


def members(copy: FeatureCopy, user: SignedInUser, spec: Group) -> pl.DataFrame:
    """The rows of the copy in `user`'s scope that match `spec`."""
    frame = in_scope(copy, user)
    condition = expression(spec)
    return frame if condition is None else frame.filter(condition)


@dataclass(frozen=True, slots=True)
class SegmentProfile:
    """A segment against everyone in scope. Each mix frame: `value`, `group` (segment or all),
    `customers` and `share` (of its group)."""

    matched: int
    in_scope: int
    contradiction: Contradiction | None
    pyramid: pl.DataFrame  # value = age band lower bound, plus `gender`
    aum: pl.DataFrame  # value = AUM band lower bound in KRW
    tier: pl.DataFrame
    region: pl.DataFrame
    products: pl.DataFrame
    as_of: dt.date
    built_at: dt.datetime

    @property
    def matched_share(self) -> float:
        """The segment's customers as a share (0..1) of everyone in scope."""
        return self.matched / self.in_scope if self.in_scope else 0.0


def _bands(column: str, bounds: tuple[int, ...]) -> pl.Expr:
    expr = pl.lit(bounds[0])
    for bound in bounds[1:]:
        expr = pl.when(pl.col(column) >= bound).then(pl.lit(bound)).otherwise(expr)
    return expr.cast(pl.Int64).alias("value")


def _mix(frame: pl.DataFrame, group: str, value: pl.Expr, *by: str) -> pl.DataFrame:
    counts = frame.group_by(value, *by).agg(pl.len().cast(pl.Int64).alias("customers"))
    total = max(frame.height, 1)
    return counts.with_columns(group=pl.lit(group), share=pl.col("customers") / total).sort(
        "value", *by
    )


def _profiles(frame: pl.DataFrame, group: str) -> dict[str, pl.DataFrame]:
    exploded = frame.select(pl.col("fund_types").alias("value")).explode("value").drop_nulls()
    products = exploded.group_by("value").agg(pl.len().cast(pl.Int64).alias("customers"))
    return {
        "pyramid": _mix(frame, group, _bands("age", AGE_BANDS), "gender"),
        "aum": _mix(frame, group, _bands("aum_krw", AUM_BANDS_KRW)),
        "tier": _mix(frame, group, pl.col("tier").alias("value")),
        "region": _mix(frame, group, pl.col("region").alias("value")),
        "products": products.with_columns(
            group=pl.lit(group), share=pl.col("customers") / max(frame.height, 1)
        ).sort("value"),
    }


_kept: dict[tuple[str, str, dt.datetime, int | None], Any] = {}


def _kept_for_scope(
    name: str, copy: FeatureCopy, user: SignedInUser, compute: Callable[[pl.DataFrame], Any]
) -> Any:
    """`compute` over the user's scope of the copy, once per copy and branch: what depends on
    the copy and the scope alone (everyone's profile, the filter lists) takes a second over
    the firm's millions of customers, which no rerun of the explorer should repeat."""
    everyone = in_scope(copy, user)
    branch = None if everyone is copy.frame else user.branch_id
    key = (name, copy.database_id, copy.built_at, branch)
    if key not in _kept:
        # An older copy of the same database is never asked for again.
        for stale in [k for k in _kept if k[1] == key[1] and k[2] != key[2]]:
            del _kept[stale]
        _kept[key] = compute(everyone)
    return _kept[key]


def profile(copy: FeatureCopy, user: SignedInUser, spec: Group) -> SegmentProfile:
    """Count `spec` in `user`'s scope and profile it against everyone in that scope."""
    everyone = in_scope(copy, user)
    baseline: dict[str, pl.DataFrame] = _kept_for_scope(
        "profile", copy, user, lambda frame: _profiles(frame, "all")
    )
    condition = expression(spec)
    if condition is None:  # everyone: the baseline under the segment's name
        matched = everyone
        ours = {name: mix.with_columns(group=pl.lit("segment")) for name, mix in baseline.items()}
    else:
        note_read(everyone.select(list(dict.fromkeys(condition.meta.root_names()))))
        matched = everyone.filter(condition)
        ours = _profiles(matched, "segment")
    mixes = {name: pl.concat([ours[name], baseline[name]]) for name in ours}
    return SegmentProfile(
        matched=matched.height,
        in_scope=everyone.height,
        contradiction=contradiction(spec),
        as_of=copy.as_of,
        built_at=copy.built_at,
        **mixes,
    )


def choices(copy: FeatureCopy, user: SignedInUser) -> dict[str, list[str]]:
    """The values of each choice field found in the copy, for the filter builder's lists."""

    def found_in(frame: pl.DataFrame) -> dict[str, list[str]]:
        found = {
            field: sorted(frame[COLUMN_OF.get(field, field)].drop_nulls().unique().to_list())
            for field in ("occupation", "region", "branch")
        }
        found["products"] = sorted(frame["fund_types"].explode().drop_nulls().unique().to_list())
        return found | {field: list(values) for field, values in FIXED_CHOICES.items()}

    lists: dict[str, list[str]] = _kept_for_scope("choices", copy, user, found_in)
    return {field: list(values) for field, values in lists.items()}  # the caller's own lists


# --- saved segments ----------------------------------------------------------------------------

NAME_MAX_CHARS = 80


@dataclass(frozen=True, slots=True)
class SavedSegment:
    segment_id: int
    name: str
    version: int
    spec: Group
    owner_name: str
    shared: bool
    mine: bool


def _visible(user: SignedInUser) -> Any:
    return (Segment.owner_user_id == user.user_id) | Segment.shared


def save_segment(
    conn: Connection,
    user: SignedInUser,
    name: str,
    spec: Group,
    *,
    segment_id: int | None = None,
    shared: bool = False,
) -> SavedSegment:
    """Save a new segment, or a new version of the user's own segment `segment_id`.

    Old versions are kept (campaigns point at them). Audited with the spec saved.
    """
    scope = require(user, Action.SEGMENT_WRITE)
    cleaned = name.strip()
    if not cleaned:
        raise Refused("seg_rejected_name_empty")
    if len(cleaned) > NAME_MAX_CHARS:
        raise Refused("seg_rejected_name_long", limit=NAME_MAX_CHARS)
    now = now_seoul()
    with unit_of_work(conn) as session:
        segment: Segment | None
        clash = session.scalar(select(Segment.id).where(Segment.name == cleaned))
        if clash is not None and clash != segment_id:
            raise Refused("seg_rejected_name_taken")
        if segment_id is None:
            segment = Segment(
                name=cleaned,
                owner_user_id=user.user_id,
                owner_name=user.username,
                branch_id=user.branch_id if scope is Scope.BRANCH else None,
                shared=shared,
                current_version=1,
                created_at=now,
                updated_at=now,
            )
            session.add(segment)
            session.flush()
        else:
            segment = session.get(Segment, segment_id)
            if segment is None or segment.owner_user_id != user.user_id:
                raise Refused("seg_rejected_not_owner")
            segment.name = cleaned
            segment.shared = shared
            segment.current_version += 1
            segment.updated_at = now
        session.add(
            SegmentVersion(
                segment_id=segment.id,
                version=segment.current_version,
                spec=spec_json(spec),
                created_by=user.username,
                created_at=now,
            )
        )
        audit_as(
            session,
            user,
            "segment_save",
            target_kind="segment",
            target_id=str(segment.id),
            detail={"version": segment.current_version, "shared": shared, "spec": spec_json(spec)},
        )
        saved = SavedSegment(
            segment.id, cleaned, segment.current_version, spec, user.username, shared, True
        )
    return saved


SEGMENT_LIST_SCHEMA: FrameSchema = {
    "segment_id": pl.Int64,
    "name": pl.String,
    "version": pl.Int64,
    "owner_name": pl.String,
    "shared": pl.Boolean,
    "mine": pl.Boolean,
    "updated_at": pl.Datetime("us"),
}


def list_segments(conn: Connection, user: SignedInUser) -> pl.DataFrame:
    """The user's own segments and those others shared, newest first."""
    require(user, Action.SEGMENT_READ)
    rows = conn.execute(
        select(
            Segment.id,
            Segment.name,
            Segment.current_version,
            Segment.owner_name,
            Segment.shared,
            Segment.owner_user_id == user.user_id,
            Segment.updated_at,
        )
        .where(_visible(user))
        .order_by(Segment.updated_at.desc(), Segment.id.desc())
    ).all()
    return pl.DataFrame(
        [tuple(row) for row in rows], schema=SEGMENT_LIST_SCHEMA, orient="row"
    ).with_columns(pl.col("shared", "mine").cast(pl.Boolean))


def saved_segment(
    conn: Connection, user: SignedInUser, segment_id: int, version: int | None = None
) -> SavedSegment:
    """One visible segment at `version` (default: its newest)."""
    require(user, Action.SEGMENT_READ)
    segment = conn.execute(
        select(
            Segment.id,
            Segment.name,
            Segment.current_version,
            Segment.owner_name,
            Segment.shared,
            Segment.owner_user_id,
        ).where(Segment.id == segment_id, _visible(user))
    ).one_or_none()
    if segment is None:
        raise NotFound("seg_rejected_unknown")
    wanted = version or segment.current_version
    spec = conn.scalar(
        select(SegmentVersion.spec).where(
            SegmentVersion.segment_id == segment_id, SegmentVersion.version == wanted
        )
    )
    if spec is None:
        raise NotFound("seg_rejected_unknown")
    return SavedSegment(
        segment.id,
        segment.name,
        wanted,
        validate_spec(spec),
        segment.owner_name,
        segment.shared,
        segment.owner_user_id == user.user_id,
    )


def segment_versions(conn: Connection, user: SignedInUser, segment_id: int) -> pl.DataFrame:
    """Every version of a visible segment, newest first: version, created_by, created_at, spec."""
    saved_segment(conn, user, segment_id)
    rows = conn.execute(
        select(
            SegmentVersion.version,
            SegmentVersion.created_by,
            SegmentVersion.created_at,
            SegmentVersion.spec,
        )
        .where(SegmentVersion.segment_id == segment_id)
        .order_by(SegmentVersion.version.desc())
    ).all()
    return pl.DataFrame(
        [tuple(row) for row in rows],
        schema={
            "version": pl.Int64,
            "created_by": pl.String,
            "created_at": pl.Datetime("us"),
            "spec": pl.String,
        },
        orient="row",
    )
