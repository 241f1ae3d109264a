"""The one policy, for every role: pages, customer records, private notes, home summaries; and
the account protections around it (password length, lockout, sign-out everywhere, SSO)."""

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select, update

from data_access.admin import users
from data_access.agenda.agenda import (
    completion_by_branch,
    my_agenda,
)
from data_access.core import business_days, job_runs
from data_access.core.errors import (
    NotFound,
    Refused,
)
from data_access.core.models import (
    AuditRecord,
    Employee,
    Role,
    User,
)
from data_access.core.policy import (
    GRANTS,
    AccessDenied,
    Action,
    roles_permitted,
)
from data_access.core.security import (
    LOCKOUT,
    MAX_FAILED_SIGN_INS,
    SignInRefused,
    authenticate,
    authenticate_sso,
    now_seoul,
    sign_out_everywhere,
)
from data_access.customers.records import (
    ViewReasonRequired,
    add_note,
    customer_360,
    record_customer_view,
    search_customers,
)
from data_access.exports import grants
from data_access.kpis.home import (
    scope_summary,
)
from jobs import scheduler
from tests.handmade import (
    ADMIN,
    AS_OF,
    COMPLIANCE,
    EXECUTIVE,
    KIM,
    MANAGER_101,
    PARK,
    PASSWORD,
    TRAINER,
)
from ui.navigation import pages_for

# By hand from data_access/policy.py GRANTS and ui/navigation.py PAGES.
PAGES_BY_ROLE = {
    Role.SALES_REP: {"home", "customer", "agenda", "complaints"},
    Role.DEDICATED_MANAGER: {"home", "customer", "agenda", "complaints"},
    Role.BRANCH_MANAGER: {
        "home", "customer", "branch_agenda", "executive", "usage", "segments", "campaigns",
        "complaints", "records",
    },
    Role.TRAINER: {"home", "usage", "training"},
    Role.EXECUTIVE: {
        "home", "customer", "branch_agenda", "executive", "usage", "segments", "campaigns",
        "complaints",
    },
    Role.ADMIN: {
        "home", "agenda_rules", "jobs", "executive", "import", "users", "data_dictionary", "audit",
        "records",
    },
    Role.COMPLIANCE: {"home", "customer", "executive", "complaints", "records"},
}  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lists_exactly_its_pages(role):
    assert {page.key for page in pages_for(role)} == PAGES_BY_ROLE[role]


def test_admins_manage_but_read_no_customer_and_nobody_else_reads_the_audit():
    assert roles_permitted(Action.AUDIT_READ) == {Role.ADMIN}
    assert roles_permitted(Action.EXPORT) == {Role.BRANCH_MANAGER, Role.EXECUTIVE}
    assert Action.CUSTOMER_READ not in GRANTS[Role.ADMIN]
    assert Action.CUSTOMER_READ not in GRANTS[Role.TRAINER]


@pytest.mark.parametrize("user", [TRAINER, ADMIN], ids=["trainer", "admin"])
def test_roles_outside_customer_work_reach_no_customer_record(handmade, user):
    with pytest.raises(AccessDenied):
        search_customers(handmade, user, "홍")
    with pytest.raises(AccessDenied):
        customer_360(handmade, user, "100000001", as_of=AS_OF)
    with pytest.raises(AccessDenied):
        record_customer_view(handmade, user, "100000001")
    with pytest.raises(AccessDenied):
        add_note(handmade, user, "100000001", channel="phone", outcome="interested", text="x")
    assert handmade.execute(select(AuditRecord.id)).all() == []


@pytest.mark.parametrize("user", [KIM, PARK, MANAGER_101, EXECUTIVE])
def test_customer_facing_roles_open_any_customer_of_any_branch(handmade, user):
    for customer_no in ("100000001", "100000003"):
        view = customer_360(handmade, user, customer_no, as_of=AS_OF)
        assert view.profile.customer_no == customer_no


def private_note(conn) -> int:
    return add_note(
        conn, KIM, "100000001", channel="visit", outcome="follow_up",
        text="배우자 투병 중이라 당분간 연락 자제 요청", sensitive=True,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("user", "reads"),
    [(KIM, True), (MANAGER_101, True), (EXECUTIVE, True), (PARK, False)],
    ids=["own-rep", "own-branch-manager", "head-office", "other-branchs-rep"],
)
def test_a_note_flagged_sensitive_is_read_only_by_those_who_answer_for_the_customer(
    handmade, user, reads
):
    note_id = private_note(handmade)
    notes = customer_360(handmade, user, "100000001", as_of=now_seoul().date()).consultations
    mine = notes.filter(notes["consultation_id"] == note_id)
    assert mine["is_sensitive"].to_list() == [True]
    expected = "배우자 투병 중이라 당분간 연락 자제 요청" if reads else None
    assert mine["note"].to_list() == [expected]


