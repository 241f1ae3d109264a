"""security policy, audit and sessions (issue #9)

Adds `access_grants` (explicit per-user permissions such as exports, granted and revoked by an
admin) and `users.sso_email` (the single sign-on identity linked to an account).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("granted_by", sa.String(length=40), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_by", sa.String(length=40), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_access_grants_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_grants")),
    )
    op.create_index(
        "ix_access_grants_user_id_action", "access_grants", ["user_id", "action"], unique=False
    )
    op.add_column("users", sa.Column("sso_email", sa.String(length=120), nullable=True))
    op.create_index("ix_users_sso_email", "users", ["sso_email"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_users_sso_email", table_name="users")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("sso_email")
    op.drop_index("ix_access_grants_user_id_action", table_name="access_grants")
    op.drop_table("access_grants")
