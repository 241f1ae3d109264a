"""retention schedule, legal holds and customers' access requests (issue #22)

`retention_rules` holds one row per kind of record: its table, the date column that starts the
clock, the customer column a legal hold follows, the years it is kept (and the legal floor),
seeded with the firm's defaults; administrators change the years on the audit page.
`legal_holds` keeps a customer's records, or a whole kind, from disposal. `access_requests`
logs customers' requests to see their records, with the deadline they must be answered by.
`retention_settings` holds the numbers an administrator changed (the defaults live in the code).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 06:00:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# kind, table, clock column, customer column (or a column naming a row that names the
# customer), basis, years (also the legal floor), disposable (1) or listed only (0).
# Sales records: 금융소비자보호법 §28 and its decree §26, 10 years; internal-control records:
# 5 years; access records: 개인정보의 안전성 확보조치 기준 §8, 2 years for a system holding
# 50,000 people or more. The audit trail is listed but never disposed of (data_access/retention).
CUSTOMER, CASE = "customer_id", "complaint_id"
DEFAULT_RULES = (
    ("consultations", "consultations", "occurred_at", CUSTOMER, "sales_record", 10, 1),
    ("transactions", "transactions", "occurred_at", CUSTOMER, "sales_record", 10, 1),
    ("closed_accounts", "accounts", "closed_on", CUSTOMER, "sales_record", 10, 1),
    ("campaign_targets", "campaign_targets", "outcome_at", CUSTOMER, "sales_record", 10, 1),
    ("investment_profiles", "investment_profiles", "assessed_on", CUSTOMER, "sales_record", 10, 1),
    ("fund_sales", "fund_sales", "sold_on", CUSTOMER, "sales_record", 10, 1),
    ("happy_calls", "happy_calls", "due_on", CUSTOMER, "sales_record", 10, 1),
    ("access_requests", "access_requests", "received_on", CUSTOMER, "customer_rights", 10, 1),
    ("complaints", "complaints", "closed_on", CUSTOMER, "customer_rights", 10, 1),
    ("complaint_events", "complaint_events", "recorded_at", CASE, "customer_rights", 10, 1),
    ("consent_events", "consent_events", "occurred_at", CUSTOMER, "internal_control", 5, 1),
    ("resolved_alerts", "alerts", "resolved_at", CUSTOMER, "internal_control", 5, 1),
    ("agenda_items", "agenda_items", "business_date", CUSTOMER, "internal_control", 5, 1),
    ("import_runs", "import_runs", "started_at", None, "internal_control", 5, 1),
    ("usage_events", "usage_events", "occurred_at", None, "access_record", 2, 1),
    ("audit_log", "audit_log", "occurred_at", None, "access_record", 2, 0),
)  # fmt: skip


def upgrade() -> None:
    rules = op.create_table(
        "retention_rules",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("clock_column", sa.String(length=40), nullable=False),
        sa.Column("customer_column", sa.String(length=40), nullable=True),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("years", sa.SmallInteger(), nullable=False),
        sa.Column("minimum_years", sa.SmallInteger(), nullable=False),
        sa.Column("disposable", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_retention_rules")),
    )
    seeded_at = dt.datetime(2026, 12, 7)
    op.bulk_insert(
        rules,
        [
            {
                "kind": kind,
                "table_name": table,
                "clock_column": clock,
                "customer_column": customer,
                "basis": basis,
                "years": years,
                "minimum_years": years,
                "disposable": bool(disposable),
                "updated_by": "migration",
                "updated_at": seeded_at,
            }
            for kind, table, clock, customer, basis, years, disposable in DEFAULT_RULES
        ],
    )
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("placed_by", sa.String(length=40), nullable=False),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("lifted_by", sa.String(length=40), nullable=True),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_legal_holds_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    op.create_index(
        op.f("ix_legal_holds_customer_id"), "legal_holds", ["customer_id"], unique=False
    )
    op.create_table(
        "access_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("deadline_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("fulfilled_by", sa.String(length=40), nullable=True),
        sa.Column("fulfilled_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name=op.f("fk_access_requests_branch_id_branches")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_access_requests_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_requests")),
    )
    op.create_index(
        op.f("ix_access_requests_customer_id"), "access_requests", ["customer_id"], unique=False
    )
    op.create_index(
        "ix_access_requests_status_deadline_on",
        "access_requests",
        ["status", "deadline_on"],
        unique=False,
    )
    op.create_table(
        "retention_settings",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("updated_by", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_retention_settings")),
    )


def downgrade() -> None:
    op.drop_table("retention_settings")
    op.drop_index("ix_access_requests_status_deadline_on", table_name="access_requests")
    op.drop_index(op.f("ix_access_requests_customer_id"), table_name="access_requests")
    op.drop_table("access_requests")
    op.drop_index(op.f("ix_legal_holds_customer_id"), table_name="legal_holds")
    op.drop_table("legal_holds")
    op.drop_table("retention_rules")
