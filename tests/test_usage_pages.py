"""The usage and training pages through AppTest, and the page views the console records.

The database holds tests/handmade.py and tests/usage_data.py (events counted into usage_daily),
as of 2026-03-10; the figures asserted are those worked out in tests/test_usage.py.
"""

import json
import re
from collections.abc import Iterator

import pytest
import streamlit as st
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from data_access.core.branches import (
    branch_for_code,
)
from data_access.core.models import (
    Role,
    TrainingCourse,
    UsageEvent,
)
from data_access.core.policy import (
    AccessDenied,
    Action,
)
from data_access.training import training
from data_access.usage import usage
from tests import handmade, usage_data
from tests.handmade import MANAGER_101, PASSWORD, TRAINER
from tests.test_app import TIMEOUT_S, sign_in
from tests.test_security_pages import open_url
from ui import usage_recording
from ui.navigation import pages_for

USAGE_PAGE = "pages/usage_page.py"
TRAINING_PAGE = "pages/training_page.py"


@pytest.fixture(scope="module")
def usage_db(databases) -> Engine:
    engine = databases.new("usage_pages")
    with engine.begin() as conn:
        handmade.load(conn)
        usage_data.load(conn)
        usage_data.load_training(conn)
        usage.aggregate_all(conn)
    return engine


@pytest.fixture
def console(usage_db, monkeypatch) -> Iterator[AppTest]:
    monkeypatch.setenv("CRM_DATABASE_URL", usage_db.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CRM_BUSINESS_DATE", usage_data.AS_OF.isoformat())
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "0")
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception
    yield at
    st.cache_data.clear()


def open_page(at: AppTest, username: str, page: str) -> AppTest:
    sign_in(at, username, PASSWORD)
    at.switch_page(page)
    at.run()
    assert not at.exception
    return at


def table_with(at: AppTest, *columns: str):
    """The first table on the page that has all of `columns`, as pandas."""
    for element in at.dataframe:
        value = element.value
        frame = value.data if hasattr(value, "data") else value  # a Styler holds its frame
        if set(columns) <= set(frame.columns):
            return frame
    raise AssertionError(f"no table with columns {columns}")


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_pages_are_listed_for_their_roles_only():
    listed = {role: [spec.key for spec in pages_for(role)] for role in Role}
    assert {role for role, keys in listed.items() if "usage" in keys} == {
        Role.BRANCH_MANAGER,
        Role.EXECUTIVE,
        Role.TRAINER,
    }
    assert {role for role, keys in listed.items() if "training" in keys} == {Role.TRAINER}


def test_branch_manager_sees_own_staff_usage_and_training(console):
    at = open_page(console, "manager", USAGE_PAGE)
    assert at.title[0].value == "직원 시스템 활용"
    shown = metrics(at)
    assert shown["직원 수"] == "2"
    assert shown["월 사용자(MAU)"] == "2"
    assert shown["주 사용자(WAU)"] == "1"
    assert shown["일 사용자(DAU)"] == "0.2"  # 4 person-days over 17 working days
    assert [tab.label for tab in at.tabs] == [
        "직원별",
        "기능 활용",
        "추세",
        "미사용·종이 병행",
        "직원 상세",
        "교육 현황",
    ]
    people = table_with(at, "사번", "1일 사용", "이수율")  # training beside usage
    assert people["사번"].tolist() == ["E2", "E3"]
    assert people["지점"].tolist() == ["강남지점", "강남지점"]
    assert people["1일 사용"].tolist() == [200, 7]
    assert people["이수율"].tolist() == [0, 100]
    assert people["만료 자격"].tolist() == [0, 0]
    subheaders = [element.value for element in at.subheader]
    assert "5일 이상 사용하지 않은 직원" in subheaders
    training_status = table_with(at, "미이수", "이수율")
    assert training_status["사번"].tolist() == ["E2", "E3"]
    assert training_status["미이수"].tolist() == [1, 0]
    assert table_with(at, "만료일", "상태")["상태"].tolist() == ["만료 임박"]
    assert not at.error


