"""The training-progress tables (per person, per branch), shown alike on the training page and
beside staff usage, and the rows of a results import that would be skipped, as a file."""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl
import streamlit as st

from data_access.exports import (
    neutralise_formulas,
)
from ui.i18n import language, t, tn


def title_column(frame: pl.DataFrame) -> pl.Series:
    """A course's title in the reader's language."""
    return frame["title_ko"] if language() == "ko" else frame["title_en"]


def expiry_text(days_left: int) -> str:
    """A certificate's time left as people say it: '22일 남음', or '62일 전 만료' once past."""
    if days_left < 0:
        return tn("training_expired_ago", -days_left, days=-days_left)
    return tn("training_days_left", days_left, days=days_left)


def expiry_column(frame: pl.DataFrame) -> pl.Series:
    """expiry_text of each row's days_left (in this thread: the language lives in the session,
    which polars' worker threads do not see)."""
    return pl.Series([expiry_text(days) for days in frame["days_left"]], dtype=pl.String)


def show_training_progress(
    progress: pl.DataFrame, *, by_branch: bool = False, **layout: Any
) -> None:
    """One row per person (or per branch): enrolments, completions, overdue, scores and
    certificate states. `layout` goes to st.dataframe (e.g. a fixed height)."""
    if by_branch:
        leading = [
            pl.col(f"branch_name_{language()}").alias(t("col_branch")),
            pl.col("staff").alias(t("col_staff")),
        ]
    else:
        leading = [
            pl.col("employee_no").alias(t("col_employee_no")),
            pl.col("name").alias(t("col_name")),
        ]
    score = (
        [pl.col("mean_score").round(1).alias(t("col_mean_score"))]
        if "mean_score" in progress.columns
        else []
    )
    st.dataframe(
        progress.select(
            *leading,
            pl.col("enrolled").alias(t("col_enrolled")),
            pl.col("completed").alias(t("col_completed")),
            pl.col("overdue").alias(t("col_overdue")),
            pl.col("upcoming").alias(t("col_upcoming")),
            *score,
            pl.col("completion_pct").round(0).alias(t("col_completion_rate")),
            pl.col("expired").alias(t("col_expired")),
            pl.col("expiring").alias(t("col_expiring")),
        ),
        hide_index=True,
        width="stretch",
        column_config={t("col_completion_rate"): st.column_config.NumberColumn(format="%d%%")},
        **layout,
    )


def problems_csv(problems: pl.DataFrame) -> bytes:
    """The skipped rows of the trainer's own upload, to fix and upload again.

    They echo the uploader's file (line, employee number, course code, reason) and hold no
    customer data, so they need no export grant; but a cell the file had as a formula would
    run when the CSV is opened, so it is defused as every export's is.
    """
    return neutralise_formulas(problems).write_csv(include_bom=True).encode()


def effect_chart(effect: pl.DataFrame) -> alt.Chart:
    """Actions per person-day before and after each course (`training.before_after` rows),
    courses by name down the side: their names are long, and read whole there."""
    periods = {"before_per_day": t("training_before"), "after_per_day": t("training_after")}
    long = (
        effect.with_columns(title_column(effect).alias("course"))
        .unpivot(index="course", on=list(periods), variable_name="period", value_name="per_day")
        .with_columns(pl.col("period").replace_strict(periods))
    )
    return (
        alt.Chart(long.drop_nulls("per_day"))
        .mark_bar()
        .encode(
            y=alt.Y("course:N", title=None, axis=alt.Axis(labelLimit=320)),
            yOffset=alt.YOffset("period:N", sort=list(periods.values())),
            x=alt.X("per_day:Q", title=t("usage_per_person_day")),
            color=alt.Color(
                "period:N", title=t("training_col_period"), sort=list(periods.values())
            ),
            tooltip=[
                alt.Tooltip("course:N", title=t("col_course")),
                alt.Tooltip("period:N", title=t("training_col_period")),
                alt.Tooltip("per_day:Q", title=t("usage_per_person_day"), format=".0f"),
            ],
        )
    )
