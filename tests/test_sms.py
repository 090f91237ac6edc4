"""The SMS webhook as a texter meets it: menus, keywords, retries, signatures, bad input."""

from __future__ import annotations

import time

import pytest

from tests.phone import PUBLIC_URL, Texter, message_texts, new_sid

NATIONAL = "1-888-373-7888"


def test_first_message_gets_the_menu_with_emergency_numbers(texter):
    reply = texter.reply("hi")
    assert reply.startswith("Community Info Line. Reply with a number")
    assert "1 Help near me" in reply and "2 Talk to a person" in reply
    assert "911" in reply and NATIONAL in reply


def test_menu_choice_leads_to_the_question(texter):
    texter.send("hello")
    assert "ZIP code or town" in texter.reply("1")


def test_invalid_answer_reprompts_with_911(texter):
    texter.send("hello")
    reply = texter.reply("purple")
    assert "did not understand" in reply and "911" in reply


@pytest.mark.parametrize(
    "word",
    [
        "STOP",
        "stop",
        "  Stop!! ",
        "StopAll",
        "unsubscribe",
        "CANCEL",
        "end",
        "quit",
        "revoke",
        "optout",
        "parar",
    ],
)
def test_every_opt_out_word_confirms_once_then_silence(texter, redis_client, word):
    texter.send("hello")
    confirmation = texter.reply(word)
    assert "no more messages" in confirmation or "no recibira mas mensajes" in confirmation
    assert "Community Info Line" in confirmation
    assert texter.send("hello?") == []
    assert texter.send("1") == []
    optouts = redis_client.keys("hotline:optout:*")
    assert len(optouts) == 1 and redis_client.ttl(optouts[0]) == -1  # kept without expiry


def test_an_opted_out_texter_who_writes_danger_words_still_gets_911_and_the_24_7_line(
    texter, redis_client
):
    texter.send("hello")
    texter.send("STOP")
    assert texter.send("where are you") == []
    answer = " ".join(texter.send("he is going to kill me"))
    assert "911" in answer and "1-888-373-7888" in answer
    assert not redis_client.zcard("hotline:esc:open")  # nothing queued for a number that opted out
    assert texter.send("ok thanks") == []  # still opted out: silence again
    assert redis_client.keys("hotline:optout:*")


def test_stop_inside_a_sentence_is_not_a_keyword(texter):
    texter.send("hello")
    reply = texter.reply("please stop him")
    assert "no more messages" not in reply


@pytest.mark.parametrize("word", ["START", "yes", "Unstop"])
def test_opt_in_words_resubscribe_and_show_the_menu(texter, word):
    texter.send("STOP")
    reply = texter.reply(word)
    assert "subscribed again" in reply
    assert "Reply with a number" in reply
    assert texter.send("hello")  # answered again


def test_yes_is_an_ordinary_answer_when_not_opted_out(texter):
    texter.send("hello")
    assert "safe for an advocate to text you" in texter.reply("2")
    reply = texter.reply("YES")
    assert "subscribed" not in reply
    assert "When is it safe to text you" in reply


@pytest.mark.parametrize("word", ["HELP", "help", "Info."])
def test_help_gives_ctia_content_and_leads_into_the_conversation(texter, word):
    reply = texter.reply(word)
    for needed in (
        "Community Info Line",
        "Msg&data rates may apply",
        "Reply STOP to cancel",
        "911",
        "talk to a person",
        "Reply with a number",
    ):
        assert needed in reply


def test_help_in_spanish_switches_language(texter):
    reply = texter.reply("Ayuda")
    assert "Responda STOP para cancelar" in reply and "Responda con un numero" in reply


@pytest.mark.parametrize("word", ["MENU", "0", "menú"])
def test_menu_keyword_returns_to_the_main_menu_from_anywhere(texter, word):
    texter.send("hello")
    texter.send("3")
    assert "Reply with a number" in texter.reply(word)


def test_language_keyword_switches_to_spanish_and_back(texter):
    texter.send("hello")
    reply = texter.reply("ESPAÑOL")
    assert "Listo, español." in reply and "Responda con un numero" in reply
    assert "código postal" in texter.reply("1")
    assert "Reply with a number" in texter.reply("english")


