"""Customer 360: find a customer, see everything about them on one screen, write notes and alerts.

The open customer lives in the URL (`?customer=<number>`), so links from the agenda, a segment
or an alert open it and a view can be shared. Writes run in widget callbacks, before the page
reads the record again, so what was just saved is already on screen.
"""

import datetime as dt
import logging
from collections.abc import Callable

import altair as alt
import pandas as pd
import polars as pl
import streamlit as st
from pandas.io.formats.style import Styler
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from data_access import agenda, customers
from data_access.core.errors import (
    DomainError,
    Refused,
)
from data_access.core.models import (
    ALERT_KINDS,
    ALERT_SEVERITIES,
    CONSULTATION_CHANNELS,
    CONSULTATION_OUTCOMES,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import session
from ui.agenda_reasons import explanation
from ui.campaign_sections import show_campaign_memberships
from ui.complaint_sections import show_open_complaints
from ui.conduct_section import (
    load_conduct,
    show_calls_to_make,
    show_conduct_panel,
    show_profile,
)
from ui.consent_section import show_consent_panel
from ui.failures import guarded
from ui.feedback import refusal_text, show_refusal
from ui.format import count, day, krw, krw_compact, moment
from ui.i18n import has_message, language, t, tn
from ui.markup import literal

log = logging.getLogger("dreams")

QUERY_KEY = "customer_query"
RESULTS_KEY = "customer_results"
RESULTS_TABLE_KEY = "customer_results_table"
VIEWED_KEY = "customer_viewed"
FEEDBACK_KEY = "customer_feedback"
REASON_KEY = "customer_view_reason"
HIGHLIGHT = "background-color: rgba(255, 196, 0, 0.25)"


def label(prefix: str, code: str | None) -> str:
    """A stored code (kind, channel, outcome) in the user's language; unknown codes as stored."""
    key = f"{prefix}_{code}"
    return t(key) if has_message(key) else (code or "")


def localized(ko: str | None, en: str | None) -> str:
    return (ko if language() == "ko" else en) or ""


def localized_names(ko: pl.Series, en: pl.Series) -> list[str]:
    return [localized(korean, english) for korean, english in zip(ko, en, strict=True)]


def texts(values: pl.Series, show: Callable[..., str]) -> list[str]:
    """A column formatted for reading; empty cells stay empty."""
    return ["" if value is None else show(value) for value in values]


def highlighted(frame: pd.DataFrame, rows: list[bool]) -> Styler:
    return frame.style.apply(lambda row: [HIGHLIGHT if rows[row.name] else ""] * len(row), axis=1)


def field(name: str, customer_no: str) -> str:
    """A form field's key, one per customer: text typed for one customer never follows the
    user to the next one."""
    return f"{name}_{customer_no}"


def show_feedback(place: str) -> None:
    """The message a write callback left for this part of the page, shown once."""
    feedback = st.session_state.get(FEEDBACK_KEY)
    if feedback and feedback[0] == place:
        st.session_state.pop(FEEDBACK_KEY)
        (st.success if feedback[1] else st.error)(feedback[2])


# --- search ---------------------------------------------------------------------------------


@guarded
def run_search(user: SignedInUser) -> None:
    query = st.session_state[QUERY_KEY]
    if not query.strip():
        st.session_state.pop(RESULTS_KEY, None)
        return
    with session.connect() as conn:
        results = customers.search_customers(conn, user, query)
    st.session_state[RESULTS_KEY] = (query, results)
    # A number that names exactly one customer opens it: type it, press Enter, done.
    if results.height == 1 and results["matched_by"][0] in ("customer_no", "account_no"):
        st.query_params["customer"] = results["customer_no"][0]


@guarded
def open_picked() -> None:
    """The row clicked in the results opens that customer."""
    rows = st.session_state[RESULTS_TABLE_KEY]["selection"]["rows"]
    if rows:
        results = st.session_state[RESULTS_KEY][1]
        st.query_params["customer"] = results["customer_no"][rows[0]]


def status_text(closed_on: dt.date | None) -> str:
    """Closed customers carry the day they closed; open ones need no word."""
    return "" if closed_on is None else t("customer_closed_on", date=day(closed_on))


def show_search(user: SignedInUser) -> None:
    st.text_input(
        t("customer_search"),
        key=QUERY_KEY,
        type="search",
        icon=":material/search:",
        placeholder=t("customer_search_placeholder"),
        max_chars=customers.QUERY_MAX_CHARS,
        on_change=run_search,
        args=(user,),
    )
    query, results = st.session_state.get(RESULTS_KEY, ("", None))
    if results is None or query != st.session_state.get(QUERY_KEY):
        return
    if results.is_empty():
        st.info(t("customer_search_none", query=literal(query.strip())))
        return
    st.caption(tn("customer_search_found", results.height, count=count(results.height)))
    if results.height >= customers.SEARCH_LIMIT:
        st.caption(t("customer_search_limit", count=count(results.height)))
    st.dataframe(
        pd.DataFrame(
            {
                t("col_customer_no"): results["customer_no"].to_list(),
                t("col_name"): results["name"].to_list(),
                t("col_birth_year"): results["birth_year"].cast(pl.String).to_list(),
                t("col_tier"): texts(results["tier"], lambda v: label("tier", v)),
                t("col_branch"): localized_names(results["branch_ko"], results["branch_en"]),
                t("col_phone"): results["phone_masked"].to_list(),
                t("col_status"): [status_text(closed_on) for closed_on in results["closed_on"]],
                t("col_matched_by"): texts(results["matched_by"], lambda v: label("matched", v)),
            }
        ),
        hide_index=True,
        key=RESULTS_TABLE_KEY,
        on_select=open_picked,
        selection_mode="single-row",
    )


# --- the customer ---------------------------------------------------------------------------


def show_agenda_reason(user: SignedInUser, customer_no: str, as_of: dt.date) -> None:
    """Opened from the agenda (`?from=agenda&rule=`), the record says why the customer is on
    it; the words come from the rep's own agenda item, never from the link."""
    rule = st.query_params.get("rule", "")
    if st.query_params.get("from") != "agenda" or not rule.isdigit():
        return
    with session.connect() as conn:
        reason = agenda.agenda_reason(conn, user, customer_no, int(rule), as_of)
    if reason is not None:
        name = reason.rule_name_ko if language() == "ko" else reason.rule_name_en
        st.caption(
            t(
                "customer_from_agenda",
                rule=literal(name),
                why=explanation(reason.kind, reason.facts),
            )
        )


def record_view_once(user: SignedInUser, customer_no: str) -> None:
    """Audit a view when a customer is opened, not on every rerun of the page's widgets.

    A customer outside the user's own book or branch is recorded with the reason stated in
    `ask_view_reason`; until one is, customers.ViewReasonRequired keeps the record closed.
    A reason serves one opening: the next time the customer is opened, it is asked again.
    """
    if st.session_state.get(VIEWED_KEY) == customer_no:
        return
    stated = st.session_state.pop(REASON_KEY, None)
    reason = stated[1] if stated is not None and stated[0] == customer_no else None
    with session.connect() as conn:
        customers.record_customer_view(conn, user, customer_no, reason=reason)
    st.session_state[VIEWED_KEY] = customer_no


@guarded
def state_reason(customer_no: str) -> None:
    state = st.session_state
    try:
        reason = customers.ViewReason(
            state[field("view_reason", customer_no)], state[field("view_reason_text", customer_no)]
        )
    except Refused as rejected:
        state[FEEDBACK_KEY] = ("view_reason", False, refusal_text(rejected))
        return
    state[REASON_KEY] = (customer_no, reason)


def ask_view_reason(customer_no: str) -> None:
    """Before a customer outside the user's book or branch shows, ask why (PIPC): a reason
    from the list and, if need be, words; the view's audit row keeps them."""
    st.info(t("view_reason_needed"), icon=":material/policy:")
    with st.form("view_reason_form", width=560):
        st.selectbox(
            t("view_reason"),
            customers.VIEW_REASONS,
            format_func=lambda code: t(f"view_reason_{code}"),
            key=field("view_reason", customer_no),
            placeholder=t("select_placeholder"),
        )
        st.text_input(
            t("view_reason_text"),
            max_chars=customers.VIEW_REASON_TEXT_MAX_CHARS,
            key=field("view_reason_text", customer_no),
        )
        st.form_submit_button(
            t("view_reason_open"), type="primary", on_click=state_reason, args=(customer_no,)
        )
    show_feedback("view_reason")


def show_banner(view: customers.Customer360) -> None:
    """Open alerts and derived cues first, critical ones on top: the fraud cue must not be
    missed."""
    lines = [
        (
            alert["severity"] == "critical",
            ":material/warning:",
            t(
                "alert_line",
                kind=literal(label("alert_kind", alert["kind"])),
                text=literal(alert["text"]),
                who=literal(alert["raised_by"] or t("raised_by_system")),
                date=day(alert["raised_at"].date()),
            ),
        )
        for alert in view.open_alerts.iter_rows(named=True)
    ]
    lines += [
        (
            flag.severity == "critical",
            ":material/psychology_alt:",
            t(
                f"flag_{flag.kind}",
                count=count(flag.earlier_transactions),
                account=literal(flag.account_no),
                date=day(flag.occurred_at.date()),
                amount=krw(flag.amount_krw),
                branch=literal(localized(flag.branch_ko, flag.branch_en) or "-"),
                days=count(flag.dormant_days),
                share=flag.share_pct,
            ),
        )
        for flag in view.flags
    ]
    for critical, icon, body in sorted(lines, key=lambda line: not line[0]):
        (st.error if critical else st.warning)(body, icon=icon)


def show_header(profile: customers.CustomerProfile) -> None:
    st.header(literal(profile.name))
    st.caption(
        t(
            "profile_caption",
            number=profile.customer_no,
            age=profile.age_years,
            gender=literal(label("gender", profile.gender)),
            occupation=literal(profile.occupation),
            region=literal(profile.region),
        )
    )
    if profile.closed_on is not None:
        st.info(t("customer_closed", date=day(profile.closed_on)))
    columns = st.columns(5)
    columns[0].metric(t("col_tier"), literal(label("tier", profile.tier)))
    columns[1].metric(t("total_aum"), krw_compact(profile.aum_krw), help=krw(profile.aum_krw))
    home_branch = localized(profile.home_branch_ko, profile.home_branch_en)
    columns[2].metric(t("home_branch"), literal(home_branch))
    columns[3].metric(t("manager"), literal(profile.manager_name or t("no_manager")))
    columns[4].metric(
        t("tenure"),
        tn("tenure_years", profile.tenure_years, years=profile.tenure_years),
        help=t("customer_since", date=day(profile.opened_on)),
    )
    with st.container(horizontal=True):
        for channel, given in (
            ("consent_dm", profile.consent_dm),
            ("consent_tm", profile.consent_tm),
            ("consent_email", profile.consent_email),
        ):
            text = t("consent_given" if given else "consent_refused", channel=t(channel))
            icon = ":material/check:" if given else ":material/block:"
            st.badge(text, icon=icon, color="green" if given else "gray")
    st.caption(
        t(
            "contact_line",
            phone=literal(profile.phone),
            email=literal(profile.email or "-"),
            address=literal(profile.address),
        )
    )
    if not profile.contact_visible:
        st.caption(t("contact_masked"))


def maturity_text(matures: dt.date | None, days_left: int | None, soon: bool) -> str:
    if matures is None:
        return ""
    if not soon or days_left is None:
        return day(matures)
    return tn("maturity_soon", days_left, date=day(matures), days=days_left)


def show_holdings(holdings: pl.DataFrame) -> None:
    if holdings.is_empty():
        st.info(t("no_holdings"))
        return
    soon = holdings["matures_soon"].to_list()
    if any(soon):
        st.warning(tn("maturing_soon_note", sum(soon), count=sum(soon)), icon=":material/event:")
    maturity = [
        maturity_text(matures, left, is_soon)
        for matures, left, is_soon in zip(
            holdings["maturity_date"], holdings["days_to_maturity"], soon, strict=True
        )
    ]
    table = pd.DataFrame(
        {
            t("col_account"): holdings["account_no"].to_list(),
            t("col_product"): holdings["product"].to_list(),
            t("col_market_value"): texts(holdings["market_value_krw"], krw),
            t("col_principal"): texts(holdings["principal_krw"], krw),
            t("col_gain"): texts(holdings["gain_krw"], krw),
            t("col_gain_pct"): texts(holdings["gain_pct"], lambda pct: f"{pct:+.2f}%"),
            t("col_opened_on"): texts(holdings["opened_on"], day),
            t("col_maturity"): maturity,
        }
    )
    st.dataframe(highlighted(table, soon), hide_index=True)


def flow_chart(flows: pl.DataFrame) -> alt.Chart:
    """Monthly bars: money in above the axis, money out below it."""
    data = flows.select(
        "month",
        pl.col("inflow_krw").alias(t("inflow")),
        (-pl.col("outflow_krw")).alias(t("outflow")),
    ).unpivot(index="month", variable_name="direction", value_name="amount_krw")
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):T", title=t("month"), axis=alt.Axis(format="%Y-%m")),
            y=alt.Y("amount_krw:Q", title=t("amount")),
            color=alt.Color("direction:N", title=None),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title=t("month")),
                alt.Tooltip("direction:N", title=t("col_kind")),
                alt.Tooltip("amount_krw:Q", title=t("amount"), format=","),
            ],
        )
    )


