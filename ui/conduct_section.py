"""Sales conduct on the customer 360 (issue #22): the investment profile (flagged when past
its validity), the happy calls the reader works on this customer with their questions and an
outcome form, the sales with their suitability record, and the form that records a sale."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import polars as pl
import streamlit as st

from data_access import conduct
from data_access.core.errors import (
    DomainError,
)
from data_access.core.policy import (
    Action,
    Scope,
    permits,
    scope_of,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import session
from ui.failures import guarded
from ui.feedback import refusal_text
from ui.format import count, day, krw, krw_compact
from ui.i18n import t
from ui.markup import literal

FEEDBACK_KEY = "conduct_feedback"
NEW_PROFILE = "conduct_new_profile"


def risk_word(grade: int) -> str:
    """The Korean six-grade scale's words (1 very high risk .. 6 very low risk)."""
    return {
        1: t("risk_grade_1"),
        2: t("risk_grade_2"),
        3: t("risk_grade_3"),
        4: t("risk_grade_4"),
        5: t("risk_grade_5"),
        6: t("risk_grade_6"),
    }[grade]


def grade_text(grade: int) -> str:
    return t("risk_grade_named", grade=grade, words=risk_word(grade))


def confirmation_word(code: str) -> str:
    return {
        "signature": t("profile_confirmed_signature"),
        "seal": t("profile_confirmed_seal"),
        "recording": t("profile_confirmed_recording"),
    }[code]


def call_status_word(status: str) -> str:
    return {
        conduct.OPEN: t("happy_status_open"),
        conduct.UNDERSTOOD: t("happy_status_understood"),
        conduct.COMPLAINT: t("happy_status_complaint"),
        conduct.UNREACHABLE: t("happy_status_unreachable"),
    }[status]


def outcome_word(outcome: str) -> str:
    return {
        conduct.UNDERSTOOD: t("happy_outcome_understood"),
        conduct.COMPLAINT: t("happy_outcome_complaint"),
        conduct.NO_ANSWER: t("happy_outcome_no_answer"),
    }[outcome]


def reason_words(reasons: str) -> str:
    words = {
        "high_risk": t("happy_reason_high_risk"),
        "aged": t("happy_reason_aged"),
        "unsuitable": t("happy_reason_unsuitable"),
    }
    return ", ".join(words[reason] for reason in reasons.split(","))


def amount(won: int) -> str:
    return krw_compact(won) if abs(won) >= 100_000_000 else krw(won)


def show_feedback(place: str) -> None:
    feedback = st.session_state.get(FEEDBACK_KEY)
    if feedback and feedback[0] == place:
        _, ok, message = st.session_state.pop(FEEDBACK_KEY)
        (st.success if ok else st.error)(message)


def show_profile(profile: conduct.ProfileView | None) -> None:
    """The profile in force, or a clear flag: none on record, or past its validity (a sale
    needs a fresh assessment first)."""
    if profile is None:
        st.warning(t("profile_none"), icon=":material/assignment_late:")
        return
    facts = t(
        "profile_facts",
        grade=grade_text(profile.risk_tolerance_grade),
        assessed=day(profile.assessed_on),
        until=day(profile.valid_until),
        how=confirmation_word(profile.confirmed_by),
    )
    if profile.expired:
        st.warning(t("profile_expired", facts=facts), icon=":material/assignment_late:")
    else:
        st.caption(facts)


def works_call(user: SignedInUser, responsible_id: int | None) -> bool:
    """Whether the reader records this call: their own, or a branch manager's branch (the
    record shows the customer's calls; data_access checks the branch again)."""
    if responsible_id is None or not permits(user, Action.HAPPY_CALL_WORK):
        return False
    return (
        responsible_id == user.employee_id or scope_of(user, Action.HAPPY_CALL_WORK) is Scope.BRANCH
    )


@guarded
def save_call(user: SignedInUser, call_id: int) -> None:
    state = st.session_state
    outcome = state.get(f"happy_outcome_{call_id}")
    try:
        with session.connect() as conn:
            recorded = conduct.record_call(
                conn,
                user,
                call_id,
                outcome or "",
                note=state.get(f"happy_note_{call_id}") or "",
                business_date=session.today(),
            )
    except DomainError as refusal:
        state[FEEDBACK_KEY] = (f"call_{call_id}", False, refusal_text(refusal))
        return
    done = t("happy_call_saved", status=call_status_word(recorded.status), tries=recorded.tries)
    state[FEEDBACK_KEY] = (f"call_{call_id}", True, done)


