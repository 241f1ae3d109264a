"""The morning agenda: rules as data, the daily build, and the items reps work through.

Rules are rows of `agenda_rules`, each of one kind with its own validated spec:

- life_event: a birthday, wedding or account anniversary falls within N days (29 February
  falls on 28 February in other years; a window may cross the year end).
- maturity: an open account matures within N days (optionally only from a value up).
- dormant: no transaction for N days while the customer still holds at least X won.
- churn_risk: a transparent score of four signs over the last `window_days`, each adding its
  weight (defaults in brackets) when present:
    recent redemptions   at least `min_redemptions` redemptions or withdrawals      [30]
    falling balance      net outflow of at least `balance_drop_pct` % of the balance
                         the customer held at the window's start (today's assets plus
                         the net outflow; market moves are left out)                 [30]
    no contact           no consultation for `no_contact_days` (or ever)             [20]
    maturity, not        an account matured in the window and nothing was paid in
    reinvested           since                                                       [20]
  A customer is listed when the score reaches `threshold` [50].
- contact_due (DM/TM): no consultation for N days, N per tier; optionally only customers who
  consented to DM or TM, and at most M per employee a day (the longest waiting first).
- happy_call: a sale's follow-up call (issue #22, data_access.conduct) still open N days after
  the sale, on the agenda of the person responsible for it (not necessarily the customer's
  manager) until its outcome is recorded; a customer owed several calls by one person is
  listed once, under the call due first.
- complaint: a complaint case (issue #22, data_access.complaints) still open and overdue or
  near its deadline (the complaint settings in data_access.core.complaint_rules), on the
  agenda of its handler, or of the branch manager while nobody handles it, every day until
  compliance closes it; a customer with several such cases is listed once, under the case
  due first.

Every rule has a priority (1 first), a non-empty tier filter and an on/off switch.

The build for a business date covers every active employee's book (customers.manager_id):
it reads the needed columns through Arrow (db.read_arrow_frames, several reads at once),
computes all rules as polars expressions over the whole customer base, and replaces the
date's open items in one transaction. Items already worked that day stay, and a worked item
keeps its customer off the same rule's list for a while (see `_suppressed`).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import time
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy import (
    BigInteger,
    Connection,
    CursorResult,
    Engine,
    Select,
    SQLColumnExpression,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from data_access import customers, segments
from data_access.core import complaint_rules, job_runs, metrics
from data_access.core.business_days import (
    extra_holidays,
)
from data_access.core.db import (
    AnySelect,
    FrameSchema,
    PolarsType,
    Read,
    bulk_insert,
    day_of,
    month_day,
    read_arrow_frames,
    read_frame,
    unit_of_work,
)
from data_access.core.errors import (
    Refused,
)
from data_access.core.models import (
    CONSULTATION_CHANNELS,
    CONSULTATION_OUTCOMES,
    INFLOW_KINDS,
    LIFE_EVENT_KINDS,
    OUTFLOW_KINDS,
    Account,
    AgendaItem,
    AgendaRule,
    Branch,
    Complaint,
    Consultation,
    Customer,
    Employee,
    FundSale,
    HappyCall,
    LifeEvent,
    Product,
    Role,
    Tier,
    Transaction,
)
from data_access.core.policy import (
    AccessDenied,
    Action,
    Scope,
    branch_condition,
    permits,
    require,
    roles_permitted,
)
from data_access.core.security import (
    SignedInUser,
    audit_as,
    now_seoul,
)
from data_access.customers import (
    NOTE_MAX_CHARS,
    add_note_unmarked,
    note_branch_id,
)
from data_access.usage import (
    UsageAction,
    record_usage,
)

JOB = "agenda"
PAGE = "agenda"
AGENDA_ROLES = roles_permitted(Action.AGENDA_WORK)
TEAM_ROLES = roles_permitted(Action.AGENDA_TEAM_READ)

OPEN, DONE, SNOOZED, UNREACHABLE = "open", "done", "snoozed", "unreachable"
WORKED = (DONE, SNOOZED, UNREACHABLE)
SNOOZE_DAYS = (1, 3, 7, 14)
# A customer whose item was done or found unreachable is not listed again by the same rule
# while the event is still ahead (a birthday, a maturity) nor for this many days after.
REWORK_AFTER_DAYS = 30
# A happy call's state while nobody has recorded its outcome (data_access.conduct.OPEN).
HAPPY_CALL_OPEN = "open"
SUPPRESSION_LOOKBACK_DAYS = 400
MAX_EVENT_WINDOW_DAYS = 90


class RuleKind(enum.StrEnum):
    LIFE_EVENT = "life_event"
    MATURITY = "maturity"
    DORMANT = "dormant"
    CHURN_RISK = "churn_risk"
    CONTACT_DUE = "contact_due"
    HAPPY_CALL = "happy_call"
    COMPLAINT = "complaint"


# ---------------------------------------------------------------------------------------------
# Rule specs: what an admin may write, checked before anything is saved.

LifeEventKind = Literal["birthday", "wedding_anniversary", "account_anniversary"]
Days = Annotated[int, Field(ge=1, le=3650)]


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LifeEventParams(_Params):
    events: tuple[LifeEventKind, ...] = Field(min_length=1)
    within_days: int = Field(ge=0, le=MAX_EVENT_WINDOW_DAYS)

    @field_validator("events")
    @classmethod
    def _distinct(cls, events: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(kind for kind in LIFE_EVENT_KINDS if kind in events)


class MaturityParams(_Params):
    within_days: int = Field(ge=0, le=365)
    min_value_krw: int = Field(default=0, ge=0)


class DormantParams(_Params):
    idle_days: Days
    min_aum_krw: int = Field(ge=0)


class ChurnRiskParams(_Params):
    window_days: int = Field(default=90, ge=7, le=365)
    min_redemptions: int = Field(default=2, ge=1, le=100)
    balance_drop_pct: int = Field(default=20, ge=1, le=100)
    no_contact_days: Days = 180
    weight_redemptions: int = Field(default=30, ge=0, le=100)
    weight_falling_balance: int = Field(default=30, ge=0, le=100)
    weight_no_contact: int = Field(default=20, ge=0, le=100)
    weight_maturity_not_reinvested: int = Field(default=20, ge=0, le=100)
    threshold: int = Field(default=50, ge=1, le=400)

    @model_validator(mode="after")
    def _reachable(self) -> ChurnRiskParams:
        total = (
            self.weight_redemptions
            + self.weight_falling_balance
            + self.weight_no_contact
            + self.weight_maturity_not_reinvested
        )
        if total < self.threshold:
            raise PydanticCustomError(
                "threshold_unreachable",
                "The weights add up to {total}, below the threshold {threshold}: "
                "no customer could ever reach it.",
                {"total": total, "threshold": self.threshold},
            )
        return self


class ContactDueParams(_Params):
    days_by_tier: dict[Tier, Days] = Field(min_length=1)
    channel: Literal["any", "dm", "tm"] = "any"
    max_per_employee: int | None = Field(default=None, ge=1, le=1000)


class HappyCallParams(_Params):
    days_after_sale: int = Field(default=1, ge=0, le=30)


class ComplaintParams(_Params):
    """No numbers of its own: "near" and "overdue" are the complaint settings every page shares."""


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    name_ko: str = Field(min_length=1, max_length=60)
    name_en: str = Field(min_length=1, max_length=60)
    priority: int = Field(ge=1, le=9)
    tiers: tuple[Tier, ...] = Field(min_length=1)
    enabled: bool = True

    @field_validator("tiers")
    @classmethod
    def _distinct_tiers(cls, tiers: tuple[Tier, ...]) -> tuple[Tier, ...]:
        return tuple(tier for tier in Tier if tier in tiers)


class LifeEventRule(_Rule):
    kind: Literal["life_event"] = "life_event"
    params: LifeEventParams


class MaturityRule(_Rule):
    kind: Literal["maturity"] = "maturity"
    params: MaturityParams


class DormantRule(_Rule):
    kind: Literal["dormant"] = "dormant"
    params: DormantParams


class ChurnRiskRule(_Rule):
    kind: Literal["churn_risk"] = "churn_risk"
    params: ChurnRiskParams


class ContactDueRule(_Rule):
    kind: Literal["contact_due"] = "contact_due"
    params: ContactDueParams

    @model_validator(mode="after")
    def _days_for_every_tier(self) -> ContactDueRule:
        missing = [tier.value for tier in self.tiers if tier not in self.params.days_by_tier]
        if missing:
            raise PydanticCustomError(
                "tier_days_missing",
                "Say after how many days each chosen tier is due; missing: {missing}.",
                {"missing": ", ".join(missing)},
            )
        return self


class HappyCallRule(_Rule):
    kind: Literal["happy_call"] = "happy_call"
    params: HappyCallParams


class ComplaintRule(_Rule):
    kind: Literal["complaint"] = "complaint"
    params: ComplaintParams = ComplaintParams()


RuleSpec = (
    LifeEventRule
    | MaturityRule
    | DormantRule
    | ChurnRiskRule
    | ContactDueRule
    | HappyCallRule
    | ComplaintRule
)
# mypy reads Annotated[...] as a value of type _SpecialForm, not as the type it names (pydantic
# declares the argument a PEP 747 TypeForm, which mypy 1.x does not check yet).
_RULE_SPEC: TypeAdapter[RuleSpec] = TypeAdapter(
    typing.cast(Any, Annotated[RuleSpec, Field(discriminator="kind")])
)
PARAMS_BY_KIND: dict[RuleKind, type[_Params]] = {
    RuleKind.LIFE_EVENT: LifeEventParams,
    RuleKind.MATURITY: MaturityParams,
    RuleKind.DORMANT: DormantParams,
    RuleKind.CHURN_RISK: ChurnRiskParams,
    RuleKind.CONTACT_DUE: ContactDueParams,
    RuleKind.HAPPY_CALL: HappyCallParams,
    RuleKind.COMPLAINT: ComplaintParams,
}


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """One reason a rule was refused: the field, a code (pydantic's error type or ours), the
    limit involved if any, and an English sentence for logs."""

    field: str
    code: str
    limit: Any
    message: str


def validate_rule(raw: Mapping[str, Any]) -> RuleSpec:
    """The rule `raw` describes, or refused (rule_refused) with every problem found."""
    try:
        return _RULE_SPEC.validate_python(dict(raw))
    except ValidationError as exc:
        raise Refused("rule_refused", problems=[_problem(error) for error in exc.errors()]) from exc


def _problem(error: Mapping[str, Any]) -> RuleProblem:
    kinds = {kind.value for kind in RuleKind}
    path = [str(part) for part in error["loc"] if str(part) not in kinds and part != "params"]
    # A per-tier day count is reported as days_by_tier.vip; the field is days_by_tier.
    field = path[0] if path else "rule"
    context = error.get("ctx") or {}
    limit = next(
        (context[key] for key in ("ge", "le", "min_length", "max_length") if key in context),
        context.get("missing", context.get("threshold")),
    )
    return RuleProblem(field=field, code=error["type"], limit=limit, message=error["msg"])


@dataclass(frozen=True, slots=True)
class ParamField:
    """How the rules page asks for one parameter: `widget` is int, optional_int, choice,
    choices or tier_days; `options` lists the allowed values of a choice."""

    name: str
    widget: str
    options: tuple[str, ...]
    default: Any


def param_fields(kind: RuleKind | str) -> tuple[ParamField, ...]:
    """The parameters of a rule kind, in declaration order, read off its pydantic spec."""
    fields = []
    for name, info in PARAMS_BY_KIND[RuleKind(kind)].model_fields.items():
        annotation = info.annotation
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        options: tuple[str, ...] = ()
        if origin is dict:
            widget = "tier_days"
            options = tuple(tier.value for tier in Tier)
        elif origin is tuple:
            widget = "choices"
            options = typing.get_args(args[0])
        elif origin is Literal:
            widget, options = "choice", args
        elif type(None) in args:
            widget = "optional_int"
        else:
            widget = "int"
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        fields.append(ParamField(name, widget, options, default))
    return tuple(fields)


# Migration 0014 adds this rule to databases seeded before it existed.
HAPPY_CALL_RULE: dict[str, Any] = {
    "kind": "happy_call",
    "name_ko": "해피콜",
    "name_en": "Happy calls after a sale",
    "priority": 1,
    "tiers": ["vip", "priority", "general"],
    "params": {"days_after_sale": 1},
}
# Migration 0015 adds this rule to databases seeded before it existed.
COMPLAINT_RULE: dict[str, Any] = {
    "kind": "complaint",
    "name_ko": "민원 처리기한",
    "name_en": "Complaints due",
    "priority": 1,
    "tiers": ["vip", "priority", "general"],
    "params": {},
}
# Sized for a book of about 440 customers (the article's figure): a dozen or two items a day.
DEFAULT_RULES: tuple[dict[str, Any], ...] = (
    {
        "kind": "maturity",
        "name_ko": "만기 도래 계좌",
        "name_en": "Accounts reaching maturity",
        "priority": 1,
        "tiers": ["vip", "priority", "general"],
        "params": {"within_days": 14, "min_value_krw": 0},
    },
    {
        "kind": "churn_risk",
        "name_ko": "이탈 위험 고객",
        "name_en": "Customers about to leave",
        "priority": 2,
        "tiers": ["vip", "priority", "general"],
        "params": {"threshold": 60},
    },
    {
        "kind": "life_event",
        "name_ko": "생일·기념일 고객",
        "name_en": "Birthdays and anniversaries",
        "priority": 3,
        "tiers": ["vip", "priority", "general"],
        "params": {"events": ["birthday", "wedding_anniversary"], "within_days": 3},
    },
    {
        "kind": "dormant",
        "name_ko": "휴면 자산 고객",
        "name_en": "Dormant customers with assets",
        "priority": 4,
        "tiers": ["vip", "priority", "general"],
        "params": {"idle_days": 365, "min_aum_krw": 50_000_000},
    },
    {
        "kind": "contact_due",
        "name_ko": "DM 발송 대상",
        "name_en": "Due for direct mail",
        "priority": 5,
        "tiers": ["vip", "priority", "general"],
        "params": {
            "days_by_tier": {"vip": 60, "priority": 180, "general": 365},
            "channel": "dm",
            "max_per_employee": 10,
        },
    },
    HAPPY_CALL_RULE,
    COMPLAINT_RULE,
)


# ---------------------------------------------------------------------------------------------
# Stored rules.


@dataclass(frozen=True, slots=True)
class StoredRule:
    id: int
    version: int
    spec: RuleSpec
    updated_by: str
    updated_at: dt.datetime

    @property
    def kind(self) -> RuleKind:
        return RuleKind(self.spec.kind)


def _as_raw(rule: AgendaRule) -> dict[str, Any]:
    return {
        "kind": rule.kind,
        "name_ko": rule.name_ko,
        "name_en": rule.name_en,
        "priority": rule.priority,
        "tiers": list(rule.tiers),
        "enabled": rule.enabled,
        "params": dict(rule.params),
    }


def agenda_rules(conn: Connection, *, enabled_only: bool = False) -> list[StoredRule]:
    """The rules by priority; seeds the default rules into a database that has none."""
    ensure_default_rules(conn)
    stmt = select(AgendaRule).order_by(AgendaRule.priority, AgendaRule.id)
    if enabled_only:
        stmt = stmt.where(AgendaRule.enabled)
    # A plain read: a unit of work would take SQLite's write lock for nothing.
    with Session(bind=conn) as session:
        return [
            StoredRule(
                row.id, row.version, validate_rule(_as_raw(row)), row.updated_by, row.updated_at
            )
            for row in session.scalars(stmt)
        ]


def ensure_default_rules(conn: Connection) -> None:
    """Seed DEFAULT_RULES once; a concurrent seeder trips the unique names and stands aside."""
    with Session(bind=conn) as session:
        if session.scalars(select(AgendaRule.id).limit(1)).first() is not None:
            return
    now = now_seoul()
    try:
        with unit_of_work(conn) as session:
            if session.scalars(select(AgendaRule.id).limit(1)).first() is not None:
                return
            for raw in DEFAULT_RULES:
                session.add(_new_row(validate_rule(raw), "system", now))
    except IntegrityError:
        return


def _new_row(spec: RuleSpec, username: str, now: dt.datetime) -> AgendaRule:
    dumped = spec.model_dump(mode="json")
    return AgendaRule(
        kind=dumped["kind"],
        name_ko=dumped["name_ko"],
        name_en=dumped["name_en"],
        priority=dumped["priority"],
        tiers=dumped["tiers"],
        enabled=dumped["enabled"],
        params=dumped["params"],
        version=1,
        updated_by=username,
        updated_at=now,
    )


def _require_admin(user: SignedInUser) -> None:
    require(user, Action.AGENDA_RULES_WRITE)


def save_rule(
    conn: Connection,
    user: SignedInUser,
    raw: Mapping[str, Any],
    *,
    rule_id: int | None = None,
    expected_version: int | None = None,
) -> StoredRule:
    """Create a rule (`rule_id` None) or change one; administrators only, audited.

    Refused (rule_refused), and nothing saved, when the spec is invalid, the name is taken,
    or the rule changed since `expected_version` was read (someone else saved first).
    """
    _require_admin(user)
    spec = validate_rule(raw)
    now = now_seoul()
    try:
        with unit_of_work(conn) as session:
            row: AgendaRule | None
            if rule_id is None:
                row = _new_row(spec, user.username, now)
                session.add(row)
                session.flush()
                before = None
            else:
                row = session.get(AgendaRule, rule_id)
                if row is None:
                    raise Refused(
                        "rule_refused",
                        problems=[
                            RuleProblem("rule", "missing", rule_id, f"No agenda rule {rule_id}.")
                        ],
                    )
                if row.kind != spec.kind:
                    raise Refused(
                        "rule_refused",
                        problems=[
                            RuleProblem("kind", "kind_fixed", row.kind, "A rule keeps its kind.")
                        ],
                    )
                if expected_version is not None and row.version != expected_version:
                    raise Refused(
                        "rule_refused",
                        problems=[
                            RuleProblem(
                                "rule",
                                "stale",
                                row.version,
                                "Someone saved this rule in the meantime; reload and redo.",
                            )
                        ],
                    )
                before = _as_raw(row)
                dumped = spec.model_dump(mode="json")
                for name in ("name_ko", "name_en", "priority", "tiers", "enabled", "params"):
                    setattr(row, name, dumped[name])
                row.version += 1
                row.updated_by = user.username
                row.updated_at = now
                session.flush()
            audit_as(
                session,
                user,
                "agenda_rule_create" if before is None else "agenda_rule_update",
                target_kind="agenda_rule",
                target_id=str(row.id),
                detail={
                    "before": before,
                    "after": spec.model_dump(mode="json"),
                    "version": row.version,
                },
            )
            record_usage(session, user, UsageAction.RULE_EDIT, "agenda_rules", target=str(row.id))
            stored = StoredRule(row.id, row.version, spec, row.updated_by, row.updated_at)
    except IntegrityError as exc:
        raise Refused(
            "rule_refused",
            problems=[RuleProblem("name_ko", "name_taken", None, "Another rule has this name.")],
        ) from exc
    return stored


def rules_frame(conn: Connection, user: SignedInUser) -> pl.DataFrame:
    """The rules as a table for the admin page."""
    _require_admin(user)
    rules = agenda_rules(conn)
    return pl.DataFrame(
        [
            {
                "id": rule.id,
                "kind": rule.kind.value,
                "name_ko": rule.spec.name_ko,
                "name_en": rule.spec.name_en,
                "priority": rule.spec.priority,
                "tiers": [tier.value for tier in rule.spec.tiers],
                "enabled": rule.spec.enabled,
                "params": json.dumps(rule.spec.params.model_dump(mode="json"), ensure_ascii=False),
                "version": rule.version,
                "updated_by": rule.updated_by,
                "updated_at": rule.updated_at,
            }
            for rule in rules
        ],
        schema={
            "id": pl.Int64,
            "kind": pl.String,
            "name_ko": pl.String,
            "name_en": pl.String,
            "priority": pl.Int64,
            "tiers": pl.List(pl.String),
            "enabled": pl.Boolean,
            "params": pl.String,
            "version": pl.Int64,
            "updated_by": pl.String,
            "updated_at": pl.Datetime("us"),
        },
    )


# ---------------------------------------------------------------------------------------------
# The build: features read through Arrow, rules as polars expressions.

Source = Engine | Connection

ITEM_SCHEMA: FrameSchema = {
    "customer_id": pl.Int64,
    "employee_id": pl.Int64,
    "branch_id": pl.Int64,
    "rule_id": pl.Int64,
    "priority": pl.Int64,
    "due_date": pl.Date,
    "facts": pl.String,
}


@dataclass(frozen=True, slots=True)
class _Needs:
    """What the enabled rules need read, with the widest window any of them uses."""

    tiers: frozenset[str]
    event_kinds: frozenset[str]
    event_days: int | None
    maturity_days: int | None
    dormant_min_aum: int | None
    churn_window: int | None
    contact: bool
    holdings: bool
    opened_on: bool
    consents: bool
    happy_call_days: int | None
    complaints: bool

    @classmethod
    def of(cls, rules: Sequence[StoredRule]) -> _Needs:
        def widest(kind: RuleKind, value: Callable[[Any], int]) -> int | None:
            values = [value(rule.spec.params) for rule in rules if rule.kind == kind]
            return max(values) if values else None

        kinds = {rule.kind for rule in rules}
        dormant = [
            rule.spec.params.min_aum_krw for rule in rules if isinstance(rule.spec, DormantRule)
        ]
        return cls(
            tiers=frozenset(tier.value for rule in rules for tier in rule.spec.tiers),
            event_kinds=frozenset(
                kind
                for rule in rules
                if isinstance(rule.spec, LifeEventRule)
                for kind in rule.spec.params.events
            ),
            event_days=widest(RuleKind.LIFE_EVENT, lambda p: p.within_days),
            maturity_days=widest(RuleKind.MATURITY, lambda p: p.within_days),
            dormant_min_aum=min(dormant) if dormant else None,
            churn_window=widest(RuleKind.CHURN_RISK, lambda p: p.window_days),
            contact=bool(kinds & {RuleKind.CHURN_RISK, RuleKind.CONTACT_DUE}),
            holdings=bool(kinds & {RuleKind.DORMANT, RuleKind.CHURN_RISK, RuleKind.CONTACT_DUE}),
            opened_on=bool(kinds & {RuleKind.DORMANT, RuleKind.CONTACT_DUE}),
            consents=any(
                isinstance(rule.spec, ContactDueRule) and rule.spec.params.channel != "any"
                for rule in rules
            ),
            happy_call_days=min(
                (r.spec.params.days_after_sale for r in rules if isinstance(r.spec, HappyCallRule)),
                default=None,
            ),
            complaints=RuleKind.COMPLAINT in kinds,
        )


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def event_month_days(day: dt.date, within_days: int) -> list[str]:
    """'MM-DD' of every yearly date that recurs in [day, day + within_days].

    A 29 February date recurs on 28 February in years without one, so a window holding
    28 February of such a year also takes '02-29'.
    """
    wanted = []
    for offset in range(within_days + 1):
        current = day + dt.timedelta(days=offset)
        wanted.append(current.strftime("%m-%d"))
        if current.month == 2 and current.day == 28 and not _is_leap(current.year):
            wanted.append("02-29")
    return sorted(set(wanted))


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _feature_reads(source: Source, needs: _Needs, day: dt.date) -> dict[str, Read]:
    """Name -> (statement, column types) of every read the rules need."""
    start = _start_of(day)
    book_columns: list[SQLColumnExpression[Any]] = [
        Customer.id.label("customer_id"),
        Customer.manager_id.label("employee_id"),
        Customer.tier,
    ]
    if needs.opened_on:
        book_columns.append(Customer.opened_on)
    if needs.consents:
        # A TM item is a call: a number on the do-not-call list takes none (issue #22).
        may_call = Customer.consent_tm & ~customers.listed_for_calls()
        book_columns += [Customer.consent_dm, may_call.label("consent_tm")]
    reads: dict[str, Read] = {
        "book": (
            select(*book_columns).where(
                Customer.manager_id.is_not(None),
                Customer.opened_on <= day,
                or_(Customer.closed_on.is_(None), Customer.closed_on > day),
                Customer.tier.in_(sorted(needs.tiers)),
            ),
            {
                "customer_id": pl.Int64,
                "employee_id": pl.Int64,
                "tier": pl.String,
                "opened_on": pl.Date,
                "consent_dm": pl.Boolean,
                "consent_tm": pl.Boolean,
            },
        ),
        "staff": (
            select(Employee.id.label("employee_id"), Employee.branch_id).where(Employee.is_active),
            {"employee_id": pl.Int64, "branch_id": pl.Int64},
        ),
    }
    if needs.holdings:
        # Today's value of open holdings; for dormant candidates only, the last transaction
        # before the business date, one index seek per customer (not a scan of all history).
        aum = cast(func.sum(Account.market_value_krw), BigInteger)  # not NUMERIC on PostgreSQL
        columns = [Account.customer_id, aum.label("aum_krw")]
        schema: dict[str, PolarsType] = {"customer_id": pl.Int64, "aum_krw": pl.Int64}
        if needs.dormant_min_aum is not None:
            tx = aliased(Transaction)
            last = (
                select(func.max(tx.occurred_at))
                .where(tx.customer_id == Account.customer_id, tx.occurred_at < start)
                .scalar_subquery()
            )
            columns.append(
                case((aum >= needs.dormant_min_aum, day_of(source, last))).label("last_tx_on")
            )
            schema["last_tx_on"] = pl.Date
        reads["holdings"] = (
            select(*columns).where(Account.closed_on.is_(None)).group_by(Account.customer_id),
            schema,
        )
    if needs.maturity_days is not None:
        reads["maturities"] = (
            select(
                Account.customer_id,
                Account.account_no,
                Account.maturity_date,
                Account.market_value_krw,
            ).where(
                Account.closed_on.is_(None),
                Account.maturity_date.between(day, day + dt.timedelta(days=needs.maturity_days)),
            ),
            {
                "customer_id": pl.Int64,
                "account_no": pl.String,
                "maturity_date": pl.Date,
                "market_value_krw": pl.Int64,
            },
        )
    if needs.churn_window is not None:
        since = day - dt.timedelta(days=needs.churn_window)
        reads["matured"] = (
            select(Account.customer_id, func.max(Account.maturity_date).label("matured_on"))
            .where(Account.maturity_date >= since, Account.maturity_date < day)
            .group_by(Account.customer_id),
            {"customer_id": pl.Int64, "matured_on": pl.Date},
        )
        # The window's rows come off the covering index ix_transactions_agenda_window and are
        # grouped in polars: SQLite's GROUP BY over them sorts in a temporary B-tree and
        # costs three times the read itself. Only the window is read, never the history.
        reads["window"] = (
            select(
                Transaction.customer_id,
                Transaction.kind,
                Transaction.amount_krw,
                day_of(source, Transaction.occurred_at).label("on"),
            ).where(Transaction.occurred_at >= _start_of(since), Transaction.occurred_at < start),
            {
                "customer_id": pl.Int64,
                "kind": pl.String,
                "amount_krw": pl.Int64,
                "on": pl.Date,
            },
        )
    if needs.contact:
        reads["contact"] = (
            select(
                Consultation.customer_id,
                day_of(source, func.max(Consultation.occurred_at)).label("last_contact_on"),
            )
            .where(Consultation.occurred_at < start)
            .group_by(Consultation.customer_id),
            {"customer_id": pl.Int64, "last_contact_on": pl.Date},
        )
    if needs.event_days is not None:
        reads["events"] = (
            select(LifeEvent.customer_id, LifeEvent.kind, LifeEvent.event_date).where(
                LifeEvent.kind.in_(sorted(needs.event_kinds)),
                month_day(source, LifeEvent.event_date).in_(
                    event_month_days(day, needs.event_days)
                ),
            ),
            {"customer_id": pl.Int64, "kind": pl.String, "event_date": pl.Date},
        )
    if needs.happy_call_days is not None:
        reads["happy_calls"] = (
            select(
                HappyCall.id.label("call_id"),
                HappyCall.customer_id,
                HappyCall.responsible_id.label("employee_id"),
                Customer.tier,
                FundSale.sold_on,
                HappyCall.due_on,
                HappyCall.reminder_on,
                HappyCall.tries,
                HappyCall.reasons,
                Product.name.label("product"),
            )
            .join(FundSale, FundSale.id == HappyCall.sale_id)
            .join(Customer, Customer.id == HappyCall.customer_id)
            .join(Product, Product.id == FundSale.product_id)
            .where(
                HappyCall.status == HAPPY_CALL_OPEN,
                FundSale.sold_on <= day - dt.timedelta(days=needs.happy_call_days),
            ),
            {
                "call_id": pl.Int64,
                "customer_id": pl.Int64,
                "employee_id": pl.Int64,
                "tier": pl.String,
                "sold_on": pl.Date,
                "due_on": pl.Date,
                "reminder_on": pl.Date,
                "tries": pl.Int64,
                "reasons": pl.String,
                "product": pl.String,
            },
        )
    if needs.complaints:
        reads["complaints"] = _complaint_read(source, day)
    reads["suppressed"] = (_suppressed(day), {"rule_id": pl.Int64, "customer_id": pl.Int64})
    return reads


def _complaint_read(source: Source, day: dt.date) -> Read:
    """Open cases overdue or near their deadline on `day`, with who works each: the handler,
    else the active manager of the case's branch (a happy call's case reaches them so)."""
    if isinstance(source, Engine):
        with source.connect() as conn:
            settings, closures = complaint_rules.complaint_settings(conn), extra_holidays(conn)
    else:
        settings, closures = complaint_rules.complaint_settings(source), extra_holidays(source)
    near_by = complaint_rules.near_cutoff(day, settings[complaint_rules.NEAR_DAYS], closures)
    manager = (
        select(func.min(Employee.id))
        .where(
            Employee.branch_id == Complaint.branch_id,
            Employee.role == Role.BRANCH_MANAGER.value,
            Employee.is_active,
        )
        .scalar_subquery()
    )
    return (
        select(
            Complaint.id.label("complaint_id"),
            Complaint.customer_id,
            func.coalesce(Complaint.handler_id, manager).label("employee_id"),
            Customer.tier,
            Complaint.case_no,
            Complaint.category,
            Complaint.deadline_on,
        )
        .join(Customer, Customer.id == Complaint.customer_id)
        .where(
            Complaint.status != complaint_rules.CLOSED,
            complaint_rules.open_on(day),
            Complaint.deadline_on <= near_by,
        ),
        {
            "complaint_id": pl.Int64,
            "customer_id": pl.Int64,
            "employee_id": pl.Int64,
            "tier": pl.String,
            "case_no": pl.String,
            "category": pl.String,
            "deadline_on": pl.Date,
        },
    )


def _suppressed(day: dt.date) -> AnySelect:
    """(rule, customer) pairs kept off the list on `day` by an earlier worked item: snoozed
    until after `day`, or done/unreachable while its event is still ahead or recently."""
    item = AgendaItem
    return select(item.rule_id, item.customer_id).where(
        item.status != OPEN,  # the very term of the partial index on worked items
        item.status.in_(WORKED),
        item.business_date < day,
        item.business_date >= day - dt.timedelta(days=SUPPRESSION_LOOKBACK_DAYS),
        or_(
            and_(item.status == SNOOZED, item.snoozed_until > day),
            and_(
                item.status.in_((DONE, UNREACHABLE)),
                or_(
                    item.due_date >= day,
                    item.business_date > day - dt.timedelta(days=REWORK_AFTER_DAYS),
                ),
            ),
        ),
    )


def _read_features(source: Source, reads: Mapping[str, Read]) -> dict[str, pl.DataFrame]:
    return read_arrow_frames(source, reads)


def _days_between(later: pl.Expr | dt.date, earlier: pl.Expr | dt.date) -> pl.Expr:
    def expr(value: pl.Expr | dt.date) -> pl.Expr:
        return pl.lit(value) if isinstance(value, dt.date) else value

    return (expr(later) - expr(earlier)).dt.total_days()


def _leap(year: pl.Expr) -> pl.Expr:
    return (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))


def _recurrence(event_date: pl.Expr, year: int) -> pl.Expr:
    """`event_date` in `year`; 29 February becomes 28 February in years without it."""
    month, day_of_month = event_date.dt.month(), event_date.dt.day()
    if not _is_leap(year):
        day_of_month = (
            pl.when((month == 2) & (day_of_month == 29))
            .then(pl.lit(28, dtype=pl.Int8))
            .otherwise(day_of_month)
        )
    return pl.date(pl.lit(year), month, day_of_month)


# Each rule kind turns the rule's book (customers of its tiers, with employee_id and
# branch_id) and the features into lazy items: customer_id, employee_id, branch_id,
# due_date and facts (JSON). Everything stays lazy until the end, so polars plans all rules
# together and streams the large joins.
Features = Mapping[str, pl.LazyFrame]
BOOK_KEYS = ("customer_id", "employee_id", "branch_id")


def _life_event_items(
    rule: StoredRule, book: pl.LazyFrame, f: Features, day: dt.date
) -> pl.LazyFrame:
    params = rule.spec.params
    assert isinstance(params, LifeEventParams)  # ITEMS_BY_KIND calls this for its kind only
    this_year = _recurrence(pl.col("event_date"), day.year)
    next_year = _recurrence(pl.col("event_date"), day.year + 1)
    events = (
        f["events"]
        .filter(pl.col("kind").is_in(params.events))
        .join(book.select(BOOK_KEYS), on="customer_id")
        .with_columns(pl.when(this_year >= day).then(this_year).otherwise(next_year).alias("on"))
        .with_columns(
            _days_between(pl.col("on"), day).alias("days"),
            (pl.col("on").dt.year() - pl.col("event_date").dt.year()).cast(pl.Int64).alias("years"),
            pl.col("kind")
            .replace_strict(LIFE_EVENT_KINDS, range(3), return_dtype=pl.Int8)
            .alias("order"),
        )
        # An account anniversary needs a full year; a birthday always has one.
        .filter(pl.col("days") <= params.within_days, pl.col("years") >= 1)
        .sort("customer_id", "days", "order")
    )
    first = events.group_by(BOOK_KEYS, maintain_order=True).agg(
        pl.col("kind").first().alias("event"),
        pl.col("on").first(),
        pl.col("days").first(),
        pl.col("years").first(),
        (pl.len() - 1).cast(pl.Int64).alias("more"),
    )
    return first.select(
        *BOOK_KEYS,
        pl.col("on").alias("due_date"),
        pl.struct("event", "on", "days", "years", "more").struct.json_encode().alias("facts"),
    )


def _maturity_items(
    rule: StoredRule, book: pl.LazyFrame, f: Features, day: dt.date
) -> pl.LazyFrame:
    params = rule.spec.params
    assert isinstance(params, MaturityParams)  # ITEMS_BY_KIND calls this for its kind only
    accounts = (
        f["maturities"]
        .filter(
            pl.col("maturity_date") <= day + dt.timedelta(days=params.within_days),
            pl.col("market_value_krw") >= params.min_value_krw,
        )
        .join(book.select(BOOK_KEYS), on="customer_id")
        .sort("customer_id", "maturity_date", "account_no")
    )
    first = accounts.group_by(BOOK_KEYS, maintain_order=True).agg(
        pl.col("maturity_date").first().alias("on"),
        pl.col("account_no").first(),
        pl.col("market_value_krw").sum().alias("value_krw"),
        pl.len().cast(pl.Int64).alias("accounts"),
    )
    return first.select(
        *BOOK_KEYS,
        pl.col("on").alias("due_date"),
        pl.struct(
            "on",
            _days_between(pl.col("on"), day).alias("days"),
            "value_krw",
            "accounts",
            "account_no",
        )
        .struct.json_encode()
        .alias("facts"),
    )


def _dormant_items(rule: StoredRule, book: pl.LazyFrame, f: Features, day: dt.date) -> pl.LazyFrame:
    params = rule.spec.params
    assert isinstance(params, DormantParams)  # ITEMS_BY_KIND calls this for its kind only
    last_on = pl.col("last_tx_on")
    dormant = (
        f["holdings"]
        .filter(pl.col("aum_krw") >= params.min_aum_krw)
        .join(book, on="customer_id")
        .with_columns(
            last_on.alias("last_on"),
            _days_between(day, pl.coalesce(last_on, pl.col("opened_on"))).alias("idle_days"),
        )
        .filter(pl.col("idle_days") >= params.idle_days)
    )
    return dormant.select(
        *BOOK_KEYS,
        pl.lit(day).alias("due_date"),
        pl.struct("last_on", "idle_days", "aum_krw").struct.json_encode().alias("facts"),
    )


def _window_totals(window: pl.LazyFrame, since: dt.date) -> pl.LazyFrame:
    outflow = pl.col("kind").is_in(OUTFLOW_KINDS)
    inflow = pl.col("kind").is_in(INFLOW_KINDS)
    # Masked columns summed per group: a filter inside the aggregation runs once per group.
    return (
        window.filter(pl.col("on") >= since)
        .select(
            "customer_id",
            outflow.cast(pl.Int64).alias("redemptions"),
            pl.when(outflow).then(pl.col("amount_krw")).otherwise(0).alias("outflow_krw"),
            pl.when(inflow).then(pl.col("amount_krw")).otherwise(0).alias("inflow_krw"),
            pl.when(inflow).then(pl.col("on")).alias("last_inflow_on"),
        )
        .group_by("customer_id")
        .agg(
            pl.col("redemptions", "outflow_krw", "inflow_krw").sum(),
            pl.col("last_inflow_on").max(),
        )
    )


def _churn_risk_items(
    rule: StoredRule, book: pl.LazyFrame, f: Features, day: dt.date
) -> pl.LazyFrame:
    p = rule.spec.params
    assert isinstance(p, ChurnRiskParams)  # ITEMS_BY_KIND calls this for its kind only
    since = day - dt.timedelta(days=p.window_days)
    net_outflow = pl.col("outflow_krw") - pl.col("inflow_krw")
    held_at_start = pl.col("aum_krw") + net_outflow
    drop_pct = (
        pl.when((net_outflow > 0) & (held_at_start > 0))
        .then((net_outflow * 100 / held_at_start).round(0))
        .otherwise(0)
        .cast(pl.Int64)
    )
    reinvested = pl.col("last_inflow_on") >= pl.col("matured_on")
    activity = (
        _window_totals(f["window"], since)
        .join(
            f["matured"].filter(pl.col("matured_on") >= since),
            on="customer_id",
            how="full",
            coalesce=True,
        )
        .join(f["holdings"].select("customer_id", "aum_krw"), on="customer_id", how="left")
        .with_columns(pl.col("aum_krw", "redemptions", "outflow_krw", "inflow_krw").fill_null(0))
        .with_columns(drop_pct.alias("drop_pct"))
        .with_columns(
            pl.when(pl.col("redemptions") >= p.min_redemptions)
            .then(p.weight_redemptions)
            .otherwise(0)
            .alias("p_redemptions"),
            pl.when(pl.col("drop_pct") >= p.balance_drop_pct)
            .then(p.weight_falling_balance)
            .otherwise(0)
            .alias("p_falling_balance"),
            pl.when(pl.col("matured_on").is_not_null() & ~reinvested.fill_null(False))
            .then(p.weight_maturity_not_reinvested)
            .otherwise(0)
            .alias("p_maturity"),
        )
    )
    # Customers without activity in the window score at most the no-contact weight; when
    # that cannot reach the threshold only the active ones (far fewer) need scoring.
    if p.weight_no_contact < p.threshold:
        partial = pl.sum_horizontal("p_redemptions", "p_falling_balance", "p_maturity")
        scored = activity.filter(partial + p.weight_no_contact >= p.threshold).join(
            book.select(BOOK_KEYS), on="customer_id"
        )
    else:
        scored = book.select(BOOK_KEYS).join(activity, on="customer_id", how="left")
    contact_days = _days_between(day, pl.col("last_contact_on"))
    frame = (
        scored.join(f["contact"], on="customer_id", how="left")
        .with_columns(
            pl.col(
                "aum_krw",
                "redemptions",
                "outflow_krw",
                "drop_pct",
                "p_redemptions",
                "p_falling_balance",
                "p_maturity",
            ).fill_null(0),
            contact_days.alias("contact_days"),
        )
        .with_columns(
            pl.when(
                pl.col("contact_days").is_null() | (pl.col("contact_days") >= p.no_contact_days)
            )
            .then(p.weight_no_contact)
            .otherwise(0)
            .alias("p_no_contact"),
        )
        .with_columns(
            pl.sum_horizontal("p_redemptions", "p_falling_balance", "p_no_contact", "p_maturity")
            .cast(pl.Int64)
            .alias("score"),
            pl.lit(p.threshold, dtype=pl.Int64).alias("threshold"),
        )
        .filter(pl.col("score") >= p.threshold)
    )
    points = ("p_redemptions", "p_falling_balance", "p_no_contact", "p_maturity")
    return frame.select(
        *BOOK_KEYS,
        pl.lit(day).alias("due_date"),
        pl.struct(
            "score",
            "threshold",
            "redemptions",
            "outflow_krw",
            "drop_pct",
            "contact_days",
            "matured_on",
            "aum_krw",
            *(pl.col(name).cast(pl.Int64) for name in points),
        )
        .struct.json_encode()
        .alias("facts"),
    )


def _contact_due_items(
    rule: StoredRule, book: pl.LazyFrame, f: Features, day: dt.date
) -> pl.LazyFrame:
    p = rule.spec.params
    assert isinstance(p, ContactDueParams)  # ITEMS_BY_KIND calls this for its kind only
    limits = pl.LazyFrame(
        {
            "tier": [tier.value for tier in p.days_by_tier],
            "limit_days": list(p.days_by_tier.values()),
        },
        schema={"tier": pl.String, "limit_days": pl.Int64},
    )
    candidates = book.join(limits, on="tier")
    if p.channel != "any":
        candidates = candidates.filter(pl.col(f"consent_{p.channel}"))
    last_on = pl.col("last_contact_on")
    due = (
        candidates.join(f["contact"], on="customer_id", how="left")
        .with_columns(
            last_on.alias("last_on"),
            _days_between(day, pl.coalesce(last_on, pl.col("opened_on"))).alias("idle_days"),
        )
        .filter(pl.col("idle_days") >= pl.col("limit_days"))
        .join(f["holdings"].select("customer_id", "aum_krw"), on="customer_id", how="left")
        .with_columns(pl.col("aum_krw").fill_null(0))
    )
    if p.max_per_employee is not None:
        # The longest waiting first, the larger holding on a tie, the lower customer id last;
        # ranked within each employee rather than sorting a million rows.
        waiting = pl.struct("idle_days", "aum_krw", -pl.col("customer_id"))
        due = due.filter(
            waiting.rank("ordinal", descending=True).over("employee_id") <= p.max_per_employee
        )
    return due.select(
        *BOOK_KEYS,
        pl.lit(day).alias("due_date"),
        pl.struct("last_on", "idle_days", "limit_days", "tier", "aum_krw")
        .struct.json_encode()
        .alias("facts"),
    )


def _happy_call_items(
    rule: StoredRule, book: pl.LazyFrame, f: Features, day: dt.date
) -> pl.LazyFrame:
    """Open happy calls on their caller's agenda, whoever manages the customer: `book` (the
    managers' books) does not say who calls. Working one is recording its outcome, so an
    earlier day's worked item keeps nobody off the list while the call stays open."""
    p = rule.spec.params
    assert isinstance(p, HappyCallParams)  # ITEMS_BY_KIND calls this for its kind only
    tiers = [tier.value for tier in rule.spec.tiers]
    calls = (
        f["happy_calls"]
        .filter(
            pl.col("tier").is_in(tiers),
            pl.col("sold_on") <= day - dt.timedelta(days=p.days_after_sale),
        )
        .join(f["staff"], on="employee_id")
        .sort("customer_id", "due_on", "call_id")
    )
    # One item a customer: the call due first, its caller, and how many more are open.
    first = calls.group_by("customer_id", maintain_order=True).agg(
        pl.all().first(), (pl.len() - 1).cast(pl.Int64).alias("more")
    )
    return first.select(
        *BOOK_KEYS,
        pl.col("due_on").alias("due_date"),
        pl.struct(
            "call_id",
            "product",
            "sold_on",
            "due_on",
            "reminder_on",
            _days_between(pl.col("due_on"), day).alias("days"),
            "tries",
            "reasons",
            "more",
        )
        .struct.json_encode()
        .alias("facts"),
    )


