"""The language of a texter's first message, before they have chosen one.

In order (issue 15): the script (Khmer letters mean km; Vietnamese's own letters mean vi); a
language keyword or a greeting the message opens with (`detection.greetings` in
flows/hotline.yaml); then, for messages of `detection.min_words` words or more, py3langid
restricted to the hotline's switched-on languages, counted only at `detection.floor`
confidence or above; otherwise the default language. Pure apart from loading py3langid's
model, which happens once per process (about a second) and is shared by every app.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache

from hotline.engine.models import Hotline
from hotline.engine.text import keyword_form, match_keyword, normalize

# Khmer (U+1780-U+17FF) and Khmer Symbols (U+19E0-U+19FF): only Khmer is written with them.
_KHMER = re.compile(r"[\u1780-\u17ff\u19e0-\u19ff]")
# Letters only Vietnamese uses among the hotline's languages: ơ ư đ ă ĩ ũ and the vowels with
# a tone mark of Latin Extended Additional (ạ ả ấ ầ ẩ ẫ ậ ắ ... ỹ, U+1EA0-U+1EF9).
_VIETNAMESE = re.compile(r"[ơƠưƯđĐăĂĩĨũŨ\u1ea0-\u1ef9]")
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)
_LOCK = threading.Lock()
_MAX_GREETING_WORDS = 3


@dataclass(frozen=True)
class Detected:
    """A language and how it was found: script, keyword, greeting, statistics or default."""

    language: str
    how: str
    confidence: float = 1.0


def detect(text: str, hotline: Hotline) -> Detected:
    """The language of `text` among `hotline.languages` (those switched on).

    `hotline` gives the languages, their keywords and `detection` (greetings, min_words,
    floor). Returns the default language (how="default") when nothing is sure enough.
    """
    default = hotline.default_language
    langs = hotline.languages
    if "km" in langs and _KHMER.search(text):
        return Detected("km", "script")
    if "vi" in langs and _VIETNAMESE.search(unicodedata.normalize("NFC", text)):
        return Detected("vi", "script")
    for code, language in langs.items():
        if match_keyword(text, language.keywords):
            return Detected(code, "keyword")
    if found := _tables(hotline).keywords.get(keyword_form(text)):
        return Detected(found, "keyword")
    words = _WORDS.findall(normalize(text))
    if found := _greeting(words, hotline):
        return Detected(found, "greeting")
    if len(words) >= hotline.detection.min_words and len(langs) > 1:
        code, confidence = _statistical(text, tuple(sorted(langs)))
        if code and confidence >= hotline.detection.floor:
            return Detected(code, "statistics", confidence)
    return Detected(default, "default", 0.0)


def _greeting(words: list[str], hotline: Hotline) -> str | None:
    """The language whose greeting the message opens with (longest greeting first)."""
    for size in range(min(_MAX_GREETING_WORDS, len(words)), 0, -1):
        opening = " ".join(words[:size])
        found = _tables(hotline).greetings.get(opening)
        if found and found in hotline.languages:
            return found
    return None


@dataclass(frozen=True)
class _Tables:
    greetings: dict[str, str]  # folded greeting -> language
    keywords: dict[str, str]  # keyword form -> language, for words only one language uses


def _tables(hotline: Hotline) -> _Tables:
    """Built once per loaded flows (the last one is kept)."""
    cached = _CACHE[0]
    if cached is None or cached[0] is not hotline:
        greetings = {
            " ".join(_WORDS.findall(normalize(word))): code
            for code, words in hotline.detection.greetings.items()
            for word in words
        }
        owners: dict[str, set[str]] = {}
        for by_lang in hotline.keywords.model_dump().values():
            for code, words in by_lang.items():
                for word in words:
                    owners.setdefault(keyword_form(word), set()).add(code)
        keywords = {
            form: next(iter(codes))
            for form, codes in owners.items()
            if form and len(codes) == 1 and next(iter(codes)) in hotline.languages
        }
        cached = (hotline, _Tables(greetings, keywords))
        _CACHE[0] = cached
    return cached[1]


_CACHE: list[tuple[Hotline, _Tables] | None] = [None]


def _statistical(text: str, langs: tuple[str, ...]) -> tuple[str | None, float]:
    """py3langid's best language among `langs` and its probability among them (0-1)."""
    identifier = _identifier()
    known = [code for code in langs if code in identifier.known]
    if len(known) < 2:
        return (known[0] if known else None), 0.0
    scores = dict(identifier.model.rank(text))
    among = {code: scores.get(code, 0.0) for code in known}
    total = sum(among.values())
    if total <= 0:
        return None, 0.0
    best = max(among, key=among.__getitem__)
    return best, among[best] / total


@dataclass(frozen=True)
class _Identifier:
    model: object  # py3langid's LanguageIdentifier, restricted to SHIPPED
    known: frozenset[str]


SHIPPED = ("en", "es", "pt", "ht", "vi", "km")  # the languages py3langid is restricted to


@cache
def _identifier() -> _Identifier:
    """py3langid's model, loaded once per process (reading its file is the slow part)."""
    with _LOCK:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        known = [code for code in SHIPPED if code in model.labels]
        model.set_languages(known)
        return _Identifier(model, frozenset(known))


def preload() -> None:
    """Load py3langid's model now (at start), so no texter's first message waits for it."""
    _identifier()
