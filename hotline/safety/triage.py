"""Danger triage: score a message against the lexicon in flows/danger.yaml. Pure, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field

from hotline.engine.text import normalize

NEGATION_WINDOW = 3
_APOSTROPHES = re.compile(r"['’`´]")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Lower-case, accent-free words; apostrophes dropped so "can't" is "cant"."""
    return [t for t in _NON_WORD.split(normalize(_APOSTROPHES.sub("", text or ""))) if t]


class LanguageLexicon(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    phrases: dict[str, float]
    negations: list[str] = Field(default_factory=list)
    spelling: dict[str, str] = Field(default_factory=dict)
    ignore: list[str] = Field(default_factory=list)


class Lexicon(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: float = 1.0
    languages: dict[str, LanguageLexicon]

    @cached_property
    def compiled(self) -> list[_Compiled]:
        return [_Compiled.build(lang, lex) for lang, lex in self.languages.items()]


@dataclass(frozen=True)
class Verdict:
    score: float
    matched: tuple[str, ...]  # the lexicon phrases that counted (shown to staff, not the text)
    urgent: bool
    language: str | None = None  # the lexicon language that matched best

    @property
    def flag(self) -> str:
        """What staff see on the queue: the phrases, never the message."""
        return f"urgent words: {', '.join(self.matched)}" if self.matched else ""


@dataclass(frozen=True)
class _Compiled:
    language: str
    phrases: tuple[tuple[tuple[str, ...], str, float], ...]  # (tokens, phrase, weight)
    by_first: dict[str, tuple[int, ...]]  # first word -> indexes into phrases
    negations: frozenset[str]
    spelling: dict[str, tuple[str, ...]]
    ignore: tuple[tuple[str, ...], ...]

    @classmethod
    def build(cls, language: str, lex: LanguageLexicon) -> _Compiled:
        phrases = tuple(
            sorted(
                ((tuple(tokens(p)), p, w) for p, w in lex.phrases.items()), key=lambda x: -len(x[0])
            )
        )
        by_first: dict[str, list[int]] = {}
        for index, (phrase_tokens, _, _) in enumerate(phrases):
            by_first.setdefault(phrase_tokens[0], []).append(index)
        return cls(
            language=language,
            phrases=phrases,
            by_first={word: tuple(ixs) for word, ixs in by_first.items()},
            negations=frozenset(normalize(n) for n in lex.negations),
            spelling={normalize(k): tuple(tokens(v)) for k, v in lex.spelling.items()},
            ignore=tuple(tuple(tokens(i)) for i in lex.ignore),
        )

    def words(self, text: str) -> list[str]:
        out: list[str] = []
        for word in tokens(text):
            out.extend(self.spelling.get(word, (word,)))
        return _remove_phrases(out, self.ignore)

    def candidates(self, words: list[str]) -> list[tuple[int, int]]:
        """(phrase index, start) of every occurrence, longest phrases first (index order)."""
        found = []
        for start, word in enumerate(words):
            for index in self.by_first.get(word, ()):
                phrase = self.phrases[index][0]
                if tuple(words[start : start + len(phrase)]) == phrase:
                    found.append((index, start))
        return sorted(found)

    def score(self, text: str) -> tuple[float, list[str]]:
        """Each phrase counts once, on words no longer phrase took, unless negated just before."""
        words = self.words(text)
        used = [False] * len(words)
        total, matched, counted = 0.0, [], set()
        for index, start in self.candidates(words):
            phrase_tokens, phrase, weight = self.phrases[index]
            span = range(start, start + len(phrase_tokens))
            if index in counted or any(used[i] for i in span) or self._negated(words, start):
                continue
            for i in span:
                used[i] = True
            counted.add(index)
            total += weight
            matched.append(phrase)
        return total, matched

    def _negated(self, words: list[str], start: int) -> bool:
        window = words[max(0, start - NEGATION_WINDOW) : start]
        return any(w in self.negations for w in window)


def _find(words: list[str], phrase: tuple[str, ...]) -> list[int]:
    n = len(phrase)
    return [i for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == phrase]


def _remove_phrases(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> list[str]:
    for phrase in phrases:
        for start in reversed(_find(words, phrase)):
            words = words[:start] + ["|"] + words[start + len(phrase) :]
    return words


def assess(lexicon: Lexicon, text: str) -> Verdict:
    """The highest score over the lexicon's languages (people mix languages)."""
    best: tuple[float, list[str], str | None] = (0.0, [], None)
    for compiled in lexicon.compiled:
        score, matched = compiled.score(text)
        if score > best[0]:
            best = (score, matched, compiled.language)
    score = round(best[0], 3)
    return Verdict(score, tuple(best[1]), score >= lexicon.threshold, best[2])
