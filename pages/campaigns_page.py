"""DM/TM campaigns: draw a sample of a saved segment with a control group, then work it.

One tab creates a campaign (preview, then draw); the other shows a campaign's targets, its
export, the outcome import and the report of contacted against control.
"""

from typing import Any

import altair as alt
import polars as pl
import streamlit as st

from data_access import campaigns, exports, segments
from data_access.core.errors import (
    DomainError,
)
from data_access.core.policy import (
    Action,
    Scope,
    permits_granted,
    scope_of,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import features_copy, session
from ui.failures import guarded
from ui.feedback import refusal_text, show_refusal
from ui.format import count, day, krw
from ui.i18n import t, tn
from ui.markup import sentence

FEEDBACK_KEY = "camp_feedback"
EXPORT_KEY = "camp_export_file"
DEFAULT_COST = {"dm": 1_500, "tm": 3_000}


def show_feedback() -> None:
    feedback = st.session_state.pop(FEEDBACK_KEY, None)
    if feedback:
        level, message = feedback
        {"success": st.success, "error": st.error, "info": st.info}[level](message)


def plan_from_state(segment_id: int, version: int) -> campaigns.CampaignPlan:
    state = st.session_state
    by_rate = state.get("camp_size_mode") == "rate"
    strata = state.get("camp_strata")
    return campaigns.CampaignPlan(
        name=state.get("camp_name", ""),
        segment_id=segment_id,
        segment_version=version,
        channel=state.get("camp_channel") or "dm",
        control_pct=int(state.get("camp_control_pct", 10)),
        seed=int(state.get("camp_seed", 0)),
        cost_per_piece_krw=int(state.get("camp_cost", 0)),
        sample_size=None if by_rate else int(state.get("camp_size") or 0),
        sample_rate_pct=float(state.get("camp_rate") or 0) if by_rate else None,
        stratify_by=None if strata == "none" else strata,
    )


def show_strata(eligible: pl.DataFrame, drawn: pl.DataFrame, stratify_by: str | None) -> None:
    table = campaigns.strata_summary(eligible, drawn, stratify_by)
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "stratum": t("camp_col_stratum"),
            "eligible": st.column_config.NumberColumn(t("camp_eligible"), format="localized"),
            "contacted": st.column_config.NumberColumn(t("camp_contacted"), format="localized"),
            "control": st.column_config.NumberColumn(t("camp_control"), format="localized"),
        },
    )


def new_campaign(user: SignedInUser, copy: segments.FeatureCopy) -> None:
    with session.connect() as conn:
        saved = segments.list_segments(conn, user)
    if saved.is_empty():
        st.info(t("camp_no_segments"), icon=":material/filter_alt:")
        return
    names = {row["segment_id"]: row for row in saved.iter_rows(named=True)}
    st.text_input(t("camp_name"), key="camp_name", max_chars=campaigns.NAME_MAX_CHARS)
    segment, version = st.columns([3, 1])
    segment_id = segment.selectbox(
        t("camp_segment"),
        list(names),
        format_func=lambda sid: f"{names[sid]['name']} · {names[sid]['owner_name']}",
        key="camp_segment",
        placeholder=t("select_placeholder"),
    )
    latest = names[segment_id]["version"]
    chosen_version = version.selectbox(
        t("camp_version"),
        list(range(latest, 0, -1)),
        key=f"camp_version_{segment_id}",
        placeholder=t("select_placeholder"),
    )
    channel, strata = st.columns(2)
    picked_channel = (
        channel.segmented_control(
            t("camp_channel"),
            list(campaigns.CHANNELS),
            format_func={code: t(f"camp_channel_{code}") for code in campaigns.CHANNELS}.get,
            default="dm",
            key="camp_channel",
        )
        or "dm"
    )
    strata.selectbox(
        t("camp_strata"),
        ["none", *campaigns.STRATA],
        format_func={code: t(f"camp_strata_{code}") for code in ["none", *campaigns.STRATA]}.get,
        key="camp_strata",
        placeholder=t("select_placeholder"),
    )
    mode, size = st.columns(2)
    by = mode.segmented_control(
        t("camp_size_mode"),
        ["size", "rate"],
        format_func={"size": t("camp_by_size"), "rate": t("camp_by_rate")}.get,
        default="size",
        key="camp_size_mode",
    )
    if by == "rate":
        size.number_input(t("camp_rate"), 0.1, 100.0, 10.0, step=0.5, key="camp_rate")
    else:
        size.number_input(t("camp_size"), 1, 10_000_000, 1_000, step=100, key="camp_size")
    control, seed, cost = st.columns(3)
    control.slider(t("camp_control_pct"), 0, 50, 10, key="camp_control_pct")
    seed.number_input(
        t("camp_seed"), 0, campaigns.MAX_SEED, 20260101, help=t("camp_seed_help"), key="camp_seed"
    )
    cost.number_input(
        t("camp_cost"), 0, 1_000_000, DEFAULT_COST[picked_channel], step=100, key="camp_cost"
    )
    st.caption(t("camp_consent_note", channel=picked_channel.upper()))
    preview, draw = st.columns(2)
    if preview.button(t("camp_preview"), icon=":material/visibility:"):
        try:
            with session.connect() as conn:
                preview = campaigns.preview_draw(
                    conn, user, copy, plan_from_state(segment_id, chosen_version)
                )
        except DomainError as refused:
            show_refusal(refused)
        else:
            show_draw_numbers(preview.eligible.height, preview.drawn)
            show_exclusions(preview.excluded)
            show_strata(
                preview.eligible,
                preview.drawn,
                plan_from_state(segment_id, chosen_version).stratify_by,
            )
    if draw.button(t("camp_draw"), type="primary", icon=":material/casino:"):
        try:
            with session.connect() as conn:
                made = campaigns.create_campaign(
                    conn,
                    user,
                    copy,
                    plan_from_state(segment_id, chosen_version),
                    started_on=session.today(),
                )
                conn.commit()
        except DomainError as refused:
            show_refusal(refused)
        else:
            st.success(
                t(
                    "camp_created",
                    id=made.campaign_id,
                    contacted=count(made.contacted),
                    control=count(made.control),
                )
            )
            st.session_state["camp_pick"] = made.campaign_id


