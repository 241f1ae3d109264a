"""The customer 360 page through AppTest: deep link, banner, sections, search, writes, bad input.

The database holds tests/handmade.py with its customer history moved to today's date (the page
works as of today), so the story in `load_customer_history` reads the same: customer 1 has the
proxy withdrawal at a branch never used before, customer 2 the emptied dormant account. Writes
go to customer 3 only, so the tests do not depend on their order.
"""

import json

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from data_access.core.db import (
    make_engine,
)
from data_access.core.models import (
    AuditRecord,
)
from data_access.core.security import (
    now_seoul,
)
from tests import handmade
from tests.handmade import PASSWORD
from tests.test_app import TIMEOUT_S, sign_in

PAGE = "pages/customer_page.py"


@pytest.fixture(scope="module")
def story_url(databases) -> str:
    engine = databases.new("customer_page")
    with engine.begin() as conn:
        handmade.load(conn)
        handmade.load_customer_history(conn, as_of=now_seoul().date())
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def console(story_url, monkeypatch) -> AppTest:
    monkeypatch.setenv("CRM_DATABASE_URL", story_url)
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception
    return at


def open_customer(at: AppTest, username: str, customer_no: str) -> AppTest:
    sign_in(at, username, PASSWORD)
    at.switch_page(PAGE)
    at.query_params["customer"] = customer_no
    return at.run()


def give_reason(
    at: AppTest, customer_no: str, code: str = "customer_request", text: str = ""
) -> AppTest:
    """State why one opens a customer outside one's own book or branch."""
    at.selectbox(key=f"view_reason_{customer_no}").set_value(code)
    at.text_input(key=f"view_reason_text_{customer_no}").input(text)
    at.button(key="FormSubmitter:view_reason_form-사유 남기고 열기").click()
    return at.run()


def texts(elements) -> list[str]:
    return [element.value for element in elements]


def table(at: AppTest, header: str):
    """The first table on the page with a column called `header`."""
    return next(frame.value for frame in at.dataframe if header in frame.value.columns)


def test_a_deep_link_opens_the_customer_after_sign_in(console):
    console.query_params["customer"] = "100000001"
    console.run()
    sign_in(console, "kim", PASSWORD)
    console.switch_page(PAGE).run()
    assert not console.exception
    assert console.title[0].value == "고객 360"
    assert console.header[0].value == "홍길동"


def test_the_alert_banner_comes_first_with_typed_alerts_and_derived_cues(console):
    at = open_customer(console, "kim", "100000001")
    assert not at.exception
    errors, warnings = texts(at.error), texts(at.warning)
    # Typed alert 3 (critical) and the derived proxy cue are red; alert 5 and the new
    # branch cue are yellow. Alert 4 is resolved and not shown.
    assert errors[0].startswith("**대리 거래 시도** — 대리인 출금 발생")
    assert "박영업" in errors[0]
    assert errors[1].startswith("**대리인 거래 감지** — ")
    assert "본인 지점 거래 5회" in errors[1] and "₩1,000,000" in errors[1]
    assert warnings[0].startswith("**항상 본인 거래** — ")
    assert warnings[1].startswith("**처음 이용한 지점** — ") and "해운대지점" in warnings[1]
    assert not any("신분증" in text for text in errors + warnings)
    order = [node.type for node in at.main if node.type in ("error", "warning", "header")]
    assert order.index("header") == 4


