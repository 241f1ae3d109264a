"""A rep's morning in a real browser: open today's agenda, record a call, open the customer."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from data_access.agenda import agenda
from data_access.core import job_runs
from data_access.core.db import (
    make_engine,
)
from jobs import demo
from tests.e2e.conftest import BUSINESS_DATE, wait_until_idle
from tests.e2e.test_sign_in import sign_in, sign_out_button

ScreenshotSaver = Callable[[str], Path]


@pytest.fixture(scope="module")
def todays_agenda(demo_database_url: str) -> None:
    """Build today's agenda (the console's business date) as the 06:00 job would have."""
    engine = make_engine(demo_database_url)
    try:
        outcome = agenda.build_agenda(engine, BUSINESS_DATE, force=True)
    finally:
        engine.dispose()
    # SKIPPED means the console's own scheduler is building the same date right now.
    assert outcome.status in (job_runs.SUCCEEDED, job_runs.SKIPPED), outcome.error


def test_rep_works_an_agenda_item_and_opens_the_customer(
    page: Page, console_url: str, screenshot: ScreenshotSaver, todays_agenda: None
) -> None:
    sign_in(page, console_url, "rep", demo.DEMO_PASSWORD)
    expect(sign_out_button(page)).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="아젠다").first.click()

    expect(page.get_by_role("heading", name="오늘의 아젠다")).to_be_visible()
    left_metric = page.get_by_test_id("stMetric").filter(has_text="남은 일")
    expect(left_metric).to_be_visible()
    left_before = int(left_metric.get_by_test_id("stMetricValue").inner_text().replace(",", ""))
    assert left_before > 0, "the demo rep's book should give an agenda with open items"
    screenshot("agenda_rep_morning")

    first_form = page.get_by_test_id("stForm").first
    # A click on the box (its placeholder) only focuses it; the arrow key opens the list.
    first_form.get_by_test_id("stMultiSelect").get_by_role("combobox").click()
    page.keyboard.press("ArrowDown")
    # A customer's option ("name · number"), not the list's "select all" entry.
    page.get_by_role("option").filter(has_text="·").first.click()
    page.keyboard.press("Escape")
    first_form.get_by_role("button", name="기록", exact=True).click()

    expect(page.get_by_text("1건을 기록했습니다.")).to_be_visible()
    expect(left_metric.get_by_test_id("stMetricValue")).to_have_text(f"{left_before - 1:,}")
    screenshot("agenda_rep_after_recording")

    customer_link = page.get_by_test_id("stPageLink").first
    customer_no = customer_link.inner_text().rsplit("·", 1)[-1].strip()
    customer_link.click()
    wait_until_idle(page)
    expect(page).to_have_url(
        re.compile(re.escape(f"{console_url}/customer?customer={customer_no}&from=agenda&rule="))
    )
    expect(page.get_by_text(customer_no).first).to_be_visible()
    expect(page.get_by_text("오늘의 아젠다 · ")).to_be_visible()  # why it is on the agenda
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("agenda_rep_opened_customer")