def show_draw_numbers(eligible: int, drawn: pl.DataFrame) -> None:
    contacted, control = campaigns.arm_sizes(drawn)
    columns = st.columns(3)
    columns[0].metric(t("camp_eligible"), count(eligible))
    columns[1].metric(t("camp_contacted"), count(contacted))
    columns[2].metric(t("camp_control"), count(control))


def show_exclusions(excluded: dict[str, int]) -> None:
    """How many of the segment were left out before sampling, and why."""
    st.caption(t("camp_excluded", **{reason: count(n) for reason, n in excluded.items()}))


def percent(value: float | None) -> str:
    return t("camp_na") if value is None else f"{value:.1%}"


def rate_text(rate: campaigns.Rate) -> str:
    return t(
        "camp_rate_ci", rate=percent(rate.rate), low=percent(rate.low), high=percent(rate.high)
    )


def uplift_text(lift: campaigns.Uplift) -> str:
    return t(
        "camp_uplift_ci",
        diff=f"{lift.difference * 100:+.1f}",
        low=f"{lift.low * 100:+.1f}",
        high=f"{lift.high * 100:+.1f}",
    )


def rates_chart(report: campaigns.CampaignReport) -> alt.LayerChart:
    rows = []
    for measure, pair in (
        (t("camp_response"), (report.response_contacted, report.response_control)),
        (t("camp_conversion"), (report.conversion_contacted, report.conversion_control)),
    ):
        for arm, rate in zip((t("camp_arm_contact"), t("camp_arm_control")), pair, strict=True):
            rows.append(
                {
                    "measure": measure,
                    "arm": arm,
                    "rate": rate.rate,
                    "low": rate.low,
                    "high": rate.high,
                }
            )
    data = pl.DataFrame(rows)
    base = alt.Chart(data).encode(
        y=alt.Y("arm:N", title=None), color=alt.Color("arm:N", title=None, legend=None)
    )
    bars = base.mark_bar().encode(
        x=alt.X("rate:Q", title=None, axis=alt.Axis(format="%")),
        tooltip=["measure:N", "arm:N", alt.Tooltip("rate:Q", format=".1%")],
    )
    whiskers = base.mark_rule(color="black").encode(x="low:Q", x2="high:Q")
    return (
        (bars + whiskers)
        .properties(height=90)
        .facet(
            row=alt.Row("measure:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left"))
        )
    )


