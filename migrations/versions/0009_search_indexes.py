"""indexes for the audit trail search and branch managers' campaign scope

The admin's trail search filters the audit log by username or action over a date span, newest
first; without an index each search scanned the whole, ever-growing log. A branch manager's
campaign list looks up the campaigns with targets in their branch, which scanned every target.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_audit_log_username_occurred_at", "audit_log", ["username", "occurred_at"], unique=False
    )
    op.create_index(
        "ix_audit_log_action_occurred_at", "audit_log", ["action", "occurred_at"], unique=False
    )
    op.create_index(
        "ix_campaign_targets_branch_id_campaign_id",
        "campaign_targets",
        ["branch_id", "campaign_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_campaign_targets_branch_id_campaign_id", table_name="campaign_targets")
    op.drop_index("ix_audit_log_action_occurred_at", table_name="audit_log")
    op.drop_index("ix_audit_log_username_occurred_at", table_name="audit_log")
