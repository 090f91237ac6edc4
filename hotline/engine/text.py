"""Text helpers the engine needs: normalising input, matching keywords, filling placeholders."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

_EDGE_JUNK = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)
_SPACES = re.compile(r"\s+")
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_NOT_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
_TOKEN = re.compile(r"\w+|[^\w\s]|\n", re.UNICODE)
APOSTROPHES = "'’`´ʼ‘"
_APOSTROPHE = re.compile(f"[{APOSTROPHES}]")
_UNITS = re.compile(r"^(\d+)([^\W\d_]+)$")  # "5am" -> "5 am", "12hrs" -> "12 hrs"
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}", re.UNICODE)  # "helppppp", "ayudaaa", "nooo"
_SHOUT = re.compile(r"[!¡‼❗❕]{2,}|‼")  # "ayuda!!!": emphasis too
CLAUSE_MARKS = frozenset('.,;:!?¡¿()[]{}"“”„«»…‹›「」\n')  # punctuation that ends a clause
BREAK = "|"  # a clause break in a list of words (hotline.engine.patterns.BREAK)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_digits(text: str) -> str:
    """Digits of any script (Khmer ១, Arabic-Indic ١, fullwidth １, ...) as ASCII 0-9."""
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else ch for ch in text
    )


@lru_cache(maxsize=8192)
def normalize(text: str | None) -> str:
    """Fold case, accents and digits; drop control characters and edge punctuation; squeeze."""
    if not text:
        return ""
    text = fold_digits(text)
    cleaned = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    cleaned = strip_accents(cleaned).casefold()
    cleaned = _SPACES.sub(" ", cleaned).strip()
    return _EDGE_JUNK.sub("", cleaned)


def symbols(text: str | None) -> str:
    """The pictographs of a message (emoji), without skin tones or variation selectors."""
    return "".join(ch for ch in text or "" if unicodedata.category(ch) == "So")


@lru_cache(maxsize=8192)
def keyword_form(text: str | None) -> str:
    """What a whole-message keyword is compared by: letters and digits only, so "Opt-Out",
    "opt out" and "OPTOUT" are one word; a message of emoji only is its emoji."""
    return unelongate(_NOT_ALNUM.sub("", normalize(text))) or symbols(text)


def match_keyword(text: str | None, words: Iterable[str]) -> bool:
    """A keyword counts only when it is the whole message (as Twilio's opt-out handling does)."""
    said = keyword_form(text)
    return bool(said) and said in _keyword_forms(tuple(words))


@lru_cache(maxsize=1024)
def _keyword_forms(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(keyword_form(word) for word in words)


def words(text: str | None, contractions: Mapping[str, str] | None = None) -> list[str]:
    """A message as normalised words, with "|" where punctuation ends a clause.

    Case, accents and digits are folded; apostrophes are dropped ("can't" -> "cant") after
    `contractions` (suffix -> words, e.g. {"'ll": " will"}) are spelled out; a number with
    its unit is two words ("5am": "5 am"); emoji stay as words of their own; other
    punctuation ("-", "/") only separates words.
    """
    if not text:
        return []
    text = unicodedata.normalize("NFKC", fold_digits(text)).casefold()
    for suffix, full in (contractions or {}).items():
        text = _contraction(suffix).sub(full, text)
    text = _APOSTROPHE.sub("", text)
    out: list[str] = []
    for token in _TOKEN.findall(text):
        if token[0].isalnum() or token[0] == "_":
            out.extend(_UNITS.sub(r"\1 \2", strip_accents(unelongate(token))).split())
        elif token in CLAUSE_MARKS:
            if out and out[-1] != BREAK:
                out.append(BREAK)
        elif unicodedata.category(token) == "So":
            out.append(token)
    while out and out[-1] == BREAK:
        out.pop()
    return out


def unelongate(word: str) -> str:
    """A letter typed three or more times in a row, once: "helppppp" -> "help"."""
    return _ELONGATED.sub(r"\1", word)


def elongated(text: str | None) -> bool:
    """Does the message stretch a word ("heeelp", "auxilioooo") or shout ("ayuda!!!")?
    Emphasis, for triage."""
    return bool(_ELONGATED.search(text or "") or _SHOUT.search(text or ""))


@lru_cache(maxsize=256)
def _contraction(suffix: str) -> re.Pattern[str]:
    body = _APOSTROPHE.sub("", suffix)
    return re.compile(rf"(?<=\w)[{APOSTROPHES}]{re.escape(body)}\b")


def word_count(text: str | None) -> int:
    """How many words a message has (emoji and punctuation are not words)."""
    return sum(1 for w in words(text) if w != BREAK and (w[0].isalnum() or w[0] == "_"))


def fill(template: str, values: Mapping[str, object]) -> str:
    """Replace {name} placeholders that have a value; leave unknown ones visible for the linter."""

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return match.group(0) if value is None else str(value)

    return _PLACEHOLDER.sub(replace, template)


def placeholders(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template))
