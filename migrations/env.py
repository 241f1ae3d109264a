"""Alembic environment: the database is CRM_DATABASE_URL, or a connection handed in by code."""

from alembic import context
from sqlalchemy import Connection

from data_access.core.db import (
    make_engine,
)
from data_access.core.models import (
    Base,
)

# APScheduler's job store creates and owns this table (jobs/scheduler.py); it is not ours to
# migrate, and autogenerate must not offer to drop it.
FOREIGN_TABLES = frozenset({"scheduler_jobs"})


def include_name(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    return not (type_ == "table" and name in FOREIGN_TABLES)


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


handed_in = context.config.attributes.get("connection")
if handed_in is not None:
    run(handed_in)
else:
    with make_engine().connect() as conn:
        run(conn)
        conn.commit()
