"""Browser tests: Debian's chromium through Playwright, against the app on a loopback port."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.escalation_helpers import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip

# They run beside other work on 2 cores: give every expectation room to breathe.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items):
    """Every test here is a browser test, skipped cleanly only when chromium is absent."""
    skip = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(skip)


@pytest.fixture()
def base_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture()
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def sign_in_by_keyboard(page, base_url: str, name: str) -> None:
    page.goto(f"{base_url}/staff/login")
    expect(page.locator("input[name=name]")).to_be_focused()  # autofocus, before we type
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/staff/")
