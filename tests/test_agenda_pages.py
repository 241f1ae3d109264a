"""The agenda pages through AppTest: a rep's day, branch completion, the rule editor, the jobs.

The database holds tests/handmade.py and tests/agenda_data.py with the agenda of 2026-03-10
built by the default rules. By hand, Kim's day has two items, both for customer 1 홍길동: his
account A8 matures on 03-15 (A1 on 03-20, 6,000,000 together), and as a VIP with DM consent
never consulted he is due for direct mail. Customer 5 (VIP, never consulted) has no DM consent;
customer 2 was consulted 9 days ago. Park's customer 3 is due for nothing.
"""

import json
from collections.abc import Iterator

import pytest
import streamlit as st
from sqlalchemy import Engine, delete, func, select
from streamlit.testing.v1 import AppTest

from data_access.agenda import agenda
from data_access.core.models import (
    AgendaItem,
    AgendaRule,
    Consultation,
    ContactSetting,
    JobRun,
)
from jobs import agenda as agenda_job
from tests import agenda_data, handmade
from tests.handmade import PASSWORD
from tests.test_app import TIMEOUT_S, sign_in
from ui import background

DAY = agenda_data.BUSINESS_DATE


@pytest.fixture(scope="module")
def agenda_db(databases) -> Engine:
    engine = databases.new("agenda_pages")
    with engine.begin() as conn:
        handmade.load(conn)
        agenda_data.load(conn)
    agenda_job.run(engine, DAY)
    return engine


@pytest.fixture
def console(agenda_db, monkeypatch) -> Iterator[AppTest]:
    monkeypatch.setenv("CRM_DATABASE_URL", agenda_db.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CRM_BUSINESS_DATE", DAY.isoformat())
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "0")
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception
    yield at
    # Summaries are cached by user and date, not by database (one per server in real life):
    # the same hand-made users on another test database must not get ours.
    st.cache_data.clear()


def open_page(at: AppTest, username: str, page: str) -> AppTest:
    sign_in(at, username, PASSWORD)
    at.switch_page(page)
    at.run()
    assert not at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def texts(elements) -> list[str]:
    return [element.value for element in elements]


def test_a_reps_day_grouped_by_reason_with_links_and_numbers(console):
    at = open_page(console, "kim", "pages/agenda_page.py")
    assert at.title[0].value == "오늘의 아젠다"
    assert {k: v for k, v in metrics(at).items() if k in ("남은 일", "전체")} == {
        "남은 일": "2",
        "전체": "2",
    }
    assert texts(at.subheader) == ["만기 도래 계좌", "DM 발송 대상"]
    why = texts(at.markdown)
    assert "만기 2026-03-15 (D-5), 평가금액 ₩6,000,000 (계좌 A8 외 1개)" in why
    # A long span reads in years, not as thousands of days.
    assert "상담 기록 없음 (거래 시작 28년 전, VIP 기준 60일), 평가금액 ₩6,000,000" in why
    links = at.get("page_link")
    assert {link.proto.label for link in links} == {"홍길동 · 100000001"}
    # The link names the item's rule, so the record can say why the customer is here.
    assert {link.proto.query_string.rsplit("=", 1)[0] for link in links} == {
        "customer=100000001&from=agenda&rule"
    }


def test_a_customer_opened_from_the_agenda_says_why_it_is_on_it(console):
    at = open_page(console, "kim", "pages/customer_page.py")
    at.query_params.update({"customer": "100000001", "from": "agenda", "rule": "1"})
    at.run()
    assert not at.exception
    assert at.caption[0].value.startswith(
        ":material/checklist: 오늘의 아젠다 · 만기 도래 계좌: 만기 2026-03-15 (D-5)"
    )
    # A link naming a rule the customer is not on says nothing.
    at.query_params["rule"] = "2"
    at.run()
    assert not any("오늘의 아젠다" in caption.value for caption in at.caption)


