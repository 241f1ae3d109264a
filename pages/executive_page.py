"""Executive KPIs: tiles, trend, branch league table, regions, and drill-down into a branch.

Everything shown comes from the KPI snapshots (data_access.kpis), up to the latest completed
day, finished there (periods, league and region tables): this page lays them out.
`?branch=<code>` opens one branch. A branch manager sees their own branch here and is
refused any other.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

import altair as alt
import polars as pl
import streamlit as st
from sqlalchemy import Connection

from data_access import agenda, exports, kpis
from data_access.core.errors import (
    DomainError,
)
from data_access.core.policy import (
    Action,
    permits,
    permits_granted,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import branch_link, charts, kpi_view, session
from ui.failures import guarded
from ui.feedback import refusal_text, show_refusal
from ui.format import day
from ui.i18n import language, t, tn
from ui.markup import literal

TTL_S = 300
DEFAULT_RANGE_DAYS = 365
HEADLINE = [kpi.name for kpi in kpis.KPIS]
# One tick per month or quarter: Vega's own picks would repeat a month's label.
AXIS_TICKS = {
    "month": {"interval": "month", "step": 1},
    "quarter": {"interval": "month", "step": 3},
}


# The whole user is part of every key: one user's figures never reach another's session.
@st.cache_data(ttl=TTL_S, show_spinner=False)
def scope_of(user: SignedInUser, branch_code: str | None) -> kpis.KpiScope:
    with session.connect() as conn:
        return kpis.scope_for(conn, user, branch_code)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def snapshot_span(user: SignedInUser, today: dt.date) -> tuple[dt.date, dt.date] | None:
    with session.connect() as conn:
        return kpis.snapshot_span(conn, user, today)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def period_view(
    user: SignedInUser, branch_code: str | None, start: dt.date, end: dt.date, period: str
) -> kpis.PeriodView:
    with session.connect() as conn:
        return kpis.period_view(conn, user, start, end, period, branch_code=branch_code)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def compared_periods(
    user: SignedInUser, branch_code: str | None, period: str, end: dt.date
) -> kpis.PeriodComparison | None:
    with session.connect() as conn:
        return kpis.period_comparison(conn, user, period, end, branch_code=branch_code)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def league(
    user: SignedInUser, kpi: str, start: dt.date, end: dt.date, period: str, language: str
) -> pl.DataFrame:
    with session.connect() as conn:
        return kpis.league_table(conn, user, kpi, start, end, period, language=language)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def regions(user: SignedInUser, kpi: str, end: dt.date) -> kpis.RegionView:
    with session.connect() as conn:
        return kpis.region_view(conn, user, kpi, end)


@st.cache_data(ttl=TTL_S, show_spinner=False)
def target_values(user: SignedInUser) -> dict[str, float]:
    with session.connect() as conn:
        return kpis.targets(conn, user)


def branch_scope_or_stop(user: SignedInUser) -> kpis.KpiScope:
    return branch_link.resolve_or_stop(
        lambda: scope_of(user, branch_link.asked_code()),
        refused=t("kpi_branch_refused"),
        back=t("kpi_own_branch") if user.branch_id else t("kpi_back_to_firm"),
    )


def pick_range(first: dt.date, latest: dt.date) -> tuple[str, dt.date, dt.date]:
    left, right = st.columns([2, 3])
    with left:
        period = st.segmented_control(
            t("kpi_period"),
            options=list(kpis.PERIODS),
            format_func=lambda p: t(f"kpi_period_{p}"),
            default="month",
            key="kpi_period",
        )
    with right:
        picked = st.date_input(
            t("kpi_range"),
            value=(max(first, latest - dt.timedelta(days=DEFAULT_RANGE_DAYS)), latest),
            max_value=latest,
            key="kpi_range",
        )
    if not isinstance(picked, tuple) or len(picked) != 2:
        st.info(t("kpi_range_incomplete"), icon=":material/date_range:")
        st.stop()
    return period or "month", picked[0], picked[1]


def kpi_label(name: str) -> str:
    return kpi_view.label(kpis.KPI_BY_NAME[name])


def show_tiles(
    trends: dict[str, list[float]],
    comparison: kpis.PeriodComparison,
    targets: dict[str, float],
    branch: bool,
) -> None:
    """The latest period's tiles, each changed against the previous period like for like."""
    if branch:
        targets = {k: v for k, v in targets.items() if kpis.KPI_BY_NAME[k].per_branch_target}
    period = comparison.period
    shown = kpi_view.period_label(comparison.start, period)
    if period != "day":
        shown = t("kpi_period_to_date", period=shown, date=day(comparison.end))
    st.subheader(t("kpi_tiles", period=shown))
    flows = t(
        "kpi_vs_span",
        latest=kpi_view.span(comparison.start, comparison.end),
        previous=kpi_view.span(comparison.previous_start, comparison.previous_end),
    )
    ends = t(
        "kpi_vs_close", day=kpi_view.span(comparison.previous_close, comparison.previous_close)
    )
    st.caption(t("kpi_tiles_caption_like_for_like", flows=flows, ends=ends))
    # A tile's small print is its target only: the caption says what each change is against,
    # and a date span there would be cut off.
    kpi_view.tiles(
        comparison.latest, comparison.previous, targets, kpi_view.HEADLINE_KPIS, trends=trends
    )
    others = [name for name in HEADLINE if name not in kpi_view.HEADLINE_KPIS]
    with st.expander(t("kpi_more_tiles", count=len(others))):
        kpi_view.tiles(comparison.latest, comparison.previous, targets, others, trends=trends)


