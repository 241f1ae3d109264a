"""Segment explorer: a filter builder with a live count and profile, and saved segments.

The builder holds groups of conditions (all or any of them), combined by all or any; deeper
nesting is edited in the JSON spec. Every change reruns the count on the analytical copy,
which takes milliseconds, so there is no "apply" button.
"""

import uuid
from typing import Any

import altair as alt
import polars as pl
import streamlit as st

from data_access import segments
from data_access.core.errors import (
    DomainError,
    Refused,
)
from data_access.core.policy import (
    Action,
    Scope,
    permits,
    scope_of,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import features_copy, session
from ui.failures import guarded
from ui.feedback import refusal_text, show_feedback
from ui.format import count, krw_compact
from ui.i18n import t
from ui.kpi_view import region_names
from ui.markup import literal, sentence

BUILDER_KEY = "seg_builder"
RAW_KEY = "seg_raw_spec"
LOADED_KEY = "seg_loaded"
FEEDBACK_KEY = "seg_feedback"
STALE_AFTER_DAYS = 2
MIX_ROW_PX = 34  # one value: its two bars (segment, everyone) and a gap
FIELDS = list(segments.FIELD_KINDS)
STEPS = {"aum_krw": 1_000_000}
VALUE_LABELS = {
    "tier": lambda value: t(f"tier_{value}"),
    "gender": lambda value: t(f"gender_{value}"),
    "preferred_channel": lambda value: t(f"seg_channel_{value}"),
}


def new_condition(field: str = "age") -> dict[str, Any]:
    return {"id": uuid.uuid4().hex[:8], "field": field}


def new_group() -> dict[str, Any]:
    return {"id": uuid.uuid4().hex[:8], "op": "and", "conditions": [new_condition()]}


def builder() -> dict[str, Any]:
    if BUILDER_KEY not in st.session_state:
        st.session_state[BUILDER_KEY] = {"op": "and", "groups": [new_group()]}
    return st.session_state[BUILDER_KEY]


def key(item_id: str, part: str) -> str:
    return f"seg_{item_id}_{part}"


def unless_set(widget_key: str, default: Any) -> Any:
    """The widget's default, or None once the page set its value (loading a saved segment):
    Streamlit takes one or the other, never both."""
    return None if widget_key in st.session_state else default


# --- builder <-> spec ----------------------------------------------------------------------------


def condition_from_widgets(condition: dict[str, Any]) -> dict[str, Any] | None:
    """The raw condition the widgets describe; None while it is incomplete."""
    state = st.session_state
    field = state.get(key(condition["id"], "field"), condition["field"])
    kind = segments.FIELD_KINDS[field]
    if kind is segments.FieldKind.RANGE:
        low, high = state.get(key(condition["id"], "min")), state.get(key(condition["id"], "max"))
        if low is None and high is None:
            return None
        raw: dict[str, Any] = {"field": field}
        raw |= {"min": int(low)} if low is not None else {}
        raw |= {"max": int(high)} if high is not None else {}
        return raw
    if kind is segments.FieldKind.CHOICE:
        values = state.get(key(condition["id"], "values")) or []
        return {"field": field, "values": list(values)} if values else None
    flag = state.get(key(condition["id"], "flag"), True)
    return None if flag is None else {"field": field, "value": bool(flag)}


def spec_from_builder() -> dict[str, Any]:
    state = builder()
    groups = []
    for group in state["groups"]:
        items = [raw for c in group["conditions"] if (raw := condition_from_widgets(c))]
        # A segmented control can be clicked off; no choice keeps the default, "and".
        groups.append({"op": st.session_state.get(key(group["id"], "op")) or "and", "items": items})
    return {"op": st.session_state.get("seg_top_op") or state["op"], "items": groups}


def load_into_builder(spec: segments.Group) -> None:
    """Fill the builder's widgets from `spec`, or keep it as JSON when it nests deeper."""
    state = st.session_state
    items = list(spec.items)
    if all(not isinstance(item, segments.Group) for item in items):
        items = [segments.Group(op=spec.op, items=tuple(items))]
        top_op = "and"
    else:
        top_op = spec.op
    deep = any(
        not isinstance(item, segments.Group)
        or any(isinstance(inner, segments.Group) for inner in item.items)
        for item in items
    )
    if deep:
        state[RAW_KEY] = segments.spec_json(spec)
        return
    state.pop(RAW_KEY, None)
    groups = []
    for item in items:
        group = {"id": uuid.uuid4().hex[:8], "op": item.op, "conditions": []}
        state[key(group["id"], "op")] = item.op
        for node in item.items:
            condition = new_condition(node.field)
            state[key(condition["id"], "field")] = node.field
            if isinstance(node, segments.RangeCondition):
                state[key(condition["id"], "min")] = node.min
                state[key(condition["id"], "max")] = node.max
            elif isinstance(node, segments.ChoiceCondition):
                state[key(condition["id"], "values")] = list(node.values)
            else:
                state[key(condition["id"], "flag")] = node.value
            group["conditions"].append(condition)
        groups.append(group)
    state["seg_top_op"] = top_op
    state[BUILDER_KEY] = {"op": top_op, "groups": groups or [new_group()]}


# --- callbacks -----------------------------------------------------------------------------------


@guarded
def add_condition(group_id: str) -> None:
    for group in builder()["groups"]:
        if group["id"] == group_id:
            group["conditions"].append(new_condition())


@guarded
def remove_condition(group_id: str, condition_id: str) -> None:
    for group in builder()["groups"]:
        if group["id"] == group_id:
            group["conditions"] = [c for c in group["conditions"] if c["id"] != condition_id]


@guarded
def add_group() -> None:
    builder()["groups"].append(new_group())


@guarded
def remove_group(group_id: str) -> None:
    state = builder()
    state["groups"] = [g for g in state["groups"] if g["id"] != group_id] or [new_group()]


@guarded
def clear_all() -> None:
    st.session_state.pop(RAW_KEY, None)
    st.session_state.pop(LOADED_KEY, None)
    st.session_state[BUILDER_KEY] = {"op": "and", "groups": [new_group()]}


@guarded
def apply_raw() -> None:
    text = st.session_state.get("seg_raw_text", "")
    try:
        spec = segments.validate_spec(text)
    except Refused as invalid:
        st.session_state[FEEDBACK_KEY] = ("error", spec_refusal_text(invalid))
        return
    load_into_builder(spec)


def spec_refusal_text(refusal: Refused) -> str:
    """The refusal's sentence, then each place in the spec and what is wrong there (the
    validator's own words, shown as typed)."""
    problems = [f"- {literal(p.where)}: {literal(p.message)}" for p in refusal.problems]
    return "\n".join([refusal_text(refusal), *problems])


@guarded
def load_saved(user: SignedInUser) -> None:
    segment_id = st.session_state.get("seg_pick")
    if segment_id is None:
        return
    with session.connect() as conn:
        saved = segments.saved_segment(conn, user, segment_id)
    load_into_builder(saved.spec)
    st.session_state[LOADED_KEY] = saved
    st.session_state["seg_name"] = saved.name
    st.session_state["seg_shared"] = saved.shared
    st.session_state[FEEDBACK_KEY] = (
        "success",
        sentence("seg_loaded", name=saved.name, version=saved.version),
    )


@guarded
def save(user: SignedInUser, spec: segments.Group, *, as_version: bool) -> None:
    loaded = st.session_state.get(LOADED_KEY)
    try:
        with session.connect() as conn:
            saved = segments.save_segment(
                conn,
                user,
                st.session_state.get("seg_name", ""),
                spec,
                segment_id=loaded.segment_id if as_version and loaded else None,
                shared=bool(st.session_state.get("seg_shared")),
            )
            conn.commit()
    except DomainError as refused:
        st.session_state[FEEDBACK_KEY] = ("error", refusal_text(refused))
        return
    st.session_state[LOADED_KEY] = saved
    st.session_state["seg_pick"] = saved.segment_id
    st.session_state[FEEDBACK_KEY] = (
        "success",
        sentence("seg_saved_ok", name=saved.name, version=saved.version),
    )


# --- drawing -------------------------------------------------------------------------------------


def choice_label(field: str, value: str) -> str:
    label = VALUE_LABELS.get(field)
    return label(value) if label else value


def show_condition(group: dict[str, Any], condition: dict[str, Any], options: dict) -> None:
    cid = condition["id"]
    field_column, value_column, remove_column = st.columns([3, 6, 1], vertical_alignment="bottom")
    field = field_column.selectbox(
        t("seg_field"),
        FIELDS,
        index=unless_set(key(cid, "field"), FIELDS.index(condition["field"])) or 0,
        format_func={name: t(f"seg_field_{name}") for name in FIELDS}.get,
        key=key(cid, "field"),
        placeholder=t("select_placeholder"),
    )
    condition["field"] = field
    kind = segments.FIELD_KINDS[field]
    if kind is segments.FieldKind.RANGE:
        low, high = value_column.columns(2)
        step = STEPS.get(field, 1)
        low.number_input(t("seg_min"), min_value=0, value=None, step=step, key=key(cid, "min"))
        high.number_input(t("seg_max"), min_value=0, value=None, step=step, key=key(cid, "max"))
    elif kind is segments.FieldKind.CHOICE:
        chosen = st.session_state.get(key(cid, "values")) or []
        values = sorted(set(options.get(field, [])) | set(chosen))
        value_column.multiselect(
            t("seg_values"),
            values,
            format_func={value: choice_label(field, value) for value in values}.get,
            key=key(cid, "values"),
            placeholder=t("select_placeholder"),
        )
    else:
        value_column.segmented_control(
            t("seg_values"),
            [True, False],
            format_func={True: t("seg_yes"), False: t("seg_no")}.get,
            default=unless_set(key(cid, "flag"), True),
            key=key(cid, "flag"),
        )
    remove_column.button(
        ":material/close:",
        key=key(cid, "remove"),
        help=t("seg_remove_condition"),
        on_click=remove_condition,
        args=(group["id"], cid),
    )


def show_builder(options: dict) -> None:
    state = builder()
    op_label = {"and": t("seg_op_and"), "or": t("seg_op_or")}
    if len(state["groups"]) > 1:
        st.segmented_control(
            t("seg_top_op"),
            ["and", "or"],
            format_func=op_label.get,
            default=unless_set("seg_top_op", state["op"]),
            key="seg_top_op",
        )
    for number, group in enumerate(state["groups"], start=1):
        with st.container(border=True):
            title, op, remove = st.columns([3, 5, 2], vertical_alignment="center")
            title.markdown(f"**{t('seg_group', number=number)}**")
            op.segmented_control(
                t("seg_group_op"),
                ["and", "or"],
                format_func=op_label.get,
                default=unless_set(key(group["id"], "op"), group["op"]),
                key=key(group["id"], "op"),
                label_visibility="collapsed",
            )
            remove.button(
                t("seg_remove_group"),
                key=key(group["id"], "remove"),
                on_click=remove_group,
                args=(group["id"],),
                type="tertiary",
            )
            if not group["conditions"]:
                st.caption(t("seg_empty_group"))
            for condition in group["conditions"]:
                show_condition(group, condition, options)
            st.button(
                t("seg_add_condition"),
                key=key(group["id"], "add"),
                icon=":material/add:",
                on_click=add_condition,
                args=(group["id"],),
            )
    add, clear = st.columns([1, 1])
    add.button(t("seg_add_group"), icon=":material/library_add:", on_click=add_group)
    clear.button(t("seg_clear"), icon=":material/restart_alt:", on_click=clear_all)
    st.caption(t("seg_never_note"))


def contradiction_text(reason: segments.Contradiction) -> str:
    field = t(f"seg_field_{reason.field}")
    if reason.kind == "range":
        return t("seg_why_range", field=field, low=count(reason.low), high=count(reason.high))
    return t(f"seg_why_{reason.kind}", field=field)


def age_label(low: int) -> str:
    if low == segments.AGE_BANDS[0]:
        return t("seg_age_under", high=segments.AGE_BANDS[1])
    if low == segments.AGE_BANDS[-1]:
        return t("seg_age_over", low=low)
    return t("seg_age_band", low=low)


def with_group_label(frame: pl.DataFrame) -> pl.DataFrame:
    labels = {"segment": t("seg_group_segment"), "all": t("seg_group_all")}
    return frame.with_columns(group_label=pl.col("group").replace_strict(labels))


def mix_chart(frame: pl.DataFrame, label: pl.Expr, order: list[str]) -> alt.Chart:
    """A mix as bars across, one row per value: every label is shown whole, however many
    values (regions, products) there are."""
    data = with_group_label(frame).with_columns(label=label)
    shown = [value for value in order if value in set(data["label"])]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=shown, title=None, axis=alt.Axis(labelLimit=200)),
            x=alt.X("share:Q", title=None, axis=alt.Axis(format="%")),
            yOffset=alt.YOffset("group_label:N", sort=[t("seg_group_segment")]),
            color=alt.Color(
                "group_label:N",
                title=None,
                sort=[t("seg_group_segment")],
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=t("seg_axis_value")),
                alt.Tooltip("group_label:N", title=t("seg_axis_group")),
                alt.Tooltip("customers:Q", title=t("seg_axis_customers"), format=","),
                alt.Tooltip("share:Q", title=t("seg_axis_share"), format=".1%"),
            ],
        )
        .properties(height=MIX_ROW_PX * max(len(shown), 3))
    )


