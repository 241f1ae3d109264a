"""Keeps the console's gettext catalogs (ui/messages.py reads them) in step with the code, with
Babel: extract the keys the code uses, merge them into both catalogs, compile, check.

    python -m ui.catalogs update    # extract -> locale/messages.pot -> both .po files -> .mo
    python -m ui.catalogs compile   # after editing a .po file by hand
    python -m ui.catalogs check     # what tests/test_catalogs.py asserts; exit 1 on a problem

The catalogs are keyed (a msgid is a key such as "sign_in_title"), so a key reaches the code in one
of three ways, and the check accounts for each:

- written out as the first argument of a lookup (KEYWORDS: `t`, `tn`, `translate`, ...,
  and the DomainError refusals of data_access, plural when raised with `counted=`):
  babel.cfg runs `extract_keys` over the code;
- a documented prefix and a stored code (`t(f"region_{code}")`): DYNAMIC_PREFIXES says where
  each prefix's codes come from, and an f-string key with a prefix not listed there fails;
- derived from data_access's own definitions (`derived_keys`).

A key handed around in a variable (a refusal code kept by a helper) is seen by none of these:
`update` keeps every key the catalogs already hold, so removing a sentence means deleting it
from both .po files. `update` gives a new key an empty msgstr in both catalogs, which the check
reports as untranslated until someone writes the two sentences.
"""

from __future__ import annotations

import ast
import io
import string
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from data_access import admin, kpis
from ui import messages
from ui.messages import DOMAIN, LANGUAGES, catalog_path

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "babel.cfg"
PROJECT = "Dreams CRM console"
HEADER = (
    "# The Dreams CRM console's sentences, keyed: each msgid is a key the code looks up.\n"
    '# Edit the .po files, then `python -m ui.catalogs compile` (README, "Translations").'
)

# The lookups whose first argument is a key (ui.markup.sentence is t() for Markdown); the
# plural ones take a count after it, and a refusal is plural when it is raised with `counted`
# (data_access.core.errors). The extraction method gives a plural key as (key, key).
REFUSALS = ("DomainError", "AccessDenied", "NotFound", "Refused")
SINGULAR_KEYWORDS = ("t", "translate", "sentence", *REFUSALS)
PLURAL_KEYWORDS = ("tn", "translate_plural", "counted_sentence")
# Babel's keyword specs by the number of ids the method yields: one id, or singular and plural.
KEYWORDS: dict[str, Any] = {
    keyword: {1: (1,), 2: (1, 2)} for keyword in SINGULAR_KEYWORDS + PLURAL_KEYWORDS
}

