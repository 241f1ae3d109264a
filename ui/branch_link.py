"""The `?branch=<code>` link of the executive, usage and training pages: resolved through
data_access, and when refused (another branch than a manager's own, or no such code) the page
says so, offers the way back and shows nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn, TypeVar

import streamlit as st

from data_access.branches import UnknownBranch
from data_access.policy import AccessDenied
from ui.markup import sentence

Resolved = TypeVar("Resolved")


def asked_code() -> str | None:
    return st.query_params.get("branch")


def resolve_or_stop(resolve: Callable[[], Resolved], *, refused: str, back: str) -> Resolved:
    """`resolve()` (the page's look-up of the asked branch), or the page stops with
    `refused` (a sentence) or the unknown-code sentence and a button labelled `back`."""
    try:
        return resolve()
    except AccessDenied:
        st.error(refused, icon=":material/block:")
    except UnknownBranch:
        st.error(sentence("kpi_branch_unknown", code=asked_code()), icon=":material/search_off:")
    _back_and_stop(back)


def _back_and_stop(back: str) -> NoReturn:
    if st.button(back):
        st.query_params.clear()
        st.rerun()
    st.stop()