def show_report(user: SignedInUser, campaign_id: int) -> None:
    with session.connect() as conn:
        report = campaigns.campaign_report(conn, user, campaign_id, as_of=session.today())
    st.subheader(t("camp_report"), divider="gray")
    st.caption(t("camp_report_caption", start=day(report.started_on), as_of=day(report.as_of)))
    columns = st.columns(3)
    columns[0].metric(
        t("camp_response") + " · " + t("camp_arm_contact"), percent(report.response_contacted.rate)
    )
    columns[0].caption(rate_text(report.response_contacted))
    columns[1].metric(
        t("camp_response") + " · " + t("camp_arm_control"), percent(report.response_control.rate)
    )
    columns[1].caption(rate_text(report.response_control))
    columns[2].metric(t("camp_uplift"), f"{report.response_uplift.difference * 100:+.1f}%p")
    columns[2].caption(uplift_text(report.response_uplift))
    columns = st.columns(3)
    columns[0].metric(
        t("camp_conversion") + " · " + t("camp_arm_contact"),
        percent(report.conversion_contacted.rate),
    )
    columns[0].caption(rate_text(report.conversion_contacted))
    columns[1].metric(
        t("camp_conversion") + " · " + t("camp_arm_control"),
        percent(report.conversion_control.rate),
    )
    columns[1].caption(rate_text(report.conversion_control))
    columns[2].metric(t("camp_uplift"), f"{report.conversion_uplift.difference * 100:+.1f}%p")
    columns[2].caption(uplift_text(report.conversion_uplift))
    st.altair_chart(rates_chart(report))
    columns = st.columns(3)
    columns[0].metric(t("camp_cost_total"), krw(report.cost_krw))
    per_response = report.cost_per_response_krw
    columns[1].metric(
        t("camp_cost_per_response"), krw(per_response) if per_response else t("camp_na")
    )
    recorded = report.cost_per_recorded_response_krw
    columns[2].metric(t("camp_cost_per_recorded"), krw(recorded) if recorded else t("camp_na"))
    columns = st.columns(2)
    columns[0].metric(
        t("camp_net_flow") + " · " + t("camp_arm_contact"),
        krw(report.net_flow_per_head_contacted_krw),
    )
    columns[1].metric(t("camp_attributable"), krw(report.attributable_net_flow_krw))
    st.caption(
        t(
            "camp_attributable_caption",
            contacted=krw(report.net_flow_per_head_contacted_krw),
            control=krw(report.net_flow_per_head_control_krw),
            per_head=krw(report.attributable_net_flow_per_head_krw),
            total=krw(report.attributable_net_flow_krw),
        )
    )
    st.markdown(
        " · ".join(
            f"{t(f'camp_outcome_{outcome}')} {count(number)}"
            for outcome, number in report.recorded.items()
        )
    )
    st.markdown(f"**{t('camp_by_branch')}**")
    st.dataframe(
        report.by_branch,
        hide_index=True,
        column_config={
            "branch_code": t("camp_col_branch"),
            "contacted": st.column_config.NumberColumn(t("camp_contacted"), format="localized"),
            "control": st.column_config.NumberColumn(t("camp_control"), format="localized"),
            "response_contacted": st.column_config.NumberColumn(
                t("camp_col_response_contacted"), format="percent"
            ),
            "response_control": st.column_config.NumberColumn(
                t("camp_col_response_control"), format="percent"
            ),
            "uplift": st.column_config.NumberColumn(t("camp_col_uplift"), format="percent"),
            "attributable_per_head_krw": st.column_config.NumberColumn(
                t("camp_col_attributable"), format="₩%d"
            ),
        },
    )


@guarded
def prepare_export(user: SignedInUser, campaign_id: int) -> None:
    try:
        with session.connect() as conn:
            exported = campaigns.export_list(
                conn,
                user,
                campaign_id,
                file_format=st.session_state.get("camp_export_format") or "csv",
                reason=st.session_state.get("camp_export_reason", ""),
            )
            conn.commit()
    except DomainError as refused:
        st.session_state[FEEDBACK_KEY] = ("error", refusal_text(refused))
        return
    st.session_state[EXPORT_KEY] = (campaign_id, exported)


def show_export(user: SignedInUser, campaign_id: int) -> None:
    st.markdown(f"**{t('camp_export')}**")
    with session.connect() as conn:
        allowed = permits_granted(conn, user, Action.EXPORT)
    if not allowed:
        st.caption(t("camp_export_no_grant"))
        return
    form, reason = st.columns([1, 3], vertical_alignment="bottom")
    form.segmented_control(
        t("camp_export_format"), ["csv", "xlsx"], default="csv", key="camp_export_format"
    )
    reason.text_input(
        t("camp_export_reason"), key="camp_export_reason", max_chars=exports.REASON_MAX_CHARS
    )
    st.button(t("camp_export_prepare"), on_click=prepare_export, args=(user, campaign_id))
    ready = st.session_state.get(EXPORT_KEY)
    if ready and ready[0] == campaign_id:
        exported = ready[1]
        masked = ", ".join(exported.masked_columns) or t("camp_export_unmasked")
        st.success(t("camp_export_ready", rows=count(exported.rows), masked=masked))
        st.download_button(
            t("camp_export_download"),
            exported.data,
            file_name=exported.file_name,
            mime=exported.mime,
            icon=":material/download:",
        )


def problem_text(problem: campaigns.ImportProblem) -> str:
    return t(
        "camp_import_line",
        line=problem.line,
        problem=sentence(f"camp_problem_{problem.reason}", value=problem.value),
    )


