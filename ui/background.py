"""The embedded console's own scheduler: one per server process, never one per rerun or tab."""

from __future__ import annotations

import logging

import streamlit as st
from apscheduler.schedulers.background import BackgroundScheduler

from data_access.core.db import (
    database_url,
)
from jobs import scheduler
from ui import session

log = logging.getLogger("dreams")


@st.cache_resource(show_spinner=False)
def embedded_scheduler(url: str) -> BackgroundScheduler | None:
    """Started once per server process and database, on SQLite or with
    CRM_IN_PROCESS_SCHEDULER=1 (see jobs.scheduler.in_process_wanted); None otherwise.

    It catches up a working day's build that was due while the console was down.
    """
    if not scheduler.in_process_wanted(url):
        return None
    return scheduler.start_background(session.console_engine(url), catch_up=True)


def start_embedded_scheduler() -> BackgroundScheduler | None:
    """The console works on without a scheduler; the jobs page then shows no next run."""
    try:
        return embedded_scheduler(database_url())
    except Exception:
        log.exception("the in-process scheduler did not start")
        return None
