"""The training-progress table, shown alike on the training page and beside staff usage."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ui.i18n import t


def show_training_progress(progress: pl.DataFrame) -> None:
    """One row per person: enrolments, completions, overdue, scores and certificate states."""
    score = (
        [pl.col("mean_score").round(1).alias(t("col_mean_score"))]
        if "mean_score" in progress.columns
        else []
    )
    st.dataframe(
        progress.select(
            pl.col("employee_no").alias(t("col_employee_no")),
            pl.col("name").alias(t("col_name")),
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
    )