def show_transactions(view: customers.Customer360) -> None:
    if view.recent_transactions.is_empty():
        st.info(t("no_transactions"))
        return
    st.subheader(t("flows_title"))
    st.altair_chart(flow_chart(view.monthly_flows))
    st.subheader(t("recent_transactions"))
    recent = view.recent_transactions
    by_proxy = [who != customers.OWNER for who in recent["performed_by"]]
    table = pd.DataFrame(
        {
            t("col_when"): texts(recent["occurred_at"], moment),
            t("col_account"): recent["account_no"].to_list(),
            t("col_product"): recent["product"].to_list(),
            t("col_kind"): texts(recent["kind"], lambda v: label("txn_kind", v)),
            t("col_amount"): texts(recent["amount_krw"], krw),
            t("col_channel"): texts(recent["channel"], lambda v: label("txn_channel", v)),
            t("col_branch"): localized_names(recent["branch_ko"], recent["branch_en"]),
            t("col_performed_by"): texts(recent["performed_by"], lambda v: label("performed", v)),
            t("col_employee"): texts(recent["employee"], str),
        }
    )
    st.dataframe(highlighted(table, by_proxy), hide_index=True)


def save(
    place: str,
    write: Callable[[Connection], object],
    *,
    done: str,
    reset: dict[str, object],
) -> None:
    """Run one write from a form callback and leave its outcome for `show_feedback`."""
    state = st.session_state
    try:
        with session.connect() as conn:
            write(conn)
    except DomainError as refusal:
        state[FEEDBACK_KEY] = (place, False, refusal_text(refusal))
    except OperationalError:
        log.exception("database error while saving on the customer page")
        state[FEEDBACK_KEY] = (place, False, t("database_unavailable"))
    else:
        state.update(reset)
        state[FEEDBACK_KEY] = (place, True, t(done))


