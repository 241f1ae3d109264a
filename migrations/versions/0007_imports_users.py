"""import history and user administration (issue #11)

Adds `transactions.external_id` (the source system's transaction id, the natural key an import
upserts by; unique where set) and `users.sessions_revoked_at` (sessions signed in before it end).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_bytes", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("good_rows_only", sa.Boolean(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("inserted", sa.BigInteger(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.Column("unchanged", sa.BigInteger(), nullable=False),
        sa.Column("rejected", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("duration_s", sa.Double(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_import_runs_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.create_index("ix_import_runs_file_sha256", ["file_sha256"], unique=False)
        batch_op.create_index("ix_import_runs_started_at", ["started_at"], unique=False)
    # Plain ADD COLUMN (no batch copy): the transactions table holds tens of millions of rows.
    op.add_column("transactions", sa.Column("external_id", sa.String(length=40), nullable=True))
    op.create_index(
        "ix_transactions_external_id",
        "transactions",
        ["external_id"],
        unique=True,
        sqlite_where=sa.text("external_id IS NOT NULL"),
        postgresql_where=sa.text("external_id IS NOT NULL"),
    )
    op.add_column("users", sa.Column("sessions_revoked_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("sessions_revoked_at")
    op.drop_index("ix_transactions_external_id", table_name="transactions")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_column("external_id")
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_import_runs_started_at")
        batch_op.drop_index("ix_import_runs_file_sha256")
    op.drop_table("import_runs")
