"""Explicit grants: an admin lets one person use an action their role allows (exports), and
links the single sign-on e-mail that signs in as an account.

Granting and revoking are audited; a revoked grant keeps its row, so who could export when
stays answerable. Only roles whose policy reaches the action can be granted it.
"""

from __future__ import annotations

import re

import polars as pl
from sqlalchemy import Connection, select

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
    AccessGrant,
    Role,
    User,
)
from data_access.core.policy import (
    EXPLICIT_GRANT_ACTIONS,
    Action,
    require,
    roles_permitted,
)
from data_access.core.security import (
    SignedInUser,
    audit_as,
    now_seoul,
)
from data_access.exports.exports import REASON_MAX_CHARS

EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,55}\.[a-z]{2,}")

GRANT_SCHEMA: FrameSchema = {
    "grant_id": pl.Int64,
    "username": pl.String,
    "role": pl.String,
    "action": pl.String,
    "reason": pl.String,
    "granted_by": pl.String,
    "granted_at": pl.Datetime("us"),
    "revoked_by": pl.String,
    "revoked_at": pl.Datetime("us"),
}


def list_grants(conn: Connection, actor: SignedInUser) -> pl.DataFrame:
    """Every grant ever given, current ones first, newest first."""
    require(actor, Action.USERS_ADMIN)
    stmt = (
        select(
            AccessGrant.id.label("grant_id"),
            User.username,
            User.role,
            AccessGrant.action,
            AccessGrant.reason,
            AccessGrant.granted_by,
            AccessGrant.granted_at,
            AccessGrant.revoked_by,
            AccessGrant.revoked_at,
        )
        .join(User, User.id == AccessGrant.user_id)
        .order_by(AccessGrant.revoked_at.is_not(None), AccessGrant.granted_at.desc())
    )
    return read_frame(conn, stmt, GRANT_SCHEMA)


def grant(
    conn: Connection,
    actor: SignedInUser,
    username: str,
    action: Action,
    *,
    reason: str,
    client: str = "",
) -> int:
    """Give `username` the explicit permission `action`; returns the grant's id."""
    require(actor, Action.USERS_ADMIN)
    if action not in EXPLICIT_GRANT_ACTIONS:
        raise Refused("grant_not_explicit")
    why = reason.strip()
    if not why or len(why) > REASON_MAX_CHARS:
        raise Refused("grant_reason_needed", maximum=REASON_MAX_CHARS)
    with unit_of_work(conn) as session:
        user = session.scalars(
            select(User).where(User.username == username.strip().lower())
        ).one_or_none()
        if user is None:
            raise NotFound("unknown_user")
        if Role(user.role) not in roles_permitted(action):
            raise Refused("grant_role_cannot", role=Role(user.role))
        current = session.scalars(
            select(AccessGrant.id).where(
                AccessGrant.user_id == user.id,
                AccessGrant.action == action.value,
                AccessGrant.revoked_at.is_(None),
            )
        ).first()
        if current is not None:
            raise Refused("grant_exists", username=user.username)
        row = AccessGrant(
            user_id=user.id,
            action=action.value,
            reason=why,
            granted_by=actor.username,
            granted_at=now_seoul(),
        )
        session.add(row)
        session.flush()
        audit_as(
            session,
            actor,
            "grant_given",
            target_kind="user",
            target_id=str(user.id),
            detail={"action": action.value, "reason": why, "grant_id": row.id},
            client=client,
        )
        return row.id


def revoke(conn: Connection, actor: SignedInUser, grant_id: int, *, client: str = "") -> None:
    """End a grant; its row stays with who revoked it and when."""
    require(actor, Action.USERS_ADMIN)
    with unit_of_work(conn) as session:
        row = session.get(AccessGrant, grant_id)
        if row is None or row.revoked_at is not None:
            raise Refused("grant_not_current")
        row.revoked_by = actor.username
        row.revoked_at = now_seoul()
        audit_as(
            session,
            actor,
            "grant_revoked",
            target_kind="user",
            target_id=str(row.user_id),
            detail={"action": row.action, "grant_id": row.id},
            client=client,
        )


def link_sso_email(
    conn: Connection, actor: SignedInUser, username: str, email: str | None, *, client: str = ""
) -> None:
    """Link (or with None, unlink) the single sign-on e-mail that signs in as `username`."""
    require(actor, Action.USERS_ADMIN)
    address = email.strip().lower() if email else None
    if address is not None and not EMAIL.fullmatch(address):
        raise Refused("sso_email_invalid")
    with unit_of_work(conn) as session:
        user = session.scalars(
            select(User).where(User.username == username.strip().lower())
        ).one_or_none()
        if user is None:
            raise NotFound("unknown_user")
        if address is not None:
            holder = session.scalars(select(User.id).where(User.sso_email == address)).first()
            if holder is not None and holder != user.id:
                raise Refused("sso_email_taken", email=address)
        before = user.sso_email
        user.sso_email = address
        audit_as(
            session,
            actor,
            "sso_linked" if address else "sso_unlinked",
            target_kind="user",
            target_id=str(user.id),
            detail={"before": before, "after": address},
            client=client,
        )