def _complaint_items(
    rule: StoredRule, book: pl.LazyFrame, f: Features, day: dt.date
) -> pl.LazyFrame:
    """Cases near or past their deadline on their handler's agenda, whoever manages the
    customer; like a happy call, working the item does not take the case off tomorrow's list,
    only closing it does."""
    tiers = [tier.value for tier in rule.spec.tiers]
    cases = (
        f["complaints"]
        .filter(pl.col("tier").is_in(tiers))
        .join(f["staff"], on="employee_id")
        .sort("customer_id", "deadline_on", "complaint_id")
    )
    first = cases.group_by("customer_id", maintain_order=True).agg(
        pl.all().first(), (pl.len() - 1).cast(pl.Int64).alias("more")
    )
    return first.select(
        *BOOK_KEYS,
        pl.col("deadline_on").alias("due_date"),
        pl.struct(
            "complaint_id",
            "case_no",
            "category",
            "deadline_on",
            _days_between(pl.col("deadline_on"), day).alias("days"),
            "more",
        )
        .struct.json_encode()
        .alias("facts"),
    )


RuleItems = Callable[[StoredRule, pl.LazyFrame, Features, dt.date], pl.LazyFrame]
ITEMS_BY_KIND: dict[RuleKind, RuleItems] = {
    RuleKind.LIFE_EVENT: _life_event_items,
    RuleKind.MATURITY: _maturity_items,
    RuleKind.DORMANT: _dormant_items,
    RuleKind.CHURN_RISK: _churn_risk_items,
    RuleKind.CONTACT_DUE: _contact_due_items,
    RuleKind.HAPPY_CALL: _happy_call_items,
    RuleKind.COMPLAINT: _complaint_items,
}


