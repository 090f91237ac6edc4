"""The advocate's workspace in real Chromium at 390x844 (issue 16): the card queue (yours
first), a note, a canned reply sent to the texter, a resource card, a hand-off to a colleague
who reads the note first and resolves with an outcome and a note; and the opt-in alerts."""

from __future__ import annotations

from hotline.escalations import accounts, handoffs, notes, queue, records
from hotline.escalations.senders import read_outbox
from tests.browser.conftest import sign_in_by_keyboard
from tests.escalation_helpers import add_staff, ask_for_person, run_jobs
from tests.phone import Texter

PHONE = {"width": 390, "height": 844}
NOTE = "Cousin in Lowell may help; avoid calls before 6 pm."
HANDOFF = "Asked about a place to stay tonight. Card sent; waiting for their town."


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_advocate_loop_cards_note_canned_reply_card_hand_off_resolve_with_outcome(
    app, base_url, browser, redis_client, shipped
):
    from playwright.sync_api import expect

    add_staff(redis_client, "ana", ("en", "es"))
    add_staff(redis_client, "ben", ("en",), phone="")
    texter = Texter(app.test_client(), number="+19785550181")
    other = Texter(app.test_client(), number="+19785550182")
    ask_for_person(other)  # #1: waiting, older
    ask_for_person(texter)  # #2: ana's
    queue.claim(redis_client, "2", "ana")
    texter.send("are you there? I need help")

    page = browser.new_context(viewport=PHONE).new_page()
    sign_in_by_keyboard(page, base_url, "ana")
    cards = page.locator("#queue-cards li.card")
    expect(cards.first).to_contain_text("Open #2")  # mine first, before the older waiting one
    expect(page.locator("#mine li.card")).to_have_count(1)
    expect(page.locator("#waiting")).to_contain_text("Open #1")
    expect(page.locator("#mine .badge")).to_have_text("1 new")
    assert page.locator("table").count() == 0 and no_sideways_scroll(page)

    page.get_by_role("link", name="Open #2").click()
    expect(page.locator("#language")).to_contain_text("English · on duty who speak it: ana")
    # A note, by keyboard.
    page.get_by_label("Add a note for staff").focus()
    page.keyboard.type(NOTE)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#note-list")).to_contain_text(NOTE)
    expect(page.locator("#note-list")).to_contain_text("ana")
    assert NOTE not in str(redis_client.lrange(notes.notes_key("2"), 0, -1))

    # A canned reply, inserted by keyboard, edited, sent: the texter receives it.
    page.get_by_label("Canned reply (English)").select_option("safe_now")
    page.get_by_label("Canned reply (English)").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    box = page.get_by_label("Reply by SMS")
    expect(box).to_have_value(
        "Hi, thanks for writing. Are you safe right now? You can answer yes or no."
    )
    expect(box).to_be_focused()
    page.keyboard.type(" - Ana")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#transcript")).to_contain_text("Are you safe right now?")
    run_jobs(app)
    sent = [item for item in read_outbox(redis_client) if item["to"] == texter.number]
    assert [item["body"] for item in sent] == [
        "Hi, thanks for writing. Are you safe right now? You can answer yes or no. - Ana"
    ]

    # A resource card from the directory into the reply box.
    page.get_by_text("Resource card from the directory").click()
    page.get_by_label("ZIP or town").fill("01852")
    page.get_by_role("button", name="Find").click()
    insert = page.get_by_role("button", name="Insert this card").first
    expect(insert).to_be_visible()
    card = page.locator("#card-results .card-text").first.text_content()
    assert card.startswith("Call ")
    insert.click()
    expect(box).to_have_value(card)
    assert no_sideways_scroll(page)

    # Hand-off to ben with a note.
    page.get_by_text("Hand off to a colleague or back to the queue").click()
    page.get_by_label("To", exact=True).select_option("ben")
    page.get_by_label("Note they read first").fill(HANDOFF)
    page.get_by_role("button", name="Hand off").click()
    expect(page.get_by_text("Handed to ben.")).to_be_visible()
    assert records.load(redis_client, "2").assignee == "ben"

    # ben sees it first: on his queue card, then at the top of the conversation.
    ben = browser.new_context(viewport=PHONE).new_page()
    sign_in_by_keyboard(ben, base_url, "ben")
    first = ben.locator("#queue-cards li.card").first
    expect(first).to_contain_text("Open #2")
    expect(first).to_contain_text(HANDOFF)
    expect(first).to_contain_text("From ana")
    first.get_by_role("link", name="Open #2").click()
    banner = ben.locator("#handoff-note")
    expect(banner).to_contain_text("Handed to you by ana")
    expect(banner).to_contain_text(HANDOFF)
    top = banner.bounding_box()["y"]
    assert top < ben.locator("#transcript").bounding_box()["y"] and top < 844
    expect(ben.locator("#note-list")).to_contain_text(NOTE)
    assert no_sideways_scroll(ben)
    ben.get_by_label("Outcome").select_option("safety_plan")
    ben.get_by_label("Note (optional").fill("Plan: friend's place tonight.")
    ben.get_by_role("button", name="Resolve").click()
    expect(ben.get_by_text("Resolved: Safety plan made.")).to_be_visible()
    closed = records.load(redis_client, "2")
    assert (closed.status, closed.outcome, closed.assignee) == ("resolved", "safety_plan", "ben")
    assert closed.outcome_note == "Plan: friend's place tonight."
    assert "friend" not in str(redis_client.hgetall(records.record_key("2")))


