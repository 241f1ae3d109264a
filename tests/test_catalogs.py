"""The gettext catalogs (locale/) are the only source of what people read: every key the code
uses is in both, with the same placeholders, translated, and compiled; a key they lack fails."""

from __future__ import annotations

import io
import shutil

import pytest
from babel.messages.catalog import Message

from ui import catalogs, messages
from ui.messages import translate


def test_the_catalogs_match_the_code() -> None:
    assert catalogs.problems() == []


def test_a_key_no_catalog_holds_fails_loudly() -> None:
    with pytest.raises(KeyError, match="no_such_sentence"):
        translate("no_such_sentence", "ko")
    with pytest.raises(KeyError, match="no_such_sentence"):
        messages.translate_plural("no_such_sentence", 2, "en")
    assert not messages.has_message("no_such_sentence")
    assert messages.has_message("sign_in_title")


@pytest.mark.parametrize(
    ("language", "number", "expected"),
    [
        ("en", 1, "1 record (newest first, at most 500)"),
        ("en", 2, "2 records (newest first, at most 500)"),
        ("en", 0, "0 records (newest first, at most 500)"),
        ("ko", 1, "1건 (최근 순, 최대 500건)"),
        ("ko", 2, "2건 (최근 순, 최대 500건)"),
    ],
)
def test_a_count_takes_the_form_its_language_gives_it(language, number, expected) -> None:
    found = messages.translate_plural("audit_found", number, language, rows=number, limit=500)
    assert found == expected


def test_extraction_reads_literal_conditional_and_plural_keys() -> None:
    source = b"""
t("plain_key", name=x)
translate("cli_key" if ok else "other_key", "en")
tn("counted_key", rows, rows=count(rows))
raise Refused("refused_key", limit=3)
raise Refused("counted_refusal_key", counted=rows, rows=rows)
t(f"region_{code}")
t(variable)
"""
    found = list(catalogs.extract_keys(io.BytesIO(source), catalogs.KEYWORDS, (), {}))
    assert [(name, keys) for _, name, keys, _ in found] == [
        ("t", ("plain_key",)),
        ("translate", ("cli_key",)),
        ("translate", ("other_key",)),
        ("tn", ("counted_key", "counted_key")),
        ("Refused", ("refused_key",)),
        ("Refused", ("counted_refusal_key", "counted_refusal_key")),
    ]


def test_the_check_names_a_missing_sentence_a_changed_placeholder_a_wrong_kind_and_a_stale_compile(
    tmp_path, monkeypatch
) -> None:
    shutil.copytree(messages.LOCALE_DIR, tmp_path / "locale")
    monkeypatch.setattr(messages, "LOCALE_DIR", tmp_path / "locale")
    korean, english = catalogs.read("ko"), catalogs.read("en")
    korean.delete("sign_in_title")
    english["grants_given"].string = "Granted."
    english.delete("sign_out")
    english["sign_out"] = Message(("sign_out", "sign_out"), ("Sign out", "Sign out"))
    for language, catalog in (("ko", korean), ("en", english)):
        with messages.catalog_path(language, ".po").open("wb") as po:
            catalogs.write_po(po, catalog)

    found = catalogs.problems()

    assert "sign_in_title is in one catalog only" in found
    assert "ko: sign_in_title is used by the code but not in the catalog" in found
    assert "grants_given: Korean and English name different values" in found
    assert "en: sign_out is looked up as a singular" in found
    assert "ko: messages.mo differs from messages.po (compile)" in found
    assert "en: messages.mo differs from messages.po (compile)" in found
    catalogs.compile_all()
    assert not [problem for problem in catalogs.problems() if "compile" in problem]
