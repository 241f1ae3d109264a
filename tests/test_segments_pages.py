"""The segments and campaigns pages through AppTest, on tests/handmade.py + tests/segments_data.py.

The analytical copy is built by the customer-features job as of 2026-03-10; by hand the
executive counts 7 open customers (2 VIP), the manager of 101 counts 4. DM consent: 1, 3, 11
and 12; TM consent among Kim's customers: 1, 2, 11, 13.
"""

import json
import re
from collections.abc import Iterator

import pytest
import streamlit as st
from sqlalchemy import Engine, delete, func, insert, select
from streamlit.testing.v1 import AppTest

from data_access.campaigns import campaigns
from data_access.core.models import (
    AuditRecord,
    BusinessHoliday,
    Campaign,
    Role,
    Segment,
)
from data_access.core.security import (
    now_seoul,
)
from data_access.customers import records as customers
from data_access.segments import segments
from jobs import segments as segments_job
from tests import handmade, segments_data
from tests.handmade import EXECUTIVE, PASSWORD
from tests.test_app import TIMEOUT_S, sign_in
from ui.navigation import pages_for

DAY = segments_data.AS_OF
SEGMENTS_PAGE = "pages/segments_page.py"
CAMPAIGNS_PAGE = "pages/campaigns_page.py"


@pytest.fixture(scope="module")
def analytics_dir(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("analytics"))


@pytest.fixture(scope="module")
def pages_db(databases, analytics_dir) -> Iterator[Engine]:
    engine = databases.new("segment_pages")
    with engine.begin() as conn:
        handmade.load(conn)
        segments_data.load(conn)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(segments.ANALYTICS_DIR_ENV, analytics_dir)
        segments_job.run(engine, DAY)
        with engine.connect() as conn:
            segments.save_segment(
                conn, EXECUTIVE, "전체 고객", segments.validate_spec({"op": "and"}), shared=True
            )
            conn.commit()
        with engine.begin() as conn:
            segments_data.grant_export(conn, EXECUTIVE)
    yield engine


@pytest.fixture
def console(pages_db, analytics_dir, monkeypatch) -> Iterator[AppTest]:
    monkeypatch.setenv("CRM_DATABASE_URL", pages_db.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CRM_BUSINESS_DATE", DAY.isoformat())
    monkeypatch.setenv("CRM_BUSINESS_TIME", "10:30")  # inside the allowed call hours
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "0")
    monkeypatch.setenv(segments.ANALYTICS_DIR_ENV, analytics_dir)
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at.run()
    yield at
    st.cache_data.clear()


def open_page(at: AppTest, username: str, page: str) -> AppTest:
    sign_in(at, username, PASSWORD)
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def by_label(elements, label: str):
    return next(element for element in elements if element.label == label)


def test_the_explorer_counts_live_as_conditions_change(console):
    at = open_page(console, "exec", SEGMENTS_PAGE)
    assert at.title[0].value == "세그먼트 탐색"
    assert metrics(at) == {"해당 고객": "7", "전체 고객": "7"}
    by_label(at.selectbox, "항목").set_value("tier").run()
    by_label(at.multiselect, "값").set_value(["vip"]).run()
    assert not at.exception
    assert metrics(at)["해당 고객"] == "2"
    assert len(at.get("vega_lite_chart")) == 5  # pyramid, AUM, tier, region, products


def test_every_mix_reads_its_values_down_the_side_with_regions_named_in_english(console):
    console.sidebar.segmented_control[0].set_value("en").run()
    at = open_page(console, "exec", SEGMENTS_PAGE)
    mixes = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")][1:]
    # Values on the vertical axis: Vega drops crowded labels along a bottom axis, never these.
    assert all(spec["encoding"]["y"]["field"] == "label" for spec in mixes)
    regions = next(spec for spec in mixes if "Seoul" in spec["encoding"]["y"]["sort"])
    assert not any(re.search("[가-힣]", value) for value in regions["encoding"]["y"]["sort"])


