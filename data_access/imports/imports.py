"""Bulk import of a firm's own data from CSV, Parquet or Excel files, upserted by natural key.

One declared spec per kind (`KINDS`) drives what a person sees about a file: the checks and the
template to fill in; each column's meaning and allowed values come from the data dictionary
(data_access.dictionary), so the two cannot disagree, and a column the console parses by a rule
(a customer number, a phone) is checked by that same rule. A file is read as text and nothing in
it is ever evaluated (a cell "=SUM(A1)" is stored as those characters; an Excel formula is read as
the result Excel stored, and refused when none was calculated). No file can exhaust memory: a
Parquet footer and an Excel sheet are measured before they are read, and the sheet is read in a
child process (data_access.workbooks). Polars checks the rows column by column, their references
are resolved against the database, and the file loads in one transaction through a
staging table: new keys are inserted, existing keys updated where a value differs, so a second
import of the same file changes nothing. Rows with errors stop the whole file unless the admin
asks for the good rows only.
"""

from __future__ import annotations

import codecs
import datetime as dt
import enum
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Index,
    MetaData,
    Table,
    and_,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from data_access import segments
from data_access.admin import (
    Meaning,
    column_meaning,
)
from data_access.core.business_days import (
    business_today,
)
from data_access.core.change_marks import mark_changed
from data_access.core.db import (
    NUL_STAND_IN,
    Read,
    bulk_insert,
    checks_built_after_load,
    gather_statistics,
    read_arrow_frames,
    read_frame,
    unit_of_work,
)
from data_access.core.errors import (
    Refused,
)
from data_access.core.models import (
    Account,
    Branch,
    Consultation,
    Customer,
    DoNotCallNumber,
    Employee,
    ImportRun,
    LifeEvent,
    Product,
    Transaction,
)
from data_access.core.policy import (
    Action,
    require,
)
from data_access.core.security import (
    SignedInUser,
    audit_as,
    now_seoul,
)
from data_access.customers import (
    CUSTOMER_NO,
    PHONE_NUMBER,
)
from data_access.exports import (
    neutralise_formulas,
)
from data_access.imports import workbooks

MAX_IMPORT_BYTES = int(os.environ.get("CRM_IMPORT_MAX_MB", "1024")) * 2**20
# Rows x columns a file may hold: the full-scale book's largest files (5 million accounts x 9,
# 2.6 million customers x 18) twice over. A Parquet file declares it in its footer and an Excel
# sheet in where its cells are, so an absurd one is refused before anything is allocated.
MAX_IMPORT_CELLS = int(os.environ.get("CRM_IMPORT_MAX_CELLS", "100000000"))
# What a compressed file (Parquet data, an Excel zip) may unpack to, per byte a CSV may have:
# the same rows as a sheet's XML take about three times their CSV.
UNPACKED_PER_FILE_BYTE = 4
# The Excel reader's own budget, on top of what its process starts with (data_access.workbooks):
# a full 1,048,576-row sheet of 28 columns takes about 3 GB.
EXCEL_MEMORY_BYTES = int(os.environ.get("CRM_IMPORT_EXCEL_MEMORY_MB", "4096")) * 2**20
EXCEL_TIMEOUT_S = 600
MAX_FILE_COLUMNS = 1_000  # each becomes an option of every column-matching box on the page
COLUMN_NAME_MAX_CHARS = 200
SHOWN_CHARS = 100  # of a file's value in a refusal or a row error, ellipsis included
# Characters a person cannot see or that reorder what they see: C0 and C1 controls, DEL and the
# bidirectional embeddings, overrides and isolates. The same text is a Python and a polars
# (Rust) regex. Long texts (notes) keep their tabs and line breaks.
CONTROL_CHARACTERS = r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
MULTILINE_CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
MAX_AGE_YEARS = 120  # a birth date further back is a typing error, not the firm's oldest client
STAGING_CHUNK_ROWS = 50_000  # Python tuples on SQLite's path: keep each batch small
READ_CHUNK_BYTES = 8 * 2**20
FIRST_DATA_LINE = 2  # line 1 is the header
# A run either wrote its rows (perhaps the good ones only) or was refused and wrote nothing.
LOADED = "loaded"
REFUSED = "refused"

Progress = Callable[[str, float], None]