def pyramid_chart(frame: pl.DataFrame) -> alt.Chart:
    bands = [age_label(low) for low in reversed(segments.AGE_BANDS)]
    data = with_group_label(frame).with_columns(
        band=pl.col("value").map_elements(age_label, pl.String),
        gender_label=pl.col("gender").map_elements(lambda g: t(f"gender_{g}"), pl.String),
        signed=pl.when(pl.col("gender") == "M").then(-pl.col("share")).otherwise(pl.col("share")),
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("band:N", sort=bands, title=None),
            x=alt.X(
                "signed:Q",
                title=t("seg_axis_share"),
                axis=alt.Axis(labelExpr="format(abs(datum.value), '.0%')"),
            ),
            color=alt.Color("gender_label:N", title=None),
            column=alt.Column("group_label:N", title=None, sort=[t("seg_group_segment")]),
            tooltip=["band:N", "gender_label:N", "customers:Q"],
        )
        .properties(height=220, width=260)
    )


def show_profile(found: segments.SegmentProfile) -> None:
    st.subheader(t("seg_profile"), divider="gray")
    st.markdown(f"**{t('seg_pyramid')}**")
    st.altair_chart(pyramid_chart(found.pyramid))
    aum_order = [f"{krw_compact(bound)}+" for bound in segments.AUM_BANDS_KRW]
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('seg_aum')}**")
        aum_label = pl.col("value").map_elements(lambda v: f"{krw_compact(v)}+", pl.String)
        st.altair_chart(mix_chart(found.aum, aum_label, aum_order))
        st.markdown(f"**{t('seg_tier_mix')}**")
        tiers = [tier.value for tier in segments.Tier]
        tier_label = pl.col("value").map_elements(lambda v: t(f"tier_{v}"), pl.String)
        st.altair_chart(mix_chart(found.tier, tier_label, [t(f"tier_{v}") for v in tiers]))
    with right:
        st.markdown(f"**{t('seg_region_mix')}**")
        regions = found.region.with_columns(value=region_names(found.region["value"]))
        order = sorted(regions["value"].unique().to_list())
        st.altair_chart(mix_chart(regions, pl.col("value"), order))
        st.markdown(f"**{t('seg_product_mix')}**")
        products = sorted(found.products["value"].unique().to_list())
        st.altair_chart(mix_chart(found.products, pl.col("value"), products))


