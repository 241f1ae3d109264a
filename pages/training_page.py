"""Training for trainers: catalogue, sessions and enrolments, results (form and CSV import),
completion and overdue, certificate expiry, and usage before and after a course.

Writes run in button callbacks, before the page reads again, so a change is on screen at once.
The import is checked first and kept in the session; nothing is written until the trainer
presses the button that applies the good rows.
"""

import datetime as dt
import re

import pandas as pd
import polars as pl
import streamlit as st

from data_access import training
from data_access.core import metrics
from data_access.core.branches import (
    branch_for_code,
)
from data_access.core.errors import (
    DomainError,
)
from data_access.core.policy import (
    Action,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import branch_link, session
from ui.failures import guarded
from ui.feedback import refusal_text
from ui.format import count, day, iso_day, percent
from ui.i18n import language, t, tn
from ui.markup import sentence
from ui.training_view import (
    effect_chart,
    expiry_column,
    problems_csv,
    show_training_progress,
    title_column,
)

FEEDBACK_KEY = "training_feedback"
CHECK_KEY = "training_import_check"
EFFECT_TTL_S = 600
STATE_COLOURS = {
    training.EXPIRED: "background-color: #f8d7da; color: #842029",
    training.EXPIRING: "background-color: #fff3cd; color: #664d03",
    training.VALID: "",
}


def feedback() -> None:
    message = st.session_state.pop(FEEDBACK_KEY, None)
    if message:
        level, text = message
        (st.success if level == "success" else st.error)(text)


def refused(rejection: DomainError) -> None:
    st.session_state[FEEDBACK_KEY] = ("error", refusal_text(rejection))


def worded(column: str, prefix: str, codes: list[str]) -> pl.Expr:
    """Codes in the reader's language, looked up in the script thread (see usage_page)."""
    words = {code: t(f"{prefix}{code}") for code in codes}
    return pl.col(column).replace_strict(words, default=pl.col(column), return_dtype=pl.String)


def signed_pct(column: str) -> pl.Expr:
    """A percentage change as text ("+12%"), blank where there is nothing to compare."""
    whole = pl.col(column).round(0).cast(pl.Int64)
    return (
        pl.when(whole > 0)
        .then(pl.format("+{}%", whole))
        .otherwise(pl.format("{}%", whole))
        .fill_null("")
    )


# --- Catalogue ----------------------------------------------------------------------------------


@guarded
def save_course(user: SignedInUser, course_id: int | None, prefix: str) -> None:
    state = st.session_state
    months = int(state[f"{prefix}_months"] or 0)
    draft = training.CourseDraft(
        code=state[f"{prefix}_code"] or "",
        title_ko=state[f"{prefix}_title_ko"] or "",
        title_en=state[f"{prefix}_title_en"] or "",
        category=state[f"{prefix}_category"] or "",
        certification_months=months or None,
    )
    try:
        with session.connect() as conn:
            training.save_course(conn, user, draft, course_id)
    except DomainError as rejection:
        refused(rejection)
        return
    st.session_state[FEEDBACK_KEY] = (
        "success",
        sentence("training_saved", code=draft.code.upper()),
    )


@guarded
def set_retired(user: SignedInUser, course_id: int, code: str, retired: bool) -> None:
    with session.connect() as conn:
        training.retire_course(conn, user, course_id, retired=retired)
    key = "training_retired" if retired else "training_restored"
    st.session_state[FEEDBACK_KEY] = ("success", sentence(key, code=code))


def course_fields(prefix: str, course: dict | None) -> None:
    course = course or {}
    left, right = st.columns(2)
    left.text_input(t("training_code"), value=course.get("code", ""), key=f"{prefix}_code")
    right.selectbox(
        t("training_category"),
        options=list(training.CATEGORIES),
        index=training.CATEGORIES.index(course.get("category", "system")),
        format_func=lambda c: t(f"training_category_{c}"),
        key=f"{prefix}_category",
        placeholder=t("select_placeholder"),
    )
    left.text_input(
        t("training_title_ko"), value=course.get("title_ko", ""), key=f"{prefix}_title_ko"
    )
    right.text_input(
        t("training_title_en"), value=course.get("title_en", ""), key=f"{prefix}_title_en"
    )
    st.number_input(
        t("training_cert_months"),
        min_value=0,
        max_value=training.MAX_CERTIFICATION_MONTHS,
        value=course.get("certification_months") or 0,
        key=f"{prefix}_months",
    )


def catalogue(user: SignedInUser, courses: pl.DataFrame) -> None:
    st.dataframe(
        courses.select(
            pl.col("code").alias(t("col_code")),
            title_column(courses).alias(t("col_course")),
            worded("category", "training_category_", list(training.CATEGORIES)).alias(
                t("col_category")
            ),
            pl.col("certification_months")
            .cast(pl.String)
            .fill_null("–")
            .alias(t("col_cert_months")),
            pl.col("is_retired").alias(t("col_retired")),
        ),
        hide_index=True,
        width="stretch",
    )
    new, edit = st.columns(2)
    with new.form("training_new_course", clear_on_submit=True):
        st.markdown(f"**{t('training_course_new')}**")
        course_fields("new_course", None)
        st.form_submit_button(
            t("training_save"),
            type="primary",
            on_click=save_course,
            args=(user, None, "new_course"),
        )
    with edit:
        st.markdown(f"**{t('training_course_edit')}**")
        by_id = {row["id"]: row for row in courses.iter_rows(named=True)}
        chosen = st.selectbox(
            t("training_course_pick"),
            options=list(by_id),
            format_func=lambda i: f"{by_id[i]['code']} · {by_id[i]['title_ko']}",
            key="edit_course_pick",
            placeholder=t("select_placeholder"),
        )
        if chosen is None:
            return
        course = by_id[chosen]
        with st.form(f"training_edit_course_{chosen}"):
            course_fields(f"edit_course_{chosen}", course)
            st.form_submit_button(
                t("training_save"),
                on_click=save_course,
                args=(user, chosen, f"edit_course_{chosen}"),
            )
        retired = course["is_retired"]
        st.button(
            t("training_restore") if retired else t("training_retire"),
            on_click=set_retired,
            args=(user, chosen, course["code"], not retired),
            key="training_retire_button",
        )


# --- Sessions and enrolments --------------------------------------------------------------------


@guarded
def add_session(user: SignedInUser) -> None:
    state = st.session_state
    try:
        with session.connect() as conn:
            training.add_session(
                conn,
                user,
                state["session_course"],
                state["session_starts"],
                state["session_ends"],
                state["session_location"] or "",
            )
    except DomainError as rejection:
        refused(rejection)
        return
    st.session_state[FEEDBACK_KEY] = ("success", t("training_session_added"))


@guarded
def enrol(user: SignedInUser) -> None:
    state = st.session_state
    numbers = re.split(r"[\s,]+", state["enrol_numbers"] or "")
    try:
        with session.connect() as conn:
            added = training.enrol(conn, user, state["enrol_session"], numbers, session.today())
    except DomainError as rejection:
        refused(rejection)
        return
    state[FEEDBACK_KEY] = ("success", t("training_enrolled", count=added))
    state["enrol_numbers"] = ""


def sessions_tab(user: SignedInUser, courses: pl.DataFrame, sessions: pl.DataFrame) -> None:
    st.dataframe(
        sessions.select(
            pl.col("code").alias(t("col_code")),
            title_column(sessions).alias(t("col_course")),
            iso_day("starts_on").alias(t("col_starts_on")),
            iso_day("ends_on").alias(t("col_ends_on")),
            pl.col("location").alias(t("col_location")),
            pl.col("enrolled").alias(t("col_enrolled")),
            pl.col("completed").alias(t("col_completed")),
        ),
        hide_index=True,
        width="stretch",
        height=300,
    )
    active = courses.filter(~pl.col("is_retired"))
    names = dict(zip(active["id"], active["code"] + " · " + title_column(active), strict=True))
    new, enrolment = st.columns(2)
    with new.form("training_new_session", clear_on_submit=True):
        st.markdown(f"**{t('training_session_new')}**")
        st.selectbox(
            t("training_course"),
            options=list(names),
            format_func=names.get,
            key="session_course",
            placeholder=t("select_placeholder"),
        )
        starts, ends = st.columns(2)
        starts.date_input(t("training_starts_on"), value=session.today(), key="session_starts")
        ends.date_input(t("training_ends_on"), value=session.today(), key="session_ends")
        st.text_input(t("training_location"), key="session_location")
        st.form_submit_button(
            t("training_save"), type="primary", on_click=add_session, args=(user,)
        )
    upcoming = sessions.filter(pl.col("ends_on") >= session.today() - dt.timedelta(days=90))
    labels = {
        row["id"]: f"{row['code']} · {row['starts_on']} · {row['location']}"
        for row in upcoming.iter_rows(named=True)
    }
    with enrolment.form("training_enrol"):
        st.markdown(f"**{t('training_enrol')}**")
        st.selectbox(
            t("training_session_pick"),
            options=list(labels),
            format_func=labels.get,
            key="enrol_session",
            placeholder=t("select_placeholder"),
        )
        st.text_area(t("training_employee_nos"), key="enrol_numbers", height=100)
        st.form_submit_button(t("training_enrol"), type="primary", on_click=enrol, args=(user,))


# --- Results: form and import -------------------------------------------------------------------


@guarded
def record_one(user: SignedInUser) -> None:
    state = st.session_state
    try:
        with session.connect() as conn:
            result = training.record_result(
                conn,
                user,
                state["result_employee"] or "",
                state["result_course"] or "",
                state["result_completed_on"],
                int(state["result_score"]),
                today=session.today(),
            )
    except DomainError as rejection:
        refused(rejection)
        return
    state[FEEDBACK_KEY] = (
        "success",
        t(
            "training_result_saved",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        ),
    )


@guarded
def check_file(user: SignedInUser) -> None:
    upload = st.session_state.get("training_file")
    st.session_state.pop(CHECK_KEY, None)
    if upload is None:
        return
    try:
        with session.connect() as conn:
            check = training.check_import(conn, user, upload.getvalue(), today=session.today())
    except DomainError as rejection:
        refused(rejection)
        return
    st.session_state[CHECK_KEY] = check


@guarded
def apply_check(user: SignedInUser) -> None:
    check = st.session_state.pop(CHECK_KEY, None)
    if check is None:
        return
    with session.connect() as conn:
        result = training.apply_import(conn, user, check)
    st.session_state[FEEDBACK_KEY] = (
        "success",
        t(
            "training_import_done",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        ),
    )


REASONS = [
    "missing",
    "unknown_employee",
    "unknown_course",
    "bad_date",
    "future_date",
    "no_session",
    "bad_score",
    "score_range",
    "duplicate",
]


def results_tab(user: SignedInUser, courses: pl.DataFrame) -> None:
    form, upload = st.columns(2)
    active = courses.filter(~pl.col("is_retired"))
    codes = dict(zip(active["code"], active["code"] + " · " + title_column(active), strict=True))
    with form.form("training_result"):
        st.markdown(f"**{t('training_result_form')}**")
        st.text_input(t("training_employee_no"), key="result_employee")
        st.selectbox(
            t("training_course"),
            options=list(codes),
            format_func=codes.get,
            key="result_course",
            placeholder=t("select_placeholder"),
        )
        st.date_input(t("training_completed_on"), value=session.today(), key="result_completed_on")
        st.number_input(
            t("training_score"), min_value=0, max_value=100, value=80, key="result_score"
        )
        st.form_submit_button(t("training_save"), type="primary", on_click=record_one, args=(user,))
    with upload:
        st.markdown(f"**{t('training_import')}**")
        st.caption(t("training_import_help"))
        st.file_uploader(
            t("training_import_file"),
            type=["csv"],
            key="training_file",
            on_change=check_file,
            args=(user,),
        )
        check: training.ImportCheck | None = st.session_state.get(CHECK_KEY)
        if check is None:
            return
        st.info(
            t(
                "training_import_summary",
                total=check.total,
                good=check.good.height,
                bad=check.problems.height,
            )
        )
        if not check.problems.is_empty():
            problems = check.problems.select(
                pl.col("line").alias(t("col_line")),
                pl.col("employee_no").alias(t("col_employee_no")),
                pl.col("course_code").alias(t("col_code")),
                worded("reason", "training_reason_", REASONS).alias(t("col_reason")),
            )
            st.dataframe(problems, hide_index=True, width="stretch")
            st.download_button(
                t("training_import_errors"),
                data=problems_csv(problems),
                file_name="training-import-problems.csv",
                mime="text/csv",
                icon=":material/download:",
            )
        if not check.good.is_empty():
            st.button(
                tn("training_import_apply", check.good.height, good=check.good.height),
                type="primary",
                on_click=apply_check,
                args=(user,),
            )


# --- Status -------------------------------------------------------------------------------------


def asked_branch_or_stop(user: SignedInUser) -> str | None:
    """The branch code a `?branch=<code>` link asks for, if the user's training scope reaches
    it (checked as the usage page checks its own)."""
    code = branch_link.asked_code()
    if code is None:
        return None

    def resolve() -> str:
        with session.connect() as conn:
            return branch_for_code(conn, user, code, Action.TRAINING_READ).code

    return branch_link.resolve_or_stop(
        resolve, refused=t("training_out_of_scope"), back=t("training_all_branches")
    )


def totals_tiles(totals: training.TrainingTotals) -> None:
    """The figures the trainer's home shows, from the same totals."""
    columns = st.columns(5)
    columns[0].metric(t("training_completion"), percent(totals.completion_pct))
    columns[1].metric(t("completed"), count(totals.completed))
    columns[2].metric(t("col_overdue"), count(totals.overdue))
    columns[3].metric(t("expired_certifications"), count(totals.expired_certificates))
    columns[4].metric(
        t("expiring_within", days=metrics.EXPIRING_DAYS), count(totals.expiring_certificates)
    )


def progress_tab(user: SignedInUser, as_of: dt.date, asked: str | None) -> None:
    st.caption(t("training_progress_caption"))
    with session.connect() as conn:
        totals_tiles(training.training_totals(conn, user, as_of))
        by_branch = training.completion_by_branch(conn, user, as_of)
    st.subheader(t("training_by_branch"))
    show_training_progress(by_branch, by_branch=True, height=300)
    codes = by_branch["branch_code"].to_list()
    ids = dict(zip(codes, by_branch["branch_id"], strict=True))
    names = dict(zip(codes, by_branch[f"branch_name_{language()}"], strict=True))
    pick = st.selectbox(
        t("usage_branch_pick"),
        options=codes,
        format_func=lambda code: f"{names[code]} ({code})",
        index=codes.index(asked) if asked in codes else 0,
        key="training_branch",
        placeholder=t("select_placeholder"),
    )
    if pick is None:
        return
    st.subheader(t("training_by_person"))
    with session.connect() as conn:
        people = training.completion_by_person(conn, user, as_of, branch_id=ids[pick])
    show_training_progress(people)


def certificates_tab(user: SignedInUser, as_of: dt.date, person: str | None) -> None:
    """Certificates by state; a `?employee=<no>` link (the trainer's home) shows one person."""
    st.caption(t("training_certs_caption", days=metrics.EXPIRING_DAYS))
    states = [training.EXPIRED, training.EXPIRING, training.VALID]
    shown = st.segmented_control(
        t("training_state_filter"),
        options=states,
        format_func=lambda s: t(f"training_state_{s}"),
        selection_mode="multi",
        default=[training.EXPIRED, training.EXPIRING],
        key="training_states",
    )
    with session.connect() as conn:
        certificates = training.certifications(conn, user, as_of, employee_no=person)
    chosen = certificates.filter(pl.col("state").is_in(shown or states))
    table = chosen.select(
        pl.col("employee_no").alias(t("col_employee_no")),
        pl.col("name").alias(t("col_name")),
        pl.col(f"branch_name_{language()}").alias(t("col_branch")),
        title_column(chosen).alias(t("col_course")),
        iso_day("certified_on").alias(t("col_certified_on")),
        iso_day("expires_on").alias(t("col_expires_on")),
        expiry_column(chosen).alias(t("col_time_left")),
        worded("state", "training_state_", states).alias(t("col_state")),
    ).to_pandas()
    colours = [STATE_COLOURS[state] for state in chosen["state"]]
    styled = table.style.apply(
        lambda column: pd.Series(colours, index=column.index), subset=[t("col_state")]
    )
    st.dataframe(styled, hide_index=True, width="stretch")


# Usage counts change once a day (the usage-aggregate job); the user is part of the key.
@st.cache_data(ttl=EFFECT_TTL_S, show_spinner=False)
def before_after(user: SignedInUser, as_of: dt.date) -> pl.DataFrame:
    with session.connect() as conn:
        return training.before_after(conn, user, as_of)


def effect_tab(user: SignedInUser, as_of: dt.date) -> None:
    st.caption(t("training_effect_caption"))
    effect = before_after(user, as_of)
    shown = effect.filter((pl.col("people_before") > 0) | (pl.col("people_after") > 0))
    if shown.is_empty():
        st.info(t("training_effect_none"), icon=":material/info:")
        return
    st.dataframe(
        shown.select(
            title_column(shown).alias(t("col_course")),
            pl.col("course_code").alias(t("col_code")),
            pl.col("people_before").alias(t("col_people_before")),
            pl.col("before_per_day").round(0).alias(t("col_before")),
            pl.col("people_after").alias(t("col_people_after")),
            pl.col("after_per_day").round(0).alias(t("col_after")),
            signed_pct("change_pct").alias(t("col_change")),
        ),
        hide_index=True,
        width="stretch",
    )
    st.altair_chart(effect_chart(shown), width="stretch")


user = session.require_user()
as_of = session.today()
st.title(t("training_title"))
asked = asked_branch_or_stop(user)
st.caption(t("training_caption", date=day(as_of)))
feedback()
with session.connect() as conn:
    courses = training.courses(conn, user)
    sessions = training.sessions(conn, user)
tab_names = ["catalogue", "sessions", "results", "progress", "certs", "effect"]
person = st.query_params.get("employee")
tabs = st.tabs(
    [t(f"training_tab_{name}") for name in tab_names],
    default=t("training_tab_certs") if person else None,
)
with tabs[0]:
    catalogue(user, courses)
with tabs[1]:
    sessions_tab(user, courses, sessions)
with tabs[2]:
    results_tab(user, courses)
with tabs[3]:
    progress_tab(user, as_of, asked)
with tabs[4]:
    certificates_tab(user, as_of, person)
with tabs[5]:
    effect_tab(user, as_of)
