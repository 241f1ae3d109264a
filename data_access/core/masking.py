"""Masking of personal contact and identity data: the one place pages and exports use.

What stays is enough to confirm with the person in front of you (the last digits, the first
letter, the province and district), never enough to call, mail or impersonate them.
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


# Provinces and metropolitan cities (시/도): today's names, the older ones still on file, and the
# short forms people write. Tried longest first, so 경기도 is kept whole rather than as 경기.
PROVINCES = (
    "서울특별시", "부산광역시", "대구광역시", "인천광역시", "광주광역시", "대전광역시",
    "울산광역시", "세종특별자치시", "경기도", "강원특별자치도", "충청북도", "충청남도",
    "전북특별자치도", "전라남도", "경상북도", "경상남도", "제주특별자치도",
    "강원도", "전라북도", "제주도",
    "서울시", "부산시", "대구시", "인천시", "광주시", "대전시", "울산시", "세종시",
    "서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "경기", "강원", "충북", "충남",
    "전북", "전남", "경북", "경남", "제주",
)  # fmt: skip
# Sejong is one city with no district under it: what follows it is already a town or a street.
WITHOUT_DISTRICTS = frozenset({"세종특별자치시", "세종시", "세종"})
# Cities split into districts of their own (일반구). Their 구 is kept as well: it is no finer
# than a district of Seoul (분당구 and 강남구 each hold about half a million people).
CITIES_WITH_DISTRICTS = frozenset({
    "수원시", "성남시", "안양시", "안산시", "고양시", "용인시", "부천시", "화성시", "청주시",
    "천안시", "전주시", "포항시", "창원시",
})  # fmt: skip
PROVINCE_AT_START = re.compile("|".join(sorted(PROVINCES, key=len, reverse=True)))
# A district (시/군/구) is one to four syllables and its suffix (마산합포구 is the longest); the
# shortest such run is taken, so a street written straight after it is never swallowed.
DISTRICT = re.compile(r"[가-힣]{1,4}?[시군구]")
CITY_DISTRICT = re.compile(r"[가-힣]{1,4}?구")
# A "district" that goes on with a road suffix was the start of a road name (동대구로); one
# holding 읍 or 면 ran on into a town below a county. Neither is kept.
ROAD_SUFFIXES = ("로", "길")
TOWN_MARKS = ("읍", "면")
WHITESPACE = re.compile(r"\s+")
MASK = "***"


def mask_address(address: str) -> str:
    """Keep the province and the district (서울특별시 강남구, 경기도 성남시 분당구), then ***.

    The address is read by its structure, not its spacing: imported files often have none
    (서울특별시강남구테헤란로...), and a rule by words would then keep everything. Nothing after
    the district is ever kept; an address that does not start with a province keeps nothing.
    """
    compact = WHITESPACE.sub("", address)
    province = PROVINCE_AT_START.match(compact)
    if province is None:
        return MASK
    kept = [province.group()]
    if province.group() not in WITHOUT_DISTRICTS:
        district = _district_at(DISTRICT, compact, province.end())
        if district is not None:
            kept.append(district.group())
            if district.group() in CITIES_WITH_DISTRICTS:
                city_district = _district_at(CITY_DISTRICT, compact, district.end())
                if city_district is not None:
                    kept.append(city_district.group())
    return " ".join([*kept, MASK])


def _district_at(pattern: re.Pattern[str], compact: str, start: int) -> re.Match[str] | None:
    found = pattern.match(compact, start)
    if found is None or any(mark in found.group() for mark in TOWN_MARKS):
        return None
    return None if compact.startswith(ROAD_SUFFIXES, found.end()) else found


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
