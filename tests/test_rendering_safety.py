"""Nothing leaves or renders except by the rules (#18).

Every table's data leaves only through data_access.exports (Streamlit's own CSV download and
clipboard copy are off however the console starts); text from the database, the address or an
uploaded file is shown as typed, never as Markdown (no link, image, colour, icon or maths);
and a widget callback that fails tells the console's own sentence, as a page body does.

The page tests plant hostile text in tests/handmade.py data: customer 1's name, an alert on
him, a shared segment's name, and a `?branch=` value.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from sqlalchemy import Engine, update
from streamlit import config
from streamlit.testing.v1 import AppTest

from data_access.campaigns import campaigns
from data_access.core.models import (
    Customer,
)
from data_access.customers import records as customers
from data_access.segments import segments
from jobs import agenda as agenda_job
from jobs import segments as segments_job
from tests import agenda_data, handmade, segments_data
from tests.handmade import EXECUTIVE, KIM, PASSWORD
from tests.lost_database import database_lost
from tests.test_app import TIMEOUT_S, sign_in
from tests.test_security_pages import open_url
from ui import session
from ui.markup import literal, sentence
from ui.training_view import problems_csv

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "app.py", *sorted(ROOT.glob("pages/*.py")), *sorted(ROOT.glob("ui/*.py"))]
CALLBACK_ARGUMENTS = ("on_click", "on_change", "on_submit", "on_select")
WJ = "\u2060"  # word joiner: invisible, and no address or e-mail is recognised across it
LINK_AND_IMAGE = "[x](https://evil.example)![i](https://evil.example/i.png)"
LINK_AND_IMAGE_SHOWN = (
    f"\\[x\\]\\(https{WJ}\\:\\/\\/evil{WJ}\\.example\\)"
    f"\\!\\[i\\]\\(https{WJ}\\:\\/\\/evil{WJ}\\.example\\/i{WJ}\\.png\\)"
)
HOSTILE_NAME = "[홍길동](https://evil.example)"
HOSTILE_NAME_SHOWN = f"\\[홍길동\\]\\(https{WJ}\\:\\/\\/evil{WJ}\\.example\\)"
ALERT_TEXT = "연락 https://evil.example/pay :red[긴급] $x$"
ALERT_TEXT_SHOWN = f"연락 https{WJ}\\:\\/\\/evil{WJ}\\.example\\/pay {WJ}\\:red\\[긴급\\] \\$x\\$"
SEGMENT_NAME = "봄 **VIP** www.evil.example"
SEGMENT_NAME_SHOWN = f"봄 \\*\\*VIP\\*\\* www{WJ}\\.evil{WJ}\\.example"
DATABASE_UNAVAILABLE = (
    "데이터베이스에 연결할 수 없습니다. 서버가 실행 중인지, CRM_DATABASE_URL 설정이 맞는지 "
    "확인한 뒤 새로고침하세요."
)


# --- the escape itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (LINK_AND_IMAGE, LINK_AND_IMAGE_SHOWN),
        ("mail@evil.example", f"mail{WJ}\\@evil{WJ}\\.example"),
        (":material/home: :smile:", f"{WJ}\\:material\\/home{WJ}\\: {WJ}\\:smile{WJ}\\:"),
        ("<b>굵게</b> & 1*2_3`4~5|6#7", "\\<b\\>굵게\\<\\/b\\> \\& 1\\*2\\_3\\`4\\~5\\|6\\#7"),
        ("홍길동 1980", "홍길동 1980"),
    ],
    ids=["link-image", "e-mail", "icon-emoji", "html-emphasis", "plain"],
)
def test_literal_escapes_markdown_and_breaks_autolinks(typed, shown):
    assert literal(typed) == shown


def test_a_sentence_escapes_its_text_values_and_keeps_its_own_markdown():
    """The alert line is bold by design; the alert's text is not."""
    line = sentence("alert_line", kind="**경보**", text="[x](y)", who="김", date="3월 1일")
    assert line == "**\\*\\*경보\\*\\*** — \\[x\\]\\(y\\) (등록: 김, 3월 1일)"


def test_a_sentence_keeps_numbers_for_their_format():
    assert sentence("first_run_done", seconds=12.4) == "데모 데이터 준비 완료 (12초)"


# --- hostile text through the pages --------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_agenda_db(databases) -> Engine:
    """Kim's day (tests/agenda_data.py) for a customer whose name is a link, with an alert
    whose text holds an address, a colour and maths."""
    engine = databases.new("hostile_agenda")
    with engine.begin() as conn:
        handmade.load(conn)
        agenda_data.load(conn)
        conn.execute(update(Customer).where(Customer.id == 1).values(name=HOSTILE_NAME))
        customers.raise_alert(
            conn, KIM, "100000001", kind="identity_check", severity="warning", text=ALERT_TEXT
        )
    agenda_job.run(engine, agenda_data.BUSINESS_DATE)
    return engine


