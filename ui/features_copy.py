"""The analytical copy's freshness, shown alike on the segments and campaigns pages.

When it was built (Seoul time, as every stored time), how many changes since it lacks, a
background refresh once it is due (only where the console runs its own background work, as
the embedded scheduler does) and a "refresh now" button for those allowed to rebuild it.
"""

from __future__ import annotations

import streamlit as st

from data_access import segments
from data_access.core.db import (
    database_url,
)
from data_access.core.errors import (
    DomainError,
)
from data_access.core.security import (
    SignedInUser,
)
from jobs import scheduler
from jobs import segments as segments_job
from ui import session
from ui.failures import guarded
from ui.feedback import refusal_text, show_feedback
from ui.format import count
from ui.i18n import t, tn

FEEDBACK_KEY = "features_copy_feedback"


@guarded
def refresh_now(user: SignedInUser) -> None:
    """Rebuild the copy in this run (seconds at full scale), recorded in the job ledger."""
    try:
        result = segments_job.run_for(user, session.engine(), session.today())
    except DomainError as refused:
        st.session_state[FEEDBACK_KEY] = ("error", refusal_text(refused))
        return
    st.session_state[FEEDBACK_KEY] = (
        "success",
        tn("seg_copy_built", result["customers"], count=count(result["customers"])),
    )


def show_status(user: SignedInUser, copy: segments.FeatureCopy) -> None:
    show_feedback(FEEDBACK_KEY)
    st.caption(
        t("seg_copy_fresh", built_at=copy.built_at.strftime("%Y-%m-%d %H:%M"), as_of=copy.as_of)
    )
    if not copy.behind:
        return
    refreshing = scheduler.in_process_wanted(database_url()) and (
        segments_job.refresh_in_background(session.engine(), session.today(), copy)
    )
    message = "seg_copy_refreshing" if refreshing else "seg_copy_behind"
    st.info(tn(message, copy.behind, changes=count(copy.behind)), icon=":material/update:")
    if segments.may_refresh_features(user):
        st.button(
            t("seg_copy_refresh"), key="features_copy_refresh", on_click=refresh_now, args=(user,)
        )