def trend_chart(
    series: pl.DataFrame, name: str, target: float | None, period: str
) -> alt.LayerChart:
    kpi = kpis.KPI_BY_NAME[name]
    title = kpi_view.label(kpi)
    shown = series.with_columns(
        pl.Series("text", [kpi_view.value_text(kpi, v) for v in series["value"]], pl.String)
    )
    base = alt.Chart(shown).encode(
        x=alt.X(
            "period_start:T",
            title=t("col_period"),
            axis=alt.Axis(
                format=charts.period_format(period),
                tickCount=AXIS_TICKS.get(period, alt.Undefined),
            ),
        ),
        y=alt.Y("value:Q", title=title, axis=value_axis(kpi)),
        tooltip=[
            alt.Tooltip(
                "period_start:T", title=t("col_period"), format=charts.period_format(period)
            ),
            alt.Tooltip("text:N", title=title),
        ],
    )
    # Missing days break the line instead of joining across them or dropping to zero.
    layers = [base.mark_line(point=True, invalid="break-paths-show-domains")]
    if target is not None:
        layers.append(
            alt.Chart(target_frame(kpi, target))
            .mark_rule(strokeDash=[6, 4], color="#c0392b")
            .encode(y="target:Q", tooltip=[alt.Tooltip("text:N", title=t("col_target"))])
        )
    return alt.layer(*layers)


def target_frame(kpi: kpis.Kpi, target: float) -> pl.DataFrame:
    return pl.DataFrame({"target": [target], "text": [kpi_view.value_text(kpi, target)]})


def value_axis(kpi: kpis.Kpi, *, vertical: bool = True) -> alt.Axis:
    """Won in 억/조 (B/T), other values as numbers; a vertical title reads horizontally."""
    if kpi.unit is kpis.Unit.KRW:
        return charts.krw_axis(vertical=vertical)
    return charts.y_axis() if vertical else alt.Axis()


def show_trend(periods: pl.DataFrame, period: str, targets: dict[str, float], missing: int) -> None:
    st.subheader(t("kpi_trend"))
    name = st.selectbox(
        t("kpi_pick"),
        HEADLINE,
        format_func=kpi_label,
        key="kpi_trend_pick",
        placeholder=t("select_placeholder"),
    )
    st.caption(kpi_view.definition(kpis.KPI_BY_NAME[name]))
    series = periods.filter(pl.col("kpi") == name).select("period_start", "value")
    st.altair_chart(trend_chart(series, name, targets.get(name), period), width="stretch")
    if missing:
        st.caption(tn("kpi_gaps", missing, days=missing))


