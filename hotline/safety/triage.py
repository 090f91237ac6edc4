"""Danger triage: score a person's words against the lexicon in flows/danger.yaml. Pure, no I/O.

Two categories per language, each a set of weighted patterns (hotline.engine.patterns):

- danger (`phrases`): someone may be in danger now. At or above `threshold` the message is
  urgent: 911 and the 24/7 line at once, and a priority-1 escalation.
- `disclosure`: trafficking that is not imminent danger (selling sex for someone, a debt that
  can never be paid, documents or pay withheld, forced long hours, being watched). At or above
  `disclosure_threshold` the conversation goes to a person with a raised priority.

How a message is read, per language:

1. words: case, accents and digits folded, contractions spelled out, "|" at punctuation,
   stretched words read as themselves ("heeelp": "help", with EMPHASIS at the end);
2. the hotline's own texts quoted back (ECHO_QUOTE words in a row of any flow text) are set
   aside, and a message mostly made of them is set aside whole, so "Emergency: call or text
   911" pasted or quoted is not a cry for help;
3. `spelling` fixes (text-speak, misspellings); then a word the lexicon does not name is read
   as the lexicon word it sounds like (`sounds`: "hiting" as "hitting", "kiere" as "quiere",
   "enserrada" as "encerr*"), never as a word two lexicon words share; then `ignore`
   patterns (street names, idioms such as "this job is killing me") are set aside;
4. every pattern's matches, heaviest first (then longest): each word counts once, each
   pattern once; negative weights (laughter) pull a score down;
5. a match is negated only by a negation that governs it: at most NEGATION_WINDOW words before
   it in the same clause (punctuation, "but", a new subject end a clause), not followed by a
   word that undoes it ("won't stop hitting me"), not an interjection ("no no no"); a phrase
   that opens with its own subject ("he will kill me") is never negated from outside it, nor
   one that opens with a clitic (`clitics`: Spanish "me", "nos") when a verb stands between
   it and the negation ("no me llames, me va a matar": the "no" governs "llames").

A message with danger words below the threshold (`concern_threshold` or more) is a concern:
never urgent, but at a menu it goes to a person rather than "did not understand".

The channel keeps a texter's recent messages (sealed in the session) and passes them as
`earlier`: they are read together with the new one, which counts when it adds to the score.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hotline.engine.patterns import (
    Grammar,
    Pattern,
    PatternError,
    PatternIndex,
    compile_pattern,
    joined,
)
from hotline.engine.text import BREAK, elongated, word_weight, words

NEGATION_WINDOW = 3
ECHO_WORDS = 5  # words in a row of a hotline text that may be part of a quote
ECHO_QUOTE = 8  # a run of hotline words this long (a Khmer cluster counts half) is a quote
ECHO_SHARE = 0.6  # a message this much made of quoted hotline text is set aside whole
EMPHASIS = "❗"  # added at the end of a message that stretches a word ("heeelp"); patterns
# may weigh it like a word


class LanguageLexicon(BaseModel):
    """One language's lexicon: weighted patterns and the words that shape how they match."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    phrases: dict[str, float]  # danger now: pattern -> weight
    disclosure: dict[str, float] = Field(default_factory=dict)  # trafficking, not imminent
    groups: dict[str, list[str]] = Field(default_factory=dict)  # <name> -> alternatives
    negations: list[str] = Field(default_factory=list)
    not_negating: list[str] = Field(default_factory=list)  # "won't STOP hitting me"
    clause_words: list[str] = Field(default_factory=list)  # end a clause: but, because, pero
    clause_starts: list[str] = Field(default_factory=list)  # start a clause: he, she, please
    contractions: dict[str, str] = Field(default_factory=dict)  # "'ll" -> " will"
    spelling: dict[str, str] = Field(default_factory=dict)  # word -> words
    # how a word sounds, for misspellings: regex -> replacement, applied in order to a word
    # and to the lexicon's own words; an unknown word with the key of one lexicon word is it
    sounds: list[tuple[str, str]] = Field(default_factory=list)
    real_words: list[str] = Field(default_factory=list)  # never read as another ("tapped")
    clitics: list[str] = Field(default_factory=list)  # "no me llames, me va a matar"
    prepositions: list[str] = Field(default_factory=list)  # "no tengo a nadie": an object
    ignore: list[str] = Field(default_factory=list)  # patterns set aside before matching
    # words a negation may stand before what it governs; Khmer, read as clusters (two or so
    # a word, hotline.engine.text), needs more than a language written with spaces
    negation_window: int = Field(default=NEGATION_WINDOW, ge=1, le=12)

    @model_validator(mode="after")
    def _compiles(self) -> LanguageLexicon:
        _Compiled.cached("", self, self.contractions)  # raises ValueError naming a bad pattern
        return self


