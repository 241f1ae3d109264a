"""Security in a real browser: URLs typed straight into the address bar for every role, a deep
link that survives sign-in, markup that stays text, and sign-out everywhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import or_, select

from data_access.core.db import (
    make_engine,
)
from data_access.core.models import (
    Customer,
    User,
)
from jobs import demo
from tests.e2e.conftest import ARTIFACTS, streamlit_server, wait_until_idle
from tests.e2e.test_sign_in import sign_in, sign_out_button
from ui.messages import translate
from ui.navigation import PAGES, pages_for

ScreenshotSaver = Callable[[str], Path]
REFUSAL = translate("page_not_permitted_title", "ko")
XSS_NOTE = "<img src=x onerror=\"document.title='pwned'\"><script>alert(1)</script> 메모"


@pytest.fixture(scope="module", autouse=True)
def navigation_known(browser: Browser, console_url: str) -> None:
    """Open the console once before the deep links: the first session of a server process
    runs in Streamlit's legacy page mode, where only pages/ file names are known (see
    ui/navigation.py), so that very first session gets a "page not found" notice that blocks
    the form until dismissed."""
    context = browser.new_context()
    first = context.new_page()
    first.goto(console_url)
    wait_until_idle(first)
    context.close()


def sign_in_here(page: Page, username: str) -> None:
    """Sign in on the form the current address shows (a deep link keeps its address)."""
    page.get_by_label("아이디", exact=True).fill(username)
    page.get_by_label("비밀번호", exact=True).fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="로그인", exact=True).click()
    expect(sign_out_button(page)).to_be_visible()
    wait_until_idle(page)


def role_of(username: str):
    return next(account.role for account in demo.DEMO_ACCOUNTS if account.username == username)


@pytest.mark.parametrize("username", [account.username for account in demo.DEMO_ACCOUNTS])
def test_a_url_typed_for_a_page_outside_the_role_is_refused(
    page: Page, console_url: str, screenshot: ScreenshotSaver, username: str
) -> None:
    """Each role types the address of one page it may not use, then of one it may."""
    allowed = {spec.key for spec in pages_for(role_of(username))}
    refused = next(spec for spec in PAGES if spec.key not in allowed)
    page.goto(f"{console_url}/{refused.key}")
    expect(page.get_by_label("아이디", exact=True)).to_be_visible()  # signed out: the form only
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    sign_in_here(page, username)
    expect(page.get_by_role("heading", name=REFUSAL)).to_be_visible()
    expect(page.get_by_text("이 화면은 귀하의 역할로 사용할 수 없습니다")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name=translate(f"page_{refused.key}", "ko"))).to_have_count(0)
    screenshot(f"security_refused_{username}_{refused.key}")
    expect(page.get_by_test_id("stException")).to_have_count(0)


def reps_customers(database_url: str) -> tuple[str, str]:
    """The first customer in the demo rep's own book, and the first outside it."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rep = select(User.employee_id).where(User.username == "rep").scalar_subquery()
            first = select(Customer.customer_no).order_by(Customer.id).limit(1)
            own = conn.execute(first.where(Customer.manager_id == rep)).scalar_one()
            other = conn.execute(
                first.where(or_(Customer.manager_id != rep, Customer.manager_id.is_(None)))
            ).scalar_one()
    finally:
        engine.dispose()
    return own, other


def test_a_deep_link_to_a_customer_survives_sign_in_and_asks_why_outside_ones_book(
    page: Page, console_url: str, demo_database_url: str, screenshot: ScreenshotSaver
) -> None:
    _, other = reps_customers(demo_database_url)
    page.goto(f"{console_url}/customer?customer={other}")
    screenshot("security_deep_link_signed_out")
    sign_in_here(page, "rep")
    expect(page.get_by_role("heading", name="고객 360")).to_be_visible()
    assert page.url.endswith(f"/customer?customer={other}")
    # Another rep's customer: the reason comes before any personal data.
    expect(page.get_by_text(translate("view_reason_needed", "ko")[:20])).to_be_visible()
    expect(page.get_by_test_id("stCaptionContainer").filter(has_text=other)).to_have_count(0)
    screenshot("security_deep_link_reason_asked")
    page.get_by_role("button", name=translate("view_reason_open", "ko")).click()
    expect(page.get_by_test_id("stCaptionContainer").filter(has_text=other)).not_to_have_count(0)
    assert page.url.endswith(f"/customer?customer={other}")
    screenshot("security_deep_link_after_sign_in")


