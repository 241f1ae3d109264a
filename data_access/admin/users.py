"""User administration: who may sign in, as which role, linked to which employee.

A user's branch is their employee's branch, so scope follows the staff record. Every change is
audited with the user as it was and as it became. A change of role, employee, branch or
employment ends the sessions the person has open, whoever makes it (this page, an employees
import, a direct update): `session_valid`, the cheap check the console makes on every run,
compares each session with the rows as they are now. Resetting a password or disabling a user
also revokes the sessions outright.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Sequence

import polars as pl
from sqlalchemy import Connection, or_, select, true
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from data_access.core.db import (
    FrameSchema,
    read_frame,
    unit_of_work,
)
from data_access.core.errors import (
    NotFound,
    Refused,
)
from data_access.core.models import (
    Branch,
    Employee,
    Role,
    User,
)
from data_access.core.policy import (
    Action,
    require,
)
from data_access.core.security import (
    SignedInUser,
    audit_as,
    hash_password,
    may_sign_in,
    now_seoul,
    password_matches,
)

MIN_PASSWORD_LENGTH = 12
# zxcvbn's score 3 and up: some 10^8 guesses or more, beyond online guessing and costly against
# argon2 offline. Below it: common passwords, words with digits, keyboard runs, sequences and
# repeats, and the person's own name, which length alone let through ("aaaaaaaaaaaa",
# "password1234").
MIN_PASSWORD_SCORE = 3
# zxcvbn refuses to score longer text; a passphrase is judged by its first 72 characters.
SCORED_PASSWORD_CHARS = 72
# zxcvbn keeps the user's own words in a dictionary of its module while it scores: one check
# at a time, so two sessions never score against each other's names.
_SCORING = threading.Lock()
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")

USER_SCHEMA: FrameSchema = {
    "id": pl.Int64,
    "username": pl.String,
    "role": pl.String,
    "employee_no": pl.String,
    "employee_name": pl.String,
    "branch_code": pl.String,
    "branch_ko": pl.String,
    "branch_en": pl.String,
    "is_active": pl.Boolean,
    "must_change_password": pl.Boolean,
    "last_sign_in_at": pl.Datetime("us"),
    "created_at": pl.Datetime("us"),
}


def list_users(conn: Connection, actor: SignedInUser, *, query: str = "") -> pl.DataFrame:
    """Every user with their employee, branch and last sign-in, by username.

    `query` keeps the users whose username, employee name or number, or branch code or name
    contains it (a firm has a thousand users: nobody scrolls for one).
    """
    require(actor, Action.USERS_ADMIN)
    text = query.strip()
    searched = [
        column.icontains(text, autoescape=True)
        for column in (
            User.username,
            Employee.name,
            Employee.employee_no,
            Branch.code,
            Branch.name_ko,
            Branch.name_en,
        )
    ]
    stmt = (
        select(
            User.id,
            User.username,
            User.role,
            Employee.employee_no,
            Employee.name.label("employee_name"),
            Branch.code.label("branch_code"),
            Branch.name_ko.label("branch_ko"),
            Branch.name_en.label("branch_en"),
            User.is_active,
            User.must_change_password,
            User.last_sign_in_at,
            User.created_at,
        )
        .outerjoin(Employee, Employee.id == User.employee_id)
        .outerjoin(Branch, Branch.id == Employee.branch_id)
        .where(or_(*searched) if text else true())
        .order_by(User.username)
    )
    return read_frame(conn, stmt, USER_SCHEMA)


def _check_password(password: str, *, personal: Sequence[str]) -> None:
    """Refuse a password too short or too easy to guess; `personal` are the person's own
    words (username, name), which a guesser tries first."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Refused("password_too_short", minimum=MIN_PASSWORD_LENGTH)
    with _SCORING:
        score = zxcvbn(password[:SCORED_PASSWORD_CHARS], user_inputs=list(personal))["score"]
    if score < MIN_PASSWORD_SCORE:
        raise Refused("password_too_weak")


