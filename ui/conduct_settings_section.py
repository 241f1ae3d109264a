"""The sales-conduct settings on the agenda rules page (issue #22): each number the suitability
and happy-call rules use, with its meaning, its value and its default, and a form an
administrator changes it in."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import conduct
from data_access.core.errors import (
    DomainError,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import session
from ui.failures import guarded
from ui.feedback import refusal_text
from ui.i18n import t

FEEDBACK_KEY = "conduct_setting_feedback"


def meaning(name: str) -> str:
    return {
        "profile_validity_days": t("conduct_setting_profile_validity_days"),
        "elderly_age": t("conduct_setting_elderly_age"),
        "cooling_off_business_days": t("conduct_setting_cooling_off_business_days"),
        "happy_call_due_business_days": t("conduct_setting_happy_call_due_business_days"),
        "happy_call_risk_grade": t("conduct_setting_happy_call_risk_grade"),
        "happy_call_max_tries": t("conduct_setting_happy_call_max_tries"),
        "happy_call_by_other_staff": t("conduct_setting_happy_call_by_other_staff"),
    }[name]


def _number(value: float) -> str:
    return f"{value:g}"


@guarded
def save_setting(user: SignedInUser) -> None:
    state = st.session_state
    name, value = state.get("conduct_setting_name"), state.get("conduct_setting_value")
    if name is None or value is None:
        state[FEEDBACK_KEY] = ("error", t("conduct_setting_pick_both"))
        return
    try:
        with session.connect() as conn:
            conduct.save_conduct_setting(conn, user, name, value)
    except DomainError as refused:
        state[FEEDBACK_KEY] = ("error", refusal_text(refused))
        return
    state[FEEDBACK_KEY] = ("success", t("conduct_setting_saved"))


def show_conduct_settings(user: SignedInUser) -> None:
    st.subheader(t("conduct_settings_title"))
    st.caption(t("conduct_settings_caption"))
    with session.connect() as conn:
        values = conduct.conduct_settings(conn)
    feedback = st.session_state.pop(FEEDBACK_KEY, None)
    if feedback:
        (st.success if feedback[0] == "success" else st.error)(feedback[1])
    names = list(conduct.CONDUCT_SETTINGS)
    st.dataframe(
        pd.DataFrame(
            {
                t("contact_col_setting"): [meaning(name) for name in names],
                t("contact_col_value"): [_number(values[name]) for name in names],
                t("contact_col_default"): [
                    _number(conduct.CONDUCT_SETTINGS[name].default) for name in names
                ],
            }
        ),
        hide_index=True,
    )
    with st.form("conduct_setting_form"):
        st.selectbox(
            t("contact_setting_pick"),
            names,
            index=None,
            format_func=meaning,
            key="conduct_setting_name",
            placeholder=t("select_placeholder"),
        )
        st.number_input(
            t("contact_setting_new_value"), value=None, step=1.0, key="conduct_setting_value"
        )
        st.form_submit_button(t("contact_setting_save"), on_click=save_setting, args=(user,))