def test_compliance_reads_any_customer_masked_without_sensitive_notes_and_states_why(handmade):
    """Compliance reads records firm-wide for its cases, but the branch calls the customer:
    contact details masked, confidences withheld, and each view asks for a reason."""
    note_id = private_note(handmade)
    view = customer_360(handmade, COMPLIANCE, "100000001", as_of=now_seoul().date())
    assert not view.profile.contact_visible
    assert view.profile.phone == "010-****-2222"
    assert view.profile.email == "h***@example.com"
    notes = view.consultations
    assert notes.filter(notes["consultation_id"] == note_id)["note"].to_list() == [None]
    with pytest.raises(ViewReasonRequired):
        record_customer_view(handmade, COMPLIANCE, "100000001")
    with pytest.raises(AccessDenied):
        add_note(handmade, COMPLIANCE, "100000001", channel="phone", outcome="interested", text="x")


def test_flagging_a_note_sensitive_is_audited(handmade):
    note_id = private_note(handmade)
    detail = handmade.execute(
        select(AuditRecord.detail).where(AuditRecord.action == "note_add")
    ).scalar_one()
    assert json.loads(detail) == {
        "consultation_id": note_id,
        "corrects_id": None,
        "sensitive": True,
    }


def test_home_summaries_and_agenda_follow_the_policy_scopes(handmade):
    assert scope_summary(handmade, PARK, as_of=AS_OF).customers == 1  # Park's own book
    assert scope_summary(handmade, MANAGER_101, as_of=AS_OF).customers == 2  # branch 101
    with pytest.raises(AccessDenied):
        scope_summary(handmade, ADMIN, as_of=AS_OF)
    with pytest.raises(AccessDenied):
        my_agenda(handmade, MANAGER_101, AS_OF)
    with pytest.raises(AccessDenied):
        completion_by_branch(handmade, MANAGER_101, AS_OF)


# --- accounts --------------------------------------------------------------------------


def test_passwords_shorter_than_the_minimum_are_refused(handmade):
    assert users.MIN_PASSWORD_LENGTH >= 12
    with pytest.raises(Refused, match="password_too_short"):
        users.change_own_password(handmade, KIM, "x" * (users.MIN_PASSWORD_LENGTH - 1))


def test_lockout_is_audited_and_holds_for_addresses_the_account_never_signed_in_from(handmade):
    for _ in range(MAX_FAILED_SIGN_INS):
        with pytest.raises(SignInRefused):
            authenticate(handmade, "park", "guess", client="203.0.113.5")
    with pytest.raises(SignInRefused, match="wrong_credentials"):
        authenticate(handmade, "park", PASSWORD, client="203.0.113.5")
    actions = handmade.execute(select(AuditRecord.action).order_by(AuditRecord.id)).scalars()
    assert list(actions) == ["sign_in_failed"] * MAX_FAILED_SIGN_INS + ["sign_in_throttled"]
    assert dt.timedelta(minutes=15) == LOCKOUT


def test_sign_out_everywhere_ends_earlier_sessions_not_later_ones(handmade):
    signed_in_before = now_seoul()
    sign_out_everywhere(handmade, KIM, client="10.0.0.7")
    assert not users.session_valid(handmade, KIM, signed_in_before)
    assert users.session_valid(handmade, KIM, now_seoul())
    assert users.session_valid(handmade, PARK, signed_in_before)
    action = handmade.execute(select(AuditRecord.username, AuditRecord.action)).one()
    assert tuple(action) == (KIM.username, "sign_out_everywhere")


def test_single_sign_on_maps_a_linked_email_to_its_user_and_role(handmade):
    grants.link_sso_email(handmade, ADMIN, "manager", "  Oh.Jijeom@Dreams.co.kr ")
    user = authenticate_sso(handmade, "oh.jijeom@dreams.co.kr", client="10.0.0.7")
    assert (user.username, user.role, user.branch_id) == ("manager", Role.BRANCH_MANAGER, 1)
    with pytest.raises(SignInRefused, match="sso_unknown"):
        authenticate_sso(handmade, "stranger@dreams.co.kr")
    with pytest.raises(SignInRefused, match="sso_unknown"):
        authenticate_sso(handmade, "")
    rows = handmade.execute(
        select(AuditRecord.username, AuditRecord.action, AuditRecord.detail).order_by(
            AuditRecord.id
        )
    ).all()
    assert [(row.username, row.action) for row in rows] == [
        (ADMIN.username, "sso_linked"),
        ("manager", "sign_in"),
        ("stranger@dreams.co.kr", "sign_in_failed"),
        ("", "sign_in_failed"),
    ]
    assert json.loads(rows[1].detail) == {"via": "sso"}


def test_a_disabled_user_cannot_sign_in_through_single_sign_on(handmade):
    grants.link_sso_email(handmade, ADMIN, "park", "park@dreams.co.kr")
    users.set_active(handmade, ADMIN, PARK.user_id, False)
    with pytest.raises(SignInRefused, match="sso_unknown"):
        authenticate_sso(handmade, "park@dreams.co.kr")