def show_saved(user: SignedInUser, spec: segments.Group | None) -> None:
    st.subheader(t("seg_saved"), divider="gray")
    with session.connect() as conn:
        saved = segments.list_segments(conn, user)
    if saved.is_empty():
        st.caption(t("seg_saved_none"))
    else:
        names = {
            row["segment_id"]: f"{row['name']} · v{row['version']} · {row['owner_name']}"
            for row in saved.iter_rows(named=True)
        }
        pick, load = st.columns([4, 1], vertical_alignment="bottom")
        pick.selectbox(
            t("seg_pick_saved"),
            list(names),
            format_func=names.get,
            key="seg_pick",
            placeholder=t("select_placeholder"),
        )
        load.button(t("seg_load"), on_click=load_saved, args=(user,))
    if not permits(user, Action.SEGMENT_WRITE) or spec is None:
        return
    loaded = st.session_state.get(LOADED_KEY)
    name, shared = st.columns([3, 1], vertical_alignment="bottom")
    name.text_input(t("seg_name"), key="seg_name", max_chars=segments.NAME_MAX_CHARS)
    shared.checkbox(t("seg_share_flag"), key="seg_shared")
    new, version = st.columns(2)
    new.button(
        t("seg_save_new"),
        type="primary",
        on_click=save,
        args=(user, spec),
        kwargs={"as_version": False},
    )
    if loaded is not None and loaded.mine:
        version.button(
            t("seg_save_version"), on_click=save, args=(user, spec), kwargs={"as_version": True}
        )
    if loaded is not None:
        with session.connect() as conn:
            history = segments.segment_versions(conn, user, loaded.segment_id)
        with st.expander(t("seg_versions")):
            st.dataframe(
                history.select("version", "created_by", "created_at"),
                hide_index=True,
                column_config={
                    "version": t("seg_col_version"),
                    "created_by": t("seg_col_by"),
                    "created_at": st.column_config.DatetimeColumn(
                        t("seg_col_at"), format="YYYY-MM-DD HH:mm"
                    ),
                },
            )


