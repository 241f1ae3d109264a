"""One way to reach the database: engine from CRM_DATABASE_URL, bulk load, frame reads.

The embedded default is a SQLite file in WAL mode; PostgreSQL is production. This module is the
only place that knows which one it is talking to (`is_sqlite`): for the bulk-load path, for
Arrow reads through ADBC, for job locks, and for turning SQLite's text dates back into dates.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
from sqlalchemy import (
    ColumnElement,
    ColumnExpressionArgument,
    Date,
    Engine,
    Integer,
    Select,
    SQLColumnExpression,
    Table,
    cast,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.schema import AddConstraint, DropConstraint
from sqlalchemy.sql import Executable

from data_access.core.errors import (
    DomainError,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'dreams.db'}"
SQLITE_BUSY_TIMEOUT_MS = 30_000
COPY_CHUNK_ROWS = 200_000


# A frame column's type as polars takes it: a class (pl.Int64) or an instance (pl.Datetime("us")).
PolarsType = pl.DataType | type[pl.DataType]
FrameSchema = Mapping[str, PolarsType]


class DatabaseUnavailable(DomainError):
    """The configured database cannot be reached; pages stop on it, the command line tells
    where it looked."""


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
    else:
        if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    event.listen(engine, "before_cursor_execute", _without_nul, retval=True)
    return engine


NUL = "\x00"
NUL_STAND_IN = "\ufffd"


def _without_nul(
    _conn: Connection,
    _cursor: Any,
    statement: str,
    parameters: Any,
    _context: Any,
    executemany: bool,
) -> tuple[str, Any]:
    """A NUL character typed or pasted into any field becomes U+FFFD, on both databases.

    PostgreSQL refuses text holding NUL outright (an error instead of "not found" or a saved
    note) and SQLite would store it; nothing stored holds one, so a look-up now finds nothing
    and a write keeps a visible mark. Bulk loads (executemany) are checked by their importers.
    """
    if executemany or not parameters:
        return statement, parameters
    if isinstance(parameters, dict):
        if any(isinstance(value, str) and NUL in value for value in parameters.values()):
            parameters = {key: _stand_in(value) for key, value in parameters.items()}
    elif any(isinstance(value, str) and NUL in value for value in parameters):
        parameters = type(parameters)(_stand_in(value) for value in parameters)
    return statement, parameters


def _stand_in(value: Any) -> Any:
    return value.replace(NUL, NUL_STAND_IN) if isinstance(value, str) else value


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


WRITE_TRANSACTION = "dreams_write_transaction"


def _sqlite_begin(conn: Connection) -> None:
    # A unit of work takes SQLite's write lock up front: a deferred transaction that reads and
    # then writes fails ("database is locked") when another writer committed in between.
    immediate = conn.get_execution_options().get(WRITE_TRANSACTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def sqlite_driver(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under `conn`, for statements SQLAlchemy must not wrap in a
    transaction of its own (PRAGMAs that only take effect between transactions)."""
    driver = conn.connection.driver_connection
    if not isinstance(driver, sqlite3.Connection):
        raise TypeError(f"not a SQLite connection: {conn.engine.url.get_backend_name()}")
    return driver


