"""The complaints page, the manager's and compliance's home and the customer 360 through
AppTest, on the hand-made firm with three cases opened today (tests/handmade.py): an overdue
one and a near-deadline one at Gangnam (101), one at Haeundae (102)."""

import datetime as dt

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access import agenda, complaints
from data_access.core.business_days import business_today, is_business_day
from data_access.core.models import Complaint
from tests import handmade
from tests.handmade import KIM, PARK, PASSWORD
from tests.test_app import TIMEOUT_S, sign_in

PAGE = "pages/complaints_page.py"


def business_days_back(day: dt.date, count: int) -> dt.date:
    while count:
        day -= dt.timedelta(days=1)
        count -= is_business_day(day)
    return day


@pytest.fixture
def cases_db(databases):
    """Cases received 20 and 12 business days ago at 101 (overdue, near) and today at 102."""
    engine = databases.new("complaints_page")
    today = business_today()
    with engine.begin() as conn:
        handmade.load(conn)
        for customer_no, received, actor in (
            ("100000001", business_days_back(today, 20), KIM),
            ("100000002", business_days_back(today, 12), KIM),
            ("100000003", today, PARK),
        ):
            complaints.open_case(
                conn, actor, customer_no=customer_no, category="fees", channel="phone",
                received_on=received, product_code=None, summary="환매 수수료 설명 부족",
                source="customer",
            )  # fmt: skip
    return engine


def start_console(engine, monkeypatch) -> AppTest:
    monkeypatch.setenv("CRM_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception
    return at


@pytest.fixture
def console(cases_db, monkeypatch) -> AppTest:
    return start_console(cases_db, monkeypatch)


def table(at: AppTest, column: str):
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def listed_ids(at: AppTest) -> list[str]:
    """The ids of the listed cases, from the case picker's options (their labels lead with
    the case number, `<year>-<id>`)."""
    picker = next(box for box in at.selectbox if box.label == "민원 열기")
    return [str(int(label.split(" · ")[0].split("-")[1])) for label in picker.options]


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_a_rep_lists_only_the_branchs_cases_and_cannot_close(console):
    sign_in(console, "kim", PASSWORD)
    at = console.switch_page(PAGE).run()
    assert not at.exception
    assert at.title[0].value == "민원"
    listed = table(at, "민원 번호")
    assert listed["고객"].tolist() == ["홍길동", "이영희"]
    assert listed["지점"].tolist() == ["강남지점", "강남지점"]
    assert listed["기한"].tolist()[0].startswith("기한") and "경과" in listed["기한"].tolist()[0]
    assert listed["담당자"].tolist() == ["미지정", "미지정"]
    assert metrics(at) == {"미종결 민원": "2", "기한 경과": "1", "기한 임박": "1"}
    first = listed_ids(at)[0]
    picker = next(box for box in at.selectbox if box.label == "민원 열기")
    at = picker.set_value(int(first)).run()
    assert not at.exception
    assert at.query_params["case"] == first
    keys = {button.key for button in at.button}
    assert "FormSubmitter:complaint_note_form-기록" in keys
    assert "FormSubmitter:complaint_close_form-종결" not in keys


def test_compliance_sees_every_branch_and_closes_a_case(console, cases_db):
    sign_in(console, "compliance", PASSWORD)
    at = console.run()
    assert not at.exception
    assert "민원" in [header.value for header in at.subheader]
    assert metrics(at)["기한 경과"] == "1"
    at = console.switch_page(PAGE).run()
    assert table(at, "민원 번호")["지점"].tolist() == ["강남지점", "강남지점", "해운대지점"]
    with cases_db.connect() as conn:
        overdue = conn.scalar(select(Complaint.id).order_by(Complaint.received_on).limit(1))
    at.query_params["case"] = str(overdue)
    at = at.run()
    assert not at.exception
    assert at.error  # overdue
    at.text_area(key="complaint_resolution").input("수수료 설명서 재교부, 환매수수료 면제")
    at.button(key="FormSubmitter:complaint_close_form-종결").click()
    at = at.run()
    assert not at.exception
    assert "민원을 종결했습니다." in [s.value for s in at.success]
    with cases_db.connect() as conn:
        status, closed_by = conn.execute(
            select(Complaint.status, Complaint.closed_by).where(Complaint.id == overdue)
        ).one()
    assert (status, closed_by) == ("closed", "compliance")


def test_a_manager_assigns_a_handler_and_the_360_shows_the_open_case(console, cases_db):
    sign_in(console, "manager", PASSWORD)
    home = console.run()
    assert not home.exception
    assert metrics(home)["기한 임박"] == "1"
    with cases_db.connect() as conn:
        near = conn.scalar(select(Complaint.id).where(Complaint.customer_id == 2))
    at = home.switch_page(PAGE)
    at.query_params["case"] = str(near)
    at = at.run()
    assert not at.exception
    assert not [b for b in at.button if b.key == "FormSubmitter:complaint_close_form-종결"]
    at.selectbox(key="complaint_handler").set_value(3)  # 김영업
    at.button(key="FormSubmitter:complaint_assign_form-담당자 지정").click()
    at = at.run()
    assert "담당자를 지정했습니다." in [s.value for s in at.success]
    history = table(at, "내역")
    assert history["내역"].tolist() == ["접수", "담당자 지정"]
    assert history["담당자"].tolist() == ["", "김영업"]


def test_an_administrator_reads_and_changes_the_complaint_settings(console, cases_db):
    sign_in(console, "admin", PASSWORD)
    at = console.switch_page("pages/agenda_rules_page.py").run()
    assert not at.exception
    assert "민원 처리기한" in [header.value for header in at.subheader]
    settings = next(
        frame.value
        for frame in at.dataframe
        if "설정" in frame.value.columns and frame.value["설정"].str.startswith("처리기한").any()
    )
    deadline = settings[settings["설정"].str.startswith("처리기한")]
    assert deadline[["값", "기본값"]].values.tolist() == [["14", "14"]]
    at.selectbox(key="complaint_setting_name").set_value("deadline_business_days")
    at.number_input(key="complaint_setting_value").set_value(10)
    at.button(key="FormSubmitter:complaint_setting_form-저장").click()
    at = at.run()
    assert not at.exception
    assert "민원 설정을 저장했습니다." in [s.value for s in at.success]
    with cases_db.connect() as conn:
        assert complaints.complaint_settings(conn)["deadline_business_days"] == 10


def test_the_handlers_agenda_lists_the_overdue_case_with_its_reason(cases_db, monkeypatch):
    with cases_db.begin() as conn:
        overdue = conn.scalar(select(Complaint.id).order_by(Complaint.received_on).limit(1))
        complaints.assign_handler(conn, handmade.MANAGER_101, overdue, employee_id=3)  # Kim
    built = agenda.build_agenda(cases_db, business_today(), force=True)
    assert built.status == "succeeded", built.error
    console = start_console(cases_db, monkeypatch)
    sign_in(console, "kim", PASSWORD)
    at = console.switch_page("pages/agenda_page.py").run()
    assert not at.exception
    assert "민원 처리기한" in [header.value for header in at.subheader]
    reasons = [block.value for block in at.markdown if "처리기한" in block.value]
    assert any("수수료" in text and "지남" in text for text in reasons), reasons
