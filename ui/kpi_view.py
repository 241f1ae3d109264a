"""How a KPI reads on screen: its label, value, change and target, in the session's language.

Shared by the executive page and the home page, so a KPI looks the same wherever it appears.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import polars as pl
import streamlit as st
from babel.dates import format_interval
from babel.numbers import format_decimal

from data_access import kpis
from data_access.core.policy import (
    Action,
    permits,
)
from data_access.core.security import (
    SignedInUser,
)
from data_access.kpis import (
    KPI_BY_NAME,
    Better,
    Kpi,
    Unit,
)
from ui import session
from ui.format import LOCALES, count, day, krw, krw_compact, percent
from ui.i18n import language, t
from ui.messages import has_message

MISSING = "—"
DELTA_COLORS: dict[Better, Literal["normal", "inverse", "off"]] = {
    Better.UP: "normal",
    Better.DOWN: "inverse",
    Better.NEUTRAL: "off",
}
# Sums of won this large read better compact (₩1.4조); a cost per response does not.
COMPACT_KRW_FROM = 100_000_000
COMPACT_TABLE_KRW_FROM = 10_000


def label(kpi: Kpi) -> str:
    return t(kpi.label_key)


def definition(kpi: Kpi) -> str:
    return t(kpi.definition_key)


def _decimal(value: float, digits: int) -> str:
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=LOCALES[language()])


def value_text(kpi: Kpi, value: float | None) -> str:
    """The value as a reader expects it: ₩1.4조, 18,991, 12.3%, 8.8."""
    if value is None:
        return MISSING
    if kpi.unit is Unit.KRW:
        return krw_compact(round(value)) if abs(value) >= COMPACT_KRW_FROM else krw(round(value))
    if kpi.unit is Unit.COUNT:
        return count(round(value))
    if kpi.unit is Unit.PERCENT:
        return percent(value)
    # Ratios keep about three significant digits: 245, 11.7, 0.05.
    return _decimal(value, 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2)


def table_text(kpi: Kpi, value: float | None) -> str:
    """A value in a table: sums of won compact from ₩10,000 (₩1700만, ₩1022.5억, ₩1.6조)
    so a column never shows raw digits; everything else as on a tile."""
    if value is not None and kpi.unit is Unit.KRW and abs(value) >= COMPACT_TABLE_KRW_FROM:
        return krw_compact(round(value))
    return value_text(kpi, value)


def region_names(regions: pl.Series) -> pl.Series:
    """Regions (stored in Korean) in the reader's language: 서울 -> Seoul."""
    return pl.Series(
        regions.name,
        [t(f"region_{r}") if has_message(f"region_{r}") else r for r in regions],
        pl.String,
    )


