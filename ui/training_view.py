"""The training-progress tables (per person, per branch), shown alike on the training page and
beside staff usage."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from ui.i18n import t


def show_training_progress(
    progress: pl.DataFrame, *, by_branch: bool = False, **layout: Any
) -> None:
    """One row per person (or per branch): enrolments, completions, overdue, scores and
    certificate states. `layout` goes to st.dataframe (e.g. a fixed height)."""
    if by_branch:
        leading = [
            pl.col("branch_code").alias(t("col_branch")),
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
