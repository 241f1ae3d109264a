"""The executive page and the home page's KPIs through AppTest.

The database holds tests/handmade.py and tests/kpi_data.py with snapshots of every business day
from 2026-02-02 to 2026-03-11 except 03-05 (deleted: a day the job missed). The console opens on
03-11, whose snapshot (a morning "run now": it holds 03-11's deposit of 1,000,000) no page may
show: every figure below is for 03-10, the latest completed day. By hand (see
tests/kpi_data.py): on 03-10 the firm holds AUM 27,000,000 (101: 17,000,000; 102: 10,000,000)
and 5 active customers. March's net flows are 500,000: 102 lost 2,000,000 on Saturday 03-07
(booked on Monday 03-09) and 101 took in 2,500,000 on 03-10.
"""

import datetime as dt
import json
from collections.abc import Iterator

import pytest
import streamlit as st
from sqlalchemy import Engine, delete, func, select
from streamlit.testing.v1 import AppTest

from data_access.core.models import (
    AuditRecord,
    KpiSnapshot,
    KpiTarget,
)
from data_access.core.policy import (
    Action,
)
from data_access.exports import exports, grants
from data_access.kpis import kpis
from jobs import kpis as kpis_job
from tests import handmade, kpi_data
from tests.handmade import ADMIN, PASSWORD
from tests.test_app import TIMEOUT_S, sign_in

DAY = kpi_data.DAY
# The console opens the morning after DAY: a page shows the latest completed day, DAY.
TODAY = DAY + dt.timedelta(days=1)
FIRST = kpi_data.DAY.replace(month=2, day=2)
MISSED = kpi_data.DAY.replace(day=5)
PAGE = "pages/executive_page.py"


@pytest.fixture(scope="module")
def kpi_db(databases) -> Engine:
    engine = databases.new("kpi_pages")
    with engine.begin() as conn:
        handmade.load(conn)
        kpi_data.load(conn)
    kpis_job.run_range(engine, FIRST, TODAY)
    with engine.begin() as conn:
        conn.execute(delete(KpiSnapshot).where(KpiSnapshot.business_date == MISSED))
    return engine


def console_on(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    """The console over `engine` on TODAY, without its own scheduler; its caches cleared
    after."""
    monkeypatch.setenv("CRM_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CRM_BUSINESS_DATE", TODAY.isoformat())
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "0")
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception
    yield at
    st.cache_data.clear()


@pytest.fixture
def console(kpi_db, monkeypatch) -> Iterator[AppTest]:
    yield from console_on(kpi_db, monkeypatch)


@pytest.fixture
def no_snapshot_db(databases) -> Engine:
    engine = databases.new("kpi_home_first_snapshot")
    with engine.begin() as conn:
        handmade.load(conn)
        kpi_data.load(conn)
    return engine


@pytest.fixture
def console_without_snapshots(no_snapshot_db, monkeypatch) -> Iterator[AppTest]:
    yield from console_on(no_snapshot_db, monkeypatch)


def open_page(
    at: AppTest, username: str, branch: str | None = None, *, refused: bool = False
) -> AppTest:
    sign_in(at, username, PASSWORD)
    if branch is not None:
        at.query_params["branch"] = branch
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    assert bool(at.error) == refused  # app.py shows a page's failure as an error, not raising
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_executive_sees_the_firm_with_tiles_trend_league_and_regions(console):
    at = open_page(console, "exec")
    assert at.title[0].value == "경영 KPI · 전사"
    shown = metrics(at)
    assert shown["수탁고(AUM)"] == "₩27,000,000"
    assert shown["순유입"] == "₩500,000"
    assert shown["활동 고객"] == "5"
    assert shown["아젠다 완료율(30일)"] == "40.0%"
    # AUM on 27 February (the last business day before) was 26,500,000.
    aum = next(metric for metric in at.metric if metric.label == "수탁고(AUM)")
    assert aum.delta == "+1.9%"
    subheaders = [header.value for header in at.subheader]
    assert subheaders == [
        "핵심 지표 · 2026-03 (2026년 3월 10일까지)",
        "추이",
        "지점 순위표",
        "지역별 현황",
    ]
    league = at.dataframe[0].value
    assert list(league["name"]) == ["강남지점", "해운대지점"]  # by AUM, largest first
    assert list(league["code"]) == ["101", "102"]  # a secondary detail, after the figures
    assert list(league.columns[:2]) == ["name", "region"]
    # Won read as people say them (17,000,000 is 1,700만), never raw digits.
    assert list(league["aum_krw"]) == ["₩1700만", "₩1000만"]
    regions = at.dataframe[1].value
    assert list(regions["scope_key"]) == ["서울", "부산"]
    assert list(regions["aum_krw"]) == ["₩1700만", "₩1000만"]


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def axes_of(spec: dict) -> list[dict]:
    """Every encoding's axis in a (layered) Vega-Lite spec."""
    layers = [spec, *spec.get("layer", [])]
    return [
        {**channel.get("axis", {}), "title": channel.get("title")}
        for layer in layers
        for channel in layer.get("encoding", {}).values()
        if isinstance(channel, dict) and "axis" in channel
    ]


