"""Whole calls, driven the way Twilio drives them: what the caller hears, what Redis holds."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from hotline.escalations import records
from hotline.resources import ensure_index
from hotline.sessions import decode
from tests.caller import Caller

ROOT = Path(__file__).resolve().parent.parent
NATIONAL_SPOKEN = "1, 8 8 8, 3 7 3, 7 8 8 8"
NATIONAL = "+18883737888"
HOTLINE_NUMBER = "+16175550100"
ONCALL = "+16175550111,+16175550122"
OPEN = {"HOTLINE_STAFFED_HOURS": "24/7", "HOTLINE_ONCALL_NUMBERS": ONCALL}
CLOSED = {"HOTLINE_STAFFED_HOURS": "never", "HOTLINE_ONCALL_NUMBERS": ONCALL}


@pytest.fixture()
def caller(client) -> Caller:
    return Caller(client)


def english(caller: Caller) -> Caller:
    caller.call()
    caller.press("1")
    return caller


def build(make_app, **env: str) -> Caller:
    app = make_app(TWILIO_PHONE_NUMBER=HOTLINE_NUMBER, **env)
    return Caller(app.test_client())


def escalations(redis_client) -> list[records.Escalation]:
    ids = redis_client.zrange(records.OPEN, 0, -1)
    return [records.load(redis_client, i) for i in ids]


def ends_safely(text: str, caller: Caller) -> None:
    """Every ending says the 24/7 line and 911, then hangs up (never a silent end)."""
    assert NATIONAL_SPOKEN in text and "9 1 1" in text
    assert caller.ended and caller.hung_up_by == "app"


# -- the first minute --------------------------------------------------------------------------
def test_first_words_say_911_then_relay_then_language_in_each_voice(caller):
    heard = caller.call()
    first_two = ". ".join(heard.split(". ")[:2])
    assert "in danger now, hang up and dial 9 1 1" in first_two
    assert "relay at 7 1 1" in heard and "text this number" in heard
    voices = [(h.language, h.voice) for h in caller.heard]
    assert voices == [
        ("en-US", "Polly.Joanna"),
        ("es-US", "Polly.Lupe"),
        ("pt-BR", "Polly.Camila"),
        ("vi-VN", "Google.vi-VN-Neural2-A"),
        ("en-US", "Polly.Joanna"),  # Haitian Creole and Khmer have no voice: said in English
        ("en-US", "Polly.Joanna"),
    ]
    assert "For English, press 1" in caller.heard[0].text
    assert "For Haitian Creole, press 5" in caller.heard[4].text
    assert "For Khmer, press 6" in caller.heard[5].text
    assert "Para español, oprima 2" in caller.heard[1].text
    assert "Para português, pressione 3" in caller.heard[2].text
    assert "Để nghe tiếng Việt, nhấn 4" in caller.heard[3].text
    for said in caller.heard[1:]:  # every language: 911 first, by phone
        assert "9 1 1" in said.text.split(".")[0]
    gather = caller.gather
    assert gather.get("input") == "dtmf"  # keypad only: not every language has speech
    assert gather.get("numDigits") == "1" and int(gather.get("timeout")) >= 10


def test_english_main_menu_takes_keys_and_english_speech(caller):
    heard = english(caller).transcript()
    assert "To talk to a person, press 1" in heard.split("For English, press 1.")[-1]
    gather = caller.gather
    assert gather.get("input") == "dtmf speech" and gather.get("language") == "en-US"
    assert "help near me" in gather.get("hints") and int(gather.get("timeout")) >= 10
    assert {h.voice for h in caller.heard[-1:]} == {"Polly.Joanna"}


def test_spanish_is_spoken_and_recognised_in_spanish(caller):
    caller.call()
    heard = caller.press("2")
    assert "Para hablar con una persona, oprima 1" in heard
    assert caller.heard[-1].language == "es-US" and caller.heard[-1].voice == "Polly.Lupe"
    assert caller.gather.get("language") == "es-US"
    assert "código postal" in caller.press("2")


def test_portuguese_is_spoken_and_recognised_in_portuguese(caller, redis_client):
    caller.call()
    heard = caller.press("3")
    assert "Para falar com uma pessoa, pressione 1" in heard
    assert caller.heard[-1].language == "pt-BR" and caller.heard[-1].voice == "Polly.Camila"
    assert caller.gather.get("language") == "pt-BR"
    assert "código postal de 5 números" in caller.say("ajuda perto")
    heard = caller.press("01852#")
    assert "Ligue para 8 8 8, 3 7 3, 7 8 8 8" in heard and "Há mais ajuda perto de você" in heard
    assert "ligue 9 1 1" in caller.heard[-1].text  # the menu after the results


def test_vietnamese_is_spoken_and_recognised_in_vietnamese(caller):
    caller.call()
    heard = caller.press("4")
    assert "Để nói chuyện với một người, nhấn 1" in heard
    assert caller.heard[-1].language == "vi-VN"
    assert caller.heard[-1].voice == "Google.vi-VN-Neural2-A"
    assert caller.gather.get("language") == "vi-VN"
    assert "mã ZIP 5 số" in caller.say("giúp đỡ")
    assert "Gọi số 8 8 8, 3 7 3, 7 8 8 8" in caller.press("01852#")


def test_language_key_switches_from_anywhere(caller):
    english(caller)
    caller.press("2")  # the ZIP question
    heard = caller.press("8")
    assert "For English, press 1." in heard and "Para español, oprima 2." in heard
    assert caller.gather.get("input") == "dtmf"
    assert "Para hablar con una persona" in caller.press("2")


def test_saying_espanol_opens_the_language_menu(caller):
    english(caller)
    assert "Para español, oprima 2" in caller.say("Español.")


# -- no input, wrong input -----------------------------------------------------------------------
def test_silence_reprompts_twice_then_offers_a_person_then_ends_with_the_lines(caller):
    english(caller)
    first = caller.silence()
    assert first.startswith("We did not hear anything") and "To talk to a person, press 1" in first
    assert caller.silence().startswith("We did not hear anything")
    offer = caller.silence()
    assert "To talk to a person, press 1 or 0" in offer
    goodbye = caller.silence()
    ends_safely(goodbye, caller)
    assert "call us back any time" in goodbye and "2 3 3 7 3 3" in goodbye


def test_silence_at_the_welcome_keeps_relay_callers_on_the_line_to_a_person(make_app):
    caller = build(make_app, **OPEN)  # the welcome says: relay operators, stay on the line
    caller.call()
    assert "We did not hear a key" in caller.silence()
    caller.silence()
    heard = caller.silence()
    assert "stay on the line" in heard and "We will end this call" not in heard
    assert [n.text for n in caller.dial.iter("Number")] == ONCALL.split(",")
    heard = caller.dial_ends("no-answer")  # nobody picked up: the 24/7 line, not a hang-up
    assert [n.text for n in caller.dial.iter("Number")] == [NATIONAL]


def test_silence_at_the_welcome_out_of_hours_goes_to_the_national_line(make_app):
    caller = build(make_app, **CLOSED)
    caller.call()
    caller.silence()
    caller.silence()
    heard = caller.silence()
    assert "No advocate is on duty right now" in heard and "We will end this call" not in heard
    assert [n.text for n in caller.dial.iter("Number")] == [NATIONAL]
    ends_safely(caller.dial_ends("no-answer"), caller)


def test_invalid_key_says_not_an_option_and_repeats_the_menu(caller):
    english(caller)
    heard = caller.press("7")
    assert heard.startswith("Sorry, that is not an option.")
    assert "To talk to a person, press 1" in heard
    assert not caller.ended


def test_unrecognised_speech_is_treated_like_an_invalid_key(caller):
    english(caller)
    assert caller.say("purple elephants").startswith("Sorry, that is not an option.")


def test_star_goes_back_to_the_main_menu(caller):
    english(caller)
    caller.press("4")
    assert "To talk to a person, press 1" in caller.press("*")


# -- 2. help near me -------------------------------------------------------------------------------
@pytest.fixture()
def directory(redis_client):
    ensure_index(redis_client, ROOT / "data")


def test_zip_reads_out_lowell_resources_digit_by_digit(caller, directory):
    english(caller)
    ask = caller.press("2")
    assert "5-digit ZIP code" in ask and "pound" in ask
    assert caller.gather.get("numDigits") == "5" and caller.gather.get("finishOnKey") == "#"
    heard = caller.press("01852#")
    assert heard.startswith("1. ")
    assert "Lowell" in heard and "8 0 0, 5 4 2, 5 2 1 2" in heard  # numbers digit by digit, grouped
    assert "To hear this again, press 9" in heard
    results = caller.heard[-2]  # the read-out is outside the Gather: no stray key cuts it off
    assert results.text.startswith("1. ")
    assert caller.documents[-1][0].tag == "Say"


def test_nine_repeats_the_same_places_and_star_goes_back(caller, directory):
    english(caller)
    caller.press("2")
    first = caller.press("01852")
    assert caller.press("9") == first
    more = caller.press("1")
    assert more.startswith("4. ") and caller.press("9") == more
    assert "To talk to a person, press 1" in caller.press("*")


def test_spoken_zip_code_is_understood(caller, directory):
    english(caller)
    caller.press("2")
    assert caller.say("0 1 8 5 2.").startswith("1. ")


def test_short_zip_is_not_a_zip(caller):
    english(caller)
    caller.press("2")
    heard = caller.press("123#")
    assert heard.startswith("Sorry, that is not a 5-digit ZIP code.")
    assert "Please enter the 5-digit ZIP code" in heard


def test_unknown_zip_asks_again(caller, directory):
    english(caller)
    caller.press("2")
    heard = caller.press("00000")
    assert "could not find that ZIP code" in heard and "Please enter the 5-digit" in heard


def test_zip_outside_massachusetts_gets_the_national_lines(caller, directory):
    english(caller)
    caller.press("2")
    heard = caller.press("90210")
    assert "outside Massachusetts" in heard and "8 8 8, 3 7 3, 7 8 8 8" in heard


# -- 1. talk to a person -----------------------------------------------------------------------
def test_in_hours_the_oncall_advocates_ring_with_the_hotline_caller_id(make_app):
    caller = build(make_app, **OPEN)
    english(caller)
    heard = caller.press("1")
    assert "Connecting you to an advocate" in heard
    dial = caller.dial
    assert [n.text for n in dial.iter("Number")] == ONCALL.split(",")
    assert dial.get("callerId") == HOTLINE_NUMBER and int(dial.get("timeout")) >= 15
    assert all(n.get("url") == "/voice/screen" for n in dial.iter("Number"))


def test_answered_and_accepted_call_ends_with_the_lines(make_app):
    caller = build(make_app, **OPEN)
    english(caller)
    caller.press("1")
    assert "Press 1 to accept" in caller.advocate_answers(accept=True)
    ends_safely(caller.dial_ends("completed", "300"), caller)


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed"])
def test_no_answer_in_hours_offers_callback_or_national_line(make_app, status):
    caller = build(make_app, **OPEN)
    english(caller)
    caller.press("1")
    heard = caller.dial_ends(status)
    assert heard.startswith("Sorry, no advocate could answer right now.")
    assert (
        "call you back, press 1" in heard and "National Human Trafficking Hotline, press 2" in heard
    )


def test_voicemail_or_declined_screen_is_not_an_answer(make_app):
    caller = build(make_app, **OPEN)
    english(caller)
    caller.press("1")
    caller.advocate_answers(accept=False)
    assert "no advocate could answer" in caller.dial_ends("completed", "20")


def test_out_of_hours_no_dial_and_the_choices(make_app):
    caller = build(make_app, **CLOSED)
    english(caller)
    heard = caller.press("0")  # 0 reaches a person from any menu
    assert heard.startswith("Our advocates are not available right now.")
    assert caller.waiting.verb == "Gather"


def test_no_oncall_numbers_means_closed(make_app):
    caller = build(make_app, HOTLINE_STAFFED_HOURS="24/7", HOTLINE_ONCALL_NUMBERS="")
    english(caller)
    assert "not available right now" in caller.press("1")


def test_out_of_hours_transfer_to_the_national_line(make_app):
    caller = build(make_app, **CLOSED)
    english(caller)
    caller.press("1")
    heard = caller.press("2")
    assert "Connecting you to the 24/7 National Human Trafficking Hotline" in heard
    assert [n.text for n in caller.dial.iter("Number")] == [NATIONAL]
    assert caller.dial.get("callerId") == HOTLINE_NUMBER
    ends_safely(caller.dial_ends("completed"), caller)


def test_callback_with_consent_becomes_a_callback_escalation(make_app, redis_client):
    caller = build(make_app, **CLOSED)
    english(caller)
    caller.press("1")
    assert "safe for us to call you back" in caller.press("1")
    assert "When is it safe to call you" in caller.press("1")
    heard = caller.press("3")
    ends_safely(heard, caller)
    assert "will call you back from this hotline's number" in heard
    [record] = escalations(redis_client)
    assert record.kind == "callback" and record.safe_time == "evening"
    assert record.language == "en"


def test_callback_by_speech_in_spanish(make_app, redis_client):
    caller = build(make_app, **CLOSED)
    caller.call()
    caller.press("2")
    caller.press("1")
    caller.say("Llámenme")
    caller.say("Sí.")
    heard = caller.say("por la tarde")
    assert "le llamará" in heard
    [record] = escalations(redis_client)
    assert record.kind == "callback" and record.safe_time == "afternoon"


def test_callback_by_speech_in_portuguese_and_vietnamese(make_app, redis_client):
    app = make_app(TWILIO_PHONE_NUMBER=HOTLINE_NUMBER, **CLOSED)
    for key, words, said, number in (
        ("3", ("me liguem", "sim", "à noite"), "vai ligar de volta", "+19785550141"),
        ("4", ("gọi lại", "có", "buổi tối"), "sẽ gọi lại cho bạn", "+19785550142"),
    ):
        caller = Caller(app.test_client(), number=number)
        caller.call()
        caller.press(key)
        caller.press("1")
        for word in words[:-1]:
            caller.say(word)
        heard = caller.say(words[-1])
        assert said in heard and "9 1 1" in heard
    records_ = escalations(redis_client)
    assert sorted(r.language for r in records_) == ["pt", "vi"]
    assert {r.kind for r in records_} == {"callback"} and {r.safe_time for r in records_} == {
        "evening"
    }


def test_no_consent_means_no_callback(make_app, redis_client):
    caller = build(make_app, **CLOSED)
    english(caller)
    caller.press("1")
    caller.press("1")
    heard = caller.press("2")
    assert heard.startswith("Understood. We will not call you.")
    assert escalations(redis_client) == []
    assert redis_client.zcard(records.OPEN) == 0


def test_silence_at_the_consent_question_is_not_consent(make_app, redis_client):
    caller = build(make_app, **CLOSED)
    english(caller)
    caller.press("1")
    caller.press("1")
    assert "We will not call you unless you press 1" in caller.silence()
    caller.silence()
    ends_safely(caller.silence(), caller)
    assert escalations(redis_client) == []


# -- 3, 4, 5 --------------------------------------------------------------------------------------
def test_report_path_says_911_and_offers_a_person_or_the_national_line(caller):
    english(caller)
    heard = caller.press("3")
    assert "If anyone is in danger right now, hang up and dial 9 1 1" in heard
    assert "2 3 3 7 3 3" in heard
    caller.press("2")
    assert [n.text for n in caller.dial.iter("Number")] == [NATIONAL]


def test_signs_and_rights_then_nine_repeats(caller):
    english(caller)
    heard = caller.press("4")
    assert "not free to leave" in heard and "whatever your immigration status" in heard
    assert "not free to leave" in caller.press("9")


def test_national_line_busy_says_its_number_and_returns_to_the_menu(caller):
    english(caller)
    assert "Connecting you to the 24/7" in caller.press("5")
    heard = caller.dial_ends("busy")
    assert NATIONAL_SPOKEN in heard and "9 1 1" in heard
    assert "To talk to a person, press 1" in heard


# -- signatures, state, failure ------------------------------------------------------------
@pytest.mark.parametrize("path", ["/voice", "/voice/step", "/voice/dial-result", "/voice/status"])
def test_unsigned_or_badly_signed_requests_are_refused(caller, path):
    assert caller.post(path, caller.form(), signature=None).status_code == 403
    assert caller.post(path, caller.form(), signature="bm90IGEgc2lnbmF0dXJl").status_code == 403


def test_call_state_is_keyed_by_callsid_with_a_ttl_and_no_number(caller, redis_client):
    english(caller)
    caller.press("2")
    caller.press("01852")
    key = f"hotline:voice:call:{caller.sid}"
    assert 0 < redis_client.ttl(key) <= 4 * 3600
    raw = redis_client.get(key)
    assert "voice" not in raw and "01852" not in raw  # sealed at rest
    state = decode(raw)
    assert state.language == "en" and state.flow == "voice"
    everything = " ".join(redis_client.keys("*")) + " ".join(
        redis_client.get(k) or ""
        for k in redis_client.keys("*")
        if redis_client.type(k) == "string"
    )
    assert "9785550123" not in everything


def test_status_callback_records_how_the_call_ended_and_forgets_it(caller, redis_client):
    english(caller)
    caller.hang_up("completed", "37")
    assert redis_client.get(f"hotline:voice:call:{caller.sid}") is None
    stats = redis_client.hgetall("hotline:voice:stats")
    assert stats == {"status:completed": "1", "last_node:main_menu": "1"}
    [ended] = [json.loads(x) for x in redis_client.lrange("hotline:voice:ended", 0, -1)]
    assert ended["duration"] == 37 and ended["node"] == "main_menu" and ended["language"] == "en"


def test_a_lost_session_starts_again_instead_of_failing(caller, redis_client):
    english(caller)
    redis_client.delete(f"hotline:voice:call:{caller.sid}")
    assert "in danger now, hang up and dial 9 1 1" in caller.press("1")


def test_redis_down_answers_911_and_dials_the_national_line(make_app, tmp_path):
    app = make_app(REDIS_URL=f"unix://{tmp_path}/nothing-here.sock")
    caller = Caller(app.test_client())
    heard = caller.call()
    assert "9 1 1" in heard and NATIONAL_SPOKEN in heard
    assert [n.text for n in caller.dial.iter("Number")] or caller.dial.text == NATIONAL
    assert (caller.dial.text or "").strip() == NATIONAL


def test_logs_hold_no_number_zip_or_speech(caller, directory, caplog):
    caplog.set_level(logging.DEBUG)
    english(caller)
    caller.say("help near me")
    caller.press("01852")
    text = caplog.text
    assert "9785550123" not in text and "01852" not in text and "help near me" not in text


def test_audio_is_served_with_cache_headers(make_app, tmp_path):
    folder = tmp_path / "res" / "audio" / "en"
    folder.mkdir(parents=True)
    for data in (ROOT / "data").iterdir():  # the app also loads the directory from here
        if data.name != "audio":
            (tmp_path / "res" / data.name).symlink_to(data)
    (folder / "hello.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt ")  # a header, for the route
    client = make_app(HOTLINE_RESOURCES_DIR=str(tmp_path / "res")).test_client()
    response = client.get("/voice/audio/en/hello.wav")
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    assert "max-age=86400" in response.headers["Cache-Control"]
    assert client.get("/voice/audio/en/..%2F..%2Fsecret.wav").status_code == 404
    assert client.get("/voice/audio/xx/hello.wav").status_code == 404


# -- issue 10: what voice says agrees with what is true ---------------------------------------
def test_urgent_speech_out_of_hours_says_what_is_true(make_app, redis_client):
    caller = build(make_app, **CLOSED)
    english(caller)
    heard = caller.say("he is going to kill me")
    assert "alerting an advocate" not in heard
    assert "No advocate is on duty right now" in heard and "saved a note of your call" in heard
    assert "press 2" in heard  # the 24/7 line is one key away
    assert [e.kind for e in escalations(redis_client)] == ["urgent"]


def test_speech_in_their_own_words_is_put_through_to_a_person(make_app):
    caller = build(make_app, **OPEN)
    english(caller)
    heard = caller.say("I need to talk to somebody about my boss and my papers")
    assert "Sorry, that is not an option" not in heard and "put you through" in heard
    assert [n.text for n in caller.dial.iter("Number")] == ONCALL.split(",")
