"""Sign-in with a local account; the message never says which part was wrong."""

import streamlit as st

from data_access.security import SignInRefused, authenticate
from ui import session
from ui.i18n import t

st.title(t("sign_in_title"))
st.caption(t("sign_in_caption"))
if reason := session.signed_out_reason():
    st.info(t(reason, minutes=round(session.idle_limit_s() / 60)), icon=":material/timer_off:")

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
        except SignInRefused as refusal:
            st.error(t(str(refusal)))
        else:
            session.sign_in_as(user)
            st.rerun()

if session.is_demo_database():
    st.info(t("demo_accounts_hint"), icon=":material/science:")
