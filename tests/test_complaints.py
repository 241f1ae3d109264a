"""Complaint cases on the hand-made firm (tests/handmade.py, as of Tuesday 2026-03-10): the
deadline of 14 business days counted by hand on the 2026 calendar, the role rules, the history
and the counts the home pages show."""

import datetime as dt
import json

import pytest
from sqlalchemy import select

from data_access import complaints
from data_access.agenda import agenda
from data_access.core.complaint_rules import deadline_for
from data_access.core.errors import AccessDenied, NotFound, Refused
from data_access.core.models import AuditRecord, BusinessHoliday, Complaint, ComplaintEvent
from data_access.kpis import kpis
from tests.handmade import (
    ADMIN,
    AS_OF,
    COMPLIANCE,
    EXECUTIVE,
    KIM,
    MANAGER_101,
    PARK,
    TRAINER,
)

d = dt.date


def open_for(conn, customer_no="100000001", received_on=AS_OF, actor=KIM, **changes):
    values = {
        "customer_no": customer_no,
        "category": "mis_selling",
        "channel": "phone",
        "received_on": received_on,
        "product_code": "F001",
        "summary": "설명 없이 고위험 상품을 권유받았다는 민원",
        "source": "customer",
    } | changes
    return complaints.open_case(conn, actor, **values)


def close_firm(conn, day):
    """A firm closure (business_holidays) on `day`, as an admin adds one on the jobs page."""
    conn.execute(
        BusinessHoliday.__table__.insert().values(
            day=day, name="임시휴업", created_by="admin", created_at=dt.datetime(2026, 1, 2)
        )
    )


@pytest.mark.parametrize(
    ("received_on", "deadline"),
    [
        # Tuesday: 14 working days, no holiday in between, ends on Monday 30 March.
        (d(2026, 3, 10), d(2026, 3, 30)),
        # Friday: the weekend does not count; Monday 16 March is day 1.
        (d(2026, 3, 13), d(2026, 4, 2)),
        # Saturday: counting starts on the next working day, as for the Friday.
        (d(2026, 3, 14), d(2026, 4, 2)),
        # Friday before Seollal (16-18 Feb) and the 삼일절 substitute day (2 March).
        (d(2026, 2, 13), d(2026, 3, 11)),
        # Chuseok (24-26 Sep), the 개천절 substitute (5 Oct) and 한글날 (9 Oct).
        (d(2026, 9, 21), d(2026, 10, 15)),
    ],
    ids=["tuesday", "friday", "saturday", "seollal", "chuseok"],
)
def test_the_deadline_is_14_business_days_after_receipt(received_on, deadline):
    assert deadline_for(received_on, 14, ()) == deadline


def test_an_opened_case_gets_the_default_deadline_at_the_customers_branch(handmade):
    case_id = open_for(handmade, "100000003", received_on=d(2026, 2, 13))
    row = handmade.execute(
        select(
            Complaint.deadline_on,
            Complaint.branch_id,
            Complaint.status,
            Complaint.handler_id,
            Complaint.case_no,
        ).where(Complaint.id == case_id)
    ).one()
    assert row.deadline_on == d(2026, 3, 11)
    assert row.branch_id == 2  # 박민수's home branch, though Kim (101) took the complaint
    assert row.status == "open" and row.handler_id is None
    assert row.case_no == f"2026-{case_id:06d}"


def test_a_firm_closure_inside_the_deadline_moves_it_one_working_day(handmade):
    close_firm(handmade, d(2026, 3, 20))
    case_id = open_for(handmade)
    assert handmade.scalar(select(Complaint.deadline_on).where(Complaint.id == case_id)) == d(
        2026, 3, 31
    )


