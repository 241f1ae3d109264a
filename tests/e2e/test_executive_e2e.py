"""An executive's look at the firm in a real browser: KPI tiles, trend, league table, a branch."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from data_access.core import job_runs
from data_access.core.db import (
    make_engine,
)
from data_access.kpis.home import (
    demo_settings,
)
from jobs import demo
from jobs import kpis as kpis_job
from tests.e2e.conftest import wait_until_idle
from tests.e2e.test_sign_in import sign_in

ScreenshotSaver = Callable[[str], Path]


@pytest.fixture(scope="module")
def kpi_history(demo_database_url: str) -> None:
    """The snapshots `python -m jobs demo-data` backfills after generating the demo."""
    engine = make_engine(demo_database_url)
    try:
        with engine.connect() as conn:
            as_of = demo_settings(conn)["demo_as_of"]
        outcome = kpis_job.after_demo_data(engine, dt.date.fromisoformat(as_of))
    finally:
        engine.dispose()
    assert outcome["status"] == job_runs.SUCCEEDED, outcome


def test_executive_reads_the_firm_and_opens_a_branch(
    page: Page, console_url: str, screenshot: ScreenshotSaver, kpi_history: None
) -> None:
    sign_in(page, console_url, "exec", demo.DEMO_PASSWORD)
    kpi_link = page.get_by_test_id("stSidebarNav").get_by_role("link", name="경영 KPI")
    expect(kpi_link).to_be_visible()
    kpi_link.click()

    expect(page.get_by_role("heading", name="경영 KPI · 전사")).to_be_visible()
    aum = page.get_by_test_id("stMetric").filter(has_text="수탁고(AUM)")
    expect(aum.get_by_test_id("stMetricValue")).to_contain_text("₩")
    expect(page.get_by_role("heading", name="지점 순위표")).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("executive_firm")
    page.get_by_role("heading", name="지점 순위표").scroll_into_view_if_needed()
    screenshot("executive_league")
    page.get_by_role("heading", name="지역별 현황").scroll_into_view_if_needed()
    screenshot("executive_regions")

    # Choosing a branch under the league table opens it at its ?branch=<code> deep link.
    page.get_by_test_id("stSelectbox").filter(has_text="지점으로 들어가기").click()
    page.keyboard.type("(101)")
    page.keyboard.press("Enter")
    wait_until_idle(page)
    expect(page).to_have_url(re.compile(r"/executive\?branch=101$"))
    branch_title = page.get_by_role("heading", name=re.compile(r"경영 KPI · .+ \(101\)"))
    expect(branch_title).to_be_visible()
    branch_title.scroll_into_view_if_needed()
    expect(page.get_by_role("heading", name="지점 순위표")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("executive_branch_101")


def test_branch_manager_home_compares_the_branch_with_the_firm_median(
    page: Page, console_url: str, screenshot: ScreenshotSaver, kpi_history: None
) -> None:
    sign_in(page, console_url, "manager", demo.DEMO_PASSWORD)
    heading = page.get_by_role("heading", name="내 지점 KPI · 전사 중앙값과 비교")
    expect(heading).to_be_visible()
    heading.scroll_into_view_if_needed()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("executive_home_branch_manager")
