"""The phone simulator in real Chromium: text the hotline, answer as staff, call with the keypad.

Screenshots of each mode go to tests/artifacts/ (ignored). UPDATE_DOCS_SCREENSHOT=1 also
writes docs/simulator.png, the one the README shows.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.browser.conftest import sign_in_by_keyboard
from tests.conftest import ROOT
from tests.escalation_helpers import add_staff, run_jobs

ARTIFACTS = ROOT / "tests" / "artifacts"
WAIT = 15_000  # ms: generous for a loaded CI machine; a pass takes well under a second


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def send(page, body: str) -> None:
    page.get_by_placeholder("Text message").fill(body)
    page.get_by_placeholder("Text message").press("Enter")


def test_text_ask_for_a_person_staff_replies_and_the_reply_arrives(
    app, base_url, browser, redis_client
):
    from playwright.sync_api import expect

    add_staff(redis_client, "ana", ("en", "es"))
    phone = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    phone.goto(f"{base_url}/simulator")
    thread = phone.locator("#thread")
    send(phone, "hello")
    expect(thread).to_contain_text("Reply with a number", timeout=WAIT)
    expect(thread).to_contain_text("2 segments", timeout=WAIT)
    expect(phone.locator("#p-node")).to_have_text("main_menu", timeout=WAIT)
    for body in ("2", "yes", "ANY"):
        replies = thread.locator("li.in").count()
        send(phone, body)
        expect(thread.locator("li.in").nth(replies)).to_be_visible(timeout=WAIT)
        if body == "2":
            expect(thread).to_contain_text("Reply YES or NO", timeout=WAIT)
    link = phone.locator("#escalation-link")
    expect(link).to_contain_text("#1 waiting", timeout=WAIT)
    assert link.get_attribute("href") == "/staff/e/1"

    staff = browser.new_context().new_page()
    sign_in_by_keyboard(staff, base_url, "ana")
    staff.goto(f"{base_url}/staff/e/1")
    staff.get_by_role("button", name="Claim").click()
    staff.get_by_label("Reply by SMS").fill("Hi, this is Ana. Are you safe to talk?")
    staff.get_by_role("button", name="Send").click()
    expect(staff.locator("#transcript")).to_contain_text("Are you safe to talk?", timeout=WAIT)
    run_jobs(app)  # the worker `make run` starts: the reply goes to the Outbox

    reply = thread.locator("li.staff")
    expect(reply).to_contain_text("Hi, this is Ana. Are you safe to talk?", timeout=WAIT)
    expect(reply).to_contain_text("staff reply · 1 segment", timeout=WAIT)
    expect(link).to_contain_text("claimed by ana", timeout=WAIT)
    shot = screenshot(phone, "simulator-text.png")
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        shutil.copy(shot, ROOT / "docs" / "simulator.png")


def test_call_with_the_keypad_reaches_the_zip_read_out(app, base_url, browser):
    from playwright.sync_api import expect

    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    page.goto(f"{base_url}/simulator")
    page.get_by_role("tab", name="Call").click()
    page.get_by_role("button", name="Call the hotline").click()
    captions, status = page.locator("#captions"), page.locator("#call-status")
    expect(captions).to_contain_text("For English, press 1", timeout=WAIT)
    expect(status).to_contain_text("Waiting for your answer", timeout=WAIT)

    page.get_by_role("button", name="Wait (timeout)").click()  # silence: the question again
    expect(captions.get_by_text("For English, press 1")).to_have_count(2, timeout=WAIT)
    keypad = page.locator("#keypad")
    keypad.get_by_role("button", name="1", exact=True).click()
    expect(captions).to_contain_text("For help near you, by ZIP code, press 2", timeout=WAIT)
    keypad.get_by_role("button", name="2", exact=True).click()
    expect(captions).to_contain_text("5-digit ZIP code", timeout=WAIT)
    for key in "01852":  # five digits end the answer, as numDigits does on Twilio
        keypad.get_by_role("button", name=key, exact=True).click()
    expect(captions).to_contain_text("Center for Hope and Healing", timeout=WAIT)
    expect(page.locator("#p-flow")).to_have_text("voice", timeout=WAIT)
    expect(page.locator("#p-language")).to_have_text("en", timeout=WAIT)
    expect(page.locator("#log")).to_contain_text("POST /voice/step (signed) → 200", timeout=WAIT)
    screenshot(page, "simulator-call.png")

    keypad.get_by_role("button", name="*", exact=True).click()  # the menu, then the 24/7 line
    expect(captions.get_by_text("To talk to a person, press 1")).to_have_count(2, timeout=WAIT)
    keypad.get_by_role("button", name="5", exact=True).click()
    expect(page.locator("#dial-what")).to_have_text("Would ring +18883737888.", timeout=WAIT)
    page.get_by_role("button", name="No answer").click()
    expect(captions).to_contain_text("that line did not connect", timeout=WAIT)
    expect(page.locator("#dial-outcome")).to_be_hidden()
    page.get_by_role("button", name="Hang up").click()
    expect(status).to_have_text("You hung up", timeout=WAIT)