def test_the_header_and_every_section(console):
    at = open_customer(console, "kim", "100000001")
    assert not at.exception
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics == {
        "등급": "VIP",
        "총 수탁고": "₩500만",
        "관리 지점": "강남지점",
        "담당자": "김영업",
        "거래 기간": "28년",
    }
    # Shown as typed: escaped, and a word joiner keeps it from becoming a mailto link.
    assert "hong\u2060\\@example\u2060\\.com" in at.caption[1].value
    holdings = table(at, "평가금액")
    assert holdings[["계좌번호", "상품", "평가금액", "평가손익"]].values.tolist() == [
        ["A1", "드림 채권형 1호", "₩5,000,000", "₩200,000"]
    ]
    transactions = table(at, "거래자")
    assert len(transactions) == 7
    assert transactions.iloc[0][["구분", "금액", "채널", "지점", "거래자", "직원"]].tolist() == [
        "출금",
        "₩1,000,000",
        "지점",
        "해운대지점",
        "대리인",
        "박영업",
    ]
    assert at.get("vega_lite_chart")
    notes = table(at, "내용")
    # Newest first, from both branches; the markup in note 5 is shown as typed.
    assert notes["번호"].tolist() == [6, 5, 4, 7, 3]
    assert notes["지점"].tolist() == [
        "강남지점",
        "강남지점",
        "해운대지점",
        "해운대지점",
        "강남지점",
    ]
    assert notes["내용"][1] == "본인 통화: 대리 출금을 부탁한 적 없음 <b>확인</b> **경찰 신고**"
    assert notes["정정"].tolist()[:2] == ["#5 정정", "#6에서 정정됨"]
    events = table(at, "기념일")
    assert events[["기념일", "남은 날", "햇수"]].values.tolist() == [
        ["거래 기념일", "D-10", 1],
        ["결혼기념일", "D-56", 41],
    ]
    transfers = table(at, "이동일")
    assert transfers[["이전 지점", "새 지점", "사유"]].values.tolist() == [
        ["해운대지점", "강남지점", "이사"],
        ["강남지점", "해운대지점", "직장 이전"],
    ]


def test_a_dormant_account_emptied_is_flagged(console):
    at = open_customer(console, "kim", "100000002")
    assert not at.exception
    errors = texts(at.error)
    assert errors[0].startswith("**항상 본인 거래** — ")
    assert errors[1].startswith("**휴면 계좌 고액 출금** — 410일 동안")
    assert "₩8,000,000" in errors[1] and "잔액의 66%" in errors[1]


def test_another_branchs_rep_sees_masked_contact_and_no_sensitive_note(console):
    at = give_reason(open_customer(console, "park", "100000001"), "100000001")
    assert not at.exception
    captions = " ".join(texts(at.caption))
    assert "담당 고객이 아니어서 연락처 일부를 가렸습니다." in captions
    assert "1111" not in captions and "hong" not in captions
    notes = table(at, "내용")
    assert notes.loc[notes["번호"] == 7, "내용"].tolist() == [
        "(민감 정보: 담당 직원만 볼 수 있습니다)"
    ]


@pytest.mark.parametrize(
    ("number", "sentence"),
    [
        ("999999999", "고객번호 999999999인 고객이 없습니다."),
        ("12ab<b>", "고객번호 형식이 아닙니다"),
    ],
    ids=["unknown", "malformed"],
)
def test_a_bad_customer_number_gets_a_sentence_not_a_traceback(console, number, sentence):
    at = open_customer(console, "kim", number)
    assert not at.exception
    assert not at.error
    assert sentence in at.warning[0].value
    assert not at.header


def test_search_by_name_shows_the_results_table_at_once(console):
    # Clicking a row opens the customer: tests/e2e/test_walkthrough_e2e.py, in a browser.
    sign_in(console, "kim", PASSWORD)
    at = console.switch_page(PAGE).run()
    at.text_input(key="customer_query").input("길동").run()
    assert not at.exception
    assert not at.expander and not at.selectbox  # nothing to unfold or drop down
    results = table(at, "일치 항목")
    assert results[["고객번호", "이름", "휴대폰", "상태", "일치 항목"]].values.tolist() == [
        ["100000001", "홍길동", "010-****-2222", "", "이름(일부)"]
    ]


