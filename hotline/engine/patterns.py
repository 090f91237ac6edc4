"""Phrase patterns: a small, readable syntax for what people write, matched on normalised words.

Used by the danger lexicon (flows/danger.yaml) and by keyword phrasings (flows/hotline.yaml),
so a language is added as data. Pure: no I/O.

Syntax (words are normalised the way messages are: case, accents and apostrophes folded):

    word        that word
    word*       any word starting with "word"        (golpe* matches golpea, golpeando)
    (a|b c)     one of the alternatives; each may be several words and may nest
    [a|b c]     optional: one of the alternatives, or nothing
    <name>      one of the named group's alternatives (groups are defined next to patterns)
    #           any number written in digits
    ~           one or more emoji (or other pictographs)
    ...         up to 3 more words of the same clause, none of them a negation
    .           the clause ends here: punctuation, a clause word ("but"), a word that starts
                a new clause ("he", "please"), or the end of the message

A message is matched as a list of words in which "|" marks a clause break (punctuation).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hotline.engine.text import join_words

BREAK = "|"  # the word standing for a clause break (punctuation) in a list of words
GAP_WORDS = 3
MEMO_WORDS = 20_000  # words whose candidate patterns an index keeps
_LEX = re.compile(r"\(|\)|\[|\]|\||<[^>]+>|\.\.\.|\.|~|[^\s()\[\]|<>~]+")


class PatternError(ValueError):
    """A pattern that cannot be read; the message says where."""


@dataclass(frozen=True)
class Grammar:
    """What patterns of one language may refer to."""

    groups: Mapping[str, tuple[str, ...]]
    negations: frozenset[str] = frozenset()
    clause_starts: frozenset[str] = frozenset()  # a new clause starts at these words
    clause_words: frozenset[str] = frozenset()  # these words end a clause (conjunctions)


class _Parser:
    """Recursive descent over the pattern's lexemes, producing a regular expression."""

    def __init__(self, source: str, grammar: Grammar, words, depth: int = 0):
        self.source, self.grammar, self.words, self.depth = source, grammar, words, depth
        self.lexemes = _LEX.findall(source)
        self.at = 0
        self.vocabulary: set[str] = set()  # every word the pattern itself names
        self.stems: set[str] = set()  # every word* stem it names
        self.anchors: frozenset[str] | None = None

    def parse(self) -> str:
        regex, self.anchors = self._alternatives(closing=None)
        if self.at != len(self.lexemes):
            raise PatternError(f"{self.source!r}: unexpected {self.lexemes[self.at]!r}")
        return regex

    # Each step returns (regex, anchors): anchors are words one of which any match must hold
    # ("stem*" for a prefix), or None when a match may hold none of a known set.
    def _alternatives(self, closing: str | None) -> tuple[str, frozenset[str] | None]:
        options = [self._sequence()]
        while self.at < len(self.lexemes) and self.lexemes[self.at] == "|":
            self.at += 1
            options.append(self._sequence())
        if closing is not None:
            if self.at >= len(self.lexemes) or self.lexemes[self.at] != closing:
                raise PatternError(f"{self.source!r}: missing {closing!r}")
            self.at += 1
        regex = (
            options[0][0] if len(options) == 1 else "(?:" + "|".join(o[0] for o in options) + ")"
        )
        return regex, _any_of([o[1] for o in options])

    def _sequence(self) -> tuple[str, frozenset[str] | None]:
        parts: list[tuple[str, frozenset[str] | None]] = []
        while self.at < len(self.lexemes) and self.lexemes[self.at] not in ("|", ")", "]"):
            parts.append(self._item())
        if not parts:
            raise PatternError(f"{self.source!r}: an empty alternative")
        known = [a for _, a in parts if a]
        return "".join(r for r, _ in parts), min(known, key=len) if known else None

    def _item(self) -> tuple[str, frozenset[str] | None]:
        lexeme = self.lexemes[self.at]
        self.at += 1
        if lexeme == "(":
            regex, anchors = self._alternatives(")")
            return "(?:" + regex + ")", anchors
        if lexeme == "[":
            return "(?:" + self._alternatives("]")[0] + ")?", None
        if lexeme.startswith("<"):
            return self._group(lexeme[1:-1].strip())
        if lexeme == "#":
            return r"\d+ ", None
        if lexeme == "~":
            return r"(?:[^\w |] )+", None
        if lexeme == "...":
            negations = "|".join(map(re.escape, sorted(self.grammar.negations))) or "(?!)"
            return rf"(?:(?!(?:{negations}) )[^ |][^ ]* ){{0,{GAP_WORDS}}}", None
        if lexeme == ".":
            return self._clause_end(), None
        if lexeme.endswith("*") and len(lexeme) > 1:
            stem = self.words(lexeme[:-1])
            if len(stem) != 1:
                raise PatternError(f"{self.source!r}: {lexeme!r} must be one word")
            self.stems.add(stem[0])
            return re.escape(stem[0]) + r"[^ |]* ", frozenset({stem[0] + "*"})
        words = self.words(lexeme)
        if not words:
            raise PatternError(f"{self.source!r}: {lexeme!r} has no letters or digits")
        self.vocabulary |= set(words)
        return "".join(re.escape(w) + " " for w in words), frozenset({words[0]})

    def _group(self, name: str) -> tuple[str, frozenset[str] | None]:
        options = self.grammar.groups.get(name)
        if options is None:
            raise PatternError(f"{self.source!r}: unknown group <{name}>")
        if self.depth > 8:
            raise PatternError(f"{self.source!r}: groups nest too deep at <{name}>")
        inner, anchors = [], []
        for option in options:
            parser = _Parser(option, self.grammar, self.words, self.depth + 1)
            inner.append(parser.parse())
            anchors.append(parser.anchors)
            self.vocabulary |= parser.vocabulary
            self.stems |= parser.stems
        return "(?:" + "|".join(inner) + ")", _any_of(anchors)

    def _clause_end(self) -> str:
        ends = self.grammar.clause_starts | self.grammar.clause_words
        words = "|".join(map(re.escape, sorted(ends)))
        starts = f"|(?:{words}) " if words else ""
        return rf"(?=$|\| {starts})"