class ColumnType(enum.StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    KRW = "krw"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"


_UNDESCRIBED = Meaning("")  # until the kind fills in the dictionary's meaning


@dataclass(frozen=True, slots=True)
class Form:
    """The rule the console reads a column's values by, imported from where the console uses it,
    so that an import never stores what a page would then refuse; `reason` is the row error.
    `dropped` are characters the console removes before matching (a phone number's dashes)."""

    pattern: re.Pattern[str]
    reason: str
    dropped: str = ""

    def matches(self, text: pl.Expr) -> pl.Expr:
        for character in self.dropped:
            text = text.str.replace_all(character, "", literal=True)
        return text.str.contains(f"^(?:{self.pattern.pattern})$")


# customers.customer_360 opens a customer by this rule; its search finds a phone by this one.
CUSTOMER_NUMBER = Form(CUSTOMER_NO, "not_a_customer_number")
PHONE = Form(PHONE_NUMBER, "not_a_phone_number", dropped="-")


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column of an import file: how it is checked, what it means, where it lands.

    `references` names the kind whose key this column holds (a branch code, a customer
    number); the database stores that row's id in `target`. `meaning` (with the allowed
    values) is the data dictionary's, filled in by the kind, and so is `named_by` for a
    reference: the meaning of the key the file names the row by. Dates that record what has
    happened are `past_only` (not after the business date; what is planned, a branch's opening,
    a fund's launch, a hire, may be later); `not_before` names the file column a date cannot
    precede (closed_on, opened_on). `default` is what a blank cell of an optional column
    stands for, also when the file's rows are compared for duplicate keys.
    """

    name: str
    type: ColumnType
    example: str
    required: bool = True
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    references: str | None = None
    target: str | None = None
    form: Form | None = None
    multiline: bool = False
    past_only: bool = False
    not_before: str | None = None
    max_age_years: int | None = None
    default: str | None = None
    meaning: Meaning = _UNDESCRIBED
    named_by: Meaning | None = None

    @property
    def column(self) -> str:
        return self.target or self.name

    @property
    def meaning_keys(self) -> tuple[str, ...]:
        """The catalogue keys whose sentences, joined by " · ", say what the column holds:
        the home branch · branch code."""
        by = () if self.named_by is None else (self.named_by.key,)
        return (self.meaning.key, *by)

    @property
    def allowed(self) -> tuple[str, ...]:
        return self.meaning.allowed


@dataclass(frozen=True, slots=True)
class KindSpec:
    """One kind of import file; `key` (file columns) is the natural key it upserts by.

    Append-only kinds (consultation notes) never change a stored row: a row whose key exists
    with other values is rejected. `dependent_jobs` should re-run after the data changed.
    """

    kind: str
    table: Table
    key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    append_only: bool = False
    dependent_jobs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        described = tuple(
            replace(
                column,
                meaning=column_meaning(self.table.name, column.column),
                named_by=_named_by(column),
            )
            for column in self.columns
        )
        object.__setattr__(self, "columns", described)

    def spec(self, name: str) -> ColumnSpec:
        return next(column for column in self.columns if column.name == name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)


T = ColumnType


def _text(name: str, example: str, length: int, **more: Any) -> ColumnSpec:
    return ColumnSpec(name, T.TEXT, example, max_length=length, **more)


def _customer_number() -> ColumnSpec:
    """A customer, named by the number the console opens customers by."""
    return _text(
        "customer_no",
        "100000001",
        12,
        references="customers",
        target="customer_id",
        form=CUSTOMER_NUMBER,
    )


def _closed_on() -> ColumnSpec:
    """When a customer or an account closed: blank while open, never before it opened nor
    after the business date (a closing not yet happened would already drop it from today)."""
    return ColumnSpec(
        "closed_on", T.DATE, "", required=False, past_only=True, not_before="opened_on"
    )


# The key each reference resolves by (and the id it stores), per kind referred to.
_REFERENCE_KEYS = {
    "branches": (Branch.code, Branch.id),
    "employees": (Employee.employee_no, Employee.id),
    "customers": (Customer.customer_no, Customer.id),
    "products": (Product.code, Product.id),
    "accounts": (Account.account_no, Account.id),
}


def _named_by(column: ColumnSpec) -> Meaning | None:
    """For a reference, the dictionary's meaning of the key the file names the row by (the
    home branch, by its branch code)."""
    if column.references is None:
        return None
    key = _REFERENCE_KEYS[column.references][0]
    return column_meaning(key.class_.__tablename__, key.key)


KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            "branches",
            Branch.__table__,
            key=("code",),
            dependent_jobs=("kpi-snapshot",),
            columns=(
                _text("code", "101", 8),
                _text("name_ko", "강남지점", 60),
                _text("name_en", "Gangnam", 60),
                _text("region", "서울", 20),
                ColumnSpec("opened_on", T.DATE, "1988-05-02"),
                ColumnSpec("is_active", T.BOOLEAN, "true", required=False),
            ),
        ),
        KindSpec(
            "employees",
            Employee.__table__,
            key=("employee_no",),
            dependent_jobs=("agenda", "kpi-snapshot"),
            columns=(
                _text("employee_no", "E00123", 12),
                _text("name", "김영업", 40),
                _text("role", "sales_rep", 20),
                _text(
                    "branch_code",
                    "101",
                    8,
                    required=False,
                    references="branches",
                    target="branch_id",
                ),
                ColumnSpec("hire_date", T.DATE, "2015-03-02"),
                ColumnSpec("is_active", T.BOOLEAN, "true", required=False),
            ),
        ),
        KindSpec(
            "customers",
            Customer.__table__,
            key=("customer_no",),
            dependent_jobs=("customer-features", "agenda", "kpi-snapshot"),
            columns=(
                _text("customer_no", "100000001", 12, form=CUSTOMER_NUMBER),
                _text("name", "홍길동", 40),
                ColumnSpec(
                    "birth_date", T.DATE, "1960-02-29", past_only=True, max_age_years=MAX_AGE_YEARS
                ),
                _text("gender", "M", 1),
                _text("occupation", "자영업", 30),
                _text("region", "서울", 20),
                _text("address", "서울특별시 강남구 테헤란로 1", 120),
                _text("phone", "010-1234-5678", 20, form=PHONE),
                _text("email", "hong@example.com", 80, required=False),
                _text("tier", "general", 10),
                _text("home_branch_code", "101", 8, references="branches", target="home_branch_id"),
                _text(
                    "manager_employee_no",
                    "E00123",
                    12,
                    required=False,
                    references="employees",
                    target="manager_id",
                ),
                ColumnSpec("consent_dm", T.BOOLEAN, "true"),
                ColumnSpec("consent_tm", T.BOOLEAN, "false"),
                ColumnSpec("consent_email", T.BOOLEAN, "false"),
                _text("preferred_channel", "branch", 10),
                # Opened and closed after the business date would be counted in today's
                # customers and KPIs as if they had happened: the file is of the book as it is.
                ColumnSpec(
                    "opened_on", T.DATE, "1998-01-05", past_only=True, not_before="birth_date"
                ),
                _closed_on(),
            ),
        ),
        KindSpec(
            "products",
            Product.__table__,
            key=("code",),
            dependent_jobs=("kpi-snapshot",),
            columns=(
                _text("code", "DF001", 12),
                _text("name", "드림 채권형 1호", 80),
                _text("fund_type", "채권형", 20),
                ColumnSpec("risk_grade", T.INTEGER, "5", minimum=1, maximum=6),
                ColumnSpec("term_months", T.INTEGER, "12", required=False, minimum=1, maximum=600),
                ColumnSpec("launched_on", T.DATE, "1997-07-01"),
            ),
        ),
        KindSpec(
            "accounts",
            Account.__table__,
            key=("account_no",),
            dependent_jobs=("customer-features", "agenda", "kpi-snapshot"),
            columns=(
                _text("account_no", "A10000001", 16),
                _customer_number(),
                _text("product_code", "DF001", 12, references="products", target="product_id"),
                _text("branch_code", "101", 8, references="branches", target="branch_id"),
                ColumnSpec("opened_on", T.DATE, "2025-03-20", past_only=True),
                ColumnSpec(
                    "maturity_date", T.DATE, "2026-03-20", required=False, not_before="opened_on"
                ),
                _closed_on(),
                ColumnSpec("principal_krw", T.KRW, "4800000"),
                ColumnSpec("market_value_krw", T.KRW, "5000000"),
            ),
        ),
        KindSpec(
            "transactions",
            Transaction.__table__,
            key=("transaction_id",),
            dependent_jobs=("customer-features", "agenda", "kpi-snapshot"),
            columns=(
                _text("transaction_id", "T2025032000001", 40, target="external_id"),
                _text("account_no", "A10000001", 16, references="accounts", target="account_id"),
                ColumnSpec("occurred_at", T.DATETIME, "2025-03-20 10:00:00", past_only=True),
                _text("kind", "subscription", 12),
                ColumnSpec("amount_krw", T.KRW, "4000000"),
                _text("channel", "branch", 8),
                _text(
                    "branch_code",
                    "101",
                    8,
                    required=False,
                    references="branches",
                    target="branch_id",
                ),
                _text("performed_by", "owner", 8),
                _text(
                    "employee_no",
                    "E00123",
                    12,
                    required=False,
                    references="employees",
                    target="employee_id",
                ),
            ),
        ),
        KindSpec(
            "consultations",
            Consultation.__table__,
            key=("customer_no", "employee_no", "occurred_at"),
            append_only=True,
            dependent_jobs=("agenda", "kpi-snapshot"),
            columns=(
                _customer_number(),
                _text("employee_no", "E00123", 12, references="employees", target="employee_id"),
                _text("branch_code", "101", 8, references="branches", target="branch_id"),
                _text("channel", "visit", 8),
                ColumnSpec("occurred_at", T.DATETIME, "2026-03-01 10:00:00", past_only=True),
                _text("note", "항상 혼자 방문함. 만기 재투자 문의.", 4000, multiline=True),
                _text("outcome", "follow_up", 20),
                ColumnSpec("is_sensitive", T.BOOLEAN, "false", required=False),
            ),
        ),
        KindSpec(
            "life_events",
            LifeEvent.__table__,
            key=("customer_no", "kind"),
            dependent_jobs=("agenda",),
            columns=(
                _customer_number(),
                _text("kind", "birthday", 24),
                # The day it happened (a birth, a wedding), called on each year after.
                ColumnSpec("event_date", T.DATE, "1960-02-29", past_only=True),
            ),
        ),
        # The finance sector's do-not-call list (두낫콜) as it comes, phone and registration
        # date; in-house opt-outs are the same file with the source in_house.
        KindSpec(
            "do_not_call_numbers",
            DoNotCallNumber.__table__,
            key=("phone", "source"),
            columns=(
                _text("phone", "010-1234-5678", 20, form=PHONE),
                ColumnSpec("registered_on", T.DATE, "2026-03-01", past_only=True),
                _text("source", "", 20, required=False, default="finance_dnc"),
            ),
        ),
    )
}

_TRUE = ("true", "t", "1", "y", "yes")
_FALSE = ("false", "f", "0", "n", "no")
_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d")
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)
_FORMATS = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet"}
_FORMATS |= {".xlsx": "excel", ".xlsm": "excel", ".xls": "excel"}

ERROR_SCHEMA = pl.Schema(
    {"line": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String}
)


class ImportRefused(Refused):
    """A file an import cannot take at all (a firm's data file, or a campaign's outcomes).

    Text values come from the file or the command line, so each is `shown` short: a sentence
    never echoes a whole cell, header or argument.
    """

    def __init__(self, code: str, /, **values: object) -> None:
        short: dict[str, Any] = {
            name: shown(value) if isinstance(value, str) else value
            for name, value in values.items()
        }
        super().__init__(code, problems=(), **short)  # refused whole: no list of findings


def shown(text: str) -> str:
    """`text` fit to show back: invisible characters marked, cut to SHOWN_CHARS with '…'."""
    if len(text) > SHOWN_CHARS:
        text = text[: SHOWN_CHARS - 1] + "…"
    return re.sub(CONTROL_CHARACTERS, NUL_STAND_IN, text)


def _shown(text: pl.Expr) -> pl.Expr:
    """`shown`, for a column of a frame."""
    cut = pl.when(text.str.len_chars() > SHOWN_CHARS)
    short = cut.then(text.str.slice(0, SHOWN_CHARS - 1) + "…").otherwise(text)
    return short.str.replace_all(CONTROL_CHARACTERS, NUL_STAND_IN)


@dataclass(frozen=True, slots=True)
class FileInfo:
    """What the file says about itself before any check: its header, encoding and format."""

    columns: tuple[str, ...]
    encoding: str
    format: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did (or a dry run would do). `errors`: line, column, value, reason code."""

    kind: str
    file_name: str
    sha256: str
    encoding: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    written: bool
    dry_run: bool
    good_rows_only: bool
    seconds: float
    errors: pl.DataFrame = field(repr=False)
    ignored_columns: tuple[str, ...] = ()
    stale_jobs: tuple[str, ...] = ()