def test_a_closed_customer_is_marked_with_its_closing_day(console):
    # 최지우 (customer 4) closed on 2025-12-31.
    sign_in(console, "kim", PASSWORD)
    at = console.switch_page(PAGE).run()
    at.text_input(key="customer_query").input("최지").run()
    assert table(at, "일치 항목")["상태"].tolist() == ["해지 2025년 12월 31일"]
    at.sidebar.segmented_control[0].set_value("en").run()
    assert table(at, "Matched on")["Status"].tolist() == ["closed December 31, 2025"]


def test_search_by_exact_number_opens_the_customer(console):
    sign_in(console, "park", PASSWORD)
    at = console.switch_page(PAGE).run()
    at.text_input(key="customer_query").input("100000003").run()
    assert not at.exception
    assert at.query_params["customer"] == "100000003"
    assert at.header[0].value == "박민수"


def test_search_without_a_match_says_what_to_try(console):
    sign_in(console, "kim", PASSWORD)
    at = console.switch_page(PAGE).run()
    at.text_input(key="customer_query").input("없는사람").run()
    assert not at.exception
    assert at.info[0].value.startswith("'없는사람'에 맞는 고객이 없습니다.")


def test_add_a_note_and_refuse_an_empty_one(console):
    at = open_customer(console, "park", "100000003")
    at.text_area(key="note_text_100000003").input("   ")
    at.button(key="FormSubmitter:note_form-기록 저장").click().run()
    assert not at.exception
    assert "상담 내용이 비어 있습니다. 내용을 적은 뒤 저장하세요." in texts(at.error)
    at.selectbox(key="note_channel_100000003").select("phone")
    at.selectbox(key="note_outcome_100000003").select("interested")
    at.text_area(key="note_text_100000003").input("**굵게?** 해외주식형 추가 가입 관심")
    at.button(key="FormSubmitter:note_form-기록 저장").click().run()
    assert not at.exception
    assert "상담 기록을 저장했습니다." in texts(at.success)
    newest = table(at, "내용").iloc[0]
    assert newest[["채널", "직원", "결과", "내용"]].tolist() == [
        "전화",
        "박영업",
        "관심",
        "**굵게?** 해외주식형 추가 가입 관심",
    ]


def test_raise_and_resolve_an_alert(console):
    at = open_customer(console, "park", "100000003")
    at.selectbox(key="alert_kind_100000003").select("identity_check")
    at.selectbox(key="alert_severity_100000003").select("critical")
    at.text_input(key="alert_text_100000003").input("신분증 재확인 [링크](http://x)")
    at.button(key="FormSubmitter:raise_alert-경보 등록").click().run()
    assert not at.exception
    assert "경보를 등록했습니다." in texts(at.success)
    banner = [text for text in texts(at.error) if text.startswith("**본인 확인 필요**")]
    # The typed text cannot become a link: its markdown is escaped.
    assert len(banner) == 1
    assert banner[0].startswith(
        "**본인 확인 필요** — 신분증 재확인 \\[링크\\]\\(http\u2060\\:\\/\\/x\\) (등록: 박영업, "
    )
    at.text_input(key="resolution_note_100000003").input("본인 방문 확인")
    at.button(key="FormSubmitter:resolve_alert-경보 해제").click().run()
    assert not at.exception
    assert "경보를 해제했습니다." in texts(at.success)
    assert not [text for text in texts(at.error) if text.startswith("**본인 확인 필요**")]


def test_a_view_is_audited_once_not_on_every_rerun(console, story_url):
    at = open_customer(console, "manager", "100000002")
    at.run()
    at.text_input(key="customer_query").input("없는사람").run()
    assert not at.exception
    with make_engine(story_url).connect() as conn:
        views = conn.execute(
            select(func.count())
            .select_from(AuditRecord)
            .where(
                AuditRecord.username == "manager",
                AuditRecord.action == "customer_view",
                AuditRecord.target_id == "100000002",
            )
        ).scalar_one()
    assert views == 1


def test_the_page_in_english(console):
    at = open_customer(console, "exec", "100000001")
    at.sidebar.segmented_control[0].set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Customer 360"
    assert any(text.startswith("**Proxy transaction** — ") for text in texts(at.error))
    assert {metric.label for metric in at.metric} >= {"Total AUM", "Home branch", "Tenure"}


