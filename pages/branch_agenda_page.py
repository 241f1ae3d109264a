"""Agenda completion: branch managers see their branch, executives the firm and any branch.

Today's items as they are worked, beside agenda completion over the 30 days to the latest
completed day: the KPI's figure (data_access.agenda.team_completion, metrics' definition).
"""

import datetime as dt

import altair as alt
import polars as pl
import streamlit as st

from data_access import agenda, kpis
from data_access.core.models import (
    Role,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import charts, kpi_view, session
from ui.format import count, day
from ui.i18n import language, t
from ui.markup import literal

WEEKS = 8
TTL_S = 300


# The whole user is part of each key: a branch's figures never reach another branch's manager.
@st.cache_data(ttl=TTL_S, show_spinner=False)
def by_branch(user: SignedInUser, business_date: dt.date) -> pl.DataFrame:
    with session.connect() as conn:
        return agenda.completion_by_branch(conn, user, business_date)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def team(user: SignedInUser, business_date: dt.date, branch: int | None) -> agenda.TeamCompletion:
    with session.connect() as conn:
        return agenda.team_completion(conn, user, business_date, branch_id=branch)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def by_employee(user: SignedInUser, business_date: dt.date, branch: int | None) -> pl.DataFrame:
    with session.connect() as conn:
        return agenda.completion_by_employee(conn, user, business_date, branch_id=branch)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def by_reason(user: SignedInUser, business_date: dt.date, branch: int | None) -> pl.DataFrame:
    with session.connect() as conn:
        return agenda.completion_by_reason(conn, user, business_date, branch_id=branch)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def by_week(user: SignedInUser, business_date: dt.date, branch: int | None) -> pl.DataFrame:
    with session.connect() as conn:
        return agenda.completion_by_week(conn, user, business_date, weeks=WEEKS, branch_id=branch)


def localized(frame: pl.DataFrame) -> pl.Series:
    return frame["name_ko"] if language() == "ko" else frame["name_en"]


COUNT_LABELS = {
    "items": "col_items",
    "done": "col_done",
    "unreachable": "col_unreachable",
    "snoozed": "col_snoozed",
    "open": "col_open",
    "completion_pct": "col_completion_window",
}


def counts_table(frame: pl.DataFrame, first: dict[str, pl.Series]) -> None:
    table = pl.DataFrame(first).with_columns(
        frame.select(list(COUNT_LABELS)).rename({k: t(v) for k, v in COUNT_LABELS.items()})
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={t("col_completion_window"): st.column_config.NumberColumn(format="%.1f")},
    )


def headline(figures: agenda.TeamCompletion) -> None:
    """Completion over the window, as the KPI shows it; then today's counts."""
    kpi = kpis.KPI_BY_NAME["agenda_completion_pct"]
    columns = st.columns(5)
    columns[0].metric(
        kpi_view.label(kpi),
        kpi_view.value_text(kpi, figures.completion_pct),
        help=kpi_view.definition(kpi),
    )
    columns[1].metric(t("agenda_items"), count(figures.items))
    columns[2].metric(t("col_done"), count(figures.done))
    columns[3].metric(t("col_snoozed"), count(figures.snoozed))
    columns[4].metric(t("col_open"), count(figures.open))


def week_chart(weeks: pl.DataFrame) -> alt.Chart:
    """Each week's items by status; the rate is the headline's alone (one window)."""
    statuses = ["done", "unreachable", "snoozed", "open"]
    names = {status: t(f"col_{status}") for status in statuses}
    long = weeks.unpivot(index="week_start", on=statuses, variable_name="status", value_name="n")
    long = long.with_columns(pl.col("status").replace_strict(names).alias("status"))
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            # One band per week, named as the week it is ("3월 9일 주"), not days on a line.
            x=alt.X(
                "week_start:O",
                title=t("col_week"),
                timeUnit="yearmonthdate",
                axis=alt.Axis(format=charts.period_format("week"), labelAngle=0),
            ),
            y=alt.Y("n:Q", title=t("agenda_items"), axis=charts.y_axis()),
            color=alt.Color(
                "status:N", title=t("col_status_label"), sort=[names[s] for s in statuses]
            ),
            tooltip=[
                alt.Tooltip(
                    "week_start:T", title=t("col_week"), format=charts.period_format("week")
                ),
                alt.Tooltip("status:N", title=t("col_status_label")),
                alt.Tooltip("n:Q", title=t("agenda_items")),
            ],
        )
    )


user = session.require_user()
business_date = session.today()
st.title(t("branch_agenda_title"))

branch: int | None = None
if user.role == Role.EXECUTIVE:
    branches = by_branch(user, business_date)
    names = dict(zip(branches["branch_id"], localized(branches), strict=True))
    choice = st.selectbox(
        t("agenda_branch_pick"),
        options=[None, *names],
        format_func=lambda branch_id: (
            t("agenda_all_branches") if branch_id is None else names[branch_id]
        ),
        key="agenda_branch",
        placeholder=t("select_placeholder"),
    )
    branch = choice
    scope = t("agenda_all_branches") if branch is None else literal(names[branch])
else:
    own = by_employee(user, business_date, None)[f"branch_name_{language()}"].drop_nulls()
    scope = t("scope_branch", branch=literal(own[0]) if own.len() else "")
figures = team(user, business_date, branch)
st.caption(
    t(
        "branch_agenda_window_caption",
        scope=scope,
        date=day(business_date),
        first=day(figures.first_day),
        last=day(figures.last_day),
    )
)
headline(figures)
if figures.items == 0:
    st.info(t("agenda_no_items_today"), icon=":material/info:")
reasons = by_reason(user, business_date, branch)
if not reasons.is_empty():
    if user.role == Role.EXECUTIVE and branch is None:
        st.subheader(t("agenda_by_branch"))
        counts_table(branches, {t("col_branch"): localized(branches)})
    st.subheader(t("agenda_by_employee"))
    staff = by_employee(user, business_date, branch)
    counts_table(
        staff,
        {
            t("col_name"): staff["name"],
            t("col_branch"): staff[f"branch_name_{language()}"],
            t("col_employee_no"): staff["employee_no"],
        },
    )
    st.subheader(t("agenda_by_reason"))
    counts_table(reasons, {t("col_rule"): localized(reasons)})

weeks = by_week(user, business_date, branch)
st.subheader(t("agenda_by_week", weeks=WEEKS))
if weeks.is_empty():
    st.caption(t("agenda_no_items_today"))
else:
    st.altair_chart(week_chart(weeks), width="stretch")
