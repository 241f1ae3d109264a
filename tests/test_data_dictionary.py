"""The data dictionary (data_access/dictionary.py) against the models: every table and column
a person can see has a meaning in Korean and English (in the catalogs), and each role sees its
own tables."""

from __future__ import annotations

import re

import polars as pl
import pytest

from data_access.admin import data_dictionary as dictionary
from data_access.core.models import (
    Base,
    Role,
)
from data_access.core.policy import (
    AccessDenied,
    roles_permitted,
)
from data_access.core.policy import (
    Action as A,
)
from data_access.imports import imports
from tests.handmade import ADMIN, KIM, MANAGER_101, TRAINER, signed_in
from ui.messages import translate

HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")


def test_every_table_is_described_or_declared_internal():
    described, internal = set(dictionary.TABLES), set(dictionary.INTERNAL_TABLES)
    assert not described & internal
    assert described | internal == set(Base.metadata.tables)


@pytest.mark.parametrize("table", sorted(dictionary.TABLES))
def test_every_shown_column_has_a_meaning_in_both_languages(table):
    model = Base.metadata.tables[table]
    internal = {
        name.split(".")[1] for name in dictionary.INTERNAL_COLUMNS if name.startswith(f"{table}.")
    }
    described = dictionary.TABLES[table].columns
    assert set(described) == {column.name for column in model.columns} - internal
    entry = dictionary.TABLES[table]
    sentences = [entry.title, entry.about, *(meaning.key for meaning in described.values())]
    for key in sentences:
        assert HANGUL.search(translate(key, "ko")), f"{key} has no Korean sentence"
        english = translate(key, "en")
        assert LATIN.search(english) and not HANGUL.search(english), f"{key} in English"


def test_internal_columns_name_real_columns_and_are_never_shown():
    everything = dictionary.dictionary(ADMIN)
    for name in dictionary.INTERNAL_COLUMNS:
        table, column = name.split(".")
        assert column in Base.metadata.tables[table].c
        shown = (pl.col("table") == table) & (pl.col("column") == column)
        assert everything.filter(shown).is_empty()


def test_every_table_has_a_role_that_sees_it():
    for name, table in dictionary.TABLES.items():
        assert any(roles_permitted(action) for action in table.readers), name


def test_import_specs_take_meanings_and_allowed_values_from_the_dictionary():
    for spec in imports.KINDS.values():
        for column in spec.columns:
            stored = dictionary.column_meaning(spec.table.name, column.column)
            assert column.allowed == stored.allowed
            if column.references is None:
                assert column.meaning_keys == (stored.key,)
            else:  # "Home branch · Branch code": what it is, then the key the file names it by
                assert column.meaning_keys[0] == stored.key and len(column.meaning_keys) == 2


def test_dictionary_types_and_flags_come_from_the_model():
    rows = {
        (row["table"], row["column"]): row
        for row in dictionary.dictionary(ADMIN).iter_rows(named=True)
    }
    assert rows["accounts", "principal_krw"]["type"] == "krw"
    assert rows["customers", "birth_date"]["type"] == "date"
    assert rows["customers", "customer_no"]["key"] and rows["customers", "customer_no"]["required"]
    assert not rows["customers", "email"]["required"]
    assert rows["customers", "tier"]["allowed"] == "vip, priority, general"
    assert rows["agenda_rules", "params"]["type"] == "json"


def tables(user) -> set[str]:
    """The tables `user` meets somewhere in the console (only admins read the dictionary)."""
    return set(dictionary.visible_tables(user))


def test_each_role_sees_the_tables_of_its_pages():
    rep, manager, trainer, admin = tables(KIM), tables(MANAGER_101), tables(TRAINER), tables(ADMIN)
    assert {"customers", "accounts", "consultations", "agenda_items", "campaign_targets"} <= rep
    assert not {"audit_log", "users", "import_runs", "kpi_snapshots", "usage_events"} & rep
    assert {"kpi_snapshots", "usage_daily", "enrolments", "segments", "campaigns"} <= manager
    assert "audit_log" not in manager
    assert trainer == {
        "branches",
        "employees",
        "products",
        "usage_events",
        "usage_daily",
        "usage_person_days",
        "training_courses",
        "training_sessions",
        "enrolments",
    }
    # Admins read the audit trail and load (but never read) customer data.
    assert {"audit_log", "access_grants", "users", "import_runs", "job_runs"} <= admin
    assert set(imports.KINDS) <= admin
    assert not {"alerts", "branch_transfers", "segments"} & admin


def test_only_roles_that_read_the_audit_trail_see_it():
    for role in Role:
        user = signed_in(role, 99, 1)
        assert ("audit_log" in tables(user)) == (role in roles_permitted(A.AUDIT_READ))


@pytest.mark.parametrize("role", [role for role in Role if role is not Role.ADMIN], ids=str)
def test_only_admins_read_the_dictionary(role):
    with pytest.raises(AccessDenied):
        dictionary.dictionary(signed_in(role, 99, 1))
    assert dictionary.dictionary(signed_in(Role.ADMIN, 99, None)).height > 100
