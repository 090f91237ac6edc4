"""Issue 10 and issue 12 item 2, through the real /sms webhook: what people actually send.

Each issue example is a case here, with unseen inputs of the same kind beside it.
"""

from __future__ import annotations

import pytest

from hotline.escalations import queue, records
from hotline.sessions import decode, sms_session_key
from hotline.store import number_key
from tests.conftest import TEST_SECRET
from tests.escalation_helpers import ask_for_person, only_id
from tests.phone import Texter, message_texts

MENU = "Reply with a number"
MENU_ES = "Responda con un numero"
URGENT = "If you are in danger now, call or text 911"
URGENT_ES = "Si está en peligro ahora, llame al 911"
OWN_WORDS = "Thanks for telling us. Someone from our team can read your message"
NOT_UNDERSTOOD = "did not understand"


def open_records(r) -> list[records.Escalation]:
    return records.load_many(r, r.zrange(records.OPEN, 0, -1))


def texter_lines(r, escalation_id: str) -> list[str]:
    return [e.text for e in records.transcript(r, escalation_id) if e.by == "texter"]


def session_of(r, number: str = "+19785550123"):
    return decode(r.get(sms_session_key(number_key(TEST_SECRET, number))))


# -- 1. free text is a person speaking --------------------------------------------------------
@pytest.mark.parametrize(
    "words",
    [
        "my boyfriend sells me to other men and I cant say no",
        "I work at a nail salon and the owner keeps all my money and my passport",
        "hi I dont really know what this is but my cousin gave me this number",  # unseen
        "el patron no nos paga desde hace meses y no sabemos que hacer",  # unseen, Spanish
    ],
)
def test_long_free_text_at_the_menu_reaches_a_person(texter, redis_client, words):
    texter.send("hi")
    reply = texter.reply(words)
    assert NOT_UNDERSTOOD not in reply and OWN_WORDS in reply and "911" in reply
    assert "safe for our team to text you" in reply  # the same consent step as a person
    [record] = open_records(redis_client)
    assert record.kind in ("words", "urgent")
    assert words in texter_lines(redis_client, record.id)  # their words reach staff


def test_a_disclosure_raises_the_priority_and_shows_staff_the_phrases(texter, redis_client):
    texter.send("hi")
    texter.send("I work at a nail salon and the owner keeps all my money and my passport")
    [record] = open_records(redis_client)
    assert record.kind == "words" and record.priority == 1
    assert record.flag.startswith("disclosure words:") and "keeps" in record.flag
    assert "nail salon" not in record.flag  # lexicon phrases, never the message


def test_a_short_disclosure_reaches_a_person_too(texter, redis_client):
    texter.send("hi")
    assert OWN_WORDS in texter.reply("boss has my passport")
    assert open_records(redis_client)[0].priority == 1


def test_short_unrecognised_answers_keep_the_short_reprompt(texter):
    texter.send("hi")
    assert NOT_UNDERSTOOD in texter.reply("purple")
    assert NOT_UNDERSTOOD in texter.reply("what?")


def test_asking_for_a_person_in_so_many_words_is_taken_to_a_person(texter, redis_client):
    texter.send("hi")
    assert OWN_WORDS in texter.reply("need someone")
    assert open_records(redis_client)


def test_a_first_message_in_their_own_words_reaches_a_person(texter, redis_client):
    reply = texter.reply("my employer keeps my papers and I can never pay the debt")
    assert OWN_WORDS in reply
    assert open_records(redis_client)[0].kind == "words"


def test_consent_answer_after_own_words_belongs_to_that_conversation(texter, redis_client):
    texter.send("hi")
    texter.send("my employer keeps my papers and I can never pay the debt")
    assert "When is it safe" in texter.reply("yes, it's safe")
    texter.send("weekdays after 6pm")
    [record] = open_records(redis_client)
    assert record.consent == "yes" and record.safe_time == "weekdays after 6pm"


# -- 2. danger triage -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "HELP ME",
        "he is hitting me",
        "he will kill my kids",
        "No, he will kill me if he sees this",
        "Please, no! He locked me in the basement",
        "she's choking me",  # unseen
        "they wont let us out of the house",  # unseen
    ],
)
def test_danger_in_english_is_urgent_from_the_menu(texter, redis_client, text):
    texter.send("hi")
    reply = texter.reply(text)
    assert URGENT in reply and "233733" in reply
    assert [r.kind for r in open_records(redis_client)] == ["urgent"]


