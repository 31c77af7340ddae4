"""Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without these, Chromium keeps dialling Google on a machine with no internet.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium browser (Playwright ``Browser``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def signed_in_page(browser, base_url: str, token: str, *, width: int = 1280, height: int = 860, locale: str = "en"):
    """A new page signed in with ``token`` through the sign-in form."""
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height}, locale=locale)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto("/signin")
    page.locator('[data-testid="token"] input, input[data-testid="token"]').first.fill(token)
    page.get_by_test_id("signin-submit").click()
    page.wait_for_url(lambda url: "/signin" not in url)
    return page
