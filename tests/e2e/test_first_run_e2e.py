"""A new user's very first run in a real browser: the console on a new, empty SQLite file fills
the demo data with no page list in the sidebar, then every address asks to sign in, and a deep
link opened during the fill survives sign-in."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from jobs import demo
from tests.e2e.conftest import ARTIFACTS, ScreenshotSaver, streamlit_server, wait_until_idle
from tests.e2e.test_sign_in import sign_out_button
from ui.messages import translate

FILLING = translate("first_run_title", "ko")
FILL_TIMEOUT_S = 300
POLL_MS = 200
DEEP_LINK = f"/customer?customer={demo.FIRST_CUSTOMER_NO}"


@pytest.fixture
def first_run_console_url(tmp_path: Path) -> Iterator[str]:
    """`streamlit run app.py` over a new, empty SQLite file, with a small demo to fill."""
    with streamlit_server(
        f"sqlite:///{tmp_path / 'first_run.db'}",
        ARTIFACTS / "e2e-first-run-streamlit.log",
        CRM_DEMO_ON_EMPTY="1",
        CRM_DEMO_CUSTOMERS="300",
        CRM_DEMO_USAGE_DAYS="2",
        CRM_IN_PROCESS_SCHEDULER="0",
    ) as base_url:
        yield base_url


def progress_lines(page: Page) -> set[str]:
    try:
        return {line.strip() for line in page.get_by_test_id("stProgress").all_inner_texts()}
    except PlaywrightError:  # a bar replaced while it was read
        return set()


def sign_in_form(page: Page) -> Locator:
    return page.get_by_label("아이디", exact=True)


def test_the_first_run_fills_the_demo_without_a_page_list_then_asks_to_sign_in(
    page: Page, first_run_console_url: str, screenshot: ScreenshotSaver
) -> None:
    page.goto(first_run_console_url)
    expect(page.get_by_text(FILLING)).to_be_visible()
    # A second tab opened during the fill, at a deep link, waits for the same fill.
    deep_link_tab = page.context.new_page()
    deep_link_tab.goto(first_run_console_url + DEEP_LINK)
    screenshot("first_run_filling", settle=False)

    # Watch both tabs for the whole fill, rows then history: neither sidebar may list pages
    # while the rows fill. The progress lines name each step in Korean (a table's title, a
    # step of the history, never a code).
    steps: set[str] = set()
    deadline = time.monotonic() + FILL_TIMEOUT_S
    while not sign_in_form(page).is_visible():
        assert time.monotonic() < deadline, f"the demo fill took over {FILL_TIMEOUT_S}s"
        for tab in (page, deep_link_tab):
            assert tab.get_by_test_id("stSidebarNav").count() == 0, f"page list in {tab.url}"
        steps.update(progress_lines(page))
        page.wait_for_timeout(POLL_MS)
    history = page.get_by_test_id("stSidebar").get_by_test_id("stProgress")
    history_steps: set[str] = set()
    while history.count():
        assert time.monotonic() < deadline, f"the demo history took over {FILL_TIMEOUT_S}s"
        history_steps.update(progress_lines(page))
        page.wait_for_timeout(POLL_MS)
    assert history_steps, "the history's progress was not shown in the sidebar"
    shown = {step for step in steps | history_steps if step}
    assert not [step for step in shown if re.search(r"[a-z]{3}", step)], shown

    expect(page.get_by_label("비밀번호", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    screenshot("first_run_sign_in_after_fill")
    expect(page.get_by_test_id("stException")).to_have_count(0)

    # The deep link tab shows the sign-in form at its own address, and the page after sign-in.
    expect(sign_in_form(deep_link_tab)).to_be_visible()
    expect(deep_link_tab.get_by_test_id("stSidebarNav")).to_have_count(0)
    assert deep_link_tab.url.endswith(DEEP_LINK)
    sign_in_form(deep_link_tab).fill("rep")
    deep_link_tab.get_by_label("비밀번호", exact=True).fill(demo.DEMO_PASSWORD)
    deep_link_tab.get_by_role("button", name="로그인", exact=True).click()
    expect(sign_out_button(deep_link_tab)).to_be_visible()
    wait_until_idle(deep_link_tab)
    expect(deep_link_tab.get_by_role("heading", name="고객 360")).to_be_visible()
    assert deep_link_tab.url.endswith(DEEP_LINK)
    expect(deep_link_tab.get_by_test_id("stException")).to_have_count(0)


@pytest.fixture
def default_first_run_url(tmp_path: Path) -> Iterator[str]:
    """`streamlit run app.py` over a new, empty SQLite file at the README's defaults: the demo
    of 20,000 customers with its 90 days of usage and its history."""
    with streamlit_server(
        f"sqlite:///{tmp_path / 'default_first_run.db'}",
        ARTIFACTS / "e2e-default-first-run-streamlit.log",
        CRM_DEMO_ON_EMPTY="1",
        CRM_IN_PROCESS_SCHEDULER="0",
    ) as base_url:
        yield base_url


def test_a_new_user_signs_in_soon_after_the_first_page_load_and_the_time_is_kept(
    page: Page, default_first_run_url: str, screenshot: ScreenshotSaver
) -> None:
    started = time.monotonic()
    page.goto(default_first_run_url)
    expect(sign_in_form(page)).to_be_visible(timeout=FILL_TIMEOUT_S * 1000)
    seconds = time.monotonic() - started
    # Measured, not asserted: the goal is 30 s on a quiet 2-core machine, and a shared CI
    # machine's load is no property of the console (timings belong to benchmarks).
    (ARTIFACTS / "first-run-sign-in-seconds.txt").write_text(f"{seconds:.1f}\n")
    print(f"\nfirst run: the sign-in form appeared {seconds:.1f} s after the first page load")
    # The history (worked agendas, campaigns, KPIs) has only begun: the sidebar says so.
    history = page.get_by_test_id("stSidebar").get_by_test_id("stProgress")
    expect(history).to_contain_text(translate("history_fill_step", "ko", step="").rstrip(": "))
    screenshot("first_run_default_sign_in", settle=False)

    sign_in_form(page).fill("rep")
    page.get_by_label("비밀번호", exact=True).fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="로그인", exact=True).click()
    expect(sign_out_button(page)).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    screenshot("first_run_default_home_while_filling", settle=False)

    # When the history is in, the progress goes and the page runs again with it.
    expect(history).to_have_count(0, timeout=FILL_TIMEOUT_S * 1000)
    filled = time.monotonic() - started
    print(f"first run: the demo's history was in {filled:.1f} s after the first page load")
    (ARTIFACTS / "first-run-history-seconds.txt").write_text(f"{filled:.1f}\n")
    wait_until_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stSidebar").get_by_test_id("stAlert")).to_have_count(0)
    screenshot("first_run_default_home")
