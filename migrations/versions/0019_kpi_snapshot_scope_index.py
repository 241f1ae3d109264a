"""a covering index for reading one scope's KPI history (issue #21)

The executive page, the branch manager's KPI page and the period comparison read one scope's
snapshots over a year: the rows of one firm, region or branch between two dates. The only
index led with the scope's kind, so SQLite walked every branch's rows and fetched each from
the table to test its branch: 0.7 s for 6,600 rows at 84 branches. This index leads with the
scope and the day and carries the value, so the read is one range of the index alone.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 18:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_kpi_snapshots_scope_day",
        "kpi_snapshots",
        ["scope_kind", "scope_key", "business_date", "kpi", "value"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_kpi_snapshots_scope_day", table_name="kpi_snapshots")
