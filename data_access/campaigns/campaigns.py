"""Sampled DM/TM campaigns with a hold-out control group, their outcomes and their report.

A campaign draws a sample from one version of a saved segment among the customers who consent
to the channel, optionally stratified by branch, tier or region (proportional allocation,
largest-remainder rounding, so sizes are exact in total and per stratum). A share of the
sample is held out as a control group that is never contacted; comparing the two arms is what
tells what the campaign changed. The draw is a function of (eligible customers, seed) only,
so the same seed over the same copy gives the same customers.

TM targets go to the customer's manager, else to a rep of the home branch, and appear on that
person's agenda. Outcomes are recorded per target (from the agenda or a CSV import) together
with a consultation, so KPIs and the customer page see the contact.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import (
    BigInteger,
    Connection,
    Row,
    case,
    cast,
    delete,
    false,
    func,
    insert,
    null,
    select,
    true,
)
from sqlalchemy.orm import Session

from data_access import customers, exports, segments
from data_access.core import metrics
from data_access.core.db import (
    bulk_insert,
    read_frame,
    reads_before_write,
    unit_of_work,
)
from data_access.core.errors import (
    AccessDenied,
    DomainError,
    NotFound,
    Refused,
)
from data_access.core.masking import (
    mask_frame,
    personal_columns,
)
from data_access.core.models import (
    Account,
    Branch,
    Campaign,
    CampaignTarget,
    Consultation,
    Customer,
    Employee,
    Role,
    Segment,
    Transaction,
    User,
)
from data_access.core.policy import (
    Action,
    Scope,
    customer_condition,
    require,
    scope_of,
)
from data_access.core.security import (
    SignedInUser,
    audit_as,
    now_seoul,
)
from data_access.usage import (
    UsageAction,
    record_usage,
)

PAGE = "campaigns"
CHANNELS = ("dm", "tm")
STRATA = ("branch", "tier", "region")
CONTACT, CONTROL = metrics.CONTACT_ARM, "control"
OUTCOMES = ("responded", "bought", "declined", "unreachable")
RESPONSES = metrics.DM_TM_RESPONSES
# Each campaign outcome as a consultation outcome (data_access.customers.OUTCOMES).
CONSULTATION_OUTCOME = {
    "responded": "interested",
    "bought": "purchased",
    "declined": "declined",
    "unreachable": "no_answer",
}
# The words an import file may use for an outcome, besides the codes themselves.
OUTCOME_WORDS = {
    "응답": "responded",
    "구매": "bought",
    "거절": "declined",
    "연락불가": "unreachable",
}
OUTCOME_NOTE = {
    "responded": "응답",
    "bought": "구매",
    "declined": "거절",
    "unreachable": "연락 불가",
}
REP_ROLES = (Role.SALES_REP.value, Role.DEDICATED_MANAGER.value)
NAME_MAX_CHARS = 80
MAX_CONTROL_PCT = 90
MAX_SEED = 2**53 - 1  # the largest whole number a browser keeps exactly
TARGET_LIST_LIMIT = 500
Z_95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class CampaignPlan:
    """What a person asks for: `sample_size` customers in all (control included), or
    `sample_rate_pct` of the eligible ones; `control_pct` of them are held out."""

    name: str
    segment_id: int
    channel: str
    control_pct: int
    seed: int
    cost_per_piece_krw: int
    sample_size: int | None = None
    sample_rate_pct: float | None = None
    stratify_by: str | None = None
    segment_version: int | None = None


@dataclass(frozen=True, slots=True)
class CampaignSummary:
    campaign_id: int
    eligible: int
    contacted: int
    control: int
    strata: pl.DataFrame  # stratum, eligible, contacted, control
    excluded: dict[str, int]  # customers of the segment left out before sampling, by reason


# Why a segment member is not eligible, in the order a customer is counted under: no consent
# for the channel, then (phone channels) the finance do-not-call list, then an in-house opt-out.
EXCLUSION_REASONS = ("no_consent", "do_not_call", "opted_out")


@dataclass(frozen=True, slots=True)
class DrawPreview:
    saved: segments.SavedSegment
    eligible: pl.DataFrame
    drawn: pl.DataFrame
    excluded: dict[str, int]  # EXCLUSION_REASONS -> customers


# --- the draw ------------------------------------------------------------------------------


def allocate(weights: Sequence[int], total: int) -> list[int]:
    """Split `total` over `weights` in proportion, rounding by largest remainder.

    The parts sum to `total` exactly and none exceeds its weight (when `total <= sum`). Ties
    of remainder go to the earlier weight, so the split is deterministic.
    """
    whole = sum(weights)
    if whole == 0:
        return [0 for _ in weights]
    parts = [total * weight // whole for weight in weights]
    remainders = [total * weight % whole for weight in weights]
    order = sorted(range(len(weights)), key=lambda index: (-remainders[index], index))
    for index in order[: total - sum(parts)]:
        parts[index] += 1
    return parts


def draw(
    eligible: pl.DataFrame,
    *,
    size: int,
    control: int,
    stratify_by: str | None,
    seed: int,
) -> pl.DataFrame:
    """customer_id, stratum and arm of a stratified random sample of `eligible`.

    Every eligible customer gets a random key from the seeded generator in customer order;
    each stratum keeps its lowest keys up to its allocation, the lowest of those going to
    the control arm.
    """
    stratum = pl.col(stratify_by).cast(pl.String) if stratify_by else pl.lit("all")
    frame = (
        eligible.select("customer_id", stratum.fill_null("-").alias("stratum"))
        .sort("customer_id")
        .with_columns(key=pl.Series(np.random.default_rng(seed).random(eligible.height)))
    )
    sizes = frame.group_by("stratum").len().sort("stratum")
    taken = allocate(sizes["len"].to_list(), size)
    held = allocate(taken, control)
    quotas = sizes.with_columns(
        taken=pl.Series(taken, dtype=pl.Int64), held=pl.Series(held, dtype=pl.Int64)
    ).drop("len")
    ranked = frame.join(quotas, on="stratum").with_columns(
        rank=pl.col("key").rank("ordinal").over("stratum").cast(pl.Int64)
    )
    return (
        ranked.filter(pl.col("rank") <= pl.col("taken"))
        .select(
            "customer_id",
            "stratum",
            arm=pl.when(pl.col("rank") <= pl.col("held"))
            .then(pl.lit(CONTROL))
            .otherwise(pl.lit(CONTACT)),
        )
        .sort("customer_id")
    )


def consent_column(channel: str) -> str:
    return f"consent_{channel}"


def _checked_plan(plan: CampaignPlan) -> str:
    name = plan.name.strip()
    if not name or len(name) > NAME_MAX_CHARS:
        raise Refused("camp_rejected_name", limit=NAME_MAX_CHARS)
    if plan.channel not in CHANNELS:
        raise Refused("camp_rejected_channel")
    if plan.stratify_by is not None and plan.stratify_by not in STRATA:
        raise Refused("camp_rejected_strata")
    if not 0 <= plan.control_pct <= MAX_CONTROL_PCT:
        raise Refused("camp_rejected_control", limit=MAX_CONTROL_PCT)
    if not 0 <= plan.seed <= MAX_SEED:
        raise Refused("camp_rejected_seed")
    if plan.cost_per_piece_krw < 0:
        raise Refused("camp_rejected_cost")
    if (plan.sample_size is None) == (plan.sample_rate_pct is None):
        raise Refused("camp_rejected_size_or_rate")
    if plan.sample_size is not None and plan.sample_size <= 0:
        raise Refused("camp_rejected_size")
    if plan.sample_rate_pct is not None and not 0 < plan.sample_rate_pct <= 100:
        raise Refused("camp_rejected_rate")
    return name


def sample_size(plan: CampaignPlan, eligible: int) -> int:
    if plan.sample_size is not None:
        return plan.sample_size
    assert plan.sample_rate_pct is not None
    return max(1, math.floor(eligible * plan.sample_rate_pct / 100 + 0.5))


def _eligible(
    conn: Connection, members: pl.DataFrame, channel: str
) -> tuple[pl.DataFrame, dict[str, int]]:
    """The members who may be contacted over `channel`, and how many were left out and why.

    Runs before sampling, so a suppressed customer never takes a place in the sample. The
    do-not-call list is read from the database, not the copy: a number listed this morning
    is not called this afternoon.
    """
    consenting = members.filter(pl.col(consent_column(channel)))
    excluded = dict.fromkeys(EXCLUSION_REASONS, 0)
    excluded["no_consent"] = members.height - consenting.height
    if channel not in customers.PHONE_CHANNELS:
        return consenting, excluded
    listed = customers.listed_customers(conn, consenting["customer_id"])
    for reason, customers_listed in listed.group_by("reason").len().iter_rows():
        excluded[reason] = customers_listed
    return consenting.join(listed, on="customer_id", how="anti"), excluded


def preview_draw(
    conn: Connection, user: SignedInUser, copy: segments.FeatureCopy, plan: CampaignPlan
) -> DrawPreview:
    """The segment, the eligible customers (in scope, matching, consenting, not suppressed),
    the draw and the count of members left out by reason.

    Refuses a sample larger than the eligible customers, with both numbers.
    """
    require(user, Action.CAMPAIGN_WRITE)
    _checked_plan(plan)
    saved = segments.saved_segment(conn, user, plan.segment_id, plan.segment_version)
    eligible, excluded = _eligible(conn, segments.members(copy, user, saved.spec), plan.channel)
    size = sample_size(plan, eligible.height)
    if size > eligible.height:
        raise Refused(
            "camp_rejected_too_large",
            requested=size,
            eligible=eligible.height,
        )
    control = math.floor(size * plan.control_pct / 100 + 0.5)
    drawn = draw(
        eligible,
        size=size,
        control=control,
        stratify_by=stratum_column(plan.stratify_by),
        seed=plan.seed,
    )
    return DrawPreview(saved, eligible, drawn, excluded)


def arm_sizes(drawn: pl.DataFrame) -> tuple[int, int]:
    """A draw's (contacted, control) sizes: the pieces it would send and the hold-out."""
    contacted = int((drawn["arm"] == CONTACT).sum())
    return contacted, drawn.height - contacted