@guarded
def save_note(user: SignedInUser, customer_no: str) -> None:
    state = st.session_state
    save(
        "note",
        lambda conn: customers.add_note(
            conn,
            user,
            customer_no,
            channel=state[field("note_channel", customer_no)],
            outcome=state[field("note_outcome", customer_no)],
            text=state[field("note_text", customer_no)],
            corrects_id=state[field("note_corrects", customer_no)],
            sensitive=state[field("note_sensitive", customer_no)],
        ),
        done="note_saved",
        reset={
            field("note_text", customer_no): "",
            field("note_corrects", customer_no): None,
            field("note_sensitive", customer_no): False,
        },
    )


def show_note_form(user: SignedInUser, customer_no: str, notes: pl.DataFrame) -> None:
    with st.form("note_form"):
        st.markdown(f"**{t('note_form_title')}**")
        channel, outcome, corrects = st.columns(3)
        channel.selectbox(
            t("col_channel"),
            CONSULTATION_CHANNELS,
            format_func=lambda code: label("consult_channel", code),
            key=field("note_channel", customer_no),
            placeholder=t("select_placeholder"),
        )
        outcome.selectbox(
            t("col_outcome"),
            CONSULTATION_OUTCOMES,
            format_func=lambda code: label("outcome", code),
            key=field("note_outcome", customer_no),
            placeholder=t("select_placeholder"),
        )
        corrects.selectbox(
            t("note_correct_target"),
            [None, *notes["consultation_id"].to_list()],
            format_func=lambda note_id: t("note_new_entry") if note_id is None else f"#{note_id}",
            key=field("note_corrects", customer_no),
            help=t("note_append_only"),
            placeholder=t("select_placeholder"),
        )
        st.text_area(
            t("note_text"), max_chars=customers.NOTE_MAX_CHARS, key=field("note_text", customer_no)
        )
        st.checkbox(
            t("note_sensitive"),
            key=field("note_sensitive", customer_no),
            help=t("note_sensitive_help"),
        )
        st.form_submit_button(
            t("note_save"), type="primary", on_click=save_note, args=(user, customer_no)
        )
    show_feedback("note")


