"""The console shell through Streamlit's AppTest: sign-in, each role's home, sign-out."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_access import exports, imports
from data_access.core.models import (
    Role,
)
from data_access.core.policy import Action
from tests import handmade
from tests.handmade import ADMIN, AS_OF, PASSWORD
from ui.navigation import PAGES, SIGN_IN, pages_for

TIMEOUT_S = 60


@pytest.fixture
def console(handmade_url, monkeypatch) -> AppTest:
    monkeypatch.setenv("CRM_DATABASE_URL", handmade_url)
    monkeypatch.setenv("CRM_BUSINESS_DATE", AS_OF.isoformat())
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception
    return at


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


def test_sign_in_page_is_korean_by_default(console):
    assert console.title[0].value == "드림스 CRM 로그인"
    assert [field.label for field in console.text_input] == ["아이디", "비밀번호"]


def test_wrong_password_says_so_without_saying_which_part(console):
    sign_in(console, "manager", "wrong-password")
    assert not console.exception
    assert console.error[0].value.startswith("아이디 또는 비밀번호가 맞지 않습니다")
    assert console.title[0].value == "드림스 CRM 로그인"


@pytest.mark.parametrize(
    ("username", "metrics"),
    [
        # Hand-counted in tests/handmade.py.
        ("exec", {"고객 수": "3", "보유 계좌": "3", "미해결 경보": "1", "지점 직원 수": "3"}),
        ("manager", {"고객 수": "2", "보유 계좌": "2", "지점 수": "1", "지점 직원 수": "2"}),
        ("kim", {"고객 수": "2", "미해결 경보": "1", "30일 내 만기 계좌": "1"}),
        ("trainer", {"운영 중 과정": "1", "수강 신청": "3", "만료된 인증": "1"}),
    ],
)
def test_home_page_per_role(console, username, metrics):
    sign_in(console, username, PASSWORD)
    assert not console.exception
    shown = {metric.label: metric.value for metric in console.metric}
    assert {label: shown.get(label) for label in metrics} == metrics


def test_admin_home_leads_with_job_health_not_table_sizes(console):
    sign_in(console, "admin", PASSWORD)
    assert not console.exception
    assert "작업 상태" in [header.value for header in console.subheader]
    assert not any("rows" in frame.value.columns for frame in console.dataframe)
    assert "jobs" in {link.proto.page for link in console.get("page_link")}


def test_english_switch_and_sign_out(console):
    console.sidebar.segmented_control[0].set_value("en").run()
    assert console.title[0].value == "Sign in to Dreams CRM"
    sign_in(console, "park", PASSWORD)
    assert console.title[0].value == "Welcome, 박영업"
    console.sidebar.button[0].click().run()
    assert console.title[0].value == "Sign in to Dreams CRM"


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_a_home_page_first(role):
    assert pages_for(role)[0].key == "home"


def test_no_page_url_is_a_page_file_stem():
    """See ui/navigation.py: a clash would let Streamlit's legacy mode skip app.py's gate."""
    stems = {path.stem for path in (Path(__file__).parent.parent / "pages").glob("*.py")}
    declared = {spec.key for spec in (*PAGES, SIGN_IN)}
    assert stems.isdisjoint(declared)
    assert {Path(spec.path).stem for spec in (*PAGES, SIGN_IN)} <= stems


def test_idle_session_is_signed_out(console):
    sign_in(console, "kim", PASSWORD)
    assert console.title[0].value == "김영업님, 안녕하세요"
    console.session_state["last_seen_at"] -= 31 * 60  # the default limit is 30 minutes
    console.run()
    assert console.title[0].value == "드림스 CRM 로그인"
    assert "30분 동안 사용하지 않아" in console.info[0].value


def test_activity_within_the_limit_keeps_the_session(console):
    sign_in(console, "kim", PASSWORD)
    console.session_state["last_seen_at"] -= 29 * 60
    console.run()
    assert console.title[0].value == "김영업님, 안녕하세요"


def test_admin_home_shows_refused_imports_and_the_grants_in_force(databases, monkeypatch, tmp_path):
    engine = databases.new("admin_home")
    bad = tmp_path / "지점.csv"
    bad.write_text("code,name_ko,name_en,region,opened_on\n101,강남,Gangnam,서울,2031-13-40\n")
    with engine.begin() as conn:
        handmade.load(conn)
        refused = imports.run_import(conn, ADMIN, "branches", bad, as_of=AS_OF)
        exports.grant(conn, ADMIN, "manager", Action.EXPORT, reason="분기 점검")
    assert not refused.written and refused.rejected == 1
    monkeypatch.setenv("CRM_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CRM_BUSINESS_DATE", AS_OF.isoformat())
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "0")
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at.run()
    sign_in(at, "admin", PASSWORD)
    assert not at.exception
    assert at.warning[0].value.startswith("가져오기 1건이 거부되어")
    refused_table = next(f.value for f in at.dataframe if "파일" in f.value.columns)
    assert refused_table["파일"].tolist() == ["지점.csv"]
    grants = next(f.value for f in at.dataframe if "부여 일시" in f.value.columns)
    # Roles and permissions in words, never their codes.
    assert grants.iloc[0][["역할", "이유"]].tolist() == ["지점장", "분기 점검"]
    assert "branch_manager" not in grants.to_string()
    assert {"import", "audit"} <= {link.proto.page for link in at.get("page_link")}
