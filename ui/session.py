"""The console's engine, first-run setup and signed-in user, shared by app.py and the pages."""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Connection, Engine

from data_access import admin
from data_access.admin import (
    TABLES,
)
from data_access.core import business_days
from data_access.core.db import (
    check_reachable,
    database_url,
    make_engine,
)
from data_access.core.schema import (
    holds_customers,
    migrate,
)
from data_access.core.security import (
    SignedInUser,
    SignInRefused,
    authenticate_sso,
    now_seoul,
    sign_out_everywhere,
)
from data_access.kpis import (
    demo_settings,
)
from jobs import after_demo, demo
from jobs import usage as usage_job
from ui.failures import DATABASE_ERRORS
from ui.i18n import LANGUAGE_KEY, t

log = logging.getLogger("dreams")

USER_KEY = "signed_in_user"
LAST_SEEN_KEY = "last_seen_at"
SIGNED_IN_AT_KEY = "signed_in_at"
SIGNED_OUT_REASON_KEY = "signed_out_reason"
SESSION_ID_KEY = "session_id"
VIA_SSO_KEY = "signed_in_via_sso"
SSO_REFUSED_KEY = "sso_refused_email"
# All a session keeps across sign-in and sign-out: the language the person reads.
KEPT_ACROSS_SIGN_IN = frozenset({LANGUAGE_KEY, "language_switch"})


@st.cache_resource(show_spinner=False)
def console_engine(url: str) -> Engine:
    """One engine per server process, migrated to the newest schema."""
    engine = make_engine(url)
    check_reachable(engine)
    migrate(engine)
    return engine


@st.cache_resource(show_spinner=False)
def _first_run_lock(url: str) -> threading.Lock:
    return threading.Lock()


def engine() -> Engine:
    return console_engine(database_url())


@contextmanager
def connect() -> Iterator[Connection]:
    with engine().connect() as conn:
        yield conn


def demo_data_needed() -> bool:
    """Whether this run finds the database empty and may fill it with the demo (the default;
    CRM_DEMO_ON_EMPTY=0 keeps an empty database empty)."""
    if os.environ.get("CRM_DEMO_ON_EMPTY", "1") == "0":
        return False
    return not holds_customers(engine())


def fill_demo_data() -> None:
    """Make the demo data once, showing progress; call it when `demo_data_needed()`. Its
    history is marked pending and fills in the background (ui.history_fill).

    Several browser tabs may open the first run together; the lock makes one of them build
    while the others wait and then find the data in place.
    """
    current = engine()
    with _first_run_lock(database_url()):
        if holds_customers(current):
            return
        customers = int(os.environ.get("CRM_DEMO_CUSTOMERS", "20000"))
        started = time.perf_counter()
        with st.status(t("first_run_title"), expanded=True) as status:
            bar = st.progress(0.0)

            def report(step: str, fraction: float) -> None:
                bar.progress(min(max(fraction, 0.0), 1.0), text=_fill_step(step))

            demo.generate(
                current,
                customers=customers,
                usage_days=int(os.environ.get("CRM_DEMO_USAGE_DAYS", usage_job.DEMO_USAGE_DAYS)),
                progress=report,
            )
            after_demo.mark_history_pending(current)
            seconds = time.perf_counter() - started
            status.update(label=t("first_run_done", seconds=seconds), state="complete")


def _fill_step(step: str) -> str:
    """The generator's step (a table's name, "indexes" or "done") in the reader's words."""
    if (table := TABLES.get(step)) is not None:
        return t("first_run_step", table=t(table.title))
    return t("first_run_indexes") if step == "indexes" else t("first_run_finishing")


def is_demo_database() -> bool:
    with connect() as conn:
        return demo_settings(conn).get("demo_data") == "true"


def client_address() -> str:
    """The browser's address as the server sees it, for the audit trail."""
    address = st.context.ip_address
    return address if isinstance(address, str) else ""


def idle_limit_s() -> float:
    return 60 * float(os.environ.get("CRM_SESSION_IDLE_MINUTES", "30"))


def _fresh_session_state() -> None:
    """Drop everything the session held but the language.

    Against session fixation: nothing set before sign-in (by whoever used the tab, or planted
    in it) carries into the signed-in session, which gets an identity of its own; and nothing
    of one user's work (search results, typed notes) is left for the next one.
    """
    for key in list(st.session_state.keys()):
        if key not in KEPT_ACROSS_SIGN_IN:
            del st.session_state[key]


def sign_in_as(user: SignedInUser, *, via_sso: bool = False) -> None:
    _fresh_session_state()
    st.session_state[SESSION_ID_KEY] = secrets.token_urlsafe(24)
    st.session_state[VIA_SSO_KEY] = via_sso
    st.session_state[USER_KEY] = user
    st.session_state[LAST_SEEN_KEY] = time.time()
    st.session_state[SIGNED_IN_AT_KEY] = now_seoul()
    st.session_state.pop(SIGNED_OUT_REASON_KEY, None)


