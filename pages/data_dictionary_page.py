"""The data dictionary: every table and column the reader's role can see, with its meaning,
from data_access.dictionary (the same meanings the import templates show)."""

import polars as pl
import streamlit as st

from data_access import dictionary
from ui import session
from ui.i18n import language, t

user = session.require_user()
st.title(t("dictionary_title"))
st.caption(t("dictionary_caption"))

entries = dictionary.dictionary(user)
suffix = "ko" if language() == "ko" else "en"
needle = st.text_input(t("dictionary_search"), key="dictionary_search").strip().lower()
if needle:
    entries = entries.filter(
        pl.col("column").str.contains(needle, literal=True)
        | pl.col(f"meaning_{suffix}").str.to_lowercase().str.contains(needle, literal=True)
    )

for _, columns in entries.group_by("table", maintain_order=True):
    st.subheader(columns[f"title_{suffix}"][0])
    st.caption(columns[f"table_{suffix}"][0])
    shown = columns.select(
        pl.col("column").alias(t("col_column")),
        pl.col(f"meaning_{suffix}").alias(t("col_meaning")),
        pl.col("type").alias(t("col_type")),
        pl.col("required").alias(t("col_required")),
        pl.col("key").alias(t("col_key")),
        pl.col("allowed").alias(t("col_allowed")),
    )
    st.dataframe(shown, hide_index=True, width="stretch")
