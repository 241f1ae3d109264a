"""Every refusal data_access and jobs raise is a DomainError whose sentence the catalogue holds,
in Korean and English, naming exactly the values it is raised with; none carries its own
English sentence."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import string
from pathlib import Path

import pytest

import data_access
import jobs
from data_access.core.errors import (
    DomainError,
    Refused,
)
from data_access.core.models import (
    Role,
)
from data_access.core.policy import (
    Action,
)
from ui.catalogs import entries
from ui.messages import refusal_sentence, translate

CATALOGS = {language: entries(language) for language in ("ko", "en")}

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "data_access").rglob("*.py"), *(ROOT / "jobs").rglob("*.py")])
# Exceptions that are not refusals a person reads: a unit of work left without committing, a
# failed Arrow read that falls back to another reader, and the workbook reader's refusal, which
# crosses from a child process that imports nothing of the console (its code is checked below).
NOT_FOR_PEOPLE = {"_RollBack", "ArrowReadFailed", "WorkbookRefused"}


def modules() -> list[object]:
    found = [importlib.import_module("jobs.__main__")]
    for package in (data_access, jobs):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if info.name != "jobs.__main__":
                found.append(importlib.import_module(info.name))
    return found


def domain_error_names() -> set[str]:
    names, pending = set(), [DomainError]
    while pending:
        kind = pending.pop()
        names.add(kind.__name__)
        pending.extend(kind.__subclasses__())
    return names


def placeholders(text: str | tuple[str, ...]) -> set[str]:
    """The values a sentence names, in every form of a plural entry."""
    forms = text if isinstance(text, tuple) else (text,)
    return {
        field.split(".")[0].split("[")[0]
        for form in forms
        for _, field, _, _ in string.Formatter().parse(form)
        if field is not None
    }


def called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def reads_as_words(node: ast.expr) -> bool:
    """A literal that is a phrase (words with spaces), not a code or a number."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return " " in node.value.strip()
    if isinstance(node, ast.JoinedStr):
        text = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        return " " in text.strip()
    return False


def domain_error_calls() -> list[tuple[str, ast.Call]]:
    names = domain_error_names() | {"WorkbookRefused"}
    calls = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and called_name(node) in names:
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                calls.append((where, node))
    return calls


def test_every_exception_people_read_is_a_domain_error() -> None:
    others = sorted(
        f"{module.__name__}.{name}"
        for module in modules()
        for name, kind in inspect.getmembers(module, inspect.isclass)
        if kind.__module__ == module.__name__
        and issubclass(kind, Exception)
        and not issubclass(kind, DomainError)
        and name not in NOT_FOR_PEOPLE
    )
    assert others == []


def test_the_domain_errors_are_few() -> None:
    modules()
    # DomainError, its three kinds, and the six names callers act on.
    assert domain_error_names() == {
        "DomainError",
        "AccessDenied",
        "NotFound",
        "Refused",
        "ViewReasonRequired",
        "CopyMissing",
        "SignInRefused",
        "ImportRefused",
        "DatabaseUnavailable",
        "JobFailed",
    }


def test_each_raised_code_is_a_catalogue_sentence_naming_its_values() -> None:
    modules()
    problems = []
    for where, call in domain_error_calls():
        if not call.args:
            problems.append(f"{where}: no code")
            continue
        code = call.args[0]
        choices = [code.body, code.orelse] if isinstance(code, ast.IfExp) else [code]
        if all(isinstance(c, ast.Constant) and isinstance(c.value, str) for c in choices):
            keys = [c.value for c in choices if c.value in CATALOGS["en"]]
            if len(keys) < len(choices):
                keys = []
        elif isinstance(code, ast.JoinedStr) and isinstance(code.values[0], ast.Constant):
            # A code chosen among keys sharing a prefix: each of them must fit the call.
            prefix = code.values[0].value
            keys = [key for key in CATALOGS["en"] if key.startswith(prefix)]
        else:
            continue  # a refusal passed on with its code (a child process, a re-raise)
        if not keys:
            problems.append(f"{where}: {ast.unparse(code)} is not in the catalogue")
        named = {keyword.arg for keyword in call.keywords} - {None, "problems", "counted"}
        passes_more = any(keyword.arg is None for keyword in call.keywords)
        for key in keys:
            for language, catalog in CATALOGS.items():
                text = catalog[key]
                wanted = placeholders(text)
                if not named <= wanted or (not passes_more and wanted != named):
                    problems.append(
                        f"{where}: {key} ({language}) names {sorted(wanted)}, "
                        f"raised with {sorted(named)}"
                    )
    assert problems == []


def test_no_refusal_carries_an_english_sentence() -> None:
    modules()
    sentences = [
        f"{where}: {ast.unparse(argument)[:60]}"
        for where, call in domain_error_calls()
        for argument in [*call.args, *(keyword.value for keyword in call.keywords)]
        if reads_as_words(argument)
    ]
    assert sentences == []


def test_both_languages_name_the_same_values() -> None:
    differ = [
        key
        for key, korean in CATALOGS["ko"].items()
        if placeholders(korean) != placeholders(CATALOGS["en"][key])
    ]
    assert differ == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ko", "이 사용자의 역할(지점장)로는 내려받기를 할 수 없어 부여할 수 없습니다."),
        ("en", "This user's role (Branch manager) cannot export, so it cannot be granted."),
    ],
    ids=["korean", "english"],
)
def test_a_role_value_is_named_in_the_readers_words(language: str, expected: str) -> None:
    assert translate("grant_role_cannot", language, role=Role.BRANCH_MANAGER) == expected


def test_a_permission_value_is_named_in_the_readers_words() -> None:
    korean = translate("access_denied_role", "ko", role=Role.TRAINER, action=Action.EXPORT)
    english = translate("access_denied_role", "en", role=Role.TRAINER, action=Action.EXPORT)
    assert "export" not in korean and "trainer" not in korean
    assert "Trainer" in english and "export" in english.lower()


@pytest.mark.parametrize(
    ("rejected", "expected"),
    [(1, "1 row has errors, so nothing was written"), (3, "3 rows have errors, so nothing")],
)
def test_a_refusal_that_counts_reads_in_the_form_its_count_asks_for(rejected, expected) -> None:
    refusal = Refused("cli_import_not_written", counted=rejected, rejected=rejected)
    assert refusal_sentence(refusal, "en").startswith(expected)
    assert refusal_sentence(refusal, "ko").startswith(f"{rejected}개 행에 오류가 있어")
