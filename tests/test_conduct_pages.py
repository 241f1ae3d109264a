"""Sales conduct on the pages (issue #22), through AppTest on tests/handmade.py as of its day
(2026-03-10), with:
- 이영희 (100000002, rep Kim's book): profile grade 1 from 2026-01-05; the manager sold her the
  equity fund F002 (grade 2) on 02-13 and 03-09, so Kim owes two happy calls, the first past
  its day (02-27), the second due 03-18 and on today's agenda;
- 홍길동 (100000001, Kim's book, 66): a profile of 2025-01-02, expired on 2026-01-02.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, insert, select
from streamlit.testing.v1 import AppTest

from data_access import conduct
from data_access.agenda import agenda
from data_access.core.db import make_engine
from data_access.core.models import FundSale, HappyCall, Product
from tests import handmade
from tests.handmade import AS_OF, KIM, MANAGER_101, PASSWORD
from tests.test_app import TIMEOUT_S, sign_in

HONG, LEE = "100000001", "100000002"
CUSTOMER_PAGE = "pages/customer_page.py"


def load_sales(conn: Connection) -> None:
    """The story of the module docstring, written through data_access.conduct."""
    conn.execute(
        insert(Product).values(
            id=2, code="F002", name="드림 성장 주식형 2호", fund_type="equity",
            risk_grade=2, term_months=None, launched_on=dt.date(1996, 1, 2),
        )
    )  # fmt: skip
    conduct.record_profile(conn, KIM, LEE, conduct.ProfileDraft(1, dt.date(2026, 1, 5), "seal"))
    conduct.record_profile(
        conn, KIM, HONG, conduct.ProfileDraft(5, dt.date(2025, 1, 2), "signature")
    )
    for sold_on in (dt.date(2026, 2, 13), dt.date(2026, 3, 9)):
        conduct.record_sale(
            conn, MANAGER_101, LEE, product_code="F002", amount_krw=250_000_000, sold_on=sold_on
        )
    rules = [rule for rule in agenda.agenda_rules(conn) if rule.kind == agenda.RuleKind.HAPPY_CALL]
    agenda.replace_items(conn, agenda.compute_agenda(conn, rules, AS_OF))


@pytest.fixture(scope="module")
def conduct_url(databases) -> str:
    engine = databases.new("conduct_pages")
    with engine.begin() as conn:
        handmade.load(conn)
        load_sales(conn)
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def console(conduct_url, monkeypatch) -> Iterator[AppTest]:
    monkeypatch.setenv("CRM_DATABASE_URL", conduct_url)
    monkeypatch.setenv("CRM_BUSINESS_DATE", AS_OF.isoformat())
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "0")  # the agenda is the fixture's
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception
    yield at


def open_customer(at: AppTest, username: str, customer_no: str) -> AppTest:
    sign_in(at, username, PASSWORD)
    at.switch_page(CUSTOMER_PAGE)
    at.query_params["customer"] = customer_no
    return at.run()


def call_ids(conduct_url: str) -> list[int]:
    with make_engine(conduct_url).connect() as conn:
        return list(conn.execute(select(HappyCall.id).order_by(HappyCall.due_on)).scalars())


def markdown(at: AppTest) -> str:
    return "\n".join(element.value for element in at.markdown)


def test_the_reps_agenda_lists_the_happy_call_with_the_way_to_work_it(console):
    sign_in(console, "kim", PASSWORD)
    console.switch_page("pages/agenda_page.py").run()
    assert not console.exception
    assert [header.value for header in console.subheader] == ["해피콜"]
    # One item a customer: the call due first, here the one past its day.
    assert (
        "드림 성장 주식형 2호 판매(2026-02-13) 해피콜, 기한 2026-02-27에서 11일 지남, 시도 0회"
        in (markdown(console))
    )
    assert any("고객 화면에서 질문을 읽고" in caption.value for caption in console.caption)
    assert not console.multiselect  # no done/snooze form: the outcome is the call's own


def test_a_rep_reads_the_questions_and_records_an_understood_call(console, conduct_url):
    overdue, fresh = call_ids(conduct_url)
    at = open_customer(console, "kim", LEE)
    assert not at.exception
    text = markdown(at)
    assert "해피콜: 드림 성장 주식형 2호, 2026년 3월 9일 판매, 2026년 3월 18일까지" in text
    assert "이 상품의 위험등급이 2등급이라는 설명을 들으셨습니까?" in text
    assert "원금 손실이 날 수 있다는 설명을 들으셨습니까?" in text
    at.text_area(key=f"happy_note_{fresh}").input("위험등급과 원금 손실 설명 이해함")
    at.button(key=f"FormSubmitter:happy_call_form_{fresh}-해피콜 결과 기록").click()
    at.run()
    assert not at.exception
    assert [s.value for s in at.success] == [
        "해피콜 결과를 기록했습니다: 통화 완료·이해함(시도 1회)."
    ]
    with make_engine(conduct_url).connect() as conn:
        statuses = dict(conn.execute(select(HappyCall.id, HappyCall.status)).all())
    assert statuses == {overdue: "open", fresh: "understood"}


def test_the_sales_tab_shows_suitability_and_the_call_state(console):
    at = open_customer(console, "kim", LEE)
    sales = next(frame.value for frame in at.dataframe if "적합성" in frame.value.columns)
    assert sales["상품"].tolist() == ["드림 성장 주식형 2호"] * 2
    assert sales["금액"].tolist() == ["₩2.5억"] * 2
    assert sales["적합성"].tolist() == ["적합", "적합"]
    assert sales["상품 위험등급"].tolist() == ["2등급(높은 위험)"] * 2
    assert "투자성향 1등급(매우 높은 위험)까지 감내" in " ".join(c.value for c in at.caption)


def test_an_expired_profile_is_flagged_and_refuses_the_sale(console, conduct_url):
    at = open_customer(console, "kim", HONG)
    assert any("투자성향 평가가 만료되었습니다" in w.value for w in at.warning)
    at.selectbox(key="sale_product").set_value("F001")
    at.number_input(key="sale_amount").set_value(1_000_000)
    at.button(key="FormSubmitter:sale_form-판매 기록").click()
    at.run()
    assert not at.exception
    assert any("만료되어 판매를 기록할 수 없습니다" in e.value for e in at.error)
    # A fresh profile with the sale; 66 years old, so the recording is asked for.
    at.checkbox(key="conduct_new_profile").check()
    at.selectbox(key="sale_profile_grade").set_value(5)
    at.selectbox(key="sale_profile_confirmed_by").set_value("signature")
    at.button(key="FormSubmitter:sale_form-판매 기록").click()
    at.run()
    assert any("녹취 번호가 있어야 합니다" in e.value for e in at.error)
    at.text_input(key="sale_recording_ref").input("REC-2026-0310-7")
    at.button(key="FormSubmitter:sale_form-판매 기록").click()
    at.run()
    assert not at.exception
    assert [s.value for s in at.success] == [
        "판매를 기록했습니다(적합). 숙려기간은 2026년 3월 12일까지입니다. "
        "해피콜은 2026년 3월 19일까지입니다."
    ]
    with make_engine(conduct_url).connect() as conn:
        assert conn.execute(
            select(FundSale.recording_ref).where(FundSale.customer_age == 66)
        ).scalars().all() == ["REC-2026-0310-7"]


def test_the_branch_manager_sees_the_overdue_call_at_home(console):
    sign_in(console, "manager", PASSWORD)
    assert not console.exception
    assert "기한 지난 해피콜" in [header.value for header in console.subheader]
    overdue = next(frame.value for frame in console.dataframe if "지난 일수" in frame.value.columns)
    assert overdue["이름"].tolist() == ["이영희"]
    assert overdue["기한"].tolist() == ["2026년 2월 27일"]
    assert overdue["지난 일수"].tolist() == [11]


def test_an_admin_reads_and_changes_the_conduct_settings(console):
    sign_in(console, "admin", PASSWORD)
    console.switch_page("pages/agenda_rules_page.py").run()
    assert not console.exception
    settings = next(
        frame.value
        for frame in console.dataframe
        if any("해피콜 기한" in str(value) for value in frame.value.iloc[:, 0])
    )
    values = dict(zip(settings.iloc[:, 0], settings.iloc[:, 1], strict=True))
    assert values["해피콜 기한(영업일): 판매 후 이 기간 안에 통화"] == "7"
    assert values["숙려기간(영업일): 고령자·부적합 판매 후 청약 철회를 생각할 기간"] == "2"
    console.selectbox(key="conduct_setting_name").set_value("happy_call_max_tries")
    console.number_input(key="conduct_setting_value").set_value(4)
    console.button(key="FormSubmitter:conduct_setting_form-저장").click()
    console.run()
    assert not console.exception
    assert "판매 점검 설정을 저장했습니다." in [s.value for s in console.success]
