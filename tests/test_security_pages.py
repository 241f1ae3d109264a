"""Security through the console (AppTest): every role tries every page's URL, deep links
survive sign-in, sign-out everywhere, session fixation, and the admin's audit page."""

import ast
import re
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import select, update
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from data_access.core.db import (
    make_engine,
)
from data_access.core.models import (
    AuditRecord,
    Role,
    User,
)
from data_access.core.security import (
    MAX_FAILED_SIGN_INS,
    SignedInUser,
)
from data_access.imports import imports
from tests import handmade, security_data
from tests.handmade import AS_OF, PASSWORD
from tests.test_access_policy import PAGES_BY_ROLE
from tests.test_app import TIMEOUT_S, sign_in
from tests.test_customer_page import give_reason
from ui.navigation import PAGES

ROOT = Path(__file__).resolve().parent.parent
USERNAME_OF = {
    Role.SALES_REP: "kim",
    Role.BRANCH_MANAGER: "manager",
    Role.TRAINER: "trainer",
    Role.EXECUTIVE: "exec",
    Role.ADMIN: "admin",
}
REFUSAL_TITLE = "열 수 없는 화면"
KIM_AS_STORED = SignedInUser(3, "kim", Role.SALES_REP, 3, "김영업", 1)
SIGN_IN_TITLE = "드림스 CRM 로그인"


def new_console() -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception
    return at


@pytest.fixture
def console(handmade_url, monkeypatch):
    monkeypatch.setenv("CRM_DATABASE_URL", handmade_url)
    monkeypatch.setenv("CRM_BUSINESS_DATE", AS_OF.isoformat())
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "0")
    yield new_console()
    st.cache_data.clear()


def open_url(at: AppTest, url_path: str, **query: str) -> AppTest:
    """What typing /url_path?query into the address bar does: pages are known by URL path."""
    at._page_hash = calc_hash(url_path)
    at.query_params.clear()
    at.query_params.update(query)
    return at.run()


def open_tab(at: AppTest, key: str, label: str) -> AppTest:
    """Open a tab of a page whose tabs run only when open (st.tabs with a key)."""
    at.session_state[key] = label
    at.run()
    assert not at.exception, at.exception
    return at


def titles(at: AppTest) -> list[str]:
    return [title.value for title in at.title]


@pytest.mark.parametrize("role", list(USERNAME_OF), ids=str)
def test_every_role_reaches_its_pages_and_is_refused_the_others_by_url(console, role):
    sign_in(console, USERNAME_OF[role], PASSWORD)
    for spec in PAGES:
        open_url(console, spec.key)
        assert not console.exception, spec.key
        if spec.key in PAGES_BY_ROLE[role]:
            assert REFUSAL_TITLE not in titles(console), spec.key
        else:
            assert titles(console) == [REFUSAL_TITLE], spec.key
            assert console.error[0].value.startswith("이 화면은 귀하의 역할로 사용할 수 없습니다")


def test_signed_out_every_page_url_shows_only_the_sign_in_form(console):
    for spec in PAGES:
        open_url(console, spec.key, customer="100000001")
        assert titles(console) == [SIGN_IN_TITLE], spec.key
        assert [field.label for field in console.text_input] == ["아이디", "비밀번호"]


def test_a_deep_link_opened_signed_out_lands_on_its_page_after_sign_in(console):
    open_url(console, "customer", customer="100000001")
    assert titles(console) == [SIGN_IN_TITLE]
    sign_in(console, "park", PASSWORD)
    assert titles(console) == ["고객 360"]
    assert console.query_params["customer"] == "100000001"
    # Kim's customer, not Park's: the reason is asked first, then the record opens.
    assert not console.header
    give_reason(console, "100000001")
    assert console.query_params["customer"] == "100000001"
    assert console.header[0].value == "홍길동"


def test_a_deep_link_to_a_page_outside_the_role_is_refused_after_sign_in_and_audited(
    console, handmade_url
):
    open_url(console, "audit")
    sign_in(console, "kim", PASSWORD)
    assert titles(console) == [REFUSAL_TITLE]
    engine = make_engine(handmade_url)
    with engine.connect() as conn:
        last = conn.execute(
            select(AuditRecord.username, AuditRecord.action, AuditRecord.target_id)
            .order_by(AuditRecord.id.desc())
            .limit(1)
        ).one()
    engine.dispose()
    assert tuple(last) == ("kim", "page_refused", "audit")