def console_on(engine: Engine, monkeypatch, day) -> AppTest:
    monkeypatch.setenv("CRM_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CRM_BUSINESS_DATE", day.isoformat())
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "0")
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    return at.run()


@pytest.fixture
def console(hostile_agenda_db, monkeypatch) -> Iterator[AppTest]:
    yield console_on(hostile_agenda_db, monkeypatch, agenda_data.BUSINESS_DATE)
    st.cache_data.clear()


def test_a_customer_name_in_an_agenda_link_is_shown_as_typed(console):
    sign_in(console, "kim", PASSWORD)
    at = open_url(console, "agenda")
    assert not at.exception
    labels = {link.proto.label for link in at.get("page_link")}
    assert labels == {f"{HOSTILE_NAME_SHOWN} · 100000001"}


def test_an_alert_text_with_an_address_is_shown_as_typed(console):
    sign_in(console, "kim", PASSWORD)
    at = open_url(console, "customer", customer="100000001")
    assert not at.exception
    banner = [alert.value for alert in [*at.warning, *at.error]]
    assert any(ALERT_TEXT_SHOWN in line for line in banner), banner
    assert at.header[0].value == HOSTILE_NAME_SHOWN


@pytest.mark.parametrize(
    ("username", "url_path"),
    [("exec", "executive"), ("exec", "usage"), ("trainer", "training")],
)
def test_a_crafted_branch_in_the_address_is_shown_as_typed(console, username, url_path):
    sign_in(console, username, PASSWORD)
    at = open_url(console, url_path, branch=LINK_AND_IMAGE)
    assert not at.exception
    assert at.warning[0].value == (
        f"지점 코드 '{LINK_AND_IMAGE_SHOWN}'인 지점이 없습니다. 주소의 branch 값을 확인하세요."
    )


@pytest.fixture(scope="module")
def campaign_db(databases, tmp_path_factory) -> Iterator[tuple[Engine, str]]:
    """A campaign drawn from a shared segment whose name holds emphasis and an address."""
    analytics = str(tmp_path_factory.mktemp("hostile_analytics"))
    engine = databases.new("hostile_campaign")
    with engine.begin() as conn:
        handmade.load(conn)
        segments_data.load(conn)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(segments.ANALYTICS_DIR_ENV, analytics)
        segments_job.run(engine, segments_data.AS_OF)
        with engine.connect() as conn:
            saved = segments.save_segment(
                conn, EXECUTIVE, SEGMENT_NAME, segments.validate_spec({"op": "and"}), shared=True
            )
            campaigns.create_campaign(
                conn,
                EXECUTIVE,
                segments.load_features(engine, EXECUTIVE),
                campaigns.CampaignPlan(
                    name="봄 DM", segment_id=saved.segment_id, channel="dm", control_pct=0,
                    seed=1, cost_per_piece_krw=1_500, sample_size=2,
                ),
                started_on=segments_data.AS_OF,
            )  # fmt: skip
            conn.commit()
    yield engine, analytics


def test_a_shared_segment_name_in_a_campaign_caption_is_shown_as_typed(campaign_db, monkeypatch):
    engine, analytics = campaign_db
    monkeypatch.setenv(segments.ANALYTICS_DIR_ENV, analytics)
    at = console_on(engine, monkeypatch, segments_data.AS_OF)
    sign_in(at, "exec", PASSWORD)
    open_url(at, "campaigns")
    st.cache_data.clear()
    assert not at.exception
    captions = [caption.value for caption in at.caption]
    assert any(f"'{SEGMENT_NAME_SHOWN}' v1" in caption for caption in captions), captions


# --- every callback, and a database lost during one ----------------------------------------


def callback_names(path: Path) -> Iterator[tuple[str, int, str]]:
    """(file, line, function) of every on_click/on_change/... callback named in `path`;
    the strings Streamlit takes instead ("rerun", "ignore") are no callbacks."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        for keyword in node.keywords if isinstance(node, ast.Call) else []:
            if keyword.arg in CALLBACK_ARGUMENTS and not isinstance(keyword.value, ast.Constant):
                value = keyword.value
                name = getattr(value, "id", None) or getattr(value, "attr", "<lambda>")
                yield path.name, value.lineno, name


def guarded_names(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef) and any(
            "guarded" in (getattr(d, "id", None), getattr(d, "attr", None))
            for d in node.decorator_list
        ):
            yield node.name


def test_every_widget_callback_is_guarded():
    """Streamlit runs callbacks before the script, outside app.py's run_page: each one goes
    through ui.failures.guarded, or a failure there shows Streamlit's own error page."""
    guarded = {name for path in SOURCES for name in guarded_names(path)}
    callbacks = [callback for path in SOURCES for callback in callback_names(path)]
    assert len(callbacks) > 30, "the pages do use callbacks"
    assert [callback for callback in callbacks if callback[2] not in guarded] == []


