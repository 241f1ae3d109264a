"""The import, users and data dictionary pages, and the sign-in's password change, via AppTest.

The database holds tests/handmade.py plus one import of tests/imports_data.py's customers file
(so the history has a row). File uploads cannot be driven by AppTest: the Chromium test in
tests/e2e/test_import_e2e.py uploads through the page.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from data_access.admin import users
from data_access.core.models import (
    Role,
    User,
)
from data_access.imports import imports
from tests import handmade
from tests import imports_data as files
from tests.handmade import ADMIN, PASSWORD, USERS
from tests.test_app import TIMEOUT_S, sign_in
from ui.navigation import pages_for

TEMPORARY = "temporary-password-1"


@pytest.fixture(scope="module")
def import_db(databases, tmp_path_factory) -> Engine:
    engine = databases.new("import_pages")
    with engine.begin() as conn:
        handmade.load(conn)
    path = files.write(tmp_path_factory.mktemp("files"), "customers.csv", files.CUSTOMERS)
    with engine.connect() as conn:
        imports.run_import(conn, ADMIN, "customers", Path(path))
    return engine


@pytest.fixture
def console(import_db, monkeypatch) -> Iterator[AppTest]:
    monkeypatch.setenv("CRM_DATABASE_URL", import_db.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CRM_BUSINESS_DATE", handmade.AS_OF.isoformat())
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "0")
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception
    yield at
    # Summaries are cached by user and date, not by database: the same hand-made users on
    # another test database must not get this one's (customer 100000005 joined Kim's book).
    st.cache_data.clear()


def open_page(at: AppTest, username: str, page: str, password: str = PASSWORD) -> AppTest:
    sign_in(at, username, password)
    at.switch_page(page)
    at.run()
    assert not at.exception
    return at


def texts(elements) -> list[str]:
    return [element.value for element in elements]


def page_keys(role: Role) -> set[str]:
    return {page.key for page in pages_for(role)}


def test_only_admins_get_import_users_and_the_dictionary():
    assert {"import", "users", "data_dictionary"} <= page_keys(Role.ADMIN)
    for role in Role:
        if role is not Role.ADMIN:
            assert not {"import", "users", "data_dictionary"} & page_keys(role)


def test_a_rep_cannot_reach_the_import_page_by_its_path(console):
    sign_in(console, "kim", PASSWORD)
    for page in ("pages/import_page.py", "pages/users_page.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            console.switch_page(page)


def test_import_page_offers_kinds_template_and_history(console):
    at = open_page(console, "admin", "pages/import_page.py")
    assert at.title[0].value == "데이터 가져오기"
    assert at.selectbox[0].value == "branches"
    history = at.dataframe[-1].value
    assert history["파일"].tolist() == ["customers.csv"]
    assert history["추가"].tolist() == [1] and history["수정"].tolist() == [1]
    at.selectbox[0].set_value("customers").run()
    layout = at.dataframe[0].value
    assert layout["열"].tolist()[:2] == ["customer_no", "name"]


def test_a_rep_cannot_reach_the_dictionary(console):
    sign_in(console, "kim", PASSWORD)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        console.switch_page("pages/data_dictionary_page.py")


def test_the_dictionary_shows_one_table_at_a_time_and_searches_tables_and_columns(console):
    at = open_page(console, "admin", "pages/data_dictionary_page.py")
    assert len(at.dataframe) == 1  # one table, not a wall of them
    at.text_input(key="dictionary_search").input("phone").run()
    assert at.selectbox(key="dictionary_table").options == ["고객", "연락 금지 번호"]
    assert at.dataframe[0].value["열"].tolist() == ["phone", "phone_last4"]
    at.selectbox(key="dictionary_table").set_value("do_not_call_numbers").run()
    assert at.subheader[0].value == "연락 금지 번호"
    assert len(at.dataframe) == 1
    # A table's own name finds it with all its columns.
    at.text_input(key="dictionary_search").input("감사 기록").run()
    assert at.selectbox(key="dictionary_table").options == ["감사 기록"]
    assert len(at.dataframe[0].value) > 5


def test_admin_dictionary_has_the_audit_trail_and_what_admins_import(console):
    at = open_page(console, "admin", "pages/data_dictionary_page.py")
    tables = set(at.selectbox(key="dictionary_table").options)
    assert {"감사 기록", "사용자", "가져오기 이력", "고객", "계좌"} <= tables


def test_users_page_lists_and_creates(console, import_db):
    at = open_page(console, "admin", "pages/users_page.py")
    assert at.title[0].value == "사용자 관리"
    assert at.dataframe[0].value["아이디"].tolist() == sorted(USERS)
    form = [field for field in at.text_input if field.form_id == "create_user"]
    form[0].input("page.made")
    form[1].input("short")
    at.button(key="FormSubmitter:create_user-사용자 만들기").click().run()
    assert "비밀번호는 12자 이상이어야 합니다." in texts(at.error)
    form = [field for field in at.text_input if field.form_id == "create_user"]
    form[0].input("page.made")
    form[1].input(TEMPORARY)
    at.button(key="FormSubmitter:create_user-사용자 만들기").click().run()
    assert not at.exception
    assert "page\u2060\\.made 사용자를 만들었습니다." in texts(at.success)  # shown as typed
    assert "page.made" in at.dataframe[0].value["아이디"].tolist()


def test_users_page_searches_and_shows_no_none(console):
    at = open_page(console, "admin", "pages/users_page.py")
    at.text_input(key="users_query").input("정경영").run()  # the executive's name
    listed = at.dataframe[0].value
    assert listed["아이디"].tolist() == ["exec"]
    # Head office has no branch and the executive may never have signed in: words, not None.
    assert listed["지점"].tolist() == [""]
    assert listed["마지막 로그인"].tolist()[0] in ("없음",) or "-" in listed["마지막 로그인"][0]
    assert "None" not in listed.astype(str).to_string()


def test_new_user_must_choose_a_password_at_sign_in(console, import_db):
    with import_db.connect() as conn:
        users.create_user(conn, ADMIN, username="first.timer", password=TEMPORARY, role="trainer")
    sign_in(console, "first.timer", TEMPORARY)
    assert [field.label for field in console.text_input] == ["새 비밀번호", "새 비밀번호 확인"]
    console.text_input[0].input("chosen-password-1")
    console.text_input[1].input("chosen-password-2")
    console.button[0].click().run()
    assert "두 비밀번호가 다릅니다. 같은 비밀번호를 두 번 입력하세요." in texts(console.warning)
    console.text_input[0].input("chosen-password-1")
    console.text_input[1].input("chosen-password-1")
    console.button[0].click().run()
    assert not console.exception
    assert console.title[0].value != "드림스 CRM 로그인"
    with import_db.connect() as conn:
        assert not users.must_change_password(
            conn, conn.scalar(select(User.id).where(User.username == "first.timer"))
        )


def test_disabling_a_user_ends_their_session(console, import_db):
    sign_in(console, "park", PASSWORD)
    with import_db.connect() as conn:
        users.set_active(conn, ADMIN, USERS["park"], False)
    try:
        console.run()
        assert console.title[0].value == "드림스 CRM 로그인"
        assert "관리자가 계정을 변경하여 로그아웃되었습니다. 다시 로그인하세요." in texts(
            console.info
        )
    finally:
        with import_db.connect() as conn:
            users.set_active(conn, ADMIN, USERS["park"], True)


def test_users_page_disables_and_resets(console, import_db):
    at = open_page(console, "admin", "pages/users_page.py")
    at.selectbox(key="user_to_edit").set_value("trainer").run()
    try:
        at.button(key="toggle_active").click().run()
        assert "사용을 중지했습니다. 열린 세션도 종료됩니다." in texts(at.success)
        listed = at.dataframe[0].value
        assert listed.loc[listed["아이디"] == "trainer", "사용"].tolist() == [False]
        reset = [field for field in at.text_input if field.form_id == "reset_password"]
        reset[0].input(TEMPORARY)
        at.button(key="FormSubmitter:reset_password-비밀번호 초기화").click().run()
        assert not at.exception
        assert any("임시 비밀번호를 정했습니다" in text for text in texts(at.success))
    finally:
        with import_db.connect() as conn:
            users.set_active(conn, ADMIN, USERS["trainer"], True)
        with import_db.connect() as conn:
            users.reset_password(conn, ADMIN, USERS["trainer"], PASSWORD)
        with import_db.begin() as conn:
            conn.execute(
                User.__table__.update()
                .where(User.id == USERS["trainer"])
                .values(must_change_password=False)
            )
