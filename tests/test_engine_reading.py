"""The engine reads messages as people mean them (issue 10), and keeps consent to one
conversation (issue 12 item 2). Pure: the shipped flows, no Flask, Redis or Twilio."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.engine import Engine, Escalate, Event, reading
from hotline.engine.text import fold_digits, keyword_form, words
from hotline.flows import load_hotline

FLOWS = Path(__file__).resolve().parent.parent / "flows"
HOTLINE, _ = load_hotline(FLOWS)
SMS = Engine(HOTLINE, "sms", {"program": "Community Info Line"})
VOICE = Engine(HOTLINE, "voice", {"program": "Community Info Line"})


def says(step) -> list[str]:
    return step.says


def at(engine: Engine, node: str, **vars):
    session = engine.start().session.model_copy(update={"node": node})
    session.vars.update(vars)
    return session


def escalations(step) -> list[Escalate]:
    return [o for o in step.outputs if isinstance(o, Escalate)]


# -- normalising ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "ascii_"),
    [("១៨៥២", "1852"), ("١٢", "12"), ("１２３", "123"), ("۴", "4"), ("०१८५२", "01852")],
)
def test_digits_of_any_script_fold_to_ascii(raw, ascii_):
    assert fold_digits(raw) == ascii_


def test_keywords_ignore_case_spacing_hyphens_and_stretching():
    assert keyword_form("Opt-Out") == keyword_form("opt out") == keyword_form("OPTOUT") == "optout"
    assert keyword_form("STOPPP!!") == "stop"
    assert keyword_form("👍🏽") == "👍"


def test_words_spell_out_contractions_and_mark_clauses():
    assert words("He'll kill me, I'm scared", {"'ll": " will", "'m": " am"}) == [
        "he", "will", "kill", "me", "|", "i", "am", "scared"]  # fmt: skip


# -- what kind of message ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    ["Liked “Reply with a number”", "Loved “911”", "Disliked “ok”", "Laughed at “lol”",
     "Emphasized “Emergency: 911”", "Questioned “Reply YES or NO”", "Le gustó “Hola”",
     "Le encantó “Gracias”", "Reacted 👍 to “Thanks”", "Reaccionó con ❤️ a “Gracias”",
     "Loved an image", "Removed a heart from “hi”", "Liked “Reply with a number…"],
)  # fmt: skip
def test_reactions_are_recognised(text):
    assert SMS.reads(text) == "reaction"


@pytest.mark.parametrize(
    "text", ["I liked what you said", "liked", 'he said "I will kill you"', "loved ones", "2"]
)
def test_messages_that_only_look_like_reactions_are_text(text):
    assert SMS.reads(text) == "text"


def test_emoji_only_is_emoji_and_keypad_keys_are_text():
    assert SMS.reads("🙏🙏") == "emoji" and SMS.reads("*") == "text" and SMS.reads(" ") == "empty"


@pytest.mark.parametrize(
    ("text", "answer"),
    [("yes please", "yes"), ("yes it is safe", "yes"), ("yes, it's safe", "yes"),
     ("yeah", "yes"), ("ok", "yes"), ("sí, es seguro", "yes"), ("claro", "yes"),
     ("👍", "yes"), ("Yes but only after 6pm", "yes"), ("no, not safe", "no"),
     ("no gracias", "no"), ("nope", "no"), ("not now", "no"), ("no es seguro", "no"),
     ("no he reads my phone", "no"), ("maybe", None), ("2", None)],
)  # fmt: skip
def test_yes_and_no_as_people_type_them(text, answer):
    assert reading.yes_no(text, "en", HOTLINE.keywords, HOTLINE.phrasebook) == answer


@pytest.mark.parametrize(
    ("text", "opt_out"),
    [("stop texting me", True), ("Stop sending me messages please", True), ("opt me out", True),
     ("dont text me again", True), ("no more texts", True), ("dejen de escribirme", True),
     ("ya no me manden mensajes", True), ("he won't stop hitting me", False),
     ("stop him", False), ("how do I stop a visa scam", False)],
)  # fmt: skip
def test_opt_out_phrasings_only_when_the_message_is_the_request(text, opt_out):
    assert (HOTLINE.phrasebook.says("opt_out", text, "en") is not None) is opt_out


# -- the flow ----------------------------------------------------------------------------------
def test_free_text_at_a_menu_is_their_own_words_not_did_not_understand():
    step = SMS.step(at(SMS, "main_menu"), Event(text="my boss has not paid me for weeks"))
    assert step.heard == "words" and "Thanks for telling us" in says(step)[0]
    [escalation] = escalations(step)
    assert escalation.escalation == "words" and escalation.answers["own_words"]
    assert step.session.node == "consent_ask"


def test_a_short_unknown_answer_gets_the_reprompt_and_counts_a_retry():
    step = SMS.step(at(SMS, "main_menu"), Event(text="purple"))
    assert step.heard == "invalid" and "did not understand" in says(step)[0]
    assert step.session.retries == 1


def test_a_reaction_changes_nothing_and_counts_no_retry():
    step = SMS.step(at(SMS, "main_menu"), Event(text="Liked “Reply with a number”"))
    assert step.heard == "reaction" and step.session.retries == 0
    assert step.session.node == "main_menu" and not escalations(step)


def test_a_disclosure_raises_the_priority_one_step_and_flags_it():
    event = Event(text="boss has my id", disclosure="disclosure words: has my id")
    step = SMS.step(at(SMS, "main_menu"), event)
    [escalation] = escalations(step)
    assert escalation.priority == 1 and escalation.answers["triage"].startswith("disclosure")


def test_menu_keys_inside_a_short_sentence_and_in_other_scripts():
    assert SMS.step(at(SMS, "main_menu"), Event(text="2 please")).session.node == (
        "ask_safe_to_text"
    )
    assert SMS.step(at(SMS, "main_menu"), Event(text="option 1")).session.node == "ask_where"
    assert SMS.step(at(SMS, "main_menu"), Event(text="៤")).heard == "answer"


@pytest.mark.parametrize("where", ["01852.", "1852", "01852 1234", "018521234", "my zip is 01852"])
def test_zip_answers_go_to_the_resolver_as_typed(where):
    step = SMS.step(at(SMS, "ask_where"), Event(text=where))
    assert step.waiting == "lookup" and step.outputs[-1].where.startswith(("0", "1", "my"))


def test_retries_on_the_way_to_a_person_queue_them_with_consent_not_asked():
    session = at(SMS, "ask_safe_to_text")
    for _ in range(3):
        step = SMS.step(session, Event(text="hmm"))
        session = step.session
    [escalation] = escalations(step)
    assert escalation.escalation == "help" and "safe_to_text" not in escalation.answers


def test_consent_of_an_earlier_conversation_never_reaches_a_new_escalation():
    earlier = at(SMS, None, safe_to_text="yes", safe_time="ANY", escalation="7")
    step = SMS.urgent(earlier, "en", "urgent words: kill me")
    [escalation] = escalations(step)
    assert "safe_to_text" not in escalation.answers and "safe_time" not in escalation.answers
    assert escalation.answers["escalation"] == "7"  # the open conversation is still known
    assert step.session.node == "consent_ask"  # and the urgent path asks for itself


def test_every_path_from_the_menu_starts_without_earlier_answers():
    session = at(SMS, "tip_thanks", safe_to_text="yes", tip_what="x")
    step = SMS.main_menu(session)
    assert "safe_to_text" not in step.session.vars and "tip_what" not in step.session.vars


def test_voice_speech_in_their_own_words_is_put_through_to_a_person():
    step = VOICE.step(
        at(VOICE, "main_menu"), Event(text="I need to talk to somebody about my boss")
    )
    assert step.heard == "words" and step.waiting == "transfer"


def test_silence_at_the_voice_welcome_goes_to_a_person_never_to_goodbye():
    session = VOICE.start().session
    for _ in range(3):
        step = VOICE.step(session, Event(kind="silence"))
        session = step.session
    assert step.waiting == "transfer" and "stay on the line" in " ".join(says(step))
    assert "end this call" not in " ".join(says(step))