@dataclass(frozen=True, slots=True)
class ComputedAgenda:
    """The items the rules give for `business_date`, before worked items of that day."""

    business_date: dt.date
    items: pl.DataFrame
    rules: tuple[StoredRule, ...]
    read_s: float
    compute_s: float

    def counts_by_rule(self) -> dict[int, int]:
        counts = dict.fromkeys((rule.id for rule in self.rules), 0)
        for rule_id, count in self.items.group_by("rule_id").len().iter_rows():
            counts[rule_id] = count
        return counts


def compute_agenda(
    source: Source, rules: Sequence[StoredRule], business_date: dt.date
) -> ComputedAgenda:
    """Every item `rules` give on `business_date`, for every active employee's book.

    `source` is an Engine for the real build (parallel Arrow reads of committed data) or a
    Connection (tests, previews inside a transaction). Rules are applied whether enabled or
    not; callers choose which to pass.
    """
    started = time.perf_counter()
    if not rules:
        return ComputedAgenda(business_date, pl.DataFrame(schema=ITEM_SCHEMA), (), 0.0, 0.0)
    needs = _Needs.of(rules)
    read = _read_features(source, _feature_reads(source, needs, business_date))
    read_s = time.perf_counter() - started
    features = {name: frame.lazy() for name, frame in read.items()}
    # Joined once and shared by every rule's plan.
    book = read["book"].join(read["staff"], on="employee_id").lazy()
    parts = []
    for rule in rules:
        tiers = [tier.value for tier in rule.spec.tiers]
        # Worked customers leave the book before the rule runs, so a rule's per-person cap
        # counts only customers who can still be listed (after it, a capped list emptied).
        suppressed = features["suppressed"].filter(pl.col("rule_id") == rule.id)
        listable = book.filter(pl.col("tier").is_in(tiers)).join(
            suppressed.select("customer_id"), on="customer_id", how="anti"
        )
        found = ITEMS_BY_KIND[rule.kind](rule, listable, features, business_date)
        parts.append(
            found.with_columns(
                pl.lit(rule.id, dtype=pl.Int64).alias("rule_id"),
                pl.lit(rule.spec.priority, dtype=pl.Int64).alias("priority"),
            ).select(pl.col(name).cast(dtype) for name, dtype in ITEM_SCHEMA.items())
        )
    items = pl.concat(pl.collect_all(parts)).sort(
        "employee_id", "priority", "rule_id", "due_date", "customer_id"
    )
    return ComputedAgenda(
        business_date, items, tuple(rules), read_s, time.perf_counter() - started - read_s
    )


