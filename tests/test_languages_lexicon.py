"""Portuguese, Haitian Creole, Vietnamese and Khmer as people type them (issue 15): words in
scripts without spaces, accents folded or kept, keywords, and danger recognised per language.

The corpora with precision and recall are in tests/triage_corpus/ (tests/test_triage_corpus.py);
these are the rules and the issue's examples, one by one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hotline.engine import reading
from hotline.engine.lint import TextRules
from hotline.engine.text import keyword_form, match_keyword, normalize, word_count, words
from hotline.flows import load_hotline
from hotline.safety.triage import Lexicon, Triage, assess

FLOWS = Path(__file__).parent.parent / "flows"
LEXICON = Lexicon.model_validate(yaml.safe_load((FLOWS / "danger.yaml").read_text()))
HOTLINE, _ = load_hotline(FLOWS)


# -- words ---------------------------------------------------------------------------------


def test_khmer_words_keep_their_vowel_signs_and_subscripts():
    # "ជួយខ្ញុំផង" (help me): the vowel sign ួ, the subscript ្ញ and ុំ are part of the words
    said = words("ជួយខ្ញុំផង")
    assert "".join(said) == "ជួយខ្ញុំផង"
    assert normalize("ខ្ញុំ") == "ខ្ញុំ"  # a final mark is not edge punctuation


def test_khmer_reads_the_same_with_or_without_spaces():
    assert words("ជួយខ្ញុំផង") == words("ជួយ ខ្ញុំ ផង") == words("ជួយ\u200bខ្ញុំ\u200bផង")


def test_khmer_keywords_are_not_confused_by_dropped_vowels():
    # ទេ (no) and ទៅ (go) differ only by their vowel sign
    assert keyword_form("ទេ") != keyword_form("ទៅ")
    assert match_keyword("ឈប់", ["ឈប់"]) and not match_keyword("ឈ", ["ឈប់"])


def test_khmer_signs_typed_in_either_order_are_one_spelling():
    assert words("ខ្ញំុ") == words("ខ្ញុំ")  # ំុ or ុំ: keyboards differ
    assert words("ស្រ្តី") == words("ស្ត្រី")  # the subscript រ first or last
    assert keyword_form("ខ្ញំុ") == keyword_form("ខ្ញុំ")


def test_khmer_full_stop_ends_a_clause():
    assert "|" in words("ខ្ញុំ​សុខសប្បាយ។ អរគុណ")


def test_khmer_word_count_is_about_words_not_letters():
    assert word_count("ជួយខ្ញុំផង") <= 3  # three words, five clusters


def test_latin_accents_fold_including_vietnamese():
    assert words("Tôi cần giúp đỡ") == ["toi", "can", "giup", "do"]
    assert keyword_form("XÓA") == keyword_form("xoa")
    assert keyword_form("ĐỪNG") == keyword_form("dung")
    assert words("Mwen bezwen èd") == ["mwen", "bezwen", "ed"]
    assert words("NÃO, não") == ["nao", "|", "nao"]


# -- danger --------------------------------------------------------------------------------


def urgent(text: str, earlier: tuple[str, ...] = ()) -> bool:
    return assess(LEXICON, text, list(earlier)).urgent


@pytest.mark.parametrize(
    "text",
    [
        "Socorro",
        "socorrooo",
        "me ajuda por favor",
        "ele vai me matar",
        "ele ta me batendo",
        "pegaram meu passaporte",
        "nao me deixa sair",
        "Não, ele vai me matar se ver isso",
        "Por favor, não! Ele me trancou no porão",
    ],
)
def test_portuguese_danger_is_urgent(text):
    assert urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "não estou em perigo",
        "esse calor ta me matando",
        "minha mãe vai me matar kkkk",
        "pode me ajudar a achar um médico?",
        "preciso de ajuda com o aluguel",
        "a porta do meu carro ta trancada",
    ],
)
def test_portuguese_near_misses_are_not_urgent(text):
    assert not urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "Anmwe!",
        "sekou",
        "tanpri ede m",
        "edem souple",
        "l'ap touye m",
        "mari m ap bat mwen",
        "yo pran paspò m",
        "yo pa kite m soti",
        "Non, l ap touye m si l wè sa",
        "tanpri ede m li pral touye m",  # "li" is "he" here, not "read"
    ],
)
def test_haitian_creole_danger_is_urgent(text):
    assert urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "m pa an danje",
        "chalè a ap touye m",
        "eske ou ka ede m jwenn yon doktè?",
        "m bezwen èd pou lwaye a",
        "magazen an fèmen",
        "kè m ap bat fò",
    ],
)
def test_haitian_creole_near_misses_are_not_urgent(text):
    assert not urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "Cứu!",
        "cuu toi voi",
        "giúp em với",
        "anh ta sẽ giết tôi",
        "e bi danh",
        "họ lấy hộ chiếu của tôi",
        "ko cho em ve",
        "Không, anh ta sẽ giết tôi nếu thấy tin này",
        "đừng đánh em nữa",  # a plea, not a negation
        "nó không ngừng đánh em",
    ],
)
def test_vietnamese_danger_is_urgent(text):
    assert urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "tôi không gặp nguy hiểm",
        "nóng chết đi được",
        "bạn có thể giúp tôi tìm luật sư không?",
        "bạn tôi cho tôi ở nhờ",  # bạn (friend) is bán (sell) without accents
        "em đánh răng rồi",
        "dạo này thế nào",  # dạo (lately) is dao (knife) without accents
    ],
)
def test_vietnamese_near_misses_are_not_urgent(text):
    assert not urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "ជួយខ្ញុំផង",  # the first message: help me
        "ជួយ ខ្ញុំ ផង",
        "ជួយ\u200bខ្ញុំ\u200bផង",
        "ជួយផង!",
        "juy knhom phong",
        "គាត់នឹងសម្លាប់ខ្ញុំ",
        "ប្តីខ្ញុំវាយខ្ញុំ",
        "ប្ដីខ្ញុំវាយខ្ញុំ",  # ប្ដី and ប្តី: the same word, two subscripts
        "គេយកលិខិតឆ្លងដែនខ្ញុំ",
        "គេមិនឲ្យខ្ញុំចេញទេ",
        "គេមិនអោយខ្ញុំចេញក្រៅ",
        "គាត់មិនឈប់វាយខ្ញុំ",  # won't stop hitting me
        "កុំវាយខ្ញុំ",  # a plea, not a negation
        "ទេ គាត់នឹងសម្លាប់ខ្ញុំបើគាត់ឃើញសារនេះ",
    ],
)
def test_khmer_danger_is_urgent_with_or_without_spaces(text):
    assert urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "ជួយ",  # the HELP keyword, not a cry
        "ខ្ញុំមិនមានគ្រោះថ្នាក់ទេ",
        "គាត់មិនវាយខ្ញុំទេ",  # he does not hit me: negated across clusters
        "អាចជួយខ្ញុំរកគ្រូពេទ្យបានទេ?",
        "ខ្ញុំមានគ្រោះថ្នាក់ចរាចរណ៍",
        "ទ្វារឡានខ្ញុំចាក់សោ",
    ],
)
def test_khmer_near_misses_are_not_urgent(text):
    assert not urgent(text)


def test_staff_see_khmer_phrases_as_written():
    assert assess(LEXICON, "ជួយ ខ្ញុំ ផង").flag == "urgent words: ជួយខ្ញុំផង"


def test_portuguese_split_disclosure_counts_at_the_second_message():
    first = "to com medo, meu patrão pegou meu"
    assert not urgent(first)
    assert urgent("passaporte semana passada e nao tenho pra onde ir", (first,))


# -- keywords and phrasings ----------------------------------------------------------------


KEYWORDS = HOTLINE.keywords


@pytest.mark.parametrize(
    ("family", "text", "language"),
    [
        ("opt_out", "PARAR", "pt"),
        ("opt_out", "Sair", "pt"),
        ("help", "Ajuda", "pt"),
        ("delete", "APAGAR", "pt"),
        ("yes", "Sim", "pt"),
        ("no", "NÃO", "pt"),
        ("no", "nao", "pt"),
        ("opt_out", "SISPANN", "ht"),
        ("help", "èd", "ht"),
        ("delete", "EFASE", "ht"),
        ("yes", "Wi", "ht"),
        ("no", "NON", "ht"),
        ("opt_out", "DỪNG", "vi"),
        ("opt_out", "dung", "vi"),
        ("help", "GIUP", "vi"),
        ("delete", "Xóa", "vi"),
        ("delete", "XOA", "vi"),
        ("yes", "Có", "vi"),
        ("yes", "co", "vi"),
        ("no", "KHÔNG", "vi"),
        ("no", "ko", "vi"),
        ("opt_out", "ឈប់", "km"),
        ("help", "ជួយ", "km"),
        ("delete", "លុប", "km"),
        ("yes", "បាទ", "km"),
        ("yes", "ចាស", "km"),
        ("yes", "ចា៎ស", "km"),
        ("no", "ទេ", "km"),
    ],
)
def test_local_keywords(family, text, language):
    assert match_keyword(text, getattr(KEYWORDS, family)[language])


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ele nao para de me bater", "pt"),
        ("pare de me bater", "pt"),
        ("li pa sispann bat mwen", "ht"),
        ("nó không ngừng đánh em", "vi"),
        ("គាត់មិនឈប់វាយខ្ញុំ", "km"),
        ("កុំវាយខ្ញុំ", "km"),
    ],
)
def test_a_stop_word_in_a_sentence_is_not_an_opt_out(text, language):
    assert HOTLINE.phrasebook.says("opt_out", text, language) is None
    assert not any(match_keyword(text, ws) for ws in KEYWORDS.opt_out.values())


@pytest.mark.parametrize(
    ("text", "language", "answer"),
    [
        ("sim, é seguro", "pt", "yes"),
        ("não, não é seguro", "pt", "no"),
        ("agora não", "pt", "no"),
        ("wi, li an sekirite", "ht", "yes"),
        ("non, pa kounye a", "ht", "no"),
        ("có, an toàn", "vi", "yes"),
        ("không, không an toàn", "vi", "no"),
        ("ko", "vi", "no"),
        ("បាទ/ចាស", "km", "yes"),
        ("បាទ មានសុវត្ថិភាព", "km", "yes"),
        ("ទេ អរគុណ", "km", "no"),
        ("ទៅ", "km", None),  # "go": one vowel sign away from ទេ (no)
    ],
)
def test_yes_and_no_as_people_type_them(text, language, answer):
    assert reading.yes_no(text, language, KEYWORDS, HOTLINE.phrasebook) == answer


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("para de me mandar mensagem", "pt"),
        ("não quero mais mensagens", "pt"),
        ("pa voye m mesaj ankò", "ht"),
        ("đừng nhắn tin cho tôi nữa", "vi"),
        ("ឈប់ផ្ញើសារមកខ្ញុំទៀត", "km"),
    ],
)
def test_opt_out_requests_in_so_many_words(text, language):
    assert HOTLINE.phrasebook.says("opt_out", text, language) == language


def test_a_lone_k_is_not_read_as_yes_when_it_may_mean_no():
    # English "k" (ok) and Vietnamese "k" (không): ask again rather than guess
    assert reading.yes_no("k", "vi", KEYWORDS, HOTLINE.phrasebook) != "yes"


# -- discretion ----------------------------------------------------------------------------


def test_revealing_words_of_several_words_or_without_spaces_are_found():
    rules = TextRules(HOTLINE, {"program": "Community Info Line"})
    assert rules.revealing_opening("vi", "Đường dây nóng: gọi 911") == ["duong day nong"]
    assert rules.revealing_opening("vi", "Xin chào. Đây là Community Info Line.") == []
    assert rules.revealing_opening("km", "ប៉ូលិសនិងជម្រក") == ["ប៉ូលិស", "ជម្រក"]
    assert rules.revealing_opening("km", "សួស្តី នេះគឺ Community Info Line") == []
    # Khmer has no spaces: the opening is its first dozen clusters (about six words), as
    # "Thanks for writing. If you are in danger now" is clean in English
    late = "អរគុណដែលបានសរសេរមក។ បើអ្នកកំពុងមានគ្រោះថ្នាក់ឥឡូវនេះ"
    assert rules.revealing_opening("km", late) == []
    assert rules.revealing_opening("km", "អរគុណ។ បើមានគ្រោះថ្នាក់") == ["គ្រោះថ្នាក់"]


def test_a_khmer_text_may_not_tell_anyone_to_text_911():
    rules = TextRules(HOTLINE, {"program": "Community Info Line"})
    assert rules.forbidden_claims("km", "ផ្ញើសារទៅ ៩១១")
    assert not rules.forbidden_claims("km", "ផ្ញើសារមកយើង ឬហៅ ៩១១")  # text us, or call 911


# -- the hotline's own words -------------------------------------------------------------


def test_a_few_words_in_common_with_a_hotline_text_are_the_texters_own():
    signs = (
        "Men enfòmasyon ou te mande a. Veye fo pwomès travay oswa papye, menas pou rele "
        "imigrasyon, yo pran papye idantite, dèt ki pa janm fini, yo kontwole telefòn ak lajan."
    )
    urgent_km = "អរគុណដែលបានសរសេរមក។ បើអ្នកកំពុងមានគ្រោះថ្នាក់ឥឡូវនេះ សូមទូរស័ព្ទទៅ 911។"
    triage = Triage.build(LEXICON, [signs, urgent_km])
    assert triage.assess("m gen yon dèt ki pa janm fini").disclosed
    assert triage.assess("ខ្ញុំកំពុងមានគ្រោះថ្នាក់").urgent  # five clusters: two words or so
    assert not triage.assess(urgent_km).urgent  # the whole text quoted back


# -- "any time", as each language's safe-time question asks for it ------------------------


@pytest.mark.parametrize("said", ["QUALQUER HORA", "Nenpòt", "BẤT KỲ", "bat ky", "ពេលណាក៏បាន"])
def test_any_time_in_each_language_needs_no_confirmation(said):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from hotline.escalations.gate import reply_gate
    from hotline.escalations.records import Escalation

    now = datetime(2026, 11, 25, 3, 0, tzinfo=ZoneInfo("America/New_York"))
    record = Escalation(id="1", channel="sms", language="pt", priority=2, reason="r",
                        kind="help", who="w", status="waiting", created=1.0, last_inbound=0.0,
                        consent="yes", safe_time=said)  # fmt: skip
    gate = reply_gate(record, now.timestamp(), now, False, texting_window=1800)
    assert gate.allowed and not gate.confirm, gate
