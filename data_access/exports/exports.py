"""Every download of data leaves through `export_frame`: checked, masked, defused, audited.

Korean privacy rules want each download of personal data to state a reason and be recorded;
spreadsheets run cells that start with = + - @ (or a tab or CR) as formulas, so text cells
that do are prefixed with an apostrophe. Personal columns (phone, e-mail, address, identity
numbers) are masked unless the caller asks for them unmasked and the policy lets the user see
them over the whole export's scope.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection

from data_access.core.db import (
    unit_of_work,
)
from data_access.core.errors import (
    AccessDenied,
    Refused,
)
from data_access.core.masking import (
    mask_frame,
    personal_columns,
)
from data_access.core.policy import (
    Action,
    Scope,
    require_granted,
    scope_of,
)
from data_access.core.security import (
    SignedInUser,
    audit_as,
)
from data_access.usage import (
    UsageAction,
    record_usage,
)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
REASON_MAX_CHARS = 200
UTF8_BOM = b"\xef\xbb\xbf"  # Excel opens UTF-8 Hangul correctly only with it
MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True, slots=True)
class ExportFile:
    data: bytes
    file_name: str
    mime: str
    rows: int
    masked_columns: tuple[str, ...]


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells a spreadsheet would run as a formula, prefixed with an apostrophe."""

    def safe(name: str) -> pl.Expr:
        text = pl.col(name)
        risky = pl.any_horizontal(text.str.starts_with(prefix) for prefix in FORMULA_PREFIXES)
        return pl.when(risky).then(pl.lit("'") + text).otherwise(text).alias(name)

    return frame.with_columns(
        safe(name) for name, dtype in frame.schema.items() if dtype == pl.String
    )


def checked_reason(reason: str) -> str:
    why = reason.strip()
    if not why or len(why) > REASON_MAX_CHARS:
        raise Refused("export_reason_needed", maximum=REASON_MAX_CHARS)
    return why


def _may_unmask(user: SignedInUser, branch_id: int | None) -> bool:
    """Unmasked only where the user sees contact details over the whole export."""
    scope = scope_of(user, Action.CONTACT_READ)
    if scope is Scope.FIRM:
        return True
    return scope is Scope.BRANCH and branch_id is not None and branch_id == user.branch_id


def export_frame(
    conn: Connection,
    user: SignedInUser,
    frame: pl.DataFrame,
    *,
    name: str,
    reason: str,
    file_format: str = "csv",
    branch_id: int | None = None,
    unmasked: bool = False,
    page: str = "export",
) -> ExportFile:
    """`frame` as CSV or Excel bytes for `user`, who must say why (`reason`).

    `branch_id` is the one branch the frame covers (None: more than one, which needs a
    firm-wide export scope). The export is refused without the export grant for that scope;
    the reason, format, rows and masked columns are audited with it, and it counts as usage.
    Pass `unmasked=True` only where the purpose needs full contact details (a call list).
    """
    if file_format not in MIME_TYPES:
        raise Refused("export_format", formats=", ".join(MIME_TYPES))
    why = checked_reason(reason)
    require_granted(conn, user, Action.EXPORT, branch_id=branch_id)
    if branch_id is None and scope_of(user, Action.EXPORT) is not Scope.FIRM:
        raise AccessDenied("export_one_branch")
    if unmasked and not _may_unmask(user, branch_id):
        raise AccessDenied("export_unmasked_out_of_scope")
    masked = () if unmasked else tuple(personal_columns(frame))
    safe = neutralise_formulas(frame if unmasked else mask_frame(frame))
    buffer = io.BytesIO()
    if file_format == "csv":
        safe.write_csv(buffer)
        data = UTF8_BOM + buffer.getvalue()
    else:
        safe.write_excel(buffer, worksheet=name[:31])
        data = buffer.getvalue()
    with unit_of_work(conn) as session:
        audit_as(
            session,
            user,
            "export",
            target_kind="export",
            target_id=name[:40],
            detail={
                "reason": why,
                "format": file_format,
                "rows": safe.height,
                "columns": safe.columns,
                "masked": list(masked),
                "branch_id": branch_id,
            },
        )
        record_usage(session, user, UsageAction.EXPORT, page, target=name)
    return ExportFile(
        data=data,
        file_name=f"{name}.{file_format}",
        mime=MIME_TYPES[file_format],
        rows=safe.height,
        masked_columns=masked,
    )
