"""The do-not-call list (두낫콜) and in-house opt-outs as an import kind, both databases.

Numbers are stored as digits only, so "010-1234-5678" and "01012345678" are one number.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select

from data_access.core.models import (
    DoNotCallNumber,
)
from data_access.core.policy import (
    AccessDenied,
)
from data_access.imports import imports
from tests import imports_data as files
from tests.handmade import ADMIN, KIM


def stored(conn: Connection) -> list[tuple[str, str]]:
    rows = conn.execute(
        select(DoNotCallNumber.phone, DoNotCallNumber.source).order_by(DoNotCallNumber.phone)
    )
    return [tuple(row) for row in rows]


def load(conn: Connection, path: Path, **options) -> imports.ImportResult:
    return imports.run_import(conn, ADMIN, "do_not_call_numbers", path, **options)


def test_numbers_are_stored_as_digits_and_a_second_load_changes_nothing(handmade, tmp_path):
    text = (
        "phone,registered_on,source\n"
        "010-1234-5678,2026-03-01,\n"
        "01098765432,2026-03-02,finance_dnc\n"
        "010-1111-2222,2026-03-03,in_house\n"
    )
    path = files.write(tmp_path, "dnc.csv", text)
    first = load(handmade, path)
    assert (first.inserted, first.rejected) == (3, 0)
    assert stored(handmade) == [
        ("01011112222", "in_house"),
        ("01012345678", "finance_dnc"),  # a blank source is the finance sector's list
        ("01098765432", "finance_dnc"),
    ]
    again = load(handmade, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


def test_malformed_foreign_and_duplicate_numbers_are_row_errors_and_nothing_is_written(
    handmade, tmp_path
):
    text = (
        "phone,registered_on\n"
        "010-1234-5678,2026-03-01\n"  # line 2, the same number as line 5
        "010-12,2026-03-01\n"  # line 3, too short
        "+82-10-1234-5678,2026-03-01\n"  # line 4, a foreign form
        "01012345678,2026-03-02\n"  # line 5
        "010-2222-3333,2026-03-01\n"  # line 6, fine
    )
    result = load(handmade, files.write(tmp_path, "dnc.csv", text))
    assert not result.written
    assert result.errors.select("line", "column", "reason").rows() == [
        (2, "phone, source", "duplicate_key"),
        (3, "phone", "not_a_phone_number"),
        (4, "phone", "not_a_phone_number"),
        (5, "phone, source", "duplicate_key"),
    ]
    assert stored(handmade) == []


def test_a_cp949_file_with_a_korean_header_is_read(handmade, tmp_path):
    text = "전화번호,등록일\n010-2222-3333,2026-03-01\n"
    path = files.write(tmp_path, "dnc.csv", text, encoding="cp949")
    result = load(handmade, path, mapping={"전화번호": "phone", "등록일": "registered_on"})
    assert (result.encoding, result.inserted, result.rejected) == ("cp949", 1, 0)
    assert stored(handmade) == [("01022223333", "finance_dnc")]


def test_an_unknown_source_is_a_row_error(handmade, tmp_path):
    text = "phone,registered_on,source\n010-2222-3333,2026-03-01,friend\n"
    result = load(handmade, files.write(tmp_path, "dnc.csv", text))
    assert result.errors.select("line", "column", "reason").rows() == [(2, "source", "not_allowed")]
    assert handmade.scalar(select(func.count()).select_from(DoNotCallNumber)) == 0


def test_only_who_imports_loads_the_list(handmade, tmp_path):
    path = files.write(tmp_path, "dnc.csv", "phone,registered_on\n010-2222-3333,2026-03-01\n")
    with pytest.raises(AccessDenied):
        imports.run_import(handmade, KIM, "do_not_call_numbers", path)