def check_reachable(engine: Engine) -> None:
    """Raise DatabaseUnavailable with a sentence a person can act on."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        where = engine.url.render_as_string(hide_password=True)
        raise DatabaseUnavailable("database_unreachable", where=where) from exc


@contextmanager
def unit_of_work(conn: Connection) -> Iterator[Session]:
    """A session whose writes commit together or not at all.

    On a connection already inside a transaction (a job's larger unit, or a test's outer
    transaction) it works in a SAVEPOINT and leaves the outer commit to its owner. Otherwise it
    opens a write transaction, so two people saving at once queue instead of failing.
    """
    opens_transaction = not conn.in_transaction()
    if opens_transaction:
        conn.execution_options(**{WRITE_TRANSACTION: True})
    try:
        with (
            Session(bind=conn, join_transaction_mode="create_savepoint") as session,
            session.begin(),
        ):
            yield session
    finally:
        if opens_transaction:
            conn.execution_options(**{WRITE_TRANSACTION: False})


@contextmanager
def reads_before_write(conn: Connection) -> Iterator[Connection]:
    """Reads that precede a short write (a search, then its audit record).

    They run in a plain read transaction, ended here, so a slow read never holds SQLite's
    single write lock, which `unit_of_work` takes for its whole span. On a connection already
    inside a transaction (a job's unit, a test's outer transaction) the reads join it.
    """
    opens_transaction = not conn.in_transaction()
    try:
        yield conn
    finally:
        if opens_transaction and conn.in_transaction():
            conn.rollback()  # nothing was written: this only ends the read snapshot


def table_names(engine: Engine) -> list[str]:
    return inspect(engine).get_table_names()


def database_size_bytes(engine: Engine) -> int:
    with engine.connect() as conn:
        if is_sqlite(conn):
            page_count: int = conn.execute(text("PRAGMA page_count")).scalar_one()
            page_size: int = conn.execute(text("PRAGMA page_size")).scalar_one()
            return int(page_count * page_size)
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def settle_after_bulk_load(engine: Engine, tables: Sequence[Table]) -> None:
    """Make a bulk load of `tables` ready for queries: SQLite moves it out of the write-ahead
    log into the database file and empties the log; PostgreSQL gathers the tables' statistics.

    SQLite: a load of millions of rows in one transaction leaves a log as big as the data (16
    GB at full scale); left alone, later commits copy it back piecemeal while the file keeps its
    size on disk. PostgreSQL: a table filled by COPY has no statistics until autovacuum gets to
    it, and until then the planner guesses (seen: the customer 360 page at 4 s instead of
    milliseconds on a freshly generated database).
    """
    with engine.connect() as conn:
        if is_sqlite(conn):
            sqlite_driver(conn).execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        gather_statistics(conn, tables)
        conn.commit()


def gather_statistics(conn: Connection, tables: Sequence[Table]) -> None:
    """PostgreSQL: ANALYZE tables just bulk-loaded, inside the caller's transaction (a sample of
    30,000 rows a table: about a second), since autovacuum may be late or switched off. SQLite's
    planner goes by its indexes alone, as it always has here."""
    if is_sqlite(conn):
        return
    format_table = conn.dialect.identifier_preparer.format_table
    for table in tables:
        conn.execute(text(f"ANALYZE {format_table(table)}"))


# The bytes of the frames read while a benchmark counts (`counting_bytes_read`); None otherwise.
_bytes_read: ContextVar[list[int] | None] = ContextVar("bytes_read", default=None)


@contextmanager
def counting_bytes_read() -> Iterator[list[int]]:
    """Sum the in-memory size of every frame read meanwhile, in the one-item list yielded: the
    volume a task reads, from which the benchmark bounds its time at the memory bandwidth."""
    total = [0]
    token = _bytes_read.set(total)
    try:
        yield total
    finally:
        _bytes_read.reset(token)


def note_read(frame: pl.DataFrame) -> pl.DataFrame:
    """Count `frame` as read, when a benchmark is counting; returns it unchanged."""
    if (total := _bytes_read.get()) is not None:
        total[0] += int(frame.estimated_size())
    return frame


def read_frame(
    conn: Connection, stmt: Executable, schema: FrameSchema | None = None
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
    return note_read(
        frame.with_columns(
            _as_type(frame[c], t) for c, t in schema.items() if c in columns and _temporal(t)
        )
    )


def _temporal(dtype: PolarsType) -> bool:
    return dtype in (pl.Date, pl.Datetime) or isinstance(dtype, pl.Datetime)


def _as_type(column: pl.Series, dtype: PolarsType) -> pl.Series:
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
    driver_error = conn.dialect.loaded_dbapi.Error
    try:
        if is_sqlite(conn):
            _insert_into_sqlite(raw, target, names, frame)
        else:
            _copy_into_postgres(raw, target, names, frame)
    except driver_error as exc:
        # Raised as conn.execute raises it (IntegrityError, OperationalError, ...), so callers
        # catch one family of errors whichever database runs.
        raise DBAPIError.instance(
            f"bulk insert into {target}", None, exc, driver_error, dialect=conn.dialect
        ) from exc
    if "id" in frame.columns and not is_sqlite(conn):
        # COPY with explicit ids leaves the id sequence behind; later inserts would collide.
        sequence = func.pg_get_serial_sequence(table.name, "id")
        conn.execute(select(func.setval(sequence, select(func.max(table.c.id)).scalar_subquery())))
    return frame.height


def _insert_into_sqlite(raw: Any, target: str, names: str, frame: pl.DataFrame) -> None:
    frame = frame.with_columns(
        pl.col(pl.Date).dt.to_string("%Y-%m-%d"),
        pl.col(pl.Datetime).dt.to_string("%Y-%m-%d %H:%M:%S.%6f"),
    )
    placeholders = ", ".join("?" for _ in frame.columns)
    insert_sql = f"INSERT INTO {target} ({names}) VALUES ({placeholders})"  # noqa: S608
    raw.executemany(insert_sql, frame.iter_rows())


def _copy_into_postgres(raw: Any, target: str, names: str, frame: pl.DataFrame) -> None:
    copy_sql = f"COPY {target} ({names}) FROM STDIN (FORMAT csv, NULL '\\N')"
    with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for chunk in frame.iter_slices(COPY_CHUNK_ROWS):
            copy.write(chunk.write_csv(include_header=False, null_value="\\N").encode())


@contextmanager
def bulk_load_transaction(conn: Connection) -> Iterator[None]:
    """The transaction of a bulk load, begun on `conn` outside any other.

    On SQLite the connection skips the foreign-key lookup per row during the load and checks
    every reference once before the commit; a broken one raises IntegrityError and rolls the
    whole load back, as PostgreSQL's validation of its re-added keys does. SQLite switches
    enforcement only between transactions, hence one context for both. Measured on 22 M demo
    rows: 86 s to load with the lookups, 74 s without, and 2.5 s to check.
    """
    if not is_sqlite(conn):
        with conn.begin():
            yield
        return
    # On the driver's connection: SQLAlchemy would open a transaction for the statement.
    sqlite = sqlite_driver(conn)
    sqlite.execute("PRAGMA foreign_keys=OFF")
    try:
        with conn.begin():
            yield
            _check_sqlite_references(conn)
    finally:
        sqlite.execute("PRAGMA foreign_keys=ON")


def _check_sqlite_references(conn: Connection) -> None:
    statement = "PRAGMA foreign_key_check"
    broken = conn.exec_driver_sql(statement).first()
    if broken is not None:
        table, row_id, parent, _ = broken
        problem = f"{table} row {row_id} refers to a {parent} row that does not exist"
        raise IntegrityError(statement, None, sqlite3.IntegrityError(problem))


SQLITE_INDEX_BUILD_CACHE_KIB = -2_000  # negative: KiB, as PRAGMA cache_size takes it


@contextmanager
def checks_built_after_load(
    conn: Connection, tables: Sequence[Table], *, on_build: Callable[[], None] | None = None
) -> Iterator[None]:
    """Drop the tables' plain indexes, and on PostgreSQL their foreign keys, for a bulk load;
    build them once at the end, in the same transaction, so a failure rolls the drop back too.
    `on_build` is called when the build starts (it can take a while).

    Measured: one sorted index build beats updating a B-tree per row (SQLite, 4.7 M usage
    events: 10 s to load and 7 s to index, against 44 s with both indexes live), and
    PostgreSQL's per-row foreign-key triggers made COPY 3x slower than one validation at the end.
    SQLite cannot drop its foreign keys; `bulk_load_transaction` checks them once instead.
    """
    inspector = inspect(conn)
    indexes = []
    for table in tables:
        present = {index["name"] for index in inspector.get_indexes(table.name)}
        indexes += [i for i in table.indexes if not i.unique and i.name in present]
    foreign_keys = (
        [] if is_sqlite(conn) else [fk for table in tables for fk in table.foreign_key_constraints]
    )
    for foreign_key in foreign_keys:
        conn.execute(DropConstraint(foreign_key))
    for index in indexes:
        index.drop(conn)
    yield
    if on_build is not None:
        on_build()
    with _sqlite_index_sorter(conn):
        for index in indexes:
            index.create(conn)
    for foreign_key in foreign_keys:
        conn.execute(AddConstraint(foreign_key))


@contextmanager
def _sqlite_index_sorter(conn: Connection) -> Iterator[None]:
    """SQLite's index sorter sorts runs as big as the page cache before merging them; runs of
    2 MiB stay in the CPU cache, and helper threads sort and merge them on the other cores.
    Measured on 4.7 M usage events: 9 s to index with this module's 128 MiB cache, 7 s with
    2 MiB; on 18.7 M, 21.7 s without helper threads and 17.2 s with them (2 cores)."""
    if not is_sqlite(conn):
        yield
        return
    cache_size: int = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    threads: int = conn.exec_driver_sql("PRAGMA threads").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size={SQLITE_INDEX_BUILD_CACHE_KIB}")
    conn.exec_driver_sql(f"PRAGMA threads={max((os.cpu_count() or 1) - 1, 0)}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(cache_size)}")
        conn.exec_driver_sql(f"PRAGMA threads={int(threads)}")


# ADBC's SQLite connections wait for locks and cache pages like the console's own ones.
ADBC_SQLITE_PRAGMAS = (
    f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
    "PRAGMA cache_size=-131072",
)
ARROW_READ_THREADS = 3


class ArrowReadFailed(RuntimeError):
    """An Arrow read failed; the message carries the database's own reason."""


