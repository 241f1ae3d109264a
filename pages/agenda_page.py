"""Morning agenda: the rep's items for the business day, grouped by reason, worked in place.

Writes run in the form's callback, before the page reads the agenda again, so what was just
recorded is already on screen.
"""

import json
from typing import Any

import polars as pl
import streamlit as st

from data_access import agenda, conduct
from data_access.core.errors import (
    DomainError,
)
from data_access.core.models import (
    CONSULTATION_CHANNELS,
    CONSULTATION_OUTCOMES,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import agenda_reasons, session
from ui.agenda_reasons import explanation
from ui.campaign_sections import show_campaign_calls
from ui.failures import guarded
from ui.feedback import refusal_text
from ui.format import count, day
from ui.i18n import language, t, tn
from ui.markup import literal

FEEDBACK_KEY = "agenda_feedback"
CUSTOMER_PAGE = "pages/customer_page.py"
STATUS_ICON = {
    agenda.OPEN: ":material/radio_button_unchecked:",
    agenda.DONE: ":material/check_circle:",
    agenda.SNOOZED: ":material/snooze:",
    agenda.UNREACHABLE: ":material/phone_disabled:",
}


def status_text(row: dict[str, Any]) -> str:
    if row["status"] == agenda.SNOOZED and row["snoozed_until"] is not None:
        return t("agenda_snoozed_until", date=row["snoozed_until"].isoformat())
    return t(f"agenda_status_{row['status']}")


def field(name: str, rule_id: int) -> str:
    return f"agenda_{name}_{rule_id}"


@guarded
def record(user: SignedInUser, rule_id: int) -> None:
    """The form's callback: record the outcome of the picked items, then clear the form."""
    state = st.session_state
    picked = state.get(field("pick", rule_id)) or []
    outcome = state.get(field("outcome", rule_id))
    note_text = (state.get(field("note", rule_id)) or "").strip()
    note = None
    if note_text:
        note = agenda.NoteDraft(
            channel=state.get(field("channel", rule_id)) or "",
            outcome=state.get(field("note_outcome", rule_id)) or "",
            text=note_text,
        )
    try:
        with session.connect() as conn:
            worked = agenda.work_items(
                conn,
                user,
                session.today(),
                [(rule_id, customer_no) for customer_no in picked],
                outcome or "",
                snooze_days=state.get(field("snooze", rule_id)),
                note=note,
            )
    except DomainError as refusal:
        state[FEEDBACK_KEY] = (rule_id, "error", refusal_text(refusal))
        return
    state[FEEDBACK_KEY] = (rule_id, "success", tn("agenda_saved", worked, count=worked))
    state[field("pick", rule_id)] = []
    state[field("note", rule_id)] = ""


def show_feedback(rule_id: int) -> None:
    feedback = st.session_state.get(FEEDBACK_KEY)
    if feedback and feedback[0] == rule_id:
        _, level, message = st.session_state.pop(FEEDBACK_KEY)
        (st.success if level == "success" else st.error)(message)


def show_counts(counts: agenda.AgendaCounts) -> None:
    columns = st.columns(5)
    columns[0].metric(t("agenda_left"), count(counts.open))
    columns[1].metric(t("agenda_status_done"), count(counts.done))
    columns[2].metric(t("agenda_status_snoozed"), count(counts.snoozed))
    columns[3].metric(t("agenda_status_unreachable"), count(counts.unreachable))
    columns[4].metric(t("agenda_total"), count(counts.total))


def show_group(user: SignedInUser, group: pl.DataFrame, lapsed: frozenset[str]) -> None:
    first = group.row(0, named=True)
    rule_id = first["rule_id"]
    name = first["rule_name_ko"] if language() == "ko" else first["rule_name_en"]
    open_items = group.filter(pl.col("status") == agenda.OPEN)
    st.subheader(literal(name), divider="gray")
    st.caption(t("agenda_group_caption", left=open_items.height, total=group.height))
    for row in group.iter_rows(named=True):
        who, why, state = st.columns([3, 7, 2], vertical_alignment="center")
        who.page_link(
            CUSTOMER_PAGE,
            label=f"{literal(row['customer_name'])} · {row['customer_no']}",
            icon=STATUS_ICON[row["status"]],
            query_params={"customer": row["customer_no"], "from": "agenda", "rule": rule_id},
        )
        why.markdown(explanation(row["kind"], json.loads(row["facts"])))
        if row["customer_no"] in lapsed:
            why.caption(t("agenda_profile_expired"))  # reassess before the next sale (#22)
        state.caption(status_text(row))
    show_feedback(rule_id)
    if open_items.is_empty():
        return
    if first["kind"] == agenda.RuleKind.HAPPY_CALL:
        # A happy call is worked by recording its outcome on the customer's record, which
        # also works the item (issue #22).
        st.caption(t("agenda_happy_call_hint"))
        return
    names = dict(zip(open_items["customer_no"], open_items["customer_name"], strict=True))
    with st.form(field("form", rule_id), border=True):
        st.markdown(f"**{t('agenda_work_title')}**")
        st.multiselect(
            t("agenda_pick"),
            options=list(names),
            format_func=lambda number: f"{names[number]} · {number}",
            placeholder=t("agenda_pick_placeholder"),
            key=field("pick", rule_id),
        )
        left, right = st.columns(2)
        left.segmented_control(
            t("agenda_outcome"),
            options=list(agenda.WORKED),
            format_func=lambda status: t(f"agenda_status_{status}"),
            default=agenda.DONE,
            key=field("outcome", rule_id),
        )
        right.selectbox(
            t("agenda_snooze_days"),
            options=list(agenda.SNOOZE_DAYS),
            index=1,
            key=field("snooze", rule_id),
            placeholder=t("select_placeholder"),
        )
        st.text_area(
            t("agenda_note"), help=t("agenda_note_help"), key=field("note", rule_id), height=80
        )
        channel, outcome = st.columns(2)
        channel.selectbox(
            t("agenda_note_channel"),
            options=list(CONSULTATION_CHANNELS),
            format_func=lambda code: t(f"consult_channel_{code}"),
            key=field("channel", rule_id),
            placeholder=t("select_placeholder"),
        )
        outcome.selectbox(
            t("agenda_note_outcome"),
            options=list(CONSULTATION_OUTCOMES),
            format_func=lambda code: t(f"outcome_{code}"),
            key=field("note_outcome", rule_id),
            placeholder=t("select_placeholder"),
        )
        st.form_submit_button(
            t("agenda_save"), type="primary", on_click=record, args=(user, rule_id)
        )


user = session.require_user()
business_date = session.today()
st.title(t("agenda_title"))
st.caption(t("agenda_caption", date=day(business_date)))
if user.role not in agenda.AGENDA_ROLES:
    st.info(t("agenda_no_role"))
    st.stop()

with session.connect() as conn:
    mine = agenda.my_agenda(conn, user, business_date)
    # Customers whose investment profile has lapsed (issue #22).
    lapsed = conduct.expired_profiles(
        conn, user, mine.items["customer_no"].unique().to_list(), business_date
    )
agenda_reasons.show_build(mine.build)
show_counts(mine.counts)
show_campaign_calls(user)  # TM campaign targets (issue #6)
if mine.items.is_empty():
    if mine.build is not None and mine.build.status == "succeeded":
        st.success(t("agenda_empty"), icon=":material/task_alt:")
    st.stop()
for _, group in mine.items.group_by("priority", "rule_id", maintain_order=True):
    show_group(user, group, lapsed)