def show_import(user: SignedInUser, campaign_id: int) -> None:
    st.markdown(f"**{t('camp_import')}**")
    st.caption(t("camp_import_help"))
    upload = st.file_uploader(t("camp_import_file"), type=["csv"], key=f"camp_upload_{campaign_id}")
    if upload is None:
        return
    data = upload.getvalue()
    with session.connect() as conn:
        checked = campaigns.check_import(conn, user, campaign_id, data)
    good_only = False
    if checked.problems:
        st.error(tn("camp_import_problems", len(checked.problems), count=len(checked.problems)))
        st.markdown("\n".join(f"- {problem_text(problem)}" for problem in checked.problems))
        good_only = st.checkbox(t("camp_import_good_only"), key="camp_import_good_only")
    if st.button(t("camp_import_run"), disabled=bool(checked.problems) and not good_only):
        try:
            with session.connect() as conn:
                recorded = campaigns.import_outcomes(
                    conn, user, campaign_id, data, good_rows_only=good_only
                )
                conn.commit()
        except DomainError as refused:
            show_refusal(refused)
        else:
            st.success(tn("camp_imported", recorded, count=count(recorded)))


def campaign_label(row: dict[str, Any]) -> str:
    return t(
        "camp_label",
        id=row["campaign_id"],
        name=row["name"],
        channel=row["channel"].upper(),
        started=row["started_on"].isoformat(),
    )


def show_campaign(user: SignedInUser, row: dict[str, Any]) -> None:
    campaign_id = row["campaign_id"]
    strata = t(f"camp_strata_{row['stratify_by'] or 'none'}")
    st.caption(
        sentence(
            "camp_summary",
            segment=row["segment"],
            version=row["segment_version"],
            seed=row["seed"],
            control_pct=row["control_pct"],
            strata=strata,
        )
    )
    figures = {
        "camp_eligible": row["eligible"],  # null for a branch's slice of a firm-wide campaign
        "camp_contacted": row["contacted"],
        "camp_control": row["control"],
        "camp_recorded": row["recorded"],
    }
    shown = {key: value for key, value in figures.items() if value is not None}
    for column, (key, value) in zip(st.columns(len(shown)), shown.items(), strict=True):
        column.metric(t(key), count(value))
    with session.connect() as conn:
        listed = campaigns.campaign_targets(conn, user, campaign_id)
    with st.expander(t("camp_targets", limit=campaigns.TARGET_LIST_LIMIT)):
        st.dataframe(
            listed.with_columns(
                pl.col("arm").map_elements(lambda arm: t(f"camp_arm_{arm}"), pl.String),
                pl.col("outcome").map_elements(
                    lambda outcome: t(f"camp_outcome_{outcome}"), pl.String
                ),
            ),
            hide_index=True,
            column_config={
                "customer_no": t("camp_col_customer_no"),
                "name": t("camp_col_name"),
                "arm": t("camp_col_arm"),
                "stratum": t("camp_col_stratum"),
                "branch_code": t("camp_col_branch"),
                "employee": t("camp_col_employee"),
                "outcome": t("camp_col_outcome"),
                "outcome_at": st.column_config.DatetimeColumn(
                    t("camp_col_outcome_at"), format="YYYY-MM-DD HH:mm"
                ),
            },
        )
    show_export(user, campaign_id)
    show_import(user, campaign_id)
    show_report(user, campaign_id)


def campaign_list(user: SignedInUser) -> None:
    with session.connect() as conn:
        listed = campaigns.list_campaigns(conn, user)
    if listed.is_empty():
        st.info(t("camp_none"))
        return
    if scope_of(user, Action.CAMPAIGN_READ) is Scope.BRANCH:
        st.caption(t("camp_scope_branch"))
    rows = {row["campaign_id"]: row for row in listed.iter_rows(named=True)}
    if st.session_state.get("camp_pick") not in rows:
        st.session_state.pop("camp_pick", None)
    picked = st.selectbox(
        t("camp_pick"),
        list(rows),
        format_func={cid: campaign_label(row) for cid, row in rows.items()}.get,
        key="camp_pick",
        placeholder=t("select_placeholder"),
    )
    show_campaign(user, rows[picked])


user = session.require_user()
st.title(t("camp_title"))
st.caption(t("camp_caption"))
show_feedback()
creating, listing = st.tabs([t("camp_tab_new"), t("camp_tab_list")])
with creating:
    try:
        copy = segments.load_features(session.engine(), user)
    except segments.CopyMissing:
        st.info(t("seg_copy_missing_wait"), icon=":material/database:")
    else:
        features_copy.show_status(user, copy)
        new_campaign(user, copy)
with listing:
    campaign_list(user)