def test_a_database_lost_during_a_callback_gets_the_consoles_sentence(console, hostile_agenda_db):
    """The search box's callback reads the database before the page runs."""
    sign_in(console, "kim", PASSWORD)
    at = open_url(console, "customer")
    url = hostile_agenda_db.url.render_as_string(hide_password=False)
    with database_lost(url, pools=(session.console_engine(url),)):
        at.text_input(key="customer_query").input("홍길동").run()
        assert not at.exception, at.exception
        assert [error.value for error in at.error] == [DATABASE_UNAVAILABLE]
    at.run()
    assert not at.error, "the sentence is shown once, not left for later runs"


def tab_watching_its_session(idle_for_s: float) -> None:
    """A signed-in tab whose last activity was `idle_for_s` ago, running the session watch
    (a fragment runs once in a full run, as it does on its own timer)."""
    import time

    import streamlit as st

    from tests.handmade import KIM
    from ui import session
    from ui.i18n import LANGUAGE_KEY

    # Signing out keeps only the language: the tab is signed in on its first run alone.
    if LANGUAGE_KEY not in st.session_state:
        st.session_state[LANGUAGE_KEY] = "ko"
        st.session_state[session.USER_KEY] = KIM
        st.session_state[session.SESSION_ID_KEY] = "issued-by-sign-in"
        st.session_state[session.LAST_SEEN_KEY] = time.time() - idle_for_s
    session.watch_session()
    st.text("the page")


@pytest.mark.parametrize(
    ("idle_for_s", "still_signed_in"),
    [(0.0, True), (3_600.0, False)],
    ids=["active tab keeps its page", "idle tab signs out without the database"],
)
def test_the_session_watch_of_an_idle_tab_survives_a_lost_database(
    hostile_agenda_db, monkeypatch, idle_for_s, still_signed_in
):
    """The watch reruns on its own timer, outside app.py: a database lost meanwhile shows no
    Streamlit error there, and the idle limit still holds, for it needs no database."""
    url = hostile_agenda_db.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    at = AppTest.from_function(
        tab_watching_its_session, args=(idle_for_s,), default_timeout=TIMEOUT_S
    )
    with database_lost(url, pools=(session.console_engine(url),)):
        at.run()
    assert not at.exception, at.exception
    assert (session.USER_KEY in at.session_state) is still_signed_in


# --- every way out -------------------------------------------------------------------------


def calls(path: Path, name: str) -> Iterator[ast.Call]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            called = node.func
            if getattr(called, "attr", None) == name or getattr(called, "id", None) == name:
                yield node


def test_the_console_turns_off_streamlits_own_data_export_however_it_starts(handmade_url):
    """Started from another folder (or by AppTest), .streamlit/config.toml is not read: the
    console itself turns the CSV download and clipboard copy of tables and charts off."""
    config.set_option("client.disableDataExport", False)
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CRM_DATABASE_URL", handmade_url)
        at.run()
    assert not at.exception
    assert config.get_option("client.disableDataExport") is True
    assert at.title[0].value == "드림스 CRM 로그인", "the console goes on to its page"


def test_the_config_file_turns_streamlits_own_data_export_off():
    text = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert "disableDataExport = true" in text


def test_every_download_is_an_export_file_or_a_defused_file_of_the_users_own_rows():
    """st.download_button gets `ExportFile.data` (export_frame: grant, reason, audit, masking,
    formulas defused) or one of the named files that carry no customer data."""
    own_rows = {"template_csv", "errors_csv", "problems_csv"}
    offenders = []
    for path in SOURCES:
        for call in calls(path, "download_button"):
            data = next((k.value for k in call.keywords if k.arg == "data"), None)
            data = data or (call.args[1] if len(call.args) > 1 else None)
            exported = isinstance(data, ast.Attribute) and data.attr == "data"
            maker = data.func if isinstance(data, ast.Call) else None
            named = maker is not None and (getattr(maker, "attr", None) or maker.id) in own_rows
            if not (exported or named):
                offenders.append(f"{path.name}:{call.lineno}")
    assert offenders == []


def test_the_training_problem_rows_leave_with_formulas_defused():
    problems = pl.DataFrame(
        {
            "line": [2, 3],
            "employee_no": ['=HYPERLINK("https://evil.example","x")', "E0001"],
            "course_code": ["@SUM(A1)", "\tTAB"],
            "reason": ["unknown_employee", "unknown_course"],
        }
    )
    body = problems_csv(problems).decode("utf-8-sig")
    assert body.splitlines()[1:] == [
        '2,"\'=HYPERLINK(""https://evil.example"",""x"")",\'@SUM(A1),unknown_employee',
        "3,E0001,'\tTAB,unknown_course",
    ]
