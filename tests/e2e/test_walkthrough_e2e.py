"""A new user's walk (issue #20): each demo account visits every page of its role in Korean and
in English, and nothing on screen is a code, a `None`, JSON, a raw won amount over 1억, an
IPv4-mapped address or Streamlit's untranslated "Choose an option".

Each page is saved as screenshots/walk_<role>_<page>_<lang>.png, to be looked at as the person
who uses it would.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from data_access.agenda import agenda
from data_access.core import job_runs
from data_access.core.db import (
    make_engine,
)
from data_access.core.models import (
    Role,
)
from jobs import demo
from tests.e2e.conftest import BUSINESS_DATE, ScreenshotSaver, wait_until_idle
from tests.e2e.test_sign_in import sign_in, sign_out_button
from ui.catalogs import entries
from ui.messages import LANGUAGES, translate
from ui.navigation import pages_for

# Pages of other helpers still failing the walk, as (role, page, language, offending text):
# issue #20 lists them; anything not listed here fails the test.
KNOWN_UNFIXED: list[tuple[str, str, str, str]] = []

ACCOUNTS = {
    "exec": Role.EXECUTIVE,
    "manager": Role.BRANCH_MANAGER,
    "dedicated": Role.DEDICATED_MANAGER,
    "rep": Role.SALES_REP,
    "trainer": Role.TRAINER,
    "admin": Role.ADMIN,
}
# Job names as the command line takes them (job_<name> in the catalogue): kpi-snapshot, ...
JOB_IDS = sorted(
    key.removeprefix("job_") for key in entries("en") if key.startswith("job_") and "-" in key
)
OFFENDING = {
    "code": re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"),
    "job id": re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, JOB_IDS)) + r")(?![\w-])"),
    "None": re.compile(r"\bNone\b"),
    "JSON": re.compile(r"\{\""),
    # A run of nine digits or more, but not a demo customer number (100000001-100002000).
    "raw won": re.compile(
        r"(?<![\d,])(?!10000\d{4}(?!\d))\d{9,}(?![\d,]*\s*[억조])"
        r"|(?<![\d,])\d{3},\d{3},\d{3}(?:,\d{3})*(?!\d)(?!\s*[억조])"
    ),
    "IPv4-mapped": re.compile(r"::ffff:"),
    # A timestamp as the database holds it: people read a day, or a day and its hour:minute.
    "raw timestamp": re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}"),
    "untranslated placeholder": re.compile(r"Choose an option"),
}


def offending(text: str) -> list[str]:
    """Every piece of `text` a reader should never see, labelled by what it is."""
    return [
        f"{label}: {match.group(0)}"
        for label, pattern in OFFENDING.items()
        for match in pattern.finditer(text)
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("로그인 · sign_in", ["code: sign_in"]),
        ("Daily KPI snapshot (kpi-snapshot)", ["job id: kpi-snapshot"]),
        ("담당자 None", ["None: None"]),
        ('{"kind": "name"}', ['JSON: {"']),
        ("₩1234567890", ["raw won: 1234567890"]),
        ("₩123,456,789", ["raw won: 123,456,789"]),
        ("::ffff:127.0.0.1", ["IPv4-mapped: ::ffff:"]),
        ("시작 2026-11-24 00:00:00", ["raw timestamp: 2026-11-24 00:00:00"]),
        ("Choose an option", ["untranslated placeholder: Choose an option"]),
        ("고객 100000123 · ₩12억 · 99,999,999원 · e-mail · sign-in · 2026-11-24 09:30", []),
    ],
    ids=[
        "code",
        "job",
        "none",
        "json",
        "digits",
        "commas",
        "ipv6",
        "timestamp",
        "placeholder",
        "clean",
    ],
)
def test_the_checker_finds_what_it_is_meant_to(text, found):
    assert offending(text) == found


@pytest.fixture(scope="module")
def todays_agenda(demo_database_url: str) -> None:
    """Today's agenda, as the 06:00 job would have built it, so agenda pages have content."""
    engine = make_engine(demo_database_url)
    try:
        outcome = agenda.build_agenda(engine, BUSINESS_DATE, force=True)
    finally:
        engine.dispose()
    assert outcome.status in (job_runs.SUCCEEDED, job_runs.SKIPPED), outcome.error


# The text a reader sees in the main area and the sidebar; Material icons are drawn from
# ligature names ("keyboard_double_arrow_left"), which nobody reads, so they are left out.
VISIBLE_TEXT = """() => ["main", "[data-testid='stSidebar']"].map((selector) => {
    const copy = document.querySelector(selector).cloneNode(true);
    copy.querySelectorAll("[data-testid*='Icon']").forEach((icon) => icon.remove());
    document.body.appendChild(copy);
    const text = copy.innerText;
    copy.remove();
    return text;
}).join("\\n")"""


def visible_text(page: Page) -> str:
    return page.evaluate(VISIBLE_TEXT)


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_every_page_of_each_role_reads_in_words(
    page: Page,
    console_url: str,
    screenshot: ScreenshotSaver,
    todays_agenda: None,
    username: str,
) -> None:
    sign_in(page, console_url, username, demo.DEMO_PASSWORD)
    expect(sign_out_button(page)).to_be_visible()
    found = []
    for language in ("ko", "en"):
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_role("radio", name=LANGUAGES[language]).or_(
            sidebar.get_by_role("button", name=LANGUAGES[language], exact=True)
        ).first.click()
        wait_until_idle(page)
        for spec in pages_for(ACCOUNTS[username]):
            title = translate(f"page_{spec.key}", language)
            link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)
            address = link.first.get_attribute("href") or ""
            link.first.click()
            expect(page).to_have_url(re.compile(re.escape(address) + r"(\?|$)"))
            wait_until_idle(page)
            if spec.key == "audit":  # the trail shows only once searched
                search = translate("audit_search", language)
                page.get_by_role("button", name=search, exact=True).click()
                expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
                wait_until_idle(page)
            expect(page.get_by_test_id("stException")).to_have_count(0)
            screenshot(f"walk_{username}_{spec.key}_{language}")
            text = visible_text(page)
            assert title in text  # the checker reads what is on screen
            found += [(username, spec.key, language, seen) for seen in offending(text)]
    new = [seen for seen in found if seen not in KNOWN_UNFIXED]
    assert new == [], "\n".join(map(repr, new))


def test_a_search_result_row_opens_the_customer(
    page: Page, console_url: str, screenshot: ScreenshotSaver
) -> None:
    sign_in(page, console_url, "rep", demo.DEMO_PASSWORD)
    expect(sign_out_button(page)).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="고객 360").first.click()
    wait_until_idle(page)
    page.get_by_label("고객 검색").fill("김")
    page.get_by_label("고객 검색").press("Enter")
    results = page.get_by_test_id("stDataFrame")
    expect(results).to_be_visible()
    screenshot("walk_rep_customer_search_results")
    box = results.bounding_box()
    assert box is not None
    # The first row's selection box, at the left edge below the header row.
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)
    wait_until_idle(page)
    expect(page).to_have_url(re.compile(r"/customer\?customer=\d+"))
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("walk_rep_customer_opened_from_search")