def labelled(wide: pl.DataFrame, period: str) -> pl.DataFrame:
    """The periods table (kpis.PeriodView.wide) with the reader's period and KPI names."""
    return wide.select(
        pl.col("period_start")
        .map_elements(lambda d: kpi_view.period_label(d, period), pl.String)
        .alias(t("col_period")),
        *(pl.col(name).alias(kpi_label(name)) for name in wide.columns[1:]),
    )


@guarded
def prepare_export(
    user: SignedInUser, scope: kpis.KpiScope, frame: pl.DataFrame, what: str
) -> None:
    """Make the file on the button's click: the grant and the reason are checked, and audited."""
    try:
        with session.connect() as conn:
            exported = kpis.export_table(
                conn,
                user,
                frame,
                what=what,
                branch_code=scope.branch_code,
                reason=st.session_state.get(f"kpi_export_reason_{what}", ""),
            )
            conn.commit()
    except DomainError as refused:
        st.session_state[f"kpi_export_problem_{what}"] = refusal_text(refused)
        return
    st.session_state[f"kpi_export_file_{what}"] = (frame, exported)


def export_panel(user: SignedInUser, scope: kpis.KpiScope, frame: pl.DataFrame, what: str) -> None:
    """`frame` as CSV, for those an admin granted exports, once they say why (audited)."""
    if not permits(user, Action.EXPORT, branch_id=scope.branch_id):
        return
    with session.connect() as conn:
        granted = permits_granted(conn, user, Action.EXPORT, branch_id=scope.branch_id)
    if not granted:
        st.caption(t("kpi_export_no_grant"))
        return
    label = t("kpi_export" if what == "periods" else "kpi_export_league")
    with st.popover(label, icon=":material/download:"):
        st.text_input(
            t("kpi_export_reason"),
            key=f"kpi_export_reason_{what}",
            max_chars=exports.REASON_MAX_CHARS,
        )
        st.button(
            t("kpi_export_prepare"),
            on_click=prepare_export,
            args=(user, scope, frame, what),
            key=f"kpi_export_prepare_{what}",
        )
        if problem := st.session_state.pop(f"kpi_export_problem_{what}", None):
            st.error(problem)
        ready = st.session_state.get(f"kpi_export_file_{what}")
        if ready is not None and ready[0].equals(frame):  # a file of the table still shown
            st.download_button(
                t("kpi_export_download"),
                data=ready[1].data,
                file_name=ready[1].file_name,
                mime=ready[1].mime,
                icon=":material/download:",
                on_click="ignore",
                key=f"kpi_export_{what}",
            )


def league_table(
    user: SignedInUser, scope: kpis.KpiScope, name: str, start: dt.date, end: dt.date, period: str
) -> None:
    table = league(user, name, start, end, period, language())
    kpi = kpis.KPI_BY_NAME[name]
    st.subheader(t("kpi_league"))
    st.caption(t("kpi_league_caption", date=day(end), kpi=kpi_view.label(kpi)))
    columns = {
        "name": st.column_config.TextColumn(t("col_branch_name")),
        "region": st.column_config.TextColumn(t("col_region")),
        "trend": st.column_config.LineChartColumn(t("col_trend"), width="medium"),
        "code": st.column_config.TextColumn(t("col_branch_code")),
        **kpi_columns(table.columns[3:-1]),
    }
    shown = (
        kpi_view.as_text(table, table.columns[3:-1])
        .with_columns(kpi_view.region_names(table["region"]))
        .select("name", "region", *table.columns[3:-1], "trend", "code")
    )
    picked = st.dataframe(
        shown,
        column_config=columns,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="kpi_league_table",
    )
    rows = picked.selection.rows if picked else []
    if rows:
        st.query_params["branch"] = table["code"][rows[0]]
        st.rerun()
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    labels = dict(zip(table["code"], table["name"], strict=True))

    @guarded
    def open_branch() -> None:
        st.query_params["branch"] = st.session_state["kpi_open_branch"]

    left.selectbox(
        t("kpi_open_branch"),
        options=sorted(labels),
        index=None,
        format_func=lambda code: f"{labels[code]} ({code})",
        placeholder=t("kpi_open_branch_placeholder"),
        on_change=open_branch,
        key="kpi_open_branch",
    )
    with right:
        export_panel(user, scope, table.drop("trend"), "league")


