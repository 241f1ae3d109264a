"""Change marks: whether a table a process holds in memory changed since it was read.

A writer gives the table a new mark in its own unit of work; a reader compares the stored mark
with the one it read the table under and reads again when they differ. One row per table in
`settings`, so checking costs one primary-key read.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from data_access.core.models import Setting

MARK_PREFIX = "changed:"


def insert_or_update(conn: Connection) -> Any:
    """The dialect's INSERT, which can say what to do when the row is there already."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def mark_changed(conn: Connection, table: Table) -> None:
    """Give `table` a new mark, inside the writer's transaction (so a rolled-back write leaves
    the old mark). A random token, not a count: a table dropped and made again never
    repeats a mark a process still holds."""
    token = uuid.uuid4().hex
    conn.execute(
        insert_or_update(conn)(Setting)
        .values(key=_key(table), value=token)
        .on_conflict_do_update(index_elements=[Setting.key], set_={"value": token})
    )


def change_mark(conn: Connection, table: Table) -> str | None:
    """The table's current mark; None while no writer has marked it."""
    return conn.execute(select(Setting.value).where(Setting.key == _key(table))).scalar()


def _key(table: Table) -> str:
    return f"{MARK_PREFIX}{table.name}"
