"""The one access policy: which role may do which action, and over which scope.

Every data_access function asks `require` (or `permits`) before it reads or writes, so a page
that forgets a check still gets nothing. Scope is what the action reaches: the whole firm, the
user's branch, or the user's own book; `branch_scope` turns it into a SQL condition.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import ColumnElement, false, true

from data_access.models import Role
from data_access.security import SignedInUser


class Action(enum.StrEnum):
    CUSTOMER_READ = "customer_read"
    CUSTOMER_WRITE = "customer_write"
    AGENDA_WORK = "agenda_work"
    AGENDA_TEAM_READ = "agenda_team_read"
    AGENDA_RULES_WRITE = "agenda_rules_write"
    JOBS_RUN = "jobs_run"
    KPI_READ = "kpi_read"
    KPI_TARGETS_WRITE = "kpi_targets_write"
    USAGE_READ = "usage_read"
    TRAINING_READ = "training_read"
    TRAINING_WRITE = "training_write"
    SEGMENT_READ = "segment_read"
    SEGMENT_WRITE = "segment_write"
    CAMPAIGN_READ = "campaign_read"
    CAMPAIGN_WRITE = "campaign_write"
    EXPORT = "export"
    IMPORT = "import"
    USERS_ADMIN = "users_admin"
    AUDIT_READ = "audit_read"
    DICTIONARY_READ = "dictionary_read"


class Scope(enum.StrEnum):
    FIRM = "firm"
    BRANCH = "branch"
    BOOK = "book"


_REP = Role.SALES_REP
_DEDICATED = Role.DEDICATED_MANAGER
_MANAGER = Role.BRANCH_MANAGER
_TRAINER = Role.TRAINER
_EXECUTIVE = Role.EXECUTIVE
_ADMIN = Role.ADMIN

# role -> action -> the widest scope the role reaches with it. A missing pair is a refusal.
# Reading one customer record is firm-wide for every customer-facing role (any branch serves
# any customer); lists, summaries and exports of customers follow the narrower scopes.
GRANTS: dict[Role, dict[Action, Scope]] = {
    _REP: {
        Action.CUSTOMER_READ: Scope.FIRM,
        Action.CUSTOMER_WRITE: Scope.FIRM,
        Action.AGENDA_WORK: Scope.BOOK,
        Action.CAMPAIGN_READ: Scope.BOOK,
        Action.DICTIONARY_READ: Scope.FIRM,
    },
    _DEDICATED: {
        Action.CUSTOMER_READ: Scope.FIRM,
        Action.CUSTOMER_WRITE: Scope.FIRM,
        Action.AGENDA_WORK: Scope.BOOK,
        Action.CAMPAIGN_READ: Scope.BOOK,
        Action.DICTIONARY_READ: Scope.FIRM,
    },
    _MANAGER: {
        Action.CUSTOMER_READ: Scope.FIRM,
        Action.CUSTOMER_WRITE: Scope.FIRM,
        Action.AGENDA_TEAM_READ: Scope.BRANCH,
        Action.KPI_READ: Scope.BRANCH,
        Action.USAGE_READ: Scope.BRANCH,
        Action.TRAINING_READ: Scope.BRANCH,
        Action.SEGMENT_READ: Scope.BRANCH,
        Action.SEGMENT_WRITE: Scope.BRANCH,
        Action.CAMPAIGN_READ: Scope.BRANCH,
        Action.CAMPAIGN_WRITE: Scope.BRANCH,
        Action.EXPORT: Scope.BRANCH,
        Action.DICTIONARY_READ: Scope.FIRM,
    },
    _TRAINER: {
        Action.USAGE_READ: Scope.FIRM,
        Action.TRAINING_READ: Scope.FIRM,
        Action.TRAINING_WRITE: Scope.FIRM,
        Action.DICTIONARY_READ: Scope.FIRM,
    },
    _EXECUTIVE: {
        Action.CUSTOMER_READ: Scope.FIRM,
        Action.AGENDA_TEAM_READ: Scope.FIRM,
        Action.KPI_READ: Scope.FIRM,
        Action.USAGE_READ: Scope.FIRM,
        Action.TRAINING_READ: Scope.FIRM,
        Action.SEGMENT_READ: Scope.FIRM,
        Action.SEGMENT_WRITE: Scope.FIRM,
        Action.CAMPAIGN_READ: Scope.FIRM,
        Action.CAMPAIGN_WRITE: Scope.FIRM,
        Action.EXPORT: Scope.FIRM,
        Action.DICTIONARY_READ: Scope.FIRM,
    },
    _ADMIN: {
        Action.AGENDA_RULES_WRITE: Scope.FIRM,
        Action.JOBS_RUN: Scope.FIRM,
        Action.KPI_READ: Scope.FIRM,
        Action.KPI_TARGETS_WRITE: Scope.FIRM,
        Action.IMPORT: Scope.FIRM,
        Action.USERS_ADMIN: Scope.FIRM,
        Action.AUDIT_READ: Scope.FIRM,
        Action.DICTIONARY_READ: Scope.FIRM,
    },
}


class AccessDenied(PermissionError):
    """The policy refuses; the message is a sentence for the person, not a stack trace."""


def scope_of(user: SignedInUser, action: Action) -> Scope | None:
    return GRANTS.get(user.role, {}).get(action)


def permits(user: SignedInUser, action: Action, *, branch_id: int | None = None) -> bool:
    """Whether `user` may do `action`, on `branch_id`'s data when one is named."""
    scope = scope_of(user, action)
    if scope is None:
        return False
    if branch_id is None or scope is Scope.FIRM:
        return True
    return branch_id == user.branch_id


def require(user: SignedInUser, action: Action, *, branch_id: int | None = None) -> Scope:
    """The scope `user` reaches with `action`; raises AccessDenied when the policy refuses."""
    if not permits(user, action, branch_id=branch_id):
        if scope_of(user, action) is None:
            raise AccessDenied(f"Your role may not do this ({action.value}).")
        raise AccessDenied("That branch is outside your scope; you see your own branch only.")
    scope = scope_of(user, action)
    assert scope is not None
    return scope


def branch_condition(
    user: SignedInUser, action: Action, branch_column: ColumnElement[Any]
) -> ColumnElement[bool]:
    """SQL condition keeping the rows of the branches `user` reaches with `action`."""
    scope = scope_of(user, action)
    if scope is None:
        return false()
    if scope is Scope.FIRM:
        return true()
    return branch_column == user.branch_id


def roles_permitted(action: Action) -> frozenset[Role]:
    """The roles that may do `action` at all: navigation lists a page for these roles only."""
    return frozenset(role for role, grants in GRANTS.items() if action in grants)
