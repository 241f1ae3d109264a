"""A database that goes away while the console runs, for real: no mock stands in for it.

PostgreSQL: the database stops accepting connections and its open ones are ended, as when a
server is stopped or fails over. SQLite: its file is taken away and a folder put at its path,
so no connection can open it, as when a disk is unmounted (connections already open keep the
old file, so the console's pool is emptied first). Both come back when the block ends.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, make_url, text

from data_access.core.db import (
    make_engine,
)


@contextmanager
def database_lost(url: str, *, pools: tuple[Engine, ...] = ()) -> Iterator[None]:
    """Make the database at `url` unreachable for the block; `pools` are engines of this
    process whose open connections must go too (a server in another process needs none)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with _sqlite_file_gone(Path(parsed.database or "")), _emptied(pools):
            yield
    else:
        with _postgres_refusing(url), _emptied(pools):
            yield


@contextmanager
def _emptied(pools: tuple[Engine, ...]) -> Iterator[None]:
    for engine in pools:
        engine.dispose()
    yield


@contextmanager
def _sqlite_file_gone(path: Path) -> Iterator[None]:
    away = path.with_name(path.name + ".away")
    os.replace(path, away)
    path.mkdir()
    try:
        yield
    finally:
        path.rmdir()
        os.replace(away, path)


@contextmanager
def _postgres_refusing(url: str) -> Iterator[None]:
    name = make_url(url).database
    server = make_engine(
        make_url(url).set(database="postgres").render_as_string(hide_password=False)
    )
    admin = server.execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
        server.dispose()
