"""Usage events: one row per meaningful action of an employee in the console."""

from __future__ import annotations

from sqlalchemy.orm import Session

from data_access.models import UsageEvent
from data_access.security import SignedInUser, now_seoul


def record_usage(
    session: Session, user: SignedInUser, action: str, page: str, target: str | None = None
) -> None:
    """Add the event to the caller's unit of work, so it lands with the action it describes."""
    if user.employee_id is None:
        return
    session.add(
        UsageEvent(
            employee_id=user.employee_id,
            branch_id=user.branch_id,
            occurred_at=now_seoul(),
            action=action,
            page=page[:30],
            target=target[:40] if target else None,
        )
    )
