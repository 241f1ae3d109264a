"""The audit trail: hash chain and tamper detection, concurrent writers, the CLI check, the
admin's search and the monthly review of unusual access (tests/security_data.py)."""

import json
import threading

import polars as pl
import pytest
from sqlalchemy import delete, func, select, update

from data_access.audit import monthly_review, search_trail, verify_chain
from data_access.db import unit_of_work
from data_access.models import AuditRecord
from data_access.policy import AccessDenied
from data_access.security import GENESIS_HASH, append_audit, now_seoul
from jobs.__main__ import main as jobs_main
from tests.handmade import ADMIN, EXECUTIVE, KIM, MANAGER_101, TRAINER
from tests.security_data import REVIEW_THRESHOLDS, load_trail

WRITERS = 2
ROWS_PER_WRITER = 25


def append_views(conn, count: int, user_id: int | None = 3) -> list[int]:
    with unit_of_work(conn) as session:
        rows = [
            append_audit(
                session,
                user_id,
                "kim",
                "customer_view",
                target_kind="customer",
                target_id=f"1000000{n:02d}",
            )
            for n in range(count)
        ]
        session.flush()
        return [row.id for row in rows]


def test_an_untouched_chain_verifies_in_any_batch_size(handmade):
    append_views(handmade, 10)
    for batch_rows in (3, 10, 1_000):
        report = verify_chain(handmade, batch_rows=batch_rows)
        assert (report.rows, report.intact, report.first_bad_id) == (10, True, None)
    last = handmade.execute(select(AuditRecord.row_hash).order_by(AuditRecord.id.desc()))
    assert report.head_hash == last.first()[0]


def test_an_empty_trail_is_intact(handmade):
    report = verify_chain(handmade)
    assert (report.rows, report.intact, report.head_hash) == (0, True, GENESIS_HASH)


@pytest.mark.parametrize(
    "change",
    [
        {"detail": '{"note": "nothing happened"}'},
        {"username": "someone-else"},
        {"target_id": "100000099"},
        {"action": "customer_search"},
    ],
    ids=["detail", "who", "target", "action"],
)
def test_editing_one_stored_row_is_named_by_verification(handmade, change):
    ids = append_views(handmade, 6)
    handmade.execute(update(AuditRecord).where(AuditRecord.id == ids[3]).values(**change))
    report = verify_chain(handmade, batch_rows=2)
    assert (report.rows, report.intact, report.first_bad_id, report.problem) == (
        3,
        False,
        ids[3],
        "edited",
    )


def test_rehashing_an_edited_row_still_breaks_the_link_to_the_next(handmade):
    ids = append_views(handmade, 4)
    handmade.execute(update(AuditRecord).where(AuditRecord.id == ids[1]).values(row_hash="f" * 64))
    report = verify_chain(handmade)
    assert (report.first_bad_id, report.problem) == (ids[1], "edited")


def test_deleting_a_row_breaks_the_chain_at_the_next_row(handmade):
    ids = append_views(handmade, 5)
    handmade.execute(delete(AuditRecord).where(AuditRecord.id == ids[2]))
    report = verify_chain(handmade)
    assert (report.rows, report.first_bad_id, report.problem) == (2, ids[3], "broken_link")


@pytest.fixture
def trail_db(databases):
    """A committed database of its own: the writers and the CLI need real commits."""
    return databases.new("audit")


def test_concurrent_writers_never_chain_to_the_same_row(trail_db):
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            with trail_db.connect() as conn:
                start.wait()
                for n in range(ROWS_PER_WRITER):
                    with unit_of_work(conn) as session:
                        append_audit(session, None, f"writer-{number}", "customer_view",
                                     target_kind="customer", target_id=str(n))  # fmt: skip
        except BaseException as exc:  # reported to the test thread below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with trail_db.connect() as conn:
        report = verify_chain(conn)
        distinct_links = conn.execute(select(func.count(func.distinct(AuditRecord.prev_hash))))
        assert distinct_links.scalar_one() == WRITERS * ROWS_PER_WRITER
    assert (report.rows, report.intact) == (WRITERS * ROWS_PER_WRITER, True)


def test_the_command_line_check_passes_then_names_the_tampered_row(trail_db, monkeypatch, capsys):
    monkeypatch.setenv("CRM_DATABASE_URL", trail_db.url.render_as_string(hide_password=False))
    with trail_db.begin() as conn:
        ids = append_views(conn, 5, user_id=None)
    assert jobs_main(["audit-verify", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["rows"], summary["intact"], summary["first_bad_id"]) == (5, True, None)

    with trail_db.begin() as conn:
        conn.execute(update(AuditRecord).where(AuditRecord.id == ids[1]).values(client="elsewhere"))
    assert jobs_main(["audit-verify", "--json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out.strip())["first_bad_id"] == ids[1]
    assert f"error: audit row {ids[1]} was edited" in captured.err
    assert "after 1 intact rows" in captured.err


def test_search_by_user_customer_action_and_time_and_the_search_is_audited(handmade):
    load_trail(handmade)
    by_user = search_trail(handmade, ADMIN, username="park")
    assert by_user.select("action", "target_id").rows() == [
        ("customer_view", "100000002"),
        ("customer_view", "100000001"),
        ("customer_view", "100000001"),
    ]
    by_customer = search_trail(handmade, ADMIN, customer_no="100000003")
    assert sorted(by_customer["username"]) == ["exec", "kim"]
    exports = search_trail(handmade, ADMIN, action="export")
    assert exports.select("username", "detail").rows() == [
        ("manager", '{"reason": "monthly report"}')
    ]
    today = now_seoul().date()
    kims_today = search_trail(handmade, ADMIN, username="kim", since=today, until=today)
    assert kims_today.height == 4  # the view moved to last month is left out
    searches = search_trail(handmade, ADMIN, action="audit_search", username="admin-6")
    assert searches.height == 4  # each search above left a record of itself
    assert json.loads(searches["detail"][-1]) == {"rows": 3, "username": "park"}


@pytest.mark.parametrize("user", [EXECUTIVE, MANAGER_101, KIM, TRAINER])
def test_only_admins_search_or_review_the_trail(handmade, user):
    with pytest.raises(AccessDenied):
        search_trail(handmade, user, username="kim")
    with pytest.raises(AccessDenied):
        monthly_review(handmade, user, now_seoul().date())


def test_monthly_review_lists_many_records_other_branches_and_exports(handmade):
    load_trail(handmade)
    review = monthly_review(handmade, ADMIN, now_seoul().date(), **REVIEW_THRESHOLDS)
    expected = pl.DataFrame(
        [
            (1, "exec", "executive", 3, 3, None, 0, 0, True, False, False),
            (3, "kim", "sales_rep", 3, 3, 1, 1, 0, True, False, False),
            (4, "park", "sales_rep", 3, 2, 3, 0, 0, False, True, False),
            (2, "manager", "branch_manager", 1, 1, 0, 0, 1, False, False, True),
        ],
        schema={
            "user_id": pl.Int64,
            "username": pl.String,
            "role": pl.String,
            "views": pl.Int64,
            "customers": pl.Int64,
            "outside_branch": pl.Int64,
            "searches": pl.Int64,
            "exports": pl.Int64,
            "many_records": pl.Boolean,
            "mostly_other_branches": pl.Boolean,
            "exported": pl.Boolean,
        },
        orient="row",
    )
    assert review.to_dicts() == expected.to_dicts()


def test_a_quiet_month_has_nothing_to_review(handmade):
    load_trail(handmade)
    review = monthly_review(handmade, ADMIN, now_seoul().date().replace(year=2020))
    assert review.is_empty()
