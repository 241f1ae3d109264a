"""sign-in throttle per client address; addresses each user signed in from (issue #18)

`sign_in_addresses` counts failed sign-ins per client address across every name tried, so one
client spraying guesses over many accounts is made to wait; `known_sign_in_clients` lists the
addresses each user signed in from with the right password, where a lock that strangers put on
the account does not hold. Both live in the database so every console replica sees the same.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_addresses",
        sa.Column("client", sa.String(length=60), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=False),
        sa.Column("wait_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("client", name=op.f("pk_sign_in_addresses")),
    )
    op.create_table(
        "known_sign_in_clients",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=60), nullable=False),
        sa.Column("last_signed_in_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_known_sign_in_clients_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "client", name=op.f("pk_known_sign_in_clients")),
    )


def downgrade() -> None:
    op.drop_table("known_sign_in_clients")
    op.drop_table("sign_in_addresses")