def as_text(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """`frame` with the KPI columns among `names` written as `table_text` (in this thread:
    the language lives in the session, which polars' worker threads do not see)."""
    return frame.with_columns(
        pl.Series(name, [table_text(KPI_BY_NAME[name], v) for v in frame[name]], pl.String)
        for name in names
        if name in KPI_BY_NAME
    )


def change_text(kpi: Kpi, value: float | None, before: float | None) -> str | None:
    """The change from `before` to `value`: percentage points for rates, percent otherwise."""
    if value is None or before is None:
        return None
    if kpi.unit is Unit.PERCENT:
        return f"{value - before:+.1f}%p"
    if before == 0:
        return None
    return f"{(value - before) * 100 / abs(before):+.1f}%"


def target_text(kpi: Kpi, value: float | None, target: float | None) -> str | None:
    """'Target 250 · met' (or missed), judged by the KPI's good direction."""
    if target is None:
        return None
    shown = t("kpi_target_is", target=value_text(kpi, target))
    if value is None or kpi.better is Better.NEUTRAL:
        return shown
    met = value >= target if kpi.better is Better.UP else value <= target
    return f"{shown} · {t('kpi_target_met' if met else 'kpi_target_missed')}"


def against_median_text(kpi: Kpi, value: float | None, median: float | None) -> str:
    """'▲ 좋음' / '▼ 나쁨' / '= 같음': the branch against the firm median, judged by the KPI's
    good direction, in words as well as an arrow (never colour alone)."""
    if value is None or median is None or kpi.better is Better.NEUTRAL:
        return MISSING
    if value == median:
        return f"= {t('kpi_same')}"
    arrow = "▲" if value > median else "▼"
    better = (value > median) == (kpi.better is Better.UP)
    return f"{arrow} {t('kpi_better' if better else 'kpi_worse')}"


def tile(
    kpi: Kpi,
    value: float | None,
    before: float | None,
    target: float | None,
    *,
    trend: list[float] | None = None,
) -> None:
    """One KPI as a card: value, change against the previous period, the target and, given a
    `trend`, a sparkline. Nothing longer below the value: a tile's text is never cut off."""
    change = change_text(kpi, value, before)
    unsigned = change.lstrip("+-") if change is not None else None
    unchanged = unsigned is not None and unsigned.startswith("0.0%")
    aim = target_text(kpi, value, target)
    st.metric(
        label(kpi),
        value_text(kpi, value),
        delta=unsigned if unchanged else change,
        delta_color="off" if unchanged else DELTA_COLORS[kpi.better],
        delta_arrow="off" if unchanged else "auto",
        delta_description=aim,
        help=definition(kpi),
        border=True,
        chart_data=trend or None,
        chart_type="line",
    )  # the description shows without a change too, so the target needs no caption of its own


def tiles(
    latest: dict[str, float | None],
    previous: dict[str, float | None],
    targets: dict[str, float],
    names: list[str],
    *,
    trends: dict[str, list[float]] | None = None,
    per_row: int = 4,
) -> None:
    """Tiles of `names`, `per_row` to a row."""
    for start in range(0, len(names), per_row):
        columns = st.columns(per_row)
        for column, name in zip(columns, names[start : start + per_row], strict=False):
            with column:
                tile(
                    KPI_BY_NAME[name],
                    latest.get(name),
                    previous.get(name),
                    targets.get(name),
                    trend=(trends or {}).get(name),
                )


def span(first: dt.date, last: dt.date) -> str:
    """Days as a reader says them: 'Dec 1 – 5', '12월 1일～5일', or one day.

    Korean's ASCII tilde becomes the full-width one: two spans in one caption would otherwise
    read as Markdown strikethrough (`1일~4일, 11월 1일~4일`).
    """
    return format_interval(first, last, "MMMd", locale=LOCALES[language()]).replace("~", "～")


def period_label(start: dt.date, period: str) -> str:
    if period == "quarter":
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    if period == "month":
        return f"{start.year}-{start.month:02d}"
    return start.isoformat()


def values_of(frame: pl.DataFrame) -> dict[str, float | None]:
    """kpi -> value from a (kpi, value) frame."""
    return dict(zip(frame["kpi"], frame["value"], strict=True))


# The firm's headline: few enough to read at once, four to a row, on home and executive pages.
HEADLINE_KPIS = [
    "aum_krw", "net_flows_krw", "active_customers", "agenda_completion_pct",
    "usage_per_staff_day", "trained_pct", "customers_per_manager", "dm_tm_response_pct",
]  # fmt: skip
HOME_FIRM_KPIS = HEADLINE_KPIS
HOME_TTL_S = 600


def _latest_snapshot(user: SignedInUser, today: dt.date) -> dt.date | None:
    """The latest completed day with a snapshot, chosen as the executive page chooses it
    (kpis.snapshot_span). Asked on every run (one small query), so a snapshot made a minute
    ago shows at once."""
    with session.connect() as conn:
        span = kpis.snapshot_span(conn, user, today)
    return None if span is None else span[1]


# The whole user is part of the key: a branch's figures never reach another branch's manager.
# So is the snapshot's day: a new snapshot is a new key.
@st.cache_data(ttl=HOME_TTL_S, show_spinner=False)
def _home_figures(
    user: SignedInUser, latest: dt.date
) -> tuple[str, pl.DataFrame, dict[str, float]]:
    with session.connect() as conn:
        scope = kpis.scope_for(conn, user)
        if scope.kind == kpis.FIRM:
            figures = kpis.history(conn, user, latest, latest)
        else:
            figures = kpis.branch_against_median(conn, user, latest)
        return scope.kind, figures, kpis.targets(conn, user)


def home_kpis(user: SignedInUser, today: dt.date) -> frozenset[str]:
    """The KPIs `home_section` shows this user, as firm tiles or in the branch table (none
    without the right or a snapshot), so the page above does not show a figure twice."""
    if not permits(user, Action.KPI_READ):
        return frozenset()
    latest = _latest_snapshot(user, today)
    if latest is None:
        return frozenset()
    kind, figures, _ = _home_figures(user, latest)
    return frozenset(HOME_FIRM_KPIS if kind == kpis.FIRM else figures["kpi"])


def home_section(user: SignedInUser, today: dt.date) -> None:
    """The home page's KPIs of the latest completed day, named in the caption: the firm's
    headline tiles, or a branch manager's own branch next to the firm median. Nothing before
    the first snapshot."""
    if not permits(user, Action.KPI_READ):
        return
    latest = _latest_snapshot(user, today)
    if latest is None:
        return
    kind, figures, targets = _home_figures(user, latest)
    if kind == kpis.FIRM:
        st.subheader(t("home_kpi_firm"))
        st.caption(t("home_kpi_caption", date=day(latest)))
        tiles(values_of(figures), {}, targets, HOME_FIRM_KPIS)
        return
    st.subheader(t("home_kpi_branch"))
    st.caption(t("home_kpi_caption", date=day(latest)))
    kpi_of = [KPI_BY_NAME[name] for name in figures["kpi"]]
    st.dataframe(
        pl.DataFrame(
            {
                t("col_kpi"): [label(kpi) for kpi in kpi_of],
                t("col_value"): [
                    value_text(kpi, v) for kpi, v in zip(kpi_of, figures["value"], strict=True)
                ],
                t("col_median"): [
                    value_text(kpi, v) for kpi, v in zip(kpi_of, figures["median"], strict=True)
                ],
                t("col_vs_median"): [
                    against_median_text(kpi, v, m)
                    for kpi, v, m in zip(kpi_of, figures["value"], figures["median"], strict=True)
                ],
            }
        ),
        hide_index=True,
        width="stretch",
        height="content",
    )
