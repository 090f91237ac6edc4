"""The admin pages in Chromium at 390×844: reports with their charts, find, blocks and
accounts fit a phone, load nothing the CSP refuses, and work with a keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hotline.escalations import accounts
from tests.browser.conftest import sign_in_by_keyboard
from tests.escalation_helpers import PASSWORD, ask_for_person
from tests.phone import Texter

PHONE = {"width": 390, "height": 844}


@pytest.fixture()
def admin_page(app, redis_client, browser, base_url):
    accounts.add(redis_client, "boss", PASSWORD, ("en",), role="admin")
    ask_for_person(Texter(app.test_client()))
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    # CSP refusals are console errors; failed loads are counted by response (the browser's
    # own favicon request, which has no response event, is not ours to answer)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error"
            and not m.text.startswith("Failed to load resource") else None)  # fmt: skip
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    sign_in_by_keyboard(page, base_url, "boss")
    yield page, errors
    context.close()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_admin_pages_fit_a_phone_and_the_charts_draw(admin_page, base_url, tmp_path):
    page, errors = admin_page
    page.goto(f"{base_url}/staff/reports")
    charts = page.locator("img.chart")
    expect(charts).to_have_count(4)
    for i in range(4):
        assert charts.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
    assert fits(page)
    page.screenshot(path=str(tmp_path / "reports.png"), full_page=True)
    for path in ("/staff/find?language=en", "/staff/blocks", "/staff/accounts", "/staff/e/1"):
        page.goto(base_url + path)
        assert fits(page), path
    assert errors == []


def test_add_an_account_with_the_keyboard(admin_page, base_url, redis_client):
    page, errors = admin_page
    page.goto(f"{base_url}/staff/accounts")
    page.locator("#a-name").focus()
    page.keyboard.type("fatima")
    page.keyboard.press("Tab")  # role
    page.keyboard.press("Tab")  # English (checked)
    page.keyboard.press("Tab")  # Español
    page.keyboard.press("Space")
    page.locator("#add-account button[type=submit]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#new-password")).to_contain_text("fatima")
    made = accounts.get(redis_client, "fatima")
    assert made is not None and made.languages == ("en", "es")
    assert errors == []
