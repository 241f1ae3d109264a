"""The data dictionary (admins): the tables behind the console and the meaning of each column,
from data_access.dictionary (the same meanings the import templates show).

One table at a time, chosen from a list the search narrows: all of them at once made a page
eleven thousand pixels long.
"""

import polars as pl
import streamlit as st

from data_access import admin
from ui import session
from ui.format import count
from ui.i18n import t


def worded(entries: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """The dictionary with its catalogue keys in `columns` replaced by their sentences."""
    return entries.with_columns(
        pl.col(column).replace_strict({key: t(key) for key in entries[column].unique()})
        for column in columns
    )


user = session.require_user()
st.title(t("dictionary_title"))
st.caption(t("dictionary_caption"))

entries = worded(admin.dictionary(user), "title", "about", "meaning")
needle = (
    st.text_input(
        t("dictionary_search"),
        key="dictionary_search",
        type="search",
        icon=":material/search:",
        placeholder=t("dictionary_search_placeholder"),
    )
    .strip()
    .lower()
)
if needle:
    # A table whose name matches keeps all its columns; otherwise the matching columns only.
    table_matches = pl.any_horizontal(
        pl.col(name).str.to_lowercase().str.contains(needle, literal=True)
        for name in ("table", "title", "about")
    )
    column_matches = pl.col("column").str.contains(needle, literal=True) | pl.col(
        "meaning"
    ).str.to_lowercase().str.contains(needle, literal=True)
    entries = entries.filter(table_matches.any().over("table") | column_matches)
if entries.is_empty():
    st.info(t("dictionary_nothing_found"))
    st.stop()

titles = dict(entries.select("table", "title").unique(maintain_order=True).iter_rows())
st.caption(t("dictionary_found", tables=count(len(titles)), columns=count(entries.height)))
chosen = st.selectbox(
    t("dictionary_table"),
    list(titles),
    format_func=titles.get,
    key="dictionary_table",
    placeholder=t("select_placeholder"),
)
columns = entries.filter(pl.col("table") == chosen)
st.subheader(titles[chosen])
st.caption(columns["about"][0])
st.dataframe(
    columns.select(
        pl.col("column").alias(t("col_column")),
        pl.col("meaning").alias(t("col_meaning")),
        pl.col("type").alias(t("col_type")),
        pl.col("required").alias(t("col_required")),
        pl.col("key").alias(t("col_key")),
        pl.col("allowed").alias(t("col_allowed")),
    ),
    hide_index=True,
    width="stretch",
)