@pytest.mark.parametrize(
    "text",
    [
        "socorro",
        "auxilio",
        "me violaron",
        "me quiere matar",
        "me está golpeando, tengo miedo",
        "me quitaron el pasaporte",
        "mi pareja me va a ahorcar",  # unseen
    ],
)
def test_danger_in_spanish_is_urgent_and_answered_in_spanish(texter, redis_client, text):
    texter.send("hola")  # an English menu first: the danger is answered in its own language
    first = texter.send(text)[0]  # the urgent text (issue 13 rewords the older Spanish ones)
    assert URGENT_ES in first and "texto al 911" not in first
    assert open_records(redis_client)[0].priority == 1


def test_a_disclosure_split_over_two_texts_is_urgent_at_the_second(texter, redis_client):
    texter.send("hi")
    first = texter.reply("I am scared, my employer took my")
    assert URGENT not in first
    assert URGENT in texter.reply("passport last week and I have nowhere to go")
    [record] = open_records(redis_client)
    lines = texter_lines(redis_client, record.id)
    assert "I am scared, my employer took my" in lines[0]  # the window reached staff too


def test_the_window_forgets_old_messages(texter, redis_client):
    texter.send("hi")
    texter.send("I am scared, my employer took my")
    key = sms_session_key(number_key(TEST_SECRET, "+19785550123"))
    session = session_of(redis_client)
    session.recent = [(at - 3600, text) for at, text in session.recent]  # an hour ago
    from hotline.sessions import encode

    redis_client.set(key, encode(session))
    assert URGENT not in texter.reply("passport last week and I have nowhere to go")


@pytest.mark.parametrize(
    "reaction",
    [
        "Liked “Community Info Line. Reply with a number: Emergency: call or text 911.”",
        "Loved “Emergency: call or text 911. 24/7: 1-888-373-7888”",
        "Emphasized “call or text 911”",
        "Questioned “If you are in danger now, call or text 911”",
        'Laughed at "Reply 2 to talk to a person 911"',
        "Disliked “911”",
        "Le gustó “Emergencia: 911. 24/7: 1-888-373-7888”",
        "Reacted 👍 to “Emergency: call or text 911”",
        "Reacted 😂 to “911 and the 24/7 line”",
    ],
)
def test_reactions_are_never_triaged_and_never_not_understood(texter, redis_client, reaction):
    texter.send("hi")
    reply = texter.reply(reaction)
    assert URGENT not in reply and NOT_UNDERSTOOD not in reply
    assert open_records(redis_client) == []


def test_a_bare_emoji_is_not_a_message_with_no_text(texter):
    texter.send("hi")
    reply = texter.reply("🙏")
    assert "came with no text" not in reply and NOT_UNDERSTOOD not in reply
    assert "Thanks!" in reply


def test_the_hotlines_own_words_pasted_back_do_not_count(texter, redis_client):
    texter.send("hi")
    texter.send("Emergency: call or text 911. 24/7: 1-888-373-7888")
    assert all(r.kind != "urgent" for r in open_records(redis_client))


# -- 3. keywords and answers as people type them ---------------------------------------------
@pytest.mark.parametrize(
    "text",
    ["opt out", "opt-out", "Opt Out", "stop texting me", "Please stop messaging me", "QUIT!",
     "revoke", "unsubscribe me", "dont text me anymore", "dejen de escribirme",
     "no me escriban mas", "darme de baja", "STOPPP"],
)  # fmt: skip
def test_every_way_of_opting_out_is_honoured(texter, text):
    texter.send("hi")
    reply = texter.reply(text)
    assert "no more messages" in reply or "no recibira mas mensajes" in reply
    assert texter.send("hello?") == []


@pytest.mark.parametrize(
    "text",
    ["he won't stop hitting me", "please stop him", "can you tell me how to stop a visa scam",
     "I want to quit my job but they have my passport"],
)  # fmt: skip
def test_a_sentence_that_only_holds_the_word_is_not_an_opt_out(texter, text):
    texter.send("hi")
    assert "no more messages" not in texter.reply(text)


@pytest.mark.parametrize(
    "answer",
    ["yes please", "yes it is safe", "yes, it's safe", "yeah", "ok", "sí, es seguro", "claro",
     "Yep!", "👍", "sure thing"],
)  # fmt: skip
def test_yes_as_people_type_it(texter, answer):
    texter.send("hi")
    texter.send("2")
    assert "When is it safe to text you" in texter.reply(answer)