class Lexicon(BaseModel):
    """flows/danger.yaml: thresholds and a lexicon per language (people mix languages)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: float = 1.0
    disclosure_threshold: float = 1.0
    concern_threshold: float = 0.4  # danger words below the threshold: bring in a person
    languages: dict[str, LanguageLexicon]

    @cached_property
    def contractions(self) -> dict[str, str]:
        """Every language's contractions: spelled out before any language reads the words."""
        return {k: v for lex in self.languages.values() for k, v in lex.contractions.items()}

    @cached_property
    def compiled(self) -> list[_Compiled]:
        return [
            _Compiled.cached(lang, lex, self.contractions) for lang, lex in self.languages.items()
        ]

    def base(self, text: str) -> list[str]:
        """A message's words before any language's spelling fixes (a stretched word is read
        as itself, "heeelp" as "help", and EMPHASIS closes the message)."""
        return list(_base(text, tuple(sorted(self.contractions.items()))))


@dataclass(frozen=True)
class Verdict:
    score: float
    matched: tuple[str, ...]  # the lexicon phrases that counted (shown to staff, not the text)
    urgent: bool
    language: str | None = None  # the lexicon language that matched best
    disclosure: tuple[str, ...] = ()  # disclosure phrases that counted
    disclosed: bool = False
    scores: dict[str, float] = field(default_factory=dict)  # danger score per language
    concerned: bool = False  # danger words below the threshold (concern_threshold or more)

    @property
    def concern_flag(self) -> str:
        """Danger words short of urgent, as staff see them (they raise the priority too)."""
        return f"danger words: {', '.join(self.matched)}" if self.concerned else ""

    @property
    def flag(self) -> str:
        """What staff see on the queue: the phrases, never the message."""
        return f"urgent words: {', '.join(self.matched)}" if self.matched else ""

    @property
    def disclosure_flag(self) -> str:
        return f"disclosure words: {', '.join(self.disclosure)}" if self.disclosure else ""


@dataclass(frozen=True)
class _Weighted:
    pattern: Pattern
    weight: float


class _Table:
    """Weighted patterns with an index of the words they need."""

    def __init__(self, items: list[_Weighted]):
        self.items = items
        self.index = PatternIndex([item.pattern for item in items])


@dataclass(frozen=True)
class _Reading:
    danger: float
    danger_labels: tuple[str, ...]
    disclosure: float
    disclosure_labels: tuple[str, ...]