def stratum_column(stratify_by: str | None) -> str | None:
    """The copy's column behind a stratification choice (branch -> branch_code)."""
    return segments.COLUMN_OF.get(stratify_by, stratify_by) if stratify_by else None


def strata_summary(
    eligible: pl.DataFrame, drawn: pl.DataFrame, stratify_by: str | None
) -> pl.DataFrame:
    """Per stratum: eligible customers, contacted and held out."""
    column = stratum_column(stratify_by)
    stratum = pl.col(column).cast(pl.String) if column else pl.lit("all")
    sizes = eligible.group_by(stratum.fill_null("-").alias("stratum")).agg(
        eligible=pl.len().cast(pl.Int64)
    )
    arms = drawn.group_by("stratum").agg(
        contacted=(pl.col("arm") == CONTACT).sum().cast(pl.Int64),
        control=(pl.col("arm") == CONTROL).sum().cast(pl.Int64),
    )
    return (
        sizes.join(arms, on="stratum", how="left")
        .fill_null(0)
        .sort("stratum")
        .select("stratum", "eligible", "contacted", "control")
    )


def _assign_reps(conn: Connection, targets: pl.DataFrame) -> pl.DataFrame:
    """employee_id per contacted customer: the active manager, else the home branch's reps
    in turn (by customer number order); null where a branch has no rep at all."""
    staff = read_frame(
        conn,
        select(Employee.id.label("employee_id"), Employee.branch_id, Employee.role).where(
            Employee.is_active
        ),
        {"employee_id": pl.Int64, "branch_id": pl.Int64, "role": pl.String},
    )
    active = staff["employee_id"].implode()
    reps = (
        staff.filter(pl.col("role").is_in(REP_ROLES))
        .sort("employee_id")
        .group_by("branch_id", maintain_order=True)
        .agg(reps=pl.col("employee_id"))
    )
    turn = pl.int_range(pl.len()).over("branch_id")
    fallback = pl.col("reps").list.get(turn % pl.col("reps").list.len(), null_on_oob=True)
    return (
        targets.join(reps, on="branch_id", how="left")
        .sort("customer_id")  # joins keep no order; the turns must not depend on it
        .with_columns(
            employee_id=pl.when(pl.col("manager_id").is_in(active))
            .then(pl.col("manager_id"))
            .otherwise(fallback)
        )
        .drop("reps")
    )