def kpi_columns(names: list[str]) -> dict[str, Any]:
    """Columns titled and explained like the tiles, for the league and region tables (their
    values written as kpi_view.table_text: won in 억/조, never raw digits)."""
    return {
        name: st.column_config.TextColumn(
            kpi_label(name), help=kpi_view.definition(kpis.KPI_BY_NAME[name])
        )
        for name in names
    }


def region_view(user: SignedInUser, name: str, end: dt.date) -> None:
    view = regions(user, name, end)
    st.subheader(t("kpi_regions"))
    if view.table.is_empty():
        st.caption(t("kpi_empty_range", start=day(end), end=day(end)))
        return
    kpi = kpis.KPI_BY_NAME[name]
    chosen = view.chart.with_columns(
        pl.Series("text", [kpi_view.value_text(kpi, v) for v in view.chart["value"]], pl.String),
        kpi_view.region_names(view.chart["scope_key"]),
    )
    chart = (
        alt.Chart(chosen)
        .mark_bar(color="#1f5fa8")
        .encode(
            x=alt.X("value:Q", title=kpi_view.label(kpi), axis=value_axis(kpi, vertical=False)),
            y=alt.Y("scope_key:N", title=t("col_region"), sort="-x", axis=charts.y_axis()),
            tooltip=[
                alt.Tooltip("scope_key:N", title=t("col_region")),
                alt.Tooltip("text:N", title=kpi_view.label(kpi)),
            ],
        )
    )
    left, right = st.columns(2)
    left.altair_chart(chart, width="stretch")
    right.dataframe(
        kpi_view.as_text(view.table, view.table.columns[1:]).with_columns(
            kpi_view.region_names(view.table["scope_key"])
        ),
        column_config={
            "scope_key": st.column_config.TextColumn(t("col_region")),
            **kpi_columns(view.table.columns[1:]),
        },
        hide_index=True,
        width="stretch",
    )


def branch_staff(user: SignedInUser, scope: kpis.KpiScope, today: dt.date) -> None:
    if not permits(user, Action.AGENDA_TEAM_READ, branch_id=scope.branch_id):
        return
    st.subheader(t("kpi_branch_staff"))
    with session.connect() as conn:
        staff = agenda.completion_by_employee(conn, user, today, branch_id=scope.branch_id)
    if staff.is_empty():
        st.caption(t("kpi_no_agenda", date=day(today)))
        return
    st.caption(t("kpi_branch_staff_window_caption", date=day(today)))
    st.dataframe(
        staff.select(
            pl.col("employee_no").alias(t("col_employee_no")),
            pl.col("name").alias(t("col_name")),
            pl.col("items").alias(t("col_items")),
            pl.col("done").alias(t("col_done")),
            pl.col("unreachable").alias(t("col_unreachable")),
            pl.col("snoozed").alias(t("col_snoozed")),
            pl.col("open").alias(t("col_open")),
            pl.col("completion_pct").alias(t("col_completion_window")),
        ),
        hide_index=True,
        width="stretch",
        column_config={t("col_completion_window"): st.column_config.NumberColumn(format="%.1f")},
    )


