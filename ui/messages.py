"""Every sentence a user reads, in Korean and English; Korean is the default.

The sentences live in gettext catalogs, one domain for the whole console (UI text, KPI labels,
data-dictionary meanings): locale/ko/LC_MESSAGES/messages.po and locale/en/LC_MESSAGES/
messages.po. They are keyed: a msgid is the key the code names (`translate("sign_in_title", ...)`),
never an English sentence, and both catalogs give every key a msgstr. A new sentence therefore
goes into BOTH .po files (with a plural entry when it counts something), then
`python -m ui.catalogs compile`; `python -m ui.catalogs check`, run by tests/test_catalogs.py,
fails on a key one catalog lacks, a placeholder the other language misses, or a .mo file older
than its .po (README, "Translations").

The compiled .mo files are committed next to their .po files, so a fresh clone starts with
nothing to build; each is read once per process. A key no catalog holds raises KeyError (in
tests and in the console alike), never shows up as the key itself.

No Streamlit here: the command line and data_access tests read the same catalogs as the pages
(ui/i18n.py adds the session's language on top).
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

from data_access.core.errors import (
    DomainError,
)
from data_access.core.job_runs import (
    JobName,
)
from data_access.core.models import (
    Role,
)
from data_access.core.policy import (
    Action,
)

LANGUAGES = {"ko": "한국어", "en": "English"}
DEFAULT_LANGUAGE = "ko"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"

# Values that are codes of the domain, and the catalogue prefix that names each in words.
WORDED: dict[type, str] = {Role: "role_", Action: "permission_", JobName: "job_"}


class _Missing(gettext.NullTranslations):
    """The catalogs' last fallback: a key they lack is a bug to see, not a sentence to show."""

    def gettext(self, message: str) -> str:
        raise KeyError(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        raise KeyError(msgid1)


def catalog_path(language: str, suffix: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


@functools.cache
def _catalog(language: str) -> gettext.GNUTranslations:
    with catalog_path(language, ".mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    translations.add_fallback(_Missing())
    return translations


def _catalog_for(language: str) -> gettext.GNUTranslations:
    return _catalog("ko" if language == "ko" else "en")


def has_message(key: str) -> bool:
    """Whether the catalogs word `key` (a singular entry), for codes only some of which have
    a sentence."""
    try:
        _catalog("en").gettext(key)
    except KeyError:
        return False
    return True


def translate(key: str, language: str, /, **values: object) -> str:
    """The sentence `key` in `language` ("ko" or "en"), with `values` filled in; a value that
    is a code (a role, a permission, a job) is named in the reader's words, never by its
    code."""
    return _filled(_catalog_for(language).gettext(key), language, values)


def translate_plural(key: str, number: int, language: str, /, **values: object) -> str:
    """The sentence `key` in the form `number` asks for in `language` (English has one and
    many, Korean one form for all), with `values` filled in as `translate` does; the number
    itself is among `values` when the sentence shows it, formatted by the caller."""
    return _filled(_catalog_for(language).ngettext(key, key, number), language, values)


def refusal_sentence(refusal: DomainError, language: str) -> str:
    """A refusal of data_access in `language`: in the form its count asks for when it counts
    something."""
    if refusal.counted is None:
        return translate(refusal.code, language, **refusal.values)
    return translate_plural(refusal.code, refusal.counted, language, **refusal.values)


def _filled(text: str, language: str, values: dict[str, object]) -> str:
    if not values:
        return text
    return text.format(**{name: worded(value, language) for name, value in values.items()})


def worded(value: object, language: str) -> object:
    prefix = next((prefix for kind, prefix in WORDED.items() if isinstance(value, kind)), None)
    return value if prefix is None else translate(f"{prefix}{value}", language)