def create_campaign(
    conn: Connection,
    user: SignedInUser,
    copy: segments.FeatureCopy,
    plan: CampaignPlan,
    *,
    started_on: dt.date,
) -> CampaignSummary:
    """Draw the sample and store the campaign with its targets, in one unit of work.

    The consents read from the copy are checked again against the database: a customer who
    withdrew consent since the copy was built must not be contacted, so the draw is refused
    until the copy is refreshed (a smaller list would break the exact sizes).
    """
    scope = require(user, Action.CAMPAIGN_WRITE)
    name = _checked_plan(plan)
    # The draw's reads end before the write begins: a SQLite read transaction that then
    # writes fails ("database is locked") once anyone else has written in between.
    with reads_before_write(conn):
        preview = preview_draw(conn, user, copy, plan)
    saved, eligible, drawn = preview.saved, preview.eligible, preview.drawn
    details = drawn.join(
        eligible.select("customer_id", "branch_id", "manager_id"), on="customer_id"
    )
    now = now_seoul()
    with unit_of_work(conn) as session:
        db = session.connection()
        _check_consent(db, details, plan.channel)
        campaign = Campaign(
            name=name,
            segment_id=saved.segment_id,
            segment_version=saved.version,
            channel=plan.channel,
            sample_size=drawn.height,
            stratify_by=plan.stratify_by,
            control_pct=plan.control_pct,
            seed=plan.seed,
            cost_per_piece_krw=plan.cost_per_piece_krw,
            branch_id=user.branch_id if scope is Scope.BRANCH else None,
            eligible=eligible.height,
            started_on=started_on,
            created_by_user_id=user.user_id,
            created_by=user.username,
            created_at=now,
            features_built_at=copy.built_at,
        )
        session.add(campaign)
        session.flush()
        contacted = details.filter(pl.col("arm") == CONTACT)
        if plan.channel == "tm":
            contacted = _assign_reps(db, contacted)
        else:
            contacted = contacted.with_columns(employee_id=pl.lit(None, pl.Int64))
        rows = pl.concat(
            [
                contacted,
                details.filter(pl.col("arm") == CONTROL).with_columns(
                    employee_id=pl.lit(None, pl.Int64)
                ),
            ],
            how="diagonal_relaxed",
        ).select(
            pl.lit(campaign.id, pl.Int64).alias("campaign_id"),
            "customer_id",
            "arm",
            pl.col("stratum").str.slice(0, 40),
            "branch_id",
            "employee_id",
        )
        bulk_insert(db, CampaignTarget.__table__, rows)
        summary = CampaignSummary(
            campaign_id=campaign.id,
            eligible=eligible.height,
            contacted=contacted.height,
            control=drawn.height - contacted.height,
            strata=strata_summary(eligible, drawn, plan.stratify_by),
            excluded=preview.excluded,
        )
        audit_as(
            session,
            user,
            "campaign_create",
            target_kind="campaign",
            target_id=str(campaign.id),
            detail={
                "segment_id": saved.segment_id,
                "segment_version": saved.version,
                "channel": plan.channel,
                "size": drawn.height,
                "control": summary.control,
                "stratify_by": plan.stratify_by,
                "seed": plan.seed,
                "excluded": preview.excluded,
            },
        )
        record_usage(session, user, UsageAction.CAMPAIGN, PAGE, target=str(campaign.id))
    return summary


CONSENT_CHECK_CHUNK = 5_000


def _check_consent(conn: Connection, drawn: pl.DataFrame, channel: str) -> None:
    consent_given = getattr(Customer, consent_column(channel))
    ids = drawn["customer_id"].to_list()
    lost = 0
    for start in range(0, len(ids), CONSENT_CHECK_CHUNK):
        chunk = ids[start : start + CONSENT_CHECK_CHUNK]
        lost += conn.execute(
            select(func.count()).where(
                Customer.id.in_(chunk), (consent_given.is_(False)) | Customer.closed_on.is_not(None)
            )
        ).scalar_one()
    if lost:
        raise Refused("camp_rejected_stale_copy", counted=lost, lost=lost)


# --- reading campaigns ---------------------------------------------------------------------


def _campaign_scope(user: SignedInUser) -> Any:
    """The campaigns a user may open: all; those reaching a branch manager's branch (drawn for
    it, or firm-wide with targets there); a rep's own calls."""
    scope = require(user, Action.CAMPAIGN_READ)
    if scope is Scope.FIRM:
        return true()
    if scope is Scope.BRANCH:
        reaching = select(CampaignTarget.campaign_id).where(
            CampaignTarget.branch_id == user.branch_id
        )
        return (Campaign.branch_id == user.branch_id) | Campaign.id.in_(reaching)
    mine = select(CampaignTarget.campaign_id).where(CampaignTarget.employee_id == user.employee_id)
    return Campaign.id.in_(mine)


def _slice_branch(user: SignedInUser) -> int | None:
    """The one branch whose targets a user sees in a visible campaign: a branch manager's own
    (a firm-wide campaign reaches other branches too); None for all targets."""
    if scope_of(user, Action.CAMPAIGN_READ) is Scope.BRANCH:
        return user.branch_id
    return None


def _target_slice(user: SignedInUser) -> Any:
    """The targets of a visible campaign a user sees: all of them, a branch manager's branch,
    or a rep's own calls and the customers of their book (CAMPAIGN_READ's scope)."""
    scope = scope_of(user, Action.CAMPAIGN_READ)
    if scope is Scope.FIRM:
        return true()
    if scope is Scope.BRANCH:
        return CampaignTarget.branch_id == user.branch_id
    if scope is None or user.employee_id is None:
        return false()
    book = select(Customer.id).where(customer_condition(user, Action.CAMPAIGN_READ))
    return (CampaignTarget.employee_id == user.employee_id) | CampaignTarget.customer_id.in_(book)


def _campaign(conn: Connection, user: SignedInUser, campaign_id: int) -> Row[Any]:
    """The campaign's row (columns as attributes), if it is in the user's scope."""
    found = conn.execute(
        select(*Campaign.__table__.columns).where(Campaign.id == campaign_id, _campaign_scope(user))
    ).one_or_none()
    if found is None:
        raise NotFound("camp_rejected_unknown")
    return found


CAMPAIGN_LIST_SCHEMA: dict[str, Any] = {
    "campaign_id": pl.Int64,
    "name": pl.String,
    "channel": pl.String,
    "segment": pl.String,
    "segment_version": pl.Int64,
    "eligible": pl.Int64,
    "contacted": pl.Int64,
    "control": pl.Int64,
    "recorded": pl.Int64,
    "stratify_by": pl.String,
    "control_pct": pl.Int64,
    "seed": pl.Int64,
    "cost_per_piece_krw": pl.Int64,
    "started_on": pl.Date,
    "created_by": pl.String,
}


