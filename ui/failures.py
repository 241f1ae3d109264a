"""What people read when a page or a widget's callback fails: a sentence, never a traceback.

app.py runs the page through `run_page`, but Streamlit runs the callbacks of the interaction
(on_click, on_change) before the script, so an exception there would escape app.py and show
Streamlit's own error page. Every callback is therefore wrapped in `guarded`, which logs the
failure and leaves it for app.py to tell at the top of the run that follows. A refusal from
data_access that no page caught reads as its own sentence; anything else is a bug and reads
as the "unexpected error" sentence with a reference to the logged traceback.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import NoReturn, ParamSpec, Protocol

import streamlit as st
from sqlalchemy.exc import OperationalError

from data_access.core.db import (
    DatabaseUnavailable,
)
from data_access.core.errors import (
    DomainError,
)
from ui.feedback import show_refusal
from ui.i18n import t

log = logging.getLogger("dreams")

CALLBACK_FAILURE_KEY = "callback_failure"
DATABASE = "database"
DATABASE_ERRORS = (DatabaseUnavailable, OperationalError)

Params = ParamSpec("Params")


class Runnable(Protocol):
    """A page as st.navigation returns it."""

    def run(self) -> None: ...


def show_database_unavailable() -> NoReturn:
    st.error(t("database_unavailable"), icon=":material/cloud_off:")
    st.stop()


def new_reference() -> str:
    """A short number that ties the sentence a person reports to the logged traceback."""
    return uuid.uuid4().hex[:8]


def show_unexpected(reference: str) -> None:
    st.error(t("unexpected_error", ref=reference), icon=":material/error:")


def run_page(page: Runnable) -> None:
    """Run the page app.py chose; people read a sentence, a traceback goes to the log."""
    try:
        page.run()
    except DATABASE_ERRORS:
        log.exception("database error while running a page")
        show_database_unavailable()
    except DomainError as refusal:
        log.info("page refused: %s", refusal)
        show_refusal(refusal)
    except Exception:
        reference = new_reference()
        log.exception("page failed, reference %s", reference)
        show_unexpected(reference)


def guarded(callback: Callable[Params, None]) -> Callable[Params, None]:
    """`callback`, for on_click and on_change, with its failure logged and left for
    `show_callback_failure` instead of raised into Streamlit."""

    @functools.wraps(callback)
    def run(*args: Params.args, **kwargs: Params.kwargs) -> None:
        try:
            callback(*args, **kwargs)
        except DATABASE_ERRORS:
            log.exception("database error in the callback %s", callback.__qualname__)
            st.session_state[CALLBACK_FAILURE_KEY] = DATABASE
        except DomainError as refusal:
            log.info("callback %s refused: %s", callback.__qualname__, refusal)
            st.session_state[CALLBACK_FAILURE_KEY] = refusal
        except Exception:
            reference = new_reference()
            log.exception("callback %s failed, reference %s", callback.__qualname__, reference)
            st.session_state[CALLBACK_FAILURE_KEY] = reference

    return run


def show_callback_failure() -> None:
    """Tell, once, how a callback of this interaction failed; a database that cannot be
    reached stops the run, as it does in a page."""
    failure = st.session_state.pop(CALLBACK_FAILURE_KEY, None)
    if failure == DATABASE:
        show_database_unavailable()
    if isinstance(failure, DomainError):
        show_refusal(failure)
    elif failure is not None:
        show_unexpected(failure)
