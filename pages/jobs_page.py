"""Scheduled jobs: schedules and next runs, pause and resume, run now, recent runs, holidays."""

import polars as pl
import streamlit as st

from data_access.core import business_days, job_runs
from data_access.core.errors import (
    DomainError,
)
from data_access.core.security import (
    SignedInUser,
)
from jobs import scheduler
from ui import background, session
from ui.failures import guarded
from ui.feedback import refusal_text
from ui.format import count, day, moment
from ui.i18n import has_message, language, t, tn
from ui.markup import literal, sentence

FEEDBACK_KEY = "jobs_feedback"
RECENT_RUNS = 30


def feedback(level: str, message: str) -> None:
    st.session_state[FEEDBACK_KEY] = (level, message)


def show_feedback() -> None:
    if FEEDBACK_KEY in st.session_state:
        level, message = st.session_state.pop(FEEDBACK_KEY)
        (st.success if level == "success" else st.error)(message)


@guarded
def toggle(user: SignedInUser, job: scheduler.ScheduledJob) -> None:
    if job.paused:
        scheduler.resume(session.engine(), user, job.id)
        feedback("success", t("jobs_resumed_done", job=t(f"job_{job.id}")))
    else:
        scheduler.pause(session.engine(), user, job.id)
        feedback("success", t("jobs_paused_done", job=t(f"job_{job.id}")))


@guarded
def run_now(user: SignedInUser, job_id: str) -> None:
    business_date = st.session_state.get(f"run_date_{job_id}") or session.today()
    try:
        result = scheduler.run_now(session.engine(), user, job_id, business_date)
    except DomainError as failure:
        feedback("error", refusal_text(failure))
        return
    feedback(
        "success",
        tn(
            "jobs_run_done",
            result["items"] or 0,
            job=t(f"job_{job_id}"),
            date=day(business_date),
            items=count(result["items"] or 0),
            seconds=f"{result['duration_s']:.1f}",
        ),
    )


@guarded
def add_holiday(user: SignedInUser) -> None:
    holiday = st.session_state.get("holiday_day")
    name = st.session_state.get("holiday_name") or ""
    try:
        with session.connect() as conn:
            business_days.add_holiday(conn, user, holiday, name)
    except DomainError as refusal:
        feedback("error", refusal_text(refusal))
        return
    scheduler.refresh_holidays(session.engine())
    feedback("success", t("holiday_added", day=day(holiday)))


@guarded
def remove_holiday(user: SignedInUser) -> None:
    holiday = st.session_state.get("holiday_to_remove")
    if holiday is None:
        return
    try:
        with session.connect() as conn:
            business_days.remove_holiday(conn, user, holiday)
    except DomainError as refusal:
        feedback("error", refusal_text(refusal))
        return
    scheduler.refresh_holidays(session.engine())
    feedback("success", t("holiday_removed", day=day(holiday)))


def first_line(error: str | None) -> str:
    """What went wrong, without the statement and parameters the driver appends: the log
    keeps those for whoever debugs it."""
    return (error or "").split("\n", 1)[0]


def job_name(job: str) -> str:
    key = f"job_{job}"
    return t(key) if has_message(key) else job


def rule_items_text(items: list[dict]) -> str:
    """A run's items by rule: each rule by its name (or its kind, if it was deleted since)."""
    return " · ".join(
        t(
            "jobs_rule_items",
            rule=(item["name_ko"] if language() == "ko" else item["name_en"])
            or t(f"rule_kind_{item['kind']}"),
            items=count(item["items"]),
        )
        for item in items
    )


