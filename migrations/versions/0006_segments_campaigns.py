"""saved segments and campaigns (issue #6)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=False),
        sa.Column("owner_name", sa.String(length=40), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_segments_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"], name=op.f("fk_segments_owner_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segments")),
        sa.UniqueConstraint("name", name=op.f("uq_segments_name")),
    )
    op.create_table(
        "segment_versions",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name=op.f("fk_segment_versions_segment_id_segments")
        ),
        sa.PrimaryKeyConstraint("segment_id", "version", name=op.f("pk_segment_versions")),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("segment_version", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=2), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("stratify_by", sa.String(length=10), nullable=True),
        sa.Column("control_pct", sa.SmallInteger(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("cost_per_piece_krw", sa.BigInteger(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("eligible", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("features_built_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_campaigns_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_campaigns_created_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name=op.f("fk_campaigns_segment_id_segments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaigns_branch_id"), ["branch_id"], unique=False)
    op.create_table(
        "campaign_targets",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("arm", sa.String(length=8), nullable=False),
        sa.Column("stratum", sa.String(length=40), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("outcome_at", sa.DateTime(), nullable=True),
        sa.Column("recorded_by", sa.String(length=40), nullable=True),
        sa.Column("consultation_id", BIG_ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_campaign_targets_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_targets_campaign_id_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_campaign_targets_consultation_id_consultations"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_campaign_targets_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_campaign_targets_employee_id_employees"),
        ),
        sa.PrimaryKeyConstraint("campaign_id", "customer_id", name=op.f("pk_campaign_targets")),
    )
    with op.batch_alter_table("campaign_targets", schema=None) as batch_op:
        batch_op.create_index("ix_campaign_targets_customer_id", ["customer_id"], unique=False)
        batch_op.create_index(
            "ix_campaign_targets_employee_id_outcome", ["employee_id", "outcome"], unique=False
        )


def downgrade() -> None:
    op.drop_table("campaign_targets")
    op.drop_table("campaigns")
    op.drop_table("segment_versions")
    op.drop_table("segments")
