"""Masking of personal contact and identity data: the one place pages and exports use.

What stays is enough to confirm with the person in front of you (the last digits, the first
letter, the city), never enough to call, mail or impersonate them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

NON_DIGITS = re.compile(r"\D")


def mask_phone(phone: str) -> str:
    """010-1234-5678 -> 010-****-5678: enough to confirm with the customer, not to call."""
    digits = NON_DIGITS.sub("", phone)
    return f"{digits[:3]}-****-{digits[-4:]}" if len(digits) >= 7 else "****"


def mask_email(email: str | None) -> str | None:
    if not email:
        return email
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_address(address: str) -> str:
    """Keep the first word (the province or city) only."""
    first = address.split(maxsplit=1)[0] if address.strip() else ""
    return f"{first} ***".strip()


def mask_identity_number(number: str) -> str:
    """900101-1234567 -> 900101-1******: birth date and sex digit stay, the serial goes."""
    digits = NON_DIGITS.sub("", number)
    return f"{digits[:6]}-{digits[6:7]}******" if len(digits) == 13 else "******-*******"


# Column name -> how to mask it; exports and frames are masked by these names.
PERSONAL_COLUMNS: dict[str, Callable[[str], str | None]] = {
    "phone": mask_phone,
    "email": mask_email,
    "address": mask_address,
    "identity_no": mask_identity_number,
    "resident_no": mask_identity_number,
}


def mask_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every personal column (by name) masked; nulls stay null."""
    return frame.with_columns(
        pl.col(name).map_elements(mask, return_dtype=pl.String, skip_nulls=True)
        for name, mask in PERSONAL_COLUMNS.items()
        if name in frame.columns and frame.schema[name] == pl.String
    )


def personal_columns(frame: pl.DataFrame) -> list[str]:
    return [name for name in frame.columns if name in PERSONAL_COLUMNS]
