"""Who is signed in and what they may see: users, roles, scope and the audit trail.

Every data_access function takes the acting `SignedInUser` and asks data_access/policy.py
what it may do and over which scope, so a page cannot forget to filter.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from data_access.core.change_marks import insert_or_update
from data_access.core.db import (
    hold_job_lock,
    unit_of_work,
)
from data_access.core.errors import (
    AccessDenied,
)
from data_access.core.models import (
    AuditRecord,
    Employee,
    KnownSignInClient,
    Role,
    Setting,
    SignInAddress,
    User,
)

SEOUL = ZoneInfo("Asia/Seoul")
# An account that failed this often in a row is locked for addresses it never signed in from.
MAX_FAILED_SIGN_INS = 5
LOCKOUT = dt.timedelta(minutes=15)
# An address that failed this often (whatever names it tried) waits before its next try, the
# wait doubling with each further failure up to the ceiling; an hour without failures and it
# starts afresh. Ten leaves room for a branch whose staff share one address and mistype.
ADDRESS_FREE_FAILURES = 10
ADDRESS_FIRST_WAIT = dt.timedelta(seconds=30)
ADDRESS_MAX_WAIT = dt.timedelta(minutes=15)
FAILURES_FORGOTTEN_AFTER = dt.timedelta(hours=1)
# The audit trail names a sign-in under a name no account has by this prefix and a keyed hash
# of the name (see unknown_name_mark); the key lives in `settings` under this name.
UNKNOWN_NAME_PREFIX = "unknown:"
UNKNOWN_NAME_KEY = "unknown_name_key"
GENESIS_HASH = "0" * 64
AUDIT_CHAIN_LOCK = "audit-chain"

_hasher = PasswordHasher()


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


class SignInRefused(AccessDenied):
    """Sign-in failed; the sentence never says whether the name or the password was wrong."""


def authenticate(
    conn: Connection, username: str, password: str, *, client: str = ""
) -> SignedInUser:
    """The user `username` names, if `password` is theirs and nothing holds the try back.

    Every failure looks alike from outside, so sign-in cannot be used to find or lock accounts:
    - one answer (`wrong_credentials`) for a wrong password, a name nobody has, a disabled
      account or a try that was held back, and
    - one argon2 verify on every path: against the account's hash, or against a dummy hash
      made with the same parameters when there is no account to check, and a held-back try
      verifies too and throws the answer away. The time an answer takes says nothing.

    Guessing is slowed in two ways instead of by a lock anyone can set off:
    - per client address (`sign_in_addresses`): after ADDRESS_FREE_FAILURES failures, whatever
      names were tried, the address waits before its next try is judged, the wait doubling
      with each further failure up to ADDRESS_MAX_WAIT. One client spraying guesses over many
      accounts gets a handful of tries an hour.
    - per account: MAX_FAILED_SIGN_INS failures in a row lock it for LOCKOUT, but only for
      addresses it never signed in from with the right password (`known_sign_in_clients`).
      At their usual desk the person signs in as ever, and doing so lifts the lock, so
      strangers cannot lock an administrator out of the console however long they keep on.
    Both are rows in the database, so every console replica counts the same failures. The
    address is the TCP peer Streamlit reports: a proxy in front of the console must pass it
    through, or all its clients share one address.

    A try is counted as failed before its password is checked and uncounted when it proves
    right: a burst of tries sent at once cannot all slip past a count none of them has made.
    Every try is audited; a name nobody has is recorded as a keyed mark, never as typed (it is
    often a password typed into the wrong field).
    """
    name, client = username.strip(), client[:60]
    with unit_of_work(conn) as session:
        attempt = _claim_attempt(session, name, client, now_seoul())
    matches = password_matches(attempt.password_hash, password)
    with unit_of_work(conn) as session:
        if attempt.judged and matches and attempt.user_id is not None:
            return _signed_in_after(session, attempt, client)
        append_audit(
            session,
            attempt.user_id,
            attempt.audited_name,
            "sign_in_failed" if attempt.judged else "sign_in_throttled",
            detail=None if attempt.judged else {"held_by": attempt.held_by},
            client=client,
        )
    raise SignInRefused("wrong_credentials")


@dataclass(frozen=True, slots=True)
class _Attempt:
    """One sign-in try as claimed, before its password is checked."""

    user_id: int | None  # None: no account that may sign in goes by the name
    audited_name: str
    password_hash: str  # the account's, or the dummy hash
    held_by: str | None  # "address" or "account" when the try is held back unjudged

    @property
    def judged(self) -> bool:
        return self.held_by is None


def _claim_attempt(session: Session, name: str, client: str, now: dt.datetime) -> _Attempt:
    """Decide whether the try is judged and, if so, count it as failed for now."""
    address = _address(session, client, now)
    user = session.scalars(
        select(User).where(User.username == name).with_for_update()
    ).one_or_none()
    account = user if user is not None and _may_sign_in(session, user) else None
    known = account is not None and (
        session.get(KnownSignInClient, (account.id, client)) is not None
    )
    held_by = None
    if address.wait_until is not None and now < address.wait_until:
        held_by = "address"
    elif account is not None and not known and _locked(account, now):
        held_by = "account"
    if held_by is None:
        address.failures += 1
        address.last_failed_at = now
        if address.failures >= ADDRESS_FREE_FAILURES:
            address.wait_until = now + address_wait(address.failures)
        if account is not None:
            account.failed_sign_ins += 1
            if account.failed_sign_ins >= MAX_FAILED_SIGN_INS:
                account.locked_until = now + LOCKOUT
                account.failed_sign_ins = 0
    return _Attempt(
        user_id=user.id if user is not None else None,
        audited_name=user.username if user is not None else unknown_name_mark(session, name),
        password_hash=account.password_hash if account is not None else _dummy_hash(),
        held_by=held_by,
    )


def _locked(user: User, now: dt.datetime) -> bool:
    return user.locked_until is not None and now < user.locked_until


def _address(session: Session, client: str, now: dt.datetime) -> SignInAddress:
    """The address's failure count, created on first use and locked until the commit, its
    failures forgotten after an hour without one."""
    insert = insert_or_update(session.connection())
    session.execute(
        insert(SignInAddress)
        .values(client=client, failures=0, last_failed_at=now)
        .on_conflict_do_nothing(index_elements=[SignInAddress.client])
    )
    address = session.scalars(
        select(SignInAddress).where(SignInAddress.client == client).with_for_update()
    ).one()
    if now - address.last_failed_at > FAILURES_FORGOTTEN_AFTER:
        address.failures = 0
        address.wait_until = None
    return address


def address_wait(failures: int) -> dt.timedelta:
    """How long an address that failed `failures` times (at least ADDRESS_FREE_FAILURES)
    waits before its next try is judged."""
    doublings = min(failures - ADDRESS_FREE_FAILURES, 16)
    return min(ADDRESS_FIRST_WAIT * 2**doublings, ADDRESS_MAX_WAIT)


def _signed_in_after(session: Session, attempt: _Attempt, client: str) -> SignedInUser:
    """A right password: uncount the try, lift the account's lock, remember the address."""
    now = now_seoul()
    address = session.get(SignInAddress, client, with_for_update=True)
    if address is not None and address.failures > 0:
        address.failures -= 1
        address.wait_until = None  # the try was judged, so no wait held the address back
    user = session.get(User, attempt.user_id, with_for_update=True)
    assert user is not None
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    insert = insert_or_update(session.connection())
    session.execute(
        insert(KnownSignInClient)
        .values(user_id=user.id, client=client, last_signed_in_at=now)
        .on_conflict_do_update(
            index_elements=[KnownSignInClient.user_id, KnownSignInClient.client],
            set_={"last_signed_in_at": now},
        )
    )
    append_audit(session, user.id, user.username, "sign_in", client=client)
    return _signed_in(session, user, client)