# A select of any columns; `Select[Any]` would be a select of one column.
AnySelect = Select[*tuple[Any, ...]]
Read = tuple[AnySelect, FrameSchema | None]


def read_arrow_frame(
    conn_or_engine: Connection | Engine,
    stmt: AnySelect,
    schema: FrameSchema | None = None,
) -> pl.DataFrame:
    """Run `stmt` through ADBC and build the frame from Arrow batches, never from Python rows.

    For reads of millions of rows (the agenda build): many times faster and leaner than
    `read_frame`. See `read_arrow_frames`, which runs several such reads at once.
    """
    return read_arrow_frames(conn_or_engine, {"frame": (stmt, schema)})["frame"]


def read_arrow_frames(
    conn_or_engine: Connection | Engine, reads: Mapping[str, Read]
) -> dict[str, pl.DataFrame]:
    """Run each named (statement, schema) through ADBC, several at once; frames by name.

    ADBC opens its own connections, so it sees committed data only: a Connection inside a
    transaction (a unit of work, a test's rolled-back outer transaction) is read row by row
    through `read_frame` instead, which sees that transaction's own writes. Parameters are
    rendered into the SQL as literals by SQLAlchemy's compiler (dates, numbers, enum strings).
    `schema` fixes column types as in `read_frame`, so both dialects give equal frames.

    PostgreSQL: one ADBC connection per read, on threads of this process. SQLite: the reads
    run in a child process (see data_access/sqlite_arrow.py for why) and come back as Arrow
    IPC files.
    """
    engine = conn_or_engine.engine if isinstance(conn_or_engine, Connection) else conn_or_engine
    in_transaction = isinstance(conn_or_engine, Connection) and conn_or_engine.in_transaction()
    if in_transaction or _adbc_uri(engine) is None:
        if isinstance(conn_or_engine, Connection):
            return {
                name: read_frame(conn_or_engine, stmt, schema)
                for name, (stmt, schema) in reads.items()
            }
        with engine.connect() as conn:
            return {name: read_frame(conn, stmt, schema) for name, (stmt, schema) in reads.items()}
    sqls = {
        name: str(stmt.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
        for name, (stmt, _) in reads.items()
    }
    if is_sqlite(engine):
        tables = _sqlite_arrow_reads(engine, sqls)
    else:
        with ThreadPoolExecutor(ARROW_READ_THREADS) as pool:
            futures = {
                name: pool.submit(_postgres_arrow_read, engine, sql) for name, sql in sqls.items()
            }
            tables = {name: future.result() for name, future in futures.items()}
    return {
        name: note_read(_conform(tables[name], schema or {})) for name, (_, schema) in reads.items()
    }


def _postgres_arrow_read(engine: Engine, sql: str) -> pl.DataFrame:
    import adbc_driver_postgresql.dbapi as adbc

    # psycopg's compiler doubles % for its own parameter syntax; ADBC takes the SQL as is.
    sql = sql.replace("%%", "%")
    with adbc.connect(_adbc_uri(engine)) as adbc_conn, adbc_conn.cursor() as cursor:
        cursor.execute(sql)
        table = cursor.fetch_arrow_table()
    # NUMERIC and JSON arrive as Arrow extension types polars cannot cast; their text storage
    # can be, by the caller's schema.
    for index, column in enumerate(table.columns):
        if isinstance(column.type, pa.ExtensionType):
            storage = pa.chunked_array(
                [chunk.storage for chunk in column.chunks], column.type.storage_type
            )
            table = table.set_column(index, table.field(index).name, storage)
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _sqlite_arrow_reads(engine: Engine, sqls: Mapping[str, str]) -> dict[str, pl.DataFrame]:
    with tempfile.TemporaryDirectory(prefix="dreams-arrow-") as folder:
        request = {
            "path": engine.url.database,
            "reads": dict(sqls),
            "folder": folder,
            "threads": ARROW_READ_THREADS,
            "pragmas": list(ADBC_SQLITE_PRAGMAS),
        }
        child = subprocess.run(
            [sys.executable, "-m", "data_access.core.sqlite_arrow"],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            check=False,
        )
        lines = child.stdout.strip().splitlines()
        answer = json.loads(lines[-1]) if lines else {}
        if child.returncode != 0 or "rows" not in answer:
            reason = answer.get("error") or child.stderr.strip().splitlines()[-1:] or "no answer"
            raise ArrowReadFailed(f"Arrow read of {engine.url.database} failed: {reason}")
        # Read into memory, not mapped: the files go with the folder.
        return {name: pl.read_ipc((Path(folder) / f"{name}.arrow").read_bytes()) for name in sqls}


def _adbc_uri(engine: Engine) -> str | None:
    """Where ADBC finds the same database, or None where it cannot (an in-memory SQLite)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        return url.database
    if url.get_backend_name() == "postgresql":
        return url.set(drivername="postgresql").render_as_string(hide_password=False)
    return None


def _conform(frame: pl.DataFrame, schema: FrameSchema) -> pl.DataFrame:
    """Columns to their declared types: SQLite's text dates, 0/1 booleans, all-null columns.

    Integers not declared become Int64 as in `read_frame` (PostgreSQL's INTEGER is 32 bits).
    """
    narrow = [
        name
        for name, dtype in frame.schema.items()
        if dtype.is_integer() and dtype != pl.Int64 and name not in schema
    ]
    frame = frame.with_columns(pl.col(narrow).cast(pl.Int64)) if narrow else frame
    columns = []
    for name, dtype in schema.items():
        if name not in frame.columns:
            continue
        column = frame[name]
        if column.dtype == dtype:
            continue
        if column.null_count() == column.len():
            columns.append(pl.Series(name, [None] * column.len(), dtype=dtype))
        elif _temporal(dtype):
            columns.append(_as_type(column, dtype))
        else:
            columns.append(column.cast(dtype))
    return frame.with_columns(columns) if columns else frame


def month_day(
    conn_or_engine: Connection | Engine, column: ColumnExpressionArgument[Any]
) -> ColumnElement[str]:
    """A date column as 'MM-DD' text, for pushing a yearly-date window down to SQL.

    SQLite keeps dates as 'YYYY-MM-DD' text, so a substring is free where date functions
    would parse every row.
    """
    if is_sqlite(conn_or_engine):
        return func.substr(column, 6, 5)
    return func.to_char(column, "MM-DD")


def day_of(
    conn_or_engine: Connection | Engine, column: ColumnExpressionArgument[Any]
) -> ColumnElement[Any]:
    """The calendar day of a timestamp column (stored as Asia/Seoul wall-clock time).

    SQLite keeps timestamps as text, so the day is its first ten characters: a read of
    millions of rows then carries (and parses) a date instead of a full timestamp.
    """
    if is_sqlite(conn_or_engine):
        return func.substr(column, 1, 10)
    return cast(column, Date)


def days_after(
    conn_or_engine: Connection | Engine, column: SQLColumnExpression[Any], days: int
) -> ColumnElement[Any]:
    """A date column moved by `days` (negative: before), compared like the column itself."""
    if is_sqlite(conn_or_engine):
        return func.date(column, f"{days:+d} days")
    return column + days


def hour_of(
    conn_or_engine: Connection | Engine, column: ColumnExpressionArgument[Any]
) -> ColumnElement[int]:
    """The hour (0-23) of a timestamp column, as a number on both dialects."""
    if is_sqlite(conn_or_engine):
        return cast(func.substr(column, 12, 2), Integer)
    return cast(func.extract("hour", column), Integer)


def hold_job_lock(conn: Connection, name: str) -> None:
    """Serialise writers of job `name` until the caller's transaction ends.

    PostgreSQL: a transaction-level advisory lock (pg_advisory_xact_lock), released by the
    commit or rollback. SQLite: nothing to do, as its single write lock already serialises
    write transactions (the caller writes first, so it waits for that lock rather than
    failing on a stale snapshot).
    """
    if is_sqlite(conn):
        return
    key = zlib.crc32(f"dreams-job:{name}".encode())
    conn.execute(select(func.pg_advisory_xact_lock(key)))