def show_consultations(user: SignedInUser, customer_no: str, notes: pl.DataFrame) -> None:
    show_note_form(user, customer_no, notes)
    st.subheader(t("consultations_title"))
    if notes.is_empty():
        st.info(t("no_consultations"))
        return
    corrections = [
        t("note_corrects", id=corrects)
        if corrects is not None
        else t("note_corrected_by", id=corrected_by)
        if corrected_by is not None
        else ""
        for corrects, corrected_by in zip(
            notes["corrects_id"], notes["corrected_by_id"], strict=True
        )
    ]
    # Shown in a table, so a note is text: no markdown or HTML is ever interpreted.
    table = pd.DataFrame(
        {
            t("col_no"): notes["consultation_id"].to_list(),
            t("col_when"): texts(notes["occurred_at"], moment),
            t("col_channel"): texts(notes["channel"], lambda v: label("consult_channel", v)),
            t("col_employee"): notes["employee"].to_list(),
            t("col_branch"): localized_names(notes["branch_ko"], notes["branch_en"]),
            t("col_outcome"): texts(notes["outcome"], lambda v: label("outcome", v)),
            t("col_note"): [
                t("note_sensitive_hidden") if note is None else note for note in notes["note"]
            ],
            t("col_correction"): corrections,
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config={t("col_note"): st.column_config.TextColumn(width="large")},
    )


def show_events(view: customers.Customer360) -> None:
    st.subheader(t("events_title"))
    events = view.upcoming_events
    if events.is_empty():
        st.info(t("no_events"))
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    t("col_event"): texts(events["kind"], lambda v: label("event", v)),
                    t("col_next_on"): texts(events["next_on"], day),
                    t("col_days_until"): [
                        t("today_event") if days == 0 else tn("days_left", days, days=days)
                        for days in events["days_until"]
                    ],
                    t("col_years"): events["years"].to_list(),
                }
            ),
            hide_index=True,
        )
    st.subheader(t("transfers_title"))
    transfers = view.transfers
    if transfers.is_empty():
        st.info(t("no_transfers"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("col_transferred_on"): texts(transfers["transferred_on"], day),
                t("col_from"): localized_names(transfers["from_ko"], transfers["from_en"]),
                t("col_to"): localized_names(transfers["to_ko"], transfers["to_en"]),
                t("col_reason"): transfers["reason"].to_list(),
            }
        ),
        hide_index=True,
    )


