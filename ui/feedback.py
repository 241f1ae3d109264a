"""A write's outcome, left in the session by a form callback and shown once on the next run."""

from __future__ import annotations

import streamlit as st


def show_feedback(key: str) -> None:
    """Show and forget the ("success" or "error", message) pair a callback left under `key`."""
    feedback = st.session_state.pop(key, None)
    if feedback:
        level, message = feedback
        (st.success if level == "success" else st.error)(message)
