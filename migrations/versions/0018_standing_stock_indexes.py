"""covering indexes for the KPI snapshot's standing stock (issue #21)

A day's snapshot grouped every customer and account by opening day, closing day and branch:
SQLite sorted all 2.6 M customers (with their consent flags read from the table) and 5 M
accounts to do it, 14 s and 5 s at full scale. The snapshot now sums the accounts and
customers open since before its grid per branch (and manager) and reads the few opened or
closed lately by day. Partial indexes of the open rows in branch order give the first sums
without a sort and without the table (0.6 s and 0.7 s); partial indexes of the closed rows by
closing day give the lately closed. An index of all rows led by the closing day did the same,
but SQLite then took `closed_on IS NULL` for a selective condition in every other query on
open accounts (the home page's maturing accounts: 0.3 s -> 9.2 s).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCOUNTS = ["branch_id", "opened_on", "market_value_krw"]
CUSTOMERS = [
    "home_branch_id", "manager_id", "opened_on", "tier", "consent_dm", "consent_tm",
    "consent_email",
]  # fmt: skip
OPEN, CLOSED = sa.text("closed_on IS NULL"), sa.text("closed_on IS NOT NULL")


def upgrade() -> None:
    for table, columns in (("accounts", ACCOUNTS), ("customers", CUSTOMERS)):
        op.create_index(
            f"ix_{table}_open", table, columns, sqlite_where=OPEN, postgresql_where=OPEN
        )
        op.create_index(
            f"ix_{table}_closed",
            table,
            ["closed_on", *columns],
            sqlite_where=CLOSED,
            postgresql_where=CLOSED,
        )


def downgrade() -> None:
    for table in ("customers", "accounts"):
        op.drop_index(f"ix_{table}_closed", table_name=table)
        op.drop_index(f"ix_{table}_open", table_name=table)