def test_an_impossible_filter_shows_zero_and_why(console):
    at = open_page(console, "exec", SEGMENTS_PAGE)
    by_label(at.number_input, "최소").set_value(50).run()
    by_label(at.number_input, "최대").set_value(40).run()
    assert metrics(at)["해당 고객"] == "0"
    assert at.warning[0].value == (
        "조건에 맞는 고객이 없습니다. "
        "'나이' 조건이 서로 맞지 않습니다: 최소 50이(가) 최대 40보다 큽니다."
    )


def test_a_branch_manager_counts_own_branch(console):
    at = open_page(console, "manager", SEGMENTS_PAGE)
    assert metrics(at) == {"해당 고객": "4", "전체 고객": "4"}


def test_a_note_marks_the_copy_stale_and_a_permitted_role_refreshes_it(console, pages_db):
    with pages_db.connect() as conn:
        customers.add_note(
            conn, handmade.KIM, "100000001", channel="phone", outcome="interested", text="안부"
        )
        conn.commit()
    manager = open_page(console, "manager", SEGMENTS_PAGE)
    assert any("서울 시각" in caption.value for caption in manager.caption)
    assert any("변경이 1건" in info.value for info in manager.info)
    assert not [b for b in manager.button if b.label == "지금 사본 갱신"], "managers wait"
    executive = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at = open_page(executive.run(), "exec", SEGMENTS_PAGE)
    assert any("변경이 1건" in info.value for info in at.info)
    by_label(at.button, "지금 사본 갱신").click().run()
    assert not at.exception
    assert "사본을 만들었습니다: 고객 7명." in [s.value for s in at.success]
    assert not any("변경이" in info.value for info in at.info)
    assert segments.load_features(pages_db, EXECUTIVE).behind == 0


def test_only_a_permitted_role_is_offered_to_build_a_missing_copy(console, databases, monkeypatch):
    no_copy_yet = databases.new("segment_pages_no_copy")
    with no_copy_yet.begin() as conn:
        handmade.load(conn)
        segments_data.load(conn)
    monkeypatch.setenv("CRM_DATABASE_URL", no_copy_yet.url.render_as_string(hide_password=False))
    manager = open_page(console, "manager", SEGMENTS_PAGE)
    assert [info.value for info in manager.info] == [
        "아직 분석용 고객 사본이 없습니다. 야간 작업 '세그먼트용 고객 특성 사본'이 만들면 이 "
        "화면을 쓸 수 있습니다."
    ]
    assert not [b for b in manager.button if b.label == "지금 사본 만들기"], "managers wait"
    assert not manager.metric
    executive = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at = open_page(executive.run(), "exec", SEGMENTS_PAGE)
    by_label(at.button, "지금 사본 만들기").click().run()
    assert not at.exception
    assert "사본을 만들었습니다: 고객 7명." in [s.value for s in at.success]
    assert metrics(at) == {"해당 고객": "7", "전체 고객": "7"}


def test_saving_a_segment_then_a_new_version(console, pages_db):
    at = open_page(console, "manager", SEGMENTS_PAGE)
    by_label(at.selectbox, "항목").set_value("gender").run()
    by_label(at.multiselect, "값").set_value(["F"]).run()
    at.text_input(key="seg_name").input("강남 여성 고객").run()
    by_label(at.button, "새 세그먼트로 저장").click().run()
    assert not at.exception
    assert "'강남 여성 고객' 버전 1을(를) 저장했습니다." in [s.value for s in at.success]
    by_label(at.button, "새 버전으로 저장").click().run()
    assert "'강남 여성 고객' 버전 2을(를) 저장했습니다." in [s.value for s in at.success]
    by_label(at.button, "모두 지우기").click().run()
    assert metrics(at)["해당 고객"] == "4"
    with pages_db.connect() as conn:
        saved_id = conn.execute(select(Segment.id).where(Segment.name == "강남 여성 고객")).scalar()
    at.selectbox(key="seg_pick").set_value(saved_id)
    by_label(at.button, "불러오기").click().run()
    assert not at.exception and not at.warning, at.warning
    assert metrics(at)["해당 고객"] == "3"  # women of branch 101: customers 2, 11 and 13
    with pages_db.connect() as conn:
        assert (
            conn.execute(
                select(func.count()).where(AuditRecord.action == "segment_save")
            ).scalar_one()
            >= 2
        )