def preview_rule(
    source: Source,
    user: SignedInUser,
    raw: Mapping[str, Any],
    business_date: dt.date,
    *,
    rule_id: int | None = None,
) -> pl.DataFrame:
    """How many items the rule `raw` (saved or not) would give on `business_date`, by branch;
    administrators only.

    Validated like a save (rule_refused), computed like the build, nothing written.
    Columns: branch_code, name_ko, name_en, items; branches without items are left out.
    """
    _require_admin(user)
    spec = validate_rule(raw)
    rule = StoredRule(rule_id or 0, 0, spec, "", now_seoul())
    computed = compute_agenda(source, [rule], business_date)
    return _by_branch(source, computed.items.group_by("branch_id").len("items"))


def preview_rules(source: Source, user: SignedInUser, business_date: dt.date) -> pl.DataFrame:
    """Items each enabled rule would give on `business_date`: rule_id, name_ko, name_en,
    branches (with at least one item), items. Administrators only."""
    _require_admin(user)
    rules = _rules_of(source, enabled_only=True)
    computed = compute_agenda(source, rules, business_date)
    per_rule = computed.items.group_by("rule_id").agg(
        pl.col("branch_id").n_unique().cast(pl.Int64).alias("branches"),
        pl.len().cast(pl.Int64).alias("items"),
    )
    names = pl.DataFrame(
        {
            "rule_id": [rule.id for rule in rules],
            "name_ko": [rule.spec.name_ko for rule in rules],
            "name_en": [rule.spec.name_en for rule in rules],
        },
        schema={"rule_id": pl.Int64, "name_ko": pl.String, "name_en": pl.String},
    )
    return names.join(per_rule, on="rule_id", how="left").with_columns(
        pl.col("branches", "items").fill_null(0)
    )


