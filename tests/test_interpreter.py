"""Interpreters on calls (issue 15 item 4), against the local stand-in of Twilio's REST API:
the caller waits in a conference named by a random id, advocates are called in, the first to
accept brings in the interpreter service with its PIN and the language's code as DTMF, and
the interpreter is dropped when the advocate leaves."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tests.caller import Caller
from tests.escalation_helpers import add_staff

HOTLINE_NUMBER = "+16175550100"
ONCALL = "+16175550111,+16175550122"
INTERPRETERS = "+18005550199"
ACCOUNT = "AC" + "1" * 32


@pytest.fixture()
def make_caller(make_app, monkeypatch, twilio_standin, redis_client):
    """A caller to a hotline whose on-call advocate speaks English only, with an interpreter
    service configured for Spanish, Khmer and Haitian Creole."""
    monkeypatch.setenv("TWILIO_API_BASE_URL", twilio_standin.url)

    def build(**env: str) -> Caller:
        settings = {
            "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_PHONE_NUMBER": HOTLINE_NUMBER,
            "HOTLINE_STAFFED_HOURS": "24/7", "HOTLINE_ONCALL_NUMBERS": ONCALL,
            "HOTLINE_INTERPRETER_NUMBER": INTERPRETERS, "HOTLINE_INTERPRETER_PIN": "4321",
            "HOTLINE_INTERPRETER_CODES": "es=111,km=123,ht=456", **env,
        }  # fmt: skip
        return Caller(make_app(**settings).test_client())

    add_staff(redis_client, "ana", languages=("en",))
    return build


def post(caller: Caller, url: str, **form: str) -> ET.Element:
    response = caller.post(url, {**caller.form(), **form})
    assert response.status_code in (200, 204), (url, response.status_code)
    body = response.get_data(as_text=True)
    return ET.fromstring(body) if body else ET.Element("Empty")


def to_a_person_in_spanish(caller: Caller) -> ET.Element:
    caller.call()
    caller.press("2")  # español
    heard = caller.press("1")  # hablar con una persona
    assert "Le comunicamos" in heard
    return caller.dial


def test_a_language_no_advocate_speaks_waits_in_a_conference_named_by_a_random_id(
    make_caller, twilio_standin
):
    caller = make_caller()
    dial = to_a_person_in_spanish(caller)
    [conference] = list(dial)
    assert conference.tag == "Conference"
    room = conference.text or ""
    assert re.fullmatch(r"room-[0-9a-f]{24}", room)  # never a number or a name
    assert conference.get("startConferenceOnEnter") == "false"
    assert conference.get("endConferenceOnExit") == "true"
    assert dial.get("action") == "/voice/dial-result"
    rung = [(c["To"], c["From"]) for c in twilio_standin.calls]
    assert rung == [(n, HOTLINE_NUMBER) for n in ONCALL.split(",")]
    assert all("/voice/interpreter/advocate?room=" + room in c["Url"] for c in twilio_standin.calls)


def test_the_advocate_accepts_the_interpreter_is_dialled_with_digits_and_dropped_after(
    make_caller, twilio_standin
):
    caller = make_caller()
    room = to_a_person_in_spanish(caller).find("Conference").text
    advocate_leg = twilio_standin.calls[0]
    screen = post(
        caller, advocate_leg["Url"], CallSid=advocate_leg["Sid"], Direction="outbound-api"
    )
    gather = screen.find("Gather")
    assert "Press 1 to accept" in "".join(s.text or "" for s in gather.iter("Say"))
    joined = post(caller, gather.get("action"), CallSid=advocate_leg["Sid"], Digits="1")
    conference = joined.find("Dial/Conference")
    assert conference.text == room and conference.get("endConferenceOnExit") == "true"
    [interpreter] = [c for c in twilio_standin.calls if c["To"] == INTERPRETERS]
    assert interpreter["SendDigits"] == "wwww4321#wwww111#"  # PIN, then Spanish's code
    into = post(caller, interpreter["Url"], CallSid=interpreter["Sid"])
    assert into.find("Dial/Conference").text == room
    # a second advocate pressing 1 later is not let in
    other = twilio_standin.calls[1]
    late = post(caller, gather.get("action"), CallSid=other["Sid"], Digits="1")
    assert late.find("Hangup") is not None and late.find("Dial") is None
    # the advocate leaves: the conference ends and the interpreter's call is hung up
    events = conference.get("statusCallback")
    post(caller, events, StatusCallbackEvent="participant-leave", CallSid=advocate_leg["Sid"],
         ConferenceSid="CF" + "2" * 32)  # fmt: skip
    assert ("CF" + "2" * 32, {"Status": "completed"}) in twilio_standin.updates
    assert (interpreter["Sid"], {"Status": "completed"}) in twilio_standin.updates
    after = caller.dial_ends("completed", "300")
    assert "1, 8 8 8, 3 7 3, 7 8 8 8" in after and caller.ended  # the goodbye after a person


def test_when_no_advocate_accepts_the_caller_goes_on_as_unanswered(make_caller, twilio_standin):
    caller = make_caller()
    to_a_person_in_spanish(caller)
    for leg in twilio_standin.calls:
        post(caller, leg["StatusCallback"], CallSid=leg["Sid"], CallStatus="no-answer")
    [(sid, form)] = twilio_standin.updates
    assert sid == caller.sid and form["Url"].endswith("/voice/dial-result?unanswered=1")
    heard = caller._turn(lambda: caller.fetch(form["Url"]))
    assert "Lo siento, nadie pudo contestar" in heard
    assert not [c for c in twilio_standin.calls if c["To"] == INTERPRETERS]


def test_an_advocate_who_speaks_the_language_is_rung_directly(make_caller, redis_client,
                                                                twilio_standin):  # fmt: skip
    add_staff(redis_client, "rosa", languages=("en", "es"), phone="+16175550122")
    caller = make_caller()
    dial = to_a_person_in_spanish(caller)
    assert [n.text for n in dial.iter("Number")] == ONCALL.split(",")
    assert dial.find("Conference") is None and not twilio_standin.calls
