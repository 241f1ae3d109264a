"""Complaints (민원): the cases of the reader's branch (compliance and head office: every
branch), overdue and near-deadline first; one case's summary, history and the work on it:
a handler, progress notes, and for compliance the resolution that closes it.

`?case=<id>` opens one case (another branch's case is refused by data_access).
"""

import datetime as dt

import polars as pl
import streamlit as st

from data_access import complaints
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
from ui.complaint_sections import standing
from ui.failures import guarded
from ui.feedback import refusal_text, show_feedback, show_refusal
from ui.format import count, day, moment, short_day
from ui.i18n import language, t
from ui.markup import literal, sentence

FEEDBACK_KEY = "complaint_feedback"
STATUS_FILTERS = ("open", "in_progress", "closed", "all")


def category_word(code: str) -> str:
    return t(f"complaint_category_{code}")


def channel_word(code: str) -> str:
    return t(f"complaint_channel_{code}")


def source_word(code: str) -> str:
    return t(f"complaint_source_{code}")


def status_word(code: str) -> str:
    return t(f"complaint_status_{code}")


def branch_name(row: dict) -> str:
    return row["branch_ko"] if language() == "ko" else row["branch_en"]


def case_label(row: dict, as_of: dt.date) -> str:
    return " · ".join(
        (row["case_no"], row["customer_name"], category_word(row["category"]), standing(row, as_of))
    )


def done(message: str) -> None:
    st.session_state[FEEDBACK_KEY] = ("success", message)


def refused(refusal: DomainError) -> None:
    st.session_state[FEEDBACK_KEY] = ("error", refusal_text(refusal))


@guarded
def assign(user: SignedInUser, complaint_id: int) -> None:
    employee_id = st.session_state.get("complaint_handler")
    if employee_id is None:
        return
    try:
        with session.connect() as conn:
            complaints.assign_handler(conn, user, complaint_id, employee_id=employee_id)
    except DomainError as refusal:
        refused(refusal)
        return
    done(t("complaint_assigned"))


@guarded
def add_note(user: SignedInUser, complaint_id: int) -> None:
    try:
        with session.connect() as conn:
            complaints.add_progress_note(
                conn, user, complaint_id, note=st.session_state.get("complaint_note", "")
            )
    except DomainError as refusal:
        refused(refusal)
        return
    st.session_state["complaint_note"] = ""
    done(t("complaint_note_added"))


@guarded
def close(user: SignedInUser, complaint_id: int, today: dt.date) -> None:
    try:
        with session.connect() as conn:
            complaints.close_case(
                conn,
                user,
                complaint_id,
                resolution=st.session_state.get("complaint_resolution", ""),
                on=today,
            )
    except DomainError as refusal:
        refused(refusal)
        return
    done(t("complaint_closed"))


@guarded
def open_new(user: SignedInUser) -> None:
    state = st.session_state
    chosen = [state.get(key) for key in ("new_category", "new_channel", "new_source")]
    if None in chosen:
        state[FEEDBACK_KEY] = ("error", t("complaint_choose_all"))
        return
    category, channel, source = chosen
    try:
        with session.connect() as conn:
            case_id = complaints.open_case(
                conn,
                user,
                customer_no=state.get("new_customer_no", ""),
                category=category,
                channel=channel,
                received_on=state["new_received_on"],
                product_code=state.get("new_product_code", "").strip() or None,
                summary=state.get("new_summary", ""),
                source=source,
            )
    except DomainError as refusal:
        refused(refusal)
        return
    st.query_params["case"] = str(case_id)
    done(t("complaint_opened"))


def show_counts(user: SignedInUser, today: dt.date) -> None:
    with session.connect() as conn:
        counts = complaints.case_counts(conn, user, as_of=today)
    first, second, third = st.columns(3)
    first.metric(t("complaint_open_count"), count(counts.open))
    second.metric(t("complaint_overdue_count"), count(counts.overdue))
    third.metric(t("complaint_near_count"), count(counts.near_deadline))