def test_the_league_and_trend_read_won_in_eok_in_english_too(console, monkeypatch):
    monkeypatch.setattr("ui.i18n.DEFAULT_LANGUAGE", "en")
    console.sidebar.segmented_control[0].set_value("en").run()
    at = open_page(console, "exec")
    league = at.dataframe[0].value
    assert list(league["name"]) == ["Gangnam", "Haeundae"]
    assert list(league["region"]) == ["Seoul", "Busan"]
    assert list(at.dataframe[1].value["scope_key"]) == ["Seoul", "Busan"]
    assert list(league["aum_krw"]) == ["₩17M", "₩10M"]
    trend = chart_specs(at)[0]
    axes = axes_of(trend)
    value_axis = next(axis for axis in axes if axis["title"] == "AUM")
    assert "1e8" not in value_axis["labelExpr"] and "'B'" in value_axis["labelExpr"]
    assert value_axis["titleAngle"] == 0


def test_charts_have_horizontal_titles_korean_dates_and_eok_axes(console):
    at = open_page(console, "exec")
    trend = chart_specs(at)[0]
    axes = axes_of(trend)
    value_axis = next(axis for axis in axes if axis["title"] == "수탁고(AUM)")
    assert value_axis["titleAngle"] == 0
    assert "'억'" in value_axis["labelExpr"]
    time_axis = next(axis for axis in axes if axis["title"] == "기간")
    assert "%b" not in time_axis["format"] and "월" in time_axis["format"]


def test_a_missing_snapshot_day_shows_as_a_gap(console):
    at = open_page(console, "exec")
    at.segmented_control(key="kpi_period").set_value("day").run()
    assert not at.exception
    assert not at.error
    assert "스냅샷이 없는 영업일 1일은 그래프에 빈칸으로 표시됩니다(0이 아님)." in [
        caption.value for caption in at.caption
    ]


def test_a_range_without_snapshots_says_so(console):
    at = open_page(console, "exec")
    at.date_input(key="kpi_range").set_value((FIRST.replace(year=2025), DAY.replace(year=2025)))
    at.run()
    assert not at.exception
    assert at.info[0].value.startswith("2025년 2월 2일 ~ 2025년 3월 10일 기간에는 KPI 스냅샷이")
    assert not at.metric


def test_executive_drills_into_a_branch(console):
    at = open_page(console, "exec", branch="102")
    assert at.title[0].value == "경영 KPI · 해운대지점 (102)"
    assert metrics(at)["수탁고(AUM)"] == "₩10,000,000"
    assert "지점 순위표" not in [header.value for header in at.subheader]


def test_branch_manager_sees_their_branch_and_is_refused_another(console):
    at = open_page(console, "manager")
    assert at.title[0].value == "경영 KPI · 강남지점 (101)"
    assert metrics(at)["수탁고(AUM)"] == "₩17,000,000"
    at.query_params["branch"] = "102"
    at.run()
    assert at.error[0].value == (
        "다른 지점의 KPI는 볼 수 없습니다. 지점장은 자기 지점만 볼 수 있습니다."
    )
    assert not at.metric


