"""Sales conduct a Korean fund firm must prove (issue #22): the suitability record of each
fund sale, the investment profiles behind it, and the happy calls that follow.

The rules (금융소비자보호법 적합성 원칙; the regulator's guidance for investors aged 65 or over):
- A sale needs the customer's investment profile in force on the day: none, or one past its
  validity, refuses the sale (the rep records a fresh assessment first, in the same form).
- Grades share the products' scale, 1 very high risk .. 6 very low risk. A product of grade g
  suits a profile of grade p when g >= p (the product is no riskier than the customer bears).
- An unsuitable sale, or one to a customer aged `elderly_age` or over, needs the recording's
  reference and gets a cooling-off period of `cooling_off_business_days` working days.
- A happy call is owed after a sale of a product at or above `happy_call_risk_grade` in risk
  (grade number at or below it), any sale to an aged customer, and any unsuitable sale: due
  within `happy_call_due_business_days` working days, a reminder planned the working day
  before, worked by another staff member of the branch unless `happy_call_by_other_staff` is 0.
- Its outcome: reached and understood, reached with a complaint (a suspected mis-sale opens a
  complaint case), or no answer, counted; `happy_call_max_tries` unanswered tries close it as
  unreachable.

Every number is a row of `conduct_settings` an administrator edits (CONDUCT_SETTINGS holds the
defaults and bounds); every working-day deadline comes from core.business_days.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session, aliased

from data_access import agenda, complaints
from data_access.core import business_days
from data_access.core.db import FrameSchema, read_frame, unit_of_work
from data_access.core.errors import AccessDenied, NotFound, Refused
from data_access.core.models import (
    Branch,
    ConductSetting,
    Customer,
    Employee,
    FundSale,
    HappyCall,
    InvestmentProfile,
    Product,
    Role,
)
from data_access.core.policy import Action, Scope, branch_condition, require
from data_access.core.security import SignedInUser, audit_as, now_seoul

GRADES = range(1, 7)
CONFIRMATIONS = ("signature", "seal", "recording")
# A happy call's states: open until one of the outcomes closes it.
OPEN, UNDERSTOOD, COMPLAINT, UNREACHABLE = "open", "understood", "complaint", "unreachable"
CLOSED = (UNDERSTOOD, COMPLAINT, UNREACHABLE)
# What a rep records after dialling: the two ways a reached customer answers, or no answer.
NO_ANSWER = "no_answer"
CALL_OUTCOMES = (UNDERSTOOD, COMPLAINT, NO_ANSWER)
# Why a sale is owed a call, in the order the console names them.
REASON_HIGH_RISK, REASON_AGED, REASON_UNSUITABLE = "high_risk", "aged", "unsuitable"
CALL_REASONS = (REASON_HIGH_RISK, REASON_AGED, REASON_UNSUITABLE)
# A suspected mis-sale found on a happy call: the complaint case it opens (data_access.complaints).
MIS_SELLING, CALL_CHANNEL, HAPPY_CALL_SOURCE = "mis_selling", "phone", "happy_call"
REFERENCE_MAX_CHARS = 60
NOTE_MAX_CHARS = 500
MAX_AMOUNT_KRW = 10**13
# The roles that may be given another seller's happy call in the branch.
CALLING_ROLES = (
    Role.SALES_REP.value,
    Role.DEDICATED_MANAGER.value,
    Role.BRANCH_MANAGER.value,
)


@dataclass(frozen=True, slots=True)
class SettingRange:
    """A conduct setting's default and the values it may take; its meaning is in the
    catalogue under `conduct_setting_<name>`."""

    default: float
    minimum: float
    maximum: float


CONDUCT_SETTINGS = {
    # An investment profile is relied on for a year after its assessment.
    "profile_validity_days": SettingRange(365, 30, 1095),
    # 고령투자자: the age from which a sale is recorded and followed by a cooling-off period.
    "elderly_age": SettingRange(65, 60, 80),
    "cooling_off_business_days": SettingRange(2, 1, 10),
    "happy_call_due_business_days": SettingRange(7, 1, 30),
    # Products of this grade or riskier (grade 1 = very high risk) are followed by a call.
    "happy_call_risk_grade": SettingRange(2, 1, 6),
    "happy_call_max_tries": SettingRange(3, 1, 10),
    # 1: another staff member of the branch calls (not the seller); 0: the seller calls.
    "happy_call_by_other_staff": SettingRange(1, 0, 1),
}


def conduct_settings(conn: Connection) -> dict[str, float]:
    """Every conduct setting: the stored value where an administrator set one, else the default."""
    stored = dict(conn.execute(select(ConductSetting.name, ConductSetting.value)).all())
    return {name: stored.get(name, spec.default) for name, spec in CONDUCT_SETTINGS.items()}


def save_conduct_setting(conn: Connection, user: SignedInUser, name: str, value: float) -> None:
    """Set one conduct setting to a whole number in its range; audited before and after."""
    require(user, Action.AGENDA_RULES_WRITE)
    spec = CONDUCT_SETTINGS.get(name)
    if spec is None:
        raise Refused("conduct_setting_unknown")
    if not math.isfinite(value) or value != int(value):
        raise Refused("conduct_setting_whole")
    if not spec.minimum <= value <= spec.maximum:
        raise Refused("conduct_setting_out_of_range", minimum=spec.minimum, maximum=spec.maximum)
    with unit_of_work(conn) as session:
        before = conduct_settings(session.connection())[name]
        row = session.get(ConductSetting, name) or ConductSetting(name=name)
        row.value, row.updated_by, row.updated_at = float(value), user.username, now_seoul()
        session.add(row)
        audit_as(
            session, user, "conduct_setting_save",
            target_kind="conduct_setting", target_id=name,
            detail={"before": before, "after": float(value)},
        )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The rules, as pure functions: the form, the demo and the tests apply the same ones.


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Full years (만 나이) on `day`."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


@dataclass(frozen=True, slots=True)
class SaleTerms:
    """What the rules make of one sale: whether it suits, whether it must be recorded, the
    cooling-off end, and the happy call it is owed (reasons empty: none)."""

    suitable: bool
    aged: bool
    needs_recording: bool
    cooling_off_ends_on: dt.date | None
    call_reasons: tuple[str, ...]
    call_due_on: dt.date | None
    call_reminder_on: dt.date | None


def sale_terms(
    settings: dict[str, float],
    *,
    customer_grade: int,
    product_risk_grade: int,
    age: int,
    sold_on: dt.date,
    holidays: Collection[dt.date] = (),
) -> SaleTerms:
    """The rules of the module docstring for one sale; `holidays` are the firm's closures."""
    suitable = product_risk_grade >= customer_grade
    aged = age >= settings["elderly_age"]
    needs_recording = aged or not suitable
    cooling_off = (
        business_days.add_business_days(
            sold_on, int(settings["cooling_off_business_days"]), holidays
        )
        if needs_recording
        else None
    )
    flags = {
        REASON_HIGH_RISK: product_risk_grade <= settings["happy_call_risk_grade"],
        REASON_AGED: aged,
        REASON_UNSUITABLE: not suitable,
    }
    reasons = tuple(reason for reason in CALL_REASONS if flags[reason])
    due = reminder = None
    if reasons:
        due = business_days.add_business_days(
            sold_on, int(settings["happy_call_due_business_days"]), holidays
        )
        reminder = business_days.add_business_days(due, -1, holidays)
    return SaleTerms(suitable, aged, needs_recording, cooling_off, reasons, due, reminder)


