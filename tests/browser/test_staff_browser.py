"""The staff dashboard in real Chromium (Playwright): the advocate's whole loop, and a race."""

from __future__ import annotations

from hotline.escalations import records
from tests.browser.conftest import sign_in_by_keyboard
from tests.escalation_helpers import add_staff, ask_for_person, run_jobs
from tests.phone import Texter


def test_advocate_loop_sign_in_see_claim_reply_outbox_resolve(app, base_url, browser, redis_client):
    from playwright.sync_api import expect

    add_staff(redis_client, "ana", ("en", "es"))
    texter = Texter(app.test_client(), number="+19785550142")
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in_by_keyboard(page, base_url, "ana")
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()

    ask_for_person(texter)  # arrives while the page is open: no reload
    link = page.get_by_role("link", name="Open #1")
    expect(link).to_be_visible(timeout=15_000)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    texter.send("<script>window.pwned = 1</script><img src=x onerror='window.pwned=1'>")
    link.click()
    expect(page.locator("#transcript")).to_contain_text("<script>window.pwned = 1</script>")
    page.get_by_role("button", name="Claim").click()
    expect(page.get_by_role("button", name="Release back to the queue")).to_be_visible()
    page.get_by_label("Reply by SMS").fill("Hi, this is Ana. Are you safe to talk?")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#transcript")).to_contain_text("Are you safe to talk?")

    run_jobs(app)
    page.goto(f"{base_url}/staff/outbox")
    expect(page.locator("#outbox")).to_contain_text("Hi, this is Ana. Are you safe to talk?")

    page.goto(f"{base_url}/staff/e/1")
    texter.send("yes I can talk <b>now</b>")
    expect(page.locator("#transcript")).to_contain_text("yes I can talk <b>now</b>", timeout=15_000)
    assert page.evaluate("window.pwned") is None
    page.get_by_label("Outcome").select_option("connected")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_text("Resolved: Connected to services.")).to_be_visible()
    assert records.load(redis_client, "1").outcome == "connected"
    assert "Reply with a number" in texter.reply("thank you")


def test_two_browsers_claiming_at_once_get_one_winner(app, base_url, browser, redis_client):
    add_staff(redis_client, "ana", ("en",))
    add_staff(redis_client, "ben", ("en",))
    ask_for_person(Texter(app.test_client(), number="+19785550143"))
    pages = []
    for name in ("ana", "ben"):
        page = browser.new_context().new_page()
        sign_in_by_keyboard(page, base_url, name)
        page.goto(f"{base_url}/staff/e/1")
        pages.append(page)
    for page in pages:  # both forms submitted before either answer comes back
        page.evaluate("document.getElementById('claim').form.submit()")
    for page in pages:
        page.wait_for_load_state()
        page.wait_for_selector("#status")
    texts = [page.content() for page in pages]
    winners = [t for t in texts if "Release back to the queue" in t]
    losers = [t for t in texts if "Someone else has claimed this conversation." in t]
    assert len(winners) == 1 and len(losers) == 1
    assert records.load(redis_client, "1").assignee in ("ana", "ben")