# Keys built from a prefix and a code the data holds: where the codes come from.
DYNAMIC_PREFIXES: dict[str, str] = {
    "access_answer_col_": "access-request answer columns (data_access.retention)",
    "access_answer_field_": "access-request answer profile fields (data_access.retention)",
    "access_answer_section_": "access-request answer sections (data_access.retention)",
    "access_channel_": "access-request channels (data_access.retention.CHANNELS)",
    "access_status_": "access-request statuses (data_access.retention.STATUSES)",
    "action_": "usage event actions (data_access.usage)",
    "agenda_status_": "agenda item statuses (data_access.agenda)",
    "agenda_why_": "agenda rule reasons (data_access.agenda)",
    "audit_chain_": "audit chain problems (data_access.admin.audit)",
    "camp_arm_": "campaign arms (data_access.campaigns)",
    "camp_channel_": "campaign channels (data_access.campaigns)",
    "camp_outcome_": "campaign target outcomes (data_access.campaigns)",
    "camp_problem_": "campaign outcome file problems (data_access.campaigns)",
    "camp_strata_": "campaign strata (data_access.campaigns)",
    "col_": "column names of the frames data_access returns",
    "complaint_category_": "complaint categories (data_access.complaints.CATEGORIES)",
    "complaint_channel_": "complaint channels (data_access.complaints.CHANNELS)",
    "complaint_event_": "complaint history events (data_access.complaints)",
    "complaint_filter_": "complaint list status filters (pages/complaints_page.py)",
    "complaint_setting_": "complaint settings (data_access.complaints.COMPLAINT_SETTINGS)",
    "complaint_source_": "who raised a complaint (data_access.complaints.SOURCES)",
    "complaint_status_": "complaint statuses (data_access.complaints.STATUSES)",
    "consent_": "consent purposes and channels (data_access.customers)",
    "consent_channel_": "consent channels (data_access.customers.CHANNELS)",
    "consent_col_": "consent history columns (data_access.customers)",
    "consent_purpose_": "consent purposes (data_access.customers.PURPOSES)",
    "consent_source_": "consent sources (data_access.customers)",
    "consult_channel_": "consultation channels (data_access.core.models)",
    "contact_setting_": "contact settings (data_access.agenda)",
    "flag_": "customer flags (data_access.customers)",
    "gender_": "genders (data_access.core.models)",
    "history_step_": "steps of the demo's history (jobs.after_demo.HISTORY_STEPS)",
    "hold_target_": "what a legal hold covers (pages/records_page.py)",
    "holiday_source_": "business holiday sources (data_access.core.business_days)",
    "import_kind_": "import kinds (data_access.imports)",
    "import_progress_": "import progress steps (data_access.imports)",
    "import_reason_": "import row problems (data_access.imports)",
    "import_refused_": "import refusals (data_access.imports)",
    "import_status_": "import run statuses (data_access.imports)",
    "job_": "job names (data_access.core.job_runs.JobName)",
    "kpi_parameter_": "KPI parameters (data_access.kpis)",
    "kpi_period_": "KPI periods (data_access.kpis)",
    "outcome_": "consultation outcomes (data_access.core.models)",
    "page_": "page keys (ui.navigation)",
    "permission_": "policy actions (data_access.core.policy.Action)",
    "region_": "branch regions (data_access.core.branches)",
    "retention_basis_": "why a kind of record is kept (data_access.retention.BASES)",
    "retention_clock_": "what starts each kind's clock (retention_rules.kind)",
    "retention_kind_": "kinds of record in the retention schedule (retention_rules.kind)",
    "retention_setting_": "retention settings (data_access.retention.DEFAULT_SETTINGS)",
    "retention_setting_help_": "what each retention setting means (data_access.retention)",
    "role_": "roles (data_access.core.models.Role)",
    "rule_kind_": "agenda rule kinds (data_access.agenda)",
    "run_status_": "job run statuses (data_access.core.job_runs)",
    "seg_channel_": "segment channels (data_access.segments)",
    "seg_field_": "segment fields (data_access.segments)",
    "seg_why_": "segment spec problems (data_access.segments)",
    "tier_": "customer tiers (data_access.core.models.Tier)",
    "training_category_": "training categories (data_access.training)",
    "training_reason_": "training refusals (data_access.training)",
    "training_state_": "enrolment states (data_access.training)",
    "training_tab_": "training page tabs (pages/training_page.py)",
    "txn_channel_": "transaction channels (data_access.core.models)",
    "txn_kind_": "transaction kinds (data_access.core.models)",
    "usage_tab_": "usage page tabs (pages/usage_page.py)",
    "view_reason_": "reasons to open a record (data_access.customers)",
    "weekday_": "weekdays (pages/jobs_page.py)",
}


# --- extraction -------------------------------------------------------------------------------


def _lookups(source: str) -> Iterator[tuple[ast.Call, str]]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args:
            function = node.func
            name = getattr(function, "id", None) or getattr(function, "attr", None)
            if name in KEYWORDS:
                yield node, name


def _literal_keys(argument: ast.expr) -> list[str]:
    """The keys an argument names outright: a string, or either string of a conditional."""
    choices = [argument.body, argument.orelse] if isinstance(argument, ast.IfExp) else [argument]
    return [c.value for c in choices if isinstance(c, ast.Constant) and isinstance(c.value, str)]


def extract_keys(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, tuple[str, ...], list[str]]]:
    """Babel extraction method (babel.cfg): the literal keys of the lookups in a Python file,
    a plural lookup's key given as both its singular and plural id."""
    for call, name in _lookups(fileobj.read().decode("utf-8")):
        if name not in keywords:
            continue
        counted = name in REFUSALS and any(keyword.arg == "counted" for keyword in call.keywords)
        plural = name in PLURAL_KEYWORDS or counted
        for key in _literal_keys(call.args[0]):
            yield call.lineno, name, (key, key) if plural else (key,), []


