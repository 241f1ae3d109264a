"""Signing in to the console in a real browser, in Korean, as the demo branch manager."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from jobs import demo
from ui.messages import translate
from ui.navigation import pages_for

ScreenshotSaver = Callable[[str], Path]


def sign_in(page: Page, console_url: str, username: str, password: str) -> None:
    page.goto(console_url)
    page.get_by_label("아이디", exact=True).fill(username)
    page.get_by_label("비밀번호", exact=True).fill(password)
    page.get_by_role("button", name="로그인", exact=True).click()


def sign_out_button(page: Page) -> Locator:
    return page.get_by_test_id("stSidebar").get_by_role("button", name="로그아웃")


def test_branch_manager_signs_in_and_reaches_home(
    page: Page, console_url: str, screenshot: ScreenshotSaver
) -> None:
    sign_in(page, console_url, "manager", demo.DEMO_PASSWORD)

    expect(sign_out_button(page)).to_be_visible()
    screenshot("sign_in_home_branch_manager")
    # What must not happen: an error box (details are hidden by showErrorDetails = "none",
    # so look for the element too) or a traceback instead of the home page.
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)


def test_wrong_password_is_refused_in_words(
    page: Page, console_url: str, screenshot: ScreenshotSaver
) -> None:
    sign_in(page, console_url, "manager", demo.DEMO_PASSWORD + "-wrong")

    expect(page.get_by_text("아이디 또는 비밀번호")).to_be_visible()
    screenshot("sign_in_wrong_password")
    expect(sign_out_button(page)).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.mark.parametrize("username", [account.username for account in demo.DEMO_ACCOUNTS])
def test_each_role_sees_exactly_its_declared_pages(
    page: Page, console_url: str, screenshot: ScreenshotSaver, username: str
) -> None:
    """Streamlit's legacy pages/ discovery must not add entries to anyone's sidebar."""
    role = next(account.role for account in demo.DEMO_ACCOUNTS if account.username == username)
    expected = [translate(f"page_{spec.key}", "ko") for spec in pages_for(role)]

    sign_in(page, console_url, username, demo.DEMO_PASSWORD)

    expect(sign_out_button(page)).to_be_visible()
    links = page.get_by_test_id("stSidebarNav").get_by_role("link")
    if len(expected) == 1:
        expect(links).to_have_count(0)  # Streamlit shows no menu for a single page
    else:
        # Each link's text is its material icon's name followed by the title.
        expect(links).to_have_text([re.compile(f"{re.escape(title)}$") for title in expected])
    screenshot(f"home_{username}")
    expect(page.get_by_test_id("stException")).to_have_count(0)