def _employee(session: Session, employee_no: str | None, user_id: int | None) -> Employee | None:
    if not employee_no:
        return None
    employee = session.scalars(
        select(Employee).where(Employee.employee_no == employee_no.strip())
    ).one_or_none()
    if employee is None:
        raise NotFound("unknown_employee", employee_no=employee_no)
    holder = session.scalars(select(User.id).where(User.employee_id == employee.id)).first()
    if holder is not None and holder != user_id:
        raise Refused("employee_taken", employee_no=employee_no)
    return employee


def _snapshot(session: Session, user: User) -> dict[str, object]:
    employee = session.get(Employee, user.employee_id) if user.employee_id else None
    branch = session.get(Branch, employee.branch_id) if employee and employee.branch_id else None
    return {
        "username": user.username,
        "role": user.role,
        "employee_no": employee.employee_no if employee else None,
        "branch_code": branch.code if branch else None,
        "is_active": user.is_active,
    }


def create_user(
    conn: Connection,
    actor: SignedInUser,
    *,
    username: str,
    password: str,
    role: Role,
    employee_no: str | None = None,
    client: str = "",
) -> int:
    """A new user who must choose their own password at first sign-in; returns the id."""
    require(actor, Action.USERS_ADMIN)
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise Refused("bad_username")
    _check_password(password, personal=[username])
    with unit_of_work(conn) as session:
        if session.scalars(select(User.id).where(User.username == username)).first():
            raise Refused("username_taken", username=username)
        employee = _employee(session, employee_no, None)
        user = User(
            username=username,
            password_hash=hash_password(password),
            role=Role(role).value,
            employee_id=employee.id if employee else None,
            is_active=True,
            must_change_password=True,
            failed_sign_ins=0,
            created_at=now_seoul(),
        )
        session.add(user)
        session.flush()
        audit_as(
            session,
            actor,
            "user_created",
            target_kind="user",
            target_id=str(user.id),
            detail={"after": _snapshot(session, user)},
            client=client,
        )
        return user.id


def update_user(
    conn: Connection,
    actor: SignedInUser,
    user_id: int,
    *,
    role: Role,
    employee_no: str | None,
    branch_code: str | None,
    client: str = "",
) -> bool:
    """Set the role, the linked employee and that employee's branch (None: head office).

    Returns whether anything changed; a change of role, employee or branch ends the user's
    sessions, since what they may see changed with it.
    """
    require(actor, Action.USERS_ADMIN)
    with unit_of_work(conn) as session:
        user = _user(session, user_id)
        before = _snapshot(session, user)
        employee = _employee(session, employee_no, user.id)
        if branch_code and employee is None:
            raise Refused("branch_needs_employee")
        user.role = Role(role).value
        user.employee_id = employee.id if employee else None
        if employee is not None:
            branch = None
            if branch_code:
                branch = session.scalars(
                    select(Branch).where(Branch.code == branch_code.strip())
                ).one_or_none()
                if branch is None:
                    raise NotFound("unknown_branch", branch_code=branch_code)
            employee.branch_id = branch.id if branch else None
        session.flush()
        after = _snapshot(session, user)
        if after == before:
            return False
        user.sessions_revoked_at = now_seoul()
        audit_as(
            session,
            actor,
            "user_updated",
            target_kind="user",
            target_id=str(user.id),
            detail={"before": before, "after": after},
            client=client,
        )
        return True


def set_active(
    conn: Connection, actor: SignedInUser, user_id: int, active: bool, *, client: str = ""
) -> None:
    """Enable or disable a user; disabling ends their sessions. No admin disables themself."""
    require(actor, Action.USERS_ADMIN)
    if not active and user_id == actor.user_id:
        raise Refused("cannot_disable_self")
    with unit_of_work(conn) as session:
        user = _user(session, user_id)
        if user.is_active == active:
            return
        user.is_active = active
        if not active:
            user.sessions_revoked_at = now_seoul()
        audit_as(
            session,
            actor,
            "user_enabled" if active else "user_disabled",
            target_kind="user",
            target_id=str(user.id),
            client=client,
        )