def list_campaigns(conn: Connection, user: SignedInUser) -> pl.DataFrame:
    """The campaigns in the user's scope, newest first, with their arm sizes (of the user's
    slice of targets).

    `eligible` counts the whole segment at the draw, so a branch manager sees it only for a
    campaign drawn for their branch: next to a firm-wide campaign's branch slice it would
    mislead, and tell them other branches' totals. Otherwise (and for a rep) it is null.
    """
    scope = scope_of(user, Action.CAMPAIGN_READ)
    eligible: Any = null()
    if scope is Scope.FIRM:
        eligible = Campaign.eligible
    elif scope is Scope.BRANCH:
        eligible = case((Campaign.branch_id == user.branch_id, Campaign.eligible), else_=None)
    target = CampaignTarget
    arms = (
        select(
            target.campaign_id,
            func.sum(case((metrics.dm_tm_piece(), 1), else_=0)).label("contacted"),
            func.sum(case((target.arm == CONTROL, 1), else_=0)).label("control"),
            func.count(target.outcome).label("recorded"),
        )
        .where(_target_slice(user))
        .group_by(target.campaign_id)
        .subquery()
    )
    stmt = (
        select(
            Campaign.id.label("campaign_id"),
            Campaign.name,
            Campaign.channel,
            Segment.name.label("segment"),
            Campaign.segment_version,
            eligible.label("eligible"),
            cast(arms.c.contacted, BigInteger).label("contacted"),
            cast(arms.c.control, BigInteger).label("control"),
            arms.c.recorded,
            Campaign.stratify_by,
            Campaign.control_pct,
            Campaign.seed,
            Campaign.cost_per_piece_krw,
            Campaign.started_on,
            Campaign.created_by,
        )
        .join(Segment, Segment.id == Campaign.segment_id)
        .join(arms, arms.c.campaign_id == Campaign.id)
        .where(_campaign_scope(user))
        .order_by(Campaign.id.desc())
    )
    return read_frame(conn, stmt, CAMPAIGN_LIST_SCHEMA)


TARGET_SCHEMA: dict[str, Any] = {
    "customer_no": pl.String,
    "name": pl.String,
    "arm": pl.String,
    "stratum": pl.String,
    "branch_code": pl.String,
    "employee": pl.String,
    "outcome": pl.String,
    "outcome_at": pl.Datetime("us"),
}


def campaign_targets(
    conn: Connection, user: SignedInUser, campaign_id: int, *, limit: int = TARGET_LIST_LIMIT
) -> pl.DataFrame:
    """The first `limit` targets by customer number (both arms), with who works each."""
    _campaign(conn, user, campaign_id)
    stmt = (
        select(
            Customer.customer_no,
            Customer.name,
            CampaignTarget.arm,
            CampaignTarget.stratum,
            Branch.code.label("branch_code"),
            Employee.name.label("employee"),
            CampaignTarget.outcome,
            CampaignTarget.outcome_at,
        )
        .select_from(CampaignTarget)
        .join(Customer, Customer.id == CampaignTarget.customer_id)
        .join(Branch, Branch.id == CampaignTarget.branch_id)
        .outerjoin(Employee, Employee.id == CampaignTarget.employee_id)
        .where(CampaignTarget.campaign_id == campaign_id, _target_slice(user))
        .order_by(Customer.customer_no)
        .limit(limit)
    )
    return read_frame(conn, stmt, TARGET_SCHEMA)


CALL_SCHEMA: dict[str, Any] = {
    "campaign_id": pl.Int64,
    "campaign": pl.String,
    "customer_no": pl.String,
    "name": pl.String,
    "phone": pl.String,
    "started_on": pl.Date,
}


def my_calls(conn: Connection, user: SignedInUser) -> pl.DataFrame:
    """The TM targets assigned to the signed-in rep with no outcome yet, who still consent.

    A target is assigned to a rep of the home branch when the customer's own manager cannot
    call, so the list may hold customers outside the rep's book: their phone is masked, as on
    the customer page (`_contacts_masked_out_of_reach`).
    """
    require(user, Action.AGENDA_WORK)
    stmt = (
        select(
            Campaign.id.label("campaign_id"),
            Campaign.name.label("campaign"),
            Customer.customer_no,
            Customer.name,
            Customer.phone,
            Campaign.started_on,
            Customer.home_branch_id,
            Customer.manager_id,
        )
        .select_from(CampaignTarget)
        .join(Campaign, Campaign.id == CampaignTarget.campaign_id)
        .join(Customer, Customer.id == CampaignTarget.customer_id)
        .where(
            CampaignTarget.employee_id == user.employee_id,
            CampaignTarget.outcome.is_(None),
            CampaignTarget.arm == CONTACT,
            Campaign.channel == "tm",
            Customer.consent_tm,
            ~customers.listed_for_calls(),
            Customer.closed_on.is_(None),
        )
        .order_by(Campaign.id, Customer.customer_no)
        .limit(TARGET_LIST_LIMIT)
    )
    calls = read_frame(
        conn, stmt, CALL_SCHEMA | {"home_branch_id": pl.Int64, "manager_id": pl.Int64}
    )
    return _contacts_masked_out_of_reach(user, calls)


def _contacts_masked_out_of_reach(user: SignedInUser, rows: pl.DataFrame) -> pl.DataFrame:
    """`rows` less their home_branch_id and manager_id, with the contact columns masked on
    the rows of customers `user` does not answer for: the customer page's rule
    (`customers.sees_contact_details`) and masks (`masking.mask_frame`), row by row."""
    visible = [
        customers.sees_contact_details(user, home_branch_id=home, manager_id=manager)
        for home, manager in rows.select("home_branch_id", "manager_id").iter_rows()
    ]
    masked = mask_frame(rows)
    shown = pl.lit(pl.Series(visible, dtype=pl.Boolean))
    return rows.with_columns(
        pl.when(shown).then(pl.col(name)).otherwise(pl.lit(masked[name])).alias(name)
        for name in personal_columns(rows)
    ).drop("home_branch_id", "manager_id")


MEMBERSHIP_SCHEMA: dict[str, Any] = {
    "campaign_id": pl.Int64,
    "campaign": pl.String,
    "channel": pl.String,
    "arm": pl.String,
    "started_on": pl.Date,
    "outcome": pl.String,
}


def customer_campaigns(conn: Connection, user: SignedInUser, customer_no: str) -> pl.DataFrame:
    """The campaigns in the user's scope that drew this customer, for the customer page."""
    stmt = (
        select(
            Campaign.id.label("campaign_id"),
            Campaign.name.label("campaign"),
            Campaign.channel,
            CampaignTarget.arm,
            Campaign.started_on,
            CampaignTarget.outcome,
        )
        .select_from(CampaignTarget)
        .join(Campaign, Campaign.id == CampaignTarget.campaign_id)
        .join(Customer, Customer.id == CampaignTarget.customer_id)
        .where(
            Customer.customer_no == customer_no.strip(),
            _campaign_scope(user),
            _target_slice(user),
        )
        .order_by(Campaign.started_on.desc())
    )
    return read_frame(conn, stmt, MEMBERSHIP_SCHEMA)


# --- outcomes ------------------------------------------------------------------------------