def test_a_closure_added_later_on_a_deadline_is_flagged_not_hidden(handmade):
    case_id = open_for(handmade)  # due Monday 30 March
    assert not complaints.case_detail(handmade, KIM, case_id, as_of=AS_OF).deadline_on_closing_day
    close_firm(handmade, d(2026, 3, 30))
    detail = complaints.case_detail(handmade, KIM, case_id, as_of=AS_OF)
    assert detail.deadline_on_closing_day
    assert detail.row["deadline_on"] == d(2026, 3, 30)  # the promise made stays; the page flags it
    # A case opened now is given a working day.
    later = open_for(handmade)
    assert handmade.scalar(select(Complaint.deadline_on).where(Complaint.id == later)) == d(
        2026, 3, 31
    )


def test_an_administrator_changes_the_deadline_setting_and_new_cases_follow(handmade):
    assert complaints.complaint_settings(handmade) == {
        "deadline_business_days": 14,
        "near_deadline_business_days": 3,
    }
    complaints.save_complaint_setting(handmade, ADMIN, "deadline_business_days", 10)
    case_id = open_for(handmade)
    assert handmade.scalar(select(Complaint.deadline_on).where(Complaint.id == case_id)) == d(
        2026, 3, 24
    )
    for bad in (0, 61, 2.5, float("nan")):
        with pytest.raises(Refused, match="complaint_setting_out_of_range"):
            complaints.save_complaint_setting(handmade, ADMIN, "deadline_business_days", bad)
    with pytest.raises(Refused, match="complaint_setting_unknown"):
        complaints.save_complaint_setting(handmade, ADMIN, "deadline_hours", 3)
    for user in (COMPLIANCE, MANAGER_101):
        with pytest.raises(AccessDenied):
            complaints.save_complaint_setting(handmade, user, "deadline_business_days", 10)


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"category": "rudeness"}, Refused),
        ({"channel": "fax"}, Refused),
        ({"source": "newspaper"}, Refused),
        ({"summary": "   "}, Refused),
        ({"summary": "가" * 2001}, Refused),
        ({"received_on": d(2999, 1, 1)}, Refused),
        ({"customer_no": "999999999"}, NotFound),
        ({"product_code": "NOPE"}, NotFound),
    ],
    ids=["category", "channel", "source", "blank", "long", "future", "customer", "product"],
)
def test_bad_input_is_refused_and_writes_nothing(handmade, changes, refusal):
    with pytest.raises(refusal):
        open_for(handmade, **changes)
    assert handmade.execute(select(Complaint.id)).all() == []


def test_reps_see_their_branchs_cases_and_compliance_every_case(handmade):
    gangnam = open_for(handmade, "100000001")
    haeundae = open_for(handmade, "100000003")

    def seen(user):
        return sorted(complaints.cases(handmade, user, as_of=AS_OF)["complaint_id"].to_list())

    assert seen(KIM) == [gangnam]
    assert seen(MANAGER_101) == [gangnam]
    assert seen(PARK) == [haeundae]
    assert seen(COMPLIANCE) == [gangnam, haeundae]
    assert seen(EXECUTIVE) == [gangnam, haeundae]
    for user in (TRAINER, ADMIN):
        with pytest.raises(AccessDenied):
            complaints.cases(handmade, user, as_of=AS_OF)
        with pytest.raises(AccessDenied):
            open_for(handmade, actor=user)
    with pytest.raises(AccessDenied):
        complaints.case_detail(handmade, KIM, haeundae, as_of=AS_OF)
    with pytest.raises(NotFound):
        complaints.case_detail(handmade, COMPLIANCE, haeundae + 100, as_of=AS_OF)