def profile_expired(valid_until: dt.date, day: dt.date) -> bool:
    return valid_until < day


# ---------------------------------------------------------------------------------------------
# Investment profiles


@dataclass(frozen=True, slots=True)
class ProfileDraft:
    """A fresh assessment of the customer's risk tolerance, as the form takes it."""

    risk_tolerance_grade: int
    assessed_on: dt.date
    confirmed_by: str
    confirmation_ref: str | None = None


@dataclass(frozen=True, slots=True)
class ProfileView:
    risk_tolerance_grade: int
    assessed_on: dt.date
    valid_until: dt.date
    confirmed_by: str
    confirmation_ref: str | None
    expired: bool


def _customer(conn: Connection, customer_no: str) -> Customer:
    number = customer_no.strip()
    with Session(bind=conn) as session:
        found = session.scalars(select(Customer).where(Customer.customer_no == number)).first()
        if found is None:
            raise NotFound("customer_not_found", number=number[:20])
        session.expunge(found)
        return found


def _clean_reference(reference: str | None) -> str | None:
    text = (reference or "").strip()
    if len(text) > REFERENCE_MAX_CHARS:
        raise Refused("conduct_refused_reference_long", limit=REFERENCE_MAX_CHARS)
    if any(not char.isprintable() for char in text):
        raise Refused("conduct_refused_reference_characters")
    return text or None