def test_an_agenda_link_passed_to_someone_without_an_agenda_opens_the_record_plainly(console):
    at = open_page(console, "exec", "pages/customer_page.py")
    at.query_params.update({"customer": "100000001", "from": "agenda", "rule": "1"})
    at.run()
    assert not at.exception
    assert at.header[0].value == "홍길동"
    assert not any("오늘의 아젠다" in caption.value for caption in at.caption)


def test_english_reasons(console):
    console.sidebar.segmented_control[0].set_value("en").run()
    at = open_page(console, "kim", "pages/agenda_page.py")
    assert texts(at.subheader) == ["Accounts reaching maturity", "Due for direct mail"]
    why = texts(at.markdown)
    assert "Matures 2026-03-15 (in 5 days), value ₩6,000,000 (account A8 and 1 more)" in why
    assert "Never consulted (customer for 28 years; VIP every 60 days), holding ₩6,000,000" in why


def test_recording_an_outcome_with_a_note(console, agenda_db):
    at = open_page(console, "kim", "pages/agenda_page.py")
    maturity = at.multiselect(key=_key(agenda_db, "maturity", "pick"))
    maturity.set_value(["100000001"])
    at.text_area(key=_key(agenda_db, "maturity", "note")).input("만기 재투자 안내, 다음 주 방문")
    at.button(key=f"FormSubmitter:{_key(agenda_db, 'maturity', 'form')}-기록").click()
    at.run()
    assert not at.exception
    assert "1건을 기록했습니다." in texts(at.success)
    assert metrics(at)["남은 일"] == "1"
    assert metrics(at)["완료"] == "1"
    with agenda_db.connect() as conn:
        status, note = conn.execute(
            select(AgendaItem.status, Consultation.note)
            .join(Consultation, Consultation.id == AgendaItem.consultation_id)
            .where(AgendaItem.business_date == DAY)
        ).one()
    assert (status, note) == ("done", "만기 재투자 안내, 다음 주 방문")


def test_recording_without_a_customer_says_what_to_do(console, agenda_db):
    at = open_page(console, "kim", "pages/agenda_page.py")
    at.button(key=f"FormSubmitter:{_key(agenda_db, 'contact_due', 'form')}-기록").click()
    at.run()
    assert "처리한 고객을 하나 이상 고르세요." in texts(at.error)


def _key(engine: Engine, kind: str, name: str) -> str:
    with engine.connect() as conn:
        rule_id = conn.execute(select(AgendaRule.id).where(AgendaRule.kind == kind)).scalar_one()
    return f"agenda_{name}_{rule_id}"


def test_branch_manager_sees_completion_by_employee_and_reason(console):
    at = open_page(console, "manager", "pages/branch_agenda_page.py")
    assert at.title[0].value == "아젠다 처리 현황"
    assert metrics(at)["항목"] == "2"
    by_employee = at.dataframe[0].value
    # Every active staff member of the branch, the manager with nothing today among them.
    assert by_employee["사번"].tolist() == ["E2", "E3"]
    # People by name and branch by name first; the employee number is a detail.
    assert list(by_employee.columns[:3]) == ["이름", "지점", "사번"]
    assert set(by_employee["지점"]) == {"강남지점"}
    assert by_employee["항목"].tolist() == [0, 2]
    by_reason = at.dataframe[1].value
    assert by_reason["사유"].tolist() == ["만기 도래 계좌", "DM 발송 대상"]
    assert len(at.get("vega_lite_chart")) == 1


def test_executive_picks_a_branch(console):
    at = open_page(console, "exec", "pages/branch_agenda_page.py")
    pick = at.selectbox(key="agenda_branch")
    assert pick.options == ["전 지점", "강남지점"]
    assert at.dataframe[0].value["지점"].tolist() == ["강남지점"]