def show_schedules(user: SignedInUser) -> None:
    st.subheader(t("jobs_schedules"))
    for job in scheduler.scheduled_jobs(session.engine(), user):
        with st.container(border=True):
            about, when, actions = st.columns([4, 3, 3], vertical_alignment="center")
            about.markdown(f"**{t(f'job_{job.id}')}**")
            about.caption(
                t("jobs_working_days_at", time=f"{job.at:%H:%M}")
                if job.at
                else literal(job.schedule)
            )
            if job.paused:
                when.badge(t("jobs_paused"), icon=":material/pause:", color="orange")
            else:
                when.metric(t("jobs_next_run"), moment(job.next_run_at))
            actions.button(
                t("jobs_resume") if job.paused else t("jobs_pause"),
                icon=":material/play_arrow:" if job.paused else ":material/pause:",
                key=f"toggle_{job.id}",
                on_click=toggle,
                args=(user, job),
            )
            actions.date_input(t("jobs_run_date"), value=session.today(), key=f"run_date_{job.id}")
            actions.button(
                t("jobs_run_now"),
                icon=":material/bolt:",
                type="primary",
                key=f"run_{job.id}",
                on_click=run_now,
                args=(user, job.id),
            )


def show_runs(user: SignedInUser) -> None:
    st.subheader(t("jobs_recent_runs"))
    with session.connect() as conn:
        runs = job_runs.recent_runs(conn, user, limit=RECENT_RUNS)
    if runs.is_empty():
        st.caption(t("jobs_no_runs"))
        return
    failed = runs.filter(pl.col("status") == job_runs.FAILED)
    if not failed.is_empty():
        latest = failed.row(0, named=True)
        st.error(
            sentence(
                "jobs_last_failed",
                date=day(latest["business_date"]),
                job=job_name(latest["job"]),
                error=first_line(latest["error"]),
            ),
            icon=":material/error:",
        )
    st.dataframe(
        pl.DataFrame(
            {
                t("col_job"): [job_name(job) for job in runs["job"]],
                t("col_business_date"): runs["business_date"].dt.to_string("%Y-%m-%d"),
                t("col_run_status"): [t(f"run_status_{status}") for status in runs["status"]],
                t("col_started_at"): runs["started_at"],
                t("col_duration"): runs["duration_s"],
                t("col_rows"): runs["rows"],
                t("col_detail"): [rule_items_text(items) for items in runs["items_by_rule"]],
                t("col_error"): [first_line(error) for error in runs["error"]],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def show_holidays(user: SignedInUser) -> None:
    year = session.today().year
    st.subheader(t("holidays_title", year=year))
    st.caption(t("holidays_caption"))
    with session.connect() as conn:
        calendar = business_days.holiday_calendar(conn, year)
    st.dataframe(
        pl.DataFrame(
            {
                t("holiday_day"): calendar["day"].dt.to_string("%Y-%m-%d"),
                t("col_weekday"): [t(f"weekday_{weekday}") for weekday in calendar["weekday"]],
                t("holiday_name"): (
                    calendar["name_ko"] if language() == "ko" else calendar["name_en"]
                ),
                t("col_source"): [t(f"holiday_source_{source}") for source in calendar["source"]],
            }
        ),
        hide_index=True,
        width="content",
    )
    with st.form("holiday_add", border=True):
        left, right = st.columns(2)
        left.date_input(t("holiday_day"), value=session.today(), key="holiday_day")
        right.text_input(t("holiday_name"), key="holiday_name", max_chars=60)
        st.form_submit_button(t("holiday_add"), on_click=add_holiday, args=(user,))
    firm = calendar.filter(pl.col("source") == "firm")["day"].to_list()
    if firm:
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        left.selectbox(
            t("holiday_to_remove"),
            options=firm,
            key="holiday_to_remove",
            placeholder=t("select_placeholder"),
        )
        right.button(t("holiday_remove"), on_click=remove_holiday, args=(user,))


user = session.require_user()
st.title(t("jobs_title"))
st.caption(t("jobs_caption"))
here = background.start_embedded_scheduler() is not None
st.caption(t("jobs_scheduler_here") if here else t("jobs_scheduler_elsewhere"))
show_feedback()
show_schedules(user)
show_runs(user)
show_holidays(user)