def _may_record(user: SignedInUser, employee_id: int | None, branch_id: int) -> bool:
    """The assigned rep, anyone firm-wide, or the manager of the target's branch."""
    if employee_id is not None and employee_id == user.employee_id:
        return True
    scope = scope_of(user, Action.CAMPAIGN_WRITE)
    return scope is Scope.FIRM or (scope is Scope.BRANCH and branch_id == user.branch_id)


def _suppressed_since_the_draw(conn: Connection, customer_id: int, channel: str) -> bool:
    """Whether the customer withdrew consent for `channel` or had the phone listed as
    do-not-call after the draw: no outcome may then say they were contacted."""
    reachable = getattr(Customer, consent_column(channel))
    if channel in customers.PHONE_CHANNELS:
        reachable = reachable & ~customers.listed_for_calls()
    return not conn.execute(select(reachable).where(Customer.id == customer_id)).scalar_one()


def _record(
    session: Session,
    user: SignedInUser,
    campaign: Row[Any],
    outcomes: Iterable[tuple[str, str]],
    note: str | None,
) -> int:
    conn = session.connection()
    recorded = 0
    for customer_no, outcome in outcomes:
        if outcome not in OUTCOMES:
            raise Refused("camp_rejected_outcome")
        target = conn.execute(
            select(CampaignTarget.customer_id, CampaignTarget.employee_id, CampaignTarget.branch_id)
            .join(Customer, Customer.id == CampaignTarget.customer_id)
            .where(
                CampaignTarget.campaign_id == campaign.id,
                CampaignTarget.arm == CONTACT,
                Customer.customer_no == customer_no,
            )
        ).one_or_none()
        if target is None:
            raise Refused("camp_rejected_not_target", number=customer_no)
        if not _may_record(user, target.employee_id, target.branch_id):
            raise AccessDenied("camp_rejected_not_yours", number=customer_no)
        if _suppressed_since_the_draw(conn, target.customer_id, campaign.channel):
            raise Refused("camp_rejected_suppressed", number=customer_no)
        text = note or f"[{campaign.channel.upper()} #{campaign.id} {campaign.name}] "
        text += OUTCOME_NOTE[outcome] if not note else ""
        consultation_id = customers.add_note_unmarked(
            conn,
            user,
            customer_no,
            channel=campaign.channel,
            outcome=CONSULTATION_OUTCOME[outcome],
            text=text,
        )
        conn.execute(
            CampaignTarget.__table__.update()
            .where(
                CampaignTarget.campaign_id == campaign.id,
                CampaignTarget.customer_id == target.customer_id,
            )
            .values(
                outcome=outcome,
                outcome_at=now_seoul(),
                recorded_by=user.username,
                consultation_id=consultation_id,
            )
        )
        recorded += 1
    return recorded


def _mark_contacted(session: Session, recorded: int) -> None:
    """Count the recorded outcomes as one change of the analytical copy (their notes move the
    days since the last contact): once per call, last, as the mark locks its row until the
    commit on PostgreSQL."""
    if recorded:
        segments.mark_features_stale(session.connection())


