"""A compliance officer closes a complaint in a real browser (issue #22): the overdue case is
on their home page, its link opens the case, the resolution closes it, and the home page no
longer counts it.

The console runs on a demo database of its own (the session's small demo plus the demo's
complaints, jobs/demo_complaints.py), so the other browser tests' pages stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from jobs import demo, demo_complaints
from tests.e2e.conftest import (
    ARTIFACTS,
    BUSINESS_DATE,
    ScreenshotSaver,
    demo_database,
    metric_value,
    streamlit_server,
    wait_until_idle,
)
from tests.e2e.test_sign_in import sign_in, sign_out_button


@pytest.fixture(scope="module")
def complaints_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    def with_complaints(engine: Engine) -> None:
        assert demo_complaints.run(engine, BUSINESS_DATE)["cases"] > 0

    url = demo_database(tmp_path_factory.mktemp("e2e-complaints"), with_complaints)
    with streamlit_server(url, ARTIFACTS / "e2e-streamlit-complaints.log") as base_url:
        yield base_url


def test_compliance_closes_an_overdue_complaint(
    page: Page, complaints_console: str, screenshot: ScreenshotSaver
) -> None:
    sign_in(page, complaints_console, "compliance", demo.DEMO_PASSWORD)
    expect(sign_out_button(page)).to_be_visible()
    expect(page.get_by_role("heading", name="민원", exact=True)).to_be_visible()
    wait_until_idle(page)
    overdue_before = metric_value(page, "기한 경과")
    assert overdue_before >= 1
    screenshot("complaints_compliance_home")

    # The first pressing case on the home page is the most overdue one.
    case_link = page.get_by_test_id("stPageLink").filter(has_text="경과").first
    case_no = re.search(r"\d{4}-\d{6}", case_link.inner_text()).group()
    case_link.click()
    wait_until_idle(page)
    heading = page.get_by_role("heading", name=f"민원 {case_no}", exact=False)
    expect(heading).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError").first).to_be_visible()  # overdue
    heading.scroll_into_view_if_needed()
    screenshot("complaints_case_overdue")

    close_form = page.get_by_test_id("stForm").filter(has_text="처리 결과").last
    close_form.get_by_role("textbox").fill("고객 면담 후 수수료 착오분 환급, 결과 서면 안내")
    close_form.get_by_role("button", name="종결").click()
    expect(page.get_by_text("민원을 종결했습니다.")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(
        page.get_by_text("고객 면담 후 수수료 착오분 환급, 결과 서면 안내").first
    ).to_be_visible()
    heading.scroll_into_view_if_needed()
    screenshot("complaints_case_closed")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="홈").first.click()
    expect(page.get_by_role("heading", name="민원", exact=True)).to_be_visible()
    wait_until_idle(page)
    assert metric_value(page, "기한 경과") == overdue_before - 1
    screenshot("complaints_compliance_home_after")