def show_call(user: SignedInUser, sale: dict[str, Any]) -> None:
    call_id = sale["call_id"]
    with session.connect() as conn:
        script = conduct.call_script(conn, user, call_id)
    with st.container(border=True):
        st.markdown(
            "**"
            + t(
                "happy_call_title",
                product=literal(sale["product_name"]),
                sold=day(sale["sold_on"]),
                due=day(sale["call_due_on"]),
            )
            + "**"
        )
        st.caption(
            t(
                "happy_call_why",
                reasons=reason_words(sale["call_reasons"]),
                tries=sale["call_tries"],
                reminder=day(sale["call_reminder_on"]),
            )
        )
        for number, (key, values) in enumerate(script.questions, start=1):
            shown = {
                name: day(value)
                if isinstance(value, dt.date)
                else literal(value)
                if isinstance(value, str)
                else value
                for name, value in values.items()
            }
            st.markdown(f"{number}. {t(key, **shown)}")
        show_feedback(f"call_{call_id}")
        with st.form(f"happy_call_form_{call_id}"):
            st.segmented_control(
                t("happy_outcome"),
                options=list(conduct.CALL_OUTCOMES),
                format_func=outcome_word,
                default=conduct.UNDERSTOOD,
                key=f"happy_outcome_{call_id}",
            )
            st.text_area(
                t("happy_note"), help=t("happy_note_help"), key=f"happy_note_{call_id}", height=80
            )
            st.form_submit_button(
                t("happy_save"), type="primary", on_click=save_call, args=(user, call_id)
            )


def show_calls_to_make(user: SignedInUser, record: conduct.CustomerConduct) -> None:
    """The open happy calls on this customer that the reader makes, above the tabs: the
    task a rep opened the record for from the agenda."""
    mine = [
        sale
        for sale in record.sales.iter_rows(named=True)
        if sale["call_status"] == conduct.OPEN and works_call(user, sale["call_responsible_id"])
    ]
    # A call just closed is no longer listed: its outcome is said above the ones left.
    feedback = st.session_state.get(FEEDBACK_KEY)
    listed = {f"call_{sale['call_id']}" for sale in mine}
    if feedback and str(feedback[0]).startswith("call_") and feedback[0] not in listed:
        show_feedback(feedback[0])
    for sale in mine:
        show_call(user, sale)


def suitability_words(sales: pl.DataFrame) -> list[str]:
    return [t("sale_suitable") if ok else t("sale_unsuitable") for ok in sales["suitable"]]


def call_words(sales: pl.DataFrame) -> list[str]:
    words = []
    for sale in sales.iter_rows(named=True):
        if sale["call_id"] is None:
            words.append(t("sale_no_call"))
        else:
            status = call_status_word(sale["call_status"])
            if sale["mis_selling_suspected"]:
                status = t("happy_mis_selling_flag", status=status)
            words.append(t("sale_call_state", status=status, due=day(sale["call_due_on"])))
    return words


def show_sales(sales: pl.DataFrame) -> None:
    if sales.is_empty():
        st.caption(t("sales_none"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("sale_col_sold_on"): [day(value) for value in sales["sold_on"]],
                t("sale_col_product"): sales["product_name"].to_list(),
                t("sale_col_amount"): [amount(value) for value in sales["amount_krw"]],
                t("sale_col_product_grade"): [
                    grade_text(value) for value in sales["product_risk_grade"]
                ],
                t("sale_col_customer_grade"): [
                    grade_text(value) for value in sales["customer_grade"]
                ],
                t("sale_col_suitable"): suitability_words(sales),
                t("sale_col_age"): sales["customer_age"].to_list(),
                t("sale_col_recording"): [value or "-" for value in sales["recording_ref"]],
                t("sale_col_cooling_off"): [
                    day(value) if value is not None else "-"
                    for value in sales["cooling_off_ends_on"]
                ],
                t("sale_col_seller"): sales["seller_name"].to_list(),
                t("sale_col_call"): call_words(sales),
                t("sale_col_caller"): [value or "-" for value in sales["call_responsible_name"]],
            }
        ),
        hide_index=True,
    )


@guarded
def save_sale(user: SignedInUser, customer_no: str) -> None:
    state = st.session_state
    profile = None
    if state.get(NEW_PROFILE):
        profile = conduct.ProfileDraft(
            risk_tolerance_grade=state.get("sale_profile_grade") or 0,
            assessed_on=state.get("sale_profile_assessed_on") or session.today(),
            confirmed_by=state.get("sale_profile_confirmed_by") or "",
            confirmation_ref=state.get("sale_profile_ref") or None,
        )
    try:
        with session.connect() as conn:
            sold = conduct.record_sale(
                conn,
                user,
                customer_no,
                product_code=state.get("sale_product") or "",
                amount_krw=int(state.get("sale_amount") or 0),
                sold_on=state.get("sale_sold_on") or session.today(),
                recording_ref=state.get("sale_recording_ref") or None,
                profile=profile,
            )
    except DomainError as refusal:
        state[FEEDBACK_KEY] = ("sale", False, refusal_text(refusal))
        return
    words = [t("sale_saved_suitable") if sold.suitable else t("sale_saved_unsuitable")]
    if sold.cooling_off_ends_on is not None:
        words.append(t("sale_saved_cooling_off", day=day(sold.cooling_off_ends_on)))
    if sold.happy_call_due_on is not None:
        words.append(t("sale_saved_call", day=day(sold.happy_call_due_on)))
    state[FEEDBACK_KEY] = ("sale", True, " ".join(words))
    state[NEW_PROFILE] = False
    state["sale_recording_ref"] = ""


