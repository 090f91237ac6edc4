"""Danger triage on the shipped lexicon: what must trigger, and near-misses that must not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hotline.safety.triage import Lexicon, assess

LEXICON = Lexicon.model_validate(
    yaml.safe_load((Path(__file__).parent.parent / "flows" / "danger.yaml").read_text())
)


@pytest.mark.parametrize(
    "text",
    [
        "he will hurt me",
        "HE WILL HURT ME!!!",
        "I'm locked in the back room",
        "they took my passport",
        "they took my pasport and I can't leave",
        "I cant leave",
        "call 911",
        "he has a gun",
        "he said he will kill me",
        "help me now",
        "please help, right now",
        "she beats me",
        "me va a matar",
        "Me quitó el pasaporte",
        "no me dejan salir",
        "estoy encerrada",
        "tengo miedo, ayúdame ahora",
        "AYUDAME AHORA",
        "hay una pistola",
    ],
)
def test_danger_triggers(text):
    verdict = assess(LEXICON, text)
    assert verdict.urgent, (text, verdict)
    assert verdict.matched


@pytest.mark.parametrize(
    "text",
    [
        "I am not in danger",
        "I'm not in danger, just asking",
        "no estoy en peligro",
        "I live on Gun Hill Road",
        "meet me at gun hill",
        "can you help me find a shelter",
        "help me with my visa",
        "what are my rights",
        "01852",
        "Lowell",
        "I was just killing time",
        "nunca en peligro",
        "ayudame a encontrar un abogado",
        "hello",
        "",
    ],
)
def test_near_misses_do_not_trigger(text):
    verdict = assess(LEXICON, text)
    assert not verdict.urgent, (text, verdict)


def test_matched_phrases_are_lexicon_phrases_not_the_message():
    verdict = assess(LEXICON, "My boss Tom took my passport, 12 Main St")
    assert verdict.matched == ("took my passport",)
    assert "Tom" not in " ".join(verdict.matched)