def settings_section(user: SignedInUser, targets: dict[str, float]) -> None:
    """Administrators: the firm's targets and the DM/TM per-piece costs, audited on save."""
    if not permits(user, Action.KPI_TARGETS_WRITE):
        return
    with st.expander(t("kpi_settings"), icon=":material/tune:"):
        st.caption(t("kpi_settings_caption"))
        with session.connect() as conn:
            costs = kpis.parameters(conn, user)
        left, right = st.columns(2)
        with left.form("kpi_target_form"):
            name = st.selectbox(
                t("kpi_pick"),
                HEADLINE,
                format_func=kpi_label,
                key="kpi_target_kpi",
                placeholder=t("select_placeholder"),
            )
            value = st.number_input(
                t("kpi_target_value"), min_value=0.0, value=None, step=1.0, key="kpi_target_value"
            )
            if st.form_submit_button(t("kpi_save_target"), key="kpi_target_save"):
                save(
                    lambda conn: kpis.save_target(conn, user, name, value),
                    value,
                    t("kpi_target_saved", kpi=kpi_label(name), value=f"{value or 0:,g}"),
                )
        with right.form("kpi_parameter_form"):
            cost = st.selectbox(
                t("kpi_parameter"),
                list(costs),
                format_func=lambda n: t(f"kpi_parameter_{n}"),
                placeholder=t("select_placeholder"),
            )
            amount = st.number_input(
                t("kpi_parameter_value"), min_value=0.0, value=None, step=100.0
            )
            if st.form_submit_button(t("kpi_save_parameter")):
                save(
                    lambda conn: kpis.save_parameter(conn, user, cost, amount),
                    amount,
                    t(
                        "kpi_parameter_saved",
                        name=t(f"kpi_parameter_{cost}"),
                        value=f"{amount or 0:,g}",
                    ),
                )
        if targets:
            st.dataframe(
                pl.DataFrame(
                    {
                        t("col_kpi"): [kpi_label(k) for k in targets],
                        t("col_target"): [
                            kpi_view.value_text(kpis.KPI_BY_NAME[k], v) for k, v in targets.items()
                        ],
                    }
                ),
                hide_index=True,
            )
        st.dataframe(
            pl.DataFrame(
                {
                    t("kpi_parameter"): [t(f"kpi_parameter_{n}") for n in costs],
                    t("kpi_parameter_value"): [f"{v:,.0f}" for v in costs.values()],
                }
            ),
            hide_index=True,
        )


def save(action: Callable[[Connection], None], value: float | None, saved: str) -> None:
    """Run one audited save and say `saved`; a missing or refused value gets a sentence."""
    if value is None:
        st.error(t("kpi_setting_rejected"), icon=":material/error:")
        return
    try:
        with session.connect() as conn:
            action(conn)
    except DomainError as refused:
        show_refusal(refused)
        return
    target_values.clear()  # costs need no clearing: they reach pages through the next snapshot
    st.success(saved, icon=":material/check:")


user = session.require_user()
today = session.today()
scope = branch_scope_or_stop(user)
title = (
    t("kpi_title_firm")
    if scope.kind == kpis.FIRM
    else t("kpi_title_branch", branch=f"{literal(scope.name(language()))} ({literal(scope.key)})")
)
st.title(title)
span = snapshot_span(user, today)
if span is None:
    st.info(t("kpi_no_snapshots"), icon=":material/hourglass_empty:")
    st.stop()
first, latest = span
back = scope.kind == kpis.BRANCH and kpis.sees_firm(user)
if back and st.button(t("kpi_back_to_firm"), icon=":material/arrow_back:"):
    st.query_params.clear()
    st.rerun()
period, start, end = pick_range(first, latest)
st.caption(t("kpi_caption", start=day(start), end=day(end), latest=day(latest)))
view = period_view(user, scope.branch_code, start, end, period)
last_shown = view.last_day
if last_shown is None:
    st.info(t("kpi_empty_range", start=day(start), end=day(end)), icon=":material/info:")
    st.stop()
targets = target_values(user)
comparison = compared_periods(user, scope.branch_code, period, last_shown)
if comparison is not None:
    show_tiles(view.trends, comparison, targets, scope.kind == kpis.BRANCH)
show_trend(view.periods, period, targets, view.missing_days)
export_panel(user, scope, labelled(view.wide, period), "periods")
chosen = st.session_state.get("kpi_trend_pick", HEADLINE[0])
if scope.kind == kpis.FIRM:
    league_table(user, scope, chosen, start, last_shown, period)
    region_view(user, chosen, last_shown)
else:
    branch_staff(user, scope, today)
settings_section(user, targets)
