"""Home: what the signed-in user's part of the firm holds today."""

import datetime as dt

import polars as pl
import streamlit as st

from data_access import agenda, kpis, training, usage
from data_access.core import job_runs, metrics
from data_access.core.models import (
    Role,
)
from data_access.core.security import (
    SignedInUser,
)
from ui import agenda_reasons, kpi_view, session
from ui.complaint_sections import show_home_complaints
from ui.conduct_section import show_overdue_calls
from ui.format import count, day, iso_day, krw_compact, moment, percent
from ui.i18n import language, t, tn
from ui.markup import sentence
from ui.messages import has_message
from ui.training_view import expiry_text

SUMMARY_TTL_S = 600
HOME_CERTIFICATES = 8  # a screen's worth of links; the rest one click away on the training page
CERTIFICATE_ICONS = {
    training.EXPIRED: ":material/warning:",
    training.EXPIRING: ":material/schedule:",
}
TILES_PER_ROW = 4
INTRO = {
    Role.EXECUTIVE: "home_exec_intro",
    Role.BRANCH_MANAGER: "home_branch_intro",
    Role.SALES_REP: "home_rep_intro",
    Role.DEDICATED_MANAGER: "home_rep_intro",
    Role.TRAINER: "home_trainer_intro",
    Role.ADMIN: "home_admin_intro",
    Role.COMPLIANCE: "home_compliance_intro",
}


# The whole user is part of the key: a summary is never served to someone outside its scope.
@st.cache_data(ttl=SUMMARY_TTL_S, show_spinner=False)
def scope_summary(user: SignedInUser, as_of: dt.date) -> kpis.ScopeSummary:
    with session.connect() as conn:
        return kpis.scope_summary(conn, user, as_of=as_of)


@st.cache_data(ttl=SUMMARY_TTL_S, show_spinner=False)
def training_summary(user: SignedInUser, as_of: dt.date) -> kpis.TrainingSummary:
    with session.connect() as conn:
        return kpis.training_summary(conn, user, as_of=as_of)


def show_scope(user: SignedInUser, as_of: dt.date) -> None:
    """The live figures of the user's scope; AUM is left to the KPIs below when they show it
    (the same definition, for the latest completed day, named there)."""
    summary = scope_summary(user, as_of)
    aum_below = "aum_krw" in kpi_view.home_kpis(user, as_of)
    stock_help = (
        None if summary.stock_day is None else t("help_stock_day", date=day(summary.stock_day))
    )
    tiles = [
        (t("customers"), count(summary.customers), stock_help or t("help_customers")),
        *(
            []
            if aum_below
            else [(t("aum"), krw_compact(summary.aum_krw), stock_help or t("help_aum"))]
        ),
        *(
            []
            if summary.open_accounts is None
            else [(t("open_accounts"), count(summary.open_accounts), None)]
        ),
        (t("open_alerts"), count(summary.open_alerts), None),
        (t("consultations_recent"), count(summary.consultations_recent), None),
        (t("maturing_soon"), count(summary.maturing_soon), None),
    ]
    if user.role in (Role.EXECUTIVE, Role.BRANCH_MANAGER):
        tiles += [
            (t("branches"), count(summary.branches), None),
            (t("staff"), count(summary.staff), None),
        ]
    show_tiles(tiles)


def show_tiles(tiles: list[tuple[str, str, str | None]]) -> None:
    """Metric tiles (label, value, help) TILES_PER_ROW to a row: at 1,280 px a row of more
    cuts the labels short."""
    for first in range(0, len(tiles), TILES_PER_ROW):
        columns = st.columns(TILES_PER_ROW)
        for column, (label, value, help_text) in zip(
            columns, tiles[first : first + TILES_PER_ROW], strict=False
        ):
            column.metric(label, value, help=help_text)


