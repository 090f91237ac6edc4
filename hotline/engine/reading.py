"""Reading a message the way a person meant it, before the flow acts on it. Pure, no I/O.

- what kind of message it is: text, a reaction (an iPhone tapback or Android's "Reacted ... to"
  quoting an earlier message), emoji only, or nothing;
- whole-message phrasings of keyword families ("stop texting me", "yes, it's safe"), with
  fillers ("please", "gracias") around them ignored;
- a yes or a no, from the keyword lists, the phrasings, or the first clause ("no, not safe");
- ZIP codes in any digit script and spacing ("01852.", "01852 1234", "my zip is ０１８５２").

Every word list and pattern comes from flows/hotline.yaml, so a language is added as data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal

from hotline.engine.patterns import Grammar, Pattern, PatternError, compile_pattern, joined
from hotline.engine.text import (
    BREAK,
    fold_digits,
    match_keyword,
    symbols,
    unspaced,
    word_count,
    words,
)

if TYPE_CHECKING:
    from hotline.engine.models import KeywordSets, Phrasings, Reactions

Kind = Literal["text", "reaction", "emoji", "empty"]
OPENING_QUOTES = "“\"„«‘'「‹‚"
ZIP_IN_TEXT = re.compile(r"(?<!\d)\d{5}(?:[\s-]?\d{4})?(?!\d)|(?<!\d)\d{4}(?!\d)")


def _literal(text: str) -> list[str]:
    return [w for w in words(text) if w != BREAK]


def _compile(source: str, grammar: Grammar, where: str) -> Pattern:
    try:
        return compile_pattern(source, grammar, _literal)
    except PatternError as exc:
        raise ValueError(f"{where}: {exc}") from exc


def _whole(patterns: Iterable[Pattern], said: list[str]) -> bool:
    text, _ = joined(said)
    return bool(text) and any(p.regex.fullmatch(text) for p in patterns)


class Phrasebook:
    """Compiled phrasings (flows/hotline.yaml `phrasings`): does a message say one of them?"""

    @classmethod
    def cached(cls, phrasings: Phrasings) -> Phrasebook:
        """Compiled once per content (every app and test loading the same flows shares it)."""
        key = phrasings.model_dump_json()
        if key not in _BOOKS:
            _BOOKS[key] = cls(phrasings)
        return _BOOKS[key]

    def __init__(self, phrasings: Phrasings):
        self.fillers = {
            lang: sorted((tuple(_literal(f)) for f in fs), key=len, reverse=True)
            for lang, fs in phrasings.fillers.items()
        }
        self._ordered: dict[str, list[tuple[str, ...]]] = {}
        self.clause_words = {
            lang: sorted((tuple(_literal(w)) for w in ws), key=len, reverse=True)
            for lang, ws in phrasings.clause_words.items()
        }
        self.patterns: dict[str, dict[str, list[Pattern]]] = {}
        for family, by_lang in phrasings.patterns.items():
            for lang, sources in by_lang.items():
                grammar = Grammar(_groups(phrasings.groups.get(lang, {})))
                self.patterns.setdefault(family, {})[lang] = [
                    _compile(s, grammar, f"phrasings.patterns.{family}.{lang}.{i}")
                    for i, s in enumerate(sources)
                ]

    def core(self, text: str, language: str, said: list[str] | None = None) -> list[str]:
        """The message's words without fillers or punctuation at either end (or all of them
        when nothing else is left: "thanks" alone stays "thanks"). `said`: the text's words,
        when the caller has them already."""
        said = _literal(text) if said is None else said
        trimmed = _trim(said, self._fillers_first(language))
        return trimmed or said

    def _fillers_first(self, language: str) -> list[tuple[str, ...]]:
        """Every language's fillers, `language`'s first (built once per language)."""
        found = self._ordered.get(language)
        if found is None:
            found = self._ordered[language] = self.fillers.get(language, []) + [
                f for lang, fs in self.fillers.items() if lang != language for f in fs
            ]
        return found

    def says(self, family: str, text: str, language: str) -> str | None:
        """The language (the current one first) of a phrasing that is the whole message."""
        by_lang = self.patterns.get(family, {})
        said = _literal(text)
        for lang in [language, *(x for x in by_lang if x != language)]:
            if lang in by_lang and _whole(by_lang[lang], self.core(text, lang, said)):
                return lang
        return None

    def clause(self, text: str, language: str) -> str:
        """The first clause of a message ("no" of "no, not safe", "yes" of "yes but after 6")."""
        said = words(text)
        ends = [e for lang, es in self.clause_words.items() for e in es]
        for i, word in enumerate(said):
            if i and (word == BREAK or any(tuple(said[i : i + len(e)]) == e for e in ends)):
                return " ".join(said[:i])
        return " ".join(said)


def _trim(said: list[str], fillers: list[tuple[str, ...]]) -> list[str]:
    changed = True
    while changed and said:
        changed = False
        for filler in fillers:
            n = len(filler)
            if not n or len(said) <= n or (filler[0] != said[0] and filler[-1] != said[-1]):
                continue  # cannot match at either end: skip the slicing
            if tuple(said[:n]) == filler:
                said, changed = said[n:], True
            elif tuple(said[-n:]) == filler:
                said, changed = said[:-n], True
    return said


def _groups(groups: Mapping[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {name: tuple(options) for name, options in groups.items()}


class ReactionReader:
    """Tapbacks and Android reactions: a reaction verb, then a quoted message or an attachment."""

    @classmethod
    def cached(cls, reactions: Mapping[str, Reactions]) -> ReactionReader:
        key = repr(sorted((lang, r.model_dump_json()) for lang, r in reactions.items()))
        if key not in _READERS:
            _READERS[key] = cls(reactions)
        return _READERS[key]

    def __init__(self, reactions: Mapping[str, Reactions]):
        grammar = Grammar({})
        self.verbs: list[Pattern] = []
        self.attachments: list[Pattern] = []
        for lang, spec in reactions.items():
            for i, verb in enumerate(spec.verbs):
                self.verbs.append(_compile(verb, grammar, f"reactions.{lang}.verbs.{i}"))
            for i, what in enumerate(spec.attachments):
                where = f"reactions.{lang}.attachments.{i}"
                for verb in spec.verbs:
                    self.attachments.append(_compile(f"({verb}) ({what})", grammar, where))

    def is_reaction(self, text: str) -> bool:
        """True for 'Liked “…”', 'Le gustó “…”', 'Reacted 👍 to “…”', 'Loved an image'."""
        stripped = (text or "").strip()
        at = next((i for i, ch in enumerate(stripped) if ch in OPENING_QUOTES), -1)
        if at > 0 and stripped[at + 1 :].strip():
            lead = [w for w in words(stripped[:at]) if w != BREAK]
            if lead and _whole(self.verbs, lead):
                return True
        return _whole(self.attachments, _literal(stripped))


_BOOKS: dict[str, Phrasebook] = {}
_READERS: dict[str, ReactionReader] = {}


def kind(text: str | None, reactions: ReactionReader | None = None) -> Kind:
    """What arrived: text, a reaction to an earlier message, emoji only, or nothing at all."""
    if not text or not text.strip():
        return "empty"
    if reactions is not None and reactions.is_reaction(text):
        return "reaction"
    if word_count(text) == 0:
        return "emoji" if symbols(text) else "empty"
    return "text"


def yes_no(
    text: str, language: str, keywords: KeywordSets, phrasebook: Phrasebook
) -> Literal["yes", "no"] | None:
    """A yes or a no, however typed: "yes please", "yes, it's safe", "claro", "no gracias",
    "no, not safe", "👍"; None when it is neither (or both)."""
    for candidate in (text, phrasebook.clause(text, language)):
        core = " ".join(phrasebook.core(candidate, language)) or candidate
        said_yes = _says(core, keywords.yes, language) or phrasebook.says("yes", core, language)
        said_no = _says(core, keywords.no, language) or phrasebook.says("no", core, language)
        if said_yes and not said_no:
            return "yes"
        if said_no and not said_yes:
            return "no"
    first = phrasebook.core(text, language)[:1]
    if first and unspaced(first[0]):
        first = text.split()[:1]  # Khmer: ទេ (no) is also the start of ទេសចរណ៍ (tourism)
    if first and _says(first[0], keywords.no, language):
        return "no"  # "no he reads my phone": a no, and the safer reading of an unclear answer
    return None


def _says(text: str, by_language: Mapping[str, list[str]], language: str) -> bool:
    if match_keyword(text, by_language.get(language, [])):
        return True
    return any(match_keyword(text, ws) for lang, ws in by_language.items() if lang != language)


def zip_answer(text: str) -> str:
    """An answer to "ZIP code or town?" as the directory's resolver should get it: digits of
    any script in ASCII, punctuation at the ends and extra spaces dropped."""
    folded = " ".join(fold_digits(text).split())
    return folded.strip(" .,;:!?¡¿-_'\"“”()")


def has_zip(text: str) -> bool:
    """Does the answer hold a ZIP code (5 digits, ZIP+4 in any spacing, or 4 digits)?"""
    return bool(ZIP_IN_TEXT.search(fold_digits(text)))
