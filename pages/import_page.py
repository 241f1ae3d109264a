"""Import a firm's own data: pick the kind, upload, match columns, preview, load, see errors.

The upload is written to a temporary folder for the length of one run, because the import
reads files lazily by path; the result stays in the session so its error file can be
downloaded after the rerun a click causes.
"""

import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from data_access import imports
from data_access.core.errors import (
    DomainError,
)
from jobs.imports import Refresh, refresh_after_import
from ui import session
from ui.feedback import show_refusal
from ui.format import count
from ui.i18n import t, tn
from ui.markup import literal, sentence

RESULT_KEY = "import_result"
NOT_IN_FILE = ""
PREVIEW_ROWS = 5
ERRORS_SHOWN = 500
UPLOAD_TYPES = ["csv", "txt", "parquet", "pq", "xlsx", "xlsm", "xls"]


def layout_and_template(spec: imports.KindSpec) -> None:
    with st.expander(t("import_columns_title")):
        st.caption(t("import_order_hint"))
        columns = pl.DataFrame(
            {
                t("col_column"): [c.name for c in spec.columns],
                t("col_type"): [c.type.value for c in spec.columns],
                t("col_required"): [c.required for c in spec.columns],
                t("col_allowed"): [", ".join(c.allowed) for c in spec.columns],
                t("col_meaning"): [" · ".join(map(t, c.meaning_keys)) for c in spec.columns],
                t("col_example"): [c.example for c in spec.columns],
            }
        )
        st.dataframe(columns, hide_index=True, width="stretch")
        st.download_button(
            t("import_template"),
            data=imports.template_csv(spec.kind),
            file_name=f"{spec.kind}_template.csv",
            mime="text/csv",
            icon=":material/download:",
        )


def column_mapping(spec: imports.KindSpec, info: imports.FileInfo) -> dict[str, str]:
    """Selectboxes, one per column of ours, defaulting to the file's column of the same name."""
    st.subheader(t("import_mapping_title"))
    st.caption(t("import_mapping_help"))
    by_name = {name.strip().lower(): name for name in info.columns}
    options = [NOT_IN_FILE, *info.columns]
    mapping: dict[str, str] = {}
    boxes = st.columns(3)
    for index, column in enumerate(spec.columns):
        default = by_name.get(column.name, NOT_IN_FILE)
        label = column.name + (" *" if column.required else "")
        source = boxes[index % 3].selectbox(
            label,
            options,
            index=options.index(default),
            format_func=lambda name: name or t("import_not_in_file"),
            key=f"map_{spec.kind}_{column.name}",
            placeholder=t("select_placeholder"),
        )
        if source:
            mapping[source] = column.name
    return mapping


def show_result(result: imports.ImportResult, refresh: Refresh) -> None:
    cells = st.columns(4)
    cells[0].metric(t("import_inserted"), count(result.inserted))
    cells[1].metric(t("import_updated"), count(result.updated))
    cells[2].metric(t("import_unchanged"), count(result.unchanged))
    cells[3].metric(t("import_rejected"), count(result.rejected))
    if result.dry_run:
        st.info(t("import_dry_run_done"), icon=":material/fact_check:")
    elif result.written:
        seconds = f"{result.seconds:.1f}"
        message = tn(
            "import_loaded",
            result.rows,
            file=literal(result.file_name),
            rows=count(result.rows),
            seconds=seconds,
        )
        st.success(message, icon=":material/task_alt:")
    else:
        st.error(
            tn("import_refused_rows", result.rejected, rejected=count(result.rejected)),
            icon=":material/block:",
        )
    if refresh.ran:
        st.caption(t("import_jobs_refreshed", jobs=", ".join(refresh.ran)))
    if refresh.due:
        st.caption(t("import_jobs_due", jobs=", ".join(refresh.due)))
    if refresh.failed:
        st.warning(t("import_jobs_failed", jobs=", ".join(refresh.failed)))
    if result.ignored_columns:
        st.caption(sentence("import_ignored_columns", columns=", ".join(result.ignored_columns)))
    if result.errors.is_empty():
        return
    st.subheader(t("import_errors_title"))
    reasons = {code: t(f"import_reason_{code}") for code in result.errors["reason"].unique()}
    readable = result.errors.with_columns(pl.col("reason").replace_strict(reasons))
    headers = {name: t(f"col_{name}") for name in ("line", "column", "value")}
    headers["reason"] = t("col_reason")
    st.dataframe(readable.head(ERRORS_SHOWN).rename(headers), hide_index=True, width="stretch")
    st.download_button(
        t("import_errors_download"),
        data=imports.errors_csv(readable),
        file_name=f"{Path(result.file_name).stem}_errors.csv",
        mime="text/csv",
        icon=":material/download:",
    )