def test_a_bad_spec_pasted_as_json_is_explained(console):
    at = open_page(console, "exec", SEGMENTS_PAGE)
    at.text_area(key="seg_raw_text").input('{"op": "and", "items": [{"field": "age"}]}')
    by_label(at.button, "명세 적용").click().run()
    assert at.error[0].value.startswith("명세에 문제가 있습니다:")


def test_only_managers_and_executives_see_segments_and_campaigns():
    for role in Role:
        keys = {page.key for page in pages_for(role)}
        wanted = role in (Role.BRANCH_MANAGER, Role.EXECUTIVE)
        assert ("segments" in keys, "campaigns" in keys) == (wanted, wanted)


def test_drawing_a_campaign_and_exporting_it(console, pages_db):
    at = open_page(console, "exec", CAMPAIGNS_PAGE)
    at.text_input(key="camp_name").input("봄 DM").run()
    at.number_input(key="camp_size").set_value(5).run()
    by_label(at.button, "표본 추출 및 캠페인 생성").click().run()
    assert not at.exception
    assert at.error[0].value == (
        "표본 5명이 대상 고객 4명보다 많습니다. 표본을 줄이거나 세그먼트를 넓히세요."
    )
    at.number_input(key="camp_size").set_value(4).run()
    by_label(at.button, "미리 보기").click().run()
    # The four DM consenters are eligible; the other open customers are counted as left out.
    left_out = [c.value for c in at.caption if c.value.startswith("추첨 전에 제외")]
    assert len(left_out) == 1 and left_out[0].endswith("두낫콜 등록 0명, 자체 수신 거부 0명")
    by_label(at.button, "표본 추출 및 캠페인 생성").click().run()
    created = [s.value for s in at.success]
    assert any(message.endswith("발송 4명, 통제군 0명.") for message in created) or any(
        "통제군" in message for message in created
    )
    with pages_db.connect() as conn:
        campaign_id = conn.execute(select(func.max(Campaign.id))).scalar_one()
    assert not at.error, [e.value for e in at.error]
    at.text_input(key="camp_export_reason").input("우편 발송 대행").run()
    by_label(at.button, "파일 만들기").click().run()
    assert not at.exception
    assert at.get("download_button"), "the prepared file is offered for download"
    with pages_db.connect() as conn:
        report = campaigns.campaign_report(conn, EXECUTIVE, campaign_id, as_of=DAY)
    assert report.response_contacted.n + report.response_control.n == 4
    assert "캠페인 효과" in [h.value for h in at.subheader]


def draw_tm_campaign(pages_db, name: str, seed: int) -> None:
    """A TM campaign of five, none held back, from the newest segment, started on DAY."""
    with pages_db.connect() as conn:
        copy = segments.load_features(pages_db, EXECUTIVE)
        segment_id = segments.list_segments(conn, EXECUTIVE)["segment_id"][-1]
        campaigns.create_campaign(
            conn,
            EXECUTIVE,
            copy,
            campaigns.CampaignPlan(
                name=name, segment_id=segment_id, channel="tm", control_pct=0, seed=seed,
                cost_per_piece_krw=3_000, sample_size=5,
            ),
            started_on=DAY,
        )  # fmt: skip
        conn.commit()


def test_tm_calls_appear_on_the_reps_agenda_and_are_recorded(console, pages_db, analytics_dir):
    draw_tm_campaign(pages_db, "TM 안내", seed=1)
    at = open_page(console, "kim", "pages/agenda_page.py")
    assert "오늘의 TM 캠페인 통화" in [h.value for h in at.subheader]
    with pages_db.connect() as conn:
        campaign_id = conn.execute(select(func.max(Campaign.id))).scalar_one()
    at.multiselect(key="camp_calls_pick").set_value([f"{campaign_id}:100000001"])
    at.selectbox(key="camp_calls_outcome").set_value("bought")
    at.button(key="FormSubmitter:camp_calls_form-결과 기록").click()
    at.run()
    assert not at.exception
    assert "1건을 기록했습니다." in [s.value for s in at.success]