def test_a_rep_works_a_case_but_only_compliance_closes_it(handmade):
    case_id = open_for(handmade)
    with pytest.raises(Refused, match="complaint_handler_not_in_branch"):
        complaints.assign_handler(handmade, MANAGER_101, case_id, employee_id=4)  # Park, 102
    complaints.assign_handler(handmade, MANAGER_101, case_id, employee_id=3)
    complaints.add_progress_note(handmade, KIM, case_id, note="고객과 통화, 설명서 재교부 예정")
    with pytest.raises(AccessDenied):
        complaints.add_progress_note(handmade, PARK, case_id, note="다른 지점")
    for user in (KIM, MANAGER_101, EXECUTIVE):
        with pytest.raises(AccessDenied):
            complaints.close_case(handmade, user, case_id, resolution="종결", on=AS_OF)
    with pytest.raises(Refused, match="complaint_closed_on_out_of_range"):
        complaints.close_case(handmade, COMPLIANCE, case_id, resolution="종결", on=d(2026, 3, 9))
    complaints.close_case(
        handmade, COMPLIANCE, case_id, resolution="상품 설명 보완, 수수료 환급", on=AS_OF
    )
    with pytest.raises(Refused, match="complaint_already_closed"):
        complaints.close_case(handmade, COMPLIANCE, case_id, resolution="다시", on=AS_OF)
    with pytest.raises(Refused, match="complaint_already_closed"):
        complaints.add_progress_note(handmade, KIM, case_id, note="종결 후")

    detail = complaints.case_detail(handmade, KIM, case_id, as_of=AS_OF)
    assert detail.row["status"] == "closed" and detail.row["handler_name"] == "김영업"
    assert detail.resolution == "상품 설명 보완, 수수료 환급"
    assert detail.closed_by == f"{COMPLIANCE.role}-{COMPLIANCE.employee_id}"
    assert detail.history["kind"].to_list() == ["opened", "assigned", "note", "closed"]
    assert detail.history["status"].to_list() == ["open", "in_progress", "in_progress", "closed"]
    assert handmade.scalar(select(ComplaintEvent.id).where(ComplaintEvent.kind == "closed"))
    audited = handmade.execute(
        select(AuditRecord.action, AuditRecord.detail).where(AuditRecord.action.like("complaint_%"))
    ).all()
    assert [action for action, _ in audited] == [
        "complaint_open", "complaint_assign", "complaint_note", "complaint_close",
    ]  # fmt: skip
    assert json.loads(audited[-1][1]) == {"closed_on": "2026-03-10", "overdue": False}
    assert complaints.customer_cases(handmade, KIM, "100000001", as_of=AS_OF).is_empty()


def test_counts_and_flags_of_overdue_and_near_deadline_cases(handmade):
    overdue = open_for(handmade, received_on=d(2026, 2, 2))  # due 25 Feb
    near = open_for(handmade, "100000002", received_on=d(2026, 2, 13))  # due 11 March
    open_for(handmade, received_on=AS_OF)  # due 30 March
    open_for(handmade, "100000003", received_on=d(2026, 2, 2))  # branch 102, overdue
    counts = complaints.case_counts(handmade, MANAGER_101, as_of=AS_OF)
    assert counts == complaints.ComplaintCounts(open=3, overdue=1, near_deadline=1)
    assert complaints.case_counts(handmade, COMPLIANCE, as_of=AS_OF).overdue == 2
    listed = complaints.cases(handmade, MANAGER_101, as_of=AS_OF)
    assert listed["complaint_id"].to_list()[:2] == [overdue, near]  # by deadline
    assert listed.filter(listed["overdue"])["complaint_id"].to_list() == [overdue]
    assert listed.filter(listed["near_deadline"])["complaint_id"].to_list() == [near]
    only_overdue = complaints.cases(handmade, COMPLIANCE, as_of=AS_OF, overdue_only=True)
    assert only_overdue.height == 2
    of_102 = complaints.cases(handmade, COMPLIANCE, as_of=AS_OF, branch_code="102")
    assert of_102["branch_en"].unique().to_list() == ["Haeundae"]
    on_360 = complaints.customer_cases(handmade, KIM, "100000001", as_of=AS_OF)
    assert on_360.height == 2
    # A case closed late stays overdue for the days it was open past its deadline.
    complaints.close_case(handmade, COMPLIANCE, overdue, resolution="처리 완료", on=AS_OF)
    assert complaints.case_counts(handmade, MANAGER_101, as_of=AS_OF).overdue == 0
    assert complaints.case_counts(handmade, MANAGER_101, as_of=d(2026, 3, 9)).overdue == 1


def complaint_rule(conn):
    return next(r for r in agenda.agenda_rules(conn) if r.kind == agenda.RuleKind.COMPLAINT)


