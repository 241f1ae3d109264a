"""Arrow reads of a SQLite file in a child process: `python -m data_access.sqlite_arrow`.

ADBC's SQLite driver carries its own copy of SQLite. Two copies in one process do not see each
other's file locks, and POSIX drops all of a process's locks on a file when either copy closes
it: an ADBC connection closing next to the console's sqlite3 connections can delete the WAL
they are writing to (sqlite.org/howtocorrupt.html, "multiple copies of SQLite"). So the ADBC
copy runs in a process of its own, opens the file read-only, and hands the results back as
Arrow IPC files. db.read_arrow_frames is the only caller; it keeps this module's imports
small (no polars, no SQLAlchemy) so the child starts in a fraction of a second.

Protocol: one JSON object on stdin, {"path", "reads": {name: sql}, "folder", "threads",
"pragmas"}; each result is written to <folder>/<name>.arrow; one JSON line on stdout, {"rows":
{name: n}} or {"error": "..."} (exit status 1).
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote


def read_one(path: str, sql: str, target: Path, pragmas: list[str]) -> int:
    # The driver manager's low-level API: its DB-API layer would import pandas, doubling the
    # child's start-up time.
    import adbc_driver_manager
    import adbc_driver_sqlite
    import pyarrow
    import pyarrow.ipc

    database = adbc_driver_sqlite.connect(f"file:{quote(path)}?mode=ro")
    connection = adbc_driver_manager.AdbcConnection(database)
    try:
        for text in [*pragmas, sql]:
            statement = adbc_driver_manager.AdbcStatement(connection)
            try:
                statement.set_sql_query(text)
                stream, _ = statement.execute_query()
                table = pyarrow.RecordBatchReader._import_from_c(stream.address).read_all()
            finally:
                statement.close()
    finally:
        connection.close()
        database.close()
    with (
        pyarrow.OSFile(str(target), "wb") as sink,
        pyarrow.ipc.new_file(sink, table.schema) as writer,
    ):
        writer.write_table(table)
    return table.num_rows


def main() -> int:
    request = json.load(sys.stdin)
    folder = Path(request["folder"])
    try:
        with ThreadPoolExecutor(request.get("threads", 1)) as pool:
            futures = {
                name: pool.submit(
                    read_one, request["path"], sql, folder / f"{name}.arrow", request["pragmas"]
                )
                for name, sql in request["reads"].items()
            }
            rows = {name: future.result() for name, future in futures.items()}
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 1
    print(json.dumps({"rows": rows}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