def test_outside_the_allowed_hours_the_calls_wait_instead_of_being_offered(console, pages_db):
    # The business day made a firm holiday: no call is allowed until the next day's 08:00.
    with pages_db.begin() as conn:
        conn.execute(
            insert(BusinessHoliday).values(
                day=DAY, name="점검", created_by="admin", created_at=now_seoul()
            )
        )
    try:
        draw_tm_campaign(pages_db, "휴일 TM", seed=2)
        at = open_page(console, "kim", "pages/agenda_page.py")
        assert "오늘의 TM 캠페인 통화" in [h.value for h in at.subheader]
        waiting = [c.value for c in at.caption if c.value.startswith("지금은 전화할 수 없는")]
        assert waiting and waiting[0].endswith("08:00 이후에 전화하세요.")
        assert not at.get("form"), "no call is offered outside the allowed hours"
    finally:
        with pages_db.begin() as conn:
            conn.execute(delete(BusinessHoliday).where(BusinessHoliday.day == DAY))


def test_a_branch_manager_opens_a_firm_campaign_and_sees_the_own_branch_only(console, pages_db):
    with pages_db.connect() as conn:
        segment_id = segments.list_segments(conn, EXECUTIVE)["segment_id"][-1]
        made = campaigns.create_campaign(
            conn,
            EXECUTIVE,
            segments.load_features(pages_db, EXECUTIVE),
            campaigns.CampaignPlan(
                name="전사 TM", segment_id=segment_id, channel="tm", control_pct=0, seed=3,
                cost_per_piece_krw=2_000, sample_size=5,
            ),
            started_on=DAY,
        )  # fmt: skip
        conn.commit()
    at = open_page(console, "manager", CAMPAIGNS_PAGE)
    assert at.selectbox(key="camp_pick").value == made.campaign_id
    assert metrics(at)["발송·통화 대상"] == "4", "TM consent in 101: 1, 2, 11 and 13"
    assert "대상 고객" not in metrics(at), "the firm-wide eligible count is not the branch's"
    targets = at.dataframe[0].value
    assert set(targets["branch_code"]) == {"101"} and len(targets) == 4
    by_branch = at.dataframe[-1].value
    assert list(by_branch["branch_code"]) == ["101"]
    assert any("소속 지점" in caption.value for caption in at.caption)


def test_the_customer_page_lists_the_campaigns_that_drew_the_customer(console, pages_db):
    with pages_db.connect() as conn:
        copy = segments.load_features(pages_db, EXECUTIVE)
        segment_id = segments.list_segments(conn, EXECUTIVE)["segment_id"][-1]
        campaigns.create_campaign(
            conn,
            EXECUTIVE,
            copy,
            campaigns.CampaignPlan(
                name="VIP 안내", segment_id=segment_id, channel="dm", control_pct=0, seed=1,
                cost_per_piece_krw=1_000, sample_size=4,
            ),
            started_on=DAY,
        )  # fmt: skip
        conn.commit()
    sign_in(console, "exec", PASSWORD)
    console.switch_page("pages/customer_page.py")
    console.query_params["customer"] = "100000001"
    console.run()
    assert not console.exception
    assert "캠페인 참여" in [h.value for h in console.subheader]
    listed = next(d.value for d in console.dataframe if "캠페인" in d.value.columns)
    assert "#" in listed["캠페인"].iloc[0] and "VIP 안내" in " ".join(listed["캠페인"])


def test_both_pages_read_in_english(console):
    console.sidebar.segmented_control[0].set_value("en").run()
    at = open_page(console, "exec", SEGMENTS_PAGE)
    assert at.title[0].value == "Segment explorer"
    assert metrics(at)["Matching customers"] == "7"
    at.switch_page(CAMPAIGNS_PAGE)
    at.run()
    assert not at.exception
    assert at.title[0].value == "DM/TM campaigns"
