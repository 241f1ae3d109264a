"""The complaint settings on the agenda rules page (issue #22): the business days a case may
take and the days before its deadline it counts as near, with their meaning, value and
default, and a form an administrator changes them in."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import complaints
from data_access.core.errors import (
    DomainError,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import session
from ui.failures import guarded
from ui.feedback import refusal_text, show_feedback
from ui.i18n import t

FEEDBACK_KEY = "complaint_setting_feedback"


def meaning(name: str) -> str:
    return t(f"complaint_setting_{name}")


@guarded
def save_setting(user: SignedInUser) -> None:
    state = st.session_state
    name, value = state.get("complaint_setting_name"), state.get("complaint_setting_value")
    if name is None or value is None:
        state[FEEDBACK_KEY] = ("error", t("complaint_setting_pick_both"))
        return
    try:
        with session.connect() as conn:
            complaints.save_complaint_setting(conn, user, name, value)
    except DomainError as refused:
        state[FEEDBACK_KEY] = ("error", refusal_text(refused))
        return
    state[FEEDBACK_KEY] = ("success", t("complaint_setting_saved"))


def show_complaint_settings(user: SignedInUser) -> None:
    st.subheader(t("complaint_settings_title"))
    st.caption(t("complaint_settings_caption"))
    with session.connect() as conn:
        values = complaints.complaint_settings(conn)
    show_feedback(FEEDBACK_KEY)
    names = list(complaints.COMPLAINT_SETTINGS)
    st.dataframe(
        pd.DataFrame(
            {
                t("contact_col_setting"): [meaning(name) for name in names],
                t("contact_col_value"): [str(values[name]) for name in names],
                t("contact_col_default"): [
                    str(complaints.COMPLAINT_SETTINGS[name].default) for name in names
                ],
            }
        ),
        hide_index=True,
    )
    with st.form("complaint_setting_form"):
        st.selectbox(
            t("contact_setting_pick"),
            names,
            index=None,
            format_func=meaning,
            key="complaint_setting_name",
            placeholder=t("select_placeholder"),
        )
        st.number_input(
            t("contact_setting_new_value"), value=None, step=1, key="complaint_setting_value"
        )
        st.form_submit_button(t("contact_setting_save"), on_click=save_setting, args=(user,))
