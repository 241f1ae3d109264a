"""The database layer behaves the same on SQLite and PostgreSQL."""

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from data_access.core.db import (
    bulk_insert,
    bulk_load_transaction,
    counting_bytes_read,
    database_size_bytes,
    read_frame,
    unit_of_work,
)
from data_access.core.models import (
    Branch,
    Employee,
    JobRun,
    Setting,
)

BRANCH_SCHEMA = {"opened_on": pl.Date, "is_active": pl.Boolean}


BRANCHES = pl.DataFrame(
    {
        "id": [1, 2],
        "code": ["101", "102"],
        "name_ko": ["강남지점", ""],
        "name_en": ["Gangnam", "Haeundae"],
        "region": ["서울", "부산"],
        "opened_on": [dt.date(1992, 2, 29), dt.date(1999, 12, 31)],
        "is_active": [True, False],
    }
)


def test_bulk_insert_round_trips_dates_booleans_and_korean_text(conn):
    assert bulk_insert(conn, Branch.__table__, BRANCHES) == 2
    got = read_frame(conn, select(Branch.__table__).order_by(Branch.id), BRANCH_SCHEMA)
    assert_frame_equal(got, BRANCHES)


def test_bulk_insert_keeps_timestamps_readable_by_the_orm(conn):
    started = dt.datetime(2026, 3, 1, 6, 0, 0, 125000)
    runs = pl.DataFrame(
        {
            "id": [7],
            "job": ["agenda"],
            "business_date": [dt.date(2026, 3, 2)],
            "status": ["done"],
            "started_at": [started],
        }
    )
    bulk_insert(conn, JobRun.__table__, runs)
    with unit_of_work(conn) as session:
        run = session.get(JobRun, 7)
        assert run.started_at == started
        assert run.business_date == dt.date(2026, 3, 2)
        # Ids given by a bulk load must not collide with the next ORM insert.
        later = JobRun(
            job="agenda", business_date=dt.date(2026, 3, 3), status="done", started_at=started
        )
        session.add(later)
        session.flush()
        assert later.id == 8


def employees_of_branches(*branch_ids: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": range(1, len(branch_ids) + 1),
            "employee_no": [f"E{n:05d}" for n in range(1, len(branch_ids) + 1)],
            "name": ["김민수"] * len(branch_ids),
            "role": ["sales_rep"] * len(branch_ids),
            "branch_id": branch_ids,
            "hire_date": [dt.date(2020, 3, 2)] * len(branch_ids),
            "is_active": [True] * len(branch_ids),
        }
    )


def test_a_bulk_load_with_a_broken_reference_is_refused_whole(engine):
    with engine.connect() as conn:
        with pytest.raises(IntegrityError), bulk_load_transaction(conn):
            bulk_insert(conn, Branch.__table__, BRANCHES)
            bulk_insert(conn, Employee.__table__, employees_of_branches(1, 7))
        assert conn.scalar(select(func.count()).select_from(Branch)) == 0
        conn.rollback()
        # The connection checks every row again once the load is over.
        with pytest.raises(IntegrityError), conn.begin():
            bulk_insert(conn, Employee.__table__, employees_of_branches(5))
        with bulk_load_transaction(conn):
            bulk_insert(conn, Branch.__table__, BRANCHES)
            bulk_insert(conn, Employee.__table__, employees_of_branches(1, 2))
        try:
            assert conn.scalar(select(func.count()).select_from(Employee)) == 2
        finally:
            conn.execute(Employee.__table__.delete())
            conn.execute(Branch.__table__.delete())
            conn.commit()


def test_bulk_insert_refuses_unknown_columns(conn):
    with pytest.raises(ValueError, match="no_such_column"):
        bulk_insert(conn, Setting.__table__, pl.DataFrame({"key": ["a"], "no_such_column": [1]}))


def test_unit_of_work_rolls_back_everything_on_error(conn):
    try:
        with unit_of_work(conn) as session:
            session.add(Setting(key="half", value="written"))
            session.flush()
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert conn.execute(select(func.count()).select_from(Setting)).scalar_one() == 0


def test_database_size_is_reported(engine):
    assert database_size_bytes(engine) > 0


def test_frames_read_are_counted_only_while_a_benchmark_counts(handmade):
    """The benchmark bounds a task by the bytes of the frames it reads; reads outside count
    nowhere, and nested reads add up."""
    query = select(Branch.__table__).order_by(Branch.id)
    outside = read_frame(handmade, query, BRANCH_SCHEMA)
    with counting_bytes_read() as total:
        first = read_frame(handmade, query, BRANCH_SCHEMA)
        assert total[0] == first.estimated_size() > 0
        codes = read_frame(handmade, select(Branch.code))
        assert total[0] == first.estimated_size() + codes.estimated_size()
    assert_frame_equal(first, outside)
    read_frame(handmade, query, BRANCH_SCHEMA)
    assert total[0] == first.estimated_size() + codes.estimated_size()
