"""What a person reads after a request: a write's outcome left by a form callback, and a
refusal from data_access in the reader's words."""

from __future__ import annotations

import streamlit as st

from data_access.core.errors import (
    AccessDenied,
    DomainError,
    NotFound,
)
from ui.markup import counted_sentence, sentence


def show_feedback(key: str) -> None:
    """Show and forget the ("success" or "error", message) pair a callback left under `key`."""
    feedback = st.session_state.pop(key, None)
    if feedback:
        level, message = feedback
        (st.success if level == "success" else st.error)(message)


def refusal_text(refusal: DomainError) -> str:
    """The refusal's sentence in the session's language, for an element that renders
    Markdown (a callback leaves it in the session; `show_refusal` shows it at once)."""
    if refusal.counted is None:
        return sentence(refusal.code, **refusal.values)
    return counted_sentence(refusal.code, refusal.counted, **refusal.values)


def show_refusal(refusal: DomainError) -> None:
    """The one way a page tells a refusal: what was not found is a warning, the rest an
    error."""
    if isinstance(refusal, NotFound):
        st.warning(refusal_text(refusal), icon=":material/search_off:")
    elif isinstance(refusal, AccessDenied):
        st.error(refusal_text(refusal), icon=":material/block:")
    else:
        st.error(refusal_text(refusal))
