"""Who is signed in and what they may see: users, roles, scope and the audit trail.

Every data_access function takes the acting `SignedInUser` and asks data_access/policy.py
what it may do and over which scope, so a page cannot forget to filter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from data_access.db import hold_job_lock, unit_of_work
from data_access.models import AuditRecord, Employee, Role, User

SEOUL = ZoneInfo("Asia/Seoul")
MAX_FAILED_SIGN_INS = 5
LOCKOUT = dt.timedelta(minutes=15)
GENESIS_HASH = "0" * 64
AUDIT_CHAIN_LOCK = "audit-chain"

_hasher = PasswordHasher()

# Roles that read the whole firm; everyone else is held to their own branch or book.
FIRM_WIDE_ROLES = frozenset({Role.EXECUTIVE, Role.TRAINER, Role.ADMIN})


def now_seoul() -> dt.datetime:
    """Current Asia/Seoul wall-clock time, naive, as every timestamp is stored."""
    return dt.datetime.now(SEOUL).replace(tzinfo=None)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@dataclass(frozen=True, slots=True)
class SignedInUser:
    user_id: int
    username: str
    role: Role
    employee_id: int | None
    employee_name: str
    branch_id: int | None
    # Where the person signed in from, as the server saw it: the "from where" of their audit.
    client: str = ""

    @property
    def firm_wide(self) -> bool:
        return self.role in FIRM_WIDE_ROLES


class SignInRefused(Exception):
    """Sign-in failed; the message never says whether the name or the password was wrong."""


def authenticate(
    conn: Connection, username: str, password: str, *, client: str = ""
) -> SignedInUser:
    """Check the password, count failures, lock after repeated ones, and audit either way.

    The failure is committed before SignInRefused is raised, so a lockout cannot be undone by
    the exception rolling back its own record.
    """
    now = now_seoul()
    refusal: str | None = None
    with unit_of_work(conn) as session:
        user = session.scalars(select(User).where(User.username == username.strip())).one_or_none()
        if user is None or not _may_sign_in(session, user):
            append_audit(session, None, username.strip()[:40], "sign_in_failed", client=client)
            refusal = "wrong_credentials"
        elif user.locked_until is not None and user.locked_until > now:
            append_audit(session, user.id, user.username, "sign_in_locked", client=client)
            refusal = "locked"
        elif not password_matches(user.password_hash, password):
            user.failed_sign_ins += 1
            if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
                user.locked_until = now + LOCKOUT
                user.failed_sign_ins = 0
            append_audit(session, user.id, user.username, "sign_in_failed", client=client)
            refusal = "wrong_credentials"
        else:
            user.failed_sign_ins = 0
            user.locked_until = None
            user.last_sign_in_at = now
            append_audit(session, user.id, user.username, "sign_in", client=client)
            signed_in = _signed_in(session, user, client)
    if refusal is not None:
        raise SignInRefused(refusal)
    return signed_in


def may_sign_in(user_active: bool, employee_id: int | None, employed: bool | None) -> bool:
    """Whether an account may hold a session: enabled, and its employee still employed.

    Access follows the person: an employee who left (inactive in the staff records, e.g. after
    an HR import) can neither sign in nor keep a session, whatever their account says. An
    account linked to no employee (a system administrator) answers for itself.
    """
    return bool(user_active) and (employee_id is None or bool(employed))


def _may_sign_in(session: Session, user: User) -> bool:
    employee = session.get(Employee, user.employee_id) if user.employee_id else None
    employed = employee is not None and employee.is_active
    return may_sign_in(user.is_active, user.employee_id, employed)


def _signed_in(session: Session, user: User, client: str) -> SignedInUser:
    employee = session.get(Employee, user.employee_id) if user.employee_id else None
    return SignedInUser(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        employee_id=user.employee_id,
        employee_name=employee.name if employee else user.username,
        branch_id=employee.branch_id if employee else None,
        client=client[:60],
    )


def authenticate_sso(conn: Connection, email: str, *, client: str = "") -> SignedInUser:
    """The user an admin linked to the identity provider's verified `email`, audited.

    The provider vouches for the person; the console still decides the role and scope, so an
    e-mail nobody linked (or a disabled account) is refused like a wrong password.
    """
    address = email.strip().lower()
    with unit_of_work(conn) as session:
        user = session.scalars(select(User).where(User.sso_email == address)).one_or_none()
        if user is None or not _may_sign_in(session, user) or not address:
            append_audit(
                session, None, address[:40], "sign_in_failed", detail={"via": "sso"}, client=client
            )
            refused = True
        else:
            refused = False
            user.last_sign_in_at = now_seoul()
            append_audit(
                session, user.id, user.username, "sign_in", detail={"via": "sso"}, client=client
            )
            signed_in = _signed_in(session, user, client)
    if refused:
        raise SignInRefused("sso_unknown")
    return signed_in


def sign_out_everywhere(conn: Connection, user: SignedInUser, *, client: str = "") -> None:
    """End every session of `user`, on every device: each one checks this on its next run."""
    with unit_of_work(conn) as session:
        stored = session.get(User, user.user_id)
        if stored is None:
            return
        stored.sessions_revoked_at = now_seoul()
        audit_as(session, user, "sign_out_everywhere", client=client)


def password_matches(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def append_audit(
    session: Session,
    user_id: int | None,
    username: str,
    action: str,
    *,
    target_kind: str | None = None,
    target_id: str | None = None,
    detail: dict[str, Any] | None = None,
    client: str = "",
) -> AuditRecord:
    """Add one audit row chained to the previous row's hash, inside the caller's transaction.

    Two transactions appending at once would both chain to the same previous row: on
    PostgreSQL an advisory lock held to the end of the transaction makes them queue (SQLite's
    write transactions, BEGIN IMMEDIATE, are serial already). Rows are never updated or
    deleted by the console, and nothing here removes them: access records are kept for good,
    well past the two years Korean privacy rules ask for.
    """
    hold_job_lock(session.connection(), AUDIT_CHAIN_LOCK)
    latest = select(AuditRecord.row_hash).order_by(AuditRecord.id.desc()).limit(1)
    prev_hash = session.scalars(latest).first() or GENESIS_HASH
    record = AuditRecord(
        occurred_at=now_seoul(),
        user_id=user_id,
        username=username,
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None,
        client=client[:60] or None,
        prev_hash=prev_hash,
        hash_version=AUDIT_HASH_VERSION,
    )
    record.row_hash = audit_row_hash(record)
    session.add(record)
    return record


def audit_as(
    session: Session,
    user: SignedInUser,
    action: str,
    *,
    target_kind: str | None = None,
    target_id: str | None = None,
    detail: dict[str, Any] | None = None,
    client: str = "",
) -> AuditRecord:
    """`append_audit` for what a signed-in user did: who and from where come from `user`.

    Every row of a person's work then says where it came from: the address they signed in
    from, or `client`, the address of the request at hand, when the caller knows it.
    """
    return append_audit(
        session,
        user.user_id,
        user.username,
        action,
        target_kind=target_kind,
        target_id=target_id,
        detail=detail,
        client=client or user.client,
    )


# How new audit rows are hashed (`audit_row_hash`); each row keeps the version it was written
# with in `hash_version`, and versions only ever go up along the chain (audit.verify_chain).
AUDIT_HASH_VERSION = 2
AUDIT_HASH_VERSIONS = frozenset({1, AUDIT_HASH_VERSION})


def audit_row_hash(record: AuditRecord) -> str:
    """The SHA-256 of one audit row, encoded the way its `hash_version` says.

    Version 2, every row written since migration 0011: the JSON array [2, prev_hash,
    occurred_at, user_id, username, action, target_kind, target_id, detail, client], nulls as
    null, so each row has exactly one encoding and no two rows share one. Version 1 joined the
    fields' str() with "|": NULL and the text 'None' hashed alike, as did a "|" moved from one
    field to the next, so such an edit went unseen. It stays only so that rows written before
    still verify: re-hashing them would rewrite the chain and void every anchor kept outside.

    A new row cannot be passed off as version 1 to use that weakness. Its version is inside
    its own hash, and a version-2 text starts with "[" where a version-1 text starts with the
    hex of the previous hash, so no row re-read as version 1 gives a version-2 hash; and
    verify_chain refuses a row whose version is below the one before it, so once the chain
    has moved on, a row rewritten the old way (the head, which no later row vouches for) is
    caught too. Rows from before 0011 keep the exposure they always had.
    """
    fields = (
        record.prev_hash,
        record.occurred_at.isoformat(),
        record.user_id,
        record.username,
        record.action,
        record.target_kind,
        record.target_id,
        record.detail,
        record.client,
    )
    if record.hash_version == 1:
        payload = "|".join(str(field) for field in fields)
    elif record.hash_version == AUDIT_HASH_VERSION:
        payload = json.dumps(
            [record.hash_version, *fields], ensure_ascii=False, separators=(",", ":")
        )
    else:
        raise ValueError(f"audit row hash version {record.hash_version} is not one we know")
    return hashlib.sha256(payload.encode()).hexdigest()


def record_refused_page(conn: Connection, user: SignedInUser, page: str) -> None:
    """Audit an attempt to open a page the role may not use (a typed or shared address)."""
    with unit_of_work(conn) as session:
        audit_as(session, user, "page_refused", target_kind="page", target_id=page[:40])