def show_sale_form(user: SignedInUser, customer_no: str) -> None:
    with session.connect() as conn:
        products = conduct.sale_products(conn, user)
    names = {
        code: t("sale_product_option", name=name, grade=grade_text(grade))
        for code, name, grade in products.iter_rows()
    }
    show_feedback("sale")
    with st.form("sale_form"):
        st.markdown(f"**{t('sale_form_title')}**")
        st.caption(t("sale_form_caption"))
        product, money, sold_on = st.columns([3, 2, 2])
        product.selectbox(
            t("sale_product"),
            list(names),
            index=None,
            format_func=lambda code: names[code],
            key="sale_product",
            placeholder=t("select_placeholder"),
        )
        money.number_input(
            t("sale_amount"), min_value=0, value=None, step=1_000_000, key="sale_amount"
        )
        sold_on.date_input(
            t("sale_sold_on"), value=session.today(), max_value=session.today(), key="sale_sold_on"
        )
        st.text_input(
            t("sale_recording_ref"), help=t("sale_recording_help"), key="sale_recording_ref"
        )
        st.checkbox(t("sale_new_profile"), key=NEW_PROFILE)
        grade, assessed, how, reference = st.columns(4)
        grade.selectbox(
            t("profile_grade"),
            list(conduct.GRADES),
            index=None,
            format_func=grade_text,
            key="sale_profile_grade",
            placeholder=t("select_placeholder"),
        )
        assessed.date_input(
            t("profile_assessed_on"),
            value=session.today(),
            max_value=session.today(),
            key="sale_profile_assessed_on",
        )
        how.selectbox(
            t("profile_confirmed_by"),
            list(conduct.CONFIRMATIONS),
            index=None,
            format_func=confirmation_word,
            key="sale_profile_confirmed_by",
            placeholder=t("select_placeholder"),
        )
        reference.text_input(t("profile_reference"), key="sale_profile_ref")
        st.form_submit_button(
            t("sale_save"), type="primary", on_click=save_sale, args=(user, customer_no)
        )


def load_conduct(user: SignedInUser, customer_no: str, as_of: dt.date) -> conduct.CustomerConduct:
    with session.connect() as conn:
        return conduct.customer_conduct(conn, user, customer_no, as_of)


def show_conduct_panel(
    user: SignedInUser, customer_no: str, record: conduct.CustomerConduct
) -> None:
    """The tab: profile, sales with their suitability and happy-call state, the sale form."""
    st.markdown(f"**{t('profile_title')}**")
    show_profile(record.profile)
    st.markdown(f"**{t('sales_title')}**")
    show_sales(record.sales)
    if permits(user, Action.SALE_RECORD) and user.employee_id is not None:
        show_sale_form(user, customer_no)


HOME_OVERDUE_LINKS = 10


def show_overdue_calls(user: SignedInUser, as_of: dt.date) -> None:
    """A branch manager's home: the branch's happy calls past their due day, the longest
    overdue first, each a way to the customer's record."""
    with session.connect() as conn:
        overdue = conduct.overdue_calls(conn, user, as_of)
    st.subheader(t("home_overdue_calls"))
    st.caption(t("home_overdue_calls_caption", date=day(as_of)))
    st.metric(t("home_overdue_calls_count"), count(overdue.height))
    if overdue.is_empty():
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("col_name"): overdue["customer_name"].to_list(),
                t("sale_col_product"): overdue["product_name"].to_list(),
                t("sale_col_sold_on"): [day(value) for value in overdue["sold_on"]],
                t("happy_col_due_on"): [day(value) for value in overdue["due_on"]],
                t("happy_col_days_late"): [(as_of - value).days for value in overdue["due_on"]],
                t("happy_col_tries"): overdue["tries"].to_list(),
                t("sale_col_caller"): overdue["responsible_name"].to_list(),
            }
        ),
        hide_index=True,
    )
    for row in overdue.head(HOME_OVERDUE_LINKS).iter_rows(named=True):
        st.page_link(
            "pages/customer_page.py",
            label=t(
                "home_overdue_call_link",
                name=literal(row["customer_name"]),
                due=day(row["due_on"]),
            ),
            icon=":material/call:",
            query_params={"customer": row["customer_no"]},
        )