def test_overdue_and_near_cases_are_on_the_handlers_agenda_until_closed(handmade):
    overdue = open_for(handmade, received_on=d(2026, 2, 2))  # 홍길동, due 25 Feb
    near = open_for(handmade, "100000003", received_on=d(2026, 2, 13))  # 박민수 (102), 11 March
    open_for(handmade, "100000002", received_on=AS_OF)  # due 30 March: not yet on any agenda
    complaints.assign_handler(handmade, PARK, near, employee_id=4)
    rule = complaint_rule(handmade)
    items = agenda.compute_agenda(handmade, [rule], AS_OF).items.sort("customer_id")
    # Nobody handles the overdue case yet: it goes to Gangnam's manager (employee 2).
    assert items.select("customer_id", "employee_id", "branch_id", "due_date").rows() == [
        (1, 2, 1, d(2026, 2, 25)),
        (3, 4, 2, d(2026, 3, 11)),
    ]
    facts = [json.loads(f) for f in items["facts"]]
    assert [(f["complaint_id"], f["days"], f["category"]) for f in facts] == [
        (overdue, -13, "mis_selling"),
        (near, 1, "mis_selling"),
    ]
    complaints.close_case(handmade, COMPLIANCE, overdue, resolution="처리 완료", on=AS_OF)
    later = agenda.compute_agenda(handmade, [rule], d(2026, 3, 11)).items
    assert later["customer_id"].to_list() == [3]


def test_the_near_deadline_setting_moves_cases_onto_the_agenda(handmade):
    open_for(handmade, received_on=AS_OF)  # due 30 March, 14 business days away
    rule = complaint_rule(handmade)
    assert agenda.compute_agenda(handmade, [rule], AS_OF).items.is_empty()
    complaints.save_complaint_setting(handmade, ADMIN, "near_deadline_business_days", 14)
    assert agenda.compute_agenda(handmade, [rule], AS_OF).items.height == 1


def kpi_value(frame, kpi, kind, key):
    row = frame.filter(
        (frame["kpi"] == kpi) & (frame["scope_kind"] == kind) & (frame["scope_key"] == key)
    )
    return row["value"].item()


def test_the_complaint_kpis_count_what_the_pages_count(handmade):
    """Three cases at Gangnam (active customers 홍길동 and 이영희) and one at Haeundae (박민수),
    closed late; the KPIs agree with the counts the pages show on each day."""
    open_for(handmade, received_on=d(2026, 2, 2))  # due 25 Feb: overdue on AS_OF
    open_for(handmade, "100000002", received_on=d(2026, 2, 13))  # due 11 March: not yet
    open_for(handmade, received_on=AS_OF)
    late = open_for(handmade, "100000003", received_on=d(2026, 1, 5))  # due 23 Jan
    complaints.close_case(handmade, COMPLIANCE, late, resolution="늦게 종결", on=d(2026, 3, 9))
    frame = kpis.compute_kpis(handmade, AS_OF, AS_OF)
    # Received in the 30 days to AS_OF (from 9 Feb): 13 Feb and 10 March, both at Gangnam.
    per_10k = "complaints_per_10k_customers"
    assert kpi_value(frame, per_10k, "branch", "101") == pytest.approx(2 * 10_000 / 2)
    assert kpi_value(frame, per_10k, "branch", "102") == 0.0
    assert kpi_value(frame, per_10k, "firm", "") == pytest.approx(2 * 10_000 / 3)
    assert kpi_value(frame, "complaints_overdue", "branch", "101") == 1
    assert kpi_value(frame, "complaints_overdue", "branch", "102") == 0  # closed 9 March
    assert kpi_value(frame, "complaints_overdue", "firm", "") == 1
    assert complaints.case_counts(handmade, COMPLIANCE, as_of=AS_OF).overdue == 1
    friday = d(2026, 3, 6)
    earlier = kpis.compute_kpis(handmade, friday, friday)
    assert kpi_value(earlier, "complaints_overdue", "firm", "") == 2
    assert complaints.case_counts(handmade, COMPLIANCE, as_of=friday).overdue == 2
