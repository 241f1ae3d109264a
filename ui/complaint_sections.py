"""Complaint cases where people already look (issue #22): a customer's open cases on the 360,
and the overdue and near-deadline cases on a branch manager's and compliance's home page,
each a link to the case on the complaints page."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from data_access import complaints
from data_access.core.policy import (
    Action,
    permits,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import session
from ui.format import count, day
from ui.i18n import t, tn
from ui.markup import literal

HOME_CASES = 8  # a screen's worth; the rest one click away on the complaints page
PAGE = "pages/complaints_page.py"


def standing(row: dict, as_of: dt.date) -> str:
    """How a case's deadline stands: closed on a day, overdue by N days, due soon or later."""
    if row["status"] == complaints.CLOSED:
        return t("complaint_closed_on", date=day(row["closed_on"]))
    days = (row["deadline_on"] - as_of).days
    if row["overdue"]:
        return tn("complaint_overdue_by", -days, days=-days)
    if days == 0:
        return t("complaint_due_today")
    if row["near_deadline"]:
        return tn("complaint_due_soon", days, days=days)
    return tn("complaint_due_in", days, days=days)


def _link(row: dict, as_of: dt.date) -> None:
    label = " · ".join(
        (
            row["case_no"],
            literal(row["customer_name"]),
            t(f"complaint_category_{row['category']}"),
            standing(row, as_of),
        )
    )
    icon = ":material/alarm:" if row["overdue"] else ":material/schedule:"
    st.page_link(PAGE, label=label, query_params={"case": str(row["complaint_id"])}, icon=icon)


def show_open_complaints(user: SignedInUser, customer_no: str, as_of: dt.date) -> None:
    """The customer's cases not yet closed, above the tabs: whoever serves the customer
    should know a complaint is being handled."""
    if not permits(user, Action.COMPLAINT_READ):
        return
    with session.connect() as conn:
        cases = complaints.customer_cases(conn, user, customer_no, as_of=as_of)
    if cases.is_empty():
        return
    with st.container(border=True):
        heading = tn("complaint_customer_open", cases.height, count=count(cases.height))
        st.markdown(f":material/report: **{heading}**")
        for row in cases.iter_rows(named=True):
            _link(row, as_of)


def show_home_complaints(user: SignedInUser, as_of: dt.date) -> None:
    """A branch manager's (their branch) or compliance's (the firm) complaints that need
    action: the counts, then the overdue and near-deadline cases, soonest first."""
    with session.connect() as conn:
        counts = complaints.case_counts(conn, user, as_of=as_of)
        listed = complaints.cases(conn, user, as_of=as_of, status=complaints.OPEN)
    st.subheader(t("home_complaints"))
    st.caption(t("home_complaints_caption", date=day(as_of)))
    first, second, third = st.columns(3)
    first.metric(t("complaint_open_count"), count(counts.open))
    second.metric(t("complaint_overdue_count"), count(counts.overdue))
    third.metric(t("complaint_near_count"), count(counts.near_deadline))
    pressing = listed.filter(listed["overdue"] | listed["near_deadline"])
    if pressing.is_empty():
        st.caption(t("home_complaints_none_pressing"))
    for row in pressing.head(HOME_CASES).iter_rows(named=True):
        _link(row, as_of)
    st.page_link(PAGE, label=t("page_complaints"), icon=":material/report:")