def reset_password(
    conn: Connection,
    actor: SignedInUser,
    user_id: int,
    temporary_password: str,
    *,
    client: str = "",
) -> None:
    """Set a temporary password the user must replace at next sign-in; ends their sessions
    and lifts a lockout."""
    require(actor, Action.USERS_ADMIN)
    with unit_of_work(conn) as session:
        user = _user(session, user_id)
        _check_password(temporary_password, personal=[user.username])
        user.password_hash = hash_password(temporary_password)
        user.must_change_password = True
        user.failed_sign_ins = 0
        user.locked_until = None
        user.sessions_revoked_at = now_seoul()
        audit_as(
            session,
            actor,
            "password_reset",
            target_kind="user",
            target_id=str(user.id),
            client=client,
        )


def must_change_password(conn: Connection, user_id: int) -> bool:
    flag = conn.execute(select(User.must_change_password).where(User.id == user_id)).scalar()
    return bool(flag)


def change_own_password(
    conn: Connection, user: SignedInUser, new_password: str, *, client: str = ""
) -> None:
    """The signed-in user's new password, replacing a temporary one (or their old one)."""
    _check_password(new_password, personal=[user.username, user.employee_name])
    with unit_of_work(conn) as session:
        stored = _user(session, user.user_id)
        if password_matches(stored.password_hash, new_password):
            raise Refused("password_unchanged")
        stored.password_hash = hash_password(new_password)
        stored.must_change_password = False
        audit_as(
            session,
            user,
            "password_changed",
            target_kind="user",
            target_id=str(user.user_id),
            client=client,
        )


def session_valid(conn: Connection, user: SignedInUser, signed_in_at: dt.datetime) -> bool:
    """Whether the session `user` signed in at `signed_in_at` may go on: one indexed read.

    The session is compared with the rows as they are now: the account still enabled, the
    same role, the same employee, still employed (active) and at the same branch, and no
    revocation since it signed in. Any writer that changes one of them (the users page, an
    employees import, a hand-made UPDATE) thereby ends the session, without having to
    remember to; the person signs in again to what the rows now allow.
    """
    row = conn.execute(
        select(
            User.is_active,
            User.role,
            User.employee_id,
            User.sessions_revoked_at,
            Employee.is_active.label("employed"),
            Employee.branch_id,
        )
        .outerjoin(Employee, Employee.id == User.employee_id)
        .where(User.id == user.user_id)
    ).one_or_none()
    if row is None or not may_sign_in(row.is_active, row.employee_id, row.employed):
        return False
    issued_for = (user.role.value, user.employee_id, user.branch_id)
    if (row.role, row.employee_id, row.branch_id) != issued_for:
        return False
    return row.sessions_revoked_at is None or row.sessions_revoked_at < signed_in_at


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("unknown_user")
    return user


def acting_admin(conn: Connection, username: str) -> SignedInUser:
    """The user a command-line operator acts as, held to the same policy as on the page.

    The operator already holds the database's credentials, so no password is asked; the name
    is what the audit trail and the import history record.
    """
    row = conn.execute(
        select(User.id, User.username, User.role, User.is_active, User.employee_id)
        .add_columns(Employee.name, Employee.branch_id, Employee.is_active.label("employed"))
        .outerjoin(Employee, Employee.id == User.employee_id)
        .where(User.username == username.strip().lower())
    ).one_or_none()
    if row is None or not may_sign_in(row.is_active, row.employee_id, row.employed):
        raise NotFound("unknown_user")
    return SignedInUser(
        user_id=row.id,
        username=row.username,
        role=Role(row.role),
        employee_id=row.employee_id,
        employee_name=row.name or row.username,
        branch_id=row.branch_id,
    )
