"""Database fixtures: every data_access test runs on SQLite and, when configured, PostgreSQL.

`CRM_TEST_POSTGRES_URL` names a server to use (any database on it); each test session creates
its own throw-away databases there and drops them afterwards. `.ci/run` sets the variable, so
in CI an unreachable server is a failure, never a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from data_access.core.db import (
    make_engine,
)
from data_access.core.schema import (
    migrate,
)
from tests import handmade as handmade_dataset

POSTGRES_URL = os.environ.get("CRM_TEST_POSTGRES_URL")
DIALECTS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
POSTGRES_CONNECT_TIMEOUT_S = 5
DIALECTS_RUN = pytest.StashKey[set[str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[DIALECTS_RUN] = set()


def pytest_sessionstart(session: pytest.Session) -> None:
    """A configured PostgreSQL that does not answer ends the run as a failure, not a skip."""
    if POSTGRES_URL and (problem := postgres_problem(POSTGRES_URL)):
        pytest.exit(
            f"CRM_TEST_POSTGRES_URL is set but PostgreSQL does not answer: {problem}. "
            "Start the server (pg_ctlcluster 15 main start) or unset CRM_TEST_POSTGRES_URL "
            "to test on SQLite only.",
            returncode=1,
        )


def postgres_problem(url: str) -> str | None:
    """None when `url` accepts a connection, otherwise one line saying what went wrong."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    where = parsed.render_as_string(hide_password=True)
    engine = create_engine(parsed, connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return f"{where}: {reason}"
    finally:
        engine.dispose()
    return None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    ran = terminalreporter.config.stash.get(DIALECTS_RUN, set())
    tested = ", ".join(d for d in ["sqlite", "postgresql"] if d in ran) or "none"
    note = "" if POSTGRES_URL else " (postgresql not configured: CRM_TEST_POSTGRES_URL is unset)"
    terminalreporter.write_line(f"databases tested: {tested}{note}")


class ThrowAwayDatabases:
    """Creates migrated, empty databases of one dialect and removes them when the test or the
    module that made them ends (see `drop_made_after`), or at the end for the session's own."""

    def __init__(self, dialect: str, folder: str) -> None:
        self.dialect = dialect
        self.folder = folder
        self._created: list[tuple[Engine, str, bool]] = []
        self._admin: Engine | None = None
        _FACTORIES.append(self)

    def new(self, label: str, *, for_session: bool = False) -> Engine:
        name = f"dreams_test_{label}_{uuid.uuid4().hex[:8]}"
        if self.dialect == "sqlite":
            engine = make_engine(f"sqlite:///{self.folder}/{name}.db")
        else:
            server = make_url(POSTGRES_URL)
            with self._admin_engine().connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            engine = make_engine(server.set(database=name).render_as_string(hide_password=False))
        migrate(engine)
        self._created.append((engine, name, for_session))
        return engine

    def _admin_engine(self) -> Engine:
        if self._admin is None:
            self._admin = create_engine(
                make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"),
                poolclass=NullPool,
                isolation_level="AUTOCOMMIT",
            )
        return self._admin

    def made(self) -> int:
        return len(self._created)

    def drop_made_after(self, made: int, *, session_ones_too: bool = False) -> None:
        """Drop the databases made after the first `made`: a suite's worth of idle pools (the
        tests' engines and the console's cached ones) would exceed PostgreSQL's 100
        connections, and `WITH (FORCE)` closes them all whoever holds them."""
        kept = self._created[:made]
        for engine, name, for_session in self._created[made:]:
            if for_session and not session_ones_too:
                kept.append((engine, name, for_session))
                continue
            engine.dispose()
            if self.dialect == "postgresql":
                with self._admin_engine().connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(self.folder, f"{name}.db{suffix}").unlink(missing_ok=True)
        self._created = kept

    def drop_all(self) -> None:
        self.drop_made_after(0, session_ones_too=True)


_FACTORIES: list[ThrowAwayDatabases] = []


def _drop_databases_made_inside() -> Iterator[None]:
    made = {id(factory): factory.made() for factory in _FACTORIES}
    yield
    for factory in _FACTORIES:
        factory.drop_made_after(made.get(id(factory), 0))


@pytest.fixture(autouse=True, scope="module")
def _drop_the_modules_databases() -> Iterator[None]:
    yield from _drop_databases_made_inside()


@pytest.fixture(autouse=True)
def _drop_the_tests_databases() -> Iterator[None]:
    yield from _drop_databases_made_inside()


@pytest.fixture(scope="session", params=DIALECTS)
def databases(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[ThrowAwayDatabases]:
    factory = ThrowAwayDatabases(request.param, str(tmp_path_factory.mktemp(request.param)))
    request.config.stash[DIALECTS_RUN].add(request.param)
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def engine(databases: ThrowAwayDatabases) -> Engine:
    """An empty, migrated database shared by the session; tests see it through `conn`."""
    return databases.new("empty", for_session=True)


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back when the block ends."""
    with engine.connect() as connection:
        outer = connection.begin()
        yield connection
        outer.rollback()


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    with rolled_back(engine) as connection:
        yield connection


@pytest.fixture
def handmade(conn: Connection) -> Connection:
    """`conn` holding the hand-counted dataset of tests/handmade.py."""
    handmade_dataset.load(conn)
    return conn


@pytest.fixture(scope="session")
def handmade_url(databases: ThrowAwayDatabases) -> str:
    """A committed database holding the hand-made dataset, for running the console on it."""
    engine = databases.new("handmade", for_session=True)
    with engine.begin() as connection:
        handmade_dataset.load(connection)
    return engine.url.render_as_string(hide_password=False)