@functools.cache
def _dummy_hash() -> str:
    """A real argon2 hash of a password nobody knows, made with the same parameters as
    everyone's: a name with no account to check costs the same verify as one with."""
    return _hasher.hash(secrets.token_urlsafe(32))


def unknown_name_mark(session: Session, name: str) -> str:
    """How the audit trail names a sign-in under a name no account has: the prefix and a
    keyed hash of the name. Repeated tries of one name share the mark, so they can still be
    followed, but the text (often a password typed into the username field) is not stored,
    and without the key the mark cannot be checked against guesses. The key is made once per
    database, in `settings`, so every replica marks alike."""
    insert = insert_or_update(session.connection())
    session.execute(
        insert(Setting)
        .values(key=UNKNOWN_NAME_KEY, value=secrets.token_hex(32))
        .on_conflict_do_nothing(index_elements=[Setting.key])
    )
    key = session.scalars(select(Setting.value).where(Setting.key == UNKNOWN_NAME_KEY)).one()
    digest = hmac.new(key.encode(), name.encode(), hashlib.sha256).hexdigest()
    return UNKNOWN_NAME_PREFIX + digest[: 40 - len(UNKNOWN_NAME_PREFIX)]


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


class HashedAuditFields(Protocol):
    """What audit_row_hash reads: an AuditRecord, or a row of its columns (verify_chain)."""

    @property
    def prev_hash(self) -> str: ...
    @property
    def occurred_at(self) -> dt.datetime: ...
    @property
    def user_id(self) -> int | None: ...
    @property
    def username(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def target_kind(self) -> str | None: ...
    @property
    def target_id(self) -> str | None: ...
    @property
    def detail(self) -> str | None: ...
    @property
    def client(self) -> str | None: ...
    @property
    def hash_version(self) -> int: ...


def audit_row_hash(record: HashedAuditFields) -> str:
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
