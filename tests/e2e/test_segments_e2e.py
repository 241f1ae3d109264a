"""An executive in a real browser builds a segment, saves it and draws a DM campaign from it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from jobs import demo
from tests.e2e.conftest import metric_value, wait_until_idle
from tests.e2e.test_sign_in import sign_in

ScreenshotSaver = Callable[[str], Path]


def test_executive_builds_a_segment_and_draws_a_campaign(
    page: Page, console_url: str, screenshot: ScreenshotSaver
) -> None:
    sign_in(page, console_url, "exec", demo.DEMO_PASSWORD)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="세그먼트").first.click()
    expect(page.get_by_role("heading", name="세그먼트 탐색")).to_be_visible()
    wait_until_idle(page)
    build = page.get_by_role("button", name="지금 사본 만들기")
    if build.count():  # a fresh demo database has no analytical copy yet
        build.click()
        expect(page.get_by_text("사본을 만들었습니다")).to_be_visible()
    everyone = metric_value(page, "전체 고객")
    assert everyone > 0

    field = page.get_by_test_id("stSelectbox").filter(has_text="항목").first
    field.click()
    page.get_by_role("option", name="등급", exact=True).click()
    wait_until_idle(page)
    page.get_by_test_id("stMultiSelect").filter(has_text="값").first.click()
    page.get_by_role("option", name="VIP", exact=True).click()
    page.keyboard.press("Escape")
    page.get_by_role("heading", name="세그먼트 탐색").click()  # leave the list: the choice is sent
    matched = page.get_by_test_id("stMetric").filter(has_text="해당 고객").first
    expect(matched.get_by_test_id("stMetricValue")).not_to_have_text(f"{everyone:,}")
    wait_until_idle(page)
    vip = metric_value(page, "해당 고객")
    assert 0 < vip < everyone
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(5)
    screenshot("segments_vip_builder")
    page.get_by_role("heading", name="세그먼트 특성 (전체 고객 대비)").scroll_into_view_if_needed()
    page.get_by_test_id("stVegaLiteChart").nth(2).scroll_into_view_if_needed()
    screenshot("segments_vip_profile")

    page.get_by_label("세그먼트 이름").fill("VIP 고객 (e2e)")
    page.get_by_label("세그먼트 이름").press("Enter")
    page.get_by_role("button", name="새 세그먼트로 저장").click()
    expect(page.get_by_text("'VIP 고객 (e2e)' 버전 1을(를) 저장했습니다.")).to_be_visible()

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="DM·TM 캠페인").first.click()
    expect(page.get_by_role("heading", name="DM·TM 캠페인")).to_be_visible()
    wait_until_idle(page)
    page.get_by_label("캠페인 이름").fill("VIP 봄 DM")
    page.get_by_label("캠페인 이름").press("Enter")
    segment = page.get_by_test_id("stSelectbox").filter(has_text="세그먼트").first
    segment.click()
    page.get_by_role("option").filter(has_text="VIP 고객 (e2e)").first.click()
    wait_until_idle(page)
    size = page.get_by_label("표본 크기 (통제군 포함)")
    size.fill("10")
    size.press("Enter")
    wait_until_idle(page)
    page.get_by_role("button", name="미리 보기").click()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    screenshot("campaigns_preview")
    page.get_by_role("button", name="표본 추출 및 캠페인 생성").click()
    expect(page.get_by_text("발송 9명, 통제군 1명.")).to_be_visible()
    page.get_by_role("tab", name="캠페인", exact=True).click()
    wait_until_idle(page)
    report = page.get_by_role("heading", name="캠페인 효과")
    expect(report).to_be_visible()
    page.get_by_test_id("stVegaLiteChart").last.scroll_into_view_if_needed()
    screenshot("campaigns_report")
    expect(page.get_by_test_id("stException")).to_have_count(0)