def history(user) -> None:
    st.subheader(t("import_history"))
    with session.connect() as conn:
        frame = imports.import_history(conn, user)
    if frame.is_empty():
        st.caption(t("import_history_empty"))
        return
    shown = frame.with_columns(
        pl.col("kind").map_elements(lambda k: t(f"import_kind_{k}"), return_dtype=pl.String),
        pl.col("status").map_elements(lambda s: t(f"import_status_{s}"), return_dtype=pl.String),
        pl.col("file_sha256").str.slice(0, 12),
    ).rename(
        {
            "started_at": t("col_started_at"),
            "username": t("col_user"),
            "kind": t("import_kind"),
            "file_name": t("col_file"),
            "status": t("col_run_status"),
            "rows": t("col_rows"),
            "inserted": t("import_inserted"),
            "updated": t("import_updated"),
            "unchanged": t("import_unchanged"),
            "rejected": t("import_rejected"),
            "duration_s": t("col_duration"),
            "file_sha256": t("col_sha256"),
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")


user = session.require_user()
st.title(t("import_title"))
st.caption(t("import_caption"))

kind = st.selectbox(
    t("import_kind"),
    list(imports.KINDS),
    format_func=lambda k: t(f"import_kind_{k}"),
    placeholder=t("select_placeholder"),
)
spec = imports.KINDS[kind]
layout_and_template(spec)
upload = st.file_uploader(t("import_file"), type=UPLOAD_TYPES, key="import_upload")

if upload is not None:
    with tempfile.TemporaryDirectory(prefix="dreams-upload-") as folder:
        path = Path(folder) / Path(upload.name).name
        path.write_bytes(upload.getbuffer())
        try:
            info = imports.inspect_file(path, upload.name)
            st.caption(
                t(
                    "import_file_read",
                    format=info.format.upper(),
                    encoding=literal(info.encoding),
                    columns=len(info.columns),
                )
            )
            mapping = column_mapping(spec, info)
            st.subheader(t("import_preview"))
            st.dataframe(
                imports.preview(path, upload.name, kind, mapping, rows=PREVIEW_ROWS),
                hide_index=True,
                width="stretch",
            )
        except DomainError as refusal:
            show_refusal(refusal)
        else:
            dry_run = st.checkbox(t("import_dry_run"), key="import_dry_run")
            good_rows_only = st.checkbox(t("import_good_rows_only"), key="import_good_rows_only")
            if st.button(t("import_run"), type="primary", icon=":material/upload:"):
                bar = st.progress(0.0, text=t("import_progress_reading"))

                def report(label: str, fraction: float) -> None:
                    bar.progress(min(max(fraction, 0.0), 1.0), text=t(f"import_progress_{label}"))

                try:
                    with session.connect() as conn:
                        result = imports.run_import(
                            conn,
                            user,
                            kind,
                            path,
                            file_name=upload.name,
                            mapping=mapping,
                            dry_run=dry_run,
                            good_rows_only=good_rows_only,
                            progress=report,
                            as_of=session.today(),
                            client=session.client_address(),
                        )
                except DomainError as refusal:
                    st.session_state.pop(RESULT_KEY, None)
                    show_refusal(refusal)
                else:
                    refresh = refresh_after_import(session.engine(), result, session.today())
                    st.session_state[RESULT_KEY] = (result, refresh)
                bar.empty()

if RESULT_KEY in st.session_state:
    show_result(*st.session_state[RESULT_KEY])

st.divider()
history(user)