def kind_spec(kind: str) -> KindSpec:
    spec = KINDS.get(kind)
    if spec is None:
        raise ImportRefused("import_refused_unknown_kind", kind=kind, known=", ".join(KINDS))
    return spec


# --- Reading a file -------------------------------------------------------------------------


def file_format(file_name: str) -> str:
    found = _FORMATS.get(Path(file_name).suffix.lower())
    if found is None:
        raise ImportRefused("import_refused_unknown_format", name=Path(file_name).name)
    return found


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(READ_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(READ_CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


@contextmanager
def _utf8_csv(path: Path) -> Iterator[tuple[Path, str]]:
    """The CSV as UTF-8, and the encoding it came in.

    Korean firms often save CSV as CP949 (EUC-KR's superset, Excel's default there). A file
    that is not valid UTF-8 is decoded strictly as CP949 into a temporary UTF-8 copy; one that
    is neither is refused rather than read as mojibake.
    """
    if _is_utf8(path):
        yield path, "utf-8"
        return
    decoder = codecs.getincrementaldecoder("cp949")()
    with tempfile.TemporaryDirectory(prefix="dreams-import-") as folder:
        copy = Path(folder) / "utf8.csv"
        try:
            with path.open("rb") as source, copy.open("w", encoding="utf-8") as target:
                while chunk := source.read(READ_CHUNK_BYTES):
                    target.write(decoder.decode(chunk))
                target.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as exc:
            raise ImportRefused("import_refused_unknown_encoding") from exc
        yield copy, "cp949"


@contextmanager
def _opened(
    path: Path, file_name: str, max_bytes: int, max_cells: int
) -> Iterator[tuple[pl.LazyFrame, FileInfo]]:
    """Every cell of the file as text, lazily where the format allows, with what it is.

    Nothing is read that could outgrow memory: a CSV is bounded by its size; a Parquet file by
    what its footer declares; an Excel sheet is read in a process of its own
    (data_access.workbooks), whose crash is a refusal rather than the console's end.
    """
    size = path.stat().st_size
    if size > max_bytes:
        raise ImportRefused(
            "import_refused_too_large", size_mb=size // 2**20, limit_mb=max_bytes // 2**20
        )
    if size == 0:
        raise ImportRefused("import_refused_empty_file")
    kind_of_file = file_format(file_name)
    max_unpacked_bytes = max_bytes * UNPACKED_PER_FILE_BYTE
    if kind_of_file == "csv":
        with _utf8_csv(path) as (utf8, encoding):
            frame = pl.scan_csv(utf8, infer_schema=False)
            yield frame, FileInfo(_header(frame), encoding, kind_of_file, size)
        return
    if kind_of_file == "parquet":
        frame = _parquet(path, max_cells, max_unpacked_bytes)
        yield frame, FileInfo(_header(frame), "binary", kind_of_file, size)
        return
    with tempfile.TemporaryDirectory(prefix="dreams-import-") as folder:
        sheet = Path(folder) / "sheet.arrow"
        try:
            workbooks.write_first_sheet(
                path,
                sheet,
                max_cells=max_cells,
                max_unpacked_bytes=max_unpacked_bytes,
                memory_bytes=EXCEL_MEMORY_BYTES,
                timeout_s=EXCEL_TIMEOUT_S,
            )
        except workbooks.WorkbookRefused as refusal:
            raise ImportRefused(refusal.code, **refusal.values) from refusal
        frame = pl.scan_ipc(sheet)
        yield frame, FileInfo(_header(frame), "binary", kind_of_file, size)


def _parquet(path: Path, max_cells: int, max_unpacked_bytes: int) -> pl.LazyFrame:
    """The Parquet file's columns as text, once its footer shows it fits.

    Run-length and dictionary encoding let a file of a few kilobytes declare a billion rows;
    polars has no reading of row-group sizes, so pyarrow reads the footer. A nested column
    (a struct, a list) would be stored as its printed form, so it is refused by name.
    """
    try:
        footer = pq.read_metadata(path)
        schema = pl.scan_parquet(path).collect_schema()
    except (pa.ArrowException, pl.exceptions.PolarsError, OSError) as exc:
        raise ImportRefused("import_refused_unreadable", reason=_first_line(exc)) from exc
    nested = next((name for name, dtype in schema.items() if dtype.is_nested()), None)
    if nested is not None:
        raise ImportRefused("import_refused_nested_column", column=nested, type=str(schema[nested]))
    if footer.num_rows * footer.num_columns > max_cells:
        raise ImportRefused(
            "import_refused_too_many_cells",
            rows=f"{footer.num_rows:,}",
            columns=f"{footer.num_columns:,}",
            limit=f"{max_cells:,}",
        )
    groups = (footer.row_group(index) for index in range(footer.num_row_groups))
    unpacked = sum(group.total_byte_size for group in groups)
    if unpacked > max_unpacked_bytes:
        raise ImportRefused(
            "import_refused_unpacks_too_large",
            size_mb=f"{unpacked // 2**20:,}",
            limit_mb=f"{max_unpacked_bytes // 2**20:,}",
        )
    return pl.scan_parquet(path).with_columns(pl.all().cast(pl.String))


def _header(frame: pl.LazyFrame) -> tuple[str, ...]:
    """The file's column names; a header too wide to match column by column is refused."""
    try:
        names = tuple(frame.collect_schema().names())
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise ImportRefused("import_refused_unreadable", reason=_first_line(exc)) from exc
    if len(names) > MAX_FILE_COLUMNS:
        raise ImportRefused(
            "import_refused_too_many_columns",
            columns=f"{len(names):,}",
            limit=f"{MAX_FILE_COLUMNS:,}",
        )
    too_long = next((name for name in names if len(name) > COLUMN_NAME_MAX_CHARS), None)
    if too_long is not None:
        raise ImportRefused(
            "import_refused_column_name_too_long", name=too_long, limit=f"{COLUMN_NAME_MAX_CHARS:,}"
        )
    return names


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def inspect_file(
    path: Path,
    file_name: str,
    *,
    max_bytes: int = MAX_IMPORT_BYTES,
    max_cells: int = MAX_IMPORT_CELLS,
) -> FileInfo:
    """The header, encoding and format of a file, for the page's column mapping."""
    with _opened(path, file_name, max_bytes, max_cells) as (_, info):
        return info


def _normalise(name: str) -> str:
    return name.strip().lower()


def resolve_mapping(
    spec: KindSpec, header: tuple[str, ...], mapping: dict[str, str] | None = None
) -> dict[str, str]:
    """File column -> our column: `mapping` first, then same names (case and spaces ignored).

    Refuses a file that lacks a required column, saying which kind it looks like when its
    header fits another kind better.
    """
    ours = {column.name for column in spec.columns}
    mapping = dict(mapping or {})
    unknown = sorted(set(mapping.values()) - ours)
    if unknown:
        raise ImportRefused("import_refused_unknown_target", columns=", ".join(unknown))
    missing_sources = sorted(set(mapping) - set(header))
    if missing_sources:
        raise ImportRefused(
            "import_refused_mapping_source_missing", columns=", ".join(missing_sources)
        )
    chosen: dict[str, str] = {}
    for source in header:
        target = mapping.get(source) or (_normalise(source) if _normalise(source) in ours else None)
        if target is None:
            continue
        if target in chosen.values():
            raise ImportRefused("import_refused_duplicate_target", column=target)
        chosen[source] = target
    missing = [name for name in spec.required if name not in chosen.values()]
    if missing:
        lookalike = _looks_like(header, spec.kind)
        if lookalike is not None:
            raise ImportRefused("import_refused_wrong_kind", kind=spec.kind, looks_like=lookalike)
        raise ImportRefused("import_refused_missing_columns", columns=", ".join(missing))
    return chosen


def _looks_like(header: tuple[str, ...], asked: str) -> str | None:
    names = {_normalise(name) for name in header}
    for kind, spec in KINDS.items():
        if kind != asked and set(spec.required) <= names:
            return kind
    return None


def preview(
    path: Path,
    file_name: str,
    kind: str,
    mapping: dict[str, str] | None = None,
    *,
    rows: int = 5,
    max_bytes: int = MAX_IMPORT_BYTES,
    max_cells: int = MAX_IMPORT_CELLS,
) -> pl.DataFrame:
    """The first rows as they would map to our columns, unchecked, for the page to show."""
    spec = kind_spec(kind)
    with _opened(path, file_name, max_bytes, max_cells) as (frame, info):
        chosen = resolve_mapping(spec, info.columns, mapping)
        shown_columns = (_shown(pl.col(s)).alias(t) for s, t in chosen.items())
        return frame.select(shown_columns).head(rows).collect()


# --- Checking the rows ----------------------------------------------------------------------


def _cleaned(column: str) -> pl.Expr:
    value = pl.col(column).str.strip_chars()
    return pl.when(value == "").then(None).otherwise(value)


def _invisible(spec: ColumnSpec) -> pl.Expr:
    """Whether the column's text holds a character a person could not see or read back."""
    forbidden = MULTILINE_CONTROL_CHARACTERS if spec.multiline else CONTROL_CHARACTERS
    return pl.col(spec.name).str.contains(forbidden)


def _parsed(spec: ColumnSpec) -> pl.Expr:
    """The column's value in its type; null where the text does not parse, holds a control
    character or does not fit the column's form (so it is never looked up as a reference)."""
    text = pl.when(~_invisible(spec)).then(pl.col(spec.name))
    match spec.type:
        case T.TEXT if spec.form is not None:
            return pl.when(spec.form.matches(text)).then(text)
        case T.TEXT:
            return text
        case T.INTEGER:
            return text.str.replace_all(",", "").cast(pl.Int64, strict=False)
        case T.KRW:
            digits = text.str.replace_all(r"[,\s₩원]", "")
            return pl.when(digits.str.contains(r"^-?\d+$")).then(
                digits.cast(pl.Int64, strict=False)
            )
        case T.DATE:
            day = text.str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(\.0+)?$", "$1")
            return pl.coalesce(
                day.str.to_date(fmt, strict=False, exact=True) for fmt in _DATE_FORMATS
            )
        case T.DATETIME:
            return pl.coalesce(
                text.str.to_datetime(fmt, strict=False, exact=True, time_unit="us")
                for fmt in _DATETIME_FORMATS
            )
        case T.BOOLEAN:
            lowered = text.str.to_lowercase()
            return (
                pl.when(lowered.is_in(_TRUE))
                .then(True)
                .when(lowered.is_in(_FALSE))
                .then(False)
                .otherwise(None)
            )
    raise AssertionError(spec.type)


_NOT_PARSED = {
    T.INTEGER: "not_a_whole_number",
    T.KRW: "not_krw",
    T.DATE: "not_a_date",
    T.DATETIME: "not_a_datetime",
    T.BOOLEAN: "not_a_boolean",
}


def _reason(spec: ColumnSpec, as_of: dt.date) -> pl.Expr:
    """The reason code of the column's first problem on a row, or null when it is fine.

    Dates are checked against the business date `as_of`: a date that has happened is not
    after it (a time not after its end), a birth date not more than `max_age_years` before it.
    """
    raw, value = pl.col(spec.name), pl.col(f"{spec.name}__parsed")
    reason = (
        pl.when(raw.is_null() & spec.required)
        .then(pl.lit("required"))
        .when(_invisible(spec))
        .then(pl.lit("control_character"))
    )
    if spec.type is not T.TEXT:
        reason = reason.when(raw.is_not_null() & value.is_null()).then(
            pl.lit(_NOT_PARSED[spec.type])
        )
    if spec.form is not None:
        reason = reason.when(raw.is_not_null() & value.is_null()).then(pl.lit(spec.form.reason))
    if spec.max_length is not None:
        reason = reason.when(raw.str.len_chars() > spec.max_length).then(pl.lit("too_long"))
    if spec.allowed:
        reason = reason.when(raw.is_not_null() & ~raw.is_in(spec.allowed)).then(
            pl.lit("not_allowed")
        )
    if spec.type is T.KRW:
        reason = reason.when(value < 0).then(pl.lit("negative_amount"))
    if spec.minimum is not None:
        reason = reason.when(value < spec.minimum).then(pl.lit("out_of_range"))
    if spec.maximum is not None:
        reason = reason.when(value > spec.maximum).then(pl.lit("out_of_range"))
    if spec.past_only:
        tomorrow = as_of + dt.timedelta(days=1)
        future = tomorrow if spec.type is T.DATE else dt.datetime.combine(tomorrow, dt.time())
        reason = reason.when(value >= future).then(pl.lit("in_the_future"))
    if spec.max_age_years is not None:
        earliest = _years_before(as_of, spec.max_age_years)
        reason = reason.when(value < earliest).then(pl.lit("implausibly_old"))
    if spec.not_before is not None:
        earlier = pl.col(f"{spec.not_before}__parsed")
        reason = reason.when(value < earlier).then(pl.lit(f"before_{spec.not_before}"))
    return reason.otherwise(None)


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _checked(
    spec: KindSpec, raw: pl.DataFrame, as_of: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(line and the parsed `<column>__parsed` columns, errors) for every column and the key.

    The file's text is dropped from the rows returned: at full scale it is the largest thing
    held in memory.
    """
    present = [column for column in spec.columns if column.name in raw.columns]
    frame = raw.with_columns(
        [pl.lit(None, pl.String).alias(c.name) for c in spec.columns if c not in present]
    ).with_columns(_parsed(column).alias(f"{column.name}__parsed") for column in spec.columns)
    errors = [
        frame.select(
            "line",
            pl.lit(column.name).alias("column"),
            pl.col(column.name).alias("value"),
            _reason(column, as_of).alias("reason"),
        ).filter(pl.col("reason").is_not_null())
        for column in spec.columns
    ]
    key = pl.concat_str([_key_part(spec.spec(name)) for name in spec.key], separator=" / ")
    duplicated = frame.select("line", key.alias("value")).filter(pl.col("value").is_duplicated())
    errors.append(
        duplicated.select(
            "line",
            pl.lit(", ".join(spec.key)).alias("column"),
            "value",
            pl.lit("duplicate_key").alias("reason"),
        )
    )
    parsed = frame.select("line", *(f"{column.name}__parsed" for column in spec.columns))
    return parsed, pl.concat(errors).cast(ERROR_SCHEMA)


def _key_part(column: ColumnSpec) -> pl.Expr:
    """A key column's text as the row will be stored: blank as its default, and without the
    characters its form ignores (a phone's dashes), so two spellings of one key collide."""
    text = pl.col(column.name).fill_null(column.default or "")
    for character in column.form.dropped if column.form else "":
        text = text.str.replace_all(character, "", literal=True)
    return text


def _reference_read(kind: str) -> Read:
    key, identity = _REFERENCE_KEYS[kind]
    columns: list[ColumnElement[Any]] = [key.label("key"), identity.label("id")]
    if kind == "accounts":
        columns.append(Account.customer_id.label("customer_id__from_account"))
    return select(*columns), {"key": pl.String, "id": pl.Int64}


def _resolved(
    conn: Connection, spec: KindSpec, frame: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Frame with each reference's id in its target column; errors for keys not found.

    A key not found is reported as `unknown_<kind>`, the kind whose file must be loaded
    first: no kind refers to rows of its own kind, so the rows a file refers to are always
    in the database already, never in the file itself. The key maps come through Arrow, all in
    one go: at full scale the customers' alone is 2.6 million rows.
    """
    references = [column for column in spec.columns if column.references is not None]
    kinds = {column.references for column in references if column.references is not None}
    maps = read_arrow_frames(conn, {kind: _reference_read(kind) for kind in kinds})
    errors = [_no_errors()]
    for column in references:
        assert column.references is not None
        parsed = f"{column.name}__parsed"
        known = maps[column.references].rename({"key": parsed, "id": column.column})
        frame = frame.join(known, on=parsed, how="left", maintain_order="left")
        errors.append(
            frame.filter(pl.col(parsed).is_not_null() & pl.col(column.column).is_null()).select(
                "line",
                pl.lit(column.name).alias("column"),
                pl.col(parsed).alias("value"),
                pl.lit(f"unknown_{column.references}").alias("reason"),
            )
        )
    return frame, pl.concat(errors).cast(ERROR_SCHEMA)


def _no_errors() -> pl.DataFrame:
    return pl.DataFrame(schema=ERROR_SCHEMA)


def _database_rows(spec: KindSpec, frame: pl.DataFrame) -> pl.DataFrame:
    """The checked rows as the table's columns (plus `line`), derived columns filled in."""
    selected = [pl.col("line")]
    for column in spec.columns:
        if column.references is not None:
            selected.append(pl.col(column.column))
        else:
            selected.append(pl.col(f"{column.name}__parsed").alias(column.column))
    if spec.kind == "customers":
        digits = pl.col("phone__parsed").str.replace_all(r"\D", "")
        selected.append(digits.str.slice(-4).alias("phone_last4"))
    if spec.kind == "transactions":
        selected.append(pl.col("customer_id__from_account").alias("customer_id"))
    rows = frame.select(selected).with_columns(
        pl.col(column.column).fill_null(pl.lit(column.default))
        for column in spec.columns
        if column.default is not None
    )
    if spec.kind == "do_not_call_numbers":  # the list keys a number by its digits
        rows = rows.with_columns(pl.col("phone").str.replace_all(r"\D", ""))
    defaults = {"is_active": True, "is_sensitive": False}
    return rows.with_columns(
        pl.col(name).fill_null(value) for name, value in defaults.items() if name in rows.columns
    )


# --- Loading --------------------------------------------------------------------------------


def _staging_table(spec: KindSpec, columns: list[str]) -> Table:
    """A temporary table shaped like the rows to load, gone when the transaction ends."""
    target = spec.table
    return Table(
        f"import_staging_{spec.kind}",
        MetaData(),
        Column("line", BigInteger),
        *(Column(name, target.c[name].type) for name in columns if name != "line"),
        prefixes=["TEMPORARY"],
    )


@dataclass(frozen=True, slots=True)
class _Counts:
    inserted: int
    updated: int
    conflicts: pl.DataFrame


def _upsert(conn: Connection, spec: KindSpec, rows: pl.DataFrame, progress: Progress) -> _Counts:
    """Insert new keys and update changed rows, through a staging table, in one go each.

    The staging table is created and dropped inside the caller's transaction, so a failure
    rolls it back with everything else.
    """
    target = spec.table
    if conn.execute(select(literal(1)).select_from(target).limit(1)).first() is None:
        # A first load into an empty table (a firm's whole book): every row is new, so the
        # rows go straight in through the bulk path, written once instead of twice, and the
        # table's plain indexes (and on PostgreSQL its foreign keys) are built once afterwards
        # instead of row by row. All inside the transaction: a failure leaves the table as it was.
        # (On PostgreSQL the dropped keys lock the tables they refer to until the commit.)
        with checks_built_after_load(conn, [target], on_build=lambda: progress("indexing", 0.9)):
            chunks = rows.drop("line").iter_slices(STAGING_CHUNK_ROWS)
            for done, chunk in enumerate(chunks, start=1):
                bulk_insert(conn, target, chunk)
                progress("inserting", 0.5 + 0.4 * min(done * STAGING_CHUNK_ROWS / rows.height, 1))
        return _Counts(inserted=rows.height, updated=0, conflicts=_no_errors())
    staging = _staging_table(spec, rows.columns)
    staging.create(conn)
    for done, chunk in enumerate(rows.iter_slices(STAGING_CHUNK_ROWS), start=1):
        bulk_insert(conn, staging, chunk)
        progress("staging", 0.5 + 0.3 * min(done * STAGING_CHUNK_ROWS / max(rows.height, 1), 1))
    key_columns = [spec.spec(name).column for name in spec.key]
    Index(f"ix_{staging.name}_key", *(staging.c[c] for c in key_columns)).create(conn)
    same_key = and_(*(target.c[c] == staging.c[c] for c in key_columns))
    values = [c for c in rows.columns if c != "line" and c not in key_columns]
    differs = or_(*(target.c[c].is_distinct_from(staging.c[c]) for c in values))
    conflicts, updated = _no_errors(), 0
    progress("updating", 0.85)
    if spec.append_only:
        changed = read_frame(conn, select(staging.c.line).where(exists().where(same_key, differs)))
        conflicts = changed.select(
            pl.col("line").cast(pl.Int64),
            pl.lit(", ".join(spec.key)).alias("column"),
            pl.lit(None, pl.String).alias("value"),
            pl.lit("append_only").alias("reason"),
        )
    else:
        statement = update(target).where(same_key, differs)
        updated = conn.execute(statement.values({c: staging.c[c] for c in values})).rowcount
    progress("inserting", 0.92)
    columns = [c for c in rows.columns if c != "line"]
    # Counted, not taken from the INSERT's rowcount, which psycopg leaves at -1 here.
    known = select(func.count()).select_from(staging).where(exists().where(same_key))
    inserted = rows.height - conn.execute(known).scalar_one()
    new_rows = select(*(staging.c[c] for c in columns)).where(~exists().where(same_key))
    conn.execute(insert(target).from_select(columns, new_rows))
    staging.drop(conn)
    return _Counts(inserted=inserted, updated=updated, conflicts=conflicts)


class _RollBack(Exception):
    """Leaves a unit of work without committing: a dry run, or rows that conflict."""


def run_import(
    conn: Connection,
    user: SignedInUser,
    kind: str,
    path: Path,
    *,
    file_name: str | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    good_rows_only: bool = False,
    progress: Progress | None = None,
    as_of: dt.date | None = None,
    max_bytes: int = MAX_IMPORT_BYTES,
    max_cells: int = MAX_IMPORT_CELLS,
    client: str = "",
) -> ImportResult:
    """Check `path` as a `kind` file and, unless refused or a dry run, load it.

    Rows with errors stop the load (nothing written) unless `good_rows_only`; either way every
    bad row comes back in `errors`, its value `shown` short. Dates are checked against the
    business date `as_of` (default: today's). A file that cannot be read at all raises
    ImportRefused and leaves the database as it was. Each import that is not a dry run is
    recorded and audited, a loaded one in the transaction that loads it.
    """
    require(user, Action.IMPORT)
    spec = kind_spec(kind)
    report = progress or (lambda _label, _fraction: None)
    file_name = file_name or path.name
    as_of = as_of or business_today()
    started_at, started = now_seoul(), time.perf_counter()
    report("reading", 0.0)
    with _opened(path, file_name, max_bytes, max_cells) as (lazy, info):
        chosen = resolve_mapping(spec, info.columns, mapping)
        try:
            raw = (
                lazy.select(_cleaned(source).alias(target) for source, target in chosen.items())
                .with_row_index("line", offset=FIRST_DATA_LINE)
                .collect()
            )
        except pl.exceptions.PolarsError as exc:
            raise ImportRefused("import_refused_unreadable", reason=_first_line(exc)) from exc
    if raw.is_empty():
        raise ImportRefused("import_refused_empty_file")
    total_rows = raw.height
    report("checking", 0.2)
    frame, errors = _checked(spec, raw.with_columns(pl.col("line").cast(pl.Int64)), as_of)
    del raw  # at full scale every copy of the file's text is hundreds of megabytes
    report("resolving", 0.35)
    frame, missing = _resolved(conn, spec, frame)
    errors = pl.concat([errors, missing])
    if not errors.is_empty():
        frame = frame.filter(~pl.col("line").is_in(errors["line"].implode()))
    rows = _database_rows(spec, frame)
    del frame

    def result(counts: _Counts, written: bool) -> ImportResult:
        all_errors = (
            pl.concat([errors, counts.conflicts])
            .sort("line", "column")
            .with_columns(_shown(pl.col("value")))
        )
        changed = counts.inserted + counts.updated
        return ImportResult(
            kind=spec.kind,
            file_name=shown(file_name),  # as recorded, audited and shown back
            sha256=sha256_of(path),
            encoding=info.encoding,
            rows=total_rows,
            inserted=counts.inserted,
            updated=counts.updated,
            unchanged=rows.height - changed - counts.conflicts.height if written or dry_run else 0,
            rejected=all_errors["line"].n_unique(),
            written=written,
            dry_run=dry_run,
            good_rows_only=good_rows_only,
            seconds=time.perf_counter() - started,
            errors=all_errors,
            ignored_columns=tuple(shown(c) for c in info.columns if c not in chosen),
            stale_jobs=spec.dependent_jobs if written and changed else (),
        )

    counts = _Counts(0, 0, _no_errors())
    if good_rows_only or errors.is_empty() or dry_run:
        try:
            with unit_of_work(conn) as session:
                counts = _upsert(session.connection(), spec, rows, report)
                if dry_run or not (good_rows_only or counts.conflicts.is_empty()):
                    raise _RollBack
                loaded = result(counts, written=True)
                if loaded.inserted or loaded.updated:
                    gather_statistics(session.connection(), [spec.table])
                    mark_changed(session.connection(), spec.table)
                _record(session, user, loaded, info.size_bytes, started_at, client)
                if segments.FEATURES_JOB in loaded.stale_jobs:
                    segments.mark_features_stale(session.connection())
                report("done", 1.0)
                return loaded
        except _RollBack:
            pass
    if dry_run:
        report("done", 1.0)
        return result(counts, written=False)
    refused = result(_Counts(0, 0, counts.conflicts), written=False)
    with unit_of_work(conn) as session:
        _record(session, user, refused, info.size_bytes, started_at, client)
    report("done", 1.0)
    return refused


def _record(
    session: Session,
    user: SignedInUser,
    result: ImportResult,
    size_bytes: int,
    started_at: dt.datetime,
    client: str,
) -> None:
    status = LOADED if result.written else REFUSED
    session.add(
        ImportRun(
            kind=result.kind,
            file_name=result.file_name[:200],
            file_sha256=result.sha256,
            file_bytes=size_bytes,
            status=status,
            good_rows_only=result.good_rows_only,
            rows=result.rows,
            inserted=result.inserted,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=result.rejected,
            started_at=started_at,
            duration_s=round(result.seconds, 3),
            user_id=user.user_id,
            username=user.username,
        )
    )
    audit_as(
        session,
        user,
        f"import_{status}",
        target_kind=result.kind,
        target_id=result.sha256[:40],
        detail={
            "file": result.file_name,
            "rows": result.rows,
            "inserted": result.inserted,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected": result.rejected,
            "good_rows_only": result.good_rows_only,
        },
        client=client,
    )


def import_history(conn: Connection, user: SignedInUser, *, limit: int = 50) -> pl.DataFrame:
    """The latest imports, newest first."""
    require(user, Action.IMPORT)
    stmt = (
        select(
            ImportRun.started_at,
            ImportRun.username,
            ImportRun.kind,
            ImportRun.file_name,
            ImportRun.status,
            ImportRun.rows,
            ImportRun.inserted,
            ImportRun.updated,
            ImportRun.unchanged,
            ImportRun.rejected,
            ImportRun.duration_s,
            ImportRun.file_sha256,
        )
        .order_by(ImportRun.started_at.desc(), ImportRun.id.desc())
        .limit(limit)
    )
    return read_frame(conn, stmt, {"started_at": pl.Datetime("us"), "duration_s": pl.Float64})


# --- Templates, error files and the data dictionary ----------------------------------------


def template_csv(kind: str) -> bytes:
    """A CSV to fill in: our column names and one example row, with a BOM so Excel reads
    the Korean right."""
    spec = kind_spec(kind)
    example = pl.DataFrame(
        {c.name: [c.example] for c in spec.columns},
        schema=dict.fromkeys((c.name for c in spec.columns), pl.String),
    )
    return example.write_csv(include_bom=True).encode()


def errors_csv(errors: pl.DataFrame) -> bytes:
    """The bad rows as a CSV to download; file values that look like formulas are defused."""
    return neutralise_formulas(errors).write_csv(include_bom=True).encode()
