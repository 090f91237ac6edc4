"""Flow definitions: what the hotline says and where each answer leads (goflow's definitions)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

if TYPE_CHECKING:
    from hotline.engine.reading import Phrasebook, ReactionReader

Text = dict[str, str]
"""One user-facing text, per language code: {"en": "...", "es": "..."}."""

NODE_TEXTS = ("text", "voice", "invalid", "silence", "found", "not_found", "outside",
              "connecting", "closed", "no_answer")  # fmt: skip


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(Strict):
    """One menu choice: a key to press or send, and words that mean the same."""

    key: str | None = None
    keywords: dict[str, list[str]] = Field(default_factory=dict)
    next: str
    set_language: str | None = None
    more: bool = False  # the next page of the last lookup, not a new search
    repeat: bool = False  # the same page of the last lookup again (voice: "press 9 to repeat")
    set: dict[str, str] = Field(default_factory=dict)  # session vars this choice records


class NodeBase(Strict):
    text: Text = Field(default_factory=dict)
    voice: Text = Field(default_factory=dict)  # spoken wording, where it differs from text
    audio: dict[str, dict[str, str]] = Field(default_factory=dict)  # lang -> field -> file.wav


class WaitingNode(NodeBase):
    """A node that waits for the person: it needs a path for an invalid answer and for silence."""

    invalid: Text = Field(default_factory=dict)
    silence: Text = Field(default_factory=dict)
    on_silence: str | None = None  # where to go after max_retries silences
    on_retries: str | None = None  # where to go after max_retries invalid answers
    max_retries: int = 2
    timeout: int | None = None  # seconds, for voice
    triage: bool = True  # false where answers describe others' danger (a tip): no diversion


class MessageNode(NodeBase):
    kind: Literal["message"]
    next: str


class MenuNode(WaitingNode):
    kind: Literal["menu"]
    options: list[Option]
    digits: int | None = None


class AskNode(WaitingNode):
    kind: Literal["ask"]
    expect: Literal["text", "zip_or_town", "yes_no", "digits"] = "text"
    save_as: str
    next: str | None = None
    yes_next: str | None = None
    no_next: str | None = None
    digits: int | None = None
    max_length: int = 500

    @model_validator(mode="after")
    def _targets(self) -> AskNode:
        if self.expect == "yes_no":
            if not (self.yes_next and self.no_next):
                raise ValueError("a yes_no question needs yes_next and no_next")
        elif not self.next:
            raise ValueError("a question needs next")
        if self.expect == "digits" and not self.digits:
            raise ValueError("expect: digits needs digits: N")
        return self


class LookupNode(NodeBase):
    kind: Literal["lookup"]
    where: str  # the session variable holding the ZIP code or town
    category: str | None = None
    next: str
    found: Text = Field(default_factory=dict)  # said before the results (a neutral lead-in)
    not_found: Text = Field(default_factory=dict)
    not_found_next: str
    outside: Text = Field(default_factory=dict)


class EscalateNode(NodeBase):
    kind: Literal["escalate"]
    reason: str
    # words: they wrote in their own words at a menu or question (see Flow.own_words)
    escalation: Literal["help", "tip", "callback", "urgent", "words"] = "help"
    priority: int = Field(3, ge=1, le=3)
    # quiet: it only records answers on the conversation just queued (consent, safe time),
    # so the wait is not told again
    quiet: bool = False
    next: str


class TransferNode(NodeBase):
    """Put the caller through to a person (voice): the on-call advocates or a fixed number.

    The channel decides whether anyone can be dialled now (staffed hours, numbers configured)
    and reports back; the engine says `connecting`, `closed` or `no_answer` and moves on.
    """

    kind: Literal["transfer"]
    to: str = Field(pattern=r"^(oncall|\+[1-9]\d{7,14})$")  # "oncall" or an E.164 number
    next: str  # after a conversation with a person ends
    unanswered_next: str  # nobody on duty, no answer, busy or failed
    connecting: Text = Field(default_factory=dict)
    closed: Text = Field(default_factory=dict)
    no_answer: Text = Field(default_factory=dict)


class GotoNode(NodeBase):
    kind: Literal["goto"]
    next: str


class EndNode(NodeBase):
    kind: Literal["end"]


Node = Annotated[
    MessageNode
    | MenuNode
    | AskNode
    | LookupNode
    | EscalateNode
    | TransferNode
    | GotoNode
    | EndNode,
    Field(discriminator="kind"),
]


class Flow(Strict):
    """One channel's conversation graph."""

    id: str
    channel: Literal["sms", "voice"]
    start: str
    main_menu: str
    nodes: dict[str, Node]
    global_options: list[Option] = Field(default_factory=list)  # accepted at every question
    urgent: str | None = None  # where a message flagged by danger triage goes, from anywhere
    # where free text goes that answers no menu or question ("a person speaking"): a message
    # of at least own_words_min words, a disclosure, or a phrasing of the `person` family
    own_words: str | None = None
    own_words_min: int = Field(4, ge=1)
    messages: dict[str, Text] = Field(default_factory=dict)


