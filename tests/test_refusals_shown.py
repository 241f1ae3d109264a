"""A refusal no page caught reads as its own sentence in the reader's language, in a page
(app.py's run_page) as in a widget callback (ui.failures.guarded); a bug still reads as the
"unexpected error" sentence."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app import TIMEOUT_S


def refusing_console() -> None:
    import streamlit as st

    from data_access.core.errors import (
        AccessDenied,
        Refused,
    )
    from ui.failures import guarded, run_page, show_callback_failure

    class Page:
        def __init__(self, failure: Exception) -> None:
            self.failure = failure

        def run(self) -> None:
            raise self.failure

    @guarded
    def save() -> None:
        raise Refused("seg_rejected_name_empty")

    show_callback_failure()
    st.button("save", on_click=save)
    failures = {
        "refused": AccessDenied("access_denied_branch"),
        "bug": ZeroDivisionError("a bug"),
    }
    if failure := failures.get(st.session_state.get("page_fails")):
        run_page(Page(failure))


@pytest.fixture
def console() -> AppTest:
    return AppTest.from_function(refusing_console, default_timeout=TIMEOUT_S)


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("ko", "다른 지점의 자료는 볼 수 없습니다. 소속 지점의 자료만 볼 수 있습니다."),
        ("en", "That branch is outside your scope: you see your own branch only."),
    ],
    ids=["korean", "english"],
)
def test_a_page_refused_by_data_access_reads_as_its_sentence(console, language, sentence):
    console.session_state["language"] = language
    console.session_state["page_fails"] = "refused"
    console.run()
    assert not console.exception
    assert [error.value for error in console.error] == [sentence]


@pytest.mark.parametrize(
    ("language", "sentence"),
    [("ko", "세그먼트 이름을 입력하세요."), ("en", "Give the segment a name.")],
    ids=["korean", "english"],
)
def test_a_callback_refused_by_data_access_reads_as_its_sentence(console, language, sentence):
    console.session_state["language"] = language
    console.run()
    console.button[0].click().run()
    assert not console.exception
    assert [error.value for error in console.error] == [sentence]


def test_a_bug_still_reads_as_the_unexpected_error(console):
    console.session_state["language"] = "en"
    console.session_state["page_fails"] = "bug"
    console.run()
    assert not console.exception
    assert console.error[0].value.startswith("Something went wrong while showing this page.")