def show_list(user: SignedInUser, today: dt.date) -> pl.DataFrame:
    filters = st.columns(3)
    status = filters[0].selectbox(
        t("complaint_filter_status"),
        STATUS_FILTERS,
        format_func=lambda code: t(f"complaint_filter_{code}"),
        placeholder=t("select_placeholder"),
    )
    overdue_only = filters[1].checkbox(t("complaint_filter_overdue"))
    branch_code = None
    if permits(user, Action.COMPLAINT_READ) and user.branch_id is None:
        with session.connect() as conn:
            every = complaints.cases(conn, user, as_of=today)
        names = {
            row["branch_code"]: branch_name(row)
            for row in every.unique("branch_code").sort("branch_code").iter_rows(named=True)
        }
        branch_code = filters[2].selectbox(
            t("complaint_filter_branch"),
            list(names),
            index=None,
            format_func=lambda code: names[code],
            placeholder=t("complaint_every_branch"),
        )
    with session.connect() as conn:
        listed = complaints.cases(
            conn,
            user,
            as_of=today,
            status=None if status in (None, "all") else status,
            overdue_only=overdue_only,
            branch_code=branch_code,
        )
    if listed.is_empty():
        st.caption(t("complaint_none"))
        return listed
    rows = list(listed.iter_rows(named=True))
    st.dataframe(
        pl.DataFrame(
            {
                t("complaint_col_case"): listed["case_no"],
                t("complaint_col_received"): [day(row["received_on"]) for row in rows],
                t("complaint_col_deadline"): [day(row["deadline_on"]) for row in rows],
                t("complaint_col_standing"): [standing(row, today) for row in rows],
                t("complaint_col_status"): [status_word(row["status"]) for row in rows],
                t("complaint_col_category"): [category_word(row["category"]) for row in rows],
                t("complaint_col_channel"): [channel_word(row["channel"]) for row in rows],
                t("complaint_col_customer"): listed["customer_name"],
                t("complaint_col_branch"): [branch_name(row) for row in rows],
                t("complaint_col_handler"): [
                    row["handler_name"] or t("complaint_unassigned") for row in rows
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if listed.height == complaints.LIST_LIMIT:
        st.caption(t("complaint_list_limited", limit=complaints.LIST_LIMIT))
    return listed


@guarded
def back_to_list() -> None:
    st.query_params.pop("case", None)


def pick_case(listed: pl.DataFrame, today: dt.date) -> None:
    """A case picked from the list opens in its place (its address, `?case=<id>`)."""
    if listed.is_empty():
        return
    labels = {row["complaint_id"]: case_label(row, today) for row in listed.iter_rows(named=True)}
    picked = st.selectbox(
        t("complaint_pick"),
        list(labels),
        index=None,
        format_func=lambda case_id: labels[case_id],
        placeholder=t("select_placeholder"),
    )
    if picked is not None:
        st.query_params["case"] = str(picked)
        st.rerun()


def show_case(user: SignedInUser, complaint_id: int, today: dt.date) -> None:
    try:
        with session.connect() as conn:
            case = complaints.case_detail(conn, user, complaint_id, as_of=today)
    except DomainError as refusal:
        show_refusal(refusal)
        return
    row = case.row
    st.subheader(
        sentence("complaint_case_title", case_no=row["case_no"], name=row["customer_name"])
    )
    st.page_link(
        "pages/customer_page.py",
        label=t("complaint_open_customer"),
        query_params={"customer": row["customer_no"]},
        icon=":material/person:",
    )
    facts = st.columns(4)
    facts[0].metric(t("complaint_col_status"), status_word(row["status"]))
    facts[1].metric(
        t("complaint_col_deadline"), short_day(row["deadline_on"]), help=day(row["deadline_on"])
    )
    facts[2].metric(t("complaint_col_category"), category_word(row["category"]))
    facts[3].metric(t("complaint_col_branch"), branch_name(row))
    st.caption(
        t(
            "complaint_case_caption",
            received=day(row["received_on"]),
            channel=channel_word(row["channel"]),
            source=source_word(row["source"]),
            product=row["product_name"] or t("complaint_no_product"),
            handler=row["handler_name"] or t("complaint_unassigned"),
        )
    )
    if row["overdue"]:
        st.error(standing(row, today), icon=":material/alarm:")
    elif row["near_deadline"]:
        st.warning(standing(row, today), icon=":material/schedule:")
    if case.deadline_on_closing_day and row["status"] != complaints.CLOSED:
        st.warning(t("complaint_deadline_on_closing_day"), icon=":material/event_busy:")
    st.markdown(f"**{t('complaint_summary')}**")
    st.markdown(literal(case.summary))
    if case.resolution is not None:
        st.markdown(f"**{t('complaint_resolution')}**")
        st.markdown(literal(case.resolution))
    st.markdown(f"**{t('complaint_history')}**")
    history = case.history
    st.dataframe(
        pl.DataFrame(
            {
                t("col_when"): [moment(at) for at in history["recorded_at"]],
                t("complaint_col_event"): [t(f"complaint_event_{k}") for k in history["kind"]],
                t("complaint_col_status"): [status_word(s) for s in history["status"]],
                t("complaint_col_handler"): [name or "" for name in history["handler_name"]],
                t("complaint_col_note"): [note or "" for note in history["note"]],
                t("col_user"): history["recorded_by"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if row["status"] == complaints.CLOSED:
        return
    if permits(user, Action.COMPLAINT_WRITE, branch_id=row["branch_id"]):
        show_work(user, complaint_id, case)
    if permits(user, Action.COMPLAINT_CLOSE, branch_id=row["branch_id"]):
        with st.form("complaint_close_form"):
            st.text_area(
                t("complaint_resolution"),
                max_chars=complaints.NOTE_MAX_CHARS,
                key="complaint_resolution",
            )
            st.form_submit_button(
                t("complaint_close"),
                on_click=close,
                args=(user, complaint_id, today),
                type="primary",
            )


def show_work(user: SignedInUser, complaint_id: int, case: complaints.ComplaintCase) -> None:
    staff = {row["employee_id"]: row["name"] for row in case.handlers.iter_rows(named=True)}
    with st.form("complaint_assign_form"):
        st.selectbox(
            t("complaint_handler"),
            list(staff),
            index=None,
            format_func=lambda employee_id: staff[employee_id],
            key="complaint_handler",
            placeholder=t("select_placeholder"),
        )
        st.form_submit_button(t("complaint_assign"), on_click=assign, args=(user, complaint_id))
    with st.form("complaint_note_form"):
        st.text_area(t("complaint_note"), max_chars=complaints.NOTE_MAX_CHARS, key="complaint_note")
        st.form_submit_button(t("complaint_add_note"), on_click=add_note, args=(user, complaint_id))


def show_new_case(user: SignedInUser, today: dt.date) -> None:
    with st.expander(t("complaint_new"), icon=":material/add:"), st.form("complaint_new_form"):
        st.text_input(t("complaint_customer_no"), key="new_customer_no", max_chars=12)
        columns = st.columns(3)
        columns[0].selectbox(
            t("complaint_col_category"),
            complaints.CATEGORIES,
            index=None,
            format_func=category_word,
            key="new_category",
            placeholder=t("select_placeholder"),
        )
        columns[1].selectbox(
            t("complaint_col_channel"),
            complaints.CHANNELS,
            index=None,
            format_func=channel_word,
            key="new_channel",
            placeholder=t("select_placeholder"),
        )
        columns[2].selectbox(
            t("complaint_col_source"),
            complaints.SOURCES[:2],  # a happy call opens its own cases
            index=None,
            format_func=source_word,
            key="new_source",
            placeholder=t("select_placeholder"),
        )
        st.date_input(
            t("complaint_col_received"), value=today, max_value=today, key="new_received_on"
        )
        st.text_input(t("complaint_product_code"), key="new_product_code", max_chars=20)
        st.text_area(
            t("complaint_summary"), key="new_summary", max_chars=complaints.SUMMARY_MAX_CHARS
        )
        st.form_submit_button(t("complaint_open_case"), on_click=open_new, args=(user,))


user = session.require_user()
today = session.today()
st.title(t("page_complaints"))
st.caption(t("complaint_intro", date=day(today)))
show_feedback(FEEDBACK_KEY)
asked = st.query_params.get("case", "")
if asked.isdigit():
    st.button(t("complaint_back"), on_click=back_to_list, icon=":material/arrow_back:")
    show_case(user, int(asked), today)
else:
    show_counts(user, today)
    if permits(user, Action.COMPLAINT_WRITE):
        show_new_case(user, today)
    pick_case(show_list(user, today), today)