def test_an_unknown_branch_code_is_named(console):
    at = open_page(console, "exec", branch="999")
    assert at.warning[0].value.startswith("지점 코드 '999'인 지점이 없습니다.")


def test_home_shows_the_branch_against_the_firm_median(console):
    sign_in(console, "manager", PASSWORD)
    assert not console.exception
    assert "내 지점 KPI · 전사 중앙값과 비교" in [header.value for header in console.subheader]
    table = next(e.value for e in console.dataframe if "지표" in e.value.columns)
    aum = table[table["지표"] == "수탁고(AUM)"].iloc[0]
    assert (aum["값"], aum["전사 중앙값"]) == ("₩17,000,000", "₩13,500,000")
    # Better or worse in words beside the arrow, judged by the KPI's good direction.
    assert aum["전사 대비"] == "▲ 좋음"


def test_home_shows_the_firm_kpis_to_an_executive(console):
    sign_in(console, "exec", PASSWORD)
    assert not console.exception
    assert "전사 KPI" in [header.value for header in console.subheader]
    assert metrics(console)["수탁고(AUM)"] == "₩27,000,000"
    # AUM shows once, in its KPI tile: the live figures above leave it out.
    assert [metric.label for metric in console.metric].count("수탁고(AUM)") == 1
    assert "고객 수" in metrics(console)
    # A target shows once, inside its tile, also on a tile without a change.
    targets = [metric.proto.delta_description for metric in console.metric]
    targets = [target for target in targets if target.startswith("목표 ")]
    assert targets
    assert not set(targets) & {caption.value for caption in console.caption}


def test_admin_saves_a_target_and_it_is_audited(console, kpi_db):
    at = open_page(console, "admin")
    at.selectbox(key="kpi_target_kpi").select("usage_per_staff_day")
    at.number_input(key="kpi_target_value").set_value(240.0)
    at.button(key="kpi_target_save").click().run()
    assert not at.exception
    assert at.success[0].value == "직원 1인 1일 사용 목표를 240(으)로 저장했습니다."
    with kpi_db.connect() as conn:
        target = conn.execute(
            select(KpiTarget.target).where(KpiTarget.kpi == "usage_per_staff_day")
        ).scalar_one()
        audits = conn.execute(
            select(func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.action == "kpi_target_save")
        ).scalar_one()
    assert (target, audits) == (240.0, 1)


@pytest.mark.parametrize("period", ["week", "quarter"])
def test_every_period_renders(console, period):
    at = open_page(console, "exec")
    at.segmented_control(key="kpi_period").set_value(period).run()
    assert not at.exception
    assert not at.error
    assert metrics(at)["수탁고(AUM)"] == "₩27,000,000"


def test_a_percentage_target_above_100_is_refused_with_a_sentence(console, kpi_db):
    at = open_page(console, "admin")
    at.selectbox(key="kpi_target_kpi").select("trained_pct")
    at.number_input(key="kpi_target_value").set_value(150.0)
    at.button(key="kpi_target_save").click().run()
    assert at.error[0].value == "저장하지 않았습니다: 비율 목표는 0에서 100 사이입니다."
    with kpi_db.connect() as conn:
        stored = conn.execute(
            select(KpiTarget.target).where(KpiTarget.kpi == "trained_pct")
        ).scalar_one_or_none()
    assert stored is None


