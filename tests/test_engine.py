"""The pure engine, node kind by node kind: no Flask, no Redis, no Twilio."""

from __future__ import annotations

import pytest

from hotline.engine import Engine, Escalate, Event, Hotline, Lookup, Results, Say

T = {"en": "en text", "es": "es text"}


def text(en: str, es: str | None = None) -> dict[str, str]:
    return {"en": en, "es": es or f"ES {en}"}


def waiting(**fields):
    return {"invalid": text("bad"), "silence": text("quiet"), **fields}


NODES = {
    "menu": {
        "kind": "menu",
        "text": text("menu"),
        **waiting(),
        "options": [
            {"key": "1", "next": "ask", "keywords": {"en": ["ASK"], "es": ["PREGUNTA"]}},
            {"key": "2", "next": "yn"},
            {"key": "3", "next": "where"},
            {"key": "4", "next": "hello"},
            {"key": "5", "next": "menu", "set_language": "es"},
        ],
        "on_retries": "hello",
        "max_retries": 2,
    },
    "ask": {"kind": "ask", "save_as": "name", "next": "thanks", "text": text("name?"), **waiting()},
    "thanks": {"kind": "end", "text": text("thanks {name}")},
    "yn": {
        "kind": "ask",
        "expect": "yes_no",
        "save_as": "ok",
        "yes_next": "esc",
        "no_next": "menu",
        "text": text("yes or no?"),
        **waiting(),
    },
    "esc": {
        "kind": "escalate",
        "reason": "asked",
        "escalation": "help",
        "priority": 2,
        "next": "thanks",
    },
    "where": {
        "kind": "ask",
        "expect": "zip_or_town",
        "save_as": "where",
        "next": "find",
        "text": text("where?"),
        **waiting(),
    },
    "find": {
        "kind": "lookup",
        "where": "where",
        "category": "shelter",
        "next": "more",
        "not_found_next": "where",
        "not_found": text("unknown place"),
        "outside": text("outside MA"),
    },
    "more": {
        "kind": "menu",
        "text": text("MORE?"),
        **waiting(),
        "options": [{"keywords": {"en": ["MORE"], "es": ["MAS"]}, "next": "find", "more": True}],
    },
    "hello": {"kind": "message", "text": text("hello"), "next": "menu"},
}


def hotline(channel: str = "sms") -> Hotline:
    words = {"en": ["X"], "es": ["X"]}
    return Hotline.model_validate(
        {
            "default_language": "en",
            "languages": {"en": {"name": "English"}, "es": {"name": "Español"}},
            "keywords": {k: words for k in ("opt_out", "opt_in", "help", "menu")}
            | {"yes": {"en": ["YES"], "es": ["SÍ"]}, "no": {"en": ["NO"], "es": ["NO"]}},
            "flows": {
                "f": {
                    "id": "f",
                    "channel": channel,
                    "start": "hello",
                    "main_menu": "menu",
                    "nodes": NODES,
                }
            },
        }
    )


@pytest.fixture()
def engine() -> Engine:
    return Engine(hotline(), "f", {"program": "Info"})


def says(step) -> list[str]:
    return [o.text for o in step.outputs if isinstance(o, Say)]


def test_engine_imports_nothing_with_io():
    """The engine stays sans-io: no Flask, Twilio, Redis or RQ anywhere in its source."""
    from pathlib import Path

    import hotline.engine

    for path in Path(hotline.engine.__file__).parent.glob("*.py"):
        source = path.read_text()
        for banned in ("flask", "twilio", "redis", "rq"):
            assert f"import {banned}" not in source and f"from {banned}" not in source, path


def test_start_passes_messages_and_waits_at_the_menu(engine):
    step = engine.start()
    assert says(step) == ["hello", "menu"]
    assert step.waiting == "input" and step.session.node == "menu"


def test_menu_by_key_and_by_keyword_in_any_language(engine):
    session = engine.start().session
    assert says(engine.step(session, Event(text=" 1. "))) == ["name?"]
    assert says(engine.step(session, Event(text="pregunta"))) == ["name?"]