def _add_profile(
    session: Session,
    user: SignedInUser,
    customer: Customer,
    draft: ProfileDraft,
    settings: dict[str, float],
    today: dt.date,
) -> InvestmentProfile:
    if draft.risk_tolerance_grade not in GRADES:
        raise Refused("profile_refused_grade")
    if draft.confirmed_by not in CONFIRMATIONS:
        raise Refused("profile_refused_confirmation")
    reference = _clean_reference(draft.confirmation_ref)
    if draft.confirmed_by == "recording" and reference is None:
        raise Refused("profile_refused_recording_reference")
    if draft.assessed_on > today:
        raise Refused("profile_refused_future")
    validity = dt.timedelta(days=int(settings["profile_validity_days"]))
    profile = InvestmentProfile(
        customer_id=customer.id,
        risk_tolerance_grade=draft.risk_tolerance_grade,
        assessed_on=draft.assessed_on,
        valid_until=draft.assessed_on + validity,
        confirmed_by=draft.confirmed_by,
        confirmation_ref=reference,
        recorded_by=user.username,
        recorded_at=now_seoul(),
    )
    session.add(profile)
    session.flush()
    audit_as(
        session, user, "profile_record",
        target_kind="customer", target_id=customer.customer_no,
        detail={"grade": draft.risk_tolerance_grade, "assessed_on": draft.assessed_on.isoformat(),
                "confirmed_by": draft.confirmed_by},
    )  # fmt: skip
    return profile


def record_profile(
    conn: Connection, user: SignedInUser, customer_no: str, draft: ProfileDraft
) -> int:
    """Record an assessment of the customer's risk tolerance; its validity runs from the
    assessment for `profile_validity_days`. Returns the profile's id."""
    require(user, Action.SALE_RECORD)
    with unit_of_work(conn) as session:
        customer = _customer(session.connection(), customer_no)
        settings = conduct_settings(session.connection())
        return _add_profile(
            session, user, customer, draft, settings, business_days.business_today()
        ).id


def _profile_in_force(session: Session, customer_id: int, day: dt.date) -> InvestmentProfile | None:
    """The latest profile assessed on or before `day`, expired or not."""
    return session.scalars(
        select(InvestmentProfile)
        .where(InvestmentProfile.customer_id == customer_id, InvestmentProfile.assessed_on <= day)
        .order_by(InvestmentProfile.assessed_on.desc(), InvestmentProfile.id.desc())
        .limit(1)
    ).first()


# ---------------------------------------------------------------------------------------------
# Recording a sale

PRODUCT_SCHEMA: FrameSchema = {"code": pl.String, "name": pl.String, "risk_grade": pl.Int64}


def sale_products(conn: Connection, user: SignedInUser) -> pl.DataFrame:
    """The funds a sale may name, with their risk grade: code, name, risk_grade."""
    require(user, Action.SALE_RECORD)
    stmt = select(Product.code, Product.name, Product.risk_grade).order_by(Product.name)
    return read_frame(conn, stmt, PRODUCT_SCHEMA)


@dataclass(frozen=True, slots=True)
class SaleRecorded:
    sale_id: int
    suitable: bool
    aged: bool
    cooling_off_ends_on: dt.date | None
    happy_call_due_on: dt.date | None
    responsible_id: int | None