@guarded
def raise_alert(user: SignedInUser, customer_no: str) -> None:
    state = st.session_state
    save(
        "alert",
        lambda conn: customers.raise_alert(
            conn,
            user,
            customer_no,
            kind=state[field("alert_kind", customer_no)],
            severity=state[field("alert_severity", customer_no)],
            text=state[field("alert_text", customer_no)],
        ),
        done="alert_raised",
        reset={field("alert_text", customer_no): ""},
    )


@guarded
def resolve_alert(user: SignedInUser, customer_no: str) -> None:
    state = st.session_state
    save(
        "alert",
        lambda conn: customers.resolve_alert(
            conn,
            user,
            customer_no,
            state[field("alert_to_resolve", customer_no)],
            note=state[field("resolution_note", customer_no)],
        ),
        done="alert_resolved",
        reset={field("resolution_note", customer_no): ""},
    )


def show_alert_forms(user: SignedInUser, customer_no: str, alerts: pl.DataFrame) -> None:
    with st.expander(t("alerts_manage"), icon=":material/notification_important:"):
        show_feedback("alert")
        raise_form, resolve_form = st.columns(2)
        with raise_form, st.form("raise_alert"):
            st.selectbox(
                t("alert_kind"),
                ALERT_KINDS,
                format_func=lambda code: label("alert_kind", code),
                key=field("alert_kind", customer_no),
                placeholder=t("select_placeholder"),
            )
            st.selectbox(
                t("alert_severity"),
                ALERT_SEVERITIES,
                format_func=lambda code: label("severity", code),
                key=field("alert_severity", customer_no),
                placeholder=t("select_placeholder"),
            )
            st.text_input(
                t("alert_text"),
                max_chars=customers.ALERT_TEXT_MAX_CHARS,
                key=field("alert_text", customer_no),
            )
            st.form_submit_button(t("alert_raise"), on_click=raise_alert, args=(user, customer_no))
        with resolve_form:
            if alerts.is_empty():
                st.caption(t("no_open_alerts"))
                return
            titles = {
                row["alert_id"]: f"#{row['alert_id']} {label('alert_kind', row['kind'])}"
                for row in alerts.iter_rows(named=True)
            }
            with st.form("resolve_alert"):
                st.selectbox(
                    t("alert_to_resolve"),
                    list(titles),
                    format_func=titles.get,
                    key=field("alert_to_resolve", customer_no),
                    placeholder=t("select_placeholder"),
                )
                st.text_input(
                    t("resolution_note"),
                    max_chars=customers.ALERT_TEXT_MAX_CHARS,
                    key=field("resolution_note", customer_no),
                )
                st.form_submit_button(
                    t("alert_resolve"), on_click=resolve_alert, args=(user, customer_no)
                )