def test_someone_who_left_cannot_sign_in_through_single_sign_on(handmade):
    grants.link_sso_email(handmade, ADMIN, "park", "park@dreams.co.kr")
    handmade.execute(update(Employee).where(Employee.id == 4).values(is_active=False))
    with pytest.raises(SignInRefused, match="sso_unknown"):
        authenticate_sso(handmade, "park@dreams.co.kr")


def test_sso_links_are_checked_unique_and_admin_only(handmade):
    grants.link_sso_email(handmade, ADMIN, "kim", "kim@dreams.co.kr")
    with pytest.raises(Refused, match="sso_email_taken"):
        grants.link_sso_email(handmade, ADMIN, "park", "KIM@dreams.co.kr")
    with pytest.raises(Refused, match="sso_email_invalid"):
        grants.link_sso_email(handmade, ADMIN, "park", "not an address")
    with pytest.raises(NotFound, match="unknown_user"):
        grants.link_sso_email(handmade, ADMIN, "nobody", "nobody@dreams.co.kr")
    with pytest.raises(AccessDenied):
        grants.link_sso_email(handmade, EXECUTIVE, "exec", "exec@dreams.co.kr")
    grants.link_sso_email(handmade, ADMIN, "kim", None)
    with pytest.raises(SignInRefused):
        authenticate_sso(handmade, "kim@dreams.co.kr")


def test_a_record_view_is_audited_with_who_when_what_and_from_where(handmade):
    at_the_counter = dataclasses.replace(KIM, client="10.1.2.3")
    before = now_seoul()
    record_customer_view(handmade, at_the_counter, "100000001")
    row = handmade.execute(
        select(
            AuditRecord.username,
            AuditRecord.occurred_at,
            AuditRecord.action,
            AuditRecord.target_id,
            AuditRecord.client,
        )
    ).one()
    assert (row.username, row.action, row.target_id, row.client) == (
        KIM.username,
        "customer_view",
        "100000001",
        "10.1.2.3",
    )
    assert before <= row.occurred_at <= now_seoul()


def test_sign_in_remembers_where_from_for_the_sessions_audit(handmade):
    assert authenticate(handmade, "kim", PASSWORD, client="10.0.0.9").client == "10.0.0.9"


def test_a_new_database_holds_no_account_until_someone_creates_one(databases):
    """Demo accounts come with demo data only: migrating creates no user to guess."""
    engine = databases.new("fresh")
    with engine.connect() as conn:
        assert conn.execute(select(User.id)).all() == []


# --- issue #19: administration asks the policy like everything else ---------------------------


@pytest.mark.parametrize("user", [KIM, MANAGER_101, TRAINER, EXECUTIVE])
def test_only_the_policys_administrators_change_the_calendar_or_touch_the_jobs(handmade, user):
    later = AS_OF + dt.timedelta(days=30)
    with pytest.raises(AccessDenied):
        business_days.add_holiday(handmade, user, later, "휴무")
    with pytest.raises(AccessDenied):
        business_days.remove_holiday(handmade, user, later)
    with pytest.raises(AccessDenied):
        job_runs.recent_runs(handmade, user)
    engine = handmade.engine  # refused before the scheduler is reached
    for touch in (
        lambda: scheduler.scheduled_jobs(engine, user),
        lambda: scheduler.pause(engine, user, "agenda"),
        lambda: scheduler.resume(engine, user, "agenda"),
        lambda: scheduler.run_now(engine, user, "agenda", AS_OF),
    ):
        with pytest.raises(AccessDenied):
            touch()
    assert roles_permitted(Action.CALENDAR_WRITE) == {Role.ADMIN}
    assert roles_permitted(Action.JOBS_RUN) == {Role.ADMIN}


ROLE_COMPARISON = re.compile(r"\b(?:user|self)\.role\s*(?:==|!=|\bin\b|\bnot\s+in\b)")


def test_no_access_check_compares_roles_outside_the_policy():
    """The policy table is the one source of truth: data_access and jobs ask `require`,
    `permits` or `scope_of`, never the acting user's role."""
    root = Path(__file__).resolve().parents[1]
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for folder in ("data_access", "jobs")
        for path in sorted((root / folder).rglob("*.py"))
        if path.name != "policy.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if ROLE_COMPARISON.search(line)
    ]
    assert found == []


def test_scope_is_asked_of_the_policy_not_of_a_second_list_of_roles():
    """Whether someone reads the whole firm depends on the action: `scope_of(user, action)`.
    A list of "firm-wide roles" beside the policy would drift from it."""
    root = Path(__file__).resolve().parents[1]
    sources = [root / "app.py"] + [
        path
        for folder in ("data_access", "jobs", "pages", "ui")
        for path in (root / folder).rglob("*.py")
    ]
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for path in sorted(sources)
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"FIRM_WIDE_ROLES|\.firm_wide\b", line)
    ]
    assert found == []
