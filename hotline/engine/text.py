"""Text helpers the engine needs: normalising input, matching keywords, filling placeholders."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache


def _mark_ranges() -> str:
    """A regex class body of every combining mark (Mn, Mc, Me) in the Basic Multilingual
    Plane: Python's \\w leaves them out, so "ជួយ" (Khmer vowel signs, the subscript sign)
    would fall apart into letters."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in ranges)


MARKS = _mark_ranges()
_WORD_CHAR = rf"[\w{MARKS}]"  # a letter, digit or combining mark
_NOT_WORD_CHAR = rf"[^\w{MARKS}]"
_EDGE_JUNK = re.compile(rf"^(?:{_NOT_WORD_CHAR}|_)+|(?:{_NOT_WORD_CHAR}|_)+$")
_SPACES = re.compile(r"\s+")
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_NOT_ALNUM = re.compile(rf"(?:{_NOT_WORD_CHAR}|_)+")
_TOKEN = re.compile(rf"{_WORD_CHAR}+|[^\w\s{MARKS}]|\n")
# Khmer is written without spaces between words: a run of Khmer is read as its orthographic
# clusters (a consonant or independent vowel with its subscripts, vowel signs and diacritics),
# so "ជួយខ្ញុំផង" and "ជួយ ខ្ញុំ ផង" are the same words, and a pattern written with spaces
# (its literals split the same way) matches both. Cluster boundaries do not depend on the
# words around them, so a word's clusters are the same wherever it stands.
_KHMER = re.compile(r"[\u1780-\u17ff\u19e0-\u19ff]")
_KHMER_UNITS = re.compile(
    r"[\u1780-\u17b3\u17dc](?:\u17d2[\u1780-\u17b3]|[\u17b4-\u17d1\u17d3\u17d7\u17dd])*"
    r"|[^\u1780-\u17ff]+|."
)
_LATIN_MARKED = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORD_CHAR_RE = re.compile(_WORD_CHAR)
_KHMER_RO_FIRST = re.compile("\u17d2\u179a\u17d2([\u1780-\u17a2])")
_KHMER_GAP = re.compile(r"(?<=[\u1780-\u17ff]) (?=[\u1780-\u17ff])")
_FOLD_LETTERS = str.maketrans({"đ": "d", "Đ": "D"})  # Vietnamese đ has no decomposition
APOSTROPHES = "'’`´ʼ‘"
_APOSTROPHE = re.compile(f"[{APOSTROPHES}]")
_UNITS = re.compile(r"^(\d+)([^\W\d_]+)$")  # "5am" -> "5 am", "12hrs" -> "12 hrs"
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}", re.UNICODE)  # "helppppp", "ayudaaa", "nooo"
_SHOUT = re.compile(r"[!¡‼❗❕]{2,}|‼")  # "ayuda!!!": emphasis too
CLAUSE_MARKS = frozenset('.,;:!?¡¿()[]{}"“”„«»…‹›「」\n។៕៖៘៙៚')  # punctuation that ends a clause
BREAK = "|"  # a clause break in a list of words (hotline.engine.patterns.BREAK)


def strip_accents(text: str) -> str:
    """Latin accents folded ("é" -> "e", Vietnamese "đánh" -> "danh", "ơ" -> "o"); the marks
    of other scripts kept, as they are letters there (Khmer vowel signs, the subscript sign),
    Khmer signs typed in either order put in one (_khmer_order)."""
    if text.isascii():
        return text
    if _KHMER.search(text):
        text = _khmer_order(text)
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_LETTERS))
    return "".join(ch for ch in decomposed if not _LATIN_MARKED.match(ch))


def _khmer_order(text: str) -> str:
    """One spelling for Khmer signs that keyboards type in either order (Unicode does not
    reorder them): ំុ as ុំ (ខ្ញំុ = ខ្ញុំ "I"), ំា as ាំ, and the subscript រ last
    (ស្រ្តី = ស្ត្រី "woman")."""
    text = text.replace("\u17c6\u17bb", "\u17bb\u17c6").replace("\u17c6\u17b6", "\u17b6\u17c6")
    return _KHMER_RO_FIRST.sub("\u17d2\\1\u17d2\u179a", text)


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

    Case, Latin accents and digits are folded (the marks of other scripts are kept); Khmer,
    written without spaces, comes as its clusters (see _KHMER_UNITS); apostrophes are
    dropped ("can't" -> "cant") after `contractions` (suffix -> words, e.g. {"'ll": " will"})
    are spelled out; a number with its unit is two words ("5am": "5 am"); emoji stay as
    words of their own; other punctuation ("-", "/") only separates words.
    """
    if not text:
        return []
    text = unicodedata.normalize("NFKC", fold_digits(text)).casefold()
    for suffix, full in (contractions or {}).items():
        text = _contraction(suffix).sub(full, text)
    text = _APOSTROPHE.sub("", text)
    out: list[str] = []
    for token in _TOKEN.findall(text):
        if _WORD_CHAR_RE.match(token):
            token = strip_accents(unelongate(token))
            if _KHMER.search(token):
                out.extend(_KHMER_UNITS.findall(token))
            else:
                out.extend(_UNITS.sub(r"\1 \2", token).split())
        elif token in CLAUSE_MARKS:
            if out and out[-1] != BREAK:
                out.append(BREAK)
        elif unicodedata.category(token) == "So":
            out.append(token)
    while out and out[-1] == BREAK:
        out.pop()
    return out


def word_weight(word: str) -> float:
    """How much of a word one of words()'s items is: a Khmer cluster half (a Khmer word has
    one to three), anything else a whole one."""
    return 0.5 if _KHMER.match(word) else 1.0


def opening_words(text: str | None, count: int) -> tuple[str, ...]:
    """The words of a message's first `count` words (what a lock screen shows), punctuation
    left out. A Khmer cluster counts half a word, as in word_count: Khmer has no spaces, so
    "the first six words" of a Khmer reply are about its first twelve clusters."""
    out: list[str] = []
    seen = 0.0
    for w in words(text):
        if w == BREAK:
            continue
        seen += word_weight(w)
        if seen > count:
            break
        out.append(w)
    return tuple(out)


def join_words(said: Iterable[str]) -> str:
    """Words as a person reads them: spaced, except between Khmer clusters (Khmer is written
    without spaces), so staff see "ជួយខ្ញុំផង", not "ជួ យ ខ្ញុំ ផ ង"."""
    return _KHMER_GAP.sub("", " ".join(said))


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
    """How many words a message has (emoji and punctuation are not words). Khmer, read as
    clusters, counts a word for every two clusters (a Khmer word has one to three)."""
    plain = [w for w in words(text) if w != BREAK and _WORD_CHAR_RE.match(w)]
    khmer = sum(1 for w in plain if _KHMER.match(w))
    return len(plain) - khmer + (khmer + 1) // 2


def fill(template: str, values: Mapping[str, object]) -> str:
    """Replace {name} placeholders that have a value; leave unknown ones visible for the linter."""

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return match.group(0) if value is None else str(value)

    return _PLACEHOLDER.sub(replace, template)


def placeholders(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template))
