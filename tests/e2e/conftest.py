"""End-to-end harness: a real `streamlit run app.py` over a small demo database, driven by
Playwright through the system Chromium.

No browser is ever downloaded: Playwright launches `chromium` from PATH. Without it these tests
skip, unless CRM_REQUIRE_BROWSER=1 (set by `.ci/run`), which turns a missing browser into a
failure. Screenshots land in `test-artifacts/screenshots/` (git-ignored), together with the
server's log, so a failed CI run can be read afterwards.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import Engine

REPO_ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS = REPO_ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
SERVER_LOG = ARTIFACTS / "e2e-streamlit.log"

DEMO_CUSTOMERS = 2_000
DEMO_USAGE_DAYS = 3
# The consoles under test run pinned to this Wednesday, and the demo is as of its morning: the
# usage days before it hold working days whatever day the suite runs (after a weekend or a
# holiday, three days before today can hold none).
BUSINESS_DATE = dt.date(2026, 11, 25)
SERVER_START_TIMEOUT_S = 60
SERVER_STOP_TIMEOUT_S = 10
# Streamlit reruns the whole script on every interaction; the first render after sign-in also
# warms the caches, so give `expect` more than Playwright's 5 s default.
EXPECT_TIMEOUT_MS = 30_000
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class ScreenshotSaver(Protocol):
    def __call__(self, name: str, *, settle: bool = True) -> Path: ...


FAILED_REPORT = pytest.StashKey[bool]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test under tests/e2e/ is an e2e test, so `-m "not e2e"` gives the fast suite.
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    # Remember a failed test body so the `page` fixture can keep a screenshot of it.
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED_REPORT] = True
    return report


def demo_database(folder: Path, then: Callable[[Engine], object] | None = None) -> str:
    """A small demo database (2,000 customers, 3 usage days) as of BUSINESS_DATE in a SQLite
    file in `folder`, with `then` run on it before anyone serves it; its URL."""
    from data_access.core.db import (
        make_engine,
    )
    from data_access.core.schema import (
        migrate,
    )
    from jobs import demo

    url = f"sqlite:///{folder / 'demo.db'}"
    engine = make_engine(url)
    try:
        migrate(engine)
        demo.generate(
            engine, customers=DEMO_CUSTOMERS, usage_days=DEMO_USAGE_DAYS, as_of=BUSINESS_DATE
        )
        if then is not None:
            then(engine)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def demo_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_database(tmp_path_factory.mktemp("e2e-db"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers_health(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=SERVER_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _log_tail(log_path: Path, lines: int = 60) -> str:
    text = log_path.read_text(encoding="utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def streamlit_server(database_url: str, log_path: Path, **env: str) -> Iterator[str]:
    """`streamlit run app.py` on a free port over `database_url` (plus `env`), pinned to
    BUSINESS_DATE, its output in `log_path`; yields the base URL once the server answers, and
    stops it afterwards."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    server_env = {
        **os.environ,
        "CRM_DATABASE_URL": database_url,
        "CRM_BUSINESS_DATE": BUSINESS_DATE.isoformat(),
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=server_env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _answers_health(base_url):
            if server.poll() is not None:
                pytest.fail(
                    f"streamlit exited with code {server.returncode} before answering:\n"
                    f"{_log_tail(log_path)}",
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit did not answer {base_url}/_stcore/health within "
                    f"{SERVER_START_TIMEOUT_S}s:\n{_log_tail(log_path)}",
                    pytrace=False,
                )
            time.sleep(0.25)
        yield base_url
    finally:
        _stop(server)


@pytest.fixture(scope="session")
def console_url(demo_database_url: str) -> Iterator[str]:
    """Base URL of `streamlit run app.py` serving the demo database; stopped after the session."""
    with streamlit_server(demo_database_url, SERVER_LOG) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless system Chromium; skips when it is missing unless CRM_REQUIRE_BROWSER=1."""
    executable = shutil.which("chromium")
    if executable is None:
        reason = "chromium is not on PATH (Debian: apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("CRM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CRM_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (own cookies, so own Streamlit session) as a Korean user sees it.

    A test that fails leaves `FAILED-<test name>.png` behind.
    """
    context = browser.new_context(
        viewport={"width": 1440, "height": 900},
        locale="ko-KR",
        timezone_id="Asia/Seoul",
    )
    new_page = context.new_page()
    yield new_page
    if request.node.stash.get(FAILED_REPORT, False):
        # Best effort: a crashed page must not turn the test's own failure into a second error.
        with contextlib.suppress(PlaywrightError):
            _save_screenshot(new_page, f"FAILED-{request.node.name}")
    context.close()


def _save_screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (name if name.endswith(".png") else f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path


def metric_value(page: Page, label: str) -> int:
    """The whole number a metric tile labelled `label` shows."""
    metric = page.get_by_test_id("stMetric").filter(has_text=label).first
    return int(metric.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


def wait_until_idle(page: Page) -> None:
    """Wait until Streamlit has run the script for the last interaction and drawn its output.

    The script state turns "notRunning" a moment before the last elements replace their
    loading skeletons, so both are waited for.
    """
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)


@pytest.fixture
def screenshot(page: Page) -> ScreenshotSaver:
    """`screenshot("name")` waits for the app to settle, then saves screenshots/name.png;
    `settle=False` saves what shows now, for a script run still under way."""

    def save(name: str, *, settle: bool = True) -> Path:
        if settle:
            wait_until_idle(page)
        return _save_screenshot(page, name)

    return save