def test_spanish_via_the_language_menu(texter):
    texter.send("hola")
    texter.send("6")
    reply = texter.reply("2")
    assert "Responda con un numero" in reply
    assert "¿Qué vio?" in texter.reply("3")


def test_same_message_sid_twice_gives_same_reply_and_changes_state_once(texter, redis_client):
    texter.send("hello")
    sid = new_sid()
    first = texter.send("2", sid=sid)
    second = texter.send("2", sid=sid)
    assert first == second and "safe for an advocate" in first[0]
    # Had "2" been applied twice, it would now be an invalid answer to the yes/no question.
    assert "When is it safe" in texter.reply("yes")


def test_bad_signature_gets_403_and_changes_nothing(texter, redis_client):
    before = set(redis_client.keys("*"))
    form = texter.form("hello")
    assert texter.post(form, signature="not-a-signature").status_code == 403
    assert texter.post(form, signature=None).status_code == 403
    forged = Texter(texter.client, token="wrong-token")
    assert forged.post(forged.form("hello")).status_code == 403
    assert set(redis_client.keys("*")) == before


def test_signature_is_checked_against_the_public_url(texter):
    from hotline.channels.twilio_auth import sign

    form = texter.form("hello")
    wrong_url = sign("http://localhost/sms", form, "test-auth-token")
    assert texter.post(form, signature=wrong_url).status_code == 403
    assert (
        texter.post(form, signature=sign(PUBLIC_URL + "/sms", form, "test-auth-token")).status_code
        == 200
    )


def test_session_expires_after_its_ttl(make_app, redis_client):
    texter = Texter(make_app(HOTLINE_SESSION_TTL="1").test_client())
    texter.send("hello")
    assert "ZIP code or town" in texter.reply("1")
    time.sleep(1.6)
    assert "Reply with a number" in texter.reply("01852")  # a new conversation, not a lookup


def test_sessions_are_keyed_by_a_keyed_hash_never_the_number(texter, redis_client):
    texter.send("hello")
    texter.send("1")
    keys = redis_client.keys("*")
    assert keys
    for k in keys:
        assert "5550123" not in k
        value = redis_client.get(k) if redis_client.type(k) == "string" else ""
        assert "5550123" not in (value or "")


@pytest.mark.parametrize(
    "body",
    [
        "",
        " ",
        "x" * 1600,
        "x" * 5000,
        "🙂🙏🏽 ayuda",
        "\x00\x07\x1b[31m",
        "<Response><Say>hi</Say>",
        "]]><script>alert(1)</script>",
        "&amp; &lt;",
        "\u202e\u200b",
    ],
)
def test_untrusted_bodies_are_answered_without_error(texter, body):
    texter.send("hello")
    texts = texter.send(body)
    assert texts, "a message from a subscribed texter always gets an answer"
    assert all("911" in t or "Reply" in t for t in texts)


def test_empty_message_is_silence_with_a_reprompt(texter):
    texter.send("hello")
    assert "came with no text" in texter.reply("")


def test_tip_is_recorded_for_staff(texter, redis_client):
    texter.send("hello")
    texter.send("3")
    texter.send("Two women never leave the shop")
    texter.send("Main St, Lowell")
    assert "YES or NO" in texter.reply("no")
    reply = texter.reply("no")
    assert "Staff will review your report" in reply and "233733" in reply
    assert redis_client.zcard("hotline:esc:open") == 1


def test_healthz_names_a_missing_worker_and_is_ok_once_one_ran(app, client):
    from tests.escalation_helpers import run_jobs

    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["redis"] == "ok" and body["worker"] == "not seen"
    assert any("worker" in problem for problem in body["problems"])
    assert client.get("/livez").status_code == 200 and client.get("/readyz").status_code == 200
    run_jobs(app)  # a real worker, in burst mode: it registers and heartbeats
    response = client.get("/healthz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"status": "ok", "redis": "ok", "worker": "ok"}


def test_twiml_is_built_and_escaped(texter):
    texter.send("hello")
    texter.send("3")
    response = texter.post(texter.form("<b>bold</b> & more"))
    assert message_texts(response.get_data(as_text=True))  # parses as XML
