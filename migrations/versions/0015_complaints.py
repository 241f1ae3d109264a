"""complaint cases and the compliance role's work (issue #22)

`complaints` holds one row per case (민원) with its deadline, worked at the customer's home
branch and closed by compliance; `complaint_events` is the append-only history of each case;
`complaint_settings` holds the complaint numbers an administrator changed (the defaults live
in data_access.core.complaint_rules). A database seeded before this revision gets the
complaint agenda rule (data_access.agenda.COMPLAINT_RULE, written out here as it stands
today); the compliance role needs no schema: roles are strings.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 06:00:00
"""

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEOUL = ZoneInfo("Asia/Seoul")


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_no", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("deadline_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.String(length=40), nullable=True),
        sa.Column("opened_by", sa.String(length=40), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_complaints_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_complaints_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["handler_id"], ["employees.id"], name=op.f("fk_complaints_handler_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_complaints_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("case_no", name=op.f("uq_complaints_case_no")),
    )
    op.create_index(
        "ix_complaints_branch_id_received_on", "complaints", ["branch_id", "received_on"]
    )
    op.create_index(op.f("ix_complaints_customer_id"), "complaints", ["customer_id"])
    op.create_index("ix_complaints_status_deadline_on", "complaints", ["status", "deadline_on"])
    op.create_table(
        "complaint_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_events_complaint_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["handler_id"], ["employees.id"], name=op.f("fk_complaint_events_handler_id_employees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_events")),
    )
    op.create_index(
        "ix_complaint_events_complaint_id_id", "complaint_events", ["complaint_id", "id"]
    )
    op.create_table(
        "complaint_settings",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("updated_by", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_complaint_settings")),
    )
    _add_complaint_rule()


def _add_complaint_rule() -> None:
    rules = sa.table(
        "agenda_rules",
        sa.column("kind", sa.String),
        sa.column("name_ko", sa.String),
        sa.column("name_en", sa.String),
        sa.column("priority", sa.SmallInteger),
        sa.column("tiers", sa.JSON),
        sa.column("enabled", sa.Boolean),
        sa.column("params", sa.JSON),
        sa.column("version", sa.Integer),
        sa.column("updated_by", sa.String),
        sa.column("updated_at", sa.DateTime),
    )
    bind = op.get_bind()
    seeded = bind.execute(sa.select(sa.func.count()).select_from(rules)).scalar_one()
    has_rule = bind.execute(
        sa.select(sa.func.count()).select_from(rules).where(rules.c.kind == "complaint")
    ).scalar_one()
    if not seeded or has_rule:
        return
    op.bulk_insert(
        rules,
        [
            {
                "kind": "complaint",
                "name_ko": "민원 처리기한",
                "name_en": "Complaints due",
                "priority": 1,
                "tiers": ["vip", "priority", "general"],
                "enabled": True,
                "params": {},
                "version": 1,
                "updated_by": "system",
                "updated_at": dt.datetime.now(SEOUL).replace(tzinfo=None),
            }
        ],
    )


def downgrade() -> None:
    op.execute(
        "DELETE FROM agenda_items WHERE rule_id IN "
        "(SELECT id FROM agenda_rules WHERE kind = 'complaint')"
    )
    op.execute("DELETE FROM agenda_rules WHERE kind = 'complaint'")
    op.drop_table("complaint_settings")
    op.drop_index("ix_complaint_events_complaint_id_id", table_name="complaint_events")
    op.drop_table("complaint_events")
    op.drop_index("ix_complaints_status_deadline_on", table_name="complaints")
    op.drop_index(op.f("ix_complaints_customer_id"), table_name="complaints")
    op.drop_index("ix_complaints_branch_id_received_on", table_name="complaints")
    op.drop_table("complaints")