def current_spec() -> tuple[segments.Group | None, Refused | None]:
    raw = st.session_state.get(RAW_KEY) or spec_from_builder()
    try:
        return segments.validate_spec(raw), None
    except Refused as invalid:
        return None, invalid


user = session.require_user()
st.title(t("seg_title"))
st.caption(t("seg_caption"))
try:
    copy = segments.load_features(session.engine(), user)
except segments.CopyMissing:
    show_feedback(features_copy.FEEDBACK_KEY)
    if not segments.may_refresh_features(user):
        st.info(t("seg_copy_missing_wait"), icon=":material/database:")
        st.stop()
    st.info(t("seg_copy_missing"), icon=":material/database:")
    st.button(t("seg_copy_build"), type="primary", on_click=features_copy.refresh_now, args=(user,))
    st.stop()

show_feedback(FEEDBACK_KEY)
features_copy.show_status(user, copy)
age_days = (session.today() - copy.as_of).days
if age_days >= STALE_AFTER_DAYS:
    st.warning(t("seg_copy_stale", days=age_days), icon=":material/update:")
if scope_of(user, Action.SEGMENT_READ) is Scope.BRANCH:
    st.caption(t("seg_scope_branch"))

options = segments.choices(copy, user)
if st.session_state.get(RAW_KEY):
    st.info(t("seg_spec_deep"), icon=":material/account_tree:")
    st.button(t("seg_use_builder"), on_click=clear_all)
else:
    show_builder(options)
spec, invalid = current_spec()
with st.expander(t("seg_spec")):
    if spec is not None:
        st.code(segments.spec_json(spec), language="json", wrap_lines=True)
    st.text_area(t("seg_spec_apply"), help=t("seg_spec_help"), key="seg_raw_text")
    st.button(t("seg_spec_apply"), on_click=apply_raw)
if invalid is not None:
    st.error(spec_refusal_text(invalid))
    st.stop()
assert spec is not None
found = segments.profile(copy, user, spec)
matched, total = st.columns(2)
matched.metric(t("seg_matched"), count(found.matched))
matched.caption(t("seg_share", share=f"{found.matched_share:.1%}"))
total.metric(t("seg_in_scope"), count(found.in_scope))
if found.matched == 0:
    reason = contradiction_text(found.contradiction) if found.contradiction else ""
    st.warning(f"{t('seg_zero')} {reason}".strip(), icon=":material/block:")
else:
    show_profile(found)
show_saved(user, spec)
