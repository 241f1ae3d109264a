"""Sign-in with a local account; the message never says which part was wrong.

A user whose password an admin set (a new user, a reset) chooses their own before the console
opens: the sign-in holds them in `PASSWORD_CHANGE_KEY` until then.
"""

import streamlit as st

from data_access import admin
from data_access.core.errors import (
    DomainError,
)
from data_access.core.security import (
    SignInRefused,
    authenticate,
)
from ui import session
from ui.feedback import show_refusal
from ui.i18n import t

PASSWORD_CHANGE_KEY = "password_change_for"


def change_password_form() -> None:
    pending = st.session_state[PASSWORD_CHANGE_KEY]
    st.info(t("must_change_password", minimum=admin.MIN_PASSWORD_LENGTH), icon=":material/key:")
    with st.form("change_password", width=420):
        new = st.text_input(t("new_password"), type="password", autocomplete="new-password")
        again = st.text_input(t("new_password_again"), type="password", autocomplete="new-password")
        submitted = st.form_submit_button(t("change_password"), type="primary")
    if not submitted:
        return
    if new != again:
        st.warning(t("passwords_differ"))
        return
    try:
        with session.connect() as conn:
            admin.change_own_password(conn, pending, new, client=session.client_address())
    except DomainError as refusal:
        show_refusal(refusal)
        return
    del st.session_state[PASSWORD_CHANGE_KEY]
    session.sign_in_as(pending)
    st.rerun()


def single_sign_on() -> None:
    """The company-account button, shown only when the deployment configured a provider."""
    if not session.sso_configured():
        return
    try:
        if session.sign_in_from_sso():
            st.rerun()
    except SignInRefused as refusal:
        show_refusal(refusal)
        if st.button(t("sso_sign_out"), icon=":material/logout:"):
            st.logout()
        return
    if st.button(t("sso_sign_in"), icon=":material/badge:", type="secondary"):
        st.login(session.sso_provider())


st.title(t("sign_in_title"))
st.caption(t("sign_in_caption"))
if reason := session.signed_out_reason():
    st.info(t(reason, minutes=round(session.idle_limit_s() / 60)), icon=":material/timer_off:")

if PASSWORD_CHANGE_KEY in st.session_state:
    change_password_form()
    st.stop()

single_sign_on()

with st.form("sign_in", width=420):
    username = st.text_input(t("username"), autocomplete="username")
    password = st.text_input(t("password"), type="password", autocomplete="current-password")
    submitted = st.form_submit_button(t("sign_in"), type="primary")

if submitted:
    if not username or not password:
        st.warning(t("missing_credentials"))
    else:
        try:
            with session.connect() as conn:
                user = authenticate(conn, username, password, client=session.client_address())
                must_change = admin.must_change_password(conn, user.user_id)
        except SignInRefused as refusal:
            show_refusal(refusal)
        else:
            if must_change:
                st.session_state[PASSWORD_CHANGE_KEY] = user
            else:
                session.sign_in_as(user)
            st.rerun()

if session.is_demo_database():
    st.info(t("demo_accounts_hint"), icon=":material/science:")
