"""The audit trail: hash chain and tamper detection, concurrent writers, the CLI check, the
admin's search and the monthly review of unusual access (tests/security_data.py)."""

import dataclasses
import hashlib
import json
import threading

import polars as pl
import pytest
from sqlalchemy import delete, event, func, insert, select, update

from data_access.admin import users
from data_access.admin.audit import (
    ChainAnchor,
    check_anchors,
    monthly_review,
    search_trail,
    verify_chain,
)
from data_access.agenda import agenda
from data_access.core.db import (
    WRITE_TRANSACTION,
    unit_of_work,
)
from data_access.core.models import (
    AuditRecord,
)
from data_access.core.policy import (
    AccessDenied,
    Action,
)
from data_access.core.security import (
    GENESIS_HASH,
    append_audit,
    now_seoul,
)
from data_access.customers import records as customers
from data_access.exports import exports, grants
from data_access.kpis import kpis
from jobs.__main__ import main as jobs_main
from tests import handmade as handmade_dataset
from tests.handmade import ADMIN, EXECUTIVE, KIM, MANAGER_101, TRAINER, USERS
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


@pytest.mark.parametrize(
    ("stored", "edited"),
    [
        ({"detail": None}, {"detail": "None"}),
        ({"client": ""}, {"client": "None"}),
        ({"target_id": "100|200"}, {"target_kind": "customer|100", "target_id": "200"}),
    ],
    ids=[
        "null-detail-to-text-none",
        "null-client-to-text-none",
        "separator-moved",
    ],
)
def test_an_edit_that_joins_to_the_same_text_is_caught(handmade, stored, edited):
    """Rows were once hashed as their fields joined by "|" after str(): NULL and 'None', or a
    "|" moved from one field to the next, gave the same text, so such an edit passed unseen."""
    fields = {"target_kind": "customer", "target_id": "100000001", "detail": None, "client": ""}
    with unit_of_work(handmade) as session:
        row = append_audit(session, 3, "kim", "customer_view", **(fields | stored))
        session.flush()
        row_id = row.id
    append_views(handmade, 1)
    assert verify_chain(handmade).intact
    handmade.execute(update(AuditRecord).where(AuditRecord.id == row_id).values(**edited))
    report = verify_chain(handmade)
    assert (report.rows, report.first_bad_id, report.problem) == (0, row_id, "edited")


def hash_as_before_0011(row: dict) -> str:
    """How every row was hashed before migration 0011 (hash version 1), written out here."""
    parts = [row["prev_hash"], row["occurred_at"].isoformat()]
    parts += [row[name] for name in ("user_id", "username", "action", "target_kind")]
    parts += [row[name] for name in ("target_id", "detail", "client")]
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()


def rows_written_before_0011(conn, count: int) -> list[int]:
    """Rows as an older console wrote them, chained to the head; 0011 gave them version 1."""
    previous = (
        conn.execute(select(AuditRecord.row_hash).order_by(AuditRecord.id.desc()).limit(1)).scalar()
        or GENESIS_HASH
    )
    ids = []
    for n in range(count):
        row = {
            "occurred_at": now_seoul().replace(microsecond=n),
            "user_id": None,
            "username": "kim",
            "action": "customer_view",
            "target_kind": "customer",
            "target_id": f"2000000{n:02d}",
            "detail": None,
            "client": None,
            "prev_hash": previous,
        }
        row["row_hash"] = previous = hash_as_before_0011(row)
        ids.append(conn.execute(insert(AuditRecord).values(**row)).inserted_primary_key[0])
    return ids


def test_rows_hashed_before_0011_still_verify_and_the_chain_goes_on_from_them(handmade):
    old = rows_written_before_0011(handmade, 3)
    new = append_views(handmade, 3)
    versions = handmade.execute(select(AuditRecord.hash_version).order_by(AuditRecord.id))
    assert versions.scalars().all() == [1, 1, 1, 2, 2, 2]
    report = verify_chain(handmade, batch_rows=2)
    assert (report.rows, report.intact, report.head_id) == (6, True, new[-1])
    # Both kinds of row still give edits away.
    handmade.execute(update(AuditRecord).where(AuditRecord.id == old[1]).values(username="lee"))
    assert (verify_chain(handmade).first_bad_id, verify_chain(handmade).problem) == (
        old[1],
        "edited",
    )


