"""Agenda rules: administrators change the morning agenda without a deploy.

Every field is checked by the rule kind's spec (data_access.agenda) before anything is saved;
a refused rule says which field and why. The preview runs the rule as the build would, for
today, and counts the items per branch.
"""

import json
from typing import Any

import polars as pl
import streamlit as st

from data_access import agenda
from data_access.core.errors import (
    Refused,
)
from data_access.core.models import (
    Tier,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import session
from ui.complaint_settings_section import show_complaint_settings
from ui.conduct_settings_section import show_conduct_settings
from ui.contact_settings_section import show_contact_settings
from ui.failures import guarded
from ui.format import count, krw, krw_compact
from ui.i18n import has_message, language, t
from ui.markup import literal

RESULT_KEY = "agenda_rule_result"
TIERS = [tier.value for tier in Tier]
STARTERS = {raw["kind"]: raw for raw in agenda.DEFAULT_RULES}


def field_label(name: str) -> str:
    key = f"rule_field_{name}"
    return t(key) if has_message(key) else name


def key(choice: str, name: str) -> str:
    return f"rule_{choice}_{name}"


def option_label(name: str, option: str) -> str:
    label = {"events": f"event_{option}", "channel": f"rule_channel_{option}"}.get(name)
    return t(label) if label and has_message(label) else option


def param_widget(choice: str, spec: agenda.ParamField, current: Any) -> None:
    """One parameter's input. Numbers have no bounds here on purpose: the spec decides, and
    says why, so a refused value is explained rather than silently clamped."""
    label = field_label(spec.name)
    widget_key = key(choice, spec.name)
    if spec.widget in ("int", "optional_int"):
        st.number_input(label, value=current, step=1, key=widget_key)
    elif spec.widget == "choices":
        st.multiselect(
            label,
            options=list(spec.options),
            default=list(current or []),
            format_func=lambda option: option_label(spec.name, option),
            key=widget_key,
            placeholder=t("select_placeholder"),
        )
    elif spec.widget == "choice":
        st.selectbox(
            label,
            options=list(spec.options),
            index=list(spec.options).index(current) if current in spec.options else 0,
            format_func=lambda option: option_label(spec.name, option),
            key=widget_key,
            placeholder=t("select_placeholder"),
        )
    else:  # tier_days
        st.markdown(label)
        columns = st.columns(len(spec.options))
        for column, tier in zip(columns, spec.options, strict=True):
            column.number_input(
                t("rule_days_for_tier", tier=t(f"tier_{tier}")),
                value=(current or {}).get(tier),
                step=1,
                key=f"{widget_key}_{tier}",
            )


def raw_rule(choice: str, kind: str) -> dict[str, Any]:
    """The rule as the form holds it, unchecked."""
    state = st.session_state
    params: dict[str, Any] = {}
    for spec in agenda.param_fields(kind):
        if spec.widget == "tier_days":
            values = {tier: state.get(f"{key(choice, spec.name)}_{tier}") for tier in spec.options}
            params[spec.name] = {tier: days for tier, days in values.items() if days is not None}
        else:
            params[spec.name] = state.get(key(choice, spec.name))
    return {
        "kind": kind,
        "name_ko": state.get(key(choice, "name_ko")) or "",
        "name_en": state.get(key(choice, "name_en")) or "",
        "priority": state.get(key(choice, "priority")),
        "tiers": state.get(key(choice, "tiers")) or [],
        "enabled": bool(state.get(key(choice, "enabled"))),
        "params": params,
    }


@guarded
def save(user: SignedInUser, choice: str, kind: str, rule_id: int | None, version: int) -> None:
    try:
        with session.connect() as conn:
            stored = agenda.save_rule(
                conn,
                user,
                raw_rule(choice, kind),
                rule_id=rule_id,
                expected_version=version if rule_id is not None else None,
            )
    except Refused as refusal:
        st.session_state[RESULT_KEY] = ("refused", refusal.problems)
        return
    st.session_state[RESULT_KEY] = ("saved", stored.version)
    if rule_id is None:
        st.session_state["rule_choice"] = f"rule:{stored.id}"


@guarded
def preview(user: SignedInUser, choice: str, kind: str, rule_id: int | None) -> None:
    try:
        counts = agenda.preview_rule(
            session.engine(), user, raw_rule(choice, kind), session.today(), rule_id=rule_id
        )
    except Refused as refusal:
        st.session_state[RESULT_KEY] = ("refused", refusal.problems)
        return
    st.session_state[RESULT_KEY] = ("preview", counts)


def problem_text(problem: agenda.RuleProblem) -> str:
    """The problem for a Markdown list: a field of the rule's own JSON is shown as typed."""
    field = literal(field_label(problem.field))
    message_key = f"rule_problem_{problem.code}"
    if not has_message(message_key):
        return f"{field}: {literal(problem.message)}"
    return t(message_key, field=field, limit=problem.limit)


def show_result() -> None:
    result = st.session_state.pop(RESULT_KEY, None)
    if result is None:
        return
    outcome, value = result
    if outcome == "saved":
        st.success(t("rule_saved", version=value), icon=":material/check:")
    elif outcome == "refused":
        st.error(
            "\n".join([t("rule_refused"), *(f"- {problem_text(p)}" for p in value)]),
            icon=":material/block:",
        )
    else:
        show_preview(value)


def show_preview(counts: pl.DataFrame) -> None:
    left, right = st.columns(2)
    left.metric(t("rule_preview_total"), count(int(counts["items"].sum())))
    right.metric(t("rule_preview_branches"), count(counts.height))
    if counts.is_empty():
        st.info(t("rule_preview_none"))
        return
    names = counts["name_ko"] if language() == "ko" else counts["name_en"]
    st.dataframe(
        pl.DataFrame(
            {
                t("col_branch"): counts["branch_code"],
                t("col_name"): names,
                t("col_items"): counts["items"],
            }
        ),
        hide_index=True,
        width="content",
    )


def value_text(spec: agenda.ParamField, value: Any) -> str:
    """A stored parameter in the reader's words: tiers and channels by name, won as money."""
    if value is None:
        return t("rule_value_none")
    if spec.widget == "tier_days":
        return ", ".join(
            t("rule_days_of_tier", tier=t(f"tier_{tier}"), days=count(days))
            for tier, days in value.items()
        )
    if spec.widget == "choices":
        return ", ".join(option_label(spec.name, option) for option in value)
    if spec.widget == "choice":
        return option_label(spec.name, value)
    if spec.name.endswith("_krw"):
        return krw_compact(value) if abs(value) >= 100_000_000 else krw(value)
    return count(value)


def settings_rows(kind: str, params: str) -> list[tuple[str, str]]:
    """A rule's parameters as (label, value) in the reader's words, in the spec's order."""
    stored = json.loads(params)
    return [
        (field_label(spec.name), value_text(spec, stored.get(spec.name, spec.default)))
        for spec in agenda.param_fields(kind)
    ]


def rules_table(rules: pl.DataFrame) -> None:
    names = rules["name_ko"] if language() == "ko" else rules["name_en"]
    st.dataframe(
        pl.DataFrame(
            {
                t("col_priority"): rules["priority"],
                t("col_rule"): names,
                t("rule_kind"): [t(f"rule_kind_{kind}") for kind in rules["kind"]],
                t("col_tier"): [
                    ", ".join(t(f"tier_{tier}") for tier in tiers) for tiers in rules["tiers"]
                ],
                t("col_enabled"): rules["enabled"],
                t("col_version"): rules["version"],
                t("col_updated_by"): rules["updated_by"],
                t("col_updated_at"): rules["updated_at"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    # One row per setting, so no value is cut off in a crowded cell.
    settings = [
        (name, label, value)
        for name, kind, params in zip(names, rules["kind"], rules["params"], strict=True)
        for label, value in settings_rows(kind, params)
    ]
    st.markdown(f"**{t('col_params')}**")
    st.dataframe(
        pl.DataFrame(
            settings, schema=[t("col_rule"), t("col_setting"), t("col_value")], orient="row"
        ),
        hide_index=True,
        width="stretch",
    )


def editor(user: SignedInUser, rules: pl.DataFrame) -> None:
    existing = {f"rule:{row['id']}": row for row in rules.iter_rows(named=True)}
    new = {f"new:{kind}": kind for kind in agenda.RuleKind}
    names = {
        choice: row["name_ko"] if language() == "ko" else row["name_en"]
        for choice, row in existing.items()
    }
    choice = st.selectbox(
        t("rule_to_edit"),
        options=[*existing, *new],
        format_func=lambda option: (
            names[option] if option in names else t("rule_new", kind=t(f"rule_kind_{new[option]}"))
        ),
        key="rule_choice",
        placeholder=t("select_placeholder"),
    )
    if choice in existing:
        row = existing[choice]
        kind, rule_id, version = row["kind"], row["id"], row["version"]
        current = {
            "name_ko": row["name_ko"],
            "name_en": row["name_en"],
            "priority": row["priority"],
            "tiers": row["tiers"],
            "enabled": row["enabled"],
            "params": json.loads(row["params"]),
        }
    else:
        kind, rule_id, version = new[choice], None, 0
        current = {**STARTERS[kind], "name_ko": "", "name_en": "", "enabled": True}
    with st.form(key(choice, "form")):
        st.markdown(f"**{t('rule_form_title')}** · {t(f'rule_kind_{kind}')}")
        left, right = st.columns(2)
        left.text_input(
            field_label("name_ko"), value=current["name_ko"], key=key(choice, "name_ko")
        )
        right.text_input(
            field_label("name_en"), value=current["name_en"], key=key(choice, "name_en")
        )
        left, middle, right = st.columns([1, 2, 1])
        left.number_input(
            field_label("priority"), value=current["priority"], step=1, key=key(choice, "priority")
        )
        middle.multiselect(
            field_label("tiers"),
            options=TIERS,
            default=current["tiers"],
            format_func=lambda tier: t(f"tier_{tier}"),
            key=key(choice, "tiers"),
            placeholder=t("select_placeholder"),
        )
        right.checkbox(field_label("enabled"), value=current["enabled"], key=key(choice, "enabled"))
        if kind == agenda.RuleKind.CHURN_RISK:
            st.caption(t("rule_churn_help"))
        for spec in agenda.param_fields(kind):
            param_widget(choice, spec, current["params"].get(spec.name, spec.default))
        left, right = st.columns(2)
        left.form_submit_button(
            t("rule_preview"),
            icon=":material/visibility:",
            on_click=preview,
            args=(user, choice, kind, rule_id),
        )
        right.form_submit_button(
            t("rule_save"),
            type="primary",
            icon=":material/save:",
            on_click=save,
            args=(user, choice, kind, rule_id, version),
        )
    show_result()


user = session.require_user()
st.title(t("agenda_rules_title"))
st.caption(t("agenda_rules_caption"))
with session.connect() as conn:
    rules = agenda.rules_frame(conn, user)
    conn.commit()  # the default rules, on a database's first use
rules_table(rules)
editor(user, rules)

st.subheader(t("rule_preview_all"))
if st.button(t("rule_preview_all"), icon=":material/visibility:", key="preview_all"):
    overview = agenda.preview_rules(session.engine(), user, session.today())
    st.dataframe(
        pl.DataFrame(
            {
                t("col_rule"): overview["name_ko"] if language() == "ko" else overview["name_en"],
                t("rule_preview_branches"): overview["branches"],
                t("rule_preview_total"): overview["items"],
            }
        ),
        hide_index=True,
        width="content",
    )

show_contact_settings(user)  # allowed call hours (issue #22)
show_conduct_settings(user)  # suitability and happy-call rules (issue #22)
show_complaint_settings(user)  # complaint deadlines (issue #22)