def extracted() -> dict[str, bool]:
    """Every key written out in the code, and whether it is looked up as a plural."""
    with MAPPING.open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping, str(MAPPING))
    found: dict[str, bool] = {}
    for _, _, message, _, _ in extract_from_dir(ROOT, method_map, options_map, KEYWORDS):
        key = message if isinstance(message, str) else message[0]
        found[key] = found.get(key, False) or not isinstance(message, str)
    return found


def dynamic_prefixes_in_code() -> dict[str, str]:
    """Each f-string key's literal prefix, with where it is; a key built wholly from a variable
    (a prefix passed in) has none and is left to the caller naming the prefix."""
    found: dict[str, str] = {}
    for path in sorted(_code_files()):
        for call, _ in _lookups(path.read_text(encoding="utf-8")):
            argument = call.args[0]
            if isinstance(argument, ast.JoinedStr):
                prefix = argument.values[0]
                if isinstance(prefix, ast.Constant) and isinstance(prefix.value, str):
                    found.setdefault(prefix.value, f"{path.relative_to(ROOT)}:{call.lineno}")
    return found


def _code_files() -> Iterator[Path]:
    with MAPPING.open(encoding="utf-8") as mapping:
        method_map, _ = parse_mapping_cfg(mapping, str(MAPPING))
    for pattern, _ in method_map:
        yield from (path for path in ROOT.glob(pattern.replace("**.py", "**/*.py")))


def derived_keys() -> dict[str, bool]:
    """Keys data_access's own definitions name, all singular: each KPI's label and definition,
    each data-dictionary table's title and purpose and each of its columns' meaning."""
    keys = [key for kpi in kpis.KPIS for key in (kpi.label_key, kpi.definition_key)]
    for table in admin.TABLES.values():
        keys += [table.title, table.about, *(meaning.key for meaning in table.columns.values())]
    return dict.fromkeys(keys, False)


# --- catalogs ---------------------------------------------------------------------------------


def template_path() -> Path:
    return messages.LOCALE_DIR / f"{DOMAIN}.pot"


def read(language: str) -> Catalog:
    with catalog_path(language, ".po").open("rb") as po:
        return read_po(po, locale=language, domain=DOMAIN)


def entries(language: str) -> dict[str, str | tuple[str, ...]]:
    """The catalog of `language` as key -> msgstr (a tuple of forms for a plural entry)."""
    return {
        _key(message): _forms(message) if message.pluralizable else _forms(message)[0]
        for message in read(language)
        if message.id
    }


def _key(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _write_po(path: Path, catalog: Catalog) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, no_location=True, sort_output=True)
    path.write_bytes(buffer.getvalue())


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def template(used: dict[str, bool] | None = None) -> Catalog:
    """Every key: those the code writes out or derives (`used`), and those the catalogs
    already hold."""
    held = {_key(m): m.pluralizable for language in LANGUAGES for m in read(language) if m.id}
    keys = held | (used if used is not None else derived_keys() | extracted())
    pot = Catalog(
        domain=DOMAIN,
        project=PROJECT,
        version="1",
        header_comment=HEADER,
        fuzzy=False,
    )
    for key, plural in sorted(keys.items()):
        pot.add((key, key) if plural else key)
    return pot


def update() -> None:
    pot = template()
    _write_po(template_path(), pot)
    for language in LANGUAGES:
        catalog = read(language)
        catalog.update(pot, no_fuzzy_matching=True, update_creation_date=False)
        catalog.obsolete.clear()
        _write_po(catalog_path(language, ".po"), catalog)
    compile_all()


def compile_all() -> None:
    for language in LANGUAGES:
        catalog_path(language, ".mo").write_bytes(compiled(read(language)))


# --- the check --------------------------------------------------------------------------------


def placeholders(text: str) -> set[str]:
    """The values a sentence names: `{rows}` and `{rows:,}` both name rows."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _forms(message: Message) -> tuple[str, ...]:
    """A message's text: its one form, or its plural forms ("" for a missing one)."""
    if isinstance(message.string, str):
        return (message.string,)
    return tuple(message.string or ("",))


def _hashable(text: Any) -> Any:
    """A plural entry's forms as a tuple (a compiled catalog reads them back as a list)."""
    return tuple(text) if isinstance(text, list) else text