def test_a_user_planted_in_the_session_without_signing_in_is_not_signed_in(console):
    console.session_state["signed_in_user"] = KIM_AS_STORED
    console.run()
    assert titles(console) == [SIGN_IN_TITLE]
    assert "signed_in_user" not in console.session_state


def test_sign_in_starts_a_fresh_session_identity(console):
    console.session_state["session_id"] = "planted-by-someone-else"
    console.session_state["customer_search_results"] = ("홍", "stale results")
    console.run()
    sign_in(console, "kim", PASSWORD)
    session_id = console.session_state["session_id"]
    assert session_id != "planted-by-someone-else" and len(session_id) >= 32
    assert "customer_search_results" not in console.session_state
    console.sidebar.button[0].click().run()  # sign out
    assert "session_id" not in console.session_state
    sign_in(console, "kim", PASSWORD)
    assert console.session_state["session_id"] not in (session_id, "planted-by-someone-else")


def test_sign_out_everywhere_ends_the_users_other_sessions(console):
    sign_in(console, "kim", PASSWORD)
    other_device = new_console()
    sign_in(other_device, "kim", PASSWORD)
    someone_else = new_console()
    sign_in(someone_else, "park", PASSWORD)
    console.sidebar.button[1].click().run()
    assert titles(console) == [SIGN_IN_TITLE]
    assert console.info[0].value.startswith("모든 기기에서 로그아웃되었습니다")
    other_device.run()
    assert titles(other_device) == [SIGN_IN_TITLE]
    someone_else.run()
    assert titles(someone_else) == ["박영업님, 안녕하세요"]


def test_without_sso_configured_there_is_no_company_account_button(console):
    assert [button.label for button in console.button] == ["로그인"]


def test_the_admin_searches_the_trail_and_checks_the_chain(console):
    sign_in(console, "admin", PASSWORD)
    open_url(console, "audit")
    assert titles(console) == ["감사 기록"]
    search = console.tabs[0]
    search.text_input[0].input("admin")
    search.button[0].click()
    console.run()
    found = console.tabs[0].dataframe[0].value
    assert set(found["사용자"]) == {"admin"}
    assert "로그인" in set(found["행위"])
    # The search just made is on the trail too, its filters worded, never as JSON.
    console.tabs[0].button[0].click()
    console.run()
    found = console.tabs[0].dataframe[0].value
    searched = found[found["행위"] == "감사 기록 검색"]
    assert "사용자 아이디: admin" in searched["내용"].iloc[0]
    assert re.search(r"종료일: \d{4}년 \d{1,2}월 \d{1,2}일", searched["내용"].iloc[0])
    assert not any(
        "{" in detail or "_" in action for detail, action in found[["내용", "행위"]].values
    )
    open_tab(console, "audit_tab", "위변조 점검")
    assert not console.tabs[0].dataframe, "a closed tab does not run"
    chain = console.tabs[2]
    chain.button[0].click()
    console.run()
    assert "건 모두 온전합니다" in console.tabs[2].success[0].value


def labelled(tab, label: str):
    return next(field for field in tab.text_input if field.label == label)


