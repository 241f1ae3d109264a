"""The one error a person reads: a catalogue key and the values its sentence names.

data_access never words a refusal itself: it raises a DomainError whose `code` is a key of the
catalogue (ui/messages.py) and whose `values` fill the sentence in. Each edge words it once, in
the reader's language: the pages through ui.feedback.show_refusal, app.py and widget callbacks
through ui.failures, the command line through jobs.__main__. A bug stays an ordinary exception
and reaches people as the "unexpected error" sentence, its traceback in the log.

The subclasses add nothing but a name, for the callers that act differently on them.
"""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """A request refused for a reason the person can act on; nothing stored was half-written.

    `problems` lists the findings when one request has several (each field of a rule, each
    place in a segment spec); the page lays them out under the sentence. `counted` is the
    number a sentence that counts something is about (3 rows have errors): the catalogue then
    holds `code` as a plural entry, and the number picks its form (1 row, 3 rows).
    """

    def __init__(
        self,
        code: str,
        /,
        *,
        problems: Sequence[object] = (),
        counted: int | None = None,
        **values: object,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.values = values
        self.problems = tuple(problems)
        self.counted = counted

    def __str__(self) -> str:
        # For logs and tracebacks only; people read the catalogue's sentence.
        return f"{self.code} {self.values}" if self.values else self.code


class AccessDenied(DomainError):
    """The policy refuses: the role may not do it, or not on that branch or customer."""


class NotFound(DomainError):
    """Nothing has the number or code asked for."""


class Refused(DomainError):
    """The request cannot be done as asked: a value out of bounds, a rule of the domain, or a
    state that changed meanwhile."""