def responsible_for_call(
    conn: Connection, settings: dict[str, float], seller_id: int, branch_id: int
) -> int:
    """Who makes a sale's happy call: another person of the branch, a rep or dedicated
    manager before the branch manager, the one with the fewest open calls (then the lowest
    id); the seller when the setting says so or nobody else is there."""
    if not settings["happy_call_by_other_staff"]:
        return seller_id
    open_calls = (
        select(func.count())
        .where(HappyCall.responsible_id == Employee.id, HappyCall.status == OPEN)
        .scalar_subquery()
    )
    other = conn.execute(
        select(Employee.id)
        .where(
            Employee.branch_id == branch_id,
            Employee.is_active,
            Employee.role.in_(CALLING_ROLES),
            Employee.id != seller_id,
        )
        .order_by(Employee.role == Role.BRANCH_MANAGER.value, open_calls, Employee.id)
        .limit(1)
    ).scalar_one_or_none()
    return other if other is not None else seller_id


def record_sale(
    conn: Connection,
    user: SignedInUser,
    customer_no: str,
    *,
    product_code: str,
    amount_krw: int,
    sold_on: dt.date,
    recording_ref: str | None = None,
    profile: ProfileDraft | None = None,
) -> SaleRecorded:
    """Record a fund subscription sold by the signed-in person with its suitability record,
    and the happy call it is owed; `profile`, when given, is a fresh assessment recorded
    first. Refused (with the reason) without a profile in force, when a recording the rules
    ask for is missing, or on a bad amount, date or product; nothing is written then."""
    require(user, Action.SALE_RECORD)
    if user.employee_id is None or user.branch_id is None:
        raise AccessDenied("sale_sellers_only")
    today = business_days.business_today()
    if sold_on > today:
        raise Refused("sale_refused_future")
    if not 0 < amount_krw <= MAX_AMOUNT_KRW:
        raise Refused("sale_refused_amount")
    reference = _clean_reference(recording_ref)
    # Every read inside the unit of work: a read before it would open the transaction the
    # unit of work then only nests in, and the caller's connection would never commit it.
    with unit_of_work(conn) as session:
        customer = _customer(session.connection(), customer_no)
        product = session.execute(
            select(Product.id, Product.risk_grade).where(Product.code == product_code)
        ).one_or_none()
        if product is None:
            raise NotFound("sale_refused_product")
        settings = conduct_settings(session.connection())
        if profile is not None:
            _add_profile(session, user, customer, profile, settings, today)
        in_force = _profile_in_force(session, customer.id, sold_on)
        if in_force is None:
            raise Refused("sale_refused_no_profile")
        if profile_expired(in_force.valid_until, sold_on):
            raise Refused(
                "sale_refused_profile_expired",
                assessed_on=in_force.assessed_on,
                valid_until=in_force.valid_until,
            )
        holidays = business_days.extra_holidays(session.connection())
        terms = sale_terms(
            settings,
            customer_grade=in_force.risk_tolerance_grade,
            product_risk_grade=product.risk_grade,
            age=age_on(customer.birth_date, sold_on),
            sold_on=sold_on,
            holidays=holidays,
        )
        if terms.needs_recording and reference is None:
            raise Refused(
                "sale_refused_recording_unsuitable"
                if not terms.suitable
                else "sale_refused_recording_aged"
            )
        sale = FundSale(
            customer_id=customer.id,
            product_id=product.id,
            branch_id=user.branch_id,
            seller_id=user.employee_id,
            sold_on=sold_on,
            amount_krw=amount_krw,
            profile_id=in_force.id,
            customer_grade=in_force.risk_tolerance_grade,
            product_risk_grade=product.risk_grade,
            customer_age=age_on(customer.birth_date, sold_on),
            suitable=terms.suitable,
            recording_ref=reference,
            cooling_off_ends_on=terms.cooling_off_ends_on,
            recorded_by=user.username,
            recorded_at=now_seoul(),
        )
        session.add(sale)
        session.flush()
        responsible = None
        if terms.call_reasons:
            assert terms.call_due_on is not None and terms.call_reminder_on is not None
            responsible = responsible_for_call(
                session.connection(), settings, user.employee_id, user.branch_id
            )
            session.add(
                HappyCall(
                    sale_id=sale.id,
                    customer_id=customer.id,
                    branch_id=user.branch_id,
                    responsible_id=responsible,
                    reasons=",".join(terms.call_reasons),
                    due_on=terms.call_due_on,
                    reminder_on=terms.call_reminder_on,
                    status=OPEN,
                    tries=0,
                    mis_selling_suspected=False,
                )
            )
        audit_as(
            session, user, "sale_record",
            target_kind="customer", target_id=customer.customer_no,
            detail={"sale_id": sale.id, "product": product_code, "amount_krw": amount_krw,
                    "suitable": terms.suitable, "aged": terms.aged,
                    "happy_call_due_on": terms.call_due_on.isoformat()
                    if terms.call_due_on else None},
        )  # fmt: skip
        return SaleRecorded(
            sale.id,
            terms.suitable,
            terms.aged,
            terms.cooling_off_ends_on,
            terms.call_due_on,
            responsible,
        )