class VoiceSettings(Strict):
    say_language: str | None = None  # None: no text-to-speech, prompts need recordings
    voice: str | None = None
    speech: str | None = None  # Gather language for speech input; None: keypad only
    speech_model: str | None = None
    key: str  # the key that picks this language on the first voice menu


class Review(Strict):
    """Where a language's texts stand: `draft` until a fluent reviewer signs them off."""

    status: Literal["draft", "reviewed"]
    reviewer: str | None = None  # who signed off (a name or role), with `date`
    date: str | None = None  # ISO date of the sign-off

    @field_validator("date", mode="before")
    @classmethod
    def _iso(cls, value: object) -> object:
        """YAML reads an unquoted 2026-11-20 as a date: keep it as its ISO text."""
        return value.isoformat() if isinstance(value, datetime.date) else value

    @model_validator(mode="after")
    def _signed(self) -> Review:
        if self.status == "reviewed" and not (self.reviewer and self.date):
            raise ValueError("a reviewed language names its reviewer and date")
        return self


class Language(Strict):
    name: str  # the language's name in itself ("Português", "ខ្មែរ")
    keywords: list[str] = Field(default_factory=list)  # sending one switches to this language
    # None: not offered by voice (no voice flow texts needed; callers reach an interpreter)
    voice: VoiceSettings | None = None
    review: Review | None = None  # None: the source language (its texts are the originals)
    # SMS segments a text may use; UCS-2 scripts (Khmer, Vietnamese) fit 67 characters a
    # segment, so their budget is set per language rather than cutting safety text.
    sms_segments: int = Field(default=2, ge=1, le=6)


class KeywordSets(Strict):
    """Whole-message keywords, per family and language."""

    opt_out: dict[str, list[str]]
    opt_in: dict[str, list[str]]
    help: dict[str, list[str]]
    menu: dict[str, list[str]]
    yes: dict[str, list[str]]
    no: dict[str, list[str]]
    delete: dict[str, list[str]] = Field(default_factory=dict)
    more: dict[str, list[str]] = Field(default_factory=dict)


class Phrasings(Strict):
    """Whole-message phrasings of keyword families as people type them, per language.

    patterns: family ("opt_out", "yes", "no", "person") -> language -> patterns in the syntax
    of hotline.engine.patterns; groups: per language, the named alternatives they use;
    fillers: per language, words around an answer that change nothing ("please", "gracias");
    clause_words: per language, words that end an answer's first clause ("but", "pero").
    """

    fillers: dict[str, list[str]] = Field(default_factory=dict)
    clause_words: dict[str, list[str]] = Field(default_factory=dict)  # end an answer's clause
    groups: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    patterns: dict[str, dict[str, list[str]]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _compiles(self) -> Phrasings:
        from hotline.engine.reading import Phrasebook

        Phrasebook.cached(self)  # raises ValueError naming the pattern that cannot be read
        return self


class Reactions(Strict):
    """How phones write a reaction (a tapback) to an earlier message, in one language.

    verbs: what comes before the quoted message ("Liked", "Reacted ~ to"); attachments: what
    is reacted to when nothing is quoted ("an image"). Patterns, as in Phrasings.
    """

    verbs: list[str]
    attachments: list[str] = Field(default_factory=list)


class Discretion(Strict):
    """Words that must not open a reply: a watched phone's lock screen shows the first ones."""

    first_words: int = 6
    revealing: dict[str, list[str]] = Field(default_factory=dict)


class Claim(Strict):
    """A claim only some languages may make, such as "text 911" (English only in Massachusetts).

    `patterns` are regular expressions per language code ("*": every language not allowed),
    matched against each text with case and accents folded and spaced digits joined ("9 1 1"
    reads as 911). Every declared language not in `allowed` must list its own patterns, so a new
    language has to say how it would make the claim before it can ship.
    """

    rule: str  # why, with the fact's source: shown with every problem
    allowed: list[str] = Field(default_factory=list)
    patterns: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _compiles(self) -> Claim:
        for lang, patterns in self.patterns.items():
            for pattern in patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"patterns.{lang}: {pattern!r} is not a regex: {exc}") from exc
        return self


