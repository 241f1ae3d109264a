"""A rep works a happy call in a real browser (issue #22): the call is on the morning agenda,
the customer's record reads its questions, the outcome recorded there also works the item.

The console runs on a demo database of its own (the session's small demo plus the demo's sales
and happy calls, jobs/demo_conduct.py), so the other browser tests' agendas stay as they are.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from data_access.agenda import agenda
from data_access.core import job_runs
from jobs import demo, demo_conduct
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
def conduct_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    def with_happy_calls(engine: Engine) -> None:
        assert demo_conduct.run(engine, BUSINESS_DATE)["happy_calls"] > 0
        built = agenda.build_agenda(engine, BUSINESS_DATE, force=True)
        assert built.status == job_runs.SUCCEEDED, built.error

    url = demo_database(tmp_path_factory.mktemp("e2e-conduct"), with_happy_calls)
    with streamlit_server(url, ARTIFACTS / "e2e-streamlit-conduct.log") as base_url:
        yield base_url


def test_rep_works_a_happy_call_from_the_agenda(
    page: Page, conduct_console: str, screenshot: ScreenshotSaver
) -> None:
    sign_in(page, conduct_console, "rep", demo.DEMO_PASSWORD)
    expect(sign_out_button(page)).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="아젠다").first.click()
    expect(page.get_by_role("heading", name="해피콜", exact=True)).to_be_visible()
    wait_until_idle(page)
    done_before = metric_value(page, "완료")
    screenshot("happy_call_agenda")

    # The first customer listed under the happy-call heading.
    call_link = page.get_by_role("heading", name="해피콜", exact=True).locator(
        "xpath=following::*[@data-testid='stPageLink'][1]"
    )
    customer_no = call_link.inner_text().rsplit("·", 1)[-1].strip()
    call_link.click()
    wait_until_idle(page)
    # The caller is another person of the branch, so the customer is usually not in the rep's
    # own book: the record asks why it is opened first (a customer contact, preselected).
    reason_button = page.get_by_role("button", name="사유 남기고 열기")
    record_button = page.get_by_role("button", name="해피콜 결과 기록").first
    expect(reason_button.or_(record_button).first).to_be_visible()
    if reason_button.is_visible():
        screenshot("happy_call_view_reason")
        reason_button.click()
        wait_until_idle(page)
    expect(page.get_by_text(customer_no).first).to_be_visible()
    call_box = page.get_by_test_id("stForm").filter(has_text="해피콜 결과 기록").first
    expect(record_button).to_be_visible()
    expect(page.get_by_text("원금 손실이 날 수 있다는 설명을 들으셨습니까?").first).to_be_visible()
    expect(page.get_by_text("이 상품의 위험등급이").first).to_be_visible()
    screenshot("happy_call_questions")

    call_box.get_by_role("textbox").fill("위험등급과 원금 손실 가능성을 이해했다고 함")
    call_box.get_by_role("button", name="해피콜 결과 기록").click()
    expect(
        page.get_by_text("해피콜 결과를 기록했습니다: 통화 완료·이해함(시도 1회).")
    ).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("happy_call_recorded")

    page.get_by_role("tab", name="판매·해피콜").click()
    sales = page.get_by_test_id("stDataFrame").filter(has_text="적합성")
    expect(sales).to_be_visible()
    expect(page.get_by_role("button", name="판매 기록", exact=True)).to_be_visible()
    screenshot("happy_call_sales_tab")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="아젠다").first.click()
    expect(page.get_by_role("heading", name="오늘의 아젠다")).to_be_visible()
    wait_until_idle(page)
    assert metric_value(page, "완료") == done_before + 1
    screenshot("happy_call_agenda_after")
