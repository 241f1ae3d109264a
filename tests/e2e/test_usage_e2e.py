"""The usage page (branch manager) and the training page (trainer) in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from data_access.core.db import (
    make_engine,
)
from data_access.core.models import (
    TrainingCourse,
    TrainingSession,
)
from jobs import demo
from jobs import usage as usage_job
from tests.e2e.conftest import BUSINESS_DATE
from tests.e2e.test_sign_in import sign_in

ScreenshotSaver = Callable[[str], Path]


@pytest.fixture(scope="module")
def counted_usage(demo_database_url: str) -> None:
    """Count the demo's usage events, as `python -m jobs demo-data` does after generating."""
    engine = make_engine(demo_database_url)
    try:
        assert usage_job.after_demo_data(engine) > 0
    finally:
        engine.dispose()


def open_from_sidebar(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).first.click()


def test_branch_manager_reads_staff_usage_and_drills_into_a_person(
    page: Page, console_url: str, screenshot: ScreenshotSaver, counted_usage: None
) -> None:
    sign_in(page, console_url, "manager", demo.DEMO_PASSWORD)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    open_from_sidebar(page, "시스템 활용")

    expect(page.get_by_role("heading", name="직원 시스템 활용")).to_be_visible()
    staff = page.get_by_test_id("stMetric").filter(has_text="직원 수")
    expect(staff.get_by_test_id("stMetricValue")).to_have_text("12")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("usage_branch_manager")

    page.get_by_role("tab", name="기능 활용").click()
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    screenshot("usage_feature_heatmap")

    page.get_by_role("tab", name="미사용·종이 병행").click()
    expect(page.get_by_text("종이 병행 의심").first).to_be_visible()
    screenshot("usage_idle_and_paper")

    page.get_by_role("tab", name="직원 상세").click()
    expect(page.get_by_text("최근 사용 기록")).to_be_visible()
    screenshot("usage_one_person")

    page.get_by_role("tab", name="교육 현황").click()
    expect(page.get_by_text("지점 직원의 교육 이수와 자격 만료 현황입니다.")).to_be_visible()
    screenshot("usage_staff_training")
    expect(page.get_by_test_id("stException")).to_have_count(0)


def results_file(database_url: str) -> str:
    """One good row (the latest finished CRM101 session) and two bad ones."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            ended = conn.execute(
                select(func.max(TrainingSession.ends_on))
                .join(TrainingCourse, TrainingCourse.id == TrainingSession.course_id)
                .where(TrainingCourse.code == "CRM101", TrainingSession.ends_on < BUSINESS_DATE)
            ).scalar_one()
    finally:
        engine.dispose()
    ended = ended if isinstance(ended, str) else ended.isoformat()
    return (
        "employee_no,course_code,completed_on,score\n"
        f"E00012,CRM101,{ended},85\n"
        f"E99999,CRM101,{ended},85\n"
        f"E00011,CRM101,{ended},150\n"
    )


def test_trainer_works_the_training_page(
    page: Page,
    console_url: str,
    demo_database_url: str,
    screenshot: ScreenshotSaver,
    counted_usage: None,
) -> None:
    sign_in(page, console_url, "trainer", demo.DEMO_PASSWORD)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    screenshot("home_trainer")
    open_from_sidebar(page, "교육 관리")

    expect(page.get_by_role("heading", name="교육 관리")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    screenshot("training_catalogue")

    page.get_by_role("tab", name="결과 입력").click()
    expect(page.get_by_text("CSV 가져오기")).to_be_visible()
    screenshot("training_results")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[
            {
                "name": "results.csv",
                "mimeType": "text/csv",
                "buffer": results_file(demo_database_url).encode(),
            }
        ]
    )
    expect(page.get_by_text("3행 중 1행은 반영할 수 있고 2행은 문제가 있습니다.")).to_be_visible()
    screenshot("training_import_checked")
    page.get_by_role("button", name="문제없는 1행 반영").click()
    expect(page.get_by_text("반영했습니다: 새로").first).to_be_visible()

    page.get_by_role("tab", name="자격 만료").click()
    expect(page.get_by_text("빨강은 만료")).to_be_visible()
    screenshot("training_certificates")

    page.get_by_role("tab", name="이수 현황").click()
    expect(page.get_by_text("지점별 이수 현황")).to_be_visible()
    screenshot("training_completion")
    expect(page.get_by_test_id("stException")).to_have_count(0)
