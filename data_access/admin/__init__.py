"""Administration: user accounts and passwords, the audit trail's search, verification and
anchors, and the data dictionary.

Owns `users` (with `core.security` for sign-in) and reads `audit_log`.
"""

from data_access.admin.audit import (
    MANY_RECORDS_PER_MONTH,
    OUTSIDE_BRANCH_VIEWS,
    SEARCH_LIMIT,
    append_anchor,
    audit_actions,
    check_anchors,
    monthly_review,
    read_anchors,
    search_trail,
    verify_chain,
)
from data_access.admin.data_dictionary import (
    TABLES,
    Meaning,
    column_meaning,
    dictionary,
)
from data_access.admin.users import (
    MIN_PASSWORD_LENGTH,
    acting_admin,
    change_own_password,
    create_user,
    list_users,
    must_change_password,
    reset_password,
    session_valid,
    set_active,
    update_user,
)

__all__ = [
    "MANY_RECORDS_PER_MONTH",
    "MIN_PASSWORD_LENGTH",
    "OUTSIDE_BRANCH_VIEWS",
    "SEARCH_LIMIT",
    "TABLES",
    "Meaning",
    "acting_admin",
    "append_anchor",
    "audit_actions",
    "change_own_password",
    "check_anchors",
    "column_meaning",
    "create_user",
    "dictionary",
    "list_users",
    "monthly_review",
    "must_change_password",
    "read_anchors",
    "reset_password",
    "search_trail",
    "session_valid",
    "set_active",
    "update_user",
    "verify_chain",
]
