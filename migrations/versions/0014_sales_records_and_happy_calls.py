"""sales with their suitability records, investment profiles and happy calls (issue #22)

`investment_profiles` keeps every assessment of a customer's risk tolerance (appended, never
changed), `fund_sales` one row per fund subscription with the profile and grades at the sale,
whether it suited, and the recording and cooling-off end where the rules ask for them;
`happy_calls` the follow-up call a qualifying sale is owed and its outcome;
`conduct_settings` the rule numbers an administrator changed (the defaults live in the code).
`happy_calls.complaint_case_id` names a complaint case without a foreign key: the complaints
table comes in a later revision. A database whose agenda rules were seeded before gets the
happy-call rule (data_access.agenda.HAPPY_CALL_RULE, written out here as it stands today); an
empty one gets it with the other defaults on first use.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 06:00:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "investment_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("risk_tolerance_grade", sa.SmallInteger(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=10), nullable=False),
        sa.Column("confirmation_ref", sa.String(length=60), nullable=True),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_investment_profiles_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investment_profiles")),
    )
    op.create_index(
        "ix_investment_profiles_customer_id_assessed_on",
        "investment_profiles",
        ["customer_id", "assessed_on"],
        unique=False,
    )
    op.create_table(
        "fund_sales",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("transaction_id", BIG_ID, nullable=True),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("sold_on", sa.Date(), nullable=False),
        sa.Column("amount_krw", sa.BigInteger(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("customer_grade", sa.SmallInteger(), nullable=False),
        sa.Column("product_risk_grade", sa.SmallInteger(), nullable=False),
        sa.Column("customer_age", sa.SmallInteger(), nullable=False),
        sa.Column("suitable", sa.Boolean(), nullable=False),
        sa.Column("recording_ref", sa.String(length=60), nullable=True),
        sa.Column("cooling_off_ends_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_fund_sales_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_fund_sales_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_fund_sales_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_fund_sales_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["investment_profiles.id"],
            name=op.f("fk_fund_sales_profile_id_investment_profiles"),
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["employees.id"], name=op.f("fk_fund_sales_seller_id_employees")
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_fund_sales_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_sales")),
    )
    op.create_index(
        "ix_fund_sales_customer_id_sold_on", "fund_sales", ["customer_id", "sold_on"], unique=False
    )
    op.create_index(
        "ix_fund_sales_sold_on_branch_id", "fund_sales", ["sold_on", "branch_id"], unique=False
    )
    op.create_table(
        "happy_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("responsible_id", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.String(length=60), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reminder_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("tries", sa.SmallInteger(), nullable=False),
        sa.Column("outcome_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("mis_selling_suspected", sa.Boolean(), nullable=False),
        sa.Column("complaint_case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_happy_calls_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_happy_calls_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["responsible_id"],
            ["employees.id"],
            name=op.f("fk_happy_calls_responsible_id_employees"),
        ),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["fund_sales.id"], name=op.f("fk_happy_calls_sale_id_fund_sales")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_happy_calls")),
        sa.UniqueConstraint("sale_id", name=op.f("uq_happy_calls_sale_id")),
    )
    op.create_index(
        op.f("ix_happy_calls_customer_id"), "happy_calls", ["customer_id"], unique=False
    )
    op.create_index(
        "ix_happy_calls_responsible_id_status",
        "happy_calls",
        ["responsible_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_happy_calls_status_due_on", "happy_calls", ["status", "due_on"], unique=False
    )
    op.create_table(
        "conduct_settings",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("updated_by", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_conduct_settings")),
    )

    _add_happy_call_rule()


def _add_happy_call_rule() -> None:
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
        sa.select(sa.func.count()).select_from(rules).where(rules.c.kind == "happy_call")
    ).scalar_one()
    if not seeded or has_rule:
        return
    op.bulk_insert(
        rules,
        [
            {
                "kind": "happy_call",
                "name_ko": "해피콜",
                "name_en": "Happy calls after a sale",
                "priority": 1,
                "tiers": ["vip", "priority", "general"],
                "enabled": True,
                "params": {"days_after_sale": 1},
                "version": 1,
                "updated_by": "system",
                # Seoul wall-clock time, as every stored timestamp.
                "updated_at": dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=9),
            }
        ],
    )


def downgrade() -> None:
    op.execute(
        "DELETE FROM agenda_items WHERE rule_id IN "
        "(SELECT id FROM agenda_rules WHERE kind = 'happy_call')"
    )
    op.execute("DELETE FROM agenda_rules WHERE kind = 'happy_call'")
    op.drop_table("conduct_settings")
    op.drop_index("ix_happy_calls_status_due_on", table_name="happy_calls")
    op.drop_index("ix_happy_calls_responsible_id_status", table_name="happy_calls")
    op.drop_index(op.f("ix_happy_calls_customer_id"), table_name="happy_calls")
    op.drop_table("happy_calls")
    op.drop_index("ix_fund_sales_sold_on_branch_id", table_name="fund_sales")
    op.drop_index("ix_fund_sales_customer_id_sold_on", table_name="fund_sales")
    op.drop_table("fund_sales")
    op.drop_index(
        "ix_investment_profiles_customer_id_assessed_on", table_name="investment_profiles"
    )
    op.drop_table("investment_profiles")