def test_rule_editor_refuses_impossible_values_and_saves_good_ones(console, agenda_db):
    at = open_page(console, "admin", "pages/agenda_rules_page.py")
    assert at.dataframe[0].value["사유"].tolist()[:4] == [
        "만기 도래 계좌",
        "해피콜",
        "민원 처리기한",
        "이탈 위험 고객",
    ]
    # Each parameter on its own row, by its label and in words: never the stored JSON, never
    # several crammed into one cell that the table cuts off.
    settings = at.dataframe[1].value
    maturity = settings[settings["사유"] == "만기 도래 계좌"]
    assert maturity[["항목", "값"]].values.tolist() == [  # DEFAULT_RULES
        ["며칠 안에", "14"],
        ["최소 평가금액(원)", "₩0"],
    ]
    assert "{" not in "".join(settings["값"])
    with agenda_db.connect() as conn:
        rule_id, version = conn.execute(
            select(AgendaRule.id, AgendaRule.version).where(AgendaRule.kind == "maturity")
        ).one()
    choice = f"rule:{rule_id}"
    at.number_input(key=f"rule_{choice}_within_days").set_value(-3)
    at.multiselect(key=f"rule_{choice}_tiers").set_value([])
    at.button(key=f"FormSubmitter:rule_{choice}_form-저장").click()
    at.run()
    assert not at.exception
    refusal = at.error[0].value
    assert refusal.startswith("저장하지 않았습니다.")
    assert "며칠 안에: 0 이상이어야 합니다." in refusal
    assert "대상 등급: 비워 둘 수 없습니다." in refusal
    with agenda_db.connect() as conn:
        assert (
            conn.execute(select(AgendaRule.version).where(AgendaRule.id == rule_id)).scalar_one()
            == version
        )

    at.number_input(key=f"rule_{choice}_within_days").set_value(4)
    at.multiselect(key=f"rule_{choice}_tiers").set_value(["vip"])
    at.button(key=f"FormSubmitter:rule_{choice}_form-오늘 기준 미리보기").click()
    at.run()
    # Within 4 days of 03-10 nothing matures (A8 is 5 days off).
    assert metrics(at)["오늘 항목 수"] == "0"
    at.number_input(key=f"rule_{choice}_within_days").set_value(5)
    at.button(key=f"FormSubmitter:rule_{choice}_form-오늘 기준 미리보기").click()
    at.run()
    assert metrics(at)["오늘 항목 수"] == "1"
    at.button(key=f"FormSubmitter:rule_{choice}_form-저장").click()
    at.run()
    assert f"규칙을 저장했습니다 (버전 {version + 1})." in texts(at.success)
    with agenda_db.connect() as conn:
        saved = agenda.agenda_rules(conn)
    maturity = next(rule for rule in saved if rule.id == rule_id)
    assert (maturity.spec.params.within_days, [t.value for t in maturity.spec.tiers]) == (
        5,
        ["vip"],
    )
    # Back to the default for the other tests.
    raw = maturity.spec.model_dump(mode="json") | {
        "params": {"within_days": 14, "min_value_krw": 0},
        "tiers": ["vip", "priority", "general"],
    }
    with agenda_db.connect() as conn:
        agenda.save_rule(conn, _admin(), raw, rule_id=rule_id)


def _admin():
    from data_access.core.models import (
        Role,
    )
    from data_access.core.security import (
        SignedInUser,
    )

    return SignedInUser(6, "admin", Role.ADMIN, 6, "서관리", None)


def test_jobs_page_schedule_run_now_and_pause(console, agenda_db):
    at = open_page(console, "admin", "pages/jobs_page.py")
    assert at.title[0].value == "예약 작업"
    assert "다음 실행" in metrics(at)
    assert "영업일 06:00 (서울 시각)" in texts(at.caption)
    assert "이 콘솔은 스케줄러를 실행하지 않습니다" in " ".join(texts(at.caption))
    runs = at.dataframe[0].value
    assert runs["기준일"].astype(str).tolist()[0].startswith("2026-03-10")
    assert runs["결과"].tolist()[0] == "성공"
    assert runs["작업"].tolist()[0] == "모닝 아젠다 생성"
    # Items by rule, each rule by its name (the seeded rules), never "1:maturity 4".
    assert runs["사유별 건수"].tolist()[0].startswith("만기 도래 계좌 ")
    assert ":" not in runs["사유별 건수"].tolist()[0]
    assert "`agenda`" not in " ".join(element.value for element in at.markdown)

    at.button(key="run_agenda").click()
    at.run()
    assert not at.exception
    assert any(
        text.startswith("2026년 3월 10일 모닝 아젠다 생성 실행을 마쳤습니다: 2건")
        for text in texts(at.success)
    )

    at.button(key="toggle_agenda").click()
    at.run()
    assert "모닝 아젠다 생성 작업을 일시 중지했습니다." in texts(at.success)
    assert at.button(key="toggle_agenda").label == "다시 시작"  # other jobs keep their next run
    at.button(key="toggle_agenda").click()
    at.run()
    assert at.button(key="toggle_agenda").label == "일시 중지"
    with agenda_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(JobRun)).scalar_one() == 1


