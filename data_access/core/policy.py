"""The one access policy: which role may do which action, and over which scope.

Every data_access function asks `require` (or `permits`) before it reads or writes, so a page
that forgets a check still gets nothing. Scope is what the action reaches: the whole firm, the
user's branch, or the user's own book; `branch_condition` turns it into a SQL condition.

Some actions (exports of personal data) also need an explicit grant an admin gave the person:
the role bounds the scope, the grant (a row in `access_grants`) says this person may use it;
`require_granted` checks both.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, SQLColumnExpression, false, select, true

from data_access.core.errors import (
    AccessDenied,
)
from data_access.core.models import (
    AccessGrant,
    Customer,
    Role,
)
from data_access.core.security import (
    SignedInUser,
)


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
    # Full phone, e-mail and address (masked otherwise), and the text of sensitive notes.
    CONTACT_READ = "contact_read"
    SENSITIVE_NOTE_READ = "sensitive_note_read"
    # The home page's headline counts of the customers, branches and staff one answers for.
    OVERVIEW_READ = "overview_read"
    AUDIT_REVIEW = "audit_review"
    # The firm's own closing days on top of public holidays: every scheduled job follows them.
    CALENDAR_WRITE = "calendar_write"
    # Clearing an open alert (a fraud cue) on a customer: the customer's branch decides, so a
    # critical alert cannot be cleared by someone who never serves the customer.
    ALERT_RESOLVE = "alert_resolve"
    # Complaint cases (민원, issue #22): reading them, opening and working them (handler, progress
    # notes), and closing them with a resolution, which compliance alone does.
    COMPLAINT_READ = "complaint_read"
    COMPLAINT_WRITE = "complaint_write"
    COMPLAINT_CLOSE = "complaint_close"
    # The retention schedule, legal holds and disposal (issue #22): reading them, placing and
    # lifting holds, and changing the years and disposing of due records (administrators).
    RETENTION_READ = "retention_read"
    LEGAL_HOLD_WRITE = "legal_hold_write"
    RETENTION_WRITE = "retention_write"
    # Customers' requests to see their records: the list and its deadlines, and logging and
    # answering one (the answer's export also needs the export grant and contact rights).
    ACCESS_REQUEST_READ = "access_request_read"
    ACCESS_REQUEST_WRITE = "access_request_write"
    # Sales conduct (issue #22): recording a fund sale with its suitability record and the
    # customer's investment profile; working the happy calls one answers for (a branch
    # manager: the branch's); reading sales and calls beyond one customer (overdue calls).
    SALE_RECORD = "sale_record"
    HAPPY_CALL_WORK = "happy_call_work"
    CONDUCT_READ = "conduct_read"


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
_COMPLIANCE = Role.COMPLIANCE

# role -> action -> the widest scope the role reaches with it. A missing pair is a refusal.
# Reading one customer record is firm-wide for every customer-facing role (any branch serves
# any customer); lists, summaries and exports of customers follow the narrower scopes.
GRANTS: dict[Role, dict[Action, Scope]] = {
    _REP: {
        Action.CUSTOMER_READ: Scope.FIRM,
        Action.CUSTOMER_WRITE: Scope.FIRM,
        Action.SALE_RECORD: Scope.FIRM,
        Action.HAPPY_CALL_WORK: Scope.BOOK,
        Action.ALERT_RESOLVE: Scope.BRANCH,
        Action.COMPLAINT_READ: Scope.BRANCH,
        Action.COMPLAINT_WRITE: Scope.BRANCH,
        Action.AGENDA_WORK: Scope.BOOK,
        Action.CAMPAIGN_READ: Scope.BOOK,
        Action.CONTACT_READ: Scope.BOOK,
        Action.SENSITIVE_NOTE_READ: Scope.BOOK,
        Action.OVERVIEW_READ: Scope.BOOK,
    },
    _DEDICATED: {
        Action.CUSTOMER_READ: Scope.FIRM,
        Action.CUSTOMER_WRITE: Scope.FIRM,
        Action.SALE_RECORD: Scope.FIRM,
        Action.HAPPY_CALL_WORK: Scope.BOOK,
        Action.ALERT_RESOLVE: Scope.BRANCH,
        Action.COMPLAINT_READ: Scope.BRANCH,
        Action.COMPLAINT_WRITE: Scope.BRANCH,
        Action.AGENDA_WORK: Scope.BOOK,
        Action.CAMPAIGN_READ: Scope.BOOK,
        Action.CONTACT_READ: Scope.BOOK,
        Action.SENSITIVE_NOTE_READ: Scope.BOOK,
        Action.OVERVIEW_READ: Scope.BOOK,
    },
    _MANAGER: {
        Action.CUSTOMER_READ: Scope.FIRM,
        Action.CUSTOMER_WRITE: Scope.FIRM,
        Action.SALE_RECORD: Scope.FIRM,
        Action.HAPPY_CALL_WORK: Scope.BRANCH,
        Action.CONDUCT_READ: Scope.BRANCH,
        Action.ALERT_RESOLVE: Scope.BRANCH,
        Action.COMPLAINT_READ: Scope.BRANCH,
        Action.COMPLAINT_WRITE: Scope.BRANCH,
        Action.AGENDA_TEAM_READ: Scope.BRANCH,
        Action.KPI_READ: Scope.BRANCH,
        Action.USAGE_READ: Scope.BRANCH,
        Action.TRAINING_READ: Scope.BRANCH,
        Action.SEGMENT_READ: Scope.BRANCH,
        Action.SEGMENT_WRITE: Scope.BRANCH,
        Action.CAMPAIGN_READ: Scope.BRANCH,
        Action.CAMPAIGN_WRITE: Scope.BRANCH,
        Action.EXPORT: Scope.BRANCH,
        Action.ACCESS_REQUEST_READ: Scope.BRANCH,
        Action.ACCESS_REQUEST_WRITE: Scope.BRANCH,
        Action.CONTACT_READ: Scope.BRANCH,
        Action.SENSITIVE_NOTE_READ: Scope.BRANCH,
        Action.OVERVIEW_READ: Scope.BRANCH,
    },
    _TRAINER: {
        Action.USAGE_READ: Scope.FIRM,
        Action.TRAINING_READ: Scope.FIRM,
        Action.TRAINING_WRITE: Scope.FIRM,
    },
    _EXECUTIVE: {
        Action.CUSTOMER_READ: Scope.FIRM,
        Action.CUSTOMER_WRITE: Scope.FIRM,
        Action.CONDUCT_READ: Scope.FIRM,
        Action.ALERT_RESOLVE: Scope.FIRM,
        Action.COMPLAINT_READ: Scope.FIRM,
        Action.AGENDA_TEAM_READ: Scope.FIRM,
        Action.KPI_READ: Scope.FIRM,
        Action.USAGE_READ: Scope.FIRM,
        Action.TRAINING_READ: Scope.FIRM,
        Action.SEGMENT_READ: Scope.FIRM,
        Action.SEGMENT_WRITE: Scope.FIRM,
        Action.CAMPAIGN_READ: Scope.FIRM,
        Action.CAMPAIGN_WRITE: Scope.FIRM,
        Action.EXPORT: Scope.FIRM,
        Action.CONTACT_READ: Scope.FIRM,
        Action.SENSITIVE_NOTE_READ: Scope.FIRM,
        Action.OVERVIEW_READ: Scope.FIRM,
    },
    _ADMIN: {
        Action.AGENDA_RULES_WRITE: Scope.FIRM,
        Action.JOBS_RUN: Scope.FIRM,
        Action.CALENDAR_WRITE: Scope.FIRM,
        Action.KPI_READ: Scope.FIRM,
        Action.KPI_TARGETS_WRITE: Scope.FIRM,
        Action.IMPORT: Scope.FIRM,
        Action.USERS_ADMIN: Scope.FIRM,
        Action.AUDIT_READ: Scope.FIRM,
        Action.AUDIT_REVIEW: Scope.FIRM,
        # The dictionary documents the tables behind the console: a tool for those who load
        # and look after the data, not a page for the people who work with customers.
        Action.DICTIONARY_READ: Scope.FIRM,
        Action.RETENTION_READ: Scope.FIRM,
        Action.LEGAL_HOLD_WRITE: Scope.FIRM,
        Action.RETENTION_WRITE: Scope.FIRM,
    },
    # Compliance (소비자보호 담당) answers for every complaint: it reads and works all cases and
    # alone closes them. It reads any customer record (a mis-selling case needs the holdings,
    # sales and notes behind it) and the firm's KPIs (complaint rates by branch), but not the
    # contact details or sensitive notes: the handler at the branch calls the customer, so
    # compliance sees them masked and a customer outside any book asks for a reason, as for
    # any other head-office reader without contact rights. The audit trail stays with the
    # administrators who keep it.
    _COMPLIANCE: {
        Action.CUSTOMER_READ: Scope.FIRM,
        Action.COMPLAINT_READ: Scope.FIRM,
        Action.COMPLAINT_WRITE: Scope.FIRM,
        Action.COMPLAINT_CLOSE: Scope.FIRM,
        Action.KPI_READ: Scope.FIRM,
        Action.CONDUCT_READ: Scope.FIRM,
        # Retention and access requests: compliance follows every request's deadline and
        # places holds; the branch manager answers a request with the customer's export.
        Action.RETENTION_READ: Scope.FIRM,
        Action.LEGAL_HOLD_WRITE: Scope.FIRM,
        Action.ACCESS_REQUEST_READ: Scope.FIRM,
        Action.ACCESS_REQUEST_WRITE: Scope.FIRM,
    },
}


# Actions a role allows only to the people an admin granted them (see `access_grants`).
EXPLICIT_GRANT_ACTIONS = frozenset({Action.EXPORT})


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
            raise AccessDenied("access_denied_role", role=user.role, action=action)
        raise AccessDenied("access_denied_branch")
    scope = scope_of(user, action)
    assert scope is not None
    return scope


def branch_condition(
    user: SignedInUser, action: Action, branch_column: SQLColumnExpression[Any]
) -> ColumnElement[bool]:
    """SQL condition keeping the rows of the branches `user` reaches with `action`."""
    scope = scope_of(user, action)
    if scope is None:
        return false()
    if scope is Scope.FIRM:
        return true()
    return branch_column == user.branch_id


def customer_condition(user: SignedInUser, action: Action) -> ColumnElement[bool]:
    """SQL condition keeping the customers `user` reaches with `action`: the firm, the home
    branch, or the customers they manage."""
    scope = scope_of(user, action)
    if scope is Scope.FIRM:
        return true()
    if scope is Scope.BRANCH:
        return Customer.home_branch_id == user.branch_id
    if scope is Scope.BOOK and user.employee_id is not None:
        return Customer.manager_id == user.employee_id
    return false()


def of_customers_in_scope(
    stmt: Select[Any],
    user: SignedInUser,
    action: Action,
    customer_id: SQLColumnExpression[int],
) -> Select[Any]:
    """`stmt` kept to rows (accounts, notes, alerts) of customers `user` reaches with `action`.
    Firm-wide it adds nothing: a join to millions of customers would filter none out."""
    if scope_of(user, action) is Scope.FIRM:
        return stmt
    return stmt.join(Customer, Customer.id == customer_id).where(customer_condition(user, action))


def roles_permitted(action: Action) -> frozenset[Role]:
    """The roles that may do `action` at all: navigation lists a page for these roles only."""
    return frozenset(role for role, grants in GRANTS.items() if action in grants)


def reaches_customer(
    user: SignedInUser, action: Action, *, home_branch_id: int, manager_id: int | None
) -> bool:
    """Whether `action`'s scope covers one customer: the firm, its home branch, or its book."""
    scope = scope_of(user, action)
    if scope is Scope.FIRM:
        return True
    if scope is Scope.BRANCH:
        return home_branch_id == user.branch_id
    if scope is Scope.BOOK:
        return manager_id is not None and manager_id == user.employee_id
    return False


def holds_grant(conn: Connection, user: SignedInUser, action: Action) -> bool:
    """Whether an admin granted `user` the explicit permission `action` (not revoked)."""
    granted = conn.execute(
        select(AccessGrant.id)
        .where(
            AccessGrant.user_id == user.user_id,
            AccessGrant.action == action.value,
            AccessGrant.revoked_at.is_(None),
        )
        .limit(1)
    ).first()
    return granted is not None


def permits_granted(
    conn: Connection, user: SignedInUser, action: Action, *, branch_id: int | None = None
) -> bool:
    """`permits`, plus the explicit grant for the actions that need one (pages ask this
    before offering a download button)."""
    if not permits(user, action, branch_id=branch_id):
        return False
    return action not in EXPLICIT_GRANT_ACTIONS or holds_grant(conn, user, action)


def require_granted(
    conn: Connection, user: SignedInUser, action: Action, *, branch_id: int | None = None
) -> Scope:
    """`require`, plus the explicit grant for the actions that need one."""
    scope = require(user, action, branch_id=branch_id)
    if action in EXPLICIT_GRANT_ACTIONS and not holds_grant(conn, user, action):
        raise AccessDenied("access_denied_no_grant", action=action)
    return scope