def test_a_note_typed_for_one_customer_does_not_follow_to_the_next(console):
    at = open_customer(console, "kim", "100000001")
    at.text_area(key="note_text_100000001").input("홍길동 고객 메모")
    at.query_params["customer"] = "100000002"
    at.run()
    assert not at.exception
    assert at.header[0].value == "이영희"
    assert at.text_area(key="note_text_100000002").value == ""


def test_outside_ones_book_the_record_opens_only_after_a_stated_reason(console, story_url):
    """Park (branch 102) opens Kim's customer by a link: the reason comes first, before any
    personal data, and lands in the view's audit row."""
    at = open_customer(console, "park", "100000001")
    assert not at.exception
    assert at.title[0].value == "고객 360"
    assert at.info[0].value.startswith("담당 고객(지점장은 지점 고객)이 아닙니다")
    shown = " ".join(texts(at.markdown) + texts(at.caption) + texts(at.error) + texts(at.header))
    assert not at.header and "홍길동" not in shown and not at.metric and not at.dataframe
    at = give_reason(at, "100000001", code="other")
    assert "'기타'를 고르면 열람 사유를 내용에 적어 주세요." in texts(at.error)
    assert not at.header
    at = give_reason(at, "100000001", code="other", text="본점 감사 요청으로 확인")
    assert not at.exception
    assert at.header[0].value == "홍길동"
    with make_engine(story_url).connect() as conn:
        detail = conn.execute(
            select(AuditRecord.detail)
            .where(AuditRecord.username == "park", AuditRecord.action == "customer_view")
            .order_by(AuditRecord.id.desc())
            .limit(1)
        ).scalar_one()
    assert json.loads(detail) == {"reason": "other", "reason_text": "본점 감사 요청으로 확인"}


def test_another_branchs_rep_cannot_resolve_the_alert_and_it_stays_on_screen(console):
    at = give_reason(open_customer(console, "kim", "100000003"), "100000003")
    at.selectbox(key="alert_kind_100000003").select("always_alone")
    at.selectbox(key="alert_severity_100000003").select("warning")
    at.text_input(key="alert_text_100000003").input("항상 본인 거래 확인 필요")
    at.button(key="FormSubmitter:raise_alert-경보 등록").click().run()
    assert "경보를 등록했습니다." in texts(at.success)
    at.text_input(key="resolution_note_100000003").input("제가 확인했습니다")
    at.button(key="FormSubmitter:resolve_alert-경보 해제").click().run()
    assert not at.exception
    assert any(text.startswith("이 고객의 경보는 관리 지점 직원") for text in texts(at.error))
    assert any("항상 본인 거래 확인 필요" in text for text in texts(at.warning))


def test_another_branchs_rep_reads_the_alert_refusal_in_english(console, monkeypatch):
    # English from the start: AppTest words a selectbox's choice again between runs, outside
    # any session, where the default language is the reader's.
    monkeypatch.setattr("ui.i18n.DEFAULT_LANGUAGE", "en")
    at = open_customer(console.run(), "kim", "100000003")
    at.selectbox(key="view_reason_100000003").set_value("customer_request")
    at.button(key="FormSubmitter:view_reason_form-Record the reason and open").click().run()
    at.selectbox(key="alert_kind_100000003").select("always_alone")
    at.selectbox(key="alert_severity_100000003").select("warning")
    at.text_input(key="alert_text_100000003").input("Always check the customer in person")
    at.button(key="FormSubmitter:raise_alert-Raise alert").click().run()
    at.text_input(key="resolution_note_100000003").input("Checked it myself")
    at.button(key="FormSubmitter:resolve_alert-Resolve alert").click().run()
    assert not at.exception
    assert any(
        text.startswith("This customer's alerts are resolved by the staff of the customer's home")
        for text in texts(at.error)
    )
