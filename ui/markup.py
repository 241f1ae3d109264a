"""Text from the database, the address or an uploaded file, shown as typed where Streamlit
renders Markdown.

st.markdown, st.caption, the alerts, titles and headers, metric values and labels, tabs,
expanders, page links, badges, widget labels and help all render Markdown: links, images the
browser fetches from any address, emphasis, `:red[...]` colours, `:material/...:` icons and
`$...$` maths, and (GitHub's extension) bare addresses and e-mails become links. None of that
is ever meant by a customer's name, an alert, a segment's name or a `?branch=` value.
"""

from __future__ import annotations

import re

from ui.i18n import t, tn
from ui.messages import WORDED

# CommonMark lets a backslash make any ASCII punctuation literal.
MARKDOWN_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")
# The escapes are gone by the time bare addresses are found (GitHub's extension looks for
# "https://", "www." and "name@host" in the parsed text), so a word joiner, invisible and
# outside every address, goes before the characters an address hinges on.
LINK_HINGES = frozenset(":.@")
WORD_JOINER = "\u2060"


def _escaped(match: re.Match[str]) -> str:
    character = match.group()
    joiner = WORD_JOINER if character in LINK_HINGES else ""
    return f"{joiner}\\{character}"


def literal(text: object) -> str:
    """`text` as Markdown that shows exactly `text`: no link, image, emphasis, colour, icon,
    maths or HTML."""
    return MARKDOWN_PUNCTUATION.sub(_escaped, str(text))


def sentence(key: str, /, **values: object) -> str:
    """`t(key, **values)` for an element that renders Markdown: the sentence keeps its own
    formatting, each text value shows as typed (numbers stay numbers for the format), and a
    code (a role, a permission) is left for `t` to name in the reader's words."""
    return t(key, **{name: _shown(value) for name, value in values.items()})


def counted_sentence(key: str, number: int, /, **values: object) -> str:
    """`tn(key, number, **values)` for an element that renders Markdown, as `sentence`."""
    return tn(key, number, **{name: _shown(value) for name, value in values.items()})


def _shown(value: object) -> object:
    if isinstance(value, tuple(WORDED)):
        return value
    return literal(value) if isinstance(value, str) else value
