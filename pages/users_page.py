"""User administration: the list, a new user, and changes to one user (role, employee and
branch, enable or disable, reset the password). Every change is audited below the page."""

import polars as pl
import streamlit as st

from data_access import admin
from data_access.core.errors import (
    DomainError,
)
from data_access.core.models import (
    Role,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import session
from ui.feedback import refusal_text
from ui.format import count, moment
from ui.i18n import language, t, tn
from ui.markup import sentence

FEEDBACK_KEY = "users_feedback"


def feedback(level: str, message: str) -> None:
    st.session_state[FEEDBACK_KEY] = (level, message)


def show_feedback() -> None:
    if FEEDBACK_KEY in st.session_state:
        level, message = st.session_state.pop(FEEDBACK_KEY)
        {"success": st.success, "info": st.info}.get(level, st.error)(message)


def refused(refusal: DomainError) -> None:
    feedback("error", refusal_text(refusal))


def role_name(role: str) -> str:
    return t(f"role_{role}")


def user_list(frame: pl.DataFrame) -> None:
    """The users found, every cell in words: no `None` for a head-office user's branch or a
    sign-in that never happened."""
    ko = language() == "ko"
    never = t("users_never")
    shown = pl.DataFrame(
        {
            t("col_username"): frame["username"],
            t("col_user_role"): [role_name(role) for role in frame["role"]],
            t("col_employee_no"): frame["employee_no"].fill_null(""),
            t("col_name"): frame["employee_name"].fill_null(""),
            t("col_branch"): frame["branch_ko" if ko else "branch_en"].fill_null(""),
            t("col_active"): frame["is_active"],
            t("col_must_change"): frame["must_change_password"],
            t("col_last_sign_in"): [moment(at, never) for at in frame["last_sign_in_at"]],
            t("col_created_at"): [moment(at, "") for at in frame["created_at"]],
        }
    )
    st.caption(tn("users_found", frame.height, count=count(frame.height)))
    st.dataframe(shown, hide_index=True, width="stretch")


def create_form(user: SignedInUser) -> None:
    with st.form("create_user", clear_on_submit=True):
        username = st.text_input(t("username"))
        password = st.text_input(
            t("user_temporary_password", minimum=admin.MIN_PASSWORD_LENGTH), type="password"
        )
        role = st.selectbox(
            t("user_role"), list(Role), format_func=role_name, placeholder=t("select_placeholder")
        )
        employee_no = st.text_input(t("user_employee_no"))
        if not st.form_submit_button(t("user_create"), type="primary"):
            return
    try:
        with session.connect() as conn:
            admin.create_user(
                conn,
                user,
                username=username,
                password=password,
                role=role,
                employee_no=employee_no or None,
                client=session.client_address(),
            )
    except DomainError as refusal:
        refused(refusal)
    else:
        feedback("success", sentence("user_created", username=username.strip().lower()))
    st.rerun()


def edit_form(user: SignedInUser, frame: pl.DataFrame) -> None:
    """Changes to one of the users the search found."""
    if frame.is_empty():
        st.info(t("users_none_found"))
        return
    chosen = st.selectbox(
        t("user_pick"),
        frame["username"].to_list(),
        key="user_to_edit",
        placeholder=t("select_placeholder"),
    )
    row = frame.filter(pl.col("username") == chosen).row(0, named=True)
    with st.form("edit_user"):
        roles = list(Role)
        role = st.selectbox(
            t("user_role"),
            roles,
            index=roles.index(Role(row["role"])),
            format_func=role_name,
            placeholder=t("select_placeholder"),
        )
        employee_no = st.text_input(t("user_employee_no"), value=row["employee_no"] or "")
        branch_code = st.text_input(t("user_branch_code"), value=row["branch_code"] or "")
        if st.form_submit_button(t("user_save"), type="primary"):
            try:
                with session.connect() as conn:
                    changed = admin.update_user(
                        conn,
                        user,
                        row["id"],
                        role=role,
                        employee_no=employee_no or None,
                        branch_code=branch_code or None,
                        client=session.client_address(),
                    )
            except DomainError as refusal:
                refused(refusal)
            else:
                feedback(
                    "success" if changed else "info",
                    t("user_saved" if changed else "user_unchanged"),
                )
            st.rerun()
    left, right = st.columns(2)
    with left:
        active = row["is_active"]
        if st.button(t("user_disable") if active else t("user_enable"), key="toggle_active"):
            try:
                with session.connect() as conn:
                    admin.set_active(
                        conn, user, row["id"], not active, client=session.client_address()
                    )
            except DomainError as refusal:
                refused(refusal)
            else:
                feedback("success", t("user_disabled" if active else "user_enabled"))
            st.rerun()
    with right, st.form("reset_password", clear_on_submit=True):
        temporary = st.text_input(
            t("user_temporary_password", minimum=admin.MIN_PASSWORD_LENGTH), type="password"
        )
        if st.form_submit_button(t("user_reset_password")):
            try:
                with session.connect() as conn:
                    admin.reset_password(
                        conn, user, row["id"], temporary, client=session.client_address()
                    )
            except DomainError as refusal:
                refused(refusal)
            else:
                feedback("success", t("user_reset_done"))
            st.rerun()


user = session.require_user()
st.title(t("users_title"))
st.caption(t("users_caption"))
show_feedback()
listed, created, edited = st.tabs([t("users_tab_list"), t("users_tab_create"), t("users_tab_edit")])
with listed:
    query = st.text_input(
        t("users_search"),
        key="users_query",
        type="search",
        icon=":material/search:",
        placeholder=t("users_search_placeholder"),
        max_chars=60,
    )
with session.connect() as conn:
    found = admin.list_users(conn, user, query=query)
with listed:
    user_list(found)
with created:
    create_form(user)
with edited:
    edit_form(user, found)