def _any_of(options: list[frozenset[str] | None]) -> frozenset[str] | None:
    """Anchors of alternatives: all of theirs together, or None if one has none."""
    if any(o is None for o in options):
        return None
    return frozenset().union(*options)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Pattern:
    """One compiled pattern and the words it names itself (its `vocabulary`)."""

    source: str
    regex: re.Pattern[str]
    vocabulary: frozenset[str] = frozenset()
    stems: tuple[str, ...] = ()
    anchors: frozenset[str] | None = None  # one of these words (stem* a prefix) is in any match

    def shown(self, matched: list[str]) -> str:
        """The matched words as staff may see them: only words the pattern names (or that
        start with a stem it names); any other (a gap, a number) becomes "…", so no message
        text leaks."""
        out: list[str] = []
        for word in matched:
            named = word in self.vocabulary or word.startswith(self.stems)
            shown = word if named else "…"
            if not (shown == "…" and out and out[-1] == "…"):
                out.append(shown)
        return join_words(out)

    def spans(self, joined: str, starts: list[int]) -> Iterable[tuple[int, int]]:
        """(first word, word after the last) of each match in a joined word list."""
        for match in self.regex.finditer(joined):
            if match.end() > match.start():
                first = bisect_left(starts, match.start())
                yield first, first + match.group(0).count(" ")


def compile_pattern(source: str, grammar: Grammar, words) -> Pattern:
    """Compile one pattern; `words` splits a literal into normalised words like a message.

    Raises PatternError with the pattern and what is wrong.
    """
    parser = _Parser(source, grammar, words)
    body = parser.parse()
    regex = re.compile(r"(?:^|(?<= ))" + body)
    stems = tuple(sorted(parser.stems))
    return Pattern(source, regex, frozenset(parser.vocabulary), stems, parser.anchors)


def joined(words: list[str]) -> tuple[str, list[int]]:
    """The words as one string for matching ('a b | c '), and where each word starts."""
    starts, at = [], 0
    for word in words:
        starts.append(at)
        at += len(word) + 1
    return "".join(w + " " for w in words), starts


class PatternIndex:
    """Patterns by the words one of which any of their matches must hold: for a message, only
    the patterns that can match are tried (a few of hundreds)."""

    def __init__(self, patterns: list[Pattern]):
        self.patterns = patterns
        self.always: list[int] = []
        self.by_word: dict[str, list[int]] = {}
        self.by_stem: dict[str, list[int]] = {}
        for index, pattern in enumerate(patterns):
            if pattern.anchors is None:
                self.always.append(index)
                continue
            for anchor in pattern.anchors:
                if anchor.endswith("*"):
                    self.by_stem.setdefault(anchor[:-1], []).append(index)
                else:
                    self.by_word.setdefault(anchor, []).append(index)
        self.stem_lengths = sorted({len(stem) for stem in self.by_stem})
        self._by_any: dict[str, frozenset[int]] = {}  # word -> the patterns it anchors

    def candidates(self, words: Iterable[str]) -> list[int]:
        """Indexes of the patterns that may match a message made of these words."""
        found = set(self.always)
        memo = self._by_any
        for word in set(words):
            hit = memo.get(word)
            found |= self._anchored(word) if hit is None else hit
        return sorted(found)

    def _anchored(self, word: str) -> frozenset[int]:
        """The patterns one word can anchor, as a word or through a stem; kept per word (the
        same words come back in every message and in every reading of the recent window)."""
        found = set(self.by_word.get(word, ()))
        for n in self.stem_lengths:
            if n > len(word):
                break
            found.update(self.by_stem.get(word[:n], ()))
        if len(self._by_any) >= MEMO_WORDS:
            self._by_any.clear()  # bounded: anyone can send new words
        hit = self._by_any[word] = frozenset(found)
        return hit
