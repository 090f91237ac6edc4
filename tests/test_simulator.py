"""The simulator's server side: signed relays to the real webhooks, the panel, dev-only pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from hotline.escalations import accounts
from hotline.escalations.senders import OutboxSender
from hotline.simulator.devaccount import DEV_NAME, ensure_dev_account

NUMBER = "+19785550160"


def text(client, body: str, number: str = NUMBER, **extra) -> dict:
    response = client.post("/simulator/api/sms", json={"number": number, "body": body, **extra})
    assert response.status_code == 200, response.status_code
    return response.get_json()


def voice(client, url: str, **params) -> dict:
    params.setdefault("From", NUMBER)
    response = client.post("/simulator/api/call", json={"url": url, "params": params})
    assert response.status_code == 200, response.status_code
    return response.get_json()


def says(twiml: str) -> str:
    return " ".join(s.text or "" for s in ET.fromstring(twiml).iter("Say"))


def test_a_text_gets_the_menu_with_segment_counts_and_the_panel_shows_where(client):
    view = text(client, "hello")
    assert "Reply with a number" in view["replies"][0]["body"]
    assert view["replies"][0]["segments"] == 2
    assert view["session"] == {"flow": "sms", "node": "main_menu", "language": "en"}


@pytest.mark.parametrize(
    ("setting", "messages", "why"),
    [
        ({"HOTLINE_RATE_LIMIT": "2"}, ["5", "5", "5", "5"], "rate limit"),
        ({}, ["STOP", "hello?"], "opted out"),
    ],
)
def test_the_simulator_shows_when_and_why_a_reply_was_withheld(make_app, setting, messages, why):
    client = make_app(HOTLINE_ENV="development", **setting).test_client()
    views = [text(client, body) for body in messages]
    assert views[-1]["replies"] == [] and why in views[-1]["withheld"]
    assert views[0]["withheld"] == ""


def test_asking_for_a_person_shows_the_escalation_and_staff_replies_arrive(client, redis_client):
    for body in ("hello", "2", "yes"):
        text(client, body)
    view = text(client, "ANY")
    assert view["escalation"]["id"] == "1"
    assert view["escalation"]["url"] == "/staff/e/1"
    OutboxSender(redis_client).send("+19785550199", "for someone else", "reply")
    OutboxSender(redis_client).send(NUMBER, "alert, not a reply", "alert")
    OutboxSender(redis_client).send(NUMBER, "Hi, this is Ana.", "reply")
    state = client.post("/simulator/api/sms/state", json={"number": NUMBER, "since": 0}).get_json()
    assert [r["body"] for r in state["outbox"]] == ["Hi, this is Ana."]
    assert state["escalation"]["status"] == "waiting"
    later = state["outbox"][0]["at"]
    state = client.post("/simulator/api/sms/state", json={"number": NUMBER, "since": later})
    assert state.get_json()["outbox"] == []


def test_a_call_walks_keypad_answers_to_the_zip_read_out(client):
    first = voice(client, "/voice", CallStatus="ringing")
    assert "For English, press 1" in says(first["twiml"])
    sid = first["call_sid"]
    menu = voice(client, "/voice/step", CallSid=sid, Digits="1")
    assert "by ZIP code, press 2" in says(menu["twiml"])
    voice(client, "/voice/step", CallSid=sid, Digits="2")
    found = voice(client, "/voice/step", CallSid=sid, Digits="01852")
    assert "Center for Hope and Healing" in says(found["twiml"])
    assert found["session"]["flow"] == "voice" and found["session"]["language"] == "en"
    silent = voice(client, "/voice/step?silence=1", CallSid=sid)
    assert silent["status"] == 200 and says(silent["twiml"])


def test_only_the_apps_voice_webhooks_are_signed(client):
    for url in ("/staff/e/1", "/sms", "https://example.org/voice", "/voice/step?x=1"):
        response = client.post("/simulator/api/call", json={"url": url, "params": {}})
        assert response.status_code == 400, url


def test_the_json_endpoints_refuse_forms_and_bad_numbers(client):
    form = client.post("/simulator/api/sms", data={"number": NUMBER, "body": "hi"})
    assert form.status_code == 415
    bad = client.post("/simulator/api/sms", json={"number": "<script>", "body": "hi"})
    assert bad.status_code == 400


@pytest.mark.parametrize("path", ["/", "/simulator", "/simulator/static/simulator.js"])
def test_nothing_of_it_exists_in_production(make_app, path):
    client = make_app(HOTLINE_ENV="production").test_client()
    assert client.get(path).status_code == 404
    assert (
        client.post("/simulator/api/sms", json={"number": NUMBER, "body": "hi"}).status_code == 404
    )


def test_start_page_links_the_simulator_and_the_staff_dashboard(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/simulator"' in html and 'href="/staff/"' in html
    assert f"hotline staff passwd {DEV_NAME}" in html


def test_simulator_page_uses_no_inline_script_or_style(client):
    response = client.get("/simulator")
    html = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in html and "style=" not in html and "<style" not in html


def test_the_development_account_is_created_once(app, redis_client):
    password = ensure_dev_account(redis_client)
    assert password and len(password) >= 10
    assert ensure_dev_account(redis_client) is None
    assert accounts.authenticate(redis_client, DEV_NAME, password).languages == ("en", "es")
