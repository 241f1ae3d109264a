"""The contact settings on the agenda rules page (issue #22): each number the contact rules
use, with its meaning, its value and its default, and a form an administrator changes it in."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import customers
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

FEEDBACK_KEY = "contact_setting_feedback"


def _number(value: float) -> str:
    return f"{value:g}"


@guarded
def save_setting(user: SignedInUser) -> None:
    state = st.session_state
    name, value = state["contact_setting_name"], state["contact_setting_value"]
    if value is None:
        return
    try:
        with session.connect() as conn:
            customers.save_contact_setting(conn, user, name, value)
    except DomainError as refused:
        state[FEEDBACK_KEY] = ("error", refusal_text(refused))
        return
    state[FEEDBACK_KEY] = ("success", t("contact_setting_saved"))


def show_contact_settings(user: SignedInUser) -> None:
    st.subheader(t("contact_hours_title"))
    st.caption(t("contact_hours_caption"))
    with session.connect() as conn:
        values = customers.contact_settings(conn)
    feedback = st.session_state.pop(FEEDBACK_KEY, None)
    if feedback:
        (st.success if feedback[0] == "success" else st.error)(feedback[1])
    names = list(customers.CONTACT_SETTINGS)
    st.dataframe(
        pd.DataFrame(
            {
                t("contact_col_setting"): [t(f"contact_setting_{name}") for name in names],
                t("contact_col_value"): [_number(values[name]) for name in names],
                t("contact_col_default"): [
                    _number(customers.CONTACT_SETTINGS[name].default) for name in names
                ],
            }
        ),
        hide_index=True,
    )
    with st.form("contact_setting_form"):
        st.selectbox(
            t("contact_setting_pick"),
            names,
            format_func=lambda name: t(f"contact_setting_{name}"),
            key="contact_setting_name",
            placeholder=t("select_placeholder"),
        )
        st.number_input(
            t("contact_setting_new_value"), value=None, step=1.0, key="contact_setting_value"
        )
        st.form_submit_button(t("contact_setting_save"), on_click=save_setting, args=(user,))