def test_executive_sees_the_firm_and_can_pick_a_branch(console):
    at = open_page(console, "exec", USAGE_PAGE)
    assert metrics(at)["직원 수"] == "3"
    assert "교육 현황" not in [tab.label for tab in at.tabs]
    at.selectbox(key="usage_branch").set_value(2).run()
    assert not at.exception
    assert metrics(at)["직원 수"] == "1"
    assert table_with(at, "사번", "1일 사용")["사번"].tolist() == ["E4"]


def test_english_usage_page(console):
    console.sidebar.segmented_control[0].set_value("en").run()
    at = open_page(console, "trainer", USAGE_PAGE)
    assert at.title[0].value == "Staff use of the console"
    recent = table_with(at, "Feature", "Page")
    assert set(recent["Feature"]) <= {"Page view", "Search", "Note", "Customer 360"}
    assert set(recent["Page"]) <= {"Home", "Customer 360"}  # names, not screen keys
    assert "Target" not in recent.columns  # a trainer never reads which customers were opened


def test_a_page_view_is_recorded_once_per_visit(console, usage_db):
    def views() -> int:
        usage_recording.recorder().flush()
        with usage_db.connect() as conn:
            stmt = select(func.count()).where(
                UsageEvent.employee_id == 2,
                UsageEvent.action == "page_view",
                UsageEvent.page == "usage",
            )
            return conn.execute(stmt).scalar_one()

    before = views()
    at = open_page(console, "manager", USAGE_PAGE)
    at.run()  # a click on the same page is no new view
    at.selectbox(key="usage_person").set_value(3).run()
    assert views() == before + 1
    at.switch_page("pages/home_page.py").run()
    at.switch_page(USAGE_PAGE).run()
    assert views() == before + 2
    with usage_db.connect() as conn:
        pages = conn.execute(
            select(UsageEvent.page).where(UsageEvent.employee_id == 2).distinct()
        ).scalars()
        assert "" not in set(pages)  # the home page answers at the root: counted as "home"


def test_trainer_catalogue_create_and_import(console, usage_db):
    at = open_page(console, "trainer", TRAINING_PAGE)
    assert at.title[0].value == "교육 관리"
    assert [tab.label for tab in at.tabs] == [
        "과정",
        "차수·수강",
        "결과 입력",
        "이수 현황",
        "자격 만료",
        "교육 효과",
    ]
    at.text_input(key="new_course_code").input("crm601")
    at.text_input(key="new_course_title_ko").input("데이터 기반 영업")
    at.text_input(key="new_course_title_en").input("Selling with data")
    at.button(key="FormSubmitter:training_new_course-저장").click().run()
    assert not at.exception
    assert at.success[0].value == "과정 CRM601을(를) 저장했습니다."
    with usage_db.connect() as conn:
        assert (
            conn.execute(
                select(TrainingCourse.title_en).where(TrainingCourse.code == "CRM601")
            ).scalar_one()
            == "Selling with data"
        )

    # The uploader hands its file to training.check_import; the page keeps the check.
    data = b"employee_no,course_code,completed_on,score\nE4,SAL101,2026-02-10,70\nE9,X,1,1\n"
    with usage_db.connect() as conn:
        at.session_state["training_import_check"] = training.check_import(
            conn, TRAINER, data, today=usage_data.AS_OF
        )
    at.run()
    assert at.info[0].value.startswith("2행 중 1행은 반영할 수 있고 1행은 문제가 있습니다.")
    problems = table_with(at, "행", "사유")
    assert problems["행"].tolist() == [3] and problems["사유"].tolist() == ["없는 사번입니다"]
    apply = next(button for button in at.button if button.label == "문제없는 1행 반영")
    apply.click().run()
    assert not at.exception
    assert at.success[0].value == "반영했습니다: 새로 1건, 변경 0건, 그대로 0건."


def test_trainer_sees_expiry_colours_and_completion(console):
    at = open_page(console, "trainer", TRAINING_PAGE)
    certificates = table_with(at, "만료일", "상태")
    assert certificates["상태"].tolist() == ["만료", "만료 임박"]
    # Park's expired on 01-07, 62 days before 03-10; Kim's runs to 04-01, 22 days on.
    assert certificates["남은 기간"].tolist() == ["62일 전 만료", "22일 남음"]
    assert certificates["과정"].tolist() == ["CRM 기본", "CRM 기본"]
    assert certificates["지점"].tolist() == ["해운대지점", "강남지점"]
    by_branch = table_with(at, "지점", "직원 수", "미이수")
    assert by_branch["지점"].tolist() == ["강남지점", "해운대지점"]
    assert by_branch["미이수"].tolist() == [1, 0]