def test_the_admin_grants_and_revokes_an_export_and_links_an_sso_email(console):
    sign_in(console, "admin", PASSWORD)
    open_url(console, "audit")
    open_tab(console, "audit_tab", "내려받기 권한·SSO")
    for username, outcome in (("kim", "error"), ("manager", "success")):
        labelled(console.tabs[3], "사용자 아이디").input(username)
        labelled(console.tabs[3], "이유").input("분기 보고")
        console.tabs[3].button(key="FormSubmitter:grant_export-부여").click()
        console.run()
        shown = getattr(console.tabs[3], outcome)[0].value
        if outcome == "error":
            assert shown.startswith("이 사용자의 역할(영업 담당)로는 내려받기를 할 수 없어")
        else:
            assert shown == "manager 사용자에게 내려받기 권한을 주었습니다."
    listed = console.tabs[3].dataframe[0].value
    assert listed[["사용자", "이유", "회수자"]].values.tolist() == [["manager", "분기 보고", ""]]
    # The role and the permission in words, never their codes.
    assert listed[["역할", "행위"]].values.tolist() == [["지점장", "개인정보 내려받기"]]
    console.tabs[3].button(key="FormSubmitter:revoke_grant-회수").click()
    console.run()
    assert console.tabs[3].success[0].value == "권한을 회수했습니다."
    assert console.tabs[3].dataframe[0].value["회수자"].tolist() == ["admin"]
    console.tabs[3].text_input(key="sso_username").input("manager")
    labelled(console.tabs[3], "회사 계정 이메일").input("not-an-address")
    console.tabs[3].button(key="FormSubmitter:sso_link-연결 저장").click()
    console.run()
    assert console.tabs[3].error[0].value.startswith("이메일 주소 형식이 아닙니다")


def auditing_functions() -> set[str]:
    """Names of data_access functions that write an audit record or a usage event."""
    names = set()
    for path in (ROOT / "data_access").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(call, ast.Call)
                and getattr(call.func, "id", getattr(call.func, "attr", None))
                in ("append_audit", "audit_as", "record_usage")
                for call in ast.walk(node)
            ):
                names.add(node.name)
    return names


def cached_functions() -> list[tuple[str, ast.FunctionDef]]:
    found = []
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                "cache_data" in ast.unparse(decorator) for decorator in node.decorator_list
            ):
                found.append((f"{path.name}:{node.name}", node))
    return found


def test_cached_page_data_is_keyed_by_the_user_and_never_audits():
    """Streamlit's caches are shared by every session: a cached read must carry the user (or
    be per session), and a cache hit must not skip an audit or usage record."""
    auditing = auditing_functions()
    assert {"record_customer_view", "search_customers", "export_frame"} <= auditing
    for name, function in cached_functions():
        decorator = " ".join(ast.unparse(d) for d in function.decorator_list)
        annotations = [
            ast.unparse(arg.annotation or ast.Constant("")) for arg in function.args.args
        ]
        assert "SignedInUser" in annotations or "scope='session'" in decorator, name
        called = {
            getattr(call.func, "attr", getattr(call.func, "id", ""))
            for call in ast.walk(function)
            if isinstance(call, ast.Call)
        }
        assert not called & auditing, name


SSO_EMAIL = "han.gyoyuk@dreams.co.kr"
SSO_SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-real-secret",
    "client_id": "dreams-console",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://login.example.co.kr/.well-known/openid-configuration",
}


@pytest.fixture
def sso_console(handmade_url, monkeypatch):
    """The console with a provider configured and the trainer's company e-mail linked."""
    engine = make_engine(handmade_url)
    with engine.begin() as conn:
        conn.execute(update(User).where(User.username == "trainer").values(sso_email=SSO_EMAIL))
    monkeypatch.setenv("CRM_DATABASE_URL", handmade_url)
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "0")
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at.secrets["auth"] = SSO_SECRETS
    yield at
    with engine.begin() as conn:
        conn.execute(update(User).where(User.username == "trainer").values(sso_email=None))
    engine.dispose()
    st.cache_data.clear()


def test_with_sso_configured_the_company_account_button_shows(sso_console):
    sso_console.user = {"is_logged_in": False}
    sso_console.run()
    assert [button.label for button in sso_console.button] == ["회사 계정으로 로그인", "로그인"]


def test_a_linked_company_account_signs_in_as_its_user(sso_console):
    sso_console.user = {"is_logged_in": True, "email": SSO_EMAIL, "name": "한교육"}
    sso_console.run()
    assert not sso_console.exception
    assert titles(sso_console) == ["한교육님, 안녕하세요"]
    assert sso_console.session_state["signed_in_user"].username == "trainer"
    sso_console.sidebar.button[0].click().run()  # signing out ends the provider's cookie too
    assert sso_console.user.get("is_logged_in") is False
    assert titles(sso_console) == [SIGN_IN_TITLE]