@pytest.mark.parametrize(
    "answer", ["no, not safe", "no gracias", "nope", "not now", "no es seguro"]
)
def test_no_as_people_type_it(texter, redis_client, answer):
    texter.send("hi")
    texter.send("2")
    assert "We will not text you first" in texter.reply(answer)
    assert open_records(redis_client)[0].consent == "no"


def test_when_retries_run_out_on_the_way_to_a_person_they_are_queued_anyway(texter, redis_client):
    texter.send("hi")
    texter.send("2")
    for _ in range(3):
        texter.send("hmm")
    [record] = open_records(redis_client)
    assert record.kind == "help" and record.consent == ""  # "not asked"


@pytest.mark.parametrize("key", ["១", "١", "１", "۱", "१"])  # Khmer, Arabic-Indic, fullwidth...
def test_digits_in_any_script_choose_from_the_menu(texter, key):
    texter.send("hi")
    assert "ZIP code or town" in texter.reply(key)


@pytest.mark.parametrize(
    "where",
    ["01852.", "1852", "01852 1234", "018521234", "my zip is 01852", "០១៨៥២", "01852-1234",
     "Lowell, MA"],
)  # fmt: skip
def test_zip_codes_as_people_type_them_find_help(texter, where):
    texter.send("hi")
    texter.send("1")
    reply = texter.reply(where)
    assert "5-digit" not in reply and "could not find" not in reply
    assert "Here is what I found" in reply


# -- 4. an open conversation is never cut off ------------------------------------------------
def test_after_menu_free_text_still_reaches_the_advocate(texter, redis_client):
    ask_for_person(texter)
    escalation_id = only_id(redis_client)
    assert MENU in texter.reply("MENU")
    reply = texter.reply("are you still there? he is coming back")
    assert NOT_UNDERSTOOD not in reply and "received" in reply
    assert texter_lines(redis_client, escalation_id)[-1] == "are you still there? he is coming back"


def test_whatever_they_typed_before_a_claimed_conversation_gets_every_message(texter, redis_client):
    ask_for_person(texter)
    escalation_id = only_id(redis_client)
    texter.send("MENU")
    texter.send("1")  # now at the ZIP question
    queue.claim(redis_client, escalation_id, "ana")
    assert texter.send("yes") == []  # to the advocate, not an answer to a question
    assert texter.send("sorry he took my phone") == []
    assert texter_lines(redis_client, escalation_id)[-2:] == ["yes", "sorry he took my phone"]


# -- 5. replies that agree with each other ---------------------------------------------------
def test_out_of_hours_urgent_says_what_is_true(make_app, redis_client):
    texter = Texter(make_app(HOTLINE_STAFFED_HOURS="never").test_client())
    reply = texter.reply("he is going to kill me")
    assert "alerting an advocate now" not in reply
    assert "911" in reply and "1-888-373-7888" in reply and "saved" in reply


def test_in_hours_urgent_says_someone_will_answer(texter):
    reply = texter.reply("he is going to kill me")
    assert "answer here" in reply and "back" not in reply.split("answer here")[0][-40:]


def test_a_wait_estimate_past_an_hour_is_worded_honestly(texter, redis_client):
    redis_client.delete(queue.WAITS)
    for _ in range(5):
        redis_client.lpush(queue.WAITS, 3 * 3600)  # claims have been taking three hours
    reply = texter.reply("can I talk to a person please")
    assert "over an hour" in reply and "180 min" not in reply


# -- 6. keywords are never rate-limited into silence -------------------------------------------
@pytest.mark.parametrize("keyword", ["HELP", "MENU", "STOP", "DELETE", "ESPAÑOL"])
def test_keywords_get_their_answer_after_a_flood(make_app, keyword):
    texter = Texter(make_app(HOTLINE_RATE_LIMIT="3").test_client())
    for body in ("hi", "4", "0", "5", "5", "5"):
        texter.send(body)
    assert texter.send(keyword), keyword


def test_start_is_answered_after_a_flood(make_app):
    texter = Texter(make_app(HOTLINE_RATE_LIMIT="2").test_client())
    texter.send("STOP")
    for _ in range(4):
        texter.send("hello?")
    assert "subscribed again" in texter.reply("START")


def test_a_withheld_reply_says_why_in_development(make_app):
    app = make_app(HOTLINE_RATE_LIMIT="2")
    texter = Texter(app.test_client())
    for _ in range(3):
        texter.send("5")
    response = texter.post(texter.form("5"))
    assert message_texts(response.get_data(as_text=True)) == []
    assert "rate limit" in response.headers["X-Hotline-Withheld"]


