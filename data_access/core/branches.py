"""A branch named in a link (`?branch=<code>`), resolved and checked one way for every page
that takes one (executive KPIs, usage, training)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from data_access.core.errors import (
    NotFound,
)
from data_access.core.models import (
    Branch,
)
from data_access.core.policy import (
    Action,
    require,
)
from data_access.core.security import (
    SignedInUser,
)


@dataclass(frozen=True, slots=True)
class BranchRef:
    id: int
    code: str
    name_ko: str
    name_en: str


def _branch(conn: Connection, where: Any) -> BranchRef | None:
    found = conn.execute(
        select(Branch.id, Branch.code, Branch.name_ko, Branch.name_en).where(where)
    ).one_or_none()
    return BranchRef(*found) if found is not None else None


def branch_for_code(conn: Connection, user: SignedInUser, code: str, action: Action) -> BranchRef:
    """The branch with `code` if `action` reaches it for `user`: AccessDenied for another
    branch than a branch manager's own, NotFound for a code no branch has."""
    found = _branch(conn, Branch.code == code)
    if found is None:
        raise NotFound("kpi_branch_unknown", code=code)
    require(user, action, branch_id=found.id)
    return found


def own_branch(conn: Connection, user: SignedInUser) -> BranchRef:
    found = _branch(conn, Branch.id == user.branch_id) if user.branch_id is not None else None
    if found is None:
        raise NotFound("own_branch_missing")
    return found