@pytest.mark.parametrize("where", ["head", "middle"])
def test_a_new_row_cannot_be_passed_off_as_hashed_the_old_way(handmade, where):
    """Whoever edits a new row and recomputes its hash the old, ambiguous way (possible for
    the head, which no later row vouches for) is caught: versions never go down the chain."""
    rows_written_before_0011(handmade, 2)
    new = append_views(handmade, 3)
    target = new[-1] if where == "head" else new[1]
    stored = handmade.execute(select(AuditRecord.__table__).where(AuditRecord.id == target))
    row = dict(stored.mappings().one()) | {"detail": "None"}
    handmade.execute(
        update(AuditRecord)
        .where(AuditRecord.id == target)
        .values(detail="None", hash_version=1, row_hash=hash_as_before_0011(row))
    )
    report = verify_chain(handmade)
    assert (report.rows, report.first_bad_id, report.problem) == (
        2 + new.index(target),
        target,
        "edited",
    )


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
    assert jobs_main(["audit-verify", "--json", "--lang", "en"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out.strip())["first_bad_id"] == ids[1]
    assert f"error: Record #{ids[1]} was changed after it was stored" in captured.err
    assert "(1 records before it are intact)" in captured.err


def test_the_anchor_file_catches_the_newest_rows_cut_off(trail_db, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CRM_DATABASE_URL", trail_db.url.render_as_string(hide_password=False))
    anchor_file = tmp_path / "audit-anchors.jsonl"
    with trail_db.begin() as conn:
        ids = append_views(conn, 4, user_id=None)
    assert jobs_main(["audit-verify", "--anchor", str(anchor_file), "--json"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out.strip().splitlines()[-1])
    with trail_db.connect() as conn:
        head_hash = conn.execute(
            select(AuditRecord.row_hash).where(AuditRecord.id == ids[-1])
        ).scalar_one()
    assert (summary["head_id"], summary["head_hash"], summary["anchors_checked"]) == (
        ids[-1],
        head_hash,
        0,
    )
    assert f"head row {ids[-1]} hash {head_hash}" in captured.err
    [anchored] = [json.loads(line) for line in anchor_file.read_text().splitlines()]
    assert (anchored["id"], anchored["row_hash"], anchored["rows"]) == (ids[-1], head_hash, 4)

    with trail_db.begin() as conn:
        append_views(conn, 2, user_id=None)
    assert jobs_main(["audit-verify", "--anchor", str(anchor_file)]) == 0
    assert "all 1 anchored heads still stand" in capsys.readouterr().err
    assert len(anchor_file.read_text().splitlines()) == 2

    # Someone able to delete rows cuts off the newest ones: what is left is an intact chain.
    with trail_db.begin() as conn:
        conn.execute(delete(AuditRecord).where(AuditRecord.id >= ids[-1]))
    assert jobs_main(["audit-verify", "--json"]) == 0
    capsys.readouterr()
    assert jobs_main(["audit-verify", "--anchor", str(anchor_file), "--json", "--lang", "en"]) == 1
    captured = capsys.readouterr()
    summary = json.loads(captured.out.strip())
    assert (summary["intact"], summary["problem"], summary["first_bad_id"]) == (
        False,
        "truncated",
        ids[-1],
    )
    assert f"error: Audit record #{ids[-1]} is gone: the trail was cut short" in captured.err
    assert f"(now 3 records ending at #{ids[2]})" in captured.err
    assert len(anchor_file.read_text().splitlines()) == 2  # a failed check anchors nothing


def test_an_upgraded_trail_verifies_from_the_command_line_with_its_old_anchors(
    trail_db, monkeypatch, capsys, tmp_path
):
    monkeypatch.setenv("CRM_DATABASE_URL", trail_db.url.render_as_string(hide_password=False))
    with trail_db.begin() as conn:
        old = rows_written_before_0011(conn, 3)
        head = conn.execute(select(AuditRecord.row_hash).where(AuditRecord.id == old[-1]))
        anchored = {"id": old[-1], "row_hash": head.scalar_one(), "rows": 3}
    anchor_file = tmp_path / "audit-anchors.jsonl"
    anchor_file.write_text(json.dumps(anchored | {"anchored_at": "2026-12-01T09:00:00"}) + "\n")
    with trail_db.begin() as conn:
        new = append_views(conn, 2, user_id=None)
    assert jobs_main(["audit-verify", "--anchor", str(anchor_file), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["rows"], summary["intact"], summary["head_id"]) == (5, True, new[-1])
    assert len(anchor_file.read_text().splitlines()) == 2


def test_an_anchor_file_that_is_not_one_is_refused(trail_db, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CRM_DATABASE_URL", trail_db.url.render_as_string(hide_password=False))
    anchor_file = tmp_path / "anchors.jsonl"
    anchor_file.write_text('{"id": 1, "row_hash": "ab"}\n')
    assert jobs_main(["audit-verify", "--anchor", str(anchor_file), "--lang", "en"]) == 1
    assert f"error: {anchor_file} line 1 is not an audit anchor" in capsys.readouterr().err


def test_an_anchored_head_holding_another_hash_means_the_trail_was_rewritten(handmade):
    ids = append_views(handmade, 3)
    anchors = [ChainAnchor(ids[1], "e" * 64, 2, "2026-03-10T09:00:00")]
    problem = check_anchors(handmade, anchors)
    assert problem is not None
    assert (problem.anchor.id, problem.problem) == (ids[1], "rewritten")
    report = verify_chain(handmade)
    assert check_anchors(handmade, [ChainAnchor(report.head_id, report.head_hash, 3, "")]) is None


def test_every_record_of_a_signed_in_users_work_says_from_where(handmade):
    """Views, searches, notes, alerts, exports, rule and user-admin changes all carry the
    address the person signed in from, without the caller passing it."""
    at_the_counter = dataclasses.replace(MANAGER_101, client="10.1.2.3")
    at_head_office = dataclasses.replace(ADMIN, client="172.16.0.9")
    before = handmade.execute(select(func.coalesce(func.max(AuditRecord.id), 0))).scalar_one()

    customers.record_customer_view(handmade, at_the_counter, "100000001")
    customers.search_customers(handmade, at_the_counter, "홍길동")
    customers.add_note(handmade, at_the_counter, "100000001", channel="visit",
                       outcome="interested", text="채권형 문의")  # fmt: skip
    customers.raise_alert(handmade, at_the_counter, "100000002", kind="identity_check",
                          severity="warning", text="신분증 재확인 필요")  # fmt: skip
    grants.grant(handmade, at_head_office, "manager", Action.EXPORT, reason="지점 보고")
    listing = pl.DataFrame({"customer_no": ["100000001"], "phone": ["010-1111-2222"]})
    exports.export_frame(handmade, at_the_counter, listing, name="list", reason="보고", branch_id=1)
    agenda.save_rule(handmade, at_head_office, {
        "kind": "maturity", "name_ko": "만기 임박", "name_en": "Maturity soon",
        "priority": 1, "tiers": ["vip"], "params": {"within_days": 7},
    })  # fmt: skip
    kpis.save_target(handmade, at_head_office, "aum_krw", 30_000_000)
    users.set_active(handmade, at_head_office, USERS["park"], False)

    written = handmade.execute(
        select(AuditRecord.username, AuditRecord.action, AuditRecord.client)
        .where(AuditRecord.id > before)
        .order_by(AuditRecord.id)
    ).all()
    where = {MANAGER_101.username: "10.1.2.3", ADMIN.username: "172.16.0.9"}
    assert [(row.action, row.client) for row in written] == [
        (row.action, where[row.username]) for row in written
    ]
    assert {row.action for row in written} >= {
        "customer_view", "customer_search", "note_add", "alert_raise", "grant_given",
        "export", "agenda_rule_create", "kpi_target_save", "user_disabled",
    }  # fmt: skip


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


def test_the_search_reads_outside_the_write_transaction_and_audits_itself_inside(databases):
    """A long scan of the trail must not hold SQLite's single write lock, which every audited
    action needs to append its row: only the search's own audit record is written in it."""
    engine = databases.new("audit_search")
    with engine.begin() as conn:
        handmade_dataset.load(conn)
        load_trail(conn)
    statements: list[tuple[str, bool, bool]] = []

    def remember(conn, _cursor, statement, _parameters, _context, _many):
        writing = conn.get_execution_options().get(WRITE_TRANSACTION, False)
        by_username = "audit_log.username =" in statement
        statements.append((statement.lstrip().split()[0].upper(), by_username, writing))

    with engine.connect() as conn:
        event.listen(conn, "before_cursor_execute", remember)
        found = search_trail(conn, ADMIN, username="park")
        event.remove(conn, "before_cursor_execute", remember)
        recorded = conn.scalar(select(func.count()).where(AuditRecord.action == "audit_search"))
    assert found.height == 3
    searches = [writing for verb, by_username, writing in statements if by_username]
    writes = [writing for verb, _, writing in statements if verb == "INSERT"]
    assert searches == [False], "the search read in the write transaction"
    assert writes == [True]
    assert recorded == 2  # the hand-made trail's own audit search, and this one, committed


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
