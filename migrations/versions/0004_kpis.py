"""KPI snapshots and targets (issue #7)

Targets and parameters are not seeded here: demo data only goes into an empty database, so
data_access.kpis falls back to its documented defaults until an administrator saves a value.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kpi_snapshots",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("scope_kind", sa.String(length=8), nullable=False),
        sa.Column("scope_key", sa.String(length=40), nullable=False),
        sa.Column("kpi", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint(
            "business_date", "scope_kind", "scope_key", "kpi", name=op.f("pk_kpi_snapshots")
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_kpi_snapshots_scope_kind_kpi",
        "kpi_snapshots",
        ["scope_kind", "kpi", "business_date"],
        unique=False,
    )
    op.create_table(
        "kpi_targets",
        sa.Column("kpi", sa.String(length=40), nullable=False),
        sa.Column("target", sa.Double(), nullable=False),
        sa.Column("updated_by", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kpi", name=op.f("pk_kpi_targets")),
    )
    op.create_table(
        "kpi_parameters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("updated_by", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_kpi_parameters")),
    )


def downgrade() -> None:
    op.drop_table("kpi_parameters")
    op.drop_table("kpi_targets")
    op.drop_index("ix_kpi_snapshots_scope_kind_kpi", table_name="kpi_snapshots")
    op.drop_table("kpi_snapshots")