# ---------------------------------------------------------------------------------------------
# A customer's conduct record (the 360)

SALE_SCHEMA: FrameSchema = {
    "sale_id": pl.Int64,
    "sold_on": pl.Date,
    "product_code": pl.String,
    "product_name": pl.String,
    "amount_krw": pl.Int64,
    "customer_grade": pl.Int64,
    "product_risk_grade": pl.Int64,
    "customer_age": pl.Int64,
    "suitable": pl.Boolean,
    "recording_ref": pl.String,
    "cooling_off_ends_on": pl.Date,
    "seller_name": pl.String,
    "call_id": pl.Int64,
    "call_status": pl.String,
    "call_due_on": pl.Date,
    "call_reminder_on": pl.Date,
    "call_tries": pl.Int64,
    "call_reasons": pl.String,
    "call_responsible_id": pl.Int64,
    "call_responsible_name": pl.String,
    "mis_selling_suspected": pl.Boolean,
}


@dataclass(frozen=True, slots=True)
class CustomerConduct:
    """One customer's profile in force today (None: never assessed) and sales, newest first,
    each with its happy call (null columns: none owed)."""

    profile: ProfileView | None
    sales: pl.DataFrame


def customer_conduct(
    conn: Connection, user: SignedInUser, customer_no: str, as_of: dt.date
) -> CustomerConduct:
    """The profile and the sales of the customer, for the 360; any reader of customers."""
    require(user, Action.CUSTOMER_READ)
    customer = _customer(conn, customer_no)
    with Session(bind=conn) as session:
        found = _profile_in_force(session, customer.id, as_of)
        profile = (
            ProfileView(
                found.risk_tolerance_grade,
                found.assessed_on,
                found.valid_until,
                found.confirmed_by,
                found.confirmation_ref,
                profile_expired(found.valid_until, as_of),
            )
            if found is not None
            else None
        )
    seller, responsible = aliased(Employee), aliased(Employee)
    stmt = (
        select(
            FundSale.id.label("sale_id"),
            FundSale.sold_on,
            Product.code.label("product_code"),
            Product.name.label("product_name"),
            FundSale.amount_krw,
            FundSale.customer_grade,
            FundSale.product_risk_grade,
            FundSale.customer_age,
            FundSale.suitable,
            FundSale.recording_ref,
            FundSale.cooling_off_ends_on,
            seller.name.label("seller_name"),
            HappyCall.id.label("call_id"),
            HappyCall.status.label("call_status"),
            HappyCall.due_on.label("call_due_on"),
            HappyCall.reminder_on.label("call_reminder_on"),
            HappyCall.tries.label("call_tries"),
            HappyCall.reasons.label("call_reasons"),
            HappyCall.responsible_id.label("call_responsible_id"),
            responsible.name.label("call_responsible_name"),
            HappyCall.mis_selling_suspected,
        )
        .join(Product, Product.id == FundSale.product_id)
        .join(seller, seller.id == FundSale.seller_id)
        .outerjoin(HappyCall, HappyCall.sale_id == FundSale.id)
        .outerjoin(responsible, responsible.id == HappyCall.responsible_id)
        .where(FundSale.customer_id == customer.id)
        .order_by(FundSale.sold_on.desc(), FundSale.id.desc())
    )
    return CustomerConduct(profile, read_frame(conn, stmt, SALE_SCHEMA))


