"""The demo's history, filled in the background once the console's first run has its rows.

The generated rows come first (seconds) and the sign-in form follows; the worked agendas,
segment copy, campaigns, sales records, complaints and KPI history (jobs/after_demo.py) fill
in a thread while people sign in. The sidebar shows how far it is, and the embedded scheduler
waits for it, so the business day's agenda is built on the finished history. A console
stopped during the fill resumes it, at the step it was in, on its next start.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field

import streamlit as st
from sqlalchemy import Engine

from data_access.core.db import (
    database_url,
)
from data_access.kpis import (
    demo_settings,
)
from jobs import after_demo
from ui import session
from ui.i18n import t

log = logging.getLogger("dreams")

PROGRESS_EVERY_S = 2.0
WATCHING_KEY = "history_fill_watching"


@dataclass
class Fill:
    """This process's fill of one database: the step it is in and how far, or the step where
    it stopped on an error."""

    step: str = ""
    fraction: float = 0.0
    failed_at: str | None = None
    complete: bool = False
    thread: threading.Thread | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def report(self, step: str, fraction: float) -> None:
        self.step, self.fraction = step, fraction


@st.cache_resource(show_spinner=False)
def _fill(url: str) -> Fill:
    return Fill()


def start(engine: Engine, as_of: dt.date) -> None:
    """Fill the history in a thread unless this process already does."""
    fill = _fill(database_url())
    with fill.lock:
        if fill.running() or fill.complete:
            return
        fill.failed_at = None

        def work() -> None:
            try:
                after_demo.build_history(engine, as_of, progress=fill.report)
                fill.complete = True
            except Exception:
                log.exception("the demo's history stopped at step %s", fill.step)
                fill.failed_at = fill.step

        fill.thread = threading.Thread(target=work, name="demo-history", daemon=True)
        fill.thread.start()


def filling() -> bool:
    """Whether the history is being filled; resumes a fill a stopped console left unfinished
    (once per process: a failed step waits for the next start)."""
    fill = _fill(database_url())
    if fill.complete or fill.failed_at is not None:
        return False
    if fill.running():
        return True
    engine = session.engine()
    if not after_demo.history_pending(engine):
        fill.complete = True
        return False
    with engine.connect() as conn:
        as_of = dt.date.fromisoformat(demo_settings(conn)["demo_as_of"])
    start(engine, as_of)
    return True


def show_progress() -> None:
    """In the sidebar while the history fills: its step and share, updated every few seconds;
    when it ends, the whole page runs again and shows what the history holds."""
    fill = _fill(database_url())
    if fill.failed_at is not None:
        st.sidebar.warning(
            t("history_fill_failed", step=t(f"history_step_{fill.failed_at}")),
            icon=":material/history:",
        )
    elif fill.running():
        with st.sidebar:
            _progress()


@st.fragment(run_every=PROGRESS_EVERY_S)
def _progress() -> None:
    fill = _fill(database_url())
    if not fill.running():
        if st.session_state.pop(WATCHING_KEY, False):
            st.rerun()
        return
    st.session_state[WATCHING_KEY] = True
    step = t(f"history_step_{fill.step}") if fill.step else ""
    st.progress(min(fill.fraction, 1.0), text=t("history_fill_step", step=step))
    st.caption(t("history_fill_note"))
