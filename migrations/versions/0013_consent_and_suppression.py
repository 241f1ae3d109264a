"""consent history, do-not-call numbers, contact settings (issue #22)

`consent_events` is the append-only history of consents per customer, purpose and channel.
The customers' marketing booleans stay the current state (campaigns, segments and the agenda
read them); nothing is seeded, so every existing customer keeps exactly the consent they had
and the history starts with the first change. `do_not_call_numbers` holds the finance
sector's do-not-call list and in-house opt-outs as bare digits; `contact_settings` holds the
allowed call hours where an administrator changed them (the defaults live in the code).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consent_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("given", sa.Boolean(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_consent_events_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_events")),
    )
    op.create_index(
        "ix_consent_events_customer_id_id", "consent_events", ["customer_id", "id"], unique=False
    )
    op.create_table(
        "do_not_call_numbers",
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("phone", "source", name=op.f("pk_do_not_call_numbers")),
    )
    op.create_table(
        "contact_settings",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("updated_by", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_contact_settings")),
    )


def downgrade() -> None:
    op.drop_table("contact_settings")
    op.drop_table("do_not_call_numbers")
    op.drop_index("ix_consent_events_customer_id_id", table_name="consent_events")
    op.drop_table("consent_events")