def sign_out(reason: str | None = None) -> None:
    """Forget the user and the session's state; `reason` (an i18n key) is shown on the sign-in
    page. A single sign-on identity is signed out too: its cookie lives 30 days and would
    otherwise sign the tab straight back in, past the console's own idle limit."""
    via_sso = st.session_state.get(VIA_SSO_KEY, False)
    _fresh_session_state()
    if reason:
        st.session_state[SIGNED_OUT_REASON_KEY] = reason
    if via_sso and st.user.is_logged_in:
        st.logout()


def sign_out_of_every_session(user: SignedInUser) -> None:
    """End this user's sessions on every device, this one included."""
    with connect() as conn:
        sign_out_everywhere(conn, user, client=client_address())
    sign_out(reason="signed_out_everywhere")


def sso_configured() -> bool:
    """Whether the deployment set up single sign-on (an [auth] section in secrets.toml)."""
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


def sso_provider() -> str | None:
    """The named provider of `[auth.NAME]` in CRM_SSO_PROVIDER; unset: the unnamed [auth]."""
    return os.environ.get("CRM_SSO_PROVIDER") or None


def sign_in_from_sso() -> bool:
    """After the identity provider's redirect, sign in the console user linked to its e-mail.

    True when it signed someone in. Raises SignInRefused when the identity maps to no active
    user; that is tried (and audited) once per identity and session, not on every rerun.
    """
    if not sso_configured() or not st.user.is_logged_in or USER_KEY in st.session_state:
        return False
    email = str(st.user.get("email") or "")
    if st.session_state.get(SSO_REFUSED_KEY) == email:
        raise SignInRefused("sso_unknown")
    try:
        with connect() as conn:
            user = authenticate_sso(conn, email, client=client_address())
    except SignInRefused:
        st.session_state[SSO_REFUSED_KEY] = email
        raise
    sign_in_as(user, via_sso=True)
    return True


def signed_out_reason() -> str | None:
    return st.session_state.get(SIGNED_OUT_REASON_KEY)


def current_user() -> SignedInUser | None:
    """The signed-in user, or None once the session sat idle past the limit or was ended.

    The console keeps its own idle limit because a browser tab left open at a branch counter
    must not stay signed in; any rerun (a click) counts as activity. A session ends on its
    next run once the person's rows no longer say what it was issued for (disabled, left the
    firm, another role or branch: see users.session_valid) or it was revoked.
    """
    user = st.session_state.get(USER_KEY)
    if user is None:
        return None
    now = time.time()
    ended = _why_session_ended(user, now)
    if ended is not None:
        sign_out(reason=ended or None)
        return None
    st.session_state[LAST_SEEN_KEY] = now
    return user


def _why_session_ended(user: SignedInUser, now: float) -> str | None:
    """None while the session may go on; otherwise the i18n key saying why it ended, or ""
    when there is nothing to tell the person. Reads, never counts as activity."""
    if not st.session_state.get(SESSION_ID_KEY):
        # Only sign_in_as gives a session its identity: a user put into the state any other
        # way (a planted or leftover key) is not signed in.
        return ""
    if now - st.session_state.get(LAST_SEEN_KEY, now) > idle_limit_s():
        return "signed_out_idle"
    with connect() as conn:
        still_valid = admin.session_valid(
            conn, user, st.session_state.get(SIGNED_IN_AT_KEY, now_seoul())
        )
    return None if still_valid else "signed_out_revoked"


def watch_session() -> None:
    """Clear a page left open once its session is over, without waiting for a click.

    Call once per run of a signed-in page. A fragment of its own reruns every
    `session_check_every_s` seconds without counting as activity; once the session sat idle
    past the limit, or its person's rows changed, it signs out and reruns the whole app, so
    the sign-in form replaces whatever the page showed (a customer's record, say).
    """
    st.fragment(_sign_out_when_ended, run_every=session_check_every_s())()


def session_check_every_s() -> float:
    """A sixth of the idle limit, between one second and fifteen: a page clears at most
    fifteen seconds after its limit or its person's change, for one indexed read per open
    tab every fifteen seconds."""
    return min(max(idle_limit_s() / 6, 1.0), 15.0)


def _sign_out_when_ended() -> None:
    """The fragment's body. It runs outside app.py's page handling, so a database lost while
    the tab sits idle must not raise here (Streamlit would show its own error in the sidebar):
    the idle limit is checked before the database and still holds; the person's next click
    meets the database sentence of the page."""
    user = st.session_state.get(USER_KEY)
    if user is None:
        return
    try:
        ended = _why_session_ended(user, time.time())
    except DATABASE_ERRORS:
        log.warning("session check skipped: the database cannot be reached", exc_info=True)
        return
    if ended is not None:
        sign_out(reason=ended or None)
        st.rerun()


def require_user() -> SignedInUser:
    """The signed-in user; app.py only runs a page after sign-in, so absence is a bug."""
    user = current_user()
    if user is None:
        st.stop()
    return user


def today() -> dt.date:
    """The business date: today in Seoul, unless CRM_BUSINESS_DATE pins it (demos, training)."""
    return business_days.business_today()
