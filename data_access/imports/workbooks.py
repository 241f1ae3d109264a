"""The first sheet of an uploaded Excel workbook as text, read where it cannot hurt the console.

The Excel reader (calamine, native code) sizes its grid by the farthest cell holding a value:
one cell written at XFD1048576 makes it ask for 512 GB, and the failed allocation aborts the
whole process, which on the console is the Streamlit server every user is connected to. So a
workbook is read in a child process (this file, run as a script) that

1. checks the zip: what its members declare they unpack to, against a budget;
2. walks the sheet's XML once with a streaming parser, never building the grid, to find the
   area the reader would allocate and the formula cells whose result was never calculated;
3. only then reads the sheet, under an address-space ceiling and a time limit, and writes it to
   an Arrow IPC file for the parent to scan.

A .xls file (one binary stream, not a zip) has nothing to walk: the ceiling alone guards it.
A refusal from steps 1-2 comes back as JSON on stdout; a crash of the reader (the ceiling
reached, a bug in native code) ends the child, not the console, and is refused as such. The
script imports nothing of the console: it runs isolated (`python -I`) with only its arguments.
"""

from __future__ import annotations

import json
import logging
import os
import posixpath
import resource
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO
from xml.parsers import expat

import polars as pl

REFUSED_EXIT = 3  # the child refused the workbook and printed why; any other failure is a crash
STDERR_LOGGED_CHARS = 2_000
UNCALCULATED_CELLS_NAMED = 5

_OFFICE_DOCUMENT = "/officeDocument"
_DIGITS = "0123456789"

log = logging.getLogger(__name__)


class WorkbookRefused(ValueError):
    """A workbook that will not be read: `code` (a catalogue key) and `values`, carried from the
    child process, which imports nothing of the console; data_access.imports passes them on as
    its own refusal."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


def write_first_sheet(
    source: Path,
    target: Path,
    *,
    max_cells: int,
    max_unpacked_bytes: int,
    memory_bytes: int,
    timeout_s: float,
) -> None:
    """Write the first sheet of `source`, every cell as text, to `target` (Arrow IPC).

    Raises WorkbookRefused when the workbook is over a budget, holds uncalculated formulas, is
    not a workbook, or its reader crashed or ran out of `memory_bytes` or `timeout_s`.
    """
    budgets = (max_cells, max_unpacked_bytes, memory_bytes)
    command = [sys.executable, "-I", __file__, str(source), str(target), *map(str, budgets)]
    given_up = WorkbookRefused(
        "import_refused_reader_gave_up",
        memory_mb=f"{memory_bytes // 2**20:,}",
        seconds=f"{timeout_s:,.0f}",
    )
    try:
        finished = subprocess.run(
            command,
            capture_output=True,
            timeout=timeout_s,
            check=False,
            env={**os.environ, "RUST_BACKTRACE": "0"},  # the log gets the reason, not the stack
        )
    except subprocess.TimeoutExpired as exc:
        raise given_up from exc
    if finished.returncode == 0 and target.is_file():
        return
    if finished.returncode == REFUSED_EXIT:
        refusal = json.loads(finished.stdout)
        raise WorkbookRefused(refusal["code"], **refusal["values"])
    stderr = finished.stderr.decode("utf-8", "replace")[-STDERR_LOGGED_CHARS:]
    log.warning("the workbook reader stopped (exit %s): %s", finished.returncode, stderr)
    raise given_up


# --- In the child process ------------------------------------------------------------------


def _main(argv: list[str]) -> int:
    source, target = Path(argv[0]), Path(argv[1])
    max_cells, max_unpacked_bytes, memory_bytes = map(int, argv[2:5])
    # The ceiling counts from what the interpreter and polars already reserved (about 2 GB of
    # address space, mostly untouched), so it limits what reading the workbook adds.
    ceiling = _address_space_in_use() + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    try:
        if zipfile.is_zipfile(source):  # by content: a renamed .xlsx is still walked
            _check_package(source, max_cells, max_unpacked_bytes)
        frame = pl.read_excel(source, engine="calamine", infer_schema_length=0)
    except WorkbookRefused as refusal:
        print(json.dumps({"code": refusal.code, "values": refusal.values}))
        return REFUSED_EXIT
    except MemoryError:
        raise  # the ceiling reached: the parent says the reader gave up
    except Exception as exc:  # whatever the reader raised, the file is not one it can read
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        print(json.dumps({"code": "import_refused_unreadable", "values": {"reason": reason}}))
        return REFUSED_EXIT
    frame.write_ipc(target)
    return 0


def _address_space_in_use() -> int:
    """This process's virtual size in bytes (Linux, where the console runs)."""
    pages = int(Path("/proc/self/statm").read_text().split()[0])
    return pages * resource.getpagesize()


