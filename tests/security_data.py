"""Hand-made audit trail and grants for the security tests, on top of tests/handmade.py.

Users (tests/handmade.py): exec 1 (head office), manager 2 (branch 101), kim 3 (101),
park 4 (102), trainer 5, admin 6. Customers 100000001 and 100000002 belong to branch 101,
100000003 to 102, 100000004 to 101.

This month's trail, by hand:
  exec     views 1, 2, 3                      -> 3 views, 3 customers, no branch of his own
  kim      views 1, 2, 3; one search          -> 3 views, 3 customers, 1 outside (customer 3)
  park     views 1, 1, 2                      -> 3 views, 2 customers, 3 outside (all 101's)
  manager  views 1; one export                -> 1 view, 1 customer, 0 outside, 1 export
  admin    one audit search                   -> not an access to customers
and last month: kim viewed customer 4 (outside this month's review). That row is moved back a
month after it was appended, which is an edit the hash chain notices: the chain tests append
trails of their own.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, update

from data_access.core.db import (
    unit_of_work,
)
from data_access.core.models import (
    AuditRecord,
)
from data_access.core.security import (
    append_audit,
    now_seoul,
)

USERNAMES = {1: "exec", 2: "manager", 3: "kim", 4: "park", 6: "admin"}
MONTH_TRAIL: list[tuple[int, str, str | None]] = [
    (1, "customer_view", "100000001"),
    (1, "customer_view", "100000002"),
    (1, "customer_view", "100000003"),
    (3, "customer_view", "100000001"),
    (3, "customer_view", "100000002"),
    (3, "customer_view", "100000003"),
    (3, "customer_search", None),
    (4, "customer_view", "100000001"),
    (4, "customer_view", "100000001"),
    (4, "customer_view", "100000002"),
    (2, "customer_view", "100000001"),
    (2, "export", None),
    (6, "audit_search", None),
]
REVIEW_THRESHOLDS = {"many_records": 3, "outside_branch_views": 2}


def load_trail(conn: Connection) -> list[int]:
    """Append last month's row and this month's trail; returns the ids in order."""
    ids = []
    with unit_of_work(conn) as session:
        earlier = append_audit(
            session, 3, "kim", "customer_view", target_kind="customer", target_id="100000004"
        )
        for user_id, action, target in [*MONTH_TRAIL]:
            record = append_audit(
                session,
                user_id,
                USERNAMES[user_id],
                action,
                target_kind="customer" if target else None,
                target_id=target,
                detail={"reason": "monthly report"} if action == "export" else None,
                client="10.0.0.7",
            )
            ids.append(record)
        session.flush()
        first_of_month = now_seoul().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        session.execute(
            update(AuditRecord)
            .where(AuditRecord.id == earlier.id)
            .values(occurred_at=first_of_month - dt.timedelta(days=3))
        )
        return [earlier.id, *(record.id for record in ids)]
