"""The consent panel of the customer 360 through AppTest (issue #22).

Customer 1 (Kim's book) consents to DM, TM and e-mail marketing in tests/handmade.py; each
test works on its own database so the withdrawal recorded here is the only event.
"""

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access.core.models import (
    ConsentEvent,
    Customer,
)
from data_access.core.security import (
    now_seoul,
)
from tests import handmade
from tests.test_app import TIMEOUT_S
from tests.test_customer_page import open_customer

PANEL_TAB = "수신 동의"


@pytest.fixture
def consent_db(databases):
    engine = databases.new("consent_page")
    with engine.begin() as conn:
        handmade.load(conn)
        handmade.load_customer_history(conn, as_of=now_seoul().date())
    return engine


@pytest.fixture
def console(consent_db, monkeypatch) -> AppTest:
    monkeypatch.setenv("CRM_DATABASE_URL", consent_db.url.render_as_string(hide_password=False))
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception
    return at


def consent_rows(at: AppTest) -> dict[tuple[str, str], str]:
    table = next(frame.value for frame in at.dataframe if "동의 상태" in frame.value.columns)
    return {
        (purpose, channel): state
        for purpose, channel, state in zip(
            table["목적"], table["채널"], table["동의 상태"], strict=True
        )
    }


def test_the_panel_shows_the_state_per_channel_and_records_a_withdrawal(console, consent_db):
    at = open_customer(console, "kim", "100000001")
    assert not at.exception
    assert PANEL_TAB in [tab.label for tab in at.tabs]
    before = consent_rows(at)
    assert before[("마케팅", "TM")] == "동의"
    assert before[("마케팅", "문자")] == "동의 없음"
    assert "아직 기록된 동의 변경이 없습니다." in [c.value for c in at.caption]

    at.selectbox(key="consent_withdraw_purpose").set_value("marketing")
    at.selectbox(key="consent_withdraw_channel").set_value("tm")
    at.selectbox(key="consent_withdraw_source").set_value("phone")
    at.button(key="FormSubmitter:consent_withdraw_form-수신 동의 철회 기록").click()
    at.run()
    assert not at.exception
    assert "수신 동의 철회를 기록했습니다." in [s.value for s in at.success]
    assert consent_rows(at)[("마케팅", "TM")] == "철회"
    with consent_db.connect() as conn:
        assert conn.scalar(select(Customer.consent_tm).where(Customer.id == 1)) is False
        events = conn.execute(select(ConsentEvent.channel, ConsentEvent.given)).all()
    assert [tuple(event) for event in events] == [("tm", False)]
    history = next(frame.value for frame in at.dataframe if "기록한 사람" in frame.value.columns)
    assert history[["채널", "동의 상태", "받은 경로"]].values.tolist() == [["TM", "철회", "전화"]]
