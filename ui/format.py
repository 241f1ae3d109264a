"""KRW amounts, counts and Asia/Seoul dates in the session's language (babel does the work)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from babel.dates import format_date, format_skeleton
from babel.numbers import format_compact_currency, format_currency, format_decimal

from ui.i18n import language

LOCALES = {"ko": "ko_KR", "en": "en_US"}


def _locale() -> str:
    return LOCALES[language()]


def krw(amount: int) -> str:
    """Whole won with grouping: ₩1,234,567."""
    return format_currency(amount, "KRW", locale=_locale())


def krw_compact(amount: int) -> str:
    """Large sums the way people say them: ₩1.2조 / ₩1.2T."""
    return format_compact_currency(amount, "KRW", locale=_locale(), fraction_digits=1)


def count(value: int) -> str:
    return format_decimal(value, locale=_locale())


def percent(value: float | None) -> str:
    """A share with one decimal, as every KPI shows one: 92.5% (a dash when there is none)."""
    if value is None:
        return "—"
    return f"{format_decimal(value, format='#,##0.0', locale=_locale())}%"


def day(value: dt.date) -> str:
    return format_date(value, format="long", locale=_locale())


def iso_day(column: str) -> pl.Expr:
    """A table's date column as 2026-11-24, whatever its type (a date, or a timestamp at
    midnight as SQLite may hand one back): one width for every row, in either language."""
    return pl.col(column).dt.to_string("%Y-%m-%d")


def short_day(value: dt.date) -> str:
    """A day within a short span, as the language writes it: 11월 9일 / Nov 9."""
    return format_skeleton("MMMd", value, locale=_locale())


def moment(value: dt.datetime | None, empty: str = "") -> str:
    """A Seoul wall-clock time as the language writes its date, then the hour: `empty` when
    there is none (a sign-in that never happened)."""
    return empty if value is None else f"{day(value.date())} {value:%H:%M}"
