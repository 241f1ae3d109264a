"""Audit: administrators search the trail, review a month's unusual access, check the hash
chain, and manage who may export and which single sign-on e-mail is whose.

The searches here are themselves audited (data_access.audit): looking at who looked is a look.
Everything shown is plain text in data frames, so a name or note holding markup stays inert.
"""

import datetime as dt
from collections.abc import Callable

import polars as pl
import streamlit as st
from sqlalchemy import Connection

from data_access import admin, exports
from data_access.core.errors import (
    DomainError,
)
from data_access.core.policy import (
    Action,
)
from data_access.core.security import (
    SignedInUser,
    now_seoul,
)
from ui import session
from ui.audit_words import action_text, client_text, detail_text, target_kind_text
from ui.feedback import show_refusal
from ui.format import count, day, moment
from ui.i18n import language, t, tn
from ui.markup import sentence

ALL = ""
# The review and the list of action names read a month (or all) of the trail: millions of rows
# at full scale. Cached per user, they do not slow every click on this page.
TRAIL_TTL_S = 600
FEEDBACK_KEY = "audit_grant_feedback"
REVIEW_MONTHS = 24  # access records are kept (at least) two years


def month_starts(today: dt.date, months: int) -> list[dt.date]:
    first, starts = today.replace(day=1), []
    for _ in range(months):
        starts.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return starts


@st.cache_data(ttl=TRAIL_TTL_S, show_spinner=False)
def known_actions(user: SignedInUser) -> list[str]:
    with session.connect() as conn:
        return admin.audit_actions(conn, user)


@st.cache_data(ttl=TRAIL_TTL_S, show_spinner=False)
def review_of(user: SignedInUser, month: dt.date) -> pl.DataFrame:
    with session.connect() as conn:
        return admin.monthly_review(conn, user, month)


def show_search(user: SignedInUser, today: dt.date) -> None:
    actions = known_actions(user)
    with st.form("audit_search"):
        who, customer, action = st.columns(3)
        username = who.text_input(t("audit_username"), max_chars=40)
        customer_no = customer.text_input(t("audit_customer_no"), max_chars=12)
        chosen = action.selectbox(
            t("audit_action"),
            [ALL, *actions],
            format_func=lambda name: (
                t("audit_any_action") if name == ALL else action_text(name, language())
            ),
            placeholder=t("select_placeholder"),
        )
        since_col, until_col = st.columns(2)
        since = since_col.date_input(t("audit_since"), value=today - dt.timedelta(days=30))
        until = until_col.date_input(t("audit_until"), value=today)
        submitted = st.form_submit_button(t("audit_search"), type="primary")
    if not submitted:
        st.caption(t("audit_search_hint"))
        return
    if since and until and since > until:
        st.warning(t("audit_dates_reversed"))
        return
    with session.connect() as conn:
        found = admin.search_trail(
            conn,
            user,
            username=username,
            customer_no=customer_no,
            action=chosen,
            since=since,
            until=until,
            client=session.client_address(),
        )
    if found.is_empty():
        st.info(t("audit_nothing_found"))
        return
    st.caption(
        tn("audit_found", found.height, rows=count(found.height), limit=count(admin.SEARCH_LIMIT))
    )
    reader = language()
    st.dataframe(
        found.select(
            pl.col("id").alias("#"),
            pl.col("occurred_at").alias(t("audit_col_when")),
            pl.col("username").fill_null("").alias(t("audit_col_who")),
            words(found["action"], lambda code: action_text(code, reader), t("audit_col_action")),
            words(
                found["target_kind"],
                lambda kind: target_kind_text(kind, reader),
                t("audit_col_target_kind"),
            ),
            pl.col("target_id").fill_null("").alias(t("audit_col_target")),
            words(found["detail"], lambda text: detail_text(text, reader), t("audit_col_detail")),
            words(found["client"], client_text, t("audit_col_client")),
        ),
        hide_index=True,
    )


def words(codes: pl.Series, word: Callable[[str], str], name: str) -> pl.Series:
    """A column of stored codes as the reader's words; empty cells stay empty."""
    return pl.Series(name, ["" if code is None else word(code) for code in codes], pl.String)


def show_review(user: SignedInUser, today: dt.date) -> None:
    month = st.selectbox(
        t("audit_review_month"),
        month_starts(today, REVIEW_MONTHS),
        format_func=lambda start: start.strftime("%Y-%m"),
        placeholder=t("select_placeholder"),
    )
    st.caption(
        t(
            "audit_review_rules",
            many=count(admin.MANY_RECORDS_PER_MONTH),
            outside=count(admin.OUTSIDE_BRANCH_VIEWS),
        )
    )
    review = review_of(user, month)
    if review.is_empty():
        st.success(t("audit_review_clean"), icon=":material/verified_user:")
        return
    st.dataframe(
        review.select(
            pl.col("username").alias(t("audit_col_who")),
            pl.col("role")
            .map_elements(lambda role: t(f"role_{role}"), pl.String)
            .alias(t("audit_col_role")),
            pl.col("views").alias(t("audit_col_views")),
            pl.col("customers").alias(t("audit_col_customers")),
            pl.col("outside_branch")
            .map_elements(count, pl.String)
            .fill_null("—")  # head-office staff have no branch of their own
            .alias(t("audit_col_outside")),
            pl.col("searches").alias(t("audit_col_searches")),
            pl.col("exports").alias(t("audit_col_exports")),
            pl.col("many_records").alias(t("audit_flag_many")),
            pl.col("mostly_other_branches").alias(t("audit_flag_outside")),
            pl.col("exported").alias(t("audit_flag_exported")),
        ),
        hide_index=True,
    )
    st.caption(t("audit_review_next_step"))


