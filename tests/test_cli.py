"""`python -m jobs` as an administrator runs it: no Streamlit loaded, and a refusal told in one
line, in Korean unless --lang en or CRM_LANGUAGE=en asks for English, with a non-zero exit."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IMPORT_TIME = "import time:"


def jobs_cli(tmp_path: Path, *args: str, language: str | None = None) -> tuple[int, list[str]]:
    """The exit code and the stderr lines that are not -X importtime's; fails if any module
    of Streamlit was imported."""
    env = {**os.environ, "CRM_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    env.pop("CRM_LANGUAGE", None)
    if language is not None:
        env["CRM_LANGUAGE"] = language
    finished = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "jobs", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = finished.stderr.splitlines()
    imported = [line.split("|")[-1].strip() for line in lines if line.startswith(IMPORT_TIME)]
    assert "jobs" in imported  # -X importtime did list the imports
    assert not [name for name in imported if name.split(".")[0] == "streamlit"]
    return finished.returncode, [line for line in lines if not line.startswith(IMPORT_TIME)]


def test_help_loads_no_streamlit(tmp_path):
    code, _ = jobs_cli(tmp_path, "--help")
    assert code == 0


@pytest.mark.parametrize(
    ("arguments", "language", "line"),
    [
        ((), None, "오류: {path}에 파일이 없습니다."),
        (("--lang", "en"), None, "error: No file at {path}."),
        ((), "en", "error: No file at {path}."),
        (("--lang", "ko"), "en", "오류: {path}에 파일이 없습니다."),
    ],
    ids=["korean-by-default", "lang-option", "environment", "option-over-environment"],
)
def test_a_refused_command_says_why_in_one_line(tmp_path, arguments, language, line):
    missing = tmp_path / "지점.csv"
    code, lines = jobs_cli(
        tmp_path, *arguments, "import", "branches", str(missing), language=language
    )
    assert code == 1
    assert lines[-1] == line.format(path=missing)
    assert [text for text in lines if text.startswith(("오류:", "error:"))] == [lines[-1]]


def test_an_unknown_job_names_the_known_ones(tmp_path):
    code, lines = jobs_cli(tmp_path, "run", "nightly", "--lang", "en")
    assert code == 1
    assert lines == [
        "error: No job named 'nightly'; known jobs: agenda, customer-features, kpi-snapshot, "
        "retention-report, usage-aggregate."
    ]
