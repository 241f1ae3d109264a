"""The console's engine, first-run setup and signed-in user, shared by app.py and the pages."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Connection, Engine

from data_access import demo
from data_access.db import check_reachable, database_url, make_engine
from data_access.overview import demo_settings
from data_access.schema import holds_customers, migrate
from data_access.security import SignedInUser, now_seoul
from ui.i18n import t

USER_KEY = "signed_in_user"
LAST_SEEN_KEY = "last_seen_at"
SIGNED_OUT_REASON_KEY = "signed_out_reason"


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


def fill_demo_data_if_empty() -> None:
    """On an empty embedded database, make the demo data once, showing progress.

    Several browser tabs may open the first run together; the lock makes one of them build
    while the others wait and then find the data in place.
    """
    if os.environ.get("CRM_DEMO_ON_EMPTY", "1") == "0":
        return
    current = engine()
    if holds_customers(current):
        return
    with _first_run_lock(database_url()):
        if holds_customers(current):
            return
        customers = int(os.environ.get("CRM_DEMO_CUSTOMERS", "20000"))
        with st.status(t("first_run_title"), expanded=True) as status:
            bar = st.progress(0.0)

            def report(table: str, fraction: float) -> None:
                bar.progress(min(max(fraction, 0.0), 1.0), text=t("first_run_step", table=table))

            summary = demo.generate(current, customers=customers, progress=report)
            status.update(label=t("first_run_done", seconds=summary.seconds), state="complete")


def is_demo_database() -> bool:
    with connect() as conn:
        return demo_settings(conn).get("demo_data") == "true"


def client_address() -> str:
    """The browser's address as the server sees it, for the audit trail."""
    address = st.context.ip_address
    return address if isinstance(address, str) else ""


def idle_limit_s() -> float:
    return 60 * float(os.environ.get("CRM_SESSION_IDLE_MINUTES", "30"))


def sign_in_as(user: SignedInUser) -> None:
    st.session_state[USER_KEY] = user
    st.session_state[LAST_SEEN_KEY] = time.time()
    st.session_state.pop(SIGNED_OUT_REASON_KEY, None)


def sign_out(reason: str | None = None) -> None:
    """Forget the user; `reason` (an i18n key) is shown on the sign-in page."""
    for key in (USER_KEY, LAST_SEEN_KEY):
        st.session_state.pop(key, None)
    if reason:
        st.session_state[SIGNED_OUT_REASON_KEY] = reason


def signed_out_reason() -> str | None:
    return st.session_state.get(SIGNED_OUT_REASON_KEY)


def current_user() -> SignedInUser | None:
    """The signed-in user, or None once the session sat idle past the limit.

    The console keeps its own idle limit because a browser tab left open at a branch counter
    must not stay signed in; any rerun (a click) counts as activity.
    """
    user = st.session_state.get(USER_KEY)
    if user is None:
        return None
    now = time.time()
    if now - st.session_state.get(LAST_SEEN_KEY, now) > idle_limit_s():
        sign_out(reason="signed_out_idle")
        return None
    st.session_state[LAST_SEEN_KEY] = now
    return user


def require_user() -> SignedInUser:
    """The signed-in user; app.py only runs a page after sign-in, so absence is a bug."""
    user = current_user()
    if user is None:
        st.stop()
    return user


def today() -> dt.date:
    """The business date: today in Seoul, unless CRM_BUSINESS_DATE pins it (demos, training)."""
    pinned = os.environ.get("CRM_BUSINESS_DATE")
    return dt.date.fromisoformat(pinned) if pinned else now_seoul().date()