@dataclass(frozen=True)
class _Compiled:
    language: str
    danger: _Table
    disclosure: _Table
    ignore: PatternIndex
    negations: frozenset[str]
    not_negating: frozenset[str]
    clause_words: frozenset[str]
    clause_starts: frozenset[str]
    spelling: dict[tuple[str, ...], tuple[str, ...]]
    sounds: _Sounds
    clitics: frozenset[str]
    prepositions: frozenset[str]
    negation_window: int = NEGATION_WINDOW
    longest: int = 1  # words in the longest negation, clause word or clause start

    @classmethod
    def cached(cls, language: str, lex: LanguageLexicon, contractions: dict[str, str]) -> _Compiled:
        """Compiled once per content: every app and test loading the same lexicon shares it."""
        key = (lex.model_dump_json(), json.dumps(contractions, sort_keys=True))
        compiled = _COMPILED.get(key)
        if compiled is None:
            compiled = _COMPILED[key] = cls.build("", lex, contractions)
        return replace(compiled, language=language)

    @classmethod
    def build(cls, language: str, lex: LanguageLexicon, contractions: dict[str, str]) -> _Compiled:
        # a key may be several words as messages are read ("mata-la", a Khmer word of several
        # clusters): the whole run is replaced, never its first word alone
        spelling = {
            tuple(said): tuple(words(v, contractions))
            for k, v in lex.spelling.items()
            if (said := words(k, contractions))
        }

        def literal(text: str) -> list[str]:
            return _spell(words(text, contractions), spelling)[0]

        def single(items: list[str]) -> frozenset[str]:
            return frozenset(" ".join(literal(i)) for i in items)

        grammar = Grammar(
            groups={name: tuple(options) for name, options in lex.groups.items()},
            negations=single(lex.negations),
            clause_starts=single(lex.clause_starts),
            clause_words=single(lex.clause_words),
        )

        def patterns(sources: Iterable[str], where: str) -> list[Pattern]:
            out = []
            for source in sources:
                try:
                    out.append(compile_pattern(source, grammar, literal))
                except PatternError as exc:
                    raise ValueError(f"{where}: {exc}") from exc
            return out

        def weighted(table: dict[str, float], where: str) -> _Table:
            compiled = patterns(table, where)
            return _Table([_Weighted(p, w) for p, w in zip(compiled, table.values(), strict=True)])

        danger = weighted(lex.phrases, "phrases")
        disclosure = weighted(lex.disclosure, "disclosure")
        named = [w.pattern for table in (danger, disclosure) for w in table.items]
        ignore = patterns(lex.ignore, "ignore")
        known = (
            {w for key in spelling for w in key}
            | grammar.negations
            | {w for p in ignore for w in p.vocabulary}
        )
        known |= {w for text in lex.real_words for w in literal(text)}
        return cls(
            language=language,
            danger=danger,
            disclosure=disclosure,
            ignore=PatternIndex(ignore),
            negations=grammar.negations,
            not_negating=single(lex.not_negating),
            clause_words=grammar.clause_words,
            clause_starts=grammar.clause_starts,
            spelling=spelling,
            sounds=_Sounds.build(lex.sounds, named, known),
            clitics=single(lex.clitics),
            prepositions=single(lex.prepositions),
            negation_window=lex.negation_window,
            longest=max(
                (
                    w.count(" ") + 1
                    for group in (grammar.negations, grammar.clause_words, grammar.clause_starts)
                    for w in group | single(lex.not_negating)
                ),
                default=1,
            ),
        )

    # -- reading --------------------------------------------------------------------------
    def spell(self, base: list[str]) -> tuple[list[str], list[int]]:
        """The words with this language's spelling fixes (and words read by how they sound),
        and where each came from."""
        return _spell(base, self.spelling, self.sounds)

    def ignored(self, said: list[str], origin: list[int]) -> set[int]:
        """Which of the message's words (by index before spelling) `ignore` sets aside."""
        text, starts = joined(said)
        patterns = [self.ignore.patterns[i] for i in self.ignore.candidates(said)]
        return {origin[i] for p in patterns for a, b in p.spans(text, starts) for i in range(a, b)}

    def read(self, said: list[str], bounds: frozenset[int] = frozenset()) -> _Reading:
        """Danger and disclosure scores; `bounds`: where each later message of the window
        starts (a negation never reaches back across one)."""
        text = joined(said)  # once for both tables
        danger, danger_labels = self._score(said, text, self.danger, bounds)
        disclosure, disclosure_labels = self._score(said, text, self.disclosure, bounds)
        return _Reading(danger, danger_labels, disclosure, disclosure_labels)

    def _score(
        self,
        said: list[str],
        said_joined: tuple[str, list[int]],
        table: _Table,
        bounds: frozenset[int],
    ) -> tuple[float, tuple[str, ...]]:
        """Heaviest matches first (then longest); each word once, each pattern once; a negated
        match still takes its words, so a shorter phrase inside it cannot count instead.
        `said_joined`: joined(said), made once for both tables."""
        text, starts = said_joined
        items = table.items
        found = [
            (-abs(items[index].weight), a - b, a, b, index)
            for index in table.index.candidates(said)
            for a, b in items[index].pattern.spans(text, starts)
        ]
        found.sort()
        used = [False] * len(said)
        counted: set[int] = set()
        total, labels = 0.0, []
        for _, _, a, b, index in found:
            if index in counted or any(used[a:b]):
                continue
            for i in range(a, b):
                used[i] = True
            if self._negated(said, a, bounds):
                continue
            counted.add(index)
            total += items[index].weight
            shown = items[index].pattern.shown(said[a:b])
            if items[index].weight > 0 and shown not in labels:
                labels.append(shown)
        return total, tuple(labels)

    def _negated(self, said: list[str], start: int, bounds: frozenset[int]) -> bool:
        if self._starts(said, start, self.clause_starts):
            return False  # "no he will kill me": a phrase with its own subject
        if said[start] in self.clitics:  # "no me llames, me va a matar": only "no me mata"
            k = start - 1
            while k >= 0 and said[k] in self.clitics and k not in bounds:
                k -= 1
            if k < 0 or k + 1 in bounds:
                return False
            n = self._ends(said, k, self.negations)
            return bool(n) and self._governs(said, k, n)
        k, seen = start - 1, 0
        while k >= 0 and seen < self.negation_window:
            if k + 1 in bounds:
                return False  # the negation is in an earlier message
            if said[k] == BREAK or self._ends(said, k, self.clause_words | self.clause_starts):
                return False
            n = self._ends(said, k, self.negations)
            if n:
                if self._starts(said, k + 1, self.not_negating):
                    k, seen = k - n, seen + 1
                    continue  # "won't stop hitting me", "no deja de pegarme"
                return self._governs(said, k, n)
            k, seen = k - 1, seen + 1
        return False

    def _governs(self, said: list[str], k: int, n: int) -> bool:
        """Does the negation of n words ending at word k govern what follows? Not an
        interjection ("no no no"), not the object of a preposition ("no tengo a nadie")."""
        first = k - n + 1
        repeated = first >= n and said[first - n : first] == said[first : k + 1]
        return not repeated and not (first > 0 and said[first - 1] in self.prepositions)

    def _ends(self, said: list[str], k: int, phrases: frozenset[str]) -> int:
        """How many words of one of `phrases` end at word k (a Khmer word is several
        clusters), or 0."""
        for n in range(1, self.longest + 1):
            if k - n + 1 < 0:
                break
            if " ".join(said[k - n + 1 : k + 1]) in phrases:
                return n
        return 0

    def _starts(self, said: list[str], start: int, phrases: frozenset[str]) -> bool:
        """Does one of `phrases` start at word `start`?"""
        return any(
            " ".join(said[start : start + n]) in phrases
            for n in range(1, min(self.longest, len(said) - start) + 1)
        )