def expired_profiles(
    conn: Connection, user: SignedInUser, customer_nos: Collection[str], as_of: dt.date
) -> frozenset[str]:
    """Which of `customer_nos` hold a profile that has lapsed by `as_of` (their latest
    assessment's validity ended): the agenda flags them before the next sale."""
    require(user, Action.CUSTOMER_READ)
    if not customer_nos:
        return frozenset()
    latest = (
        select(
            InvestmentProfile.customer_id,
            func.max(InvestmentProfile.valid_until).label("valid_until"),
        )
        .join(Customer, Customer.id == InvestmentProfile.customer_id)
        .where(Customer.customer_no.in_(sorted(customer_nos)))
        .group_by(InvestmentProfile.customer_id)
        .subquery()
    )
    found = conn.execute(
        select(Customer.customer_no)
        .join(latest, latest.c.customer_id == Customer.id)
        .where(latest.c.valid_until < as_of)
    ).scalars()
    return frozenset(found)


# ---------------------------------------------------------------------------------------------
# Happy calls


@dataclass(frozen=True, slots=True)
class CallScript:
    """What the caller asks: catalogue keys of the product's key risk questions, in order,
    with the values their sentences name."""

    call_id: int
    questions: tuple[tuple[str, dict[str, object]], ...]


def call_questions(
    *, product_name: str, product_risk_grade: int, reasons: Collection[str],
    cooling_off_ends_on: dt.date | None,
) -> tuple[tuple[str, dict[str, object]], ...]:  # fmt: skip
    """The questions a happy call asks about one sale (the product's key risks first)."""
    questions: list[tuple[str, dict[str, object]]] = [
        ("happy_q_product", {"product": product_name}),
        ("happy_q_risk_grade", {"grade": product_risk_grade}),
        ("happy_q_principal_loss", {}),
        ("happy_q_fees", {}),
    ]
    if REASON_UNSUITABLE in reasons:
        questions.append(("happy_q_unsuitable", {}))
    if cooling_off_ends_on is not None:
        questions.append(("happy_q_cooling_off", {"day": cooling_off_ends_on}))
    return tuple(questions)


def _call_in_reach(session: Session, user: SignedInUser, call_id: int) -> HappyCall:
    scope = require(user, Action.HAPPY_CALL_WORK)
    call = session.get(HappyCall, call_id)
    if call is None:
        raise NotFound("happy_call_not_found")
    mine = call.responsible_id == user.employee_id
    if not mine and not (scope is Scope.BRANCH and call.branch_id == user.branch_id):
        raise AccessDenied("happy_call_not_yours")
    return call


def call_script(conn: Connection, user: SignedInUser, call_id: int) -> CallScript:
    """The questions of a call the signed-in person works (their own; a manager: the
    branch's)."""
    with Session(bind=conn) as session:
        call = _call_in_reach(session, user, call_id)
        sale = session.get(FundSale, call.sale_id)
        assert sale is not None  # the foreign key
        name = session.scalar(select(Product.name).where(Product.id == sale.product_id)) or ""
        return CallScript(
            call.id,
            call_questions(
                product_name=name,
                product_risk_grade=sale.product_risk_grade,
                reasons=call.reasons.split(","),
                cooling_off_ends_on=sale.cooling_off_ends_on,
            ),
        )


@dataclass(frozen=True, slots=True)
class CallRecorded:
    status: str
    tries: int
    complaint_case_id: int | None