class Detection(Strict):
    """How a first message's language is found (hotline/languages/detect.py), as data.

    greetings: per language, words a first message may open with ("hola", "olá", "bonjou",
    "xin chào"), compared folded (case and accents); a greeting belongs to one language only.
    way_back: per language, the one line added to the first reply in a detected language so
    the texter can go back ("English? Reply ENGLISH").
    min_words / floor: the statistical detector runs only on messages of min_words words or
    more, and its answer counts only at `floor` confidence or above (0-1).
    """

    greetings: dict[str, list[str]] = Field(default_factory=dict)
    way_back: Text = Field(default_factory=dict)
    min_words: int = Field(3, ge=1)
    floor: float = Field(0.9, gt=0, le=1)

    @model_validator(mode="after")
    def _one_language_each(self) -> Detection:
        from hotline.engine.text import normalize

        seen: dict[str, str] = {}
        for lang, words in self.greetings.items():
            for word in words:
                other = seen.setdefault(normalize(word), lang)
                if other != lang:
                    raise ValueError(f"greeting {word!r} is listed for both {other!r} and {lang!r}")
        return self


class Hotline(Strict):
    """Everything in flows/: languages, keywords and the flows that use them."""

    default_language: str
    languages: dict[str, Language]
    keywords: KeywordSets
    detection: Detection = Field(default_factory=Detection)
    discretion: Discretion = Field(default_factory=Discretion)
    claims: dict[str, Claim] = Field(default_factory=dict)
    phrasings: Phrasings = Field(default_factory=Phrasings)
    reactions: dict[str, Reactions] = Field(default_factory=dict)
    flows: dict[str, Flow] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _reactions_compile(self) -> Hotline:
        from hotline.engine.reading import ReactionReader

        ReactionReader.cached(self.reactions)  # raises ValueError naming a pattern it cannot read
        return self

    def texts(self) -> list[str]:
        """Every user-facing text of every flow, in every language, as written (templates)."""
        out: list[str] = []
        for flow in self.flows.values():
            for text in flow.messages.values():
                out += text.values()
            for node in flow.nodes.values():
                for name in NODE_TEXTS:
                    out += getattr(node, name, {}).values()
        return out

    @cached_property
    def phrasebook(self) -> Phrasebook:
        from hotline.engine.reading import Phrasebook

        return Phrasebook.cached(self.phrasings)

    @cached_property
    def reaction_reader(self) -> ReactionReader:
        from hotline.engine.reading import ReactionReader

        return ReactionReader.cached(self.reactions)

    def flow(self, flow_id: str) -> Flow:
        return self.flows[flow_id]

    def drafts(self) -> list[str]:
        """Codes of the languages whose texts no fluent reviewer has signed off yet."""
        return [
            code
            for code, lang in self.languages.items()
            if lang.review and lang.review.status != "reviewed"
        ]

    def without(self, codes: Iterable[str]) -> Hotline:
        """This hotline with languages switched off (HOTLINE_LANGUAGES_OFF): not declared, not
        offered by any language menu, not detected; their whole-message keywords (STOP, HELP,
        DELETE...) still work and answer in the default language; their phrasings are dropped.
        The default language cannot be switched off (it is kept). Returns self when nothing
        changes.
        """
        off = {c for c in codes if c in self.languages and c != self.default_language}
        if not off:
            return self
        data = self.model_dump(exclude={"flows"})
        data["languages"] = {c: v for c, v in data["languages"].items() if c not in off}
        for family, by_lang in data["keywords"].items():
            kept = {c: list(ws) for c, ws in by_lang.items() if c not in off}
            moved = [w for c in off for w in by_lang.get(c, [])]
            if moved:
                kept[self.default_language] = kept.get(self.default_language, []) + moved
            data["keywords"][family] = kept
        phrasings = data["phrasings"]
        for name in ("fillers", "clause_words", "groups"):
            phrasings[name] = {c: v for c, v in phrasings[name].items() if c not in off}
        phrasings["patterns"] = {
            family: {c: v for c, v in by_lang.items() if c not in off}
            for family, by_lang in phrasings["patterns"].items()
        }
        data["detection"]["greetings"] = {
            c: v for c, v in data["detection"]["greetings"].items() if c not in off
        }
        flows = {fid: _without_options(flow, off) for fid, flow in self.flows.items()}
        return Hotline.model_validate({**data, "flows": flows})


def _without_options(flow: Flow, off: set[str]) -> Flow:
    """The flow with every menu option that picks a language in `off` removed."""
    nodes = {}
    for node_id, node in flow.nodes.items():
        if isinstance(node, MenuNode) and any(o.set_language in off for o in node.options):
            options = [o for o in node.options if o.set_language not in off]
            node = node.model_copy(update={"options": options})
        nodes[node_id] = node
    return flow.model_copy(update={"nodes": nodes})