def test_the_console_starts_one_scheduler_per_process(agenda_db, monkeypatch):
    monkeypatch.setenv("CRM_DATABASE_URL", agenda_db.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CRM_BUSINESS_DATE", DAY.isoformat())
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "1")
    background.embedded_scheduler.clear()
    first = None
    try:
        first = background.start_embedded_scheduler()
        assert first is not None and first.running
        assert background.start_embedded_scheduler() is first
        at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
        at.run()
        at = open_page(at, "admin", "pages/jobs_page.py")
        assert background.start_embedded_scheduler() is first
        assert "이 콘솔 프로세스 안에서 스케줄러가 실행 중입니다." in texts(at.caption)
    finally:
        if first is not None:
            first.shutdown(wait=True)
        background.embedded_scheduler.clear()
        st.cache_data.clear()


def test_a_reps_home_leads_with_todays_agenda_by_reason_and_a_link(console):
    sign_in(console, "kim", PASSWORD)
    assert not console.exception
    assert texts(console.subheader)[0] == "오늘의 아젠다"
    by_reason = console.dataframe[0].value
    assert by_reason["사유"].tolist() == ["만기 도래 계좌", "DM 발송 대상"]
    assert by_reason["전체"].tolist() == [1, 1]  # an earlier test may have done one already
    assert "agenda" in {link.proto.page for link in console.get("page_link")}


def test_contact_hours_are_shown_with_their_meaning_and_an_admin_changes_them(console, agenda_db):
    at = open_page(console, "admin", "pages/agenda_rules_page.py")
    hours = next(d.value for d in at.dataframe if "기본값" in d.value.columns)
    assert hours["설정"].tolist()[:2] == [
        "전화 가능 시작 시각 (시, 서울 시간; 기본 8시)",
        "전화 가능 끝 시각 (이 시각 전까지, 서울 시간; 기본 21시)",
    ]
    assert hours["값"].tolist() == ["8", "21", "0"]
    at.selectbox(key="contact_setting_name").set_value("call_until_hour")
    at.number_input(key="contact_setting_value").set_value(20)
    at.button(key="FormSubmitter:contact_setting_form-저장").click()
    at.run()
    assert not at.exception
    hours = next(d.value for d in at.dataframe if "기본값" in d.value.columns)
    assert hours["값"].tolist() == ["8", "20", "0"]
    with agenda_db.begin() as conn:  # leave the module's database as the other tests expect
        conn.execute(delete(ContactSetting))


def test_the_admins_home_shows_the_last_run_of_each_job_by_name(console):
    sign_in(console, "admin", PASSWORD)
    assert not console.exception
    runs = next(e.value for e in console.dataframe if "작업" in e.value.columns)
    agenda_run = runs[runs["작업"] == "모닝 아젠다 생성"].iloc[0]
    assert agenda_run["기준일"] == "2026년 3월 10일"


def test_the_weekly_chart_counts_weeks_as_weeks_in_korean(console):
    at = open_page(console, "manager", "pages/branch_agenda_page.py")
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    x = spec["encoding"]["x"]
    assert x["type"] == "ordinal"  # one band per week, not days on a time line
    assert x["axis"]["format"] == "%-m월 %-d일 주"
    assert spec["encoding"]["y"]["axis"]["titleAngle"] == 0
