"""Nothing leaves or renders except by the rules (#18), in a real browser.

A table of customers offers no CSV download of its own (exports go through the console's
export, with grant, reason and audit); a crafted `?branch=` value shows as typed, with no link
or image; and a database lost in the middle of a click gets the console's sentence, not
Streamlit's error page.
"""

from __future__ import annotations

import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import make_url, select, text

from data_access.core.db import (
    make_engine,
)
from data_access.core.models import (
    Customer,
)
from data_access.core.schema import (
    migrate,
)
from jobs import demo
from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import ARTIFACTS, BUSINESS_DATE, streamlit_server, wait_until_idle
from tests.e2e.test_security_e2e import navigation_known, sign_in_here  # noqa: F401 (fixture)
from tests.e2e.test_sign_in import sign_in, sign_out_button
from tests.lost_database import database_lost
from ui.messages import translate

ScreenshotSaver = Callable[[str], Path]
FIRST_CUSTOMER = str(demo.FIRST_CUSTOMER_NO)
CRAFTED_BRANCH = "[x](https://evil.example)![i](https://evil.example/i.png)"
DATABASE_UNAVAILABLE = translate("database_unavailable", "ko")


@pytest.mark.parametrize(
    ("username", "url_path"),
    [("exec", "executive"), ("exec", "usage"), ("trainer", "training")],
)
def test_a_crafted_branch_in_the_address_shows_as_typed_without_a_link_or_image(
    page: Page, console_url: str, screenshot: ScreenshotSaver, username: str, url_path: str
) -> None:
    page.goto(f"{console_url}/{url_path}?branch={urllib.parse.quote(CRAFTED_BRANCH)}")
    sign_in_here(page, username)
    unknown = page.get_by_test_id("stAlertContentWarning")  # no such branch: a warning
    expect(unknown).to_contain_text("[x](https")  # the value as typed, brackets and all
    screenshot(f"hardening_crafted_branch_{url_path}")
    expect(page.locator('a[href*="evil.example"]')).to_have_count(0)
    expect(page.locator('img[src*="evil.example"]')).to_have_count(0)


@pytest.fixture
def throw_away_postgres() -> Iterator[str]:
    """A small demo in a PostgreSQL database of its own, dropped afterwards."""
    if POSTGRES_URL is None:
        pytest.skip("CRM_TEST_POSTGRES_URL is unset: losing a database needs a PostgreSQL one")
    name = f"dreams_e2e_lost_{uuid.uuid4().hex[:8]}"
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(url)
    try:
        migrate(engine)
        demo.generate(engine, customers=200, usage_days=1, as_of=BUSINESS_DATE)
        engine.dispose()
        yield url
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_database_lost_during_a_click_gets_the_consoles_sentence(
    page: Page, throw_away_postgres: str, screenshot: ScreenshotSaver
) -> None:
    log = ARTIFACTS / "e2e-streamlit-lost-database.log"
    with streamlit_server(throw_away_postgres, log, CRM_IN_PROCESS_SCHEDULER="0") as base_url:
        sign_in(page, base_url, "admin", demo.DEMO_PASSWORD)
        expect(sign_out_button(page)).to_be_visible()
        nav = page.get_by_test_id("stSidebarNav")
        nav.get_by_role("link", name=translate("page_jobs", "ko")).click()
        pause = page.get_by_role("button", name=translate("jobs_pause", "ko")).first
        expect(pause).to_be_visible()
        wait_until_idle(page)
        with database_lost(throw_away_postgres):
            pause.click()  # its callback writes the pause through the database
            expect(page.get_by_text(DATABASE_UNAVAILABLE)).to_be_visible()
            wait_until_idle(page)
            screenshot("hardening_database_lost")
            expect(page.get_by_test_id("stException")).to_have_count(0)
            expect(page.get_by_text("Ask Google")).to_have_count(0)
            expect(page.get_by_text("Traceback")).to_have_count(0)


def test_a_table_of_customers_offers_no_csv_download_of_its_own(
    page: Page, console_url: str, demo_database_url: str, screenshot: ScreenshotSaver
) -> None:
    engine = make_engine(demo_database_url)
    with engine.connect() as conn:
        name = conn.execute(
            select(Customer.name).where(Customer.customer_no == FIRST_CUSTOMER)
        ).scalar_one()
    engine.dispose()
    sign_in(page, console_url, "rep", demo.DEMO_PASSWORD)
    expect(sign_out_button(page)).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role(
        "link", name=translate("page_customer", "ko")
    ).click()
    page.get_by_label(translate("customer_search", "ko")).fill(name)
    page.keyboard.press("Enter")
    results = page.get_by_test_id("stDataFrame").filter(visible=True).first
    expect(results).to_be_visible()
    results.hover()
    toolbar = page.get_by_test_id("stElementToolbar").filter(visible=True)
    expect(toolbar.get_by_role("button", name="Search")).to_be_visible()  # the toolbar is up
    screenshot("hardening_table_toolbar")
    expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)