def test_english_training_page(console):
    console.sidebar.segmented_control[0].set_value("en").run()
    at = open_page(console, "trainer", TRAINING_PAGE)
    assert at.title[0].value == "Training"
    assert [tab.label for tab in at.tabs] == [
        "Courses",
        "Sessions",
        "Results",
        "Completion",
        "Certificates",
        "Effect on use",
    ]
    certificates = table_with(at, "Expires", "State")
    assert certificates["State"].tolist() == ["Expired", "Expiring"]
    assert certificates["Time left"].tolist() == ["expired 62 days ago", "22 days left"]
    assert certificates["Branch"].tolist() == ["Haeundae", "Gangnam"]


def test_the_trainers_home_links_each_expired_or_expiring_certificate_to_its_person(console):
    sign_in(console, "trainer", PASSWORD)
    assert not console.exception
    links = [(link.proto.label, link.proto.query_string) for link in console.get("page_link")]
    assert ("박영업 · CRM 기본 · 62일 전 만료", "employee=E4") in links
    assert ("김영업 · CRM 기본 · 22일 남음", "employee=E3") in links


def test_the_training_page_opened_for_one_person_shows_their_certificates(console):
    sign_in(console, "trainer", PASSWORD)
    console.query_params["employee"] = "E4"
    console.switch_page(TRAINING_PAGE)
    console.run()
    assert not console.exception
    certificates = table_with(console, "만료일", "상태")
    assert certificates["이름"].tolist() == ["박영업"]


def open_branch(at: AppTest, username: str, page: str, code: str) -> AppTest:
    """`page` opened by a `?branch=<code>` link."""
    sign_in(at, username, PASSWORD)
    at.query_params["branch"] = code
    at.switch_page(page)
    at.run()
    assert not at.exception
    return at


def test_branch_manager_asking_for_another_branch_gets_a_sentence_and_no_data(console, usage_db):
    at = open_branch(console, "manager", USAGE_PAGE, "102")
    assert [error.value for error in at.error] == [
        "다른 지점 직원의 활용 현황은 볼 수 없습니다. 지점장은 자기 지점만 볼 수 있습니다."
    ]
    assert (len(at.metric), len(at.dataframe), len(at.tabs)) == (0, 0, 0)
    # data_access refuses too, whatever a page asks.
    with usage_db.connect() as conn, pytest.raises(AccessDenied):
        branch_for_code(conn, MANAGER_101, "102", Action.USAGE_READ)
    with usage_db.connect() as conn, pytest.raises(AccessDenied):
        usage.adoption(conn, MANAGER_101, usage_data.AS_OF, branch_id=2)
    with usage_db.connect() as conn, pytest.raises(AccessDenied):
        training.completion_by_person(conn, MANAGER_101, usage_data.AS_OF, branch_id=2)


def test_branch_manager_asking_for_their_own_branch_sees_it(console):
    at = open_branch(console, "manager", USAGE_PAGE, "101")
    assert not at.error
    assert metrics(at)["직원 수"] == "2"
    assert table_with(at, "사번", "1일 사용")["사번"].tolist() == ["E2", "E3"]


def test_a_branch_link_opens_that_branch_for_an_executive_and_names_an_unknown_code(console):
    at = open_branch(console, "exec", USAGE_PAGE, "102")
    assert at.selectbox(key="usage_branch").value == 2
    assert metrics(at)["직원 수"] == "1"
    assert table_with(at, "사번", "1일 사용")["사번"].tolist() == ["E4"]
    at.query_params["branch"] = "999"
    at.run()
    assert [warning.value for warning in at.warning] == [
        "지점 코드 '999'인 지점이 없습니다. 주소의 branch 값을 확인하세요."
    ]
    assert not at.metric


def test_training_page_opens_a_linked_branch_and_names_an_unknown_code(console):
    at = open_branch(console, "trainer", TRAINING_PAGE, "102")
    assert at.selectbox(key="training_branch").value == "102"
    assert table_with(at, "사번", "미이수")["사번"].tolist() == ["E4"]
    at.query_params["branch"] = "999"
    at.run()
    assert at.warning[0].value.startswith("지점 코드 '999'인 지점이 없습니다.")
    assert "전체 지점 이수 현황 보기" in [button.label for button in at.button]
    assert not at.tabs