def test_markup_typed_into_a_note_stays_text(
    page: Page, console_url: str, demo_database_url: str, screenshot: ScreenshotSaver
) -> None:
    own, _ = reps_customers(demo_database_url)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{console_url}/customer?customer={own}")
    sign_in_here(page, "rep")
    page.get_by_role("tab", name="상담", exact=True).click()
    page.get_by_label("상담 내용").fill(XSS_NOTE)
    page.get_by_role("button", name="기록 저장").click()
    expect(page.get_by_text("상담 기록을 저장했습니다.")).to_be_visible()
    wait_until_idle(page)
    screenshot("security_markup_note_as_text")
    assert dialogs == []
    assert page.title() != "pwned"
    expect(page.locator("img[src='x']")).to_have_count(0)


def test_sign_out_everywhere_ends_the_other_browsers_session(
    browser: Browser, page: Page, console_url: str, screenshot: ScreenshotSaver
) -> None:
    sign_in(page, console_url, "trainer", demo.DEMO_PASSWORD)
    expect(sign_out_button(page)).to_be_visible()
    other = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul").new_page()
    try:
        sign_in(other, console_url, "trainer", demo.DEMO_PASSWORD)
        expect(sign_out_button(other)).to_be_visible()
        page.get_by_test_id("stSidebar").get_by_role("button", name="모든 기기의 세션 종료").click()
        expect(page.get_by_text("모든 기기에서 로그아웃되었습니다")).to_be_visible()
        screenshot("security_signed_out_everywhere")
        # The other browser's page clears by itself, without waiting for a click there.
        expect(other.get_by_label("아이디", exact=True)).to_be_visible()
        expect(sign_out_button(other)).to_have_count(0)
    finally:
        other.context.close()


def test_the_admin_audit_page(page: Page, console_url: str, screenshot: ScreenshotSaver) -> None:
    page.goto(f"{console_url}/audit")
    sign_in_here(page, "admin")
    expect(page.get_by_role("heading", name="감사 기록")).to_be_visible()
    page.get_by_label("사용자 아이디").first.fill("admin")
    page.get_by_role("button", name="검색", exact=True).click()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    expect(page.get_by_text("최근 순, 최대")).to_be_visible()
    screenshot("security_audit_search")
    page.get_by_role("tab", name="월간 접근 검토").click()
    expect(page.get_by_text("검토할 달")).to_be_visible()  # the tab runs once it opens
    wait_until_idle(page)
    screenshot("security_audit_review")
    page.get_by_role("tab", name="위변조 점검").click()
    page.get_by_role("button", name="지금 점검").click()
    expect(page.get_by_text("모두 온전합니다")).to_be_visible()
    page.get_by_role("tab", name="내려받기 권한·SSO").click()
    expect(page.get_by_role("heading", name="내려받기 권한")).to_be_visible()
    wait_until_idle(page)
    screenshot("security_audit_grants")
    expect(page.get_by_test_id("stException")).to_have_count(0)


# A tenth of a minute: the console checks every second, so the page clears within seconds.
IDLE_MINUTES = "0.1"
IDLE_CLEARED_TIMEOUT_MS = 30_000


@pytest.fixture
def impatient_console_url(demo_database_url: str) -> Iterator[str]:
    """The console signing people out after six seconds without a click."""
    with streamlit_server(
        demo_database_url,
        ARTIFACTS / "e2e-idle-streamlit.log",
        CRM_SESSION_IDLE_MINUTES=IDLE_MINUTES,
        CRM_IN_PROCESS_SCHEDULER="0",
    ) as base_url:
        yield base_url


def test_a_page_left_idle_clears_itself_without_a_click(
    page: Page, impatient_console_url: str, screenshot: ScreenshotSaver
) -> None:
    sign_in(page, impatient_console_url, "trainer", demo.DEMO_PASSWORD)
    expect(sign_out_button(page)).to_be_visible()
    screenshot("security_idle_before")
    # Nobody touches the page: the sign-in form comes back by itself, saying why.
    expect(page.get_by_label("아이디", exact=True)).to_be_visible(timeout=IDLE_CLEARED_TIMEOUT_MS)
    expect(page.get_by_text("동안 사용하지 않아 로그아웃되었습니다")).to_be_visible()
    expect(sign_out_button(page)).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    screenshot("security_idle_cleared")
