"""Staff usage: branch managers see their branch, executives and trainers the firm or a branch.

Every figure comes from data_access.usage (the daily aggregates); training status of a branch
manager's own staff comes from data_access.training.
"""

import datetime as dt

import altair as alt
import polars as pl
import streamlit as st

from data_access import kpis, training, usage
from data_access.core import metrics
from data_access.core.branches import (
    branch_for_code,
)
from data_access.core.models import (
    Role,
)
from data_access.core.policy import (
    AccessDenied,
    Action,
    Scope,
    scope_of,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import branch_link, charts, kpi_view, session
from ui.format import count, day, short_day
from ui.i18n import language, t
from ui.markup import literal
from ui.navigation import PAGES
from ui.training_view import show_training_progress, title_column

TTL_S = 300
PERSON_DAYS = 14
CODES = {
    "action_": [action.value for action in usage.UsageAction],
    "role_": [role.value for role in Role],
    "training_state_": [training.EXPIRED, training.EXPIRING, training.VALID],
    "page_": [spec.key for spec in PAGES],
}


# The whole user is part of each key: one branch's figures never reach another's manager.
@st.cache_data(ttl=TTL_S, show_spinner=False)
def adoption(user: SignedInUser, as_of: dt.date, branch: int | None) -> usage.Adoption:
    with session.connect() as conn:
        return usage.adoption(conn, user, as_of, branch_id=branch)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def branches(user: SignedInUser) -> pl.DataFrame:
    with session.connect() as conn:
        return usage.branches_in_scope(conn, user)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def staff_training(user: SignedInUser, as_of: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    with session.connect() as conn:
        return (
            training.completion_by_person(conn, user, as_of, branch_id=user.branch_id),
            training.certifications(conn, user, as_of, branch_id=user.branch_id),
        )


def action_name(action: str) -> str:
    return t(f"action_{action}")


def worded(column: str, prefix: str) -> pl.Expr:
    """A code column in the reader's language; the words are looked up here, in the script
    thread, because polars would call a Python function on threads without the session."""
    words = {code: t(f"{prefix}{code}") for code in CODES[prefix]}
    return pl.col(column).replace_strict(words, default=pl.col(column), return_dtype=pl.String)


def signed_pct(column: str) -> pl.Expr:
    """A percentage change as text ("+12%", "-40%"), blank where there is nothing to compare."""
    whole = pl.col(column).round(0).cast(pl.Int64)
    return (
        pl.when(whole > 0)
        .then(pl.format("+{}%", whole))
        .otherwise(pl.format("{}%", whole))
        .fill_null("")
    )


def days_text(frame: pl.DataFrame, column: str, empty: str = "") -> pl.Series:
    """A date column as the reader's language writes dates (in this thread: the language
    lives in the session, which polars' worker threads do not see)."""
    return pl.Series(
        column, [empty if value is None else day(value) for value in frame[column]], pl.String
    )


def headline(figures: usage.Adoption) -> None:
    columns = st.columns(6)
    columns[0].metric(t("usage_staff"), count(figures.staff))
    columns[1].metric(
        t("usage_per_person_day"),
        # The KPI's figure (usage_per_staff_day) over the same days, read the same way.
        kpi_view.value_text(
            kpis.KPI_BY_NAME["usage_per_staff_day"], figures.actions_per_person_day
        ),
        t("usage_of_norm", pct=figures.vs_norm_pct),
        # The share reads as text; arrow and colour say which side of the norm it is on.
        delta_arrow="up" if figures.vs_norm_pct >= 100 else "down",
        delta_color="normal" if figures.vs_norm_pct >= 100 else "inverse",
    )
    columns[2].metric(t("usage_dau"), f"{figures.dau:,.1f}")
    columns[3].metric(t("usage_wau"), count(figures.wau))
    columns[4].metric(t("usage_mau"), count(figures.mau))
    columns[5].metric(t("usage_stickiness"), f"{figures.stickiness:.0%}")


def people_table(people: pl.DataFrame, progress: pl.DataFrame | None) -> None:
    """Usage per person; for a branch manager, each person's training status beside it."""
    if progress is not None:
        people = people.join(
            progress.select("employee_id", "completion_pct", "overdue", "expired"),
            on="employee_id",
            how="left",
        )
    training_columns = (
        [
            pl.col("completion_pct").round(0).alias(t("col_completion_rate")),
            pl.col("overdue").alias(t("col_overdue")),
            pl.col("expired").alias(t("col_expired")),
        ]
        if progress is not None
        else []
    )
    table = people.select(
        pl.col("name").alias(t("col_name")),
        pl.col(f"branch_name_{language()}").alias(t("col_branch")),
        pl.col("employee_no").alias(t("col_employee_no")),
        worded("role", "role_").alias(t("col_role")),
        pl.col("actions_per_day").round(0).cast(pl.Int64).alias(t("col_per_day")),
        pl.col("vs_norm_pct").round(0).alias(t("col_vs_norm")),
        pl.col("active_days").alias(t("col_active_days")),
        pl.col("features").alias(t("col_features")),
        days_text(people, "last_active").alias(t("col_last_active")),
        signed_pct("change_pct").alias(t("col_change")),
        *training_columns,
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            t("col_vs_norm"): st.column_config.ProgressColumn(
                format="%d%%", min_value=0, max_value=150
            ),
            t("col_completion_rate"): st.column_config.NumberColumn(format="%d%%"),
        },
    )


def coverage_heatmap(figures: usage.Adoption, by_branch: bool) -> alt.Chart:
    features = [action_name(a) for a in usage.UsageAction]
    if by_branch:
        data = usage.coverage_by_branch(figures).with_columns(
            worded("action", "action_").alias("feature"),
            pl.col(f"branch_name_{language()}").alias("who"),
            pl.col("share_pct").round(0).alias("value"),
        )
        value_title = t("col_share_staff")
    else:
        data = figures.coverage.with_columns(
            worded("action", "action_").alias("feature"),
            pl.format("{} · {}", "name", "employee_no").alias("who"),
            pl.col("events").alias("value"),
        )
        value_title = t("col_events")
    base = alt.Chart(data.select("who", "feature", "value")).encode(
        x=alt.X(
            "feature:N",
            title=None,
            sort=features,
            axis=alt.Axis(orient="top", labelAngle=0, labelLimit=120),
        ),
        y=alt.Y("who:N", title=None, axis=alt.Axis(labelLimit=200)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("value:Q", title=value_title, scale=alt.Scale(scheme="blues")),
        tooltip=[
            alt.Tooltip("who:N", title=t("col_employee")),
            alt.Tooltip("feature:N", title=t("col_feature")),
            alt.Tooltip("value:Q", title=value_title),
        ],
    )
    # Counts on the cells, white on the dark ones, so a reader needs no legend lookup.
    dark = data["value"].max() * 0.6 if not data.is_empty() else 0
    labels = base.mark_text(fontSize=11).encode(
        text=alt.Text("value:Q", format=",.0f"),
        color=alt.condition(alt.datum.value > dark, alt.value("white"), alt.value("#1f2937")),
    )
    return alt.layer(cells, labels).properties(height=alt.Step(24))


def trend_chart(weekly: pl.DataFrame) -> alt.LayerChart:
    data = weekly.with_columns(pl.col("week_start").dt.to_string("%m-%d").alias("week"))
    base = alt.Chart(data).encode(
        x=alt.X("week:O", title=t("col_week"), axis=alt.Axis(labelAngle=0))
    )
    bars = base.mark_bar(opacity=0.35, color="#8aa4c8").encode(
        y=alt.Y("active_staff:Q", title=t("col_active_staff"), axis=charts.y_axis()),
        tooltip=[alt.Tooltip("week:O", title=t("col_week")), "active_staff:Q"],
    )
    top = max(data["actions_per_person_day"].max() or 0, metrics.ACTIONS_NORM_PER_DAY) * 1.1
    line = base.mark_line(point=True, color="#1f5fa8").encode(
        y=alt.Y(
            "actions_per_person_day:Q",
            title=t("usage_per_person_day"),
            scale=alt.Scale(domain=[0, top]),
            axis=alt.Axis(titleAngle=0, titleAlign="right", titleAnchor="end", titleY=-8),
        ),
        tooltip=[
            alt.Tooltip("week:O", title=t("col_week")),
            alt.Tooltip("actions_per_person_day:Q", format=".0f"),
        ],
    )
    # The dashed line is named in a legend of its own, so nobody has to guess what it is.
    named = pl.DataFrame(
        {
            "norm": [metrics.ACTIONS_NORM_PER_DAY],
            "what": [t("usage_norm_line", norm=metrics.ACTIONS_NORM_PER_DAY)],
        }
    )
    norm = (
        alt.Chart(named)
        .mark_rule(strokeDash=[4, 4])
        .encode(
            y=alt.Y("norm:Q", title=t("usage_per_person_day")),
            color=alt.Color(
                "what:N",
                scale=alt.Scale(range=["#c0392b"]),
                legend=alt.Legend(title=None, orient="top"),
            ),
        )
    )
    return alt.layer(bars, alt.layer(line, norm)).resolve_scale(y="independent")


def attention(people: pl.DataFrame) -> None:
    idle_section(people)
    paper_section(people)


# The slider reruns only this section: the page's figures above do not change with it.
@st.fragment
def idle_section(people: pl.DataFrame) -> None:
    idle_days = st.slider(t("usage_idle_days"), min_value=1, max_value=30, value=5)
    st.subheader(t("usage_idle", days=idle_days))
    idle = usage.idle_staff(people, idle_days)
    if idle.is_empty():
        st.caption(t("usage_no_idle"))
    else:
        never = t("usage_never", weeks=usage.TREND_WEEKS)
        st.dataframe(
            idle.select(
                pl.col("name").alias(t("col_name")),
                pl.col(f"branch_name_{language()}").alias(t("col_branch")),
                pl.col("employee_no").alias(t("col_employee_no")),
                days_text(idle, "last_active", never).alias(t("col_last_active")),
                pl.col("idle_days").alias(t("col_idle_days")),
            ),
            hide_index=True,
            width="stretch",
        )


def paper_section(people: pl.DataFrame) -> None:
    st.subheader(t("usage_paper"))
    st.caption(t("usage_paper_caption"))
    paper = people.filter("paper_signal")
    if paper.is_empty():
        st.caption(t("usage_no_paper"))
        return
    st.dataframe(
        paper.select(
            pl.col("name").alias(t("col_name")),
            pl.col(f"branch_name_{language()}").alias(t("col_branch")),
            pl.col("employee_no").alias(t("col_employee_no")),
            pl.col("actions_per_day").round(0).cast(pl.Int64).alias(t("col_per_day")),
            pl.col("notes").alias(t("col_notes")),
            pl.col("late_notes").alias(t("col_late_notes")),
            pl.col("closed").alias(t("col_closed")),
            pl.col("closed_without_note").alias(t("col_closed_without_note")),
        ),
        hide_index=True,
        width="stretch",
    )


def decliners(people: pl.DataFrame) -> None:
    st.subheader(t("usage_decliners"))
    st.caption(t("usage_decliners_caption", pct=usage.DECLINE_PCT))
    falling = usage.declining_staff(people)
    if falling.is_empty():
        st.caption(t("usage_no_decliners"))
        return
    st.dataframe(
        falling.select(
            pl.col("name").alias(t("col_name")),
            pl.col(f"branch_name_{language()}").alias(t("col_branch")),
            pl.col("employee_no").alias(t("col_employee_no")),
            pl.col("before_per_day").round(0).alias(t("col_before_per_day")),
            pl.col("recent_per_day").round(0).alias(t("col_recent_per_day")),
            signed_pct("change_pct").alias(t("col_change")),
        ),
        hide_index=True,
        width="stretch",
    )


# Picking a person reruns only this section.
@st.fragment
def one_person(user: SignedInUser, people: pl.DataFrame, as_of: dt.date) -> None:
    branch = f"branch_name_{language()}"
    labels = {
        row["employee_id"]: f"{row['name']} · {row['employee_no']} ({row[branch]})"
        for row in people.iter_rows(named=True)
    }
    if not labels:
        return
    chosen = st.selectbox(
        t("usage_person_pick"),
        options=list(labels),
        format_func=labels.get,
        key="usage_person",
        placeholder=t("select_placeholder"),
    )
    try:
        with session.connect() as conn:
            activity = usage.employee_activity(conn, user, chosen, as_of, days=PERSON_DAYS)
    except AccessDenied:
        st.error(t("usage_out_of_scope"))
        return
    st.subheader(t("usage_person_daily", days=PERSON_DAYS))
    if activity.daily.is_empty():
        st.caption(t("usage_person_none"))
    else:
        days = sorted(set(activity.daily["day"]))
        labels = [short_day(value) for value in days]
        daily = activity.daily.with_columns(
            worded("action", "action_").alias("feature"),
            pl.col("day").replace_strict(days, labels, return_dtype=pl.String).alias("date"),
        )
        domain = [0, max(activity.busiest_day_actions, metrics.ACTIONS_NORM_PER_DAY) * 1.1]
        bars = (
            alt.Chart(daily)
            .mark_bar()
            .encode(
                x=alt.X("date:O", title=t("col_day"), sort=labels, axis=alt.Axis(labelAngle=0)),
                y=alt.Y("events:Q", title=t("col_actions"), scale=alt.Scale(domain=domain)),
                color=alt.Color("feature:N", title=t("col_feature")),
                tooltip=[
                    alt.Tooltip("date:O", title=t("col_day")),
                    alt.Tooltip("feature:N", title=t("col_feature")),
                    alt.Tooltip("events:Q", title=t("col_actions")),
                ],
            )
        )
        norm = (
            alt.Chart(daily)
            .mark_rule(strokeDash=[4, 4], color="#c0392b")
            .encode(y=alt.datum(metrics.ACTIONS_NORM_PER_DAY))
        )
        st.altair_chart(alt.layer(bars, norm), width="stretch")
    st.subheader(t("usage_person_recent"))
    shown = [
        pl.col("occurred_at").dt.strftime("%Y-%m-%d %H:%M").alias(t("col_when")),
        worded("action", "action_").alias(t("col_feature")),
        worded("page", "page_").fill_null("—").alias(t("col_page")),
    ]
    if "target" in activity.recent.columns:
        shown.append(pl.col("target").alias(t("usage_col_target")))
    st.dataframe(
        activity.recent.select(shown),
        hide_index=True,
        width="stretch",
    )


def training_status(user: SignedInUser, as_of: dt.date) -> None:
    st.caption(t("usage_training_caption"))
    progress, certificates = staff_training(user, as_of)
    show_training_progress(progress)
    due = certificates.filter(pl.col("state") != training.VALID)
    if not due.is_empty():
        st.dataframe(
            due.select(
                pl.col("name").alias(t("col_name")),
                title_column(due).alias(t("col_course")),
                days_text(due, "expires_on").alias(t("col_expires_on")),
                worded("state", "training_state_").alias(t("col_state")),
            ),
            hide_index=True,
            width="stretch",
        )


def asked_branch_or_stop(user: SignedInUser) -> int | None:
    """The branch a `?branch=<code>` link asks for, if the user's usage scope reaches it."""
    code = branch_link.asked_code()
    if code is None:
        return None

    def resolve() -> int:
        with session.connect() as conn:
            return branch_for_code(conn, user, code, Action.USAGE_READ).id

    return branch_link.resolve_or_stop(
        resolve,
        refused=t("usage_out_of_scope"),
        back=t("usage_own_branch") if user.branch_id else t("usage_all_branches"),
    )


user = session.require_user()
as_of = session.today()
st.title(t("usage_title"))

asked = asked_branch_or_stop(user)
branch: int | None = None
firm_wide = scope_of(user, Action.USAGE_READ) is Scope.FIRM
if firm_wide:
    options = branches(user)
    names = dict(
        zip(options["id"], options["name_ko" if language() == "ko" else "name_en"], strict=True)
    )
    choices = [None, *names]
    branch = st.selectbox(
        t("usage_branch_pick"),
        options=choices,
        index=choices.index(asked) if asked in names else 0,
        format_func=lambda b: t("usage_all_branches") if b is None else names[b],
        key="usage_branch",
        placeholder=t("select_placeholder"),
    )
    scope = t("usage_all_branches") if branch is None else literal(names[branch])
else:
    branch = user.branch_id
    own = branches(user)
    scope = t("scope_branch", branch=literal(own[f"name_{language()}"].first() or ""))
try:
    figures = adoption(user, as_of, branch)
except AccessDenied:
    st.error(t("usage_out_of_scope"))
    st.stop()
st.caption(
    t(
        "usage_caption",
        scope=scope,
        days=metrics.WINDOW_DAYS,
        first=day(figures.first_day),
        last=day(figures.last_day),
        norm=metrics.ACTIONS_NORM_PER_DAY,
    )
)
if figures.mau == 0:
    st.info(t("usage_no_data"), icon=":material/info:")
headline(figures)

tab_names = ["people", "coverage", "trend", "attention", "person"]
if not firm_wide:
    tab_names.append("training")
tabs = dict(zip(tab_names, st.tabs([t(f"usage_tab_{name}") for name in tab_names]), strict=True))
with tabs["people"]:
    people_table(figures.people, None if firm_wide else staff_training(user, as_of)[0])
with tabs["coverage"]:
    by_branch = firm_wide and branch is None
    st.caption(
        t("usage_coverage_branch_caption")
        if by_branch
        else t("usage_coverage_caption", days=metrics.WINDOW_DAYS)
    )
    if not figures.coverage.is_empty():
        st.altair_chart(coverage_heatmap(figures, by_branch), width="stretch")
with tabs["trend"]:
    st.caption(t("usage_trend_caption"))
    if not figures.weekly.is_empty():
        st.altair_chart(trend_chart(figures.weekly), width="stretch")
    decliners(figures.people)
with tabs["attention"]:
    attention(figures.people)
with tabs["person"]:
    one_person(user, figures.people, as_of)
if "training" in tabs:
    with tabs["training"]:
        training_status(user, as_of)
