"""The records page through AppTest (issue #22): the retention schedule with its meanings, the
disposal report and its button for administrators only, legal holds, and access requests
logged and answered by the branch manager. Each test works on its own database."""

import datetime as dt

import pytest
from sqlalchemy import func, insert, select
from streamlit.testing.v1 import AppTest

from data_access import exports
from data_access.core.models import AccessGrant, AccessRequest, AuditRecord, Consultation, Role
from data_access.core.policy import Action
from tests import handmade
from tests.handmade import ADMIN, AS_OF, PASSWORD
from tests.test_app import TIMEOUT_S, sign_in
from ui.navigation import pages_for

PAGE = "pages/records_page.py"


@pytest.fixture
def records_db(databases):
    engine = databases.new("records_page")
    with engine.begin() as conn:
        handmade.load(conn)
        conn.execute(
            insert(Consultation).values(
                customer_id=1, employee_id=3, branch_id=1, channel="visit",
                occurred_at=dt.datetime(2015, 1, 5, 10), note="오래된 상담",
                outcome="interested", is_sensitive=False,
            )
        )  # fmt: skip
        exports.grant(conn, ADMIN, "manager", Action.EXPORT, reason="열람 요구 응대")
    return engine


@pytest.fixture
def console(records_db, monkeypatch) -> AppTest:
    monkeypatch.setenv("CRM_DATABASE_URL", records_db.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CRM_BUSINESS_DATE", AS_OF.isoformat())
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception
    return at


def frame_with(at: AppTest, column: str):
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def test_the_admin_sees_each_kind_with_its_meaning_and_disposes_of_what_is_due(console, records_db):
    at = sign_in(console, "admin", PASSWORD).switch_page(PAGE).run()
    assert not at.exception
    assert at.title[0].value == "기록 보존·열람 요구"
    schedule = frame_with(at, "근거")
    consultations = schedule[schedule["기록 종류"] == "상담 기록"].iloc[0]
    assert consultations["보존 기간"] == "10년" and consultations["기산일"] == "상담일"
    assert consultations["근거"].startswith("금융소비자보호법")
    audit = schedule[schedule["기록 종류"] == "감사 기록"].iloc[0]
    assert (audit["보존 기간"], audit["폐기"]) == ("2년", "폐기하지 않음")
    report = frame_with(at, "폐기 대상")
    assert report[report["기록 종류"] == "상담 기록"]["폐기 대상"].tolist() == ["1"]

    at.button(key=next(b.key for b in at.button if b.label.startswith("폐기 대상"))).click()
    at.run()
    assert not at.exception
    assert any("1건을 폐기했습니다" in s.value for s in at.success)
    # The report the page keeps for ten minutes is counted again after a disposal.
    report = frame_with(at, "폐기 대상")
    assert report[report["기록 종류"] == "상담 기록"]["폐기 대상"].tolist() == ["0"]
    with records_db.connect() as conn:
        old = Consultation.occurred_at < dt.datetime(2016, 1, 1)
        assert conn.scalar(select(func.count()).where(old)) == 0
        disposed = conn.scalar(select(func.count()).where(AuditRecord.action == "records_dispose"))
    assert disposed >= 1


def test_compliance_places_a_hold_but_cannot_dispose(console, records_db):
    at = sign_in(console, "compliance", PASSWORD).switch_page(PAGE).run()
    assert not at.exception
    assert "폐기는 관리자만 할 수 있습니다." in [c.value for c in at.caption]
    assert not [b for b in at.button if b.label.startswith("폐기 대상")]
    at.text_input(key="hold_customer_no").input("100000001")
    at.text_input(key="hold_reason").input("분쟁조정 진행 중")
    at.button(key="FormSubmitter:hold_place-보존 명령 걸기").click()
    at.run()
    assert not at.exception
    assert "보존 명령을 걸었습니다." in [s.value for s in at.success]
    holds = frame_with(at, "대상")
    assert holds["대상"].tolist() == ["고객 홍길동 (100000001)"]
    report = frame_with(at, "폐기 대상")
    row = report[report["기록 종류"] == "상담 기록"].iloc[0]
    assert (row["폐기 대상"], row["보존 명령으로 유지"]) == ("0", "1")


def test_the_branch_manager_logs_and_answers_a_request(console, records_db):
    at = sign_in(console, "manager", PASSWORD).switch_page(PAGE).run()
    assert not at.exception
    assert "열람 요구가 없습니다." in [c.value for c in at.caption]
    assert not [frame for frame in at.dataframe if "근거" in frame.value.columns]
    at.text_input(key="request_customer_no").input("100000001")
    at.selectbox(key="request_channel").set_value("branch")
    at.button(key="FormSubmitter:request_log-열람 요구 접수").click()
    at.run()
    assert not at.exception
    requests = frame_with(at, "기한")
    assert requests["고객"].tolist() == ["홍길동 (100000001)"]
    assert requests["상태"].tolist() == ["처리 중"]
    with records_db.connect() as conn:
        request_id = conn.scalar(select(AccessRequest.id))
    at.selectbox(key="request_to_answer").set_value(request_id)
    at.button(key=next(b.key for b in at.button if b.label == "답변 파일 만들기")).click()
    at.run()
    assert not at.exception, at.exception
    assert any("답변 파일을 만들었습니다" in s.value for s in at.success)
    assert frame_with(at, "기한")["상태"].tolist() == ["답변 완료"]
    answer = at.session_state["records_answer"].data.decode("utf-8-sig")
    assert answer.startswith("구분,일자,항목,담당 직원,내용")
    assert '고객 정보,"",전화번호,"",010-1111-2222' in answer  # the customer's own, in words
    assert "profile" not in answer and "subscription" not in answer and "True" not in answer
    with records_db.connect() as conn:
        reasons = conn.execute(
            select(AuditRecord.detail).where(AuditRecord.action == "export")
        ).scalars()
        assert any("access request" in reason for reason in reasons)
        assert conn.scalar(select(func.count()).select_from(AccessGrant)) == 1


def test_the_page_is_listed_for_the_roles_that_use_it():
    listed = {role for role in Role if "records" in [page.key for page in pages_for(role)]}
    assert listed == {Role.ADMIN, Role.COMPLIANCE, Role.BRANCH_MANAGER}
