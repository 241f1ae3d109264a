"""The `?branch=<code>` link of the executive, usage and training pages: resolved through
data_access, and when refused (another branch than a manager's own, or no such code) the page
says so, offers the way back and shows nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn, TypeVar

import streamlit as st

from data_access.core.errors import (
    AccessDenied,
    NotFound,
)
from ui.feedback import show_refusal

Resolved = TypeVar("Resolved")


def asked_code() -> str | None:
    return st.query_params.get("branch")


def resolve_or_stop(resolve: Callable[[], Resolved], *, refused: str, back: str) -> Resolved:
    """`resolve()` (the page's look-up of the asked branch), or the page stops with
    `refused` (the page's sentence for another branch) or the refusal's own sentence (no
    such code), and a button labelled `back`."""
    try:
        return resolve()
    except AccessDenied:
        st.error(refused, icon=":material/block:")
    except NotFound as unknown:
        show_refusal(unknown)
    _back_and_stop(back)


def _back_and_stop(back: str) -> NoReturn:
    if st.button(back):
        st.query_params.clear()
        st.rerun()
    st.stop()
