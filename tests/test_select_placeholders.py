"""Every choice list speaks the reader's language when nothing is chosen yet: without a
`placeholder`, Streamlit shows its own English "Choose an option" (issue #20)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHOICE_LISTS = {"selectbox", "multiselect"}


def test_every_selectbox_and_multiselect_has_a_translated_placeholder():
    missing = []
    for path in sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CHOICE_LISTS
            ):
                continue
            placeholder = next((k.value for k in node.keywords if k.arg == "placeholder"), None)
            translated = (
                isinstance(placeholder, ast.Call)
                and isinstance(placeholder.func, ast.Name)
                and placeholder.func.id == "t"
            )
            if not translated:
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert missing == []
