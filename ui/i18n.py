"""The catalogue in the language of the Streamlit session; Korean is the default."""

from __future__ import annotations

import streamlit as st

from ui.messages import DEFAULT_LANGUAGE, LANGUAGES, has_message, translate, translate_plural

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LANGUAGE_KEY", "has_message", "language", "t", "tn"]

LANGUAGE_KEY = "language"


def language() -> str:
    return st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)


def t(key: str, /, **values: object) -> str:
    """The sentence `key` in the session's language, with `values` filled in."""
    return translate(key, language(), **values)


def tn(key: str, number: int, /, **values: object) -> str:
    """The sentence `key` in the form `number` asks for in the session's language (one or
    many in English), with `values` filled in."""
    return translate_plural(key, number, language(), **values)
