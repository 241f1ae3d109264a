"""The audit trail in words: an action's name, its detail as "key: value" phrases and the
address a request came from, in the reader's language.

The trail stores codes and JSON so it can be searched and hashed; an administrator reading it
should not have to decode either.
"""

import datetime as dt
import ipaddress
import json
import re

from babel.dates import format_date
from babel.numbers import format_decimal

from ui.messages import has_message, translate

LOCALES = {"ko": "ko_KR", "en": "en_US"}
SEPARATOR = " · "
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def client_text(client: str | None) -> str:
    """An IPv4 address the server saw through IPv6 (`::ffff:127.0.0.1`) as plain IPv4."""
    try:
        address = ipaddress.ip_address(client or "")
    except ValueError:
        return client or ""
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped) if mapped else str(address)


def action_text(action: str, language: str) -> str:
    """An action code in words; an action the catalogue does not know yet stays readable."""
    return worded("audit_action_", action, language)


def target_kind_text(kind: str | None, language: str) -> str:
    return "" if kind is None else worded("audit_target_", kind, language)


def detail_text(detail: str | None, language: str) -> str:
    """A detail's JSON as "key: value" phrases; a before/after pair as what changed."""
    if not detail:
        return ""
    values = json.loads(detail)
    if not isinstance(values, dict):
        return value_text(values, language)
    before, after = values.pop("before", None), values.pop("after", None)
    phrases = [
        f"{worded('audit_key_', key, language)}: {value_text(value, language)}"
        for key, value in values.items()
        if value is not None
    ]
    if isinstance(after, dict):
        phrases.append(changes_text(before if isinstance(before, dict) else {}, after, language))
    return SEPARATOR.join(phrases)


def changes_text(before: dict, after: dict, language: str) -> str:
    changed = [
        f"{worded('audit_key_', key, language)} "
        + (
            f"{value_text(before[key], language)} → {value_text(value, language)}"
            if key in before
            else value_text(value, language)
        )
        for key, value in after.items()
        if before.get(key) != value
    ]
    label = translate("audit_changed" if before else "audit_created", language)
    return f"{label}: {', '.join(changed) or translate('audit_unchanged', language)}"


def value_text(value: object, language: str) -> str:
    if isinstance(value, bool):
        return translate("audit_yes" if value else "audit_no", language)
    if isinstance(value, int | float):
        return format_decimal(value, locale=LOCALES[language])
    if isinstance(value, list):
        return ", ".join(value_text(each, language) for each in value)
    if isinstance(value, dict):
        return ", ".join(
            f"{worded('audit_key_', key, language)} {value_text(each, language)}"
            for key, each in value.items()
        )
    if isinstance(value, str) and ISO_DAY.fullmatch(value):
        return format_date(dt.date.fromisoformat(value), format="long", locale=LOCALES[language])
    return worded("audit_value_", str(value), language)


def worded(prefix: str, code: str, language: str) -> str:
    """The catalogue's words for `code`, or the code with spaces for underscores."""
    key = f"{prefix}{code}"
    return translate(key, language) if has_message(key) else code.replace("_", " ")
