"""Playwright for Python driving Debian's chromium against pytest-django's live server."""

import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def page(live_server, monkeypatch):
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip(
            "Browser tests need Debian's chromium: `apt-get install chromium` "
            "(.ci/run installs it, so CI never skips them)."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # (factories) are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        page.base = live_server.url
        yield page
        context.close()
        browser.close()