def _named(message: Message) -> frozenset[str]:
    return frozenset().union(*(placeholders(form) for form in _forms(message)))


def _translations(catalog: Catalog) -> tuple[str, dict[Any, Any]]:
    """What a compiled catalog holds of a .po file: its plural rule and finished entries (the
    bytes also carry Babel's version, so they are not compared)."""
    finished = {
        _hashable(m.id): _hashable(m.string)
        for m in catalog
        if m.id and all(_forms(m)) and not m.fuzzy
    }
    return catalog.plural_forms, finished


def _entry_problems(language: str, catalog: Catalog) -> Iterator[str]:
    """Entries one catalog does not finish: fuzzy, empty, a plural with the wrong number of
    forms or forms naming different values, a stray brace, an obsolete entry, a stale .mo."""
    for message in catalog:
        if not message.id:
            continue  # the header
        key, forms = _key(message), _forms(message)
        if message.fuzzy:
            yield f"{language}: {key} is fuzzy"
        if not all(forms):
            yield f"{language}: {key} has no translation"
        if len(forms) != (catalog.num_plurals if message.pluralizable else 1):
            yield f"{language}: {key} has the wrong number of plural forms"
        try:
            if len({frozenset(placeholders(form)) for form in forms if form}) > 1:
                yield f"{language}: {key}'s plural forms name different values"
        except ValueError:
            yield f"{language}: {key} has a stray brace"
    yield from (f"{language}: {key} is obsolete" for key in catalog.obsolete)
    with catalog_path(language, ".mo").open("rb") as mo:
        if _translations(read_mo(mo)) != _translations(catalog):
            yield f"{language}: messages.mo differs from messages.po (compile)"


def _pair_problems(korean: dict[str, Message], english: dict[str, Message]) -> Iterator[str]:
    yield from (f"{key} is in one catalog only" for key in sorted(korean.keys() ^ english.keys()))
    for key in sorted(korean.keys() & english.keys()):
        try:
            if _named(korean[key]) != _named(english[key]):
                yield f"{key}: Korean and English name different values"
        except ValueError:
            continue  # a stray brace, reported with its entry


def _usage_problems(held: dict[str, dict[str, Message]], used: dict[str, bool]) -> Iterator[str]:
    """Keys the code uses that a catalog lacks or holds as the other kind of entry, and key
    prefixes nobody documented."""
    for key, plural in sorted(used.items()):
        for language, by_key in held.items():
            if key not in by_key:
                yield f"{language}: {key} is used by the code but not in the catalog"
            elif by_key[key].pluralizable != plural:
                yield f"{language}: {key} is looked up as a {'plural' if plural else 'singular'}"
    for prefix, where in sorted(dynamic_prefixes_in_code().items()):
        if prefix not in DYNAMIC_PREFIXES:
            yield f"{where}: key prefix {prefix!r} is not in ui.catalogs.DYNAMIC_PREFIXES"
    for prefix in sorted(DYNAMIC_PREFIXES):
        if not any(key.startswith(prefix) for key in held["en"]):
            yield f"no key starts with the documented prefix {prefix!r}"


def problems() -> list[str]:
    """Everything that keeps the catalogs from matching the code, one line each."""
    catalogs = {language: read(language) for language in LANGUAGES}
    held = {
        language: {_key(message): message for message in catalog if message.id}
        for language, catalog in catalogs.items()
    }
    used = derived_keys() | extracted()
    found = [problem for item in catalogs.items() for problem in _entry_problems(*item)]
    found.extend(_pair_problems(held["ko"], held["en"]))
    found.extend(_usage_problems(held, used))
    with template_path().open("rb") as pot:
        templated = {_key(m): m.pluralizable for m in read_po(pot) if m.id}
    if templated != {_key(m): m.pluralizable for m in template(used) if m.id}:
        found.append(f"{template_path().name} is not current (update)")
    return found


def main(arguments: list[str]) -> int:
    commands = {"update": update, "compile": compile_all}
    if len(arguments) == 1 and arguments[0] in commands:
        commands[arguments[0]]()
        return 0
    if arguments == ["check"]:
        found = problems()
        print("\n".join(found) or "catalogs: ok", file=sys.stderr if found else sys.stdout)
        return 1 if found else 0
    print("usage: python -m ui.catalogs update|compile|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
