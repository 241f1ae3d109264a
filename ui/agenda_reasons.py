"""Why a customer is on the agenda, in the reader's language, with the numbers the build
recorded: the agenda page shows it beside each item, the customer 360 above a record opened
from the agenda. And why a day's agenda is not there yet (home and agenda pages).
"""

from typing import Any

import streamlit as st

from data_access import agenda
from data_access.core import job_runs
from ui.format import krw, krw_compact
from ui.i18n import t, tn
from ui.markup import literal

DAYS_A_YEAR = 365


def show_build(build: job_runs.RunState | None) -> None:
    """A sentence when the day's build has not run, is running or failed; nothing once built."""
    if build is None:
        st.info(t("agenda_not_built"), icon=":material/schedule:")
    elif build.status == job_runs.RUNNING:
        st.info(t("agenda_build_running"), icon=":material/hourglass_top:")
    elif build.status == job_runs.FAILED:
        st.warning(t("agenda_build_failed"), icon=":material/warning:")


def amount(won: int) -> str:
    """Won as people say them: whole won below 1억, then 억/조 (₩2.9억), never nine digits."""
    return krw_compact(won) if abs(won) >= 100_000_000 else krw(won)


def since(days: int) -> str:
    """How long ago, in days under a year and in whole years after: "28년", not "10519일"."""
    if days < DAYS_A_YEAR:
        return tn("agenda_span_days", days, count=days)
    return tn("agenda_span_years", days // DAYS_A_YEAR, count=days // DAYS_A_YEAR)


def when(days: int) -> str:
    return t("agenda_d_day") if days == 0 else tn("agenda_d_minus", days, days=days)


def explanation(kind: str, facts: dict[str, Any]) -> str:
    """The reason in the reader's language, with the numbers the build recorded."""
    if kind == agenda.RuleKind.LIFE_EVENT:
        more = t("agenda_more_events", count=facts["more"]) if facts["more"] else ""
        return t(
            f"agenda_why_{facts['event']}",
            on=facts["on"],
            when=when(facts["days"]),
            years=facts["years"],
            more=more,
        )
    if kind == agenda.RuleKind.MATURITY:
        extra = facts["accounts"] - 1
        return t(
            "agenda_why_maturity",
            on=facts["on"],
            when=when(facts["days"]),
            value=amount(facts["value_krw"]),
            account=literal(facts["account_no"]),
            more=t("agenda_more_accounts", count=extra) if extra else "",
        )
    if kind == agenda.RuleKind.DORMANT:
        key = "agenda_why_dormant" if facts["last_on"] else "agenda_why_dormant_never"
        return t(
            key,
            last_on=facts["last_on"],
            since=since(facts["idle_days"]),
            aum=amount(facts["aum_krw"]),
        )
    if kind == agenda.RuleKind.CHURN_RISK:
        return t(
            "agenda_why_churn_risk",
            score=facts["score"],
            threshold=facts["threshold"],
            signs=", ".join(churn_signs(facts)),
        )
    if kind == agenda.RuleKind.HAPPY_CALL:
        key = "agenda_why_happy_call" if facts["days"] >= 0 else "agenda_why_happy_call_overdue"
        return t(
            key,
            product=literal(facts["product"]),
            sold_on=facts["sold_on"],
            due_on=facts["due_on"],
            when=when(max(facts["days"], 0)),
            late=-facts["days"],
            tries=facts["tries"],
        )
    if kind == agenda.RuleKind.COMPLAINT:
        more = tn("agenda_more_complaints", facts["more"], count=facts["more"])
        key = "agenda_why_complaint" if facts["days"] >= 0 else "agenda_why_complaint_overdue"
        return t(
            key,
            case_no=facts["case_no"],
            category=t(f"complaint_category_{facts['category']}"),
            due_on=facts["deadline_on"],
            when=when(max(facts["days"], 0)),
            late=-facts["days"],
            more=more if facts["more"] else "",
        )
    key = "agenda_why_contact_due" if facts["last_on"] else "agenda_why_contact_due_never"
    return t(
        key,
        last_on=facts["last_on"],
        since=since(facts["idle_days"]),
        tier=t(f"tier_{facts['tier']}"),
        limit=facts["limit_days"],
        aum=amount(facts["aum_krw"]),
    )


def churn_signs(facts: dict[str, Any]) -> list[str]:
    signs = []
    if facts["p_redemptions"]:
        signs.append(
            tn(
                "agenda_sign_redemptions",
                facts["redemptions"],
                count=facts["redemptions"],
                amount=amount(facts["outflow_krw"]),
                points=facts["p_redemptions"],
            )
        )
    if facts["p_falling_balance"]:
        signs.append(
            t(
                "agenda_sign_falling_balance",
                pct=facts["drop_pct"],
                points=facts["p_falling_balance"],
            )
        )
    if facts["p_no_contact"]:
        if facts["contact_days"] is None:
            signs.append(t("agenda_sign_never_contacted", points=facts["p_no_contact"]))
        else:
            signs.append(
                t(
                    "agenda_sign_no_contact",
                    days=facts["contact_days"],
                    points=facts["p_no_contact"],
                )
            )
    if facts["p_maturity"]:
        signs.append(t("agenda_sign_maturity", on=facts["matured_on"], points=facts["p_maturity"]))
    return signs
