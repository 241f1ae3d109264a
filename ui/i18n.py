"""The catalogue in the language of the Streamlit session; Korean is the default."""

from __future__ import annotations

import streamlit as st

from ui.messages import DEFAULT_LANGUAGE, LANGUAGES, MESSAGES, translate

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LANGUAGE_KEY", "MESSAGES", "language", "t"]

LANGUAGE_KEY = "language"


def language() -> str:
    return st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)


def t(key: str, **values: object) -> str:
    """The sentence `key` in the session's language, with `values` filled in."""
    return translate(key, language(), **values)
