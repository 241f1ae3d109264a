"""job claims that lapse, audit hashes with a version (issue #18)

`job_runs.claim_expires_at`: a running build renews its claim every few seconds; once the time
has passed with no renewal, its process is dead and another may take the date over (before, a
killed build kept the date for two hours). Rows claimed before this revision have none and
keep the old two-hour rule.

`audit_log.hash_version`: how the row's hash was computed. Every stored row was hashed the
first way (1, filled here); the console now writes version 2, a canonical encoding in which
NULL and the text 'None', or a '|' moved between fields, no longer hash alike.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("job_runs", sa.Column("claim_expires_at", sa.DateTime(), nullable=True))
    op.add_column(
        "audit_log",
        sa.Column("hash_version", sa.SmallInteger(), nullable=False, server_default="1"),
    )


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("hash_version")
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_column("claim_expires_at")
