"""SMS and voice rendering: segment limits, MORE, confirm-first notes, digits, confidentiality."""

from __future__ import annotations

import re

import pytest

from hotline.engine.segments import segment_count, to_gsm7
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
    assert set(labels) >= {"en", "es", "pt", "vi"}
    raw_keys = {lang: set(v) for lang, v in labels.items()}
    for lang in labels:
        assert raw_keys[lang] == raw_keys["en"], lang


def test_a_ucs2_language_gets_its_own_segment_budget_per_message(labels, views):
    """Vietnamese (UCS-2: 67 characters a segment) declares 4 segments a text: a page of the
    longest entries fits in 2 messages of 4 segments, where 2 segments would not hold it."""
    words = labels["vi"]
    longest = sorted(views.values(), key=lambda v: -len(format_sms(result(v), words)[0]))[:3]
    page = SearchResult("found", "Lowell, MA", longest, has_more=True)
    msgs = format_sms(page, words, lead="Đây là những gì tôi tìm được.", segments=4)
    assert len(msgs) <= 2 and all(segment_count(m) <= 4 for m in msgs)
    assert re.findall(r"^(\d+)\) ", "\n".join(msgs), re.M) == ["1", "2", "3"]
    assert any("ọ" in m for m in msgs)  # written with its accents, not made plain
    two = format_sms(page, words, lead="Đây là những gì tôi tìm được.")
    # 2 segments a message hold less: fewer details, or no accents, or more messages
    richer = sum(map(len, msgs)) > sum(map(len, two))
    assert richer or len(two) > 2 or not any("ọ" in m for m in two)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_shipped_entry_fits_two_segments(labels, views, lang):
    for view in views.values():
        (text,) = format_sms(result(view), labels[lang])
        assert segment_count(text) <= 2, (view.id, text)
        assert view.name[:8] in text  # the name always survives


def test_sms_entry_opens_with_its_number_then_name_and_languages(labels, views):
    (text,) = format_sms(result(views["maps-cambridge"]), labels["en"])
    assert text.startswith("1) Call 617-864-7600 (main line)\nMAPS")
    assert "Portuguese" in text and "Cabo Verdean Creole" in text
    (chh,) = format_sms(result(views["center-for-hope-and-healing"]), labels["en"])
    assert chh.startswith("1) Call 800-542-5212 (24/7); Call 978-452-7721 (office)\n")
    assert "Open 24/7" not in chh and "Hours" not in chh  # 24/7 is the hotline's alone


def test_unverified_entries_say_confirm_by_calling(labels, views):
    (text,) = format_sms(result(views["life-connection-center"]), labels["en"])
    assert "please confirm by calling" in text
    (text_es,) = format_sms(result(views["life-connection-center"]), labels["es"])
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


def test_weekly_hours_of_a_line_and_text_keywords(labels, views):
    (da,) = format_sms(result(views["middlesex-da-victim-text-line"]), labels["en"])
    assert da.startswith("1) Text 781-305-0399 (Mon-Fri 8:30am-5pm)")
    (da_es,) = format_sms(result(views["middlesex-da-victim-text-line"]), labels["es"])
    assert to_gsm7(da_es).startswith("1) Envie un texto al 781-305-0399 (lun-vie 8:30-17:00)")
    (nhth,) = format_sms(result(views["national-human-trafficking-hotline"]), labels["en"])
    assert "Text HELP to 233733" in nhth


def test_more_hint_and_outside_and_not_found(labels, views):
    msgs = format_sms(result(views["mass-211"], has_more=True), labels["en"])
    assert msgs[-1].endswith("\nMore places: reply MORE") and len(msgs) == 1
    (es,) = format_sms(result(views["mass-211"], has_more=True), labels["es"])
    assert es.endswith("responda MAS")
    outside = format_sms(result(views["mass-211"], status="outside"), labels["en"])
    assert outside[0].startswith("Lowell, MA 01852 is outside Massachusetts") and len(outside) == 1
    led = format_sms(result(views["mass-211"], status="outside"), labels["en"], lead="Far away:")
    assert led[0].startswith("Far away:\n1) Call 211") and "outside" not in led[0]
    assert format_sms(SearchResult("not_found", "zzz"), labels["es"]) == [labels["es"]["not_found"]]
    assert "No match" in format_sms(result(), labels["en"])[0]


def test_long_text_is_trimmed_not_split(labels, views):
    view = views["national-human-trafficking-hotline"]
    long = from_doc({**to_doc_like(view), "name": "Ünïcödé " * 30})
    (text,) = format_sms(result(long), labels["en"])
    assert segment_count(text) <= 2 and "888-373-7888" in text


def to_doc_like(view):
    doc = {f: getattr(view, f) for f in view.__dataclass_fields__ if f != "distance_km"}
    doc["phones"] = [{f: getattr(p, f) for f in p.__dataclass_fields__} for p in view.phones]
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
    assert "Llame al 8 7 7, 7 8 5, 2 0 2 0, las 24 horas" in spoken
    assert labels["es"]["voice_more"] in spoken
    assert (
        format_voice(SearchResult("not_found", "x"), labels["en"])
        == labels["en"]["voice_not_found"]
    )
    outside = format_voice(result(views["mass-211"], status="outside"), labels["en"])
    assert outside.startswith("Lowell, MA 01852 is outside Massachusetts")


def test_tip411_says_begin_with_the_code_then_the_tip(labels, views):
    (text,) = format_sms(result(views["cambridge-police"]), labels["en"])
    assert "Text 847411: begin your message with Tip650, then type your tip" in text
    assert "Text Tip650 to 847411" not in text


def test_text_to_911_is_offered_in_english_only(labels, views):
    (en,) = format_sms(result(views["emergency-911"]), labels["en"])
    assert en.startswith("1) Call or text 911")
    for lang in ("es", "pt", "km"):  # pt and km borrow English words, never the texting
        words = labels.get(lang) or {**labels["en"], "code": lang}
        (text,) = format_sms(result(views["emergency-911"]), words)
        assert "text 911" not in text.lower() and "texto al 911" not in to_gsm7(text).lower()
        assert "911" in text
        spoken = format_voice(result(views["emergency-911"]), words)
        assert "texto al 9 1 1" not in to_gsm7(spoken).lower() and "text 9 1 1" not in spoken


def test_a_line_that_takes_texts_only_in_some_languages_says_so(labels, views):
    words = {**labels["en"], "code": "pt"}
    (text,) = format_sms(result(views["national-human-trafficking-hotline"]), words)
    assert "Text HELP to 233733 (texts in English, Spanish)" in text


def test_a_number_printed_with_letters_stays_as_printed(labels, views):
    (text,) = format_sms(result(views["national-runaway-safeline"]), labels["en"])
    assert "Call 1-800-RUNAWAY (24/7)" in text and "786" not in text
    assert "1, 8 0 0, RUNAWAY" in format_voice(result(views["national-runaway-safeline"]),
                                              labels["en"])  # fmt: skip


def test_a_page_is_at_most_two_messages_and_can_carry_the_lead_in(labels, views):
    longest = sorted(views.values(), key=lambda v: -len(v.summary.get("en", "")))[:3]
    for lang in ("en", "es"):
        page = SearchResult("found", "Lowell, MA", longest, has_more=True)
        msgs = format_sms(page, labels[lang], lead="Here is what I found.")
        assert len(msgs) <= 2 and all(segment_count(m) <= 2 for m in msgs)
        assert msgs[0].startswith("Here is what I found.\n1) ")
        assert re.findall(r"^(\d+)\) ", "\n".join(msgs), re.M) == ["1", "2", "3"]