_COMPILED: dict[tuple[str, str], _Compiled] = {}


@lru_cache(maxsize=4096)
def _base(text: str, contractions: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """words() of a message, with EMPHASIS closing it when a word is stretched; cached, as
    the window reads the same recent messages again with each new one."""
    said = words(text, dict(contractions))
    return (*said, BREAK, EMPHASIS) if said and elongated(text) else tuple(said)


def _spell(
    said: list[str],
    spelling: dict[tuple[str, ...], tuple[str, ...]],
    sounds: _Sounds | None = None,
) -> tuple[list[str], list[int]]:
    """Spelling fixes applied (the longest key first); for each word out, the index of the
    word it came from (a fix of several words comes from the first of them)."""
    out: list[str] = []
    origin: list[int] = []
    longest = max((len(key) for key in spelling), default=1)
    index = 0
    while index < len(said):
        for n in range(min(longest, len(said) - index), 0, -1):
            fixed = spelling.get(tuple(said[index : index + n]))
            if fixed is not None:
                break
        else:
            n, word = 1, said[index]
            fixed = (sounds.read(word),) if sounds is not None else (word,)
        out.extend(fixed)
        origin.extend([index] * len(fixed))
        index += n
    return out, origin


SOUNDS_MIN = 4  # shorter words are never read by how they sound ("bet" is not "beat")


class _Sounds:
    """Misspellings read as the lexicon word they sound like: each of the lexicon's words (and
    word* stems) has a key (its `sounds` rules applied: doubled letters, "qu" and "k", "z" and
    "s"...); a word the lexicon does not name, whose key is one word's key (or starts with a
    stem's), is read as that word. A key two lexicon words share is never used."""

    def __init__(self, rules: list[tuple[re.Pattern[str], str]], exact: dict[str, str],
                 stems: list[tuple[str, str]], known: frozenset[str]):  # fmt: skip
        self.rules, self.exact, self.stems, self.known = rules, exact, stems, known
        self.read = lru_cache(maxsize=8192)(self._read)

    @classmethod
    def build(
        cls, sources: list[tuple[str, str]], patterns: list[Pattern], known: set[str]
    ) -> _Sounds:
        rules = [(re.compile(a), b) for a, b in sources]
        vocabulary = {w for p in patterns for w in p.vocabulary if w.isalpha()}
        stems = {s for p in patterns for s in p.stems if s.isalpha()}
        exact: dict[str, str | None] = {}
        for word in vocabulary:
            if len(word) >= SOUNDS_MIN - 1:  # "gunn" is "gun"
                key = _key(rules, word)
                exact[key] = word if exact.get(key, word) == word else None
        keyed = ((_key(rules, s), s) for s in stems)  # a short stem's key says too little
        by_stem = sorted(
            ((k, s) for k, s in keyed if len(k) > SOUNDS_MIN), key=lambda x: -len(x[0])
        )
        return cls(
            rules,
            {k: v for k, v in exact.items() if v is not None},
            by_stem,
            frozenset(vocabulary | known),
        )

    def _read(self, word: str) -> str:
        if not self.rules or len(word) < SOUNDS_MIN or word in self.known or not word.isalpha():
            return word
        if any(word.startswith(stem) for _, stem in self.stems):
            return word
        key = _key(self.rules, word)
        found = self.exact.get(key)
        if found is not None:
            return found
        for stem_key, stem in self.stems:
            if key.startswith(stem_key):
                return stem  # the stem itself matches "stem*"
        return word


def _key(rules: list[tuple[re.Pattern[str], str]], word: str) -> str:
    for pattern, replacement in rules:
        word = pattern.sub(replacement, word)
    return word


def _set_aside(said: list[str], spans: list[tuple[int, int]]) -> list[str]:
    """Each word of the spans becomes a clause break (nothing matches across it); the list
    keeps its length, so indexes into it stay true."""
    if not spans:
        return said
    drop = {i for a, b in spans for i in range(a, b)}
    return [BREAK if i in drop else word for i, word in enumerate(said)]


class Echo:
    """The hotline's own texts, so that words quoted back from them never count."""

    def __init__(self, lexicon: Lexicon, texts: Iterable[str]):
        self.shingles = frozenset(s for t in texts for s in _shingles(lexicon.base(t)))

    def set_aside(self, said: list[str]) -> list[str]:
        shingles = self.shingles
        if not shingles:
            return said
        at = [i for i, w in enumerate(said) if w != BREAK]
        plain = [said[i] for i in at]
        spans = [
            (at[i], at[i + ECHO_WORDS - 1] + 1)
            for i in range(len(plain) - ECHO_WORDS + 1)
            if tuple(plain[i : i + ECHO_WORDS]) in shingles
        ]
        runs: list[tuple[int, int]] = []  # overlapping spans joined
        for a, b in spans:
            if runs and a < runs[-1][1]:
                runs[-1] = (runs[-1][0], b)
            else:
                runs.append((a, b))

        def weight(a: int, b: int) -> float:
            return sum(word_weight(w) for w in said[a:b] if w != BREAK)

        # A few words in common are not a quote: "m gen yon dèt ki pa janm fini" says what
        # the hotline's list of signs says, in the texter's own words. Once one run is long
        # enough to be a quote, every run is part of it.
        if not any(weight(a, b) >= ECHO_QUOTE for a, b in runs):
            return said
        if sum(weight(a, b) for a, b in runs) >= ECHO_SHARE * weight(0, len(said)):
            return _set_aside(said, [(0, len(said))])  # mostly the hotline's words: a quote
        return _set_aside(said, runs)


def _shingles(said: list[str]) -> set[tuple[str, ...]]:
    plain = [w for w in said if w != BREAK]
    return {tuple(plain[i : i + ECHO_WORDS]) for i in range(len(plain) - ECHO_WORDS + 1)}


_ECHOES: dict[tuple[str, tuple[str, ...]], Echo] = {}


@dataclass(frozen=True)
class Triage:
    """The lexicon and the hotline's own texts: what the channels score each message with."""

    lexicon: Lexicon
    echo: Echo

    @classmethod
    def build(cls, lexicon: Lexicon, hotline_texts: Iterable[str]) -> Triage:
        texts = tuple(hotline_texts)
        key = (lexicon.model_dump_json(), texts)
        echo = _ECHOES.get(key)
        if echo is None:
            echo = _ECHOES[key] = Echo(lexicon, texts)
        return cls(lexicon, echo)

    def assess(self, text: str, earlier: Sequence[str] = ()) -> Verdict:
        return assess(self.lexicon, text, earlier, self.echo)


def assess(
    lexicon: Lexicon, text: str, earlier: Sequence[str] = (), echo: Echo | None = None
) -> Verdict:
    """Score a message (with the texter's `earlier` recent messages) in every language.

    The window is read as one run of words, so a phrase split over two texts counts, but a
    negation in one text never reaches into the next. Urgent when the danger score reaches
    the threshold and the new message adds to it; disclosed likewise for disclosures. The
    best-scoring language is reported.
    """
    now = _read_all(lexicon, [*earlier, text], echo)
    high = any(
        r.danger >= lexicon.threshold or r.disclosure >= lexicon.disclosure_threshold
        for r in now.values()
    )
    before = _read_all(lexicon, list(earlier), echo) if earlier and high else {}
    best_lang, best = None, _Reading(0.0, (), 0.0, ())
    for lang, reading in now.items():
        if (reading.danger, reading.disclosure) > (best.danger, best.disclosure):
            best_lang, best = lang, reading
    danger_before = max((r.danger for r in before.values()), default=0.0)
    disclosure_before = max((r.disclosure for r in before.values()), default=0.0)
    score = round(best.danger, 3)
    urgent = score >= lexicon.threshold and best.danger > danger_before
    top = max(now.values(), key=lambda r: r.disclosure, default=best)
    disclosed = top.disclosure >= lexicon.disclosure_threshold and (
        top.disclosure > disclosure_before
    )
    return Verdict(
        score=score,
        matched=best.danger_labels,
        urgent=urgent,
        language=best_lang,
        disclosure=top.disclosure_labels if disclosed else (),
        disclosed=disclosed,
        scores={lang: round(r.danger, 3) for lang, r in now.items()},
        concerned=not urgent and score >= lexicon.concern_threshold and bool(best.danger_labels),
    )


def _read_all(lexicon: Lexicon, texts: list[str], echo: Echo | None) -> dict[str, _Reading]:
    """Every language's reading of the texts, after the hotline's own words and every
    language's `ignore` patterns (idioms, street names) are set aside: "called 911 yesterday"
    read by the English lexicon does not become a cry for help in the Spanish one."""
    said: list[str] = []
    starts: set[int] = set()
    for text in texts:
        words_of_text = lexicon.base(text)
        if said and words_of_text:
            starts.add(len(said))
        said += words_of_text
    if echo is not None:
        said = echo.set_aside(said)
    spelled = {c.language: c.spell(said) for c in lexicon.compiled}
    ignored: set[int] = set()
    for c in lexicon.compiled:
        ignored |= c.ignored(*spelled[c.language])
    out = {}
    for c in lexicon.compiled:
        fixed, origin = spelled[c.language]
        fixed = [BREAK if origin[i] in ignored else w for i, w in enumerate(fixed)]
        bounds = frozenset(
            i for i in range(1, len(fixed)) if origin[i] in starts and origin[i - 1] != origin[i]
        )
        out[c.language] = c.read(fixed, bounds)
    return out
