"""Every word true and discreet (issue 13): emergency instructions per language, plain Spanish.

These read the shipped flows/ and data/ as a texter or caller would receive them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

import pytest
import yaml

from hotline.engine.lint import RUNTIME_VARS
from hotline.engine.segments import segment_count
from hotline.engine.text import fill, normalize, strip_accents
from hotline.flows import load_hotline
from hotline.resources import load_directory
from tests.resources_helpers import DATA, FLOWS

TEXT_FIELDS = ("text", "voice", "invalid", "silence", "found", "not_found", "outside",
               "connecting", "closed", "no_answer")  # fmt: skip
TEXT_911 = re.compile(r"\btext\w*\b[^.;]{0,20}\b911\b")

# Spanish words whose accent a text drops only when it would not fit otherwise. Ambiguous
# pairs (esta/está, que/qué, si/sí, como/cómo, aun/aún) are left out; so are UPPERCASE
# keywords (MAS, SI). Accents GSM-7 has (é, ñ, ü) cost nothing and are never dropped.
WORDS = """
    número números menú información conversación teléfono también después aquí recibirá
    responderá envíe perdón entendí llegó encontré línea líneas inglés portugués cantonés
    tailandés días dígitos código policía inmigración identificación víctima víctimas
    explotación violación consejería atención médica médico básicas jóvenes clínica
    miércoles sábado compensación conexión doméstica agresión restricción órdenes más
    capítulo fíjese dígame díganos revisará tácticas multilingüe intérpretes
"""
ACCENTED = {plain: w for w in WORDS.split() if (plain := strip_accents(w)) != w}


@cache
def revealing_words(lang: str) -> frozenset[str]:
    """The words flows/hotline.yaml says may not open a reply in a language."""
    data = yaml.safe_load((FLOWS / "hotline.yaml").read_text(encoding="utf-8"))
    return frozenset(normalize(w) for w in data["discretion"]["revealing"].get(lang, []))


def texts(lang: str, channel: str | None = None) -> Iterator[tuple[str, str]]:
    """(where, text) for every flow text in a language, optionally of one channel."""
    hotline, _ = load_hotline(FLOWS)
    for flow in hotline.flows.values():
        if channel and flow.channel != channel:
            continue
        for name, text in flow.messages.items():
            if lang in text:
                yield f"{flow.id}.messages.{name}", text[lang]
        for node_id, node in flow.nodes.items():
            for field in TEXT_FIELDS:
                value = getattr(node, field, None) or {}
                if lang in value:
                    yield f"{flow.id}.{node_id}.{field}", value[lang]


def labels(lang: str) -> dict[str, str]:
    data = yaml.safe_load((FLOWS / "resources.yaml").read_text(encoding="utf-8"))
    return data["labels"][lang]


def spanish_everywhere() -> Iterator[tuple[str, str]]:
    yield from texts("es")
    for key, value in labels("es").items():
        yield f"resources.yaml labels.es.{key}", value
    for res in load_directory(DATA).resources:
        if "es" in res.summary:
            yield f"data {res.id} summary.es", res.summary["es"]


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text)


def _accented(text: str) -> str:
    return re.sub(r"[^\W\d_]+", lambda m: ACCENTED.get(m.group(0), m.group(0)), text)


# -- 1. emergency instructions follow the facts for each language ---------------------------
def test_only_english_tells_anyone_to_text_911():
    joined = lambda t: re.sub(r"\b(\d) (?=\d\b)", r"\1", normalize(t))  # noqa: E731  "9 1 1"
    said = [(w, t) for w, t in spanish_everywhere() if TEXT_911.search(joined(t))]
    assert said == []
    assert any(TEXT_911.search(joined(t)) for _, t in texts("en", "sms"))  # English may


def test_spanish_says_call_911_where_english_says_call_or_text():
    english = dict(texts("en", "sms"))
    for where, text in texts("es", "sms"):
        if "call or text 911" in english.get(where, ""):
            assert re.search(r"llame al 911", normalize(text)), (where, text)


# -- 2. Spanish that a native speaker would not correct --------------------------------------
@pytest.mark.parametrize(
    "wrong",
    ["o texto al", "no esta en problemas", "aun sin fuerza", "trucos", "las personas vuelven",
     "su pedido", "trabajo no pagado", "incluso", "pueblo", "mas: responda more"],
)  # fmt: skip
def test_phrases_a_native_speaker_would_correct_are_gone(wrong):
    found = [(w, t) for w, t in spanish_everywhere() if wrong in normalize(t)]
    assert found == []


def test_texting_233733_has_a_verb_everywhere():
    said = [normalize(t) for _, t in texts("es")]
    # "o texto al 233733", "(..., texto 233733)": a noun where a verb belongs
    bare = [t for t in said if re.search(r"(^|[,:;(]|\bo|\by)\s*texto\s+(al\s+)?2 ?3 ?3", t)]
    assert bare == []
    assert sum(t.count("envie un texto al 233733") for t in said) >= 8


def test_gsm7_accents_are_always_kept_in_spanish():
    """é, ñ and ü are in GSM-7: dropping them saves nothing."""
    for where, text in spanish_everywhere():
        free = [w for w in _words(text) if w in ACCENTED and re.search(r"[éñü]", ACCENTED[w])
                and not re.search(r"[áíóú]", ACCENTED[w])]  # fmt: skip
        assert free == [], (where, text)
        assert "multilingue" not in text


def test_spanish_sms_drops_accents_only_where_the_text_would_not_fit():
    """Measured as `hotline flows check` measures: placeholders filled with 20 characters.
    The weekday names are exempt: they are put inside longer texts."""
    sample = {"program": "Community Info Line", **{v: "x" * 20 for v in RUNTIME_VARS}}
    for where, text in texts("es", "sms"):
        full = _accented(text)
        if full != text and where != "sms.messages.weekdays":
            assert segment_count(fill(full, sample)) > 2, (
                f"{where}: the text fits in 2 segments with its accents: {full}"
            )


def test_spanish_voice_prompts_and_labels_keep_every_accent():
    spoken = list(texts("es", "voice"))
    spoken += [(k, v) for k, v in labels("es").items()]
    spoken += [(f"data {r.id}", r.summary["es"]) for r in load_directory(DATA).resources
               if "es" in r.summary]  # fmt: skip
    for where, text in spoken:
        missing = [w for w in _words(text) if w in ACCENTED]
        assert missing == [], (where, text)
