"""The retention schedule, legal holds, disposal and customers' access requests, on the hand-made
dataset (tests/handmade.py) with records dated years back added by each test."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from sqlalchemy import Connection, delete, func, insert, select, update

from data_access import admin, exports, retention
from data_access.core.errors import AccessDenied, NotFound, Refused
from data_access.core.models import (
    Account,
    AuditRecord,
    BusinessHoliday,
    Complaint,
    ComplaintEvent,
    Consultation,
    LegalHold,
    Transaction,
    UsageEvent,
)
from data_access.core.policy import Action
from tests.handmade import ADMIN, COMPLIANCE, KIM, MANAGER_101
from ui.messages import translate

TODAY = dt.date(2026, 3, 10)
OLD = dt.datetime(2015, 1, 5, 10, 0)  # more than ten years before TODAY
RECENT = dt.datetime(2020, 1, 6, 10, 0)  # six years before: kept


def _note(conn: Connection, customer_id: int, at: dt.datetime, note: str = "상담") -> int:
    return conn.execute(
        insert(Consultation)
        .values(
            customer_id=customer_id,
            employee_id=3,
            branch_id=1,
            channel="visit",
            occurred_at=at,
            note=note,
            outcome="interested",
            is_sensitive=False,
        )
        .returning(Consultation.id)
    ).scalar_one()


def _notes_of(conn: Connection, customer_id: int) -> int:
    return conn.execute(
        select(func.count()).where(Consultation.customer_id == customer_id)
    ).scalar_one()


def _report_row(conn: Connection, kind: str) -> dict:
    report = retention.disposal_report(conn, ADMIN, TODAY)
    return report.filter(pl.col("kind") == kind).row(0, named=True)


def test_the_schedule_holds_the_defaults(handmade):
    schedule = retention.retention_schedule(handmade, ADMIN)
    years = dict(zip(schedule["kind"], schedule["years"], strict=True))
    assert years["consultations"] == years["transactions"] == years["closed_accounts"] == 10
    assert years["fund_sales"] == years["investment_profiles"] == years["happy_calls"] == 10
    assert years["consent_events"] == years["import_runs"] == years["resolved_alerts"] == 5
    assert years["usage_events"] == years["audit_log"] == 2
    audit_row = schedule.filter(pl.col("kind") == "audit_log").row(0, named=True)
    assert audit_row["disposable"] is False
    assert set(schedule["basis"]) <= set(retention.BASES)
    assert retention.retention_settings(handmade, ADMIN) == {"access_request_business_days": 6.0}


def test_years_cannot_go_below_the_legal_floor_and_changes_are_audited(handmade):
    with pytest.raises(Refused):
        retention.set_retention_years(handmade, ADMIN, "consultations", 9)
    with pytest.raises(Refused):
        retention.set_retention_years(handmade, ADMIN, "consultations", retention.MAX_YEARS + 1)
    retention.set_retention_years(handmade, ADMIN, "consultations", 12)
    assert _report_row(handmade, "consultations")["cutoff"] == dt.date(2014, 3, 10)
    audit = handmade.execute(
        select(AuditRecord.detail).where(AuditRecord.action == "retention_rule_change")
    ).scalar_one()
    assert json.loads(audit) == {"years_before": 10, "years": 12}
    with pytest.raises(Refused):
        retention.save_retention_setting(handmade, ADMIN, "access_request_business_days", 11)


def test_due_records_are_reported_and_disposed_of_but_a_held_customer_keeps_theirs(handmade):
    _note(handmade, 1, OLD)
    _note(handmade, 2, OLD)
    _note(handmade, 2, RECENT)
    retention.place_hold(handmade, COMPLIANCE, reason="분쟁조정 신청", customer_no="100000002")
    row = _report_row(handmade, "consultations")
    assert (row["due"], row["held"], row["oldest"]) == (1, 1, OLD.date())
    assert row["cutoff"] == dt.date(2016, 3, 10)

    disposed = retention.dispose_due(handmade, ADMIN, TODAY, kinds=["consultations"])

    assert [(d.kind, d.rows, d.years) for d in disposed] == [("consultations", 1, 10)]
    assert _notes_of(handmade, 1) == 0
    assert _notes_of(handmade, 2) == 3  # the held old note, the recent one and 1 March's
    audit = handmade.execute(
        select(AuditRecord.username, AuditRecord.target_id, AuditRecord.detail).where(
            AuditRecord.action == "records_dispose"
        )
    ).one()
    assert audit.username == ADMIN.username and audit.target_id == "consultations"
    assert json.loads(audit.detail) == {
        "basis": "sales_record",
        "cutoff": "2016-03-10",
        "rows": 1,
        "table": "consultations",
        "years": 10,
    }


def test_a_hold_on_a_whole_kind_keeps_every_record_until_it_is_lifted(handmade):
    _note(handmade, 1, OLD)
    hold = retention.place_hold(handmade, ADMIN, reason="금감원 검사", kind="consultations")
    assert retention.dispose_due(handmade, ADMIN, TODAY, kinds=["consultations"])[0].rows == 0
    assert _notes_of(handmade, 1) == 1
    retention.lift_hold(handmade, ADMIN, hold)
    assert retention.legal_holds(handmade, ADMIN).is_empty()
    lifted = retention.legal_holds(handmade, ADMIN, lifted=True).row(0, named=True)
    assert lifted["lifted_by"] == ADMIN.username and lifted["kind"] == "consultations"
    assert retention.dispose_due(handmade, ADMIN, TODAY, kinds=["consultations"])[0].rows == 1


def test_a_record_another_one_points_at_stays(handmade):
    original = _note(handmade, 1, OLD)
    handmade.execute(
        insert(Consultation).values(
            customer_id=1, employee_id=3, branch_id=1, channel="visit",
            occurred_at=RECENT, note="정정", outcome="interested", is_sensitive=False,
            corrects_id=original,
        )
    )  # fmt: skip
    assert _report_row(handmade, "consultations")["due"] == 0
    retention.dispose_due(handmade, ADMIN, TODAY, kinds=["consultations"])
    assert _notes_of(handmade, 1) == 2


def test_an_account_its_transactions_point_at_stays_while_an_unreferenced_one_goes(handmade):
    # transactions.account_id leads an index: the check seeks it per aged account.
    long_closed = dt.date(2015, 6, 30)
    handmade.execute(update(Account).where(Account.id.in_((2, 5))).values(closed_on=long_closed))
    handmade.execute(delete(Transaction).where(Transaction.account_id.in_((2, 5))))
    handmade.execute(
        insert(Transaction).values(
            customer_id=1, account_id=2, occurred_at=RECENT, kind="redemption",
            amount_krw=1_500_000, channel="online", performed_by="owner",
        )
    )  # fmt: skip
    assert _report_row(handmade, "closed_accounts")["due"] == 1
    retention.dispose_due(handmade, ADMIN, TODAY, kinds=["closed_accounts"])
    left = handmade.execute(select(Account.id).where(Account.id.in_((2, 5)))).scalars()
    assert list(left) == [2]


def test_a_case_history_follows_its_case_customer_hold_and_goes_with_the_case(handmade):
    case = handmade.execute(
        insert(Complaint)
        .values(
            case_no="C-2014-1", customer_id=1, branch_id=1, category="fees", channel="visit",
            source="customer", received_on=dt.date(2014, 5, 1), deadline_on=dt.date(2014, 5, 21),
            summary="수수료", status="closed", resolution="설명", closed_on=dt.date(2014, 5, 9),
            closed_by="compliance", opened_by="kim", opened_at=dt.datetime(2014, 5, 1, 9),
        )
        .returning(Complaint.id)
    ).scalar_one()  # fmt: skip
    handmade.execute(
        insert(ComplaintEvent).values(
            complaint_id=case, kind="closed", status="closed", recorded_by="compliance",
            recorded_at=dt.datetime(2014, 5, 9, 15),
        )
    )  # fmt: skip
    hold = retention.place_hold(handmade, COMPLIANCE, reason="소송", customer_no="100000001")
    assert _report_row(handmade, "complaint_events")["held"] == 1
    kept = {d.kind: d.rows for d in retention.dispose_due(handmade, ADMIN, TODAY)}
    assert kept["complaint_events"] == kept["complaints"] == 0
    retention.lift_hold(handmade, ADMIN, hold)
    gone = {d.kind: d.rows for d in retention.dispose_due(handmade, ADMIN, TODAY)}
    assert gone["complaint_events"] == gone["complaints"] == 1


def test_the_audit_trail_is_counted_but_never_disposed_of_and_still_verifies(handmade):
    handmade.execute(
        insert(UsageEvent).values(
            employee_id=3, branch_id=1, occurred_at=OLD, action="view", page="customer"
        )
    )
    retention.place_hold(handmade, ADMIN, reason="소송", customer_no="100000001")
    before = handmade.execute(select(func.count()).select_from(AuditRecord)).scalar_one()
    disposed = {d.kind: d.rows for d in retention.dispose_due(handmade, ADMIN, TODAY)}
    assert "audit_log" not in disposed
    assert disposed["usage_events"] == 1
    after = handmade.execute(select(func.count()).select_from(AuditRecord)).scalar_one()
    assert after == before + len(disposed)  # one audit record per kind, none removed
    assert admin.verify_chain(handmade).intact


def test_roles_without_the_right_cannot_dispose_or_hold(handmade):
    with pytest.raises(AccessDenied):
        retention.dispose_due(handmade, COMPLIANCE, TODAY)
    with pytest.raises(AccessDenied):
        retention.place_hold(handmade, KIM, reason="x", customer_no="100000001")
    with pytest.raises(Refused):
        retention.place_hold(handmade, ADMIN, reason="x")
    with pytest.raises(NotFound):
        retention.place_hold(handmade, ADMIN, reason="x", kind="nonsense")
    assert handmade.execute(select(func.count()).select_from(LegalHold)).scalar_one() == 0


def test_the_report_job_counts_what_is_due_and_deletes_nothing(engine):
    outcome = retention.run_disposal_report(engine, TODAY)
    assert outcome.status == "succeeded"
    assert set(outcome.detail["kinds"]) >= {"consultations", "usage_events", "audit_log"}
    assert outcome.rows == sum(kind["due"] for kind in outcome.detail["kinds"].values())


# ---------------------------------------------------------------------------------------------
# Access requests


def test_the_deadline_counts_business_days_past_holidays_and_closing_days(handmade):
    # Friday before Seollal (16-18 February 2026): six business days end on the 26th.
    request = retention.log_access_request(
        handmade, MANAGER_101, "100000001", received_on=dt.date(2026, 2, 13), channel="branch"
    )
    handmade.execute(
        insert(BusinessHoliday).values(
            day=dt.date(2026, 2, 20), name="창립기념일", created_by="admin",
            created_at=dt.datetime(2026, 1, 2),
        )
    )  # fmt: skip
    after_closing = retention.log_access_request(
        handmade, MANAGER_101, "100000002", received_on=dt.date(2026, 2, 13), channel="phone"
    )
    listed = retention.access_requests(handmade, MANAGER_101, TODAY)
    deadlines = dict(zip(listed["id"], listed["deadline_on"], strict=True))
    assert deadlines == {request: dt.date(2026, 2, 26), after_closing: dt.date(2026, 2, 27)}
    assert listed["overdue"].all()


def test_the_list_puts_overdue_requests_first_and_keeps_to_the_branch(handmade):
    late = retention.log_access_request(
        handmade, MANAGER_101, "100000001", received_on=dt.date(2026, 2, 2), channel="branch"
    )
    fresh = retention.log_access_request(
        handmade, MANAGER_101, "100000002", received_on=TODAY, channel="mail"
    )
    other_branch = retention.log_access_request(
        handmade, COMPLIANCE, "100000003", received_on=TODAY, channel="online"
    )
    assert retention.access_requests(handmade, MANAGER_101, TODAY)["id"].to_list() == [
        late,
        fresh,
    ]
    firm = retention.access_requests(handmade, COMPLIANCE, TODAY)
    assert firm["id"].to_list()[0] == late and other_branch in firm["id"].to_list()
    with pytest.raises(AccessDenied):
        retention.log_access_request(
            handmade, MANAGER_101, "100000003", received_on=TODAY, channel="branch"
        )
    with pytest.raises(AccessDenied):
        retention.access_requests(handmade, KIM, TODAY)


def test_the_answer_holds_that_customer_alone_with_third_parties_masked(handmade):
    _note(handmade, 1, RECENT, "아들 010-9876-5432, son@example.com 연락 요망; 본인 010-1111-2222")
    _note(handmade, 1, RECENT, '=HYPERLINK("http://x")')
    _note(handmade, 2, RECENT, "이영희 고객 메모")
    exports.grant(handmade, ADMIN, "manager", Action.EXPORT, reason="열람 요구 응대")
    request = retention.log_access_request(
        handmade, MANAGER_101, "100000001", received_on=TODAY, channel="branch"
    )

    answer = retention.fulfil_access_request(handmade, MANAGER_101, request)

    text = answer.data.decode("utf-8-sig")
    assert "010-1111-2222" in text and "hong@example.com" in text  # the customer's own
    assert "서울특별시 강남구 1" in text
    assert "010-****-5432" in text and "010-9876-5432" not in text
    assert "s***@example.com" in text and "son@example.com" not in text
    assert "김**" in text and "김영업" not in text  # the staff member who served them
    assert "'=HYPERLINK" in text
    assert "이영희" not in text and "010-3333-4444" not in text and "A3" not in text
    audit = handmade.execute(
        select(AuditRecord.detail).where(AuditRecord.action == "export")
    ).scalar_one()
    assert json.loads(audit)["reason"] == f"access request {request}"
    listed = retention.access_requests(handmade, MANAGER_101, TODAY).row(0, named=True)
    assert (listed["status"], listed["fulfilled_by"]) == ("fulfilled", MANAGER_101.username)


def test_the_answer_is_refused_without_the_export_grant_or_contact_rights(handmade):
    request = retention.log_access_request(
        handmade, COMPLIANCE, "100000001", received_on=TODAY, channel="branch"
    )
    with pytest.raises(AccessDenied):
        retention.fulfil_access_request(handmade, MANAGER_101, request)  # no grant yet
    with pytest.raises(AccessDenied):
        retention.fulfil_access_request(handmade, COMPLIANCE, request)  # no contact rights
    status = retention.access_requests(handmade, COMPLIANCE, TODAY)["status"].to_list()
    assert status == ["open"]


def test_the_command_line_reports_then_disposes_as_the_named_admin(databases, monkeypatch, capsys):
    from jobs.__main__ import main
    from tests import handmade as handmade_dataset

    engine = databases.new("retention_cli")
    with engine.begin() as conn:
        handmade_dataset.load(conn)
        _note(conn, 1, OLD)
    monkeypatch.setenv("CRM_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    arguments = ["dispose-records", "--date", TODAY.isoformat(), "--json"]

    assert main([*arguments, "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert dry["due"]["consultations"] == 1 and dry["disposed"] == {}
    assert main([*arguments, "--as", "kim"]) == 1  # not an administrator
    assert main([*arguments, "--kind", "consultations"]) == 0
    done = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert done["disposed"] == {"consultations": 1}
    with engine.connect() as conn:
        assert _notes_of(conn, 1) == 0
        actions = conn.execute(select(AuditRecord.action, AuditRecord.username)).all()
    assert ("records_dispose", "admin") in actions
    engine.dispose()


def test_every_kind_basis_channel_and_answer_heading_has_words_in_both_languages(handmade):
    schedule = retention.retention_schedule(handmade, ADMIN)
    keys = [
        *(f"retention_kind_{kind}" for kind in schedule["kind"]),
        *(f"retention_clock_{kind}" for kind in schedule["kind"]),
        *(f"retention_basis_{basis}" for basis in retention.BASES),
        *(f"access_channel_{channel}" for channel in retention.CHANNELS),
        *(f"access_status_{status}" for status in retention.STATUSES),
        *(f"access_answer_col_{column}" for column in retention.ANSWER_COLUMNS),
        *(f"access_answer_section_{section}" for section in retention.SECTIONS),
        *(f"access_answer_field_{field}" for field in retention.PROFILE_FIELDS),
        *(f"retention_setting_{name}" for name in retention.DEFAULT_SETTINGS),
        *(f"retention_setting_help_{name}" for name in retention.DEFAULT_SETTINGS),
    ]
    for key in keys:
        assert translate(key, "ko") and translate(key, "en"), key
