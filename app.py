"""Dreams CRM console: sign-in, the role's pages, language and the shared sidebar."""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

from data_access.core.security import (
    SignedInUser,
    record_refused_page,
)
from ui import background, history_fill, session, usage_recording
from ui.failures import (
    DATABASE_ERRORS,
    guarded,
    run_page,
    show_callback_failure,
    show_database_unavailable,
)
from ui.i18n import DEFAULT_LANGUAGE, LANGUAGE_KEY, LANGUAGES, language, t
from ui.markup import sentence
from ui.navigation import PAGES, SIGN_IN, pages_for

log = logging.getLogger("dreams")


def turn_off_data_export() -> None:
    """Tables and charts leave only through data_access.exports (grant, reason, audit,
    masking, defused formulas), so Streamlit's own CSV download and clipboard copy are off.

    .streamlit/config.toml says so, but Streamlit reads it only from the working folder or
    beside app.py, and a flag or environment variable may say otherwise; the option is set
    here for the whole server. The browser learns the options at the start of a run, so the
    run that first sets it starts again before it shows anything.
    """
    if not st.get_option("client.disableDataExport"):
        st.set_option("client.disableDataExport", True)
        st.rerun()


turn_off_data_export()
st.set_page_config(page_title="Dreams CRM", page_icon=":material/finance:", layout="wide")


def language_switch() -> None:
    """The choice lives in a plain session key: widget state does not survive a page change."""

    @guarded
    def remember() -> None:
        st.session_state[LANGUAGE_KEY] = st.session_state["language_switch"] or DEFAULT_LANGUAGE

    st.sidebar.segmented_control(
        t("language"),
        options=list(LANGUAGES),
        format_func=LANGUAGES.get,
        key="language_switch",
        default=language(),
        on_change=remember,
        label_visibility="collapsed",
    )


def sidebar_for_signed_in(demo: bool) -> None:
    user = session.require_user()
    with st.sidebar:
        st.caption(sentence("signed_in_as", name=user.employee_name, role=t(f"role_{user.role}")))
        if demo:
            st.badge(t("demo_marker"), icon=":material/science:", color="orange")
        if st.button(t("sign_out"), icon=":material/logout:"):
            session.sign_out()
            st.rerun()
        if st.button(t("sign_out_everywhere"), icon=":material/devices_off:"):
            session.sign_out_of_every_session(user)
            st.rerun()
        session.watch_session()


def signed_out_pages() -> list[st.Page]:
    """The sign-in form, answering at every page's address.

    A link opened signed out (`/customer?customer=...`) shows the sign-in form at that same
    address; after sign-in the rerun finds the real page there (pages are known by their URL
    path), query and all.
    """
    return [st.Page(SIGN_IN.path, title=t("sign_in"), url_path=SIGN_IN.key)] + [
        st.Page(SIGN_IN.path, title=t("sign_in"), url_path=spec.key) for spec in PAGES
    ]


def hide_pages_during_first_fill() -> None:
    """Until app.py calls st.navigation, Streamlit's legacy mode lists the files of pages/ in
    the sidebar; the first run's demo fill takes minutes, so navigate (hidden) first.

    The navigation below, later in the same run, replaces this one: Streamlit's legacy mode
    itself navigates twice in a run (its pages/ list, then app.py's own call). Both calls
    resolve the address by its URL path, so a deep link keeps its address and query.
    """
    st.navigation(signed_out_pages(), position="hidden")


def refusal(user: SignedInUser, page: str) -> Callable[[], None]:
    """The page shown at the address of a page the role may not use; the attempt is audited."""

    def not_permitted() -> None:
        st.title(t("page_not_permitted_title"))
        st.error(t("page_not_permitted"), icon=":material/block:")
        with session.connect() as conn:
            record_refused_page(conn, user, page)

    return not_permitted


def signed_in_pages(user: SignedInUser) -> list[st.Page]:
    """The role's pages, plus a hidden refusal at the address of every other page, so a link
    to a page the role may not use says so instead of running it or landing elsewhere."""
    allowed = pages_for(user.role)
    return [
        st.Page(spec.path, title=t(f"page_{spec.key}"), icon=spec.icon, url_path=spec.key)
        for spec in allowed
    ] + [
        st.Page(
            refusal(user, spec.key),
            title=t("page_not_permitted_title"),
            url_path=spec.key,
            visibility="hidden",
        )
        for spec in PAGES
        if spec not in allowed
    ]


language_switch()
show_callback_failure()
try:
    session.engine()
    if session.demo_data_needed():
        hide_pages_during_first_fill()
        session.fill_demo_data()
    if not history_fill.filling():
        background.start_embedded_scheduler()  # the day's agenda waits for the history
    history_fill.show_progress()
    holds_demo_data = session.is_demo_database()
except DATABASE_ERRORS:
    log.exception("database unavailable at start")
    show_database_unavailable()

user = session.current_user()
if user is None:
    chosen = st.navigation(signed_out_pages(), position="hidden")
else:
    chosen = st.navigation(signed_in_pages(user))
    sidebar_for_signed_in(holds_demo_data)
    usage_recording.record_page_view(user, chosen.url_path)
run_page(chosen)
