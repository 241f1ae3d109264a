"""Records kept and let go: the retention schedule with each kind's meaning, the report of what
is due for disposal and the disposal (administrators), legal holds, and customers' requests to
see their records with their deadlines (compliance, branch managers)."""

import datetime as dt

import polars as pl
import streamlit as st

from data_access import customers, retention
from data_access.core.errors import (
    DomainError,
)
from data_access.core.models import (
    CONSULTATION_CHANNELS,
    TRANSACTION_CHANNELS,
    TRANSACTION_KINDS,
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
from ui.format import count, day, moment
from ui.i18n import language, t, tn
from ui.markup import sentence

FEEDBACK_KEY = "records_feedback"
ANSWER_KEY = "records_answer"


# Counting every kind's records below its cutoff takes seconds at full scale. The report
# changes as records age a day (the date is in the key) or when this page disposes, holds or
# re-times them (those callbacks clear it); the whole user is in the key, as on the home page.
REPORT_TTL_S = 600


@st.cache_data(ttl=REPORT_TTL_S, show_spinner=False)
def disposal_report(user: SignedInUser, today: dt.date) -> pl.DataFrame:
    with session.connect() as conn:
        return retention.disposal_report(conn, user, today)


def feedback(level: str, message: str) -> None:
    st.session_state[FEEDBACK_KEY] = (level, message)


def show_feedback() -> None:
    if FEEDBACK_KEY in st.session_state:
        level, message = st.session_state.pop(FEEDBACK_KEY)
        (st.success if level == "success" else st.error)(message)


def kind_name(kind: str | None) -> str:
    return t(f"retention_kind_{kind}") if kind else ""


def years_text(years: int) -> str:
    return tn("retention_years", years, years=years)


# ---------------------------------------------------------------------------------------------
# Callbacks


@guarded
def change_years(user: SignedInUser) -> None:
    kind = st.session_state.get("retention_kind")
    if kind is None:
        return
    years = int(st.session_state.get("retention_years") or 0)
    try:
        with session.connect() as conn:
            retention.set_retention_years(conn, user, kind, years)
    except DomainError as refusal:
        feedback("error", refusal_text(refusal))
        return
    disposal_report.clear()
    feedback("success", t("retention_years_saved", kind=kind_name(kind), years=years_text(years)))


@guarded
def change_setting(user: SignedInUser, name: str) -> None:
    value = float(st.session_state.get(f"retention_setting_{name}") or 0)
    try:
        with session.connect() as conn:
            retention.save_retention_setting(conn, user, name, value)
    except DomainError as refusal:
        feedback("error", refusal_text(refusal))
        return
    disposal_report.clear()
    feedback("success", t("retention_setting_saved", setting=t(f"retention_setting_{name}")))


@guarded
def dispose(user: SignedInUser) -> None:
    try:
        with session.connect() as conn:
            disposed = retention.dispose_due(conn, user, session.today())
    except DomainError as refusal:
        feedback("error", refusal_text(refusal))
        return
    rows = sum(disposal.rows for disposal in disposed)
    disposal_report.clear()
    feedback("success", tn("retention_disposed", rows, rows=count(rows)))


@guarded
def place_hold(user: SignedInUser) -> None:
    target = st.session_state.get("hold_target")
    customer_no = (st.session_state.get("hold_customer_no") or "").strip()
    kind = st.session_state.get("hold_kind")
    reason = st.session_state.get("hold_reason") or ""
    try:
        with session.connect() as conn:
            retention.place_hold(
                conn,
                user,
                reason=reason,
                customer_no=customer_no if target == "customer" else None,
                kind=kind if target == "kind" else None,
            )
    except DomainError as refusal:
        feedback("error", refusal_text(refusal))
        return
    disposal_report.clear()
    feedback("success", t("hold_placed"))


@guarded
def lift_hold(user: SignedInUser) -> None:
    hold_id = st.session_state.get("hold_to_lift")
    if hold_id is None:
        return
    try:
        with session.connect() as conn:
            retention.lift_hold(conn, user, hold_id)
    except DomainError as refusal:
        feedback("error", refusal_text(refusal))
        return
    disposal_report.clear()
    feedback("success", t("hold_lifted"))


@guarded
def log_request(user: SignedInUser) -> None:
    customer_no = (st.session_state.get("request_customer_no") or "").strip()
    received_on = st.session_state.get("request_received_on") or session.today()
    channel = st.session_state.get("request_channel")
    if channel is None:
        feedback("error", t("access_request_channel"))
        return
    try:
        with session.connect() as conn:
            retention.log_access_request(
                conn, user, customer_no, received_on=received_on, channel=channel
            )
    except DomainError as refusal:
        feedback("error", refusal_text(refusal))
        return
    feedback("success", t("access_request_logged"))


def answer_labels() -> dict[str, str]:
    """The answer file's codes in the reader's language, each under its vocabulary: headings,
    sections, profile fields, yes and no, and the kinds and channels the records hold."""
    vocabularies = {
        "column": ("access_answer_col_", retention.ANSWER_COLUMNS),
        "section": ("access_answer_section_", retention.SECTIONS),
        "field": ("access_answer_field_", retention.PROFILE_FIELDS),
        "txn_kind": ("txn_kind_", TRANSACTION_KINDS),
        "txn_channel": ("txn_channel_", TRANSACTION_CHANNELS),
        "consult_channel": ("consult_channel_", CONSULTATION_CHANNELS),
        "consent_purpose": ("consent_purpose_", customers.PURPOSES),
        "consent_channel": ("consent_channel_", customers.CHANNELS),
    }
    return {
        **{
            f"{vocabulary}.{code}": t(f"{prefix}{code}")
            for vocabulary, (prefix, codes) in vocabularies.items()
            for code in codes
        },
        "answer.yes": t("audit_yes"),
        "answer.no": t("audit_no"),
    }


@guarded
def answer_request(user: SignedInUser) -> None:
    request_id = st.session_state.get("request_to_answer")
    if request_id is None:
        return
    try:
        with session.connect() as conn:
            answer = retention.fulfil_access_request(conn, user, request_id, labels=answer_labels())
            conn.commit()
    except DomainError as refusal:
        feedback("error", refusal_text(refusal))
        return
    st.session_state[ANSWER_KEY] = answer
    feedback("success", tn("access_request_answered", answer.rows, rows=count(answer.rows)))


# ---------------------------------------------------------------------------------------------
# Sections


def show_schedule(user: SignedInUser) -> None:
    st.subheader(t("retention_schedule_title"))
    st.caption(t("retention_schedule_caption"))
    with session.connect() as conn:
        schedule = retention.retention_schedule(conn, user)
        settings = retention.retention_settings(conn, user)
    st.dataframe(
        pl.DataFrame(
            {
                t("col_retention_kind"): [kind_name(kind) for kind in schedule["kind"]],
                t("col_retention_years"): [years_text(years) for years in schedule["years"]],
                t("col_retention_minimum"): [
                    years_text(years) for years in schedule["minimum_years"]
                ],
                t("col_retention_clock"): [
                    t(f"retention_clock_{kind}") for kind in schedule["kind"]
                ],
                t("col_retention_basis"): [
                    t(f"retention_basis_{basis}") for basis in schedule["basis"]
                ],
                t("col_retention_disposal"): [
                    t("retention_disposed_of" if disposable else "retention_kept_for_good")
                    if applies
                    else t("retention_not_here")
                    for disposable, applies in zip(
                        schedule["disposable"], schedule["applies"], strict=True
                    )
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(t("retention_audit_log_note"))
    for name, value in settings.items():
        st.markdown(
            sentence(
                "retention_setting_line",
                setting=t(f"retention_setting_{name}"),
                value=count(int(value)),
            )
        )
        st.caption(t(f"retention_setting_help_{name}"))
    if not permits(user, Action.RETENTION_WRITE):
        return
    with st.form("retention_years_form", border=True):
        left, right = st.columns(2)
        left.selectbox(
            t("col_retention_kind"),
            options=schedule["kind"].to_list(),
            format_func=kind_name,
            index=None,
            key="retention_kind",
            placeholder=t("select_placeholder"),
        )
        right.number_input(
            t("col_retention_years"),
            min_value=1,
            max_value=retention.MAX_YEARS,
            value=10,
            step=1,
            key="retention_years",
        )
        st.form_submit_button(t("retention_years_save"), on_click=change_years, args=(user,))
    for name, (low, high) in retention.SETTING_RANGES.items():
        with st.form(f"retention_setting_form_{name}", border=True):
            st.number_input(
                t(f"retention_setting_{name}"),
                min_value=int(low),
                max_value=int(high),
                value=int(settings[name]),
                step=1,
                key=f"retention_setting_{name}",
            )
            st.form_submit_button(
                t("retention_setting_save"), on_click=change_setting, args=(user, name)
            )


def show_report(user: SignedInUser) -> None:
    today = session.today()
    st.subheader(t("retention_report_title", date=day(today)))
    report = disposal_report(user, today).filter("applies")
    st.dataframe(
        pl.DataFrame(
            {
                t("col_retention_kind"): [kind_name(kind) for kind in report["kind"]],
                t("col_retention_cutoff"): [day(cutoff) for cutoff in report["cutoff"]],
                t("col_retention_due"): [count(due) for due in report["due"]],
                t("col_retention_held"): [count(held) for held in report["held"]],
                t("col_retention_oldest"): [
                    day(oldest) if oldest else "" for oldest in report["oldest"]
                ],
                t("col_retention_disposal"): [
                    t("retention_disposed_of" if disposable else "retention_kept_for_good")
                    for disposable in report["disposable"]
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    due = int(report.filter("disposable")["due"].sum())
    if permits(user, Action.RETENTION_WRITE):
        st.button(
            tn("retention_dispose", due, rows=count(due)),
            icon=":material/delete_sweep:",
            type="primary",
            disabled=due == 0,
            on_click=dispose,
            args=(user,),
        )
    else:
        st.caption(t("retention_dispose_admins_only"))


def show_holds(user: SignedInUser) -> None:
    st.subheader(t("holds_title"))
    st.caption(t("holds_caption"))
    with session.connect() as conn:
        holds = retention.legal_holds(conn, user)
        kinds = retention.retention_schedule(conn, user)["kind"].to_list()
    if holds.is_empty():
        st.caption(t("holds_none"))
    else:
        st.dataframe(
            pl.DataFrame(
                {
                    t("col_hold_covers"): [
                        t("hold_covers_customer", name=name, number=number)
                        if number
                        else t("hold_covers_kind", kind=kind_name(kind))
                        for name, number, kind in zip(
                            holds["customer_name"], holds["customer_no"], holds["kind"], strict=True
                        )
                    ],
                    t("col_hold_reason"): holds["reason"],
                    t("col_hold_placed_by"): holds["placed_by"],
                    t("col_hold_placed_at"): [moment(at) for at in holds["placed_at"]],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    if not permits(user, Action.LEGAL_HOLD_WRITE):
        return
    with st.form("hold_place", border=True):
        st.radio(
            t("hold_target"),
            options=["customer", "kind"],
            format_func=lambda target: t(f"hold_target_{target}"),
            horizontal=True,
            key="hold_target",
        )
        left, right = st.columns(2)
        left.text_input(t("hold_customer_no"), key="hold_customer_no", max_chars=12)
        right.selectbox(
            t("col_retention_kind"),
            options=kinds,
            format_func=kind_name,
            index=None,
            key="hold_kind",
            placeholder=t("select_placeholder"),
        )
        st.text_input(
            t("col_hold_reason"), key="hold_reason", max_chars=retention.HOLD_REASON_MAX_CHARS
        )
        st.form_submit_button(t("hold_place"), on_click=place_hold, args=(user,))
    if not holds.is_empty():
        labels = dict(zip(holds["id"], holds["reason"], strict=True))
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        left.selectbox(
            t("hold_to_lift"),
            options=list(labels),
            format_func=lambda hold_id: labels[hold_id],
            index=None,
            key="hold_to_lift",
            placeholder=t("select_placeholder"),
        )
        right.button(t("hold_lift"), on_click=lift_hold, args=(user,))


def show_requests(user: SignedInUser) -> None:
    today = session.today()
    st.subheader(t("access_requests_title"))
    with session.connect() as conn:
        requests = retention.access_requests(conn, user, today)
        days = (
            int(retention.retention_settings(conn, user)["access_request_business_days"])
            if (permits(user, Action.RETENTION_READ))
            else None
        )
    st.caption(
        t("access_requests_caption_days", days=days) if days else t("access_requests_caption")
    )
    overdue = int(requests["overdue"].sum())
    if overdue:
        st.error(
            tn("access_requests_overdue", overdue, count=count(overdue)), icon=":material/alarm:"
        )
    if requests.is_empty():
        st.caption(t("access_requests_none"))
    else:
        branch_names = requests["branch_name_ko" if language() == "ko" else "branch_name_en"]
        st.dataframe(
            pl.DataFrame(
                {
                    t("col_request_customer"): [
                        f"{name} ({number})"
                        for name, number in zip(
                            requests["customer_name"], requests["customer_no"], strict=True
                        )
                    ],
                    t("col_branch"): branch_names,
                    t("col_request_received"): [day(d) for d in requests["received_on"]],
                    t("col_request_channel"): [
                        t(f"access_channel_{channel}") for channel in requests["channel"]
                    ],
                    t("col_request_deadline"): [day(d) for d in requests["deadline_on"]],
                    t("col_request_status"): [
                        t("access_status_overdue") if late else t(f"access_status_{status}")
                        for status, late in zip(
                            requests["status"], requests["overdue"], strict=True
                        )
                    ],
                    t("col_request_answered"): [
                        day(d) if d else "" for d in requests["fulfilled_on"]
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    if not permits(user, Action.ACCESS_REQUEST_WRITE):
        return
    with st.form("request_log", border=True):
        st.markdown(f"**{t('access_request_log')}**")
        left, middle, right = st.columns(3)
        left.text_input(t("hold_customer_no"), key="request_customer_no", max_chars=12)
        middle.date_input(
            t("col_request_received"), value=today, max_value=today, key="request_received_on"
        )
        right.selectbox(
            t("col_request_channel"),
            options=list(retention.CHANNELS),
            format_func=lambda channel: t(f"access_channel_{channel}"),
            index=None,
            key="request_channel",
            placeholder=t("select_placeholder"),
        )
        st.form_submit_button(t("access_request_log"), on_click=log_request, args=(user,))
    still_open = requests.filter(pl.col("status") == "open")
    if still_open.is_empty():
        return
    labels = {
        row["id"]: t(
            "access_request_option",
            name=row["customer_name"],
            number=row["customer_no"],
            deadline=day(row["deadline_on"]),
        )
        for row in still_open.iter_rows(named=True)
    }
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.selectbox(
        t("access_request_to_answer"),
        options=list(labels),
        format_func=lambda request_id: labels[request_id],
        index=None,
        key="request_to_answer",
        placeholder=t("select_placeholder"),
    )
    right.button(t("access_request_answer"), on_click=answer_request, args=(user,))
    st.caption(t("access_request_answer_caption"))
    answer = st.session_state.get(ANSWER_KEY)
    if answer is not None:
        st.download_button(
            t("access_request_download"),
            data=answer.data,
            file_name=answer.file_name,
            mime=answer.mime,
            icon=":material/download:",
            on_click="ignore",
            key="access_request_download",
        )


user = session.require_user()
st.title(t("records_title"))
st.caption(t("records_caption"))
show_feedback()
if permits(user, Action.ACCESS_REQUEST_READ):
    show_requests(user)
if permits(user, Action.RETENTION_READ):
    show_schedule(user)
    show_report(user)
    show_holds(user)