def test_an_unlinked_company_account_is_refused_with_a_way_out(sso_console):
    sso_console.user = {"is_logged_in": True, "email": "stranger@example.com"}
    sso_console.run()
    assert titles(sso_console) == [SIGN_IN_TITLE]
    assert sso_console.error[0].value.startswith("이 회사 계정은 콘솔 사용자와 연결되어")
    assert "회사 계정에서 로그아웃" in [button.label for button in sso_console.button]


@pytest.fixture
def reviewed_console(databases, monkeypatch):
    """The console over tests/handmade.py plus this month's trail of tests/security_data.py."""
    engine = databases.new("audit_page")
    with engine.begin() as conn:
        handmade.load(conn)
        security_data.load_trail(conn)
    monkeypatch.setenv("CRM_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "0")
    yield new_console()
    st.cache_data.clear()


def test_the_monthly_review_lists_whoever_exported(reviewed_console):
    sign_in(reviewed_console, "admin", PASSWORD)
    open_url(reviewed_console, "audit")
    assert not reviewed_console.tabs[1].dataframe, "the review waits until its tab opens"
    open_tab(reviewed_console, "audit_tab", "월간 접근 검토")
    review = reviewed_console.tabs[1].dataframe[0].value
    # At the real thresholds only the manager's export stands out in the hand-made month.
    assert review[["사용자", "역할", "고객 조회", "내려받기", "내려받음"]].values.tolist() == [
        ["manager", "지점장", 1, 1, True]
    ]


@pytest.fixture
def own_console(databases, monkeypatch):
    """The console over a database of its own (tests here change people's records)."""
    engine = databases.new("people_change")
    with engine.begin() as conn:
        handmade.load(conn)
    monkeypatch.setenv("CRM_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CRM_BUSINESS_DATE", AS_OF.isoformat())
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "0")
    yield engine, new_console()
    engine.dispose()
    st.cache_data.clear()


def test_an_employees_import_ends_the_open_session_of_whoever_it_moves(own_console, tmp_path):
    engine, console = own_console
    sign_in(console, "manager", PASSWORD)
    assert titles(console) == ["오지점님, 안녕하세요"]
    path = tmp_path / "employees.csv"
    path.write_text(
        "employee_no,name,role,branch_code,hire_date,is_active\n"
        "E2,오지점,branch_manager,102,2000-01-03,true\n",
        encoding="utf-8",
    )
    with engine.connect() as conn:
        assert imports.run_import(conn, handmade.ADMIN, "employees", path).written
        conn.commit()
    console.run()
    assert titles(console) == [SIGN_IN_TITLE]
    assert console.info[0].value.startswith("관리자가 계정을 변경하여 로그아웃되었습니다")
    sign_in(console, "manager", PASSWORD)
    assert console.session_state["signed_in_user"].branch_id == 2


def test_a_wrong_password_an_unknown_name_and_a_locked_account_read_the_same(own_console):
    _, console = own_console
    answers = []
    for attempt in range(MAX_FAILED_SIGN_INS):
        sign_in(console, "manager", f"not-the-password-{attempt}")
        answers.append([error.value for error in console.error])
    sign_in(console, "no.such.person", PASSWORD)
    answers.append([error.value for error in console.error])
    sign_in(console, "manager", PASSWORD)  # locked now: this address never signed in as manager
    answers.append([error.value for error in console.error])
    assert titles(console) == [SIGN_IN_TITLE]
    assert all(answer == answers[0] for answer in answers)
    assert answers[0][0].startswith("아이디 또는 비밀번호가 맞지 않습니다")


def test_the_users_page_refuses_a_password_that_is_easy_to_guess(own_console):
    _, console = own_console
    sign_in(console, "admin", PASSWORD)
    open_url(console, "users")
    create = console.tabs[1]
    create.text_input[0].input("new.rep")
    create.text_input[1].input("password1234")
    create.button[0].click()
    console.run()
    assert not console.exception
    assert console.error[0].value.startswith("너무 쉽게 짐작되는 비밀번호입니다")
    assert "new.rep" not in console.tabs[0].dataframe[0].value["아이디"].tolist()