def test_training_page_refuses_a_branch_manager_any_branch(console, usage_db):
    sign_in(console, "manager", PASSWORD)
    refused = open_url(console, "training", branch="102")  # the address typed in
    assert not refused.exception
    assert refused.title[0].value == "열 수 없는 화면"
    assert (len(refused.dataframe), len(refused.tabs)) == (0, 0)
    with usage_db.connect() as conn, pytest.raises(AccessDenied):
        branch_for_code(conn, MANAGER_101, "102", Action.TRAINING_READ)


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("ko", "없는 사번이 있습니다: X99. 사번을 확인하세요. 아무도 등록하지 않았습니다."),
        ("en", "Unknown employee numbers: X99. Check them; no one was enrolled."),
    ],
    ids=["korean", "english"],
)
def test_enrolling_an_unknown_employee_is_refused_in_the_readers_language(
    console, monkeypatch, language, sentence
):
    # AppTest words a selectbox's choice again between runs, outside any session: there the
    # default language is the reader's.
    monkeypatch.setattr("ui.i18n.DEFAULT_LANGUAGE", language)
    console.sidebar.segmented_control[0].set_value(language).run()
    at = open_page(console, "trainer", TRAINING_PAGE)
    at.text_area(key="enrol_numbers").input("E2, X99")
    enrol = next(b for b in at.button if b.key.startswith("FormSubmitter:training_enrol-"))
    enrol.click().run()
    assert not at.exception
    assert [error.value for error in at.error] == [sentence]


def test_branch_manager_asking_for_another_branch_reads_the_refusal_in_english(console):
    console.sidebar.segmented_control[0].set_value("en").run()
    at = open_branch(console, "manager", USAGE_PAGE, "102")
    assert [error.value for error in at.error] == [
        "You cannot see another branch's staff: branch managers see their own branch only."
    ]
    assert (len(at.metric), len(at.dataframe), len(at.tabs)) == (0, 0, 0)


def test_the_usage_trend_names_its_norm_line_and_titles_its_axes_horizontally(console):
    at = open_page(console, "manager", USAGE_PAGE)
    trend = next(
        chart.proto.spec for chart in at.get("vega_lite_chart") if "strokeDash" in chart.proto.spec
    )
    spec = json.loads(trend)
    layers = [inner for layer in spec["layer"] for inner in layer.get("layer", [layer])]
    dashed = next(layer for layer in layers if "strokeDash" in json.dumps(layer["mark"]))
    assert dashed["encoding"]["color"]["legend"] is not None  # the dashed line is named
    titles = [layer["encoding"]["y"] for layer in spec["layer"][0:1]]
    assert titles[0]["axis"]["titleAngle"] == 0  # read without tilting the head


def test_a_branch_managers_home_names_staff_idle_today_or_below_the_norm(console):
    """By hand (tests/usage_data.py): on 03-10 the manager last acted on 02-12 and Kim on
    03-10 itself, with 7 actions a working day; both are below the norm of 250."""
    sign_in(console, "manager", PASSWORD)
    assert not console.exception
    assert "기준 미달·오늘 미사용 직원" in [header.value for header in console.subheader]
    staff = table_with(console, "이름", "1일 사용")
    assert staff["이름"].tolist() == ["오지점", "김영업"]
    assert staff["오늘 사용"].tolist() == ["아니요", "예"]


def test_one_persons_daily_chart_writes_days_in_the_readers_language(console):
    at = open_page(console, "manager", USAGE_PAGE)
    at.selectbox(key="usage_person").set_value(3).run()
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    person = next(spec for spec in specs if "layer" in spec and "date" in json.dumps(spec))
    x = person["layer"][0]["encoding"]["x"]
    # "3월 9일" in Korean, in date order; never "03-09".
    assert all(re.fullmatch(r"\d{1,2}월 \d{1,2}일", label) for label in x["sort"])
    assert x["sort"] == sorted(
        x["sort"], key=lambda label: [int(n) for n in re.findall(r"\d+", label)]
    )
