"""Files an import must refuse whole, before reading them could exhaust memory or kill the
process: their shapes are built small here (tests/imports_data.py); the database is the
hand-made one, on SQLite and PostgreSQL, and must come out of every refusal unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select

from data_access.core.models import (
    Customer,
    ImportRun,
)
from data_access.imports import imports, workbooks
from tests import handmade
from tests import imports_data as files
from tests.handmade import ADMIN
from ui.messages import translate

ROOT = Path(__file__).resolve().parent.parent


def refusal(path: Path, **limits) -> imports.ImportRefused:
    with pytest.raises(imports.ImportRefused) as refused:
        imports.inspect_file(path, path.name, **limits)
    return refused.value


def test_a_cell_at_the_far_corner_of_the_sheet_is_refused_without_building_the_grid(tmp_path):
    path = files.far_corner_workbook(tmp_path / "customers.xlsx")
    assert path.stat().st_size < 8_000
    refused = refusal(path)
    assert refused.code == "import_refused_sheet_too_large"
    assert refused.values == {"rows": "1,048,576", "columns": "16,384", "limit": "100,000,000"}
    english = translate("import_refused_sheet_too_large", "en", **refused.values)
    assert "1,048,576 rows × 16,384 columns" in english and "Nothing was saved" in english


def test_the_command_line_refuses_the_far_corner_file_in_one_line(databases, tmp_path):
    """Before, the native reader aborted the whole process (exit 134, a Rust backtrace)."""
    engine = databases.new("import_far_corner")
    with engine.begin() as conn:
        handmade.load(conn)
    path = files.far_corner_workbook(tmp_path / "customers.xlsx")
    url = engine.url.render_as_string(hide_password=False)
    finished = subprocess.run(
        [sys.executable, "-m", "jobs", "import", "customers", str(path), "--dry-run"],
        cwd=ROOT,
        env={
            **os.environ,
            "CRM_DATABASE_URL": url,
            "CRM_ANALYTICS_DIR": str(tmp_path),
            "CRM_LANGUAGE": "en",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 1, finished.stderr[-2_000:]
    progress, refusal = finished.stderr.strip().splitlines()
    assert progress.endswith("reading")
    assert refusal.startswith("error: The sheet's data spans 1,048,576 rows × 16,384 columns")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ImportRun)) == 0
        assert conn.scalar(select(func.count()).select_from(Customer)) == 4
    engine.dispose()


def test_a_reader_that_crashes_ends_its_own_process_and_the_file_is_refused(tmp_path):
    """The last guard, for what the sheet walk cannot foresee: without the cell budget the far
    corner reaches the native reader, whose failed allocation aborts only the child process."""
    path = files.far_corner_workbook(tmp_path / "customers.xlsx")
    with pytest.raises(workbooks.WorkbookRefused) as refused:
        workbooks.write_first_sheet(
            path,
            tmp_path / "sheet.arrow",
            max_cells=2**62,
            max_unpacked_bytes=2**30,
            memory_bytes=2**30,
            timeout_s=120,
        )
    assert refused.value.code == "import_refused_reader_gave_up"
    assert refused.value.values == {"memory_mb": "1,024", "seconds": "120"}
    assert not (tmp_path / "sheet.arrow").exists()


def test_formulas_without_a_calculated_result_are_refused_naming_their_cells(tmp_path):
    """xlsxwriter stores 0 as an uncalculated formula's result: the name and the phone of row
    3 would have been imported as '0'."""
    refused = refusal(files.uncalculated_formula_workbook(tmp_path / "customers.xlsx"))
    assert (refused.code, refused.values) == (
        "import_refused_uncalculated_formulas",
        {"count": 2, "cells": "B3, H3"},
    )


def test_formulas_whose_result_was_calculated_are_read_as_their_result(tmp_path):
    """A workbook saved by Excel stores each formula's result and does not ask for a
    recalculation; the import reads the result, as a person sees it."""
    written = files.uncalculated_formula_workbook(tmp_path / "written.xlsx")
    path = tmp_path / "customers.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path, "w") as saved:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/workbook.xml":
                data = data.replace(b' fullCalcOnLoad="1"', b"")
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</f><v>0</v>", b"</f><v>42</v>")
            saved.writestr(member, data)
    preview = imports.preview(path, path.name, "customers")
    assert preview.select("name", "phone").rows() == [("정상고객", "010-0000-0006"), ("42", "42")]


def test_a_workbook_that_unpacks_far_beyond_its_size_is_refused(tmp_path):
    path = files.padded_workbook(tmp_path / "customers.xlsx", padding_bytes=8 * 2**20)
    assert path.stat().st_size < 30_000
    refused = refusal(path, max_bytes=2**20)
    assert (refused.code, refused.values) == (
        "import_refused_unpacks_too_large",
        {"size_mb": "8", "limit_mb": "4"},
    )


def test_a_parquet_column_of_nested_values_is_refused_by_its_name(tmp_path):
    refused = refusal(files.nested_parquet(tmp_path / "branches.parquet"))
    assert refused.code == "import_refused_nested_column"
    assert refused.values["column"] == "name_ko"
    assert refused.values["type"].startswith("Struct")


def test_a_parquet_declaring_more_cells_than_the_budget_is_refused_before_reading(tmp_path):
    path = files.repeated_parquet(tmp_path / "branches.parquet", rows=100_000)
    assert path.stat().st_size < 10_000
    refused = refusal(path, max_cells=400_000)
    assert (refused.code, refused.values) == (
        "import_refused_too_many_cells",
        {"rows": "100,000", "columns": "5", "limit": "400,000"},
    )


def test_a_parquet_whose_data_unpacks_far_beyond_its_size_is_refused(tmp_path):
    path = tmp_path / "branches.parquet"
    pl.DataFrame({"code": ["103"], "name_ko": ["가" * 2**20]}).write_parquet(path)
    assert path.stat().st_size < 20_000
    refused = refusal(path, max_bytes=100_000)
    assert refused.code == "import_refused_unpacks_too_large"


@pytest.mark.parametrize(
    ("header", "code", "values"),
    [
        (",".join(f"c{i}" for i in range(1_001)), "too_many_columns", {"limit": "1,000"}),
        ("code," + "n" * 200_000, "column_name_too_long", {"limit": "200"}),
    ],
    ids=["columns", "long-name"],
)
def test_a_header_too_wide_for_the_column_matching_is_refused(tmp_path, header, code, values):
    path = files.write(tmp_path, "branches.csv", header + "\n" + "x," * header.count(",") + "x\n")
    refused = refusal(path)
    assert refused.code == f"import_refused_{code}"
    assert values.items() <= refused.values.items()
    assert all(len(str(value)) <= imports.SHOWN_CHARS for value in refused.values.values())


@pytest.mark.parametrize(
    "build",
    [
        files.far_corner_workbook,
        files.uncalculated_formula_workbook,
        files.nested_parquet,
    ],
    ids=["far-corner", "uncalculated-formulas", "nested-parquet"],
)
def test_a_refused_file_leaves_the_database_as_it_was(handmade, tmp_path, build):
    name = "branches.parquet" if build is files.nested_parquet else "customers.xlsx"
    path = build(tmp_path / name)
    before = handmade.execute(select(Customer.__table__).order_by(Customer.id)).all()
    with pytest.raises(imports.ImportRefused):
        imports.run_import(handmade, ADMIN, Path(name).stem, path)
    assert handmade.execute(select(Customer.__table__).order_by(Customer.id)).all() == before
    assert handmade.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_every_refusal_reads_in_korean_and_english():
    codes = {
        "sheet_too_large",
        "unpacks_too_large",
        "reader_gave_up",
        "uncalculated_formulas",
        "nested_column",
        "too_many_cells",
        "too_many_columns",
        "column_name_too_long",
    }
    for code in codes:
        key = f"import_refused_{code}"
        korean, english = translate(key, "ko"), translate(key, "en")
        assert "저장된 것은 없습니다" in korean and "Nothing was saved" in english
