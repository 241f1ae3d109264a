"""The strong rivals' DuckDB: an in-process database over a Parquet export of the benchmark
database's tables, made once before any timing (the same data our analytical copy holds).

DuckDB reads Parquet without any extension. Its SQLite and PostgreSQL scanners are extensions
fetched from the network, which this project never does: automatic install and load of
extensions are switched off, so a query that would need one fails instead of downloading.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import duckdb
import polars as pl
from sqlalchemy import Engine, Select

from data_access.core.db import (
    read_arrow_frame,
)


def connect() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(":memory:")
    conn.execute("SET autoinstall_known_extensions = false")
    conn.execute("SET autoload_known_extensions = false")
    return conn


def export(
    engine: Engine, reads: dict[str, tuple[Select, dict[str, pl.DataType]]]
) -> duckdb.DuckDBPyConnection:
    """Each read's rows (typed by its schema) written to a Parquet file, then loaded into a
    DuckDB table of the read's name, resident as our copy is; the files are removed when the
    process ends."""
    folder = Path(tempfile.mkdtemp(prefix="dreams-duckdb-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    conn = connect()
    for name, (stmt, schema) in reads.items():
        path = folder / f"{name}.parquet"
        read_arrow_frame(engine, stmt, schema).write_parquet(path)
        # The table names are this module's callers' own constants.
        conn.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet(?)", [str(path)])  # noqa: S608
    return conn