def _rules_of(source: Source, *, enabled_only: bool) -> list[StoredRule]:
    if isinstance(source, Engine):
        with source.connect() as conn:
            rules = agenda_rules(conn, enabled_only=enabled_only)
            conn.commit()  # the defaults, if this was the first use
            return rules
    return agenda_rules(source, enabled_only=enabled_only)


def _by_branch(source: Source, counts: pl.DataFrame) -> pl.DataFrame:
    stmt = select(
        Branch.id.label("branch_id"),
        Branch.code.label("branch_code"),
        Branch.name_ko,
        Branch.name_en,
    )
    if isinstance(source, Engine):
        with source.connect() as conn:
            branches = read_frame(conn, stmt, {"branch_id": pl.Int64})
    else:
        branches = read_frame(source, stmt, {"branch_id": pl.Int64})
    return (
        counts.with_columns(pl.col("branch_id").cast(pl.Int64), pl.col("items").cast(pl.Int64))
        .join(branches, on="branch_id")
        .select("branch_code", "name_ko", "name_en", "items")
        .sort("branch_code")
    )


# ---------------------------------------------------------------------------------------------
# The job: claim the date, compute, replace the open items in one transaction.


def build_agenda(engine: Engine, business_date: dt.date, *, force: bool) -> job_runs.RunOutcome:
    """Build the agenda of `business_date` once (see job_runs.run_job for `force`).

    The detail recorded with the run: items by rule ("<id>:<kind>" -> count), items kept from
    earlier work that day, and seconds spent reading, computing and writing.
    """

    def prepare() -> job_runs.Writer:
        rules = _rules_of(engine, enabled_only=True)
        computed = compute_agenda(engine, rules, business_date)

        def write(conn: Connection) -> tuple[int, dict[str, Any]]:
            started = time.perf_counter()
            inserted, kept = replace_items(conn, computed)
            by_rule = {f"{rule.id}:{rule.kind}": 0 for rule in rules}
            for (rule_id, count), rule in _count_pairs(computed, rules):
                by_rule[f"{rule_id}:{rule.kind}"] = count
            detail = {
                "items_by_rule": by_rule,
                "inserted": inserted,
                "kept_worked": kept,
                "read_s": round(computed.read_s, 3),
                "compute_s": round(computed.compute_s, 3),
                "write_s": round(time.perf_counter() - started, 3),
            }
            return computed.items.height, detail

        return write

    return job_runs.run_job(engine, JOB, business_date, prepare, force=force)


