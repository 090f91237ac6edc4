"""Engine additions for voice: transfer nodes, global options, option vars, repeat, keypad keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from hotline.engine import Connect, Engine, Event, Hotline, Transfer
from hotline.engine.lint import lint
from hotline.flows import load_hotline

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def hotline() -> Hotline:
    loaded, _ = load_hotline(ROOT / "flows")
    return loaded


@pytest.fixture()
def eng(hotline) -> Engine:
    return Engine(hotline, "voice", {"program": "Community Info Line"})


def at(eng: Engine, node: str, language: str = "en"):
    return eng.goto(eng.start(language).session, node).session


def key(eng: Engine, session, text: str):
    return eng.step(session, Event(kind="text", text=text))


def test_transfer_asks_the_channel_first_and_says_nothing(eng):
    step = eng.goto(eng.start("en").session, "oncall_transfer")
    assert step.waiting == "transfer" and step.says == []
    assert step.outputs == [Transfer(node="oncall_transfer", to="oncall", language="en")]
    assert step.session.pending == "oncall_transfer"


def test_open_transfer_says_connecting_then_dials(eng):
    session = eng.goto(eng.start("en").session, "oncall_transfer").session
    step = eng.step(session, Event(kind="transfer_result", result="open"))
    assert step.waiting == "dial" and step.says[0].startswith("Connecting you to an advocate")
    assert step.outputs[-1] == Connect(node="oncall_transfer", to="oncall")


@pytest.mark.parametrize(
    ("result", "said", "lands"),
    [
        ("closed", "Our advocates are not available", "unanswered_menu"),
        ("no_answer", "Sorry, no advocate could answer", "unanswered_menu"),
        ("answered", "Thank you for calling", None),
    ],
)
def test_transfer_results(eng, result, said, lands):
    session = eng.goto(eng.start("en").session, "oncall_transfer").session
    if result != "closed":
        session = eng.step(session, Event(kind="transfer_result", result="open")).session
    step = eng.step(session, Event(kind="transfer_result", result=result))
    assert step.says[0].startswith(said)
    assert step.session.node == lands and step.session.pending is None
    assert step.waiting == ("end" if lands is None else "input")


def test_global_options_work_at_menus_and_questions(eng):
    assert key(eng, at(eng, "ask_zip"), "*").session.node == "main_menu"
    assert key(eng, at(eng, "callback_time"), "8").session.node == "language_menu"
    assert key(eng, at(eng, "info_menu"), "0").waiting == "transfer"


def test_a_zip_is_still_an_answer_where_globals_exist(eng):
    step = key(eng, at(eng, "ask_zip"), "01852")
    assert step.waiting == "lookup" and step.session.vars["where"] == "01852"


def test_keypad_star_and_pound_are_answers_not_silence(eng):
    assert key(eng, at(eng, "main_menu"), "#").says[0] == "Sorry, that is not an option."
    assert key(eng, at(eng, "main_menu"), "  ").says[0].startswith("We did not hear anything")


def test_option_set_records_answers_for_staff(eng):
    step = key(eng, at(eng, "callback_consent"), "1")
    assert step.session.vars["callback_consent"] == "yes"
    step = key(eng, step.session, "4")
    assert step.session.vars["safe_time"] == "any"
    [escalate] = [o for o in step.outputs if o.kind == "escalate"]
    assert escalate.escalation == "callback" and escalate.answers["safe_time"] == "any"


def test_repeat_keeps_the_page_and_more_turns_it(eng):
    session = at(eng, "after_results")
    session.vars.update(where="01852", page=2)
    assert key(eng, session, "9").outputs[-1].page == 2
    assert key(eng, session, "1").outputs[-1].page == 3


def test_render_speaks_a_node_in_another_language(eng):
    session = eng.start("en").session
    assert eng.render(session, "language_menu", "text", "es").text == "Para español, oprima 2."


def _flow(**changes) -> dict:
    flow = {
        "id": "voice",
        "channel": "voice",
        "start": "menu",
        "main_menu": "menu",
        "global_options": [{"key": "*", "next": "menu"}],
        "nodes": {
            "menu": {
                "kind": "menu",
                "text": {"en": "Press 1."},
                "invalid": {"en": "No."},
                "silence": {"en": "Nothing."},
                "options": [{"key": "1", "next": "bye"}],
            },
            "bye": {"kind": "end", "text": {"en": "Bye. 9 1 1."}},
        },
    }
    flow.update(changes)
    return flow


def _hotline(flow: dict) -> Hotline:
    words = {"en": ["X"]}
    keywords = {k: words for k in ("opt_out", "opt_in", "help", "menu", "yes", "no")}
    return Hotline.model_validate(
        {
            "default_language": "en",
            "languages": {
                "en": {"name": "English", "voice": {"key": "1", "say_language": "en-US"}}
            },
            "keywords": keywords,
            "flows": {flow["id"]: flow},
        }
    )


def test_lint_accepts_the_small_flow():
    assert lint(_hotline(_flow())) == []


def test_lint_flags_a_global_option_to_nowhere_and_a_hidden_key():
    flow = _flow(global_options=[{"key": "1", "next": "nowhere"}])
    messages = [str(p) for p in lint(_hotline(flow))]
    assert any("global_options.0.next: unknown target 'nowhere'" in m for m in messages)
    assert any("hides the same key in global_options" in m for m in messages)


def test_lint_flags_a_transfer_in_an_sms_flow():
    flow = _flow(channel="sms", global_options=[])
    flow["nodes"]["menu"]["options"].append({"key": "2", "next": "t"})
    flow["nodes"]["t"] = {
        "kind": "transfer",
        "to": "oncall",
        "next": "bye",
        "unanswered_next": "menu",
    }
    assert any("a transfer works only in a voice flow" in str(p) for p in lint(_hotline(flow)))


@pytest.mark.parametrize("to", ["18883737888", "+1 888 373 7888", "staff", ""])
def test_transfer_target_is_oncall_or_e164(to):
    flow = _flow()
    flow["nodes"]["t"] = {"kind": "transfer", "to": to, "next": "bye", "unanswered_next": "menu"}
    with pytest.raises(ValidationError):
        _hotline(flow)
