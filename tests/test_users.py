"""User administration over tests/handmade.py (users exec, manager, kim, park, trainer, admin)."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from sqlalchemy import select, update

from data_access.admin import users
from data_access.core.db import (
    bulk_insert,
)
from data_access.core.errors import (
    DomainError,
)
from data_access.core.models import (
    AuditRecord,
    Employee,
    Role,
    User,
)
from data_access.core.policy import (
    AccessDenied,
)
from data_access.core.security import (
    SignInRefused,
    authenticate,
    now_seoul,
)
from data_access.imports import imports
from tests.handmade import ADMIN, EXECUTIVE, KIM, MANAGER_101, PARK, PASSWORD, USERS

TEMPORARY = "temporary-password-1"


def audit_actions(conn) -> list[str]:
    return list(conn.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))


def test_list_shows_employee_branch_and_last_sign_in(handmade):
    authenticate(handmade, "kim", PASSWORD)
    frame = users.list_users(handmade, ADMIN)
    assert frame["username"].to_list() == sorted(USERS)
    kim = frame.filter(frame["username"] == "kim").row(0, named=True)
    assert (kim["employee_no"], kim["branch_code"], kim["role"]) == ("E3", "101", "sales_rep")
    assert kim["last_sign_in_at"] is not None
    assert frame.filter(frame["username"] == "exec")["branch_code"].to_list() == [None]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("KIM", ["kim"]),  # username, any case
        ("박영", ["park"]),  # employee name
        ("e5", ["trainer"]),  # employee number
        ("해운대", ["park"]),  # branch name: park works in branch 2
        ("101", ["kim", "manager"]),  # branch code
        ("  ", sorted(USERS)),
        ("nobody", []),
    ],
    ids=["username", "name", "employee-no", "branch-name", "branch-code", "blank", "none"],
)
def test_the_list_filters_by_name_username_employee_number_or_branch(handmade, query, expected):
    assert users.list_users(handmade, ADMIN, query=query)["username"].to_list() == expected


def test_create_user_must_change_password_at_first_sign_in(handmade):
    new_employee = {
        "id": [8],
        "employee_no": ["E8"],
        "name": ["신입"],
        "role": ["sales_rep"],
        "branch_id": [2],
        "hire_date": [dt.date(2026, 3, 2)],
        "is_active": [True],
    }
    bulk_insert(handmade, Employee.__table__, pl.DataFrame(new_employee))
    user_id = users.create_user(
        handmade,
        ADMIN,
        username="New.Rep",
        password=TEMPORARY,
        role=Role.SALES_REP,
        employee_no="E8",
    )
    signed_in = authenticate(handmade, "new.rep", TEMPORARY)
    assert signed_in.user_id == user_id and signed_in.branch_id == 2
    assert users.must_change_password(handmade, user_id)
    with pytest.raises(DomainError) as same:
        users.change_own_password(handmade, signed_in, TEMPORARY)
    assert same.value.code == "password_unchanged"
    users.change_own_password(handmade, signed_in, "my-own-password-42")
    assert not users.must_change_password(handmade, user_id)
    authenticate(handmade, "new.rep", "my-own-password-42")
    assert "user_created" in audit_actions(handmade)
    assert "password_changed" in audit_actions(handmade)


@pytest.mark.parametrize(
    ("username", "password", "employee_no", "code"),
    [
        ("kim", TEMPORARY, None, "username_taken"),
        ("x", TEMPORARY, None, "bad_username"),
        ("shorty", "eleven-char", None, "password_too_short"),
        ("ghost", TEMPORARY, "E99", "unknown_employee"),
        ("twin", TEMPORARY, "E3", "employee_taken"),
    ],
)
def test_create_refusals_store_nothing(handmade, username, password, employee_no, code):
    with pytest.raises(DomainError) as refused:
        users.create_user(
            handmade,
            ADMIN,
            username=username,
            password=password,
            role=Role.SALES_REP,
            employee_no=employee_no,
        )
    assert refused.value.code == code
    assert len(users.list_users(handmade, ADMIN)) == len(USERS)
    assert audit_actions(handmade) == []


def test_disable_ends_sessions_and_sign_in(handmade):
    signed_in_at = now_seoul()
    assert users.session_valid(handmade, KIM, signed_in_at)
    users.set_active(handmade, ADMIN, USERS["kim"], False)
    assert not users.session_valid(handmade, KIM, signed_in_at)
    with pytest.raises(SignInRefused):
        authenticate(handmade, "kim", PASSWORD)
    users.set_active(handmade, ADMIN, USERS["kim"], True)
    later = authenticate(handmade, "kim", PASSWORD)
    assert users.session_valid(handmade, later, now_seoul())
    assert audit_actions(handmade)[:1] == ["user_disabled"]
    assert "user_enabled" in audit_actions(handmade)
    with pytest.raises(DomainError) as self_disable:
        users.set_active(handmade, ADMIN, ADMIN.user_id, False)
    assert self_disable.value.code == "cannot_disable_self"


def test_reset_password_revokes_sessions_and_asks_for_a_new_one(handmade):
    signed_in_at = now_seoul()
    users.reset_password(handmade, ADMIN, USERS["park"], TEMPORARY)
    assert not users.session_valid(handmade, PARK, signed_in_at)
    with pytest.raises(SignInRefused):
        authenticate(handmade, "park", PASSWORD)
    park = authenticate(handmade, "park", TEMPORARY)
    assert users.must_change_password(handmade, park.user_id)
    assert "password_reset" in audit_actions(handmade)


def test_update_role_and_branch_through_the_employee(handmade):
    signed_in_at = now_seoul()
    changed = users.update_user(
        handmade,
        ADMIN,
        USERS["kim"],
        role=Role.DEDICATED_MANAGER,
        employee_no="E3",
        branch_code="102",
    )
    assert changed
    kim = authenticate(handmade, "kim", PASSWORD)
    assert (kim.role, kim.branch_id) == (Role.DEDICATED_MANAGER, 2)
    assert not users.session_valid(handmade, KIM, signed_in_at)
    detail = json.loads(
        handmade.scalar(select(AuditRecord.detail).where(AuditRecord.action == "user_updated"))
    )
    assert detail["before"]["branch_code"] == "101" and detail["after"]["branch_code"] == "102"
    unchanged = users.update_user(
        handmade,
        ADMIN,
        USERS["kim"],
        role=Role.DEDICATED_MANAGER,
        employee_no="E3",
        branch_code="102",
    )
    assert not unchanged
    with pytest.raises(DomainError) as no_branch:
        users.update_user(
            handmade,
            ADMIN,
            USERS["kim"],
            role=Role.SALES_REP,
            employee_no="E3",
            branch_code="999",
        )
    assert no_branch.value.code == "unknown_branch"
    assert handmade.scalar(select(User.role).where(User.id == USERS["kim"])) == "dedicated_manager"


@pytest.mark.parametrize("actor", [EXECUTIVE, MANAGER_101, KIM])
def test_only_admins_administer_users(handmade, actor):
    with pytest.raises(AccessDenied):
        users.list_users(handmade, actor)
    with pytest.raises(AccessDenied):
        users.set_active(handmade, actor, USERS["park"], False)
    with pytest.raises(AccessDenied):
        users.reset_password(handmade, actor, USERS["park"], TEMPORARY)
    with pytest.raises(AccessDenied):
        users.create_user(handmade, actor, username="sneaky", password=TEMPORARY, role=Role.ADMIN)
    assert handmade.scalar(select(User.is_active).where(User.id == USERS["park"]))


def test_acting_admin_for_the_command_line(handmade):
    admin = users.acting_admin(handmade, "admin")
    assert (admin.user_id, admin.role) == (USERS["admin"], Role.ADMIN)
    with pytest.raises(DomainError):
        users.acting_admin(handmade, "nobody")
    # An administrator who left the firm (employee E6 inactive) no longer acts from the CLI.
    handmade.execute(update(Employee).where(Employee.id == 6).values(is_active=False))
    with pytest.raises(DomainError):
        users.acting_admin(handmade, "admin")


# --- access follows the staff record, whoever changes it ------------------------------------

EMPLOYEES_HEADER = "employee_no,name,role,branch_code,hire_date,is_active"


def import_employees(conn, tmp_path, *lines: str) -> None:
    """Run the real employees import, as the admin would from the import page."""
    path = tmp_path / "employees.csv"
    path.write_text("\n".join([EMPLOYEES_HEADER, *lines]) + "\n", encoding="utf-8")
    result = imports.run_import(conn, ADMIN, "employees", path)
    assert result.written and result.rejected == 0


def test_an_import_that_marks_a_person_inactive_ends_their_session_and_sign_in(handmade, tmp_path):
    kim = authenticate(handmade, "kim", PASSWORD)
    signed_in_at = now_seoul()
    assert users.session_valid(handmade, kim, signed_in_at)
    import_employees(handmade, tmp_path, "E3,김영업,sales_rep,101,2000-01-03,false")
    assert not users.session_valid(handmade, kim, signed_in_at)
    with pytest.raises(SignInRefused, match="wrong_credentials"):
        authenticate(handmade, "kim", PASSWORD)
    import_employees(handmade, tmp_path, "E3,김영업,sales_rep,101,2000-01-03,true")
    assert authenticate(handmade, "kim", PASSWORD).username == "kim"


def test_an_import_that_moves_a_branch_manager_ends_the_session_scoped_to_the_old_branch(
    handmade, tmp_path
):
    manager = authenticate(handmade, "manager", PASSWORD)
    signed_in_at = now_seoul()
    assert manager.branch_id == 1
    import_employees(handmade, tmp_path, "E2,오지점,branch_manager,102,2000-01-03,true")
    assert not users.session_valid(handmade, manager, signed_in_at)
    moved = authenticate(handmade, "manager", PASSWORD)
    assert (moved.role, moved.branch_id) == (Role.BRANCH_MANAGER, 2)
    assert users.session_valid(handmade, moved, now_seoul())
    # Park's session at 102 is his own record's: the move of someone else leaves it alone.
    assert users.session_valid(handmade, authenticate(handmade, "park", PASSWORD), now_seoul())


@pytest.mark.parametrize(
    "change",
    [
        update(User).where(User.id == USERS["kim"]).values(role="branch_manager"),
        update(User).where(User.id == USERS["kim"]).values(employee_id=None),
        update(Employee).where(Employee.id == 3).values(branch_id=2),
        update(Employee).where(Employee.id == 3).values(is_active=False),
        update(User).where(User.id == USERS["kim"]).values(is_active=False),
    ],
    ids=["role", "employee-unlinked", "branch", "employee-inactive", "user-disabled"],
)
def test_a_direct_update_of_the_rows_ends_the_session_too(handmade, change):
    """No writer has to remember to revoke: the session is checked against the rows."""
    kim = authenticate(handmade, "kim", PASSWORD)
    signed_in_at = now_seoul()
    handmade.execute(change)
    assert not users.session_valid(handmade, kim, signed_in_at)


# --- passwords that length alone let through -------------------------------------------------

WEAK_PASSWORDS = ["aaaaaaaaaaaa", "password1234", "qwertyuiop12", "abcdefghijkl", "123456789012"]


@pytest.mark.parametrize("weak", WEAK_PASSWORDS)
def test_common_repeated_and_sequential_passwords_are_refused_wherever_one_is_set(handmade, weak):
    with pytest.raises(DomainError, match="password_too_weak"):
        users.create_user(handmade, ADMIN, username="new.rep", password=weak, role=Role.SALES_REP)
    with pytest.raises(DomainError, match="password_too_weak"):
        users.reset_password(handmade, ADMIN, USERS["park"], weak)
    with pytest.raises(DomainError, match="password_too_weak"):
        users.change_own_password(handmade, KIM, weak)
    assert audit_actions(handmade) == []
    assert authenticate(handmade, "park", PASSWORD).username == "park"


def test_a_password_made_of_the_username_is_refused(handmade):
    # "parkyoungup2026" would pass as a stranger's password; as parkyoungup's it is a guess.
    with pytest.raises(DomainError, match="password_too_weak"):
        users.create_user(
            handmade,
            ADMIN,
            username="parkyoungup",
            password="parkyoungup2026",
            role=Role.SALES_REP,
        )
    users.create_user(
        handmade, ADMIN, username="someone.else", password="parkyoungup2026", role=Role.SALES_REP
    )
