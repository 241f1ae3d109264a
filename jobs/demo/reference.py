"""The demo firm's reference data, read once from the data files beside this module.

Names, branch sites, roads, funds, courses and the texts of notes and alerts are data, not
code: they live in `firm_data/` as CSV (tables) and TOML (texts), so anyone can read or change
them without touching the generator. Shares are rough public figures (surnames: 2015 census) or
plausible guesses. Lists the generator draws by position keep the files' row order.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl

from data_access.core.models import (
    ALERT_KINDS,
    CONSULTATION_CHANNELS,
    CONSULTATION_OUTCOMES,
)

DATA = Path(__file__).parent / "firm_data"


class Site(NamedTuple):
    name_ko: str
    name_en: str
    region: str
    district: str


class Fund(NamedTuple):
    name: str
    fund_type: str
    risk_grade: int  # Korean scale: 1 very high risk .. 6 very low risk
    term_months: int | None
    launch_year: int


class Course(NamedTuple):
    code: str
    title_ko: str
    title_en: str
    category: str
    certification_months: int | None
    enrolled_share: float
    session_every_days: int
    duration_days: int
    audience: str  # branch: branch staff, managers: branch managers, all: everyone
    is_retired: bool = False


def _table(name: str) -> pl.DataFrame:
    return pl.read_csv(DATA / f"{name}.csv", infer_schema_length=None)


def _syllables(names: pl.DataFrame, gender: str, syllable: int) -> tuple[tuple[str, str], ...]:
    chosen = names.filter((pl.col("gender") == gender) & (pl.col("syllable") == syllable))
    return tuple(chosen.select("hangul", "roman").iter_rows())


with (DATA / "texts.toml").open("rb") as _file:
    _TEXTS = tomllib.load(_file)

# Branch codes run 101.. in the file's order; the first (101 Gangnam) is where the demo
# accounts work.
BRANCH_SITES: tuple[Site, ...] = tuple(Site(*row) for row in _table("branch_sites").iter_rows())
_regions = _table("regions")
PROVINCES: dict[str, str] = dict(_regions.select("region", "province").iter_rows())
# Seoul and Gyeonggi branches are bigger: more customers per branch.
REGION_CUSTOMER_WEIGHT: dict[str, float] = dict(
    _regions.filter(pl.col("customer_weight") != 1.0)
    .select("region", "customer_weight")
    .iter_rows()
)
ROADS: tuple[str, ...] = tuple(_TEXTS["roads"])

SURNAMES: tuple[tuple[str, str, float], ...] = tuple(_table("surnames").iter_rows())
# Given names are two syllables; (hangul, romanisation) pools per position and gender.
_given = _table("given_name_syllables")
MALE_FIRST = _syllables(_given, "M", 1)
MALE_SECOND = _syllables(_given, "M", 2)
FEMALE_FIRST = _syllables(_given, "F", 1)
FEMALE_SECOND = _syllables(_given, "F", 2)
EMAIL_DOMAINS: tuple[tuple[str, int], ...] = tuple(_table("email_domains").iter_rows())

_occupations = _table("occupations")
OCCUPATIONS: tuple[str, ...] = tuple(_occupations["name"])
# Rows: age bands under 30, 30-59, 60 and over; columns follow OCCUPATIONS.
OCCUPATION_WEIGHTS_BY_AGE_BAND: tuple[tuple[int, ...], ...] = tuple(
    tuple(_occupations[column]) for column in _occupations.columns[1:]
)

# Behavioural cues staff write about some customers; the first is the article's fraud cue.
_cues = _table("cues")
CUES: tuple[str, ...] = tuple(_cues["text"])
CUE_WEIGHTS: tuple[int, ...] = tuple(_cues["weight"])
TRANSFER_REASONS: tuple[str, ...] = tuple(_TEXTS["transfer_reasons"])

PRODUCTS: tuple[Fund, ...] = tuple(Fund(*row) for row in _table("products").iter_rows())
FUND_TYPE_POPULARITY: dict[str, float] = dict(_table("fund_types").iter_rows())

NO_ANSWER_NOTES: tuple[str, ...] = tuple(
    _TEXTS["no_answer_notes"][channel] for channel in CONSULTATION_CHANNELS
)
NOTE_TEMPLATES: tuple[str, ...] = tuple(_TEXTS["note_templates"])
OUTCOME_SENTENCES: tuple[tuple[str, ...], ...] = tuple(
    tuple(_TEXTS["outcome_sentences"][outcome]) for outcome in CONSULTATION_OUTCOMES
)
SENSITIVE_NOTES: tuple[str, ...] = tuple(_TEXTS["sensitive_notes"])
CORRECTED_FIELDS: tuple[str, ...] = tuple(_TEXTS["corrected_fields"])
ALERT_TEXTS: tuple[str, ...] = tuple(_TEXTS["alerts"][kind]["text"] for kind in ALERT_KINDS)
ALERT_RESOLUTIONS: tuple[str, ...] = tuple(
    _TEXTS["alerts"][kind]["resolution"] for kind in ALERT_KINDS
)

with (DATA / "agenda_rules.toml").open("rb") as _file:
    # Raw rule specs, validated by data_access.agenda when the generator stores them.
    AGENDA_RULES: tuple[dict[str, Any], ...] = tuple(tomllib.load(_file)["rules"])

COURSES: tuple[Course, ...] = tuple(Course(*row) for row in _table("courses").iter_rows())
TRAINING_LOCATIONS: tuple[str, ...] = tuple(_TEXTS["training_locations"])
# Per demo campaign key: the name of the segment it draws from and its own name.
CAMPAIGN_NAMES: dict[str, tuple[str, str]] = {
    key: (names["segment"], names["campaign"]) for key, names in _TEXTS["campaigns"].items()
}
