"""SMS and voice rendering: segment limits, MORE, confirm-first notes, digits, confidentiality."""

from __future__ import annotations

import re

import pytest

from hotline.engine.segments import segment_count
from hotline.resources import format_sms, format_voice, load_directory, load_labels
from hotline.resources.format import spoken_digits
from hotline.resources.views import SearchResult, from_doc, to_doc
from tests.resources_helpers import DATA, FLOWS


@pytest.fixture(scope="module")
def labels():
    return load_labels(FLOWS)


@pytest.fixture(scope="module")
def views():
    return {r.id: from_doc(to_doc(r)) for r in load_directory(DATA).resources}


def result(*items, status="found", has_more=False):
    return SearchResult(status, "Lowell, MA 01852", list(items), has_more)


def test_every_language_has_every_label(labels):
    assert set(labels) >= {"en", "es"}
    raw_keys = {lang: set(v) for lang, v in labels.items()}
    assert raw_keys["es"] == raw_keys["en"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_shipped_entry_fits_two_segments(labels, views, lang):
    for view in views.values():
        (text,) = format_sms(result(view), labels[lang])
        assert segment_count(text) <= 2, (view.id, text)
        assert view.name[:8] in text  # the name always survives


def test_sms_entry_has_name_phone_hours_and_languages(labels, views):
    (text,) = format_sms(result(views["maps-cambridge"]), labels["en"])
    assert text.startswith("MAPS")
    assert "Call 617-864-7600" in text
    assert "Portuguese" in text and "Cabo Verdean Creole" in text
    (chh,) = format_sms(result(views["center-for-hope-and-healing"]), labels["en"])
    assert "Open 24/7" in chh and "800-542-5212" in chh


def test_unverified_entries_say_confirm_by_calling(labels, views):
    (text,) = format_sms(result(views["atask"]), labels["en"])
    assert "please confirm by calling" in text
    (text_es,) = format_sms(result(views["atask"]), labels["es"])
    assert "confirme llamando" in text_es
    (verified,) = format_sms(result(views["transition-house"]), labels["en"])
    assert "confirm" not in verified


def test_confidential_shelter_sends_no_address(labels, views):
    for ident in ("transition-house", "alternative-house"):
        view = views[ident]
        assert view.address is None
        (text,) = format_sms(result(view), labels["en"])
        assert "confidential location" in text
        assert "confidential location" in format_voice(result(view), labels["en"]).lower()


def test_weekly_hours_and_text_keywords(labels, views):
    (fair,) = format_sms(result(views["ago-fair-labor-line"]), labels["en"])
    assert "Hours: Mon-Fri 10am-4pm" in fair
    (fair_es,) = format_sms(result(views["ago-fair-labor-line"]), labels["es"])
    assert "Horario: lun-vie 10:00-16:00" in fair_es
    (nhth,) = format_sms(result(views["national-human-trafficking-hotline"]), labels["en"])
    assert "Text HELP to 233733" in nhth


def test_more_hint_and_outside_and_not_found(labels, views):
    msgs = format_sms(result(views["mass-211"], has_more=True), labels["en"])
    assert msgs[-1] == "More: reply MORE" and len(msgs) == 2
    outside = format_sms(result(views["mass-211"], status="outside"), labels["en"])
    assert "outside Massachusetts" in outside[0] and len(outside) == 2
    assert format_sms(SearchResult("not_found", "zzz"), labels["es"]) == [labels["es"]["not_found"]]
    assert "No match" in format_sms(result(), labels["en"])[0]


def test_long_text_is_trimmed_not_split(labels, views):
    view = views["national-human-trafficking-hotline"]
    long = from_doc({**to_doc_like(view), "name": "Ünïcödé " * 30})
    (text,) = format_sms(result(long), labels["en"])
    assert segment_count(text) <= 2 and "888-373-7888" in text


def to_doc_like(view):
    doc = {f: getattr(view, f) for f in view.__dataclass_fields__ if f != "distance_km"}
    doc["phones"] = [[p.number, p.e164, p.kind, p.voice, p.text, p.keyword, p.ext]
                     for p in view.phones]  # fmt: skip
    return doc


def test_voice_reads_numbers_digit_by_digit(labels, views):
    spoken = format_voice(result(views["center-for-hope-and-healing"]), labels["en"])
    assert "8 0 0, 5 4 2, 5 2 1 2" in spoken
    assert "Again, that number is 8 0 0, 5 4 2, 5 2 1 2" in spoken
    for written in ("800-542-5212", "8005425212", "978-452-7721", "800", "978"):
        assert not re.search(rf"(?<![\d ]){written}", spoken), written
    assert spoken_digits("911") == "9 1 1"
    vrlc = format_voice(result(views["victim-rights-law-center"]), labels["en"])
    assert "extension 1 9" in vrlc


def test_voice_in_spanish_and_statuses(labels, views):
    spoken = format_voice(result(views["safelink"], has_more=True), labels["es"])
    assert "Llame al 8 7 7, 7 8 5, 2 0 2 0." in spoken and labels["es"]["voice_more"] in spoken
    assert (
        format_voice(SearchResult("not_found", "x"), labels["en"])
        == labels["en"]["voice_not_found"]
    )
    outside = format_voice(result(views["mass-211"], status="outside"), labels["en"])
    assert outside.startswith("Lowell, MA 01852 is outside Massachusetts")