# Records every Notification the page makes, then lets the browser's own show it.
RECORD_NOTIFICATIONS = """
window.__shown = [];
const Real = window.Notification;
window.Notification = class extends Real {
  constructor(title, options) { super(title, options); window.__shown.push([title, options.body]); }
};
"""


def test_opt_in_alert_for_a_new_urgent_escalation(app, base_url, browser, redis_client):
    from playwright.sync_api import expect

    add_staff(redis_client, "ana", ("en",))
    context = browser.new_context(viewport=PHONE)
    context.grant_permissions(["notifications"], origin=base_url)
    context.add_init_script(RECORD_NOTIFICATIONS)
    page = context.new_page()
    sounds = []
    page.on("request", lambda r: sounds.append(r.url) if r.url.endswith("/alert.wav") else None)
    sign_in_by_keyboard(page, base_url, "ana")
    button = page.get_by_role("button", name="Turn on urgent alerts (notification and sound)")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#alerts-state")).to_have_text("Urgent alerts on: notification and sound.")
    page.wait_for_timeout(2500)  # one poll with nothing urgent: the baseline

    Texter(app.test_client(), number="+19785550183").send("he has a gun and says he will kill me")
    expect(page.locator("#alerts-state")).to_contain_text("New urgent escalation #1 waiting.")
    shown = page.evaluate("window.__shown")
    assert shown == [["Urgent: someone is waiting", "Open the queue (#1)"]]
    assert sounds and all(url.startswith(base_url) for url in sounds)
    # A colleague hands one to her: the same alert, saying so.
    add_staff(redis_client, "ben", ("en",), phone="")
    queue.claim(redis_client, "1", "ben")
    handoffs.hand_off(redis_client, "1", accounts.get(redis_client, "ben"), "ana", "yours now")
    expect(page.locator("#alerts-state")).to_contain_text("Handed to you: #1, from ben.")
    assert page.evaluate("window.__shown")[-1] == [
        "A conversation was handed to you",
        "Open the queue (#1)",
    ]
    # Off again: the next urgent one is shown on the page but raises no alert.
    page.get_by_role("button", name="Turn off urgent alerts").click()
    Texter(app.test_client(), number="+19785550184").send("he has a gun and says he will kill me")
    expect(page.locator("#waiting")).to_contain_text("Open #2")
    assert page.evaluate("window.__shown.length") == 2


def test_hand_back_to_the_queue_note_on_the_waiting_card(app, base_url, browser, redis_client):
    from playwright.sync_api import expect

    add_staff(redis_client, "ana", ("en",))
    add_staff(redis_client, "ben", ("en",), phone="")
    ask_for_person(Texter(app.test_client(), number="+19785550185"))
    queue.claim(redis_client, "1", "ana")
    handoffs.hand_off(redis_client, "1", accounts.get(redis_client, "ana"), "", HANDOFF)
    page = browser.new_context(viewport=PHONE).new_page()
    sign_in_by_keyboard(page, base_url, "ben")
    card = page.locator("#waiting li.card").first
    expect(card).to_contain_text(HANDOFF)
    card.get_by_role("link", name="Open #1").click()
    expect(page.locator("#handoff-note")).to_contain_text("Handed back to the queue by ana")