def show_agenda_today(user: SignedInUser, as_of: dt.date) -> None:
    """A rep's job first: today's agenda by reason, what is past due, and the way in."""
    st.subheader(t("agenda_title"))
    with session.connect() as conn:
        by_reason = agenda.day_by_reason(conn, user, as_of, language=language())
    if by_reason.is_empty():
        with session.connect() as conn:
            build = agenda.my_agenda(conn, user, as_of).build
        if build is None or build.status != job_runs.SUCCEEDED:
            agenda_reasons.show_build(build)
        else:
            st.caption(t("home_agenda_none"))
        return
    st.dataframe(
        by_reason.select(
            pl.col("reason").alias(t("col_reason")),
            pl.col("open").alias(t("agenda_left")),
            pl.col("items").alias(t("agenda_total")),
            pl.col("overdue").alias(t("col_overdue_items")),
        ),
        hide_index=True,
        width="content",
    )
    overdue = by_reason["overdue"].sum()
    if overdue:
        st.warning(
            tn("home_agenda_overdue", overdue, count=count(overdue)), icon=":material/schedule:"
        )
    st.page_link(
        "pages/agenda_page.py",
        label=t("home_agenda_link", open=count(by_reason["open"].sum())),
        icon=":material/checklist:",
    )


def show_training(user: SignedInUser, as_of: dt.date) -> None:
    """The training page's totals for the user's scope (training.training_totals)."""
    summary = training_summary(user, as_of)
    totals = summary.totals
    st.subheader(t("training"))
    show_tiles(
        [
            (t("active_courses"), count(summary.active_courses), None),
            (t("enrolments"), count(totals.enrolled), None),
            (t("completed"), count(totals.completed), None),
            (t("training_completion"), percent(totals.completion_pct), None),
            (t("valid_certifications"), count(totals.valid_certificates), None),
            (t("expired_certifications"), count(totals.expired_certificates), None),
            (
                t("expiring_within", days=metrics.EXPIRING_DAYS),
                count(totals.expiring_certificates),
                None,
            ),
        ]
    )


def show_staff_attention(user: SignedInUser, as_of: dt.date) -> None:
    """A branch manager's job first: who has not used the console today or is below the
    norm, the branch's agenda completion, and the way to each page."""
    with session.connect() as conn:
        people = usage.idle_today_or_below_norm(conn, user, as_of)
        team = agenda.team_completion(conn, user, as_of)
    st.subheader(t("home_staff_attention"))
    st.caption(t("home_staff_attention_caption", norm=metrics.ACTIONS_NORM_PER_DAY))
    yes, no = t("word_yes"), t("word_no")
    st.dataframe(
        people.select(
            pl.col("name").alias(t("col_name")),
            pl.col("employee_no").alias(t("col_employee_no")),
            pl.col("used_today")
            .replace_strict({True: yes, False: no}, return_dtype=pl.String)
            .alias(t("col_used_today")),
            pl.col("actions_per_day").round(0).cast(pl.Int64).alias(t("col_per_day")),
            pl.col("vs_norm_pct").round(0).alias(t("col_vs_norm")),
        ),
        hide_index=True,
        width="content",
    )
    st.page_link("pages/usage_page.py", label=t("page_usage"), icon=":material/monitoring:")
    st.metric(
        t("home_agenda_today_done"),
        f"{count(team.done)} / {count(team.items)}",
        help=t("home_agenda_today_done_help"),
    )
    st.page_link(
        "pages/branch_agenda_page.py", label=t("page_branch_agenda"), icon=":material/checklist:"
    )


def show_certificates(user: SignedInUser, as_of: dt.date) -> None:
    """A trainer's job first: each expired or expiring certificate, a link to its person."""
    st.subheader(t("home_certs"))
    with session.connect() as conn:
        certificates = training.certifications(conn, user, as_of)
        running = training.sessions(conn, user, since=as_of)
    due = certificates.filter(pl.col("state").is_in([training.EXPIRED, training.EXPIRING]))
    if due.is_empty():
        st.caption(t("home_certs_none"))
    for row in due.head(HOME_CERTIFICATES).iter_rows(named=True):
        st.page_link(
            "pages/training_page.py",
            label=" · ".join(
                (row["name"], row[f"title_{language()}"], expiry_text(row["days_left"]))
            ),
            query_params={"employee": row["employee_no"]},
            icon=CERTIFICATE_ICONS[row["state"]],
        )
    st.page_link(
        "pages/training_page.py",
        label=t("home_certs_all", count=count(due.height)),
        icon=":material/badge:",
    )
    running = running.filter(pl.col("starts_on") <= as_of)
    if not running.is_empty():
        st.subheader(t("home_courses_running"))
        st.dataframe(
            running.select(
                pl.col(f"title_{language()}").alias(t("col_course")),
                iso_day("starts_on").alias(t("col_starts_on")),
                iso_day("ends_on").alias(t("col_ends_on")),
                pl.col("location").alias(t("col_location")),
                pl.col("enrolled").alias(t("col_enrolled")),
            ),
            hide_index=True,
            width="content",
        )


