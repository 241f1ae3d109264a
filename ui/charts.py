"""Chart axes as a reader of the session's language expects them: horizontal axis titles,
dates in the language's own pattern, and won in 억/조 (or B/T) instead of raw digits."""

from __future__ import annotations

from typing import Any

import altair as alt

from ui.i18n import language

# d3 time formats: Vega would otherwise write "Nov 09, 2026" to a Korean reader.
DATE_FORMATS = {"ko": "%Y년 %-m월 %-d일", "en": "%b %-d, %Y"}
WEEK_FORMATS = {"ko": "%-m월 %-d일 주", "en": "wk of %b %-d"}
MONTH_FORMATS = {"ko": "%Y년 %-m월", "en": "%b %Y"}
# Won as people say them: 조 and 억 in Korean, T/B/M in English.
KRW_LABELS = {
    "ko": (
        "abs(datum.value) >= 1e12 ? '₩' + format(datum.value / 1e12, ',.1~f') + '조'"
        " : '₩' + format(datum.value / 1e8, ',.2~f') + '억'"
    ),
    "en": (
        "abs(datum.value) >= 1e12 ? '₩' + format(datum.value / 1e12, ',.1~f') + 'T'"
        " : abs(datum.value) >= 1e9 ? '₩' + format(datum.value / 1e9, ',.1~f') + 'B'"
        " : '₩' + format(datum.value / 1e6, ',.1~f') + 'M'"
    ),
}
# A title read without tilting the head: above the axis, left-aligned.
HORIZONTAL_TITLE: dict[str, Any] = {
    "titleAngle": 0,
    "titleAlign": "left",
    "titleAnchor": "end",
    "titleBaseline": "bottom",
}


def date_format() -> str:
    return DATE_FORMATS[language()]


def period_format(period: str) -> str:
    """Ticks that match the period: a week reads as the week, a month as the month."""
    if period == "week":
        return WEEK_FORMATS[language()]
    if period in ("month", "quarter"):
        return MONTH_FORMATS[language()]
    return DATE_FORMATS[language()]


def y_axis(**options: Any) -> alt.Axis:
    """A vertical axis whose title is written horizontally above it."""
    return alt.Axis(**HORIZONTAL_TITLE, titleY=-8, titleX=0, **options)


def krw_axis(*, vertical: bool = True, **options: Any) -> alt.Axis:
    """An axis of won labelled ₩1.6조 / ₩1,022억 (₩1.6T / ₩102.3B)."""
    if vertical:
        return y_axis(labelExpr=KRW_LABELS[language()], **options)
    return alt.Axis(labelExpr=KRW_LABELS[language()], **options)