def _count_pairs(
    computed: ComputedAgenda, rules: Sequence[StoredRule]
) -> list[tuple[tuple[int, int], StoredRule]]:
    by_id = {rule.id: rule for rule in rules}
    return [
        ((rule_id, count), by_id[rule_id]) for rule_id, count in computed.counts_by_rule().items()
    ]


def replace_items(conn: Connection, computed: ComputedAgenda) -> tuple[int, int]:
    """Swap the date's open items for `computed`, inside the caller's transaction.

    Items already worked that day stay as they are, and the computed item for the same rule
    and customer is dropped. Returns (items inserted, worked items kept).
    """
    day = computed.business_date
    worked = read_frame(
        conn,
        select(AgendaItem.rule_id, AgendaItem.customer_id).where(
            AgendaItem.business_date == day, AgendaItem.status != OPEN
        ),
        {"rule_id": pl.Int64, "customer_id": pl.Int64},
    )
    conn.execute(
        delete(AgendaItem).where(AgendaItem.business_date == day, AgendaItem.status == OPEN)
    )
    # In primary-key order, so the inserts append to the table's B-tree.
    fresh = (
        computed.items.join(worked, on=["rule_id", "customer_id"], how="anti")
        .with_columns(
            pl.lit(day).alias("business_date"),
            pl.lit(OPEN).alias("status"),
            pl.lit(now_seoul()).alias("created_at"),
        )
        .sort("rule_id", "customer_id")
    )
    return bulk_insert(conn, AgendaItem.__table__, fresh), worked.height


# ---------------------------------------------------------------------------------------------
# A rep's day: the items, and working them.

ITEM_VIEW_SCHEMA: FrameSchema = {
    "rule_id": pl.Int64,
    "kind": pl.String,
    "rule_name_ko": pl.String,
    "rule_name_en": pl.String,
    "priority": pl.Int64,
    "customer_no": pl.String,
    "customer_name": pl.String,
    "tier": pl.String,
    "due_date": pl.Date,
    "facts": pl.String,
    "status": pl.String,
    "snoozed_until": pl.Date,
    "worked_at": pl.Datetime("us"),
}


@dataclass(frozen=True, slots=True)
class AgendaCounts:
    total: int
    open: int
    done: int
    snoozed: int
    unreachable: int


@dataclass(frozen=True, slots=True)
class MyAgenda:
    business_date: dt.date
    items: pl.DataFrame
    counts: AgendaCounts
    build: job_runs.RunState | None


def _require_rep(user: SignedInUser) -> None:
    require(user, Action.AGENDA_WORK)
    if user.employee_id is None:
        raise AccessDenied("agenda_reps_only")


def my_agenda(conn: Connection, user: SignedInUser, business_date: dt.date) -> MyAgenda:
    """The signed-in rep's items for `business_date`, by priority, then rule and due date."""
    _require_rep(user)
    stmt = (
        select(
            AgendaItem.rule_id,
            AgendaRule.kind,
            AgendaRule.name_ko.label("rule_name_ko"),
            AgendaRule.name_en.label("rule_name_en"),
            AgendaItem.priority,
            Customer.customer_no,
            Customer.name.label("customer_name"),
            Customer.tier,
            AgendaItem.due_date,
            AgendaItem.facts,
            AgendaItem.status,
            AgendaItem.snoozed_until,
            AgendaItem.worked_at,
        )
        .join(AgendaRule, AgendaRule.id == AgendaItem.rule_id)
        .join(Customer, Customer.id == AgendaItem.customer_id)
        .where(
            AgendaItem.business_date == business_date,
            AgendaItem.employee_id == user.employee_id,
        )
        .order_by(
            AgendaItem.priority,
            AgendaItem.rule_id,
            AgendaItem.due_date,
            Customer.name,
            Customer.customer_no,
        )
    )
    items = read_frame(conn, stmt, ITEM_VIEW_SCHEMA)
    statuses = items["status"].value_counts()
    by_status = dict(statuses.iter_rows())
    counts = AgendaCounts(
        total=items.height,
        open=by_status.get(OPEN, 0),
        done=by_status.get(DONE, 0),
        snoozed=by_status.get(SNOOZED, 0),
        unreachable=by_status.get(UNREACHABLE, 0),
    )
    return MyAgenda(business_date, items, counts, job_runs.run_state(conn, JOB, business_date))


@dataclass(frozen=True, slots=True)
class AgendaReason:
    """Why a customer is on the signed-in rep's agenda under one rule (facts as the build
    recorded them)."""

    kind: str
    rule_name_ko: str
    rule_name_en: str
    facts: dict[str, Any]


def agenda_reason(
    conn: Connection, user: SignedInUser, customer_no: str, rule_id: int, business_date: dt.date
) -> AgendaReason | None:
    """The reason of the rep's own item for `customer_no` under `rule_id` on `business_date`,
    or None when there is none: a link's query names the item, the text comes from here. A
    link passed on to someone without an agenda shows them no reason, not a refusal."""
    if not permits(user, Action.AGENDA_WORK) or user.employee_id is None:
        return None
    row = conn.execute(
        select(AgendaRule.kind, AgendaRule.name_ko, AgendaRule.name_en, AgendaItem.facts)
        .join(AgendaRule, AgendaRule.id == AgendaItem.rule_id)
        .join(Customer, Customer.id == AgendaItem.customer_id)
        .where(
            AgendaItem.business_date == business_date,
            AgendaItem.employee_id == user.employee_id,
            AgendaItem.rule_id == rule_id,
            Customer.customer_no == customer_no,
        )
    ).one_or_none()
    if row is None:
        return None
    return AgendaReason(row.kind, row.name_ko, row.name_en, json.loads(row.facts))


@dataclass(frozen=True, slots=True)
class NoteDraft:
    """A consultation note written while working items: channel, outcome and text as on the
    customer 360 (validated there)."""

    channel: str
    outcome: str
    text: str