def _check_package(source: Path, max_cells: int, max_unpacked_bytes: int) -> None:
    with zipfile.ZipFile(source) as package:
        unpacked = sum(member.file_size for member in package.infolist())
        if unpacked > max_unpacked_bytes:
            raise WorkbookRefused(
                "import_refused_unpacks_too_large",
                size_mb=f"{unpacked // 2**20:,}",
                limit_mb=f"{max_unpacked_bytes // 2**20:,}",
            )
        workbook = _target(
            package, "_rels/.rels", lambda kind, _id: kind.endswith(_OFFICE_DOCUMENT)
        )
        first_sheet, calculated = _first_sheet(package, workbook)
        folder, name = posixpath.split(workbook)
        sheet = _target(
            package, posixpath.join(folder, "_rels", f"{name}.rels"), lambda _k, i: i == first_sheet
        )
        scan = _SheetScan(formulas_calculated=calculated)
        with package.open(sheet) as stream:
            _parse(stream, scan.start)
    scan.refuse_if_unsafe(max_cells)


def _parse(stream: IO[bytes], start: Callable[[str, dict[str, str]], None]) -> None:
    """Stream XML through `start`, called for each element's start; a document type declaration
    is refused, since OOXML has none and entities are how XML is made to blow up."""
    parser = expat.ParserCreate()

    def no_doctype(*_: object) -> None:
        raise WorkbookRefused("import_refused_workbook_doctype")

    parser.StartDoctypeDeclHandler = no_doctype
    parser.StartElementHandler = start
    parser.ParseFile(stream)


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _attribute(attributes: dict[str, str], local: str) -> str | None:
    return next((value for key, value in attributes.items() if _local(key) == local), None)


def _target(package: zipfile.ZipFile, rels: str, wanted: Callable[[str, str], bool]) -> str:
    """The part a relationships file points at, first one `wanted(type, id)`, as a zip path."""
    found: list[str] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        relationship = (attributes.get("Type", ""), attributes.get("Id", ""))
        if _local(name) == "Relationship" and not found and wanted(*relationship):
            found.append(attributes.get("Target", ""))

    with package.open(rels) as stream:
        _parse(stream, start)
    if not found:
        raise WorkbookRefused("import_refused_workbook_no_sheet")
    target = found[0]
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(posixpath.dirname(rels)), target))


def _first_sheet(package: zipfile.ZipFile, workbook: str) -> tuple[str, bool]:
    """The relationship id of the workbook's first sheet (the one the import reads), and
    whether the stored formula results can be trusted: a writer that did not calculate them
    (xlsxwriter, openpyxl) asks Excel to recalculate everything on opening, and what it stored
    meanwhile is a placeholder (xlsxwriter writes 0)."""
    sheets: list[str] = []
    recalculate = [False]

    def start(name: str, attributes: dict[str, str]) -> None:
        local = _local(name)
        if local == "sheet":
            sheets.append(_attribute(attributes, "id") or "")
        elif local == "calcPr":
            recalculate[0] = attributes.get("fullCalcOnLoad") in ("1", "true")

    with package.open(workbook) as stream:
        _parse(stream, start)
    if not sheets:
        raise WorkbookRefused("import_refused_workbook_no_sheet")
    return sheets[0], not recalculate[0]