def record_call(
    conn: Connection,
    user: SignedInUser,
    call_id: int,
    outcome: str,
    *,
    note: str = "",
    business_date: dt.date | None = None,
) -> CallRecorded:
    """Record one try at an open happy call: understood or complaint close it; no answer
    counts a try and closes it as unreachable at `happy_call_max_tries`. A complaint is a
    suspected mis-sale: a mis-selling complaint case is opened at the customer's branch, for
    its branch manager and compliance, in the same unit of work. The caller's happy-call item
    on the day's agenda is worked with the same outcome."""
    require(user, Action.HAPPY_CALL_WORK)
    if outcome not in CALL_OUTCOMES:
        raise Refused("happy_call_refused_outcome")
    text = note.strip()
    if len(text) > NOTE_MAX_CHARS:
        raise Refused("happy_call_refused_note_long", limit=NOTE_MAX_CHARS)
    if outcome == COMPLAINT and not text:
        raise Refused("happy_call_refused_complaint_note")
    day = business_date or business_days.business_today()
    with unit_of_work(conn) as session:
        call = _call_in_reach(session, user, call_id)
        if call.status != OPEN:
            raise Refused("happy_call_refused_closed")
        settings = conduct_settings(session.connection())
        call.tries += 1
        now = now_seoul()
        if outcome == NO_ANSWER:
            if call.tries >= settings["happy_call_max_tries"]:
                call.status, call.outcome_at = UNREACHABLE, now
        else:
            call.status, call.outcome_at = outcome, now
        if text:
            call.note = text
        customer_no = session.scalar(
            select(Customer.customer_no).where(Customer.id == call.customer_id)
        )
        if outcome == COMPLAINT:
            call.mis_selling_suspected = True
            session.flush()
            call.complaint_case_id = complaints.open_case(
                session.connection(),
                user,
                customer_no=customer_no or "",
                category=MIS_SELLING,
                channel=CALL_CHANNEL,
                received_on=day,
                product_code=session.scalar(
                    select(Product.code)
                    .join(FundSale, FundSale.product_id == Product.id)
                    .where(FundSale.id == call.sale_id)
                ),
                summary=text,
                source=HAPPY_CALL_SOURCE,
            )
        session.flush()
        if user.employee_id is not None:
            agenda.settle_happy_call_item(
                session.connection(),
                day,
                customer_id=call.customer_id,
                employee_id=user.employee_id,
                status=agenda.DONE
                if call.status in (UNDERSTOOD, COMPLAINT)
                else agenda.UNREACHABLE,
                worked_at=now,
            )
        audit_as(
            session, user, "happy_call_record",
            target_kind="customer", target_id=customer_no,
            detail={"call_id": call.id, "outcome": outcome, "tries": call.tries,
                    "status": call.status},
        )  # fmt: skip
        return CallRecorded(call.status, call.tries, call.complaint_case_id)


OVERDUE_SCHEMA: FrameSchema = {
    "call_id": pl.Int64,
    "customer_no": pl.String,
    "customer_name": pl.String,
    "product_name": pl.String,
    "sold_on": pl.Date,
    "due_on": pl.Date,
    "tries": pl.Int64,
    "responsible_name": pl.String,
    "branch_name_ko": pl.String,
    "branch_name_en": pl.String,
}


def overdue_calls(conn: Connection, user: SignedInUser, as_of: dt.date) -> pl.DataFrame:
    """Open happy calls past their due day, in the branches the reader answers for (a branch
    manager: theirs), the longest overdue first."""
    require(user, Action.CONDUCT_READ)
    stmt = (
        select(
            HappyCall.id.label("call_id"),
            Customer.customer_no,
            Customer.name.label("customer_name"),
            Product.name.label("product_name"),
            FundSale.sold_on,
            HappyCall.due_on,
            HappyCall.tries,
            Employee.name.label("responsible_name"),
            Branch.name_ko.label("branch_name_ko"),
            Branch.name_en.label("branch_name_en"),
        )
        .join(FundSale, FundSale.id == HappyCall.sale_id)
        .join(Customer, Customer.id == HappyCall.customer_id)
        .join(Product, Product.id == FundSale.product_id)
        .join(Employee, Employee.id == HappyCall.responsible_id)
        .join(Branch, Branch.id == HappyCall.branch_id)
        .where(
            HappyCall.status == OPEN,
            HappyCall.due_on < as_of,
            branch_condition(user, Action.CONDUCT_READ, HappyCall.branch_id),
        )
        .order_by(HappyCall.due_on, HappyCall.id)
    )
    return read_frame(conn, stmt, OVERDUE_SCHEMA)