# -- 7. pictures -------------------------------------------------------------------------------
def picture(texter, body: str = "", kind: str = "image/jpeg"):
    form = texter.form(body)
    url = "https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME"
    form.update(NumMedia="1", MediaContentType0=kind, MediaUrl0=url)
    return message_texts(texter.post(form).get_data(as_text=True))


def test_a_photo_in_an_open_conversation_is_noted_for_staff_not_fetched(texter, redis_client):
    ask_for_person(texter)
    escalation_id = only_id(redis_client)
    reply = "\n".join(picture(texter))
    assert "cannot see photos" in reply and "in words" in reply
    assert (
        texter_lines(redis_client, escalation_id)[-1] == "[photo received, not shown: image/jpeg]"
    )
    assert not any("api.twilio.com" in str(v) for v in redis_client.keys("*"))


def test_a_photo_at_the_menu_gets_the_menu(texter):
    texter.send("hi")
    reply = "\n".join(picture(texter))
    assert "cannot see photos" in reply and MENU in reply and NOT_UNDERSTOOD not in reply


def test_a_photo_with_words_is_read_for_its_words(texter, redis_client):
    texter.send("hi")
    reply = "\n".join(picture(texter, "he is hitting me"))
    assert URGENT in reply


# -- issue 12, item 2: consent belongs to one conversation --------------------------------------
def resolve(r, escalation_id: str) -> None:
    queue.claim(r, escalation_id, "ana")
    queue.resolve(r, escalation_id, "ana", "connected")


def test_consent_from_an_earlier_conversation_is_not_inherited(texter, redis_client):
    ask_for_person(texter, "yes", "ANY")
    first = only_id(redis_client)
    resolve(redis_client, first)
    reply = texter.reply("he is back, he will kill me if he sees this phone")
    assert URGENT in reply and "safe for our team to text you" in reply
    [urgent] = open_records(redis_client)
    assert urgent.id != first and urgent.consent == "" and urgent.safe_time == ""


def test_the_urgent_path_records_its_own_consent(texter, redis_client):
    texter.reply("he will kill me")
    assert "We will not text you first" in texter.reply("no")
    [record] = open_records(redis_client)
    assert record.kind == "urgent" and record.consent == "no" and record.priority == 1


def test_the_urgent_tip_path_asks_about_texting_back(texter, redis_client):
    for body in ("hi", "3", "a man keeps girls in a van", "Main St, Lowell"):
        texter.send(body)
    reply = texter.reply("yes")  # someone is in danger now
    assert "May staff text you" in reply
    texter.send("no")
    [tip] = open_records(redis_client)
    assert tip.kind == "tip" and tip.priority == 1 and tip.consent == "no"


def test_a_reaction_inside_a_conversation_reaches_staff_without_a_reply(texter, redis_client):
    ask_for_person(texter)
    escalation_id = only_id(redis_client)
    queue.claim(redis_client, escalation_id, "ana")
    assert texter.send("Liked “We can meet you at 5”") == []
    assert texter_lines(redis_client, escalation_id)[-1] == "Liked “We can meet you at 5”"


def test_a_closed_conversation_lets_go_of_its_questions(texter, redis_client):
    texter.reply("he will kill me")  # the urgent path asks about texting back
    resolve(redis_client, only_id(redis_client))
    assert MENU in texter.reply("yes")  # not taken as consent for a closed conversation
    assert open_records(redis_client) == []


def test_a_call_back_consent_is_shown_to_staff_as_safe_to_call(make_app, redis_client):
    from tests.caller import Caller
    from tests.escalation_helpers import add_staff, sign_in

    app = make_app(HOTLINE_STAFFED_HOURS="never")
    caller = Caller(app.test_client())
    caller.call()
    for key in ("1", "1", "1", "1", "4"):  # English, a person, call me back, safe: yes, any time
        caller.press(key)
    [record] = open_records(redis_client)
    assert record.kind == "callback" and record.consent == "yes"
    add_staff(redis_client, "ana", ("en", "es"))
    staff = app.test_client()
    sign_in(staff)
    page = staff.get(f"/staff/e/{record.id}").get_data(as_text=True)
    assert "Safe to call" in page and "Safe to text" not in page
    row = staff.get("/staff/queue.json").get_json()["waiting"][0]
    assert row["consent"] == "Safe to call"