def _snoozed_until(business_date: dt.date, outcome: str, snooze_days: int | None) -> dt.date | None:
    """The rules of an outcome: one of WORKED, and a snooze for one of SNOOZE_DAYS days."""
    if outcome not in WORKED:
        raise Refused("agenda_refused_outcome")
    if outcome != SNOOZED:
        return None
    if snooze_days not in SNOOZE_DAYS:
        raise Refused("agenda_refused_snooze_days")
    return business_date + dt.timedelta(days=snooze_days)


def work_items(
    conn: Connection,
    user: SignedInUser,
    business_date: dt.date,
    items: Sequence[tuple[int, str]],
    outcome: str,
    *,
    snooze_days: int | None = None,
    note: NoteDraft | None = None,
) -> int:
    """Record `outcome` (done, snoozed, unreachable) on the rep's open items, given as
    (rule id, customer number), with an optional note per customer; one unit of work.

    Each item is audited and counted as an `agenda_work` usage event; a note is a Consultation
    row written as customers.add_note writes it, and the notes count as one change of the
    analytical copy. Returns how many items were worked.
    """
    _require_rep(user)
    if not items:
        raise Refused("agenda_refused_none")
    snoozed_until = _snoozed_until(business_date, outcome, snooze_days)
    now = now_seoul()
    with unit_of_work(conn) as session:
        for rule_id, customer_no in dict.fromkeys(items):
            found = session.execute(
                select(AgendaItem)
                .join(Customer, Customer.id == AgendaItem.customer_id)
                .where(
                    AgendaItem.business_date == business_date,
                    AgendaItem.rule_id == rule_id,
                    Customer.customer_no == customer_no,
                    AgendaItem.employee_id == user.employee_id,
                )
            ).scalar_one_or_none()
            if found is None:
                raise Refused("agenda_refused_missing")
            if found.status != OPEN:
                raise Refused("agenda_refused_not_open")
            consultation_id = None
            if note is not None:
                session.flush()
                consultation_id = add_note_unmarked(
                    session.connection(),
                    user,
                    customer_no,
                    channel=note.channel,
                    outcome=note.outcome,
                    text=note.text,
                )
            found.status = outcome
            found.worked_at = now
            found.snoozed_until = snoozed_until
            found.consultation_id = consultation_id
            audit_as(
                session,
                user,
                f"agenda_{outcome}",
                target_kind="customer",
                target_id=customer_no,
                detail={
                    "rule_id": rule_id,
                    "business_date": business_date.isoformat(),
                    "snoozed_until": snoozed_until.isoformat() if snoozed_until else None,
                    "consultation_id": consultation_id,
                },
            )
            record_usage(session, user, UsageAction.AGENDA_WORK, PAGE, target=customer_no)
        if note is not None:
            segments.mark_features_stale(session.connection())  # last: it locks its row
    return len(dict.fromkeys(items))


def settle_happy_call_item(
    conn: Connection,
    business_date: dt.date,
    *,
    customer_id: int,
    employee_id: int,
    status: str,
    worked_at: dt.datetime,
) -> int:
    """Mark the caller's open happy-call item for the customer on `business_date` worked
    (done, or unreachable for a try nobody answered), inside the caller's transaction:
    data_access.conduct records the call's outcome and this in one unit of work. Returns the
    items changed (0 when the call was not on that day's agenda)."""
    if status not in (DONE, UNREACHABLE):
        raise Refused("agenda_refused_outcome")
    happy_rules = select(AgendaRule.id).where(AgendaRule.kind == RuleKind.HAPPY_CALL.value)
    changed = conn.execute(
        update(AgendaItem)
        .where(
            AgendaItem.business_date == business_date,
            AgendaItem.customer_id == customer_id,
            AgendaItem.employee_id == employee_id,
            AgendaItem.status == OPEN,
            AgendaItem.rule_id.in_(happy_rules),
        )
        .values(status=status, worked_at=worked_at)
    )
    return int(typing.cast(CursorResult[Any], changed).rowcount)


STORED_ITEM_SCHEMA: FrameSchema = {
    "business_date": pl.Date,
    **ITEM_SCHEMA,
    "status": pl.String,
    "snoozed_until": pl.Date,
    "worked_at": pl.Datetime("us"),
    "consultation_id": pl.Int64,
    "created_at": pl.Datetime("us"),
}
WORKED_SCHEMA: FrameSchema = {
    "rule_id": pl.Int64,
    "customer_id": pl.Int64,
    "status": pl.String,
    "worked_at": pl.Datetime("us"),
    "snooze_days": pl.Int64,
    "channel": pl.String,
    "outcome": pl.String,
    "note": pl.String,
}


def open_items(conn: Connection, business_date: dt.date) -> pl.DataFrame:
    """Every open item of `business_date` with its rep: rule_id, customer_id, employee_id,
    branch_id, priority. For a job that works a past day in bulk (the demo's history)."""
    stmt = select(
        AgendaItem.rule_id,
        AgendaItem.customer_id,
        AgendaItem.employee_id,
        AgendaItem.branch_id,
        AgendaItem.priority,
    ).where(AgendaItem.business_date == business_date, AgendaItem.status == OPEN)
    return read_frame(conn, stmt, ITEM_SCHEMA).sort("rule_id", "customer_id")


def work_history(conn: Connection, business_date: dt.date, worked: pl.DataFrame) -> int:
    """Record many items of a past `business_date` as worked by their own reps, inside the
    caller's transaction: what work_items does one item at a time, in one bulk rewrite.

    `worked` (WORKED_SCHEMA): rule_id, customer_id, status, worked_at, snooze_days, and a note
    (channel, outcome, note; null for none) filed as a consultation by the item's rep at
    worked_at, under the branch customers.note_branch_id picks (the item's branch is the
    rep's). The same rules hold (open items only, WORKED outcomes, SNOOZE_DAYS); history gets
    no audit rows or usage events, as the generated history has none per action. The notes
    count as one change of the analytical copy; the database numbers them, as it does for a
    note written meanwhile through add_note.
    """
    worked = worked.select(pl.col(name).cast(kind) for name, kind in WORKED_SCHEMA.items())
    snoozed = {
        (status, days): _snoozed_until(business_date, status, days)
        for status, days in worked.select("status", "snooze_days").unique().iter_rows()
    }
    noted = worked.filter(pl.col("note").is_not_null())
    bad_note = noted.filter(
        ~pl.col("channel").is_in(CONSULTATION_CHANNELS)
        | ~pl.col("outcome").is_in(CONSULTATION_OUTCOMES)
        | (pl.col("note").str.strip_chars().str.len_chars() == 0)
        | (pl.col("note").str.len_chars() > NOTE_MAX_CHARS)
    )
    if not bad_note.is_empty():
        raise Refused("agenda_refused_notes", counted=bad_note.height, count=bad_note.height)
    stored = read_frame(
        conn,
        select(*(AgendaItem.__table__.c[name] for name in STORED_ITEM_SCHEMA)).where(
            AgendaItem.business_date == business_date
        ),
        STORED_ITEM_SCHEMA,
    )
    keys = ["rule_id", "customer_id"]
    found = worked.join(stored.select(*keys, "status", "employee_id", "branch_id"), on=keys,
                        how="left", suffix="_before")  # fmt: skip
    if found["status_before"].null_count():
        raise Refused("agenda_refused_missing")
    if (found["status_before"] != OPEN).any():
        raise Refused("agenda_refused_not_open")
    notes = _file_history_notes(conn, business_date, found.filter(pl.col("note").is_not_null()))
    until = pl.DataFrame(
        [(status, days, day) for (status, days), day in snoozed.items()],
        schema={"status": pl.String, "snooze_days": pl.Int64, "until": pl.Date},
        orient="row",
    )
    changes = (
        worked.join(until, on=["status", "snooze_days"], how="left", nulls_equal=True)
        .join(notes.select(*keys, pl.col("id").alias("note_id")), on=keys, how="left")
        .select(*keys, "status", "worked_at", "until", "note_id")
    )
    rewritten = (
        stored.join(changes, on=keys, how="left", suffix="_new")
        .with_columns(
            pl.coalesce("status_new", "status").alias("status"),
            pl.coalesce("worked_at_new", "worked_at").alias("worked_at"),
            pl.coalesce("until", "snoozed_until").alias("snoozed_until"),
            pl.coalesce("note_id", "consultation_id").alias("consultation_id"),
        )
        .select(list(STORED_ITEM_SCHEMA))
        .sort(keys)
    )
    conn.execute(delete(AgendaItem).where(AgendaItem.business_date == business_date))
    bulk_insert(conn, AgendaItem.__table__, rewritten)
    if not notes.is_empty():
        segments.mark_features_stale(conn)  # last: on PostgreSQL it locks its row to the commit
    return worked.height


def _file_history_notes(
    conn: Connection, business_date: dt.date, noted: pl.DataFrame
) -> pl.DataFrame:
    """Insert the notes of `noted` (work_history's checked rows) and return their keys with
    the ids the database gave them: rule_id, customer_id, id."""
    if noted.is_empty():
        return pl.DataFrame(schema={"rule_id": pl.Int64, "customer_id": pl.Int64, "id": pl.Int64})
    homes = dict(
        conn.execute(
            select(Customer.id, Customer.home_branch_id).where(
                Customer.id.in_(
                    select(AgendaItem.customer_id).where(AgendaItem.business_date == business_date)
                )
            )
        ).all()
    )
    noted = noted.sort("rule_id", "customer_id")
    rows = noted.select(
        "customer_id", "employee_id", "branch_id", "channel",
        pl.col("worked_at").alias("occurred_at"), "note", "outcome",
        pl.lit(False).alias("is_sensitive"),
    ).to_dicts()  # fmt: skip
    for row in rows:  # the item's branch is its rep's, the author's
        row["branch_id"] = note_branch_id(row["branch_id"], homes[row["customer_id"]])
    ids = conn.execute(
        insert(Consultation).returning(Consultation.id, sort_by_parameter_order=True), rows
    ).scalars()
    return noted.select("rule_id", "customer_id").with_columns(pl.Series("id", list(ids), pl.Int64))


