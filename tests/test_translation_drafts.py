"""The pt, ht, vi and km drafts say what the English says (issue 15 item 1).

Translations are drafts until a fluent reviewer signs them off; what a machine can check is
checked here, on the shipped flows/: every number, hour and placeholder of the English is in
each translation, emergencies are a phone call to 911, the national line's texts are named
English and Spanish only wherever a translation gives its texting number, and every keyword
a translation tells the texter to send answers in that language.
"""

from __future__ import annotations

import re

import pytest
import yaml

from hotline.engine.text import normalize, placeholders
from tests.resources_helpers import FLOWS
from tests.test_flows_words import labels, texts

NEW = ("pt", "ht", "vi", "km")
VOICED = ("pt", "vi")  # the others have no text-to-speech: callers reach an interpreter

# The numbers a texter acts on, as SMS writes them and as voice spells them out.
NUMBERS = {
    "911": re.compile(r"\b911\b|9 1 1"),
    "1-888-373-7888": re.compile(r"1-888-373-7888|1, 8 8 8, 3 7 3, 7 8 8 8"),
    "711": re.compile(r"\b711\b|7 1 1"),
    "211": re.compile(r"\b211\b|2 1 1"),
    "01852": re.compile(r"\b01852\b"),
}
TEXTING = re.compile(r"\b233733\b|2 3 3 7 3 3")
# How each language names English and Spanish when it says the national line texts in them.
ENGLISH_SPANISH = {
    "pt": ("ingles", "espanhol"),
    "ht": ("angle", "panyol"),
    "vi": ("tieng anh", "tay ban nha"),
    "km": ("អង់គ្លេស", "អេស្ប៉ាញ"),
}
CALL_911 = {
    "pt": re.compile(r"\blig\w*( primeiro)?( para)?( o)? 911\b"),
    "ht": re.compile(r"\brele 911\b"),
    "vi": re.compile(r"\bgoi 911\b"),
    "km": re.compile(r"ទូរស័ព្ទទៅ 911"),
}
INTERPRETERS = {"pt": "interprete", "ht": "enteprèt", "vi": "thong dich", "km": "អ្នកបកប្រែ"}


def pairs(lang: str, channel: str | None = None):
    """(where, English, translation) for every flow text the language has."""
    english = dict(texts("en", channel))
    for where, text in texts(lang, channel):
        if where in english:
            yield where, english[where], text


@pytest.mark.parametrize("lang", NEW)
def test_every_number_of_the_english_is_in_the_translation(lang):
    for where, en, text in pairs(lang):
        if where.startswith("voice.") and lang not in VOICED:
            continue
        for number, pattern in NUMBERS.items():
            if pattern.search(en):
                assert pattern.search(text), f"{lang} {where}: {number} missing: {text}"


@pytest.mark.parametrize("lang", NEW)
def test_placeholders_are_the_english_ones(lang):
    for where, en, text in pairs(lang):
        if where == "voice.welcome.text":  # the program is named once, in English (as es)
            continue
        assert placeholders(text) == placeholders(en), (lang, where, text)


@pytest.mark.parametrize("lang", NEW)
def test_the_national_lines_texts_are_named_english_and_spanish_only(lang):
    """Its texts and chat are English and Spanish only (resources-facts-3.md A): a translation
    that gives the texting number says so, and where the English offers texting it offers the
    line's calls, which have interpreters."""
    english, spanish = ENGLISH_SPANISH[lang]
    offered = 0
    for where, en, text in pairs(lang):
        said = normalize(text)
        if TEXTING.search(text):
            assert english in said and spanish in said, (lang, where, text)
        if TEXTING.search(en):
            offered += 1
            assert normalize(INTERPRETERS[lang]) in said, (lang, where, text)
    assert offered >= 10
    for key, value in labels(lang).items():
        assert not TEXTING.search(value), (lang, key, value)


@pytest.mark.parametrize("lang", NEW)
def test_emergencies_are_a_phone_call_to_911(lang):
    said = [(where, normalize(t)) for where, t in texts(lang)]
    if lang not in VOICED:
        said = [(where, t) for where, t in said if not where.startswith("voice.")]
    said = [(where, re.sub(r"9 1 1", "911", t)) for where, t in said]
    with_911 = [(where, t) for where, t in said if "911" in t]
    assert len(with_911) >= 30
    for where, t in with_911:
        assert CALL_911[lang].search(t), (lang, where, t)


@pytest.mark.parametrize("lang", NEW)
def test_every_keyword_a_text_names_answers_in_that_language(lang):
    """A word the texter is told to send in UPPERCASE ("PARAR (STOP)", "MENI (MENU)") is a
    keyword of that language, or the English one beside it in brackets: an English keyword
    alone would answer, and go on, in English."""
    hotline = yaml.safe_load((FLOWS / "hotline.yaml").read_text(encoding="utf-8"))
    own = {
        normalize(w)
        for family in ("opt_out", "opt_in", "help", "menu", "delete", "yes", "no")
        for w in hotline["keywords"][family].get(lang, [])
    }
    for where, text in texts(lang, "sms"):
        for named in re.finditer(r" \((STOP|START|MENU|HELP|DELETE)\)", text):
            before = normalize(text[: named.start()])
            said = [w for w in own if w and (before == w or before.endswith(" " + w))]
            assert said, (lang, where, text[: named.end()])
        bare = re.findall(r"(?<!\()\b(STOP|START|HELP|DELETE)\b(?!\))", text)
        if lang != "pt" or where != "sms.messages.help":  # 'Responda STOP': 3 segments full
            assert bare == [], (lang, where, text)
        if "MENU" in re.findall(r"(?<!\()\bMENU\b(?!\))", text):
            assert "menu" in own, (lang, where, text)
