"""The one way data leaves the console: an explicit grant, a stated reason, masking by role and
purpose, formula-safe cells, and an audit record.

Owns `access_grants`.
"""

from data_access.exports.exports import (
    REASON_MAX_CHARS,
    ExportFile,
    export_frame,
    neutralise_formulas,
)
from data_access.exports.grants import (
    grant,
    link_sso_email,
    list_grants,
    revoke,
)

__all__ = [
    "REASON_MAX_CHARS",
    "ExportFile",
    "export_frame",
    "grant",
    "link_sso_email",
    "list_grants",
    "neutralise_formulas",
    "revoke",
]
