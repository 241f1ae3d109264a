"""The console's usage recorder: one buffer per server process, page views counted once each.

Page views are read-only, so they go through data_access.usage.UsageRecorder (bulk writes in
the background) rather than a transaction of their own; app.py calls `record_page_view` right
where the chosen page runs.
"""

from __future__ import annotations

import streamlit as st

from data_access.core.db import (
    database_url,
)
from data_access.core.security import (
    SignedInUser,
)
from data_access.usage import (
    UsageAction,
    UsageRecorder,
)
from ui import session
from ui.navigation import pages_for

LAST_PAGE_KEY = "usage_last_page"


@st.cache_resource(show_spinner=False)
def _recorder(url: str) -> UsageRecorder:
    return UsageRecorder(session.console_engine(url))


def recorder() -> UsageRecorder:
    return _recorder(database_url())


def record_page_view(user: SignedInUser, url_path: str) -> None:
    """Count a page once per visit: reruns of the same page (each click) are not new views.

    The role's first page answers at the site root (an empty URL path); an address the role
    may not use shows a refusal, which is no page view.
    """
    allowed = [spec.key for spec in pages_for(user.role)]
    page_key = url_path or allowed[0]
    if page_key not in allowed or st.session_state.get(LAST_PAGE_KEY) == page_key:
        return
    st.session_state[LAST_PAGE_KEY] = page_key
    recorder().add(user, UsageAction.PAGE_VIEW, page_key)
