"""Campaign sections of other pages: a rep's TM calls on the agenda, memberships on the 360."""

from __future__ import annotations

import streamlit as st

from data_access import campaigns, customers
from data_access.core import business_days
from data_access.core.errors import (
    DomainError,
)
from data_access.core.policy import (
    Action,
    permits,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import session
from ui.failures import guarded
from ui.feedback import refusal_text
from ui.format import count, day
from ui.i18n import t, tn

FEEDBACK_KEY = "camp_calls_feedback"


@guarded
def record(user: SignedInUser) -> None:
    """The form's callback: record one outcome for the picked calls, campaign by campaign."""
    picked: list[str] = st.session_state.get("camp_calls_pick") or []
    outcome = st.session_state.get("camp_calls_outcome") or campaigns.OUTCOMES[0]
    by_campaign: dict[int, list[tuple[str, str]]] = {}
    for choice in picked:
        picked_campaign, customer_no = choice.split(":")
        by_campaign.setdefault(int(picked_campaign), []).append((customer_no, outcome))
    recorded = 0
    try:
        with session.connect() as conn:
            for campaign_id, outcomes in by_campaign.items():
                recorded += campaigns.record_outcomes(conn, user, campaign_id, outcomes)
            conn.commit()
    except DomainError as refused:
        st.session_state[FEEDBACK_KEY] = ("error", refusal_text(refused))
        return
    st.session_state[FEEDBACK_KEY] = ("success", t("camp_calls_saved", count=count(recorded)))
    st.session_state["camp_calls_pick"] = []


def show_campaign_calls(user: SignedInUser) -> None:
    """A section listing the rep's open TM targets with a form to record outcomes."""
    with session.connect() as conn:
        calls = campaigns.my_calls(conn, user)
        window = customers.call_window(conn, business_days.business_now())
    feedback = st.session_state.pop(FEEDBACK_KEY, None)
    if calls.is_empty() and feedback is None:
        return
    st.subheader(t("camp_calls"), divider="gray")
    if feedback:
        (st.success if feedback[0] == "success" else st.error)(feedback[1])
    if calls.is_empty():
        return
    st.caption(tn("camp_calls_caption", calls.height, count=count(calls.height)))
    if not window.open_now:
        # Outside the allowed hours nothing is offered: the list says when calls may start.
        assert window.opens_at is not None
        when = f"{day(window.opens_at.date())} {window.opens_at:%H:%M}"
        st.caption(t("camp_calls_after", when=when))
        return
    labels = {
        f"{row['campaign_id']}:{row['customer_no']}": (
            f"{row['name']} · {row['customer_no']} · {row['phone']} · {row['campaign']}"
        )
        for row in calls.iter_rows(named=True)
    }
    with st.form("camp_calls_form", border=True):
        st.multiselect(
            t("camp_calls_pick"),
            list(labels),
            format_func=labels.__getitem__,
            key="camp_calls_pick",
            placeholder=t("select_placeholder"),
        )
        st.selectbox(
            t("camp_calls_outcome"),
            list(campaigns.OUTCOMES),
            format_func=lambda code: t(f"camp_outcome_{code}"),
            key="camp_calls_outcome",
            placeholder=t("select_placeholder"),
        )
        st.form_submit_button(t("camp_calls_save"), on_click=record, args=(user,))


def show_campaign_memberships(user: SignedInUser, customer_no: str) -> None:
    """The campaigns in the user's scope that drew this customer, with arm and outcome."""
    if not permits(user, Action.CAMPAIGN_READ):
        return
    with session.connect() as conn:
        memberships = campaigns.customer_campaigns(conn, user, customer_no)
    if memberships.is_empty():
        return
    st.subheader(t("camp_memberships"))
    st.dataframe(
        [
            {
                t("camp_pick"): f"#{row['campaign_id']} {row['campaign']}",
                t("camp_channel"): row["channel"].upper(),
                t("camp_col_arm"): t(f"camp_arm_{row['arm']}"),
                t("camp_col_started"): day(row["started_on"]),
                t("camp_col_outcome"): (
                    t(f"camp_outcome_{row['outcome']}") if row["outcome"] else "—"
                ),
            }
            for row in memberships.iter_rows(named=True)
        ],
        hide_index=True,
    )
