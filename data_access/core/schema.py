"""Bring a database to the newest schema; the console and the CLI both start here."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, select

from data_access.core.db import (
    PROJECT_ROOT,
)
from data_access.core.models import (
    Customer,
)


def alembic_config() -> Config:
    return Config(str(PROJECT_ROOT / "alembic.ini"))


def migrate(engine: Engine) -> str:
    """Upgrade to the newest revision in one transaction; returns that revision."""
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return ScriptDirectory.from_config(config).get_current_head() or ""


def is_current(engine: Engine) -> bool:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head


def holds_customers(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Customer)).scalar_one() > 0