_CELL_PARTS = ("c", "v", "is", "f", "row")


class _SheetScan:
    """One pass over a sheet's XML: the area of the cells holding a value (what the reader
    allocates; a cell without a value does not count) and the formula cells without a usable
    result.

    Only element starts are followed, which halves the parser's calls into Python: a cell's
    parts come in a fixed order (formula, value, inline string), so a cell is complete when the
    next element that is not one of its parts starts.
    """

    def __init__(self, *, formulas_calculated: bool) -> None:
        self.formulas_calculated = formulas_calculated
        self.row = self.column = 0
        self.top = self.left = sys.maxsize
        self.bottom = self.right = 0
        self.pending = self.has_value = self.has_formula = False
        self.uncalculated: list[str] = []
        self.uncalculated_count = 0
        self.parts: dict[str, str] = {}  # element name as written -> its part, "" for others
        self.columns: dict[str, int] = {}  # column letters -> column number

    def start(self, name: str, attributes: dict[str, str]) -> None:
        part = self.parts.get(name)
        if part is None:
            local = _local(name)
            part = self.parts[name] = local if local in _CELL_PARTS else ""
        if part == "v" or part == "is":
            self.has_value = True
            return
        if part == "f":
            self.has_formula = True
            return
        if self.pending:
            self.finish_cell()
        if part == "c":
            reference = attributes.get("r")
            if reference:
                letters = reference.rstrip(_DIGITS)
                self.column = self.columns.get(letters) or self._column_number(letters)
                self.row = int(reference[len(letters) :])
            else:  # a cell without a reference is the next one along
                self.column += 1
            self.pending, self.has_value, self.has_formula = True, False, False
        elif part == "row":
            reference = attributes.get("r")
            self.row = int(reference) if reference else self.row + 1
            self.column = 0

    def finish_cell(self) -> None:
        self.pending = False
        if self.has_value:
            row, column = self.row, self.column
            if row < self.top:
                self.top = row
            if row > self.bottom:
                self.bottom = row
            if column < self.left:
                self.left = column
            if column > self.right:
                self.right = column
        if self.has_formula and not (self.has_value and self.formulas_calculated):
            self.uncalculated_count += 1
            if len(self.uncalculated) < UNCALCULATED_CELLS_NAMED:
                self.uncalculated.append(_cell_name(self.row, self.column))

    def _column_number(self, letters: str) -> int:
        if not (letters.isascii() and letters.isalpha()):
            raise ValueError("a cell reference is not a column and a row")
        number = 0
        for letter in letters.upper():
            number = number * 26 + ord(letter) - ord("A") + 1
        self.columns[letters] = number
        return number

    def refuse_if_unsafe(self, max_cells: int) -> None:
        if self.pending:
            self.finish_cell()
        if self.bottom:
            rows, columns = self.bottom - self.top + 1, self.right - self.left + 1
            if rows * columns > max_cells:
                raise WorkbookRefused(
                    "import_refused_sheet_too_large",
                    rows=f"{rows:,}",
                    columns=f"{columns:,}",
                    limit=f"{max_cells:,}",
                )
        if self.uncalculated_count:
            more = self.uncalculated_count - len(self.uncalculated)
            cells = ", ".join(self.uncalculated) + (f" (+{more:,})" if more else "")
            raise WorkbookRefused(
                "import_refused_uncalculated_formulas", count=self.uncalculated_count, cells=cells
            )


def _cell_name(row: int, column: int) -> str:
    """B2 for row 2, column 2: named from the numbers, never echoing the file's own text."""
    letters = ""
    while column > 0:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return f"{letters}{row}"


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