# ---------------------------------------------------------------------------------------------
# Completion, for branch managers (their branch) and executives (any branch, or all).


def _team_scope(user: SignedInUser, branch_id: int | None) -> Any:
    if require(user, Action.AGENDA_TEAM_READ) is not Scope.FIRM:
        return branch_condition(user, Action.AGENDA_TEAM_READ, AgendaItem.branch_id)
    return AgendaItem.branch_id == branch_id if branch_id is not None else True


def _status_counts() -> list[Any]:
    def count_of(*statuses: str) -> Any:
        return func.coalesce(func.sum(case((AgendaItem.status.in_(statuses), 1), else_=0)), 0)

    return [
        func.count().label("items"),
        count_of(DONE).label("done"),
        count_of(UNREACHABLE).label("unreachable"),
        count_of(SNOOZED).label("snoozed"),
        count_of(OPEN).label("open"),
    ]


COUNT_SCHEMA = {name: pl.Int64 for name in ("items", "done", "unreachable", "snoozed", "open")}
WINDOW_SCHEMA = {"window_items": pl.Int64, "window_done": pl.Int64}
Grouped = Callable[[Any, list[Any]], Select[Any]]


def _window_counts() -> list[Any]:
    done = AgendaItem.status.in_(metrics.AGENDA_DONE_STATUSES)
    return [
        func.count().label("window_items"),
        func.coalesce(func.sum(case((done, 1), else_=0)), 0).label("window_done"),
    ]


def _completion(items: str, done: str) -> pl.Expr:
    return metrics.agenda_completion_pct(pl.col(done), pl.col(items)).alias("completion_pct")


def _today_and_window(
    conn: Connection, business_date: dt.date, grouped: Grouped, keys: Mapping[str, Any]
) -> pl.DataFrame:
    """Per group (`keys`): the counts by status of the items of `business_date`, the day's work
    as it goes, and completion_pct, agenda completion over metrics.window of the latest
    completed day (the KPI's figure). A group with items in either has a row."""
    first, last = metrics.window(metrics.completed_day(conn, business_date))
    today = read_frame(
        conn,
        grouped(AgendaItem.business_date == business_date, _status_counts()),
        {**keys, **COUNT_SCHEMA},
    )
    window = read_frame(
        conn,
        grouped(AgendaItem.business_date.between(first, last), _window_counts()),
        {**keys, **WINDOW_SCHEMA},
    )
    return (
        today.join(window, on=list(keys), how="full", coalesce=True, nulls_equal=True)
        .with_columns(pl.col(*COUNT_SCHEMA, *WINDOW_SCHEMA).fill_null(0))
        .with_columns(_completion("window_items", "window_done"))
        .drop(*WINDOW_SCHEMA)
    )


def completion_by_employee(
    conn: Connection, user: SignedInUser, business_date: dt.date, *, branch_id: int | None = None
) -> pl.DataFrame:
    """Per employee with items on `business_date` or in the completion window:
    employee_no, name, branch_code, branch_name_ko/_en, the day's counts by status and
    completion_pct (see _today_and_window)."""
    branch_columns = (
        Branch.code.label("branch_code"),
        Branch.name_ko.label("branch_name_ko"),
        Branch.name_en.label("branch_name_en"),
    )

    def grouped(on: Any, counts: list[Any]) -> Select[Any]:
        return (
            select(Employee.employee_no, Employee.name, *branch_columns, *counts)
            .select_from(AgendaItem)
            .join(Employee, Employee.id == AgendaItem.employee_id)
            .outerjoin(Branch, Branch.id == AgendaItem.branch_id)
            .where(on, _team_scope(user, branch_id))
            .group_by(
                Employee.employee_no, Employee.name, Branch.code, Branch.name_ko, Branch.name_en
            )
        )

    keys = {
        "employee_no": pl.String,
        "name": pl.String,
        "branch_code": pl.String,
        "branch_name_ko": pl.String,
        "branch_name_en": pl.String,
    }
    worked = _today_and_window(conn, business_date, grouped, keys)
    if require(user, Action.AGENDA_TEAM_READ) is not Scope.FIRM:
        branch_id = user.branch_id
    if branch_id is not None:
        # One branch: every active staff member, those with nothing at zero, so a manager
        # sees who has no items as well as who has.
        staff = read_frame(
            conn,
            select(Employee.employee_no, Employee.name, *branch_columns)
            .join(Branch, Branch.id == Employee.branch_id)
            .where(Employee.branch_id == branch_id, Employee.is_active),
            keys,
        )
        worked = staff.join(
            worked, on=list(keys), how="full", coalesce=True, nulls_equal=True
        ).with_columns(pl.col(*COUNT_SCHEMA).fill_null(0))
    return worked.sort("branch_code", "employee_no", nulls_last=True)


def day_by_reason(
    conn: Connection, user: SignedInUser, business_date: dt.date, *, language: str
) -> pl.DataFrame:
    """The signed-in rep's items of `business_date` per reason (rule name in `language`), in
    the agenda's order: reason, items, open, and overdue (open past their due date)."""
    items = my_agenda(conn, user, business_date).items
    is_open = pl.col("status") == OPEN
    return (
        items.group_by("rule_id", maintain_order=True)
        .agg(
            pl.col(f"rule_name_{language}").first().alias("reason"),
            pl.len().cast(pl.Int64).alias("items"),
            is_open.sum().cast(pl.Int64).alias("open"),
            (is_open & (pl.col("due_date") < business_date)).sum().cast(pl.Int64).alias("overdue"),
        )
        .drop("rule_id")
    )


def completion_by_reason(
    conn: Connection, user: SignedInUser, business_date: dt.date, *, branch_id: int | None = None
) -> pl.DataFrame:
    """Per rule with items on `business_date` or in the completion window: rule_id, name_ko,
    name_en, the day's counts by status and completion_pct, by priority."""

    def grouped(on: Any, counts: list[Any]) -> Select[Any]:
        return (
            select(
                AgendaRule.id.label("rule_id"),
                AgendaRule.priority,
                AgendaRule.name_ko,
                AgendaRule.name_en,
                *counts,
            )
            .select_from(AgendaItem)
            .join(AgendaRule, AgendaRule.id == AgendaItem.rule_id)
            .where(on, _team_scope(user, branch_id))
            .group_by(AgendaRule.id, AgendaRule.priority, AgendaRule.name_ko, AgendaRule.name_en)
        )

    keys = {"rule_id": pl.Int64, "priority": pl.Int64, "name_ko": pl.String, "name_en": pl.String}
    return (
        _today_and_window(conn, business_date, grouped, keys)
        .sort("priority", "rule_id")
        .drop("priority")
    )


def completion_by_branch(
    conn: Connection, user: SignedInUser, business_date: dt.date
) -> pl.DataFrame:
    """Executives: per branch with items on `business_date` or in the completion window, the
    day's counts and completion_pct."""
    if require(user, Action.AGENDA_TEAM_READ) is not Scope.FIRM:
        raise AccessDenied("agenda_compare_executives_only")

    def grouped(on: Any, counts: list[Any]) -> Select[Any]:
        return (
            select(
                Branch.id.label("branch_id"),
                Branch.code.label("branch_code"),
                Branch.name_ko,
                Branch.name_en,
                *counts,
            )
            .select_from(AgendaItem)
            .join(Branch, Branch.id == AgendaItem.branch_id)
            .where(on)
            .group_by(Branch.id, Branch.code, Branch.name_ko, Branch.name_en)
        )

    keys = {"branch_id": pl.Int64, "branch_code": pl.String, "name_ko": pl.String}
    keys |= {"name_en": pl.String}
    return _today_and_window(conn, business_date, grouped, keys).sort("branch_code")


@dataclass(frozen=True, slots=True)
class TeamCompletion:
    """A team's agenda on `business_date` (the day's counts, as it goes) and its agenda
    completion over first_day..last_day (metrics.window of the latest completed day), the
    figure the KPI snapshot of last_day shows; None without items in the window."""

    business_date: dt.date
    items: int
    done: int
    unreachable: int
    snoozed: int
    open: int
    first_day: dt.date
    last_day: dt.date
    completion_pct: float | None


def team_completion(
    conn: Connection, user: SignedInUser, business_date: dt.date, *, branch_id: int | None = None
) -> TeamCompletion:
    """The branch's (a branch manager's own, or an executive's `branch_id`) or the firm's."""
    first, last = metrics.window(metrics.completed_day(conn, business_date))
    scope = _team_scope(user, branch_id)
    today = conn.execute(
        select(*_status_counts()).where(AgendaItem.business_date == business_date, scope)
    ).one()
    window = read_frame(
        conn,
        select(*_window_counts()).where(AgendaItem.business_date.between(first, last), scope),
        WINDOW_SCHEMA,
    )
    completion = window.select(_completion("window_items", "window_done")).item()
    items, done, unreachable, snoozed, left = (int(n) for n in today)
    return TeamCompletion(
        business_date, items, done, unreachable, snoozed, left, first, last, completion
    )


def completion_by_week(
    conn: Connection,
    user: SignedInUser,
    until: dt.date,
    *,
    weeks: int = 8,
    branch_id: int | None = None,
) -> pl.DataFrame:
    """Items per week (Monday) over the `weeks` weeks up to `until`: week_start, counts by
    status. Counted per business date in SQL, summed per week here. No rate: agenda
    completion has one window, TeamCompletion's."""
    since = until - dt.timedelta(days=until.weekday() + 7 * (weeks - 1))
    stmt = (
        select(AgendaItem.business_date, *_status_counts())
        .where(AgendaItem.business_date.between(since, until), _team_scope(user, branch_id))
        .group_by(AgendaItem.business_date)
    )
    daily = read_frame(conn, stmt, {"business_date": pl.Date, **COUNT_SCHEMA})
    return (
        daily.with_columns(pl.col("business_date").dt.truncate("1w").alias("week_start"))
        .group_by("week_start")
        .agg(pl.col(list(COUNT_SCHEMA)).sum())
        .sort("week_start")
    )
