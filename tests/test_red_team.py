"""Issue 10, red-team round 1: unseen inputs of each kind through the real webhooks.

The triage side of the round is a corpus (tests/triage_corpus/heldout/<lang>-redteam.yaml);
here are the kinds that are about the conversation: short messages that ask for a person in
words the menu does not know, danger words short of urgent, and the same asked by voice.
"""

from __future__ import annotations

import pytest

from hotline.escalations import records
from tests.caller import Caller
from tests.escalation_helpers import ask_for_person, only_id
from tests.test_real_messages import NOT_UNDERSTOOD, OWN_WORDS, open_records, texter_lines


@pytest.mark.parametrize(
    "text",
    [
        "real person pls",
        "representative",
        "operator",
        "can u call me back",
        "call me back",
        "caseworker",
    ],
)
def test_a_short_ask_for_a_person_reaches_a_person(texter, redis_client, text):
    texter.send("hi")
    reply = texter.reply(text)
    assert NOT_UNDERSTOOD not in reply and OWN_WORDS in reply
    [record] = open_records(redis_client)
    assert record.kind == "words" and text in texter_lines(redis_client, record.id)


@pytest.mark.parametrize(
    "text",
    [
        "me pueden llamar",
        "operadora",
        "llamenme porfa",
        "con quien hablo",
        "llamame cuando puedas",
        "trabajadora social",
    ],
)
def test_a_short_ask_for_a_person_in_spanish_reaches_a_person(texter, redis_client, text):
    texter.send("hola")
    reply = texter.reply(text)
    assert "no entend" not in reply.lower() and NOT_UNDERSTOOD not in reply
    [record] = open_records(redis_client)
    assert record.kind == "words"


@pytest.mark.parametrize("text", ["halp", "scared", "tengo miedo", "he has a knife?"])
def test_danger_words_short_of_urgent_bring_in_a_person_not_a_reprompt(texter, redis_client, text):
    texter.send("hi")
    reply = texter.reply(text)
    assert NOT_UNDERSTOOD not in reply and "911" in reply
    [record] = open_records(redis_client)
    assert record.kind in ("words", "urgent")
    assert record.priority < 2 and "words:" in record.flag  # raised, and the words shown


def test_a_short_unknown_answer_still_gets_the_short_reprompt(texter, redis_client):
    texter.send("hi")
    assert NOT_UNDERSTOOD in texter.reply("banana")
    assert not open_records(redis_client)


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("1", "representative"),
        ("2", "operadora"),
        ("1", "talk to someone"),
        ("2", "hablar con alguien"),
    ],
)
def test_asking_for_a_person_by_voice_in_one_word_is_put_through(client, key, words):
    caller = Caller(client)
    caller.call()
    caller.press(key)
    heard = caller.say(words)
    assert "not an option" not in heard and "no es una opci" not in heard
    assert "person" in heard or "persona" in heard


@pytest.mark.parametrize("text", ["stop msging me", "stop txting me", "no more txts"])
def test_an_opt_out_in_text_speak_is_honoured(texter, text):
    texter.send("hi")
    assert "unsubscribed" in texter.reply(text)
    assert texter.send("hello") == []  # nothing more until START


def test_danger_words_in_an_open_conversation_raise_its_priority(texter, redis_client):
    ask_for_person(texter)
    escalation_id = only_id(redis_client)
    before = records.load(redis_client, escalation_id).priority
    texter.send("are you still there? he is coming back")  # short of urgent, not nothing
    record = records.load(redis_client, escalation_id)
    assert record.priority == before - 1 and record.flag == "danger words: he is coming"
    assert texter_lines(redis_client, escalation_id)[-1] == "are you still there? he is coming back"
