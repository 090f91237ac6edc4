"""Calls in Portuguese and Vietnamese (text-to-speech, speech input), and Khmer and Haitian
Creole (no voice at Twilio: a person with an interpreter), walked as Twilio walks TwiML
(issue 15 item 3)."""

from __future__ import annotations

import pytest

from tests.caller import Caller
from tests.escalation_helpers import add_staff

HOTLINE_NUMBER = "+16175550100"
ONCALL = "+16175550111"
NATIONAL = "+18883737888"
INTERPRETERS = "+18005550199"


def build(make_app, **env: str) -> Caller:
    settings = {"TWILIO_PHONE_NUMBER": HOTLINE_NUMBER, "HOTLINE_STAFFED_HOURS": "24/7",
                "HOTLINE_ONCALL_NUMBERS": ONCALL, **env}  # fmt: skip
    return Caller(make_app(**settings).test_client())


@pytest.mark.parametrize(
    ("key", "voice", "say", "speech", "model", "zip_words"),
    [
        ("3", "Polly.Camila", "pt-BR", "pt-BR", "phone_call", "código postal"),
        ("4", "Google.vi-VN-Neural2-A", "vi-VN", "vi-VN", "experimental_utterances", "mã ZIP"),
    ],
)
def test_a_call_walks_in_portuguese_and_vietnamese(
    make_app, shipped, key, voice, say, speech, model, zip_words
):
    caller = build(make_app)
    welcome = caller.call()
    assert ("For Khmer, press 6" in welcome) and ("For Haitian Creole, press 5" in welcome)
    spoken = {(h.language, h.voice) for h in caller.heard}
    assert (say, voice) in spoken
    assert caller.gather.get("input") == "dtmf"  # the first language menu is keypad only
    caller.press(key)
    assert caller.heard[-1].voice == voice and caller.heard[-1].language == say
    gather = caller.gather
    assert gather.get("input") == "dtmf speech"
    assert gather.get("language") == speech and gather.get("speechModel") == model
    assert zip_words in caller.press("2")
    results = caller.say("0 1 8 5 2")  # a ZIP code said aloud
    assert results and caller.heard[-1].language == say
    assert "9 7 8" in results or "8 0 0" in results or "6 1 7" in results  # numbers digit by digit
    assert caller.press("*")  # back to the menu, in the same language
    assert caller.heard[-1].voice == voice


def test_khmer_reaches_the_interpreter_conference(make_app, monkeypatch, twilio_standin,
                                                  redis_client):  # fmt: skip
    monkeypatch.setenv("TWILIO_API_BASE_URL", twilio_standin.url)
    add_staff(redis_client, "ana", languages=("en", "es"), phone=ONCALL)
    caller = build(
        make_app, TWILIO_ACCOUNT_SID="AC" + "1" * 32, HOTLINE_INTERPRETER_NUMBER=INTERPRETERS,
        HOTLINE_INTERPRETER_PIN="4321", HOTLINE_INTERPRETER_CODES="km=123,ht=456",
    )  # fmt: skip
    caller.call()
    heard = caller.press("6")  # Khmer
    assert "connecting you to an advocate and an interpreter" in heard
    assert caller.heard[-1].language == "en-US"  # no Khmer voice: said in English
    room = caller.dial.find("Conference").text
    [advocate] = twilio_standin.calls
    assert advocate["To"] == ONCALL
    leg = {"CallSid": advocate["Sid"]}
    screen = caller.post(advocate["Url"], {**caller.form(), **leg})
    accept = screen.get_data(as_text=True).split('action="', 1)[1].split('"', 1)[0]
    joined = caller.post(accept.replace("&amp;", "&"), {**caller.form(), **leg, "Digits": "1"})
    assert f">{room}</Conference>" in joined.get_data(as_text=True)
    [interpreter] = [c for c in twilio_standin.calls if c["To"] == INTERPRETERS]
    assert interpreter["SendDigits"] == "wwww4321#wwww123#"  # Khmer's code


def test_haitian_creole_without_an_interpreter_goes_to_the_national_line(make_app):
    caller = build(make_app)  # no interpreter service configured
    caller.call()
    heard = caller.press("5")
    assert "The 24/7 national hotline has interpreters" in heard
    assert [n.text for n in caller.dial.iter("Number")] == [NATIONAL]


def test_out_of_hours_khmer_goes_to_the_national_line(make_app):
    caller = build(make_app, HOTLINE_STAFFED_HOURS="never", HOTLINE_INTERPRETER_CODES="km=123",
                   HOTLINE_INTERPRETER_NUMBER=INTERPRETERS)  # fmt: skip
    caller.call()
    caller.press("6")
    assert [n.text for n in caller.dial.iter("Number")] == [NATIONAL]
