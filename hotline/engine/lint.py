"""Static checks of flows (goflow-style): every problem names flow, node and field."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from hotline.engine.models import (
    AskNode,
    EndNode,
    Flow,
    Hotline,
    LookupNode,
    MenuNode,
    NodeBase,
    Option,
    Text,
    TransferNode,
    WaitingNode,
)
from hotline.engine.runtime import LANGUAGES_VAR, language_list
from hotline.engine.segments import segment_count
from hotline.engine.text import (
    BREAK,
    fill,
    join_words,
    normalize,
    opening_words,
    placeholders,
    words,
)

_WORD = re.compile(r"[\w/]+", re.UNICODE)

TEXT_FIELDS = (
    "text", "voice", "invalid", "silence", "found", "not_found", "outside",
    "connecting", "closed", "no_answer",
)  # fmt: skip
RUNTIME_VARS = {"page", "minutes", "day", "time", "languages"}  # the channel or engine fills


@dataclass(frozen=True)
class Problem:
    flow: str
    path: tuple[str | int, ...]  # where in the flow file, e.g. ("nodes", "menu", "text", "es")
    message: str

    def __str__(self) -> str:
        return f"{self.flow}: {'.'.join(map(str, self.path))}: {self.message}"


def lint(hotline: Hotline, context: Mapping[str, str] | None = None) -> list[Problem]:
    """All problems in all flows, in file order."""
    problems = list(_keyword_problems(hotline)) + list(_claim_problems(hotline))
    problems += list(_discretion_problems(hotline)) + list(_detection_problems(hotline, context))
    for flow in hotline.flows.values():
        problems += FlowLinter(hotline, flow, dict(context or {})).run()
    return problems


_SPACED_DIGIT = re.compile(r"\b(\d) (?=\d\b)")


class TextRules:
    """The rules any reply text must follow, whoever wrote it (a flow, or the directory's
    formatter): no revealing word among its first words, no claim its language may not make.
    Pure: give it the texts; `hotline/resources/lint.py` feeds it formatted directory results.
    """

    def __init__(self, hotline: Hotline, context: Mapping[str, str] | None = None):
        self.context = dict(context or {})
        rules = hotline.discretion
        self.first_words = rules.first_words
        self.revealing = {lang: {normalize(w) for w in ws} for lang, ws in rules.revealing.items()}
        # several words ("buôn người"), or a word of a script written without spaces (Khmer,
        # read as clusters): looked for as a run of words in the opening
        self.revealing_runs = {
            lang: {run for w in ws if len(run := _run(w)) > 1 or run != (normalize(w),)}
            for lang, ws in rules.revealing.items()
        }
        self.claims = [
            (
                name,
                claim,
                {lang: [re.compile(p) for p in ps] for lang, ps in claim.patterns.items()},
            )
            for name, claim in hotline.claims.items()
        ]

    def revealing_opening(self, lang: str, text: str, also: tuple[str, ...] = ()) -> list[str]:
        """Revealing words among the first words a lock screen shows (lang's list, "*", also)."""
        filled = fill(text, self.context)
        langs = (lang, "*", *also)
        opening = _WORD.findall(normalize(filled))[: self.first_words]
        banned = set().union(*(self.revealing.get(x, set()) for x in langs))
        found = [w for w in opening if w in banned]
        runs = set().union(*(self.revealing_runs.get(x, set()) for x in langs))
        if runs:
            said = opening_words(filled, self.first_words)
            at = {r: _at(said, r) for r in runs}
            found += [join_words(r) for r in sorted(runs, key=lambda r: (at[r], r)) if at[r] >= 0]
        return found

    def forbidden_claims(self, lang: str, text: str) -> list[str]:
        """One message per claim the text makes that its language may not make."""
        said = _SPACED_DIGIT.sub(r"\1", normalize(fill(text, self.context)))
        out = []
        for name, claim, patterns in self.claims:
            if lang in claim.allowed:
                continue
            for pattern in patterns.get(lang, []) + patterns.get("*", []):
                if match := pattern.search(said):
                    out.append(f"says {match.group(0)!r}: claim {name!r} is not allowed in "
                               f"{lang!r} ({claim.rule})")  # fmt: skip
                    break
        return out


def _run(text: str) -> tuple[str, ...]:
    return tuple(w for w in words(text) if w != BREAK)


def _at(said: tuple[str, ...], run: tuple[str, ...]) -> int:
    """Where the run of words first stands in `said`, or -1."""
    n = len(run)
    return next((i for i in range(len(said) - n + 1) if said[i : i + n] == run), -1)


def _discretion_problems(hotline: Hotline) -> Iterator[Problem]:
    """Once the flows list revealing words, every language lists its own: a language without
    a list would have no lock-screen check at all."""
    revealing = hotline.discretion.revealing
    for lang in hotline.languages if revealing else ():
        if not revealing.get(lang) and not revealing.get("*"):
            yield Problem(
                "hotline", ("discretion", "revealing"),
                f"no revealing words for {lang!r}: list the words that must not open a reply",
            )  # fmt: skip


def _detection_problems(hotline: Hotline, context: Mapping[str, str] | None) -> Iterator[Problem]:
    """Every language a first message can be found in has its way back, and the way back
    follows the text rules (claims) like any reply."""
    detection, rules = hotline.detection, TextRules(hotline, context)
    found_in = set(detection.greetings) | {
        code for code, lang in hotline.languages.items() if lang.keywords
    }
    for code in hotline.languages:
        line = detection.way_back.get(code, "")
        if code != hotline.default_language and code in found_in and not line:
            yield Problem(
                "hotline", ("detection", "way_back"),
                f"no way back for {code!r}: the line that ends a reply in a detected language",
            )  # fmt: skip
        for message in rules.forbidden_claims(code, line) if line else []:
            yield Problem("hotline", ("detection", "way_back", code), message)


def _claim_problems(hotline: Hotline) -> Iterator[Problem]:
    """Every language that may not make a claim says how it would, so none repeats a mistake."""
    for name, claim in hotline.claims.items():
        for lang in hotline.languages:
            if lang not in claim.allowed and not claim.patterns.get(lang):
                yield Problem(
                    "hotline", ("claims", name, "patterns"),
                    f"no patterns for {lang!r}: list how {lang!r} would make this claim so "
                    f"`flows check` can refuse it ({claim.rule})",
                )  # fmt: skip


def _keyword_problems(hotline: Hotline) -> Iterator[Problem]:
    for family, by_lang in hotline.keywords.model_dump().items():
        if not by_lang:
            continue
        for lang in hotline.languages:
            if not by_lang.get(lang):
                yield Problem("hotline", ("keywords", family), f"no {family} keywords for {lang!r}")


def edges(node: NodeBase) -> list[tuple[str, str]]:
    """(field, target) for every way out of a node."""
    out = [
        (name, getattr(node, name))
        for name in (
            "next",
            "yes_next",
            "no_next",
            "on_silence",
            "on_retries",
            "not_found_next",
            "unanswered_next",
        )  # fmt: skip
        if getattr(node, name, None)
    ]
    if isinstance(node, MenuNode):
        out += [(f"options.{i}.next", o.next) for i, o in enumerate(node.options)]
    return out


class FlowLinter:
    def __init__(self, hotline: Hotline, flow: Flow, context: dict[str, str]):
        self.hotline, self.flow, self.context = hotline, flow, context
        self.rules = TextRules(hotline, context)
        # A voice flow needs texts only in the languages offered by voice.
        self.langs = [
            code
            for code, language in hotline.languages.items()
            if flow.channel != "voice" or language.voice
        ]
        self.vars = {n.save_as for n in flow.nodes.values() if isinstance(n, AskNode)}
        self.vars |= RUNTIME_VARS | set(context)
        self.problems: list[Problem] = []

    def add(self, path: tuple[str | int, ...], message: str) -> None:
        self.problems.append(Problem(self.flow.id, path, message))

    def run(self) -> list[Problem]:
        self._entry_points()
        for node_id, node in self.flow.nodes.items():
            self._targets(node_id, node)
            self._texts(("nodes", node_id), node)
            if isinstance(node, WaitingNode):
                self._waiting(node_id, node)
            if isinstance(node, MenuNode):
                self._options(node_id, node)
        self._global_options()
        for name, text in self.flow.messages.items():
            self._text(("messages", name), text)
        if not any(p.message.startswith("unknown target") for p in self.problems):
            self._graph()
            if self.flow.channel == "sms":
                Discreet(self).run()
        return self.problems

    def _entry_points(self) -> None:
        for field in ("start", "main_menu", "urgent", "own_words"):
            if getattr(self.flow, field) is None:
                continue
            if getattr(self.flow, field) not in self.flow.nodes:
                self.add((field,), f"unknown target {getattr(self.flow, field)!r}")

    def _targets(self, node_id: str, node: NodeBase) -> None:
        for field, target in edges(node):
            if target not in self.flow.nodes:
                self.add(("nodes", node_id, *field.split(".")), f"unknown target {target!r}")

    def _global_options(self) -> None:
        keys = {o.key for o in self.flow.global_options if o.key}
        for i, option in enumerate(self.flow.global_options):
            if option.next not in self.flow.nodes:
                self.add(("global_options", i, "next"), f"unknown target {option.next!r}")
        for node_id, node in self.flow.nodes.items():
            if isinstance(node, TransferNode) and self.flow.channel != "voice":
                self.add(("nodes", node_id, "kind"), "a transfer works only in a voice flow")
            for i, option in enumerate(getattr(node, "options", [])):
                if option.key in keys:
                    self.add(
                        ("nodes", node_id, "options", i, "key"),
                        f"key {option.key!r} hides the same key in global_options",
                    )

    def _waiting(self, node_id: str, node: WaitingNode) -> None:
        if not node.invalid:
            self.add(("nodes", node_id), "no path for an invalid answer (add 'invalid')")
        if not (node.silence or node.on_silence):
            self.add(("nodes", node_id), "no path for silence (add 'silence' or 'on_silence')")

    def _options(self, node_id: str, node: MenuNode) -> None:
        seen: set[str] = set()
        for i, option in enumerate(node.options):
            if option.key and option.key in seen:
                self.add(("nodes", node_id, "options", i, "key"), f"key {option.key!r} twice")
            seen.add(option.key or "")
            if option.set_language and option.set_language not in self.hotline.languages:
                self.add(
                    ("nodes", node_id, "options", i, "set_language"),
                    f"unknown language {option.set_language!r}",
                )
            if node.digits and option.key and len(option.key) != node.digits:
                self.add(("nodes", node_id, "options", i, "key"), f"not {node.digits} digits")

    # -- texts ----------------------------------------------------------------------------
    def _texts(self, path: tuple[str | int, ...], node: NodeBase) -> None:
        for field in TEXT_FIELDS:
            text = getattr(node, field, None)
            if text:
                self._text((*path, field), text)
        if self.flow.channel == "voice":
            self._voice_prompts(path, node)

    def _text(self, path: tuple[str | int, ...], text: Text) -> None:
        for lang in self.langs:
            if not text.get(lang):
                self.add((*path,), f"missing text in declared language {lang!r}")
        for lang, value in text.items():
            if lang not in self.hotline.languages:
                self.add((*path, lang), f"language {lang!r} is not declared")
                continue
            if lang not in self.langs:
                # a voice text in a language with no voice: said only by a language menu, in
                # the default voice ("For Khmer, press 6"); it still may not make a claim
                for message in self.rules.forbidden_claims(lang, value):
                    self.add((*path, lang), message)
                continue
            self._placeholders((*path, lang), value)
            for message in self.rules.forbidden_claims(lang, value):
                self.add((*path, lang), message)
            if self.flow.channel == "sms":
                self._segments((*path, lang), value)

    def _placeholders(self, path: tuple[str | int, ...], value: str) -> None:
        unknown = placeholders(value) - self.vars
        if unknown:
            self.add(path, f"unknown placeholder(s) {sorted(unknown)}")

    def _segments(self, path: tuple[str | int, ...], value: str) -> None:
        every = [
            Option(key=str(i), next="", set_language=c)
            for i, c in enumerate(self.hotline.languages)
        ]
        sample = fill(
            value,
            {
                **{v: "x" * 20 for v in self.vars},
                LANGUAGES_VAR: language_list(self.hotline, every),
                **self.context,
            },
        )
        count = segment_count(sample)
        budget = self.hotline.languages[path[-1]].sms_segments
        if count > budget:
            self.add(path, f"SMS text is {count} segments (at most {budget})")

    def _voice_prompts(self, path: tuple[str | int, ...], node: NodeBase) -> None:
        for lang, language in self.hotline.languages.items():
            if not language.voice or language.voice.say_language:
                continue
            for field in TEXT_FIELDS:
                if getattr(node, field, None) and not node.audio.get(lang, {}).get(field):
                    self.add(
                        (*path, field),
                        f"voice prompt in {lang!r} has no text-to-speech voice and no recording",
                    )

    # -- graph ----------------------------------------------------------------------------
    def _graph(self) -> None:
        nodes = self.flow.nodes
        starts = {self.flow.start, self.flow.main_menu}
        starts |= {o.next for o in self.flow.global_options if o.next in nodes}
        starts |= {self.flow.urgent} if self.flow.urgent in nodes else set()
        starts |= {self.flow.own_words} if self.flow.own_words in nodes else set()
        reach = _reachable(starts, lambda n: _targets(nodes[n]))
        for node_id in nodes:
            if node_id not in reach:
                self.add(("nodes", node_id), "unreachable from start or main_menu")
        back = self._can_return()
        for node_id in reach:
            if node_id not in back:
                self.add(("nodes", node_id), "no way back to the main menu")
        self._loops()

    def _can_return(self) -> set[str]:
        """Nodes from which the main menu (or an end, which leads back to it) is reachable."""
        nodes = self.flow.nodes
        incoming: dict[str, set[str]] = {n: set() for n in nodes}
        for node_id, node in nodes.items():
            for target in _targets(node):
                incoming[target].add(node_id)
        goals = {self.flow.main_menu} | {
            n for n, node in nodes.items() if isinstance(node, EndNode)
        }
        return _reachable(goals, lambda n: incoming[n])

    def _loops(self) -> None:
        """A cycle through nodes that never wait would spin forever."""
        nodes = self.flow.nodes
        passing = {
            n
            for n, node in nodes.items()
            if not isinstance(node, WaitingNode | LookupNode | TransferNode | EndNode)
        }
        for start in passing:
            seen, current = set(), start
            while current in passing and current not in seen:
                seen.add(current)
                current = getattr(nodes[current], "next", "")
            if current == start:
                self.add(("nodes", start), "loops forever without waiting for an answer")


def _targets(node: NodeBase) -> list[str]:
    return [target for _, target in edges(node)]


def _reachable(starts: set[str], neighbours) -> set[str]:
    seen, todo = set(starts), list(starts)
    while todo:
        for nxt in neighbours(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


class Discreet:
    """The first words of every SMS reply are neutral: no revealing word among them.

    A reply opens with a flow message, an invalid or silence re-prompt, or the first text met
    when walking on from an answer; before a lookup's results comes its neutral `found` line.
    """

    def __init__(self, linter: FlowLinter):
        self.linter, self.flow, self.rules = linter, linter.flow, linter.rules

    def run(self) -> None:
        if not self.rules.revealing:
            return
        for path, text in dict(self.openers()).items():
            for lang, value in text.items():
                self._check((*path, lang), lang, value)

    def openers(self) -> list[tuple[tuple[str | int, ...], Text]]:
        found = [(("messages", name), text) for name, text in self.flow.messages.items()]
        starts = [
            self.flow.start,
            self.flow.main_menu,
            self.flow.urgent or "",
            self.flow.own_words or "",
        ]
        starts += [o.next for o in self.flow.global_options]
        for node_id, node in self.flow.nodes.items():
            if isinstance(node, WaitingNode):
                found += [(("nodes", node_id, f), getattr(node, f)) for f in ("invalid", "silence")]
                starts += [target for _, target in edges(node)]
        for start in starts:
            found += self._first_texts(start)
        return [(path, text) for path, text in found if text]

    def _first_texts(self, node_id: str) -> list[tuple[tuple[str | int, ...], Text]]:
        seen: set[str] = set()
        while node_id in self.flow.nodes and node_id not in seen:
            seen.add(node_id)
            node = self.flow.nodes[node_id]
            if node.text:
                return [(("nodes", node_id, "text"), node.text)]
            if isinstance(node, LookupNode):
                return self._lookup_openers(node_id, node)
            node_id = getattr(node, "next", "") if not isinstance(node, WaitingNode) else ""
        return []

    def _lookup_openers(self, node_id: str, node: LookupNode) -> list:
        if not node.found:
            self.linter.add(("nodes", node_id), "an SMS lookup needs a neutral 'found' lead-in")
        out = [(("nodes", node_id, f), getattr(node, f)) for f in ("found", "outside", "not_found")]
        return out + ([] if node.not_found else self._first_texts(node.not_found_next))

    def _check(self, path: tuple[str | int, ...], lang: str, value: str) -> None:
        hits = self.rules.revealing_opening(lang, value)
        if hits:
            self.linter.add(path, f"reply opens with revealing word(s) {hits} (lock screen)")
