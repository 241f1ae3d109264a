"""The consent panel of the customer 360 (issue #22): the state per purpose and channel, the
history of every change, and a form to record a withdrawal the customer asked for."""

from __future__ import annotations

from functools import partial

import pandas as pd
import polars as pl
import streamlit as st

from data_access import customers
from data_access.core.errors import (
    DomainError,
)
from data_access.core.policy import (
    Action,
    permits,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import session
from ui.failures import guarded
from ui.feedback import refusal_text
from ui.format import day
from ui.i18n import t

FEEDBACK_KEY = "consent_feedback"


def _state_word(given: bool) -> str:
    return t("consent_state_given") if given else t("consent_state_withdrawn")


def _current_states(state: pl.DataFrame) -> list[str]:
    """Given; withdrawn when an event withdrew it; otherwise never given ("no consent")."""
    return [
        _state_word(given) if given or since is not None else t("consent_state_none")
        for given, since in zip(state["given"], state["since"], strict=True)
    ]


def _label(prefix: str, code: str) -> str:
    return t(f"{prefix}_{code}")


def _labels(prefix: str, codes: pl.Series) -> list[str]:
    return [_label(prefix, code) for code in codes]


def _moments(values: pl.Series) -> list[str]:
    return [day(value.date()) if value is not None else "-" for value in values]


@guarded
def record_withdrawal(user: SignedInUser, customer_no: str) -> None:
    """The form's callback: append the withdrawal; the panel then reads it back."""
    state = st.session_state
    try:
        with session.connect() as conn:
            customers.record_consent(
                conn,
                user,
                customer_no,
                purpose=state["consent_withdraw_purpose"],
                channel=state["consent_withdraw_channel"],
                given=False,
                source=state["consent_withdraw_source"],
            )
    except DomainError as refused:
        state[FEEDBACK_KEY] = ("error", refusal_text(refused))
        return
    state[FEEDBACK_KEY] = ("success", t("consent_withdrawal_saved"))


def show_consent_panel(user: SignedInUser, customer_no: str) -> None:
    with session.connect() as conn:
        state = customers.consent_state(conn, user, customer_no)
        history = customers.consent_history(conn, user, customer_no)
    feedback = st.session_state.pop(FEEDBACK_KEY, None)
    if feedback:
        (st.success if feedback[0] == "success" else st.error)(feedback[1])
    st.dataframe(
        pd.DataFrame(
            {
                t("consent_col_purpose"): _labels("consent_purpose", state["purpose"]),
                t("consent_col_channel"): _labels("consent_channel", state["channel"]),
                t("consent_col_state"): _current_states(state),
                t("consent_col_since"): _moments(state["since"]),
                t("consent_col_source"): [
                    t(f"consent_source_{code}") if code else "-" for code in state["source"]
                ],
            }
        ),
        hide_index=True,
    )
    st.markdown(f"**{t('consent_history_title')}**")
    if history.is_empty():
        st.caption(t("consent_no_history"))
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    t("consent_col_at"): _moments(history["occurred_at"]),
                    t("consent_col_purpose"): _labels("consent_purpose", history["purpose"]),
                    t("consent_col_channel"): _labels("consent_channel", history["channel"]),
                    t("consent_col_state"): [_state_word(g) for g in history["given"]],
                    t("consent_col_source"): _labels("consent_source", history["source"]),
                    t("consent_col_recorded_by"): history["recorded_by"].to_list(),
                }
            ),
            hide_index=True,
        )
    if not permits(user, Action.CUSTOMER_WRITE) or user.employee_id is None:
        return
    with st.form("consent_withdraw_form"):
        choices = (
            ("purpose", customers.PURPOSES),
            ("channel", customers.CHANNELS),
            ("source", customers.SOURCES),
        )
        for column, (field, codes) in zip(st.columns(len(choices)), choices, strict=True):
            column.selectbox(
                t(f"consent_col_{field}"),
                codes,
                format_func=partial(_label, f"consent_{field}"),
                key=f"consent_withdraw_{field}",
                placeholder=t("select_placeholder"),
            )
        st.form_submit_button(
            t("consent_withdraw"), on_click=record_withdrawal, args=(user, customer_no)
        )
