"""transactions by time: one covering index in place of the plain one

The daily KPI snapshot sums a month and a half of flows by branch and day; through the plain
occurred_at index every one of those (some 800,000 at full scale) cost a random read of its
table row, and the snapshot of one day took most of a minute on SQLite. With the columns the
flows need in the index itself, the read walks the index alone. Every query that used the
plain index (a time range) uses this one, whose first column is the same.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 08:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COVERED = ["occurred_at", "account_id", "kind", "amount_krw", "channel"]


def upgrade() -> None:
    op.create_index("ix_transactions_occurred_at_flows", "transactions", COVERED, unique=False)
    op.drop_index("ix_transactions_occurred_at", table_name="transactions")


def downgrade() -> None:
    op.create_index("ix_transactions_occurred_at", "transactions", ["occurred_at"], unique=False)
    op.drop_index("ix_transactions_occurred_at_flows", table_name="transactions")
