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

BREAK = "|"  # the word standing for a clause break (punctuation) in a list of words
GAP_WORDS = 3
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

    def parse(self) -> str:
        regex = self._alternatives(closing=None)
        if self.at != len(self.lexemes):
            raise PatternError(f"{self.source!r}: unexpected {self.lexemes[self.at]!r}")
        return regex

    def _alternatives(self, closing: str | None) -> str:
        options = [self._sequence()]
        while self.at < len(self.lexemes) and self.lexemes[self.at] == "|":
            self.at += 1
            options.append(self._sequence())
        if closing is not None:
            if self.at >= len(self.lexemes) or self.lexemes[self.at] != closing:
                raise PatternError(f"{self.source!r}: missing {closing!r}")
            self.at += 1
        return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"

    def _sequence(self) -> str:
        parts = []
        while self.at < len(self.lexemes) and self.lexemes[self.at] not in ("|", ")", "]"):
            parts.append(self._item())
        if not parts:
            raise PatternError(f"{self.source!r}: an empty alternative")
        return "".join(parts)

    def _item(self) -> str:
        lexeme = self.lexemes[self.at]
        self.at += 1
        if lexeme == "(":
            return "(?:" + self._alternatives(")") + ")"
        if lexeme == "[":
            return "(?:" + self._alternatives("]") + ")?"
        if lexeme.startswith("<"):
            return self._group(lexeme[1:-1].strip())
        if lexeme == "#":
            return r"\d+ "
        if lexeme == "~":
            return r"(?:[^\w |] )+"
        if lexeme == "...":
            negations = "|".join(map(re.escape, sorted(self.grammar.negations))) or "(?!)"
            return rf"(?:(?!(?:{negations}) )[^ |][^ ]* ){{0,{GAP_WORDS}}}"
        if lexeme == ".":
            return self._clause_end()
        if lexeme.endswith("*") and len(lexeme) > 1:
            stem = self.words(lexeme[:-1])
            if len(stem) != 1:
                raise PatternError(f"{self.source!r}: {lexeme!r} must be one word")
            self.stems.add(stem[0])
            return re.escape(stem[0]) + r"[^ |]* "
        words = self.words(lexeme)
        if not words:
            raise PatternError(f"{self.source!r}: {lexeme!r} has no letters or digits")
        self.vocabulary |= set(words)
        return "".join(re.escape(w) + " " for w in words)

    def _group(self, name: str) -> str:
        options = self.grammar.groups.get(name)
        if options is None:
            raise PatternError(f"{self.source!r}: unknown group <{name}>")
        if self.depth > 8:
            raise PatternError(f"{self.source!r}: groups nest too deep at <{name}>")
        inner = []
        for option in options:
            parser = _Parser(option, self.grammar, self.words, self.depth + 1)
            inner.append(parser.parse())
            self.vocabulary |= parser.vocabulary
            self.stems |= parser.stems
        return "(?:" + "|".join(inner) + ")"

    def _clause_end(self) -> str:
        ends = self.grammar.clause_starts | self.grammar.clause_words
        words = "|".join(map(re.escape, sorted(ends)))
        starts = f"|(?:{words}) " if words else ""
        return rf"(?=$|\| {starts})"


@dataclass(frozen=True)
class Pattern:
    """One compiled pattern and the words it names itself (its `vocabulary`)."""

    source: str
    label: str
    regex: re.Pattern[str]
    vocabulary: frozenset[str] = frozenset()
    stems: tuple[str, ...] = ()

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
        return " ".join(out)

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
    return Pattern(source, label(source), regex, frozenset(parser.vocabulary), stems)


def label(source: str) -> str:
    """A readable form of a pattern for staff: 'he will (kill|hurt) me' -> 'he will kill/hurt me'."""
    text = re.sub(r"\[([^\[\]]*)\]", r"\1", source)
    text = re.sub(r"\(([^()]*)\)", r"\1", text)
    text = text.replace("|", "/").replace("<", "").replace(">", "").replace("...", "…")
    text = re.sub(r"(?<!\.)\.(?!\.)", "", text)
    return " ".join(text.split())


def joined(words: list[str]) -> tuple[str, list[int]]:
    """The words as one string for matching ('a b | c '), and where each word starts."""
    starts, at = [], 0
    for word in words:
        starts.append(at)
        at += len(word) + 1
    return "".join(w + " " for w in words), starts