def show_chain() -> None:
    st.caption(t("audit_chain_explained"))
    if not st.button(t("audit_chain_verify"), icon=":material/link:"):
        return
    with st.spinner(t("audit_chain_checking")), session.connect() as conn:
        report = admin.verify_chain(conn)
    if report.intact:
        st.success(
            tn("audit_chain_intact", report.rows, rows=count(report.rows)),
            icon=":material/verified:",
        )
        st.code(report.head_hash, language=None)
    else:
        st.error(
            t(f"audit_chain_{report.problem}", id=report.first_bad_id, rows=count(report.rows)),
            icon=":material/gpp_bad:",
        )


def show_grants(user: SignedInUser) -> None:
    with session.connect() as conn:
        given = exports.list_grants(conn, user)
    st.subheader(t("grants_title"))
    st.caption(t("grants_explained"))
    if done := st.session_state.pop(FEEDBACK_KEY, None):
        st.success(done, icon=":material/check:")
    if given.is_empty():
        st.info(t("grants_none"))
    else:
        st.dataframe(
            given.with_columns(
                pl.Series("role", [t(f"role_{role}") for role in given["role"]]),
                pl.Series("action", [t(f"permission_{a}") for a in given["action"]]),
                pl.Series("granted_at", [moment(at) for at in given["granted_at"]]),
                pl.Series("revoked_at", [moment(at) for at in given["revoked_at"]]),
            )
            .with_columns(pl.col(pl.String).fill_null(""))
            .rename(
                {
                    "grant_id": "#",
                    "username": t("audit_col_who"),
                    "role": t("audit_col_role"),
                    "action": t("audit_col_action"),
                    "reason": t("grants_reason"),
                    "granted_by": t("grants_granted_by"),
                    "granted_at": t("grants_granted_at"),
                    "revoked_by": t("grants_revoked_by"),
                    "revoked_at": t("grants_revoked_at"),
                }
            ),
            hide_index=True,
        )
    give, take = st.columns(2)
    with give, st.form("grant_export", clear_on_submit=True):
        st.markdown(f"**{t('grants_give')}**")
        username = st.text_input(t("audit_username"), max_chars=40)
        reason = st.text_input(t("grants_reason"), max_chars=exports.REASON_MAX_CHARS)
        if st.form_submit_button(t("grants_give_button"), type="primary"):
            change(
                lambda conn: exports.grant(
                    conn,
                    user,
                    username,
                    Action.EXPORT,
                    reason=reason,
                    client=session.client_address(),
                ),
                done=sentence("grants_given", username=username.strip()),
            )
    current = given.filter(pl.col("revoked_at").is_null())
    labels = {
        row["grant_id"]: f"#{row['grant_id']} {row['username']} ({row['action']})"
        for row in current.iter_rows(named=True)
    }
    if labels:
        with take, st.form("revoke_grant"):
            st.markdown(f"**{t('grants_revoke')}**")
            picked = st.selectbox(
                t("grants_pick"),
                list(labels),
                format_func=labels.get,
                placeholder=t("select_placeholder"),
            )
            if st.form_submit_button(t("grants_revoke_button")):
                change(
                    lambda conn: exports.revoke(
                        conn, user, picked, client=session.client_address()
                    ),
                    done=t("grants_revoked"),
                )
    st.subheader(t("sso_title"))
    st.caption(t("sso_explained"))
    with st.form("sso_link", clear_on_submit=True):
        who, email = st.columns(2)
        username = who.text_input(t("audit_username"), max_chars=40, key="sso_username")
        address = email.text_input(t("sso_email"), max_chars=120)
        if st.form_submit_button(t("sso_link_button")):
            change(
                lambda conn: exports.link_sso_email(
                    conn, user, username, address or None, client=session.client_address()
                ),
                done=sentence("sso_linked", username=username.strip()),
            )


def change(write: Callable[[Connection], object], *, done: str) -> None:
    """Run one grant or link change; a refusal is a sentence, success reloads the list."""
    try:
        with session.connect() as conn:
            write(conn)
    except DomainError as refusal:
        show_refusal(refusal)
        return
    st.session_state[FEEDBACK_KEY] = done
    st.rerun()


user = session.require_user()
today = now_seoul().date()  # the trail is stamped with real time, not the business date
st.title(t("page_audit"))
st.caption(t("audit_intro", date=day(today)))
# Only the open tab runs: at full scale a month's review reads some 900,000 trail rows, which
# the search tab (the one a visit opens on) should not wait for.
search_tab, review_tab, chain_tab, grants_tab = st.tabs(
    [t("audit_tab_search"), t("audit_tab_review"), t("audit_tab_chain"), t("audit_tab_grants")],
    key="audit_tab",
    on_change="rerun",
)
if search_tab.open:
    with search_tab:
        show_search(user, today)
if review_tab.open:
    with review_tab:
        show_review(user, today)
if chain_tab.open:
    with chain_tab:
        show_chain()
if grants_tab.open:
    with grants_tab:
        show_grants(user)
