"""One way to reach the database: engine from CRM_DATABASE_URL, bulk load, frame reads.

The embedded default is a SQLite file in WAL mode; PostgreSQL is production. This module is the
only place that knows which one it is talking to (`is_sqlite`), and only for the bulk-load path
and for turning SQLite's text dates back into dates.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine, Table, create_engine, event, func, inspect, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'dreams.db'}"
SQLITE_BUSY_TIMEOUT_MS = 30_000
COPY_CHUNK_ROWS = 200_000


class DatabaseUnavailable(RuntimeError):
    """The configured database cannot be reached; the message says what to check."""


def database_url() -> str:
    return os.environ.get("CRM_DATABASE_URL", DEFAULT_DATABASE_URL)


def make_engine(url: str | None = None) -> Engine:
    """Engine for `url` (default: CRM_DATABASE_URL), with SQLite set up for many readers."""
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, open transactions, so SAVEPOINTs work.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB page cache per connection
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN")


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def check_reachable(engine: Engine) -> None:
    """Raise DatabaseUnavailable with a sentence a person can act on."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        where = engine.url.render_as_string(hide_password=True)
        raise DatabaseUnavailable(
            f"Cannot reach the database at {where}. Check that the server is running and that "
            "CRM_DATABASE_URL is right, then reload."
        ) from exc


@contextmanager
def unit_of_work(conn: Connection) -> Iterator[Session]:
    """A session whose writes commit together or not at all.

    On a connection already inside a transaction (a job's larger unit, or a test's outer
    transaction) it works in a SAVEPOINT and leaves the outer commit to its owner.
    """
    with Session(bind=conn, join_transaction_mode="create_savepoint") as session, session.begin():
        yield session


def table_names(engine: Engine) -> list[str]:
    return inspect(engine).get_table_names()


def database_size_bytes(engine: Engine) -> int:
    with engine.connect() as conn:
        if is_sqlite(conn):
            page_count = conn.execute(text("PRAGMA page_count")).scalar_one()
            page_size = conn.execute(text("PRAGMA page_size")).scalar_one()
            return int(page_count * page_size)
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def read_frame(
    conn: Connection, stmt: Executable, schema: Mapping[str, pl.DataType] | None = None
) -> pl.DataFrame:
    """Run `stmt` and return a polars frame; `schema` fixes the column types on both dialects.

    SQLite hands dates and timestamps back as text, so the declared schema is what makes a
    frame from SQLite equal to one from PostgreSQL.
    """
    result = conn.execute(stmt)
    columns = list(result.keys())
    rows = result.fetchall()
    schema = schema or {}
    frame = pl.DataFrame(
        rows,
        schema=columns,
        orient="row",
        infer_schema_length=None,
        schema_overrides={c: t for c, t in schema.items() if c in columns and not _temporal(t)},
    )
    return frame.with_columns(
        _as_type(frame[c], t) for c, t in schema.items() if c in columns and _temporal(t)
    )


def _temporal(dtype: pl.DataType) -> bool:
    return dtype in (pl.Date, pl.Datetime) or isinstance(dtype, pl.Datetime)


def _as_type(column: pl.Series, dtype: pl.DataType) -> pl.Series:
    if column.dtype == pl.String:
        if dtype == pl.Date:
            return column.str.slice(0, 10).str.to_date("%Y-%m-%d")
        return column.str.to_datetime(time_unit="us")
    return column.cast(dtype)


def bulk_insert(conn: Connection, table: Table, frame: pl.DataFrame) -> int:
    """Append `frame` to `table` through the driver's bulk path, inside the caller's transaction.

    PostgreSQL: COPY FROM STDIN with CSV written by polars. SQLite: one prepared INSERT that
    the sqlite3 module runs over all rows (no ORM objects, no per-row statements). Dates and
    timestamps go to SQLite in SQLAlchemy's own text format, so ORM and frame reads agree.
    Rows carry explicit ids so a loader can reference them before the database sees them.
    """
    if frame.is_empty():
        return 0
    unknown = set(frame.columns) - set(table.columns.keys())
    if unknown:
        raise ValueError(f"{table.name} has no columns {sorted(unknown)}")
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in frame.columns)
    target = conn.dialect.identifier_preparer.format_table(table)
    raw = conn.connection.driver_connection
    if is_sqlite(conn):
        frame = frame.with_columns(
            pl.col(pl.Date).dt.to_string("%Y-%m-%d"),
            pl.col(pl.Datetime).dt.to_string("%Y-%m-%d %H:%M:%S.%6f"),
        )
        placeholders = ", ".join("?" for _ in frame.columns)
        insert_sql = f"INSERT INTO {target} ({names}) VALUES ({placeholders})"  # noqa: S608
        raw.executemany(insert_sql, frame.iter_rows())
        return frame.height
    copy_sql = f"COPY {target} ({names}) FROM STDIN (FORMAT csv, NULL '\\N')"
    with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for chunk in frame.iter_slices(COPY_CHUNK_ROWS):
            copy.write(chunk.write_csv(include_header=False, null_value="\\N").encode())
    if "id" in frame.columns:
        # COPY with explicit ids leaves the id sequence behind; later inserts would collide.
        sequence = func.pg_get_serial_sequence(table.name, "id")
        conn.execute(select(func.setval(sequence, select(func.max(table.c.id)).scalar_subquery())))
    return frame.height