def show_customer(user: SignedInUser, customer_no: str, as_of: dt.date) -> None:
    try:
        record_view_once(user, customer_no)
        with session.connect() as conn:
            view = customers.customer_360(conn, user, customer_no, as_of=as_of)
    except customers.ViewReasonRequired:
        ask_view_reason(customer_no)
        return
    except DomainError as refusal:
        show_refusal(refusal)
        return
    show_banner(view)
    show_header(view.profile)
    show_alert_forms(user, view.profile.customer_no, view.open_alerts)
    show_open_complaints(user, view.profile.customer_no, as_of)  # issue #22
    conduct_record = load_conduct(user, view.profile.customer_no, as_of)  # issue #22
    if conduct_record.profile is not None and conduct_record.profile.expired:
        show_profile(conduct_record.profile)
    show_calls_to_make(user, conduct_record)
    holdings, transactions, consultations, events, consents, sales = st.tabs(
        [
            t("tab_holdings"),
            t("tab_transactions"),
            t("tab_consultations"),
            t("tab_events"),
            t("tab_consent"),
            t("tab_sales"),
        ]
    )
    with holdings:
        show_holdings(view.holdings)
    with transactions:
        show_transactions(view)
    with consultations:
        show_consultations(user, view.profile.customer_no, view.consultations)
    with events:
        show_events(view)
        show_campaign_memberships(user, view.profile.customer_no)  # issue #6
    with consents:
        show_consent_panel(user, view.profile.customer_no)  # issue #22
    with sales:
        show_conduct_panel(user, view.profile.customer_no, conduct_record)  # issue #22


user = session.require_user()
st.title(t("page_customer"))
show_search(user)
customer_no = st.query_params.get("customer")
if customer_no:
    show_agenda_reason(user, customer_no, session.today())
    show_customer(user, customer_no, session.today())
else:
    st.session_state.pop(VIEWED_KEY, None)
    st.caption(t("customer_start_hint"))