def record_outcomes(
    conn: Connection,
    user: SignedInUser,
    campaign_id: int,
    outcomes: Sequence[tuple[str, str]],
    *,
    note: str | None = None,
) -> int:
    """Record (customer number, outcome) pairs of contacted targets, all or none.

    The assigned rep records their own targets; the campaign's owners (CAMPAIGN_WRITE in
    scope) record any. Each outcome also files a DM/TM consultation on the customer.
    """
    require(user, Action.CAMPAIGN_READ)
    cleaned = (note or "").strip() or None
    with unit_of_work(conn) as session:
        campaign = _campaign(session.connection(), user, campaign_id)
        recorded = _record(session, user, campaign, outcomes, cleaned)
        audit_as(
            session,
            user,
            "campaign_outcomes",
            target_kind="campaign",
            target_id=str(campaign_id),
            detail={"recorded": recorded},
        )
        _mark_contacted(session, recorded)
    return recorded


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One bad line of an import: `line` as a spreadsheet shows it (the header is line 1)."""

    line: int
    reason: str  # columns, unknown_customer, bad_outcome, duplicate
    value: str


@dataclass(frozen=True, slots=True)
class ImportCheck:
    good: tuple[tuple[int, str, str], ...]  # (line, customer number, outcome)
    problems: tuple[ImportProblem, ...]


IMPORT_COLUMNS = ("customer_no", "outcome")


def check_import(
    conn: Connection, user: SignedInUser, campaign_id: int, data: bytes
) -> ImportCheck:
    """Read an outcome CSV (customer_no, outcome) and list every bad row by its line."""
    require(user, Action.CAMPAIGN_WRITE)
    campaign = _campaign(conn, user, campaign_id)
    try:
        frame = pl.read_csv(
            io.BytesIO(data.removeprefix(b"\xef\xbb\xbf")),
            infer_schema=False,
            truncate_ragged_lines=True,
        )
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        return ImportCheck((), (ImportProblem(1, "columns", str(exc).splitlines()[0][:80]),))
    frame = frame.rename({name: name.strip().lower() for name in frame.columns})
    missing = [column for column in IMPORT_COLUMNS if column not in frame.columns]
    if missing:
        return ImportCheck((), (ImportProblem(1, "columns", ", ".join(missing)),))
    targets = set(
        conn.execute(
            select(Customer.customer_no)
            .join(CampaignTarget, CampaignTarget.customer_id == Customer.id)
            .where(
                CampaignTarget.campaign_id == campaign.id,
                CampaignTarget.arm == CONTACT,
                _target_slice(user),
            )
        ).scalars()
    )
    good, problems, seen = [], [], set()
    for index, (number, word) in enumerate(frame.select(IMPORT_COLUMNS).iter_rows()):
        line = index + 2
        number = (number or "").strip()
        word = (word or "").strip()
        outcome = OUTCOME_WORDS.get(word, word.lower())
        if number not in targets:
            problems.append(ImportProblem(line, "unknown_customer", number))
        elif outcome not in OUTCOMES:
            problems.append(ImportProblem(line, "bad_outcome", word))
        elif number in seen:
            problems.append(ImportProblem(line, "duplicate", number))
        else:
            seen.add(number)
            good.append((line, number, outcome))
    return ImportCheck(tuple(good), tuple(problems))


def import_outcomes(
    conn: Connection,
    user: SignedInUser,
    campaign_id: int,
    data: bytes,
    *,
    good_rows_only: bool = False,
) -> int:
    """Record the outcomes of a CSV; with any bad row nothing is imported unless the person
    asked for the good rows only. Returns the rows recorded."""
    checked = check_import(conn, user, campaign_id, data)
    if checked.problems and not good_rows_only:
        raise Refused(
            "camp_import_problems", counted=len(checked.problems), count=len(checked.problems)
        )
    with unit_of_work(conn) as session:
        campaign = _campaign(session.connection(), user, campaign_id)
        recorded = _record(
            session,
            user,
            campaign,
            [(number, outcome) for _, number, outcome in checked.good],
            None,
        )
        audit_as(
            session,
            user,
            "campaign_import",
            target_kind="campaign",
            target_id=str(campaign_id),
            detail={"recorded": recorded, "skipped_lines": [p.line for p in checked.problems]},
        )
        _mark_contacted(session, recorded)
    return recorded


# --- history -------------------------------------------------------------------------------

OPEN_TARGET_SCHEMA: dict[str, Any] = {
    "customer_id": pl.Int64,
    "branch_id": pl.Int64,
    "employee_id": pl.Int64,
}
HISTORY_SCHEMA: dict[str, Any] = {
    "customer_id": pl.Int64,
    "outcome": pl.String,
    "outcome_at": pl.Datetime("us"),
}


def open_targets(conn: Connection, user: SignedInUser, campaign_id: int) -> pl.DataFrame:
    """The contacted targets of a visible campaign with no outcome yet, in the user's slice:
    customer_id, branch_id and employee_id (the assigned rep; null for a mailing)."""
    _campaign(conn, user, campaign_id)
    stmt = (
        select(CampaignTarget.customer_id, CampaignTarget.branch_id, CampaignTarget.employee_id)
        .where(
            CampaignTarget.campaign_id == campaign_id,
            CampaignTarget.arm == CONTACT,
            CampaignTarget.outcome.is_(None),
            _target_slice(user),
        )
        .order_by(CampaignTarget.customer_id)
    )
    return read_frame(conn, stmt, OPEN_TARGET_SCHEMA)


def record_history(
    conn: Connection, user: SignedInUser, campaign_id: int, outcomes: pl.DataFrame
) -> int:
    """Record many past outcomes of one campaign at their own moments, in one unit of work:
    what record_outcomes does a target at a time, for a campaign's history (the demo's).

    `outcomes` (HISTORY_SCHEMA): customer_id, outcome, outcome_at. The same rules hold: open
    targets of the contact arm only, once each, OUTCOMES, a recorder who may record every
    target, no outcome for a customer suppressed since the draw. A call's note is filed by
    the rep assigned to it, who made it; a mailing's reply by `user`. No moment lies before
    the campaign's start, and a call's lies inside the allowed call hours (a misdated history
    is the caller's bug: ValueError). One audit record for the batch and no usage events, as
    the generated history has none per action.
    """
    require(user, Action.CAMPAIGN_READ)
    outcomes = outcomes.select(pl.col(name).cast(kind) for name, kind in HISTORY_SCHEMA.items())
    if outcomes.is_empty():
        return 0
    if not outcomes["outcome"].is_in(list(OUTCOMES)).all():
        raise Refused("camp_rejected_outcome")
    with unit_of_work(conn) as session:
        db = session.connection()
        campaign = _campaign(db, user, campaign_id)
        _check_history_times(db, campaign, outcomes["outcome_at"])
        targets = outcomes.join(open_targets(db, user, campaign_id), on="customer_id", how="left")
        unknown = pl.col("branch_id").is_null() | pl.col("customer_id").is_duplicated()
        _refuse_first(db, targets.filter(unknown), "camp_rejected_not_target")
        for employee_id, branch_id in targets.select("employee_id", "branch_id").unique().rows():
            if not _may_record(user, employee_id, branch_id):
                theirs = targets.filter(
                    pl.col("employee_id").eq_missing(employee_id), pl.col("branch_id") == branch_id
                )
                _refuse_first(db, theirs, "camp_rejected_not_yours", AccessDenied)
        suppressed = _suppressed(db, targets["customer_id"], campaign.channel)
        _refuse_first(
            db, targets.filter(pl.col("customer_id").is_in(suppressed)), "camp_rejected_suppressed"
        )
        _file_history(db, user, campaign, targets)
        audit_as(
            session,
            user,
            "campaign_outcomes",
            target_kind="campaign",
            target_id=str(campaign_id),
            detail={"recorded": targets.height},
        )
        _mark_contacted(session, targets.height)
    return targets.height


def _check_history_times(conn: Connection, campaign: Row[Any], moments: pl.Series) -> None:
    """ValueError unless every outcome has a moment, on or after the campaign's start, and a
    call's in the allowed call hours (whole hours: the check at the hour's start holds for all
    of it)."""
    if moments.null_count():
        raise ValueError("an outcome without the moment it was recorded at")
    start = dt.datetime.combine(campaign.started_on, dt.time())
    if (moments < start).any():
        raise ValueError(f"an outcome dated before the campaign's start, {start:%Y-%m-%d}")
    if campaign.channel not in customers.PHONE_CHANNELS:
        return
    for hour in moments.dt.truncate("1h").unique().sort():
        if not customers.call_window(conn, hour).open_now:
            raise ValueError(f"a call dated {hour:%Y-%m-%d %H}h, outside the allowed call hours")


def _refuse_first(
    conn: Connection, rows: pl.DataFrame, reason: str, refusal: type[DomainError] = Refused
) -> None:
    """Refuse for the first of `rows`, named by customer number, if there are any."""
    if rows.is_empty():
        return
    number = conn.scalar(select(Customer.customer_no).where(Customer.id == rows["customer_id"][0]))
    raise refusal(reason, number=number)


def _suppressed(conn: Connection, customer_ids: pl.Series, channel: str) -> list[int]:
    """The customers of `customer_ids` who may no longer be contacted over `channel`."""
    reachable = getattr(Customer, consent_column(channel))
    if channel in customers.PHONE_CHANNELS:
        reachable = reachable & ~customers.listed_for_calls()
    ids = customer_ids.to_list()
    found: list[int] = []
    for first in range(0, len(ids), CONSENT_CHECK_CHUNK):
        chunk = ids[first : first + CONSENT_CHECK_CHUNK]
        found += conn.scalars(select(Customer.id).where(Customer.id.in_(chunk), ~reachable))
    return found


def _file_history(
    conn: Connection, user: SignedInUser, campaign: Row[Any], targets: pl.DataFrame
) -> None:
    """Insert each outcome's consultation at its moment and mark its target recorded, the
    campaign's targets rewritten in bulk (row by row, an update per target takes minutes for
    a firm-wide campaign at full scale)."""
    if targets["employee_id"].null_count():
        require(user, Action.CUSTOMER_WRITE)
        if user.employee_id is None:
            raise AccessDenied("write_refused")  # a note is signed by an employee
    reps = targets["employee_id"].drop_nulls().unique().to_list()
    authors = {
        row.id: row
        for row in conn.execute(
            select(Employee.id, Employee.branch_id, User.username)
            .outerjoin(User, User.employee_id == Employee.id)
            .where(Employee.id.in_(reps))
        )
    }
    stored = read_frame(
        conn,
        select(*CampaignTarget.__table__.columns).where(CampaignTarget.campaign_id == campaign.id),
        STORED_TARGET_SCHEMA,
    )
    homes = dict(
        conn.execute(
            select(Customer.id, Customer.home_branch_id)
            .join(CampaignTarget, CampaignTarget.customer_id == Customer.id)
            .where(CampaignTarget.campaign_id == campaign.id)
        ).all()
    )
    prefix = f"[{campaign.channel.upper()} #{campaign.id} {campaign.name}] "
    notes, recorders = [], []
    for customer_id, outcome, moment, rep in targets.select(
        "customer_id", "outcome", "outcome_at", "employee_id"
    ).iter_rows():
        author = authors[rep] if rep is not None else None
        notes.append(
            {
                "customer_id": customer_id,
                "employee_id": rep if rep is not None else user.employee_id,
                "branch_id": customers.note_branch_id(
                    author.branch_id if author else user.branch_id, homes[customer_id]
                ),
                "channel": campaign.channel,
                "occurred_at": moment,
                "note": prefix + OUTCOME_NOTE[outcome],
                "outcome": CONSULTATION_OUTCOME[outcome],
                "is_sensitive": False,
            }
        )
        recorders.append((author and author.username) or user.username)
    # Matched back by customer (one outcome each), so the rows go in batches: RETURNING in
    # the rows' order takes a statement per row on SQLite.
    filed = conn.execute(
        insert(Consultation).returning(Consultation.customer_id, Consultation.id), notes
    ).all()
    changes = targets.select(
        "customer_id",
        pl.col("outcome").alias("new_outcome"),
        pl.col("outcome_at").alias("new_at"),
        pl.Series("new_by", recorders, dtype=pl.String),
    ).join(
        pl.DataFrame(filed, schema={"customer_id": pl.Int64, "new_note": pl.Int64}, orient="row"),
        on="customer_id",
    )
    rewritten = (
        stored.join(changes, on="customer_id", how="left")
        .with_columns(
            pl.coalesce("new_outcome", "outcome").alias("outcome"),
            pl.coalesce("new_at", "outcome_at").alias("outcome_at"),
            pl.coalesce("new_by", "recorded_by").alias("recorded_by"),
            pl.coalesce("new_note", "consultation_id").alias("consultation_id"),
        )
        .select(list(STORED_TARGET_SCHEMA))
        .sort("customer_id")
    )
    conn.execute(delete(CampaignTarget).where(CampaignTarget.campaign_id == campaign.id))
    bulk_insert(conn, CampaignTarget.__table__, rewritten)


STORED_TARGET_SCHEMA: dict[str, Any] = {
    "campaign_id": pl.Int64,
    "customer_id": pl.Int64,
    "arm": pl.String,
    "stratum": pl.String,
    "branch_id": pl.Int64,
    "employee_id": pl.Int64,
    "outcome": pl.String,
    "outcome_at": pl.Datetime("us"),
    "recorded_by": pl.String,
    "consultation_id": pl.Int64,
}


# --- export --------------------------------------------------------------------------------


def export_list(
    conn: Connection,
    user: SignedInUser,
    campaign_id: int,
    *,
    file_format: str,
    reason: str,
) -> exports.ExportFile:
    """The contact list of a campaign (contacted arm, still consenting) as CSV or Excel.

    It leaves through `exports.export_frame` like every download: the export grant, the
    reason, formula-safe cells and the audit record are checked and written there. Contact
    fields stay whole only when the user answers for every customer listed (a mailing needs
    the address); otherwise the phone and address columns are masked.
    """
    require(user, Action.EXPORT)
    campaign = _campaign(conn, user, campaign_id)
    reachable = getattr(Customer, consent_column(campaign.channel))
    if campaign.channel in customers.PHONE_CHANNELS:
        reachable = reachable & ~customers.listed_for_calls()
    rows = read_frame(
        conn,
        select(
            Customer.customer_no,
            Customer.name,
            Customer.address,
            Customer.phone,
            Branch.code.label("branch_code"),
            CampaignTarget.stratum,
            Customer.home_branch_id,
            Customer.manager_id,
        )
        .select_from(CampaignTarget)
        .join(Customer, Customer.id == CampaignTarget.customer_id)
        .join(Branch, Branch.id == Customer.home_branch_id)
        .where(
            CampaignTarget.campaign_id == campaign_id,
            CampaignTarget.arm == CONTACT,
            _target_slice(user),
            reachable,
            Customer.closed_on.is_(None),
        )
        .order_by(Customer.customer_no),
        {"home_branch_id": pl.Int64, "manager_id": pl.Int64},
    )
    answers_for_all = all(
        customers.sees_contact_details(user, home_branch_id=home, manager_id=manager)
        for home, manager in rows.select("home_branch_id", "manager_id").iter_rows()
    )
    return exports.export_frame(
        conn,
        user,
        rows.drop("home_branch_id", "manager_id"),
        name=f"campaign-{campaign_id}-{campaign.channel}",
        reason=reason,
        file_format=file_format,
        branch_id=_slice_branch(user) or campaign.branch_id,
        unmasked=answers_for_all,
        page=PAGE,
    )


# --- the report ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rate:
    """`hits` of `n` with a 95 % Wilson interval; all zero when n is 0."""

    hits: int
    n: int
    rate: float
    low: float
    high: float


def wilson(hits: int, n: int, z: float = Z_95) -> Rate:
    if n == 0:
        return Rate(hits, n, 0.0, 0.0, 0.0)
    p = hits / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Rate(hits, n, p, max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True, slots=True)
class Uplift:
    """Contacted rate minus control rate, with Newcombe's 95 % interval (from the two
    Wilson intervals)."""

    difference: float
    low: float
    high: float


def uplift(contacted: Rate, control: Rate) -> Uplift:
    difference = contacted.rate - control.rate
    low = difference - math.sqrt(
        (contacted.rate - contacted.low) ** 2 + (control.high - control.rate) ** 2
    )
    high = difference + math.sqrt(
        (contacted.high - contacted.rate) ** 2 + (control.rate - control.low) ** 2
    )
    return Uplift(difference, low, high)


@dataclass(frozen=True, slots=True)
class CampaignReport:
    """Contacted against control since the start (through `as_of`).

    Response: an inflow (subscription or deposit) after the start; conversion: a new account
    opened after the start; both measured the same way in both arms. `recorded` counts the
    contacted arm's recorded outcomes. Net flow is inflow minus outflow per head.
    """

    campaign_id: int
    name: str
    channel: str
    started_on: dt.date
    as_of: dt.date
    response_contacted: Rate
    response_control: Rate
    response_uplift: Uplift
    conversion_contacted: Rate
    conversion_control: Rate
    conversion_uplift: Uplift
    recorded: dict[str, int]
    cost_krw: int
    cost_per_response_krw: int | None
    cost_per_recorded_response_krw: int | None
    net_flow_per_head_contacted_krw: int
    net_flow_per_head_control_krw: int
    attributable_net_flow_per_head_krw: int
    attributable_net_flow_krw: int
    by_branch: pl.DataFrame


def _per_target(
    conn: Connection, user: SignedInUser, campaign: Row[Any], as_of: dt.date
) -> pl.DataFrame:
    start = dt.datetime.combine(campaign.started_on, dt.time())
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    targets_of = select(CampaignTarget.customer_id).where(
        CampaignTarget.campaign_id == campaign.id, _target_slice(user)
    )
    inflow = Transaction.kind.in_(customers.INFLOW_KINDS)
    outflow = Transaction.kind.in_(customers.OUTFLOW_KINDS)
    flows = read_frame(
        conn,
        select(
            Transaction.customer_id,
            cast(func.sum(case((inflow, Transaction.amount_krw), else_=0)), BigInteger).label(
                "inflow_krw"
            ),
            cast(func.sum(case((outflow, Transaction.amount_krw), else_=0)), BigInteger).label(
                "outflow_krw"
            ),
            func.sum(case((inflow, 1), else_=0)).label("inflows"),
        )
        .where(
            Transaction.customer_id.in_(targets_of),
            Transaction.occurred_at >= start,
            Transaction.occurred_at < end,
        )
        .group_by(Transaction.customer_id),
        {
            "customer_id": pl.Int64,
            "inflow_krw": pl.Int64,
            "outflow_krw": pl.Int64,
            "inflows": pl.Int64,
        },
    )
    opened = read_frame(
        conn,
        select(Account.customer_id)
        .where(
            Account.customer_id.in_(targets_of),
            Account.opened_on >= campaign.started_on,
            Account.opened_on <= as_of,
        )
        .distinct(),
        {"customer_id": pl.Int64},
    ).with_columns(converted=pl.lit(True))
    targets = read_frame(
        conn,
        select(
            CampaignTarget.customer_id,
            CampaignTarget.arm,
            CampaignTarget.outcome,
            Branch.code.label("branch_code"),
        )
        .join(Branch, Branch.id == CampaignTarget.branch_id)
        .where(CampaignTarget.campaign_id == campaign.id, _target_slice(user)),
        {"customer_id": pl.Int64},
    )
    return (
        targets.join(flows, on="customer_id", how="left")
        .join(opened, on="customer_id", how="left")
        .with_columns(
            responded=pl.col("inflows").fill_null(0) > 0,
            converted=pl.col("converted").fill_null(False),
            net_krw=pl.col("inflow_krw").fill_null(0) - pl.col("outflow_krw").fill_null(0),
        )
    )


def _arm_rate(frame: pl.DataFrame, arm: str, column: str) -> Rate:
    part = frame.filter(pl.col("arm") == arm)
    return wilson(int(part[column].sum()), part.height)


def _per_head(frame: pl.DataFrame, arm: str) -> float:
    part = frame.filter(pl.col("arm") == arm)
    return float(part["net_krw"].sum()) / part.height if part.height else 0.0


def campaign_report(
    conn: Connection, user: SignedInUser, campaign_id: int, *, as_of: dt.date
) -> CampaignReport:
    """The campaign's effect: rates per arm with intervals, uplift, cost, net flows, by branch;
    over a branch manager's slice of the targets only."""
    campaign = _campaign(conn, user, campaign_id)
    frame = _per_target(conn, user, campaign, as_of)
    contacted = frame.filter(pl.col("arm") == CONTACT).height
    response = (_arm_rate(frame, CONTACT, "responded"), _arm_rate(frame, CONTROL, "responded"))
    conversion = (_arm_rate(frame, CONTACT, "converted"), _arm_rate(frame, CONTROL, "converted"))
    recorded = {outcome: frame.filter(pl.col("outcome") == outcome).height for outcome in OUTCOMES}
    recorded_responses = sum(recorded[outcome] for outcome in RESPONSES)
    cost = contacted * campaign.cost_per_piece_krw
    per_head = (_per_head(frame, CONTACT), _per_head(frame, CONTROL))
    attributable = per_head[0] - per_head[1]
    return CampaignReport(
        campaign_id=campaign.id,
        name=campaign.name,
        channel=campaign.channel,
        started_on=campaign.started_on,
        as_of=as_of,
        response_contacted=response[0],
        response_control=response[1],
        response_uplift=uplift(*response),
        conversion_contacted=conversion[0],
        conversion_control=conversion[1],
        conversion_uplift=uplift(*conversion),
        recorded=recorded,
        cost_krw=cost,
        cost_per_response_krw=round(cost / response[0].hits) if response[0].hits else None,
        cost_per_recorded_response_krw=(
            round(cost / recorded_responses) if recorded_responses else None
        ),
        net_flow_per_head_contacted_krw=round(per_head[0]),
        net_flow_per_head_control_krw=round(per_head[1]),
        attributable_net_flow_per_head_krw=round(attributable),
        attributable_net_flow_krw=round(attributable * contacted),
        by_branch=_by_branch(frame),
    )


def _by_branch(frame: pl.DataFrame) -> pl.DataFrame:
    """Per branch: arm sizes, response rates and their difference, attributable net flow."""
    contact, control = pl.col("arm") == CONTACT, pl.col("arm") == CONTROL

    def rate(arm: pl.Expr) -> pl.Expr:
        hits = (pl.col("responded") & arm).sum()
        return pl.when(arm.sum() > 0).then(hits / arm.sum()).otherwise(None)

    def per_head(arm: pl.Expr) -> pl.Expr:
        return pl.when(arm.sum() > 0).then(pl.col("net_krw").filter(arm).sum() / arm.sum())

    return (
        frame.group_by("branch_code")
        .agg(
            contacted=contact.sum().cast(pl.Int64),
            control=control.sum().cast(pl.Int64),
            response_contacted=rate(contact),
            response_control=rate(control),
            net_per_head_contacted=per_head(contact),
            net_per_head_control=per_head(control),
        )
        .with_columns(
            uplift=pl.col("response_contacted") - pl.col("response_control"),
            attributable_per_head_krw=(
                pl.col("net_per_head_contacted") - pl.col("net_per_head_control")
            ).round(0),
        )
        .drop("net_per_head_contacted", "net_per_head_control")
        .sort("branch_code")
    )