def test_kpi_export_needs_a_grant_and_a_stated_reason_which_is_audited(console, kpi_db):
    def kpi_exports() -> list[tuple[str, dict]]:
        with kpi_db.connect() as conn:
            rows = conn.execute(
                select(AuditRecord.target_id, AuditRecord.detail).where(
                    AuditRecord.action == "export", AuditRecord.target_id.like("kpi_%")
                )
            ).all()
        return [(target, json.loads(detail)) for target, detail in rows]

    at = open_page(console, "exec")
    assert not at.get("download_button")
    assert "kpi_export_prepare_periods" not in [button.key for button in at.button]
    assert "KPI 표를 내려받으려면 관리자의 내보내기 권한 부여가 필요합니다." in [
        caption.value for caption in at.caption
    ]
    with kpi_db.begin() as conn:
        grant_id = grants.grant(conn, ADMIN, "exec", Action.EXPORT, reason="경영회의 자료")
    try:
        at.run()
        at.button(key="kpi_export_prepare_periods").click().run()
        assert at.error[0].value.startswith("내려받는 이유를 200자 이내로 적어 주세요.")
        assert not at.get("download_button")
        assert kpi_exports() == []

        at.text_input(key="kpi_export_reason_periods").input("3월 경영회의 보고").run()
        at.button(key="kpi_export_prepare_periods").click().run()
        assert not at.exception
        assert not at.error
        assert [button.key for button in at.get("download_button")] == ["kpi_export_periods"]
        exported = at.session_state["kpi_export_file_periods"][1]
        header = exported.data.removeprefix(exports.UTF8_BOM).decode().splitlines()[0]
        assert header.startswith("기간,수탁고(AUM),순유입")
        [(target, detail)] = kpi_exports()
        assert target == "kpi_periods_firm"
        assert (detail["reason"], detail["branch_id"], detail["masked"]) == (
            "3월 경영회의 보고",
            None,
            [],
        )
    finally:
        with kpi_db.begin() as conn:
            grants.revoke(conn, ADMIN, grant_id)


def test_the_partial_month_is_compared_with_the_same_days_of_the_month_before(console):
    at = open_page(console, "exec")
    captions = " ".join(caption.value for caption in at.caption)
    assert "(3월 1일～10일, 2월 1일～10일 대비)" in captions
    assert "(2월 28일 대비)" in captions
    # Net flows of 1-10 March (500,000) against 1-10 February, which held none: no change to
    # show. Against the whole of February (the deposit of 1,000,000 on the 20th) the partial
    # month would have read -50%.
    flows = next(metric for metric in at.metric if metric.label == "순유입")
    assert (flows.value, flows.delta) == ("₩500,000", "")


def test_a_korean_day_span_cannot_turn_a_caption_into_strikethrough():
    """Two spans in one caption ('12월 1일~4일, 11월 1일~4일') read as Markdown ~strike~."""
    from ui.kpi_view import span

    caption = f"{span(dt.date(2026, 12, 1), dt.date(2026, 12, 4))}, "
    caption += span(dt.date(2026, 11, 1), dt.date(2026, 11, 4))
    assert "~" not in caption
    assert caption == "12월 1일～4일, 11월 1일～4일"


def test_home_shows_a_new_snapshot_at_once(no_snapshot_db, console_without_snapshots):
    """The home page caches its KPI figures for minutes, but never the absence of a snapshot:
    the first snapshot (the nightly job, or an admin's "run now") shows on the next run."""
    at = console_without_snapshots
    sign_in(at, "exec", PASSWORD)
    assert "전사 KPI" not in [header.value for header in at.subheader]
    assert "수탁고(AUM)" in metrics(at)  # among the live figures while no tile shows it

    kpis_job.run_range(no_snapshot_db, DAY, DAY)
    at.run()
    assert not at.exception
    assert "전사 KPI" in [header.value for header in at.subheader]
    assert [metric.label for metric in at.metric].count("수탁고(AUM)") == 1
    assert metrics(at)["수탁고(AUM)"] == "₩27,000,000"


def test_the_executive_sees_eight_headline_tiles_and_the_rest_a_click_away(console):
    """Every KPI's tile at once cuts their text: eight headline KPIs, four to a row, lead; the
    others wait in an expander. A tile's small print is its target, never a date span (the
    caption above says what each change is against)."""
    at = open_page(console, "exec")
    tucked = [metric.label for metric in at.expander[0].metric]
    headline = [metric.label for metric in at.metric if metric.label not in tucked]
    assert headline[:4] == ["수탁고(AUM)", "순유입", "활동 고객", "아젠다 완료율(30일)"]
    assert len(headline) == 8
    assert len(tucked) == len(kpis.KPIS) - 8
    assert at.expander[0].label == f"다른 지표 {len(kpis.KPIS) - 8}개"
    descriptions = {metric.proto.delta_description for metric in at.metric} - {""}
    assert all(text.startswith("목표 ") for text in descriptions), descriptions