def job_label(job: str) -> str:
    key = f"job_{job}"
    return t(key) if has_message(key) else job


def show_job_health(user: SignedInUser) -> None:
    """An admin's job first: each job's last run, failed ones on top, and the way in."""
    st.subheader(t("home_job_health"))
    with session.connect() as conn:
        runs = job_runs.last_run_per_job(conn, user)
    if runs.is_empty():
        st.caption(t("home_job_health_none"))
    else:
        failed = runs.filter(pl.col("status") == job_runs.FAILED).height
        if failed:
            st.error(tn("home_jobs_failed", failed, count=count(failed)), icon=":material/error:")
        st.dataframe(
            pl.DataFrame(
                {
                    t("col_job"): [job_label(job) for job in runs["job"]],
                    t("col_business_date"): [day(d) for d in runs["business_date"]],
                    t("col_run_status"): [t(f"run_status_{s}") for s in runs["status"]],
                    t("col_error"): [(e or "").split("\n", 1)[0] for e in runs["error"]],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    st.page_link("pages/jobs_page.py", label=t("page_jobs"), icon=":material/schedule:")


def show_admin_attention(user: SignedInUser, as_of: dt.date) -> None:
    """Refused imports (nothing of them was written) and who may export personal data now."""
    with session.connect() as conn:
        attention = kpis.admin_attention(conn, user, as_of=as_of)
    days = kpis.ATTENTION_DAYS
    st.subheader(t("home_refused_imports", days=days))
    refused = attention.refused_imports
    if refused.is_empty():
        st.caption(t("home_refused_imports_none", days=days))
    else:
        st.warning(tn("home_refused_imports_count", refused.height, count=count(refused.height)))
        st.dataframe(
            pl.DataFrame(
                {
                    t("col_when"): [moment(at) for at in refused["started_at"]],
                    t("col_user"): refused["username"],
                    t("import_kind"): [t(f"import_kind_{kind}") for kind in refused["kind"]],
                    t("col_file"): refused["file_name"],
                    t("import_rejected"): refused["rejected"],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    st.page_link("pages/import_page.py", label=t("page_import"), icon=":material/upload:")
    st.subheader(t("home_grants_in_force"))
    grants = attention.grants_in_force
    if grants.is_empty():
        st.caption(t("grants_none"))
    else:
        st.dataframe(
            pl.DataFrame(
                {
                    t("audit_col_who"): grants["username"],
                    t("audit_col_role"): [t(f"role_{role}") for role in grants["role"]],
                    t("audit_col_action"): [t(f"permission_{a}") for a in grants["action"]],
                    t("grants_reason"): grants["reason"],
                    t("grants_granted_at"): [moment(at) for at in grants["granted_at"]],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    st.page_link("pages/audit_page.py", label=t("page_audit"), icon=":material/policy:")


user = session.require_user()
as_of = session.today()
st.title(sentence("welcome", name=user.employee_name))
st.caption(f"{t(INTRO[user.role])} · {t('as_of', date=day(as_of))}")

if user.role == Role.TRAINER:
    show_certificates(user, as_of)
    show_training(user, as_of)
elif user.role == Role.ADMIN:
    show_job_health(user)
    show_admin_attention(user, as_of)
elif user.role == Role.COMPLIANCE:
    show_home_complaints(user, as_of)
    kpi_view.home_section(user, as_of)
else:
    if user.role in (Role.SALES_REP, Role.DEDICATED_MANAGER):
        show_agenda_today(user, as_of)
    if user.role == Role.BRANCH_MANAGER:
        show_staff_attention(user, as_of)
        show_home_complaints(user, as_of)
        show_overdue_calls(user, as_of)  # happy calls past their day (issue #22)
    show_scope(user, as_of)
    kpi_view.home_section(user, as_of)
    if user.role in (Role.EXECUTIVE, Role.BRANCH_MANAGER):
        show_training(user, as_of)
