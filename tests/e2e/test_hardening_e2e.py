"""Nothing renders except by the rules (#18), in a real browser: a crafted `?branch=` value
shows as typed, with no link or image.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_security_e2e import navigation_known, sign_in_here  # noqa: F401 (fixture)

ScreenshotSaver = Callable[[str], Path]
CRAFTED_BRANCH = "[x](https://evil.example)![i](https://evil.example/i.png)"


@pytest.mark.parametrize(
    ("username", "url_path"),
    [("exec", "executive"), ("exec", "usage"), ("trainer", "training")],
)
def test_a_crafted_branch_in_the_address_shows_as_typed_without_a_link_or_image(
    page: Page, console_url: str, screenshot: ScreenshotSaver, username: str, url_path: str
) -> None:
    page.goto(f"{console_url}/{url_path}?branch={urllib.parse.quote(CRAFTED_BRANCH)}")
    sign_in_here(page, username)
    refusal = page.get_by_test_id("stAlertContentError")
    expect(refusal).to_contain_text("[x](https")  # the value as typed, brackets and all
    screenshot(f"hardening_crafted_branch_{url_path}")
    expect(page.locator('a[href*="evil.example"]')).to_have_count(0)
    expect(page.locator('img[src*="evil.example"]')).to_have_count(0)
