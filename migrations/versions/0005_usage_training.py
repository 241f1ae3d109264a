"""usage daily aggregates and training records (issue #8)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "usage_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("late_events", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_usage_daily_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_usage_daily_employee_id_employees")
        ),
        sa.PrimaryKeyConstraint("day", "employee_id", "action", name=op.f("pk_usage_daily")),
    )
    with op.batch_alter_table("usage_daily", schema=None) as batch_op:
        batch_op.create_index("ix_usage_daily_branch_id_day", ["branch_id", "day"], unique=False)
    op.create_table(
        "usage_person_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("actions", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Integer(), nullable=False),
        sa.Column("late_notes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_usage_person_days_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_usage_person_days_employee_id_employees"),
        ),
        sa.PrimaryKeyConstraint("day", "employee_id", name=op.f("pk_usage_person_days")),
    )
    with op.batch_alter_table("usage_person_days", schema=None) as batch_op:
        batch_op.create_index(
            "ix_usage_person_days_branch_id_day", ["branch_id", "day"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("usage_person_days", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_person_days_branch_id_day")
    op.drop_table("usage_person_days")
    with op.batch_alter_table("usage_daily", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_daily_branch_id_day")
    op.drop_table("usage_daily")