def test_menu_invalid_reprompts_then_follows_on_retries(engine):
    session = engine.start().session
    for _ in range(2):
        step = engine.step(session, Event(text="zzz"))
        assert says(step) == ["bad"]
        session = step.session
    step = engine.step(session, Event(text="zzz"))
    assert says(step) == ["hello", "menu"]  # on_retries after max_retries
    assert step.session.retries == 0


def test_voice_invalid_says_not_an_option_then_repeats_the_menu():
    engine = Engine(hotline("voice"), "f")
    session = engine.start().session
    assert says(engine.step(session, Event(text="9"))) == ["bad", "menu"]
    assert says(engine.step(session, Event(kind="silence"))) == ["quiet", "menu"]


def test_ask_saves_the_answer_and_fills_placeholders(engine):
    session = engine.step(engine.start().session, Event(text="1")).session
    step = engine.step(session, Event(text="  Ana   Maria "))
    assert says(step) == ["thanks Ana Maria"]
    assert step.waiting == "end" and step.session.node is None
    # after an end, the next message starts at the main menu
    assert says(engine.step(step.session, Event(text="anything"))) == ["menu"]


def test_empty_text_is_silence(engine):
    session = engine.step(engine.start().session, Event(text="1")).session
    assert says(engine.step(session, Event(text="   "))) == ["quiet"]


def test_yes_no_in_either_language(engine):
    session = engine.step(engine.start().session, Event(text="2")).session
    step = engine.step(session, Event(text="Sí"))
    assert step.session.vars["ok"] == "yes"
    escalations = [o for o in step.outputs if isinstance(o, Escalate)]
    assert escalations == [
        Escalate(
            node="esc",
            reason="asked",
            escalation="help",
            priority=2,
            language="en",
            answers={"ok": "yes"},
        )
    ]
    assert says(engine.step(session, Event(text="maybe"))) == ["bad"]
    assert says(engine.step(session, Event(text="no"))) == ["menu"]


def test_set_language_switches_every_following_text(engine):
    step = engine.step(engine.start().session, Event(text="5"))
    assert step.session.language == "es" and says(step) == ["ES menu"]


def test_lookup_waits_for_its_result_and_then_places_results(engine):
    session = engine.step(engine.start().session, Event(text="3")).session
    step = engine.step(session, Event(text="01852"))
    assert step.waiting == "lookup"
    assert step.outputs[-1] == Lookup(
        node="find", where="01852", category="shelter", language="en", page=0
    )
    found = engine.step(step.session, Event(kind="lookup_result", result="found"))
    assert found.outputs[0] == Results(node="find") and says(found) == ["MORE?"]
    more = engine.step(found.session, Event(text="more"))
    assert more.outputs[-1].page == 1


def test_lookup_not_found_and_outside(engine):
    session = engine.step(engine.start().session, Event(text="3")).session
    pending = engine.step(session, Event(text="Nowhereville")).session
    missing = engine.step(pending, Event(kind="lookup_result", result="not_found"))
    assert says(missing) == ["unknown place", "where?"] and missing.session.node == "where"
    outside = engine.step(pending, Event(kind="lookup_result", result="outside"))
    assert says(outside)[0] == "outside MA" and isinstance(outside.outputs[1], Results)


def test_zip_or_town_validation(engine):
    session = engine.step(engine.start().session, Event(text="3")).session
    assert says(engine.step(session, Event(text="123"))) == ["bad"]
    assert engine.step(session, Event(text="lowell ma")).waiting == "lookup"
    assert engine.step(session, Event(text="01852-1234")).waiting == "lookup"


def test_steps_are_deterministic_and_do_not_mutate_the_session(engine):
    session = engine.start().session
    before = session.model_dump()
    first = engine.step(session, Event(text="1"))
    second = engine.step(session, Event(text="1"))
    assert session.model_dump() == before
    assert first.model_dump() == second.model_dump()


def test_main_menu_with_language(engine):
    session = engine.step(engine.start().session, Event(text="1")).session
    step = engine.main_menu(session, "es")
    assert says(step) == ["ES menu"] and step.session.language == "es"


def test_messages_fall_back_to_the_default_language():
    h = hotline()
    flow = h.flows["f"].model_copy(update={"messages": {"help": {"en": "{program} help"}}})
    engine = Engine(h.model_copy(update={"flows": {"f": flow}}), "f", {"program": "Info"})
    assert engine.message("help", "es") == "Info help"
