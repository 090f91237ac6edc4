"""Running a flow: (flow, session, event) -> (outputs, new session). Pure and deterministic."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hotline.engine import reading
from hotline.engine.models import (
    AskNode,
    EndNode,
    EscalateNode,
    Flow,
    GotoNode,
    Hotline,
    LookupNode,
    MenuNode,
    MessageNode,
    NodeBase,
    Option,
    Text,
    TransferNode,
    WaitingNode,
)
from hotline.engine.text import fill, fold_digits, keyword_form, match_keyword, word_count

MAX_HOPS = 64
KEYPAD = re.compile(r"[0-9*#]+")  # keypad input: * and # are answers, not punctuation
OWN_WORDS_MAX = 500  # characters of free text kept for staff
# Session vars the engine itself sets for one conversation (besides the flow's answers).
ENGINE_VARS = ("triage", "own_words", "disclosure")
LANGUAGES_VAR = "languages"  # a language menu's choices, one a line: "3 Português"


def language_list(hotline: Hotline, options: list[Option]) -> str:
    """The languages a menu offers, one a line, each by its key and its name in itself
    ("1 English\n2 Español\n6 ខ្មែរ"); options of languages not declared (switched off) are
    left out."""
    return "\n".join(
        f"{option.key} {hotline.languages[option.set_language].name}"
        for option in options
        if option.key and option.set_language in hotline.languages
    )


Heard = Literal["answer", "invalid", "words", "silence", "reaction", "none"]


def said(text: str) -> str:
    """What counts when matching: keypad keys as pressed, words by their letters and digits."""
    stripped = fold_digits(text.strip())
    return stripped if KEYPAD.fullmatch(stripped) else keyword_form(text)


class FlowError(RuntimeError):
    """The flow itself is broken (the linter should have caught it)."""


class Session(BaseModel):
    """Where one person is in one flow; stored between messages by the channel."""

    model_config = ConfigDict(extra="ignore")

    flow: str
    language: str
    node: str | None = None
    pending: str | None = None
    vars: dict[str, str | int] = Field(default_factory=dict)
    retries: int = 0
    silences: int = 0
    # The channel's recent messages from this person ([seconds since epoch, text], oldest
    # first), scored together with a new one by danger triage; sealed at rest with the rest.
    recent: list[tuple[float, str]] = Field(default_factory=list)


class Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["text", "silence", "lookup_result", "transfer_result"] = "text"
    text: str = ""
    # what triage saw in the text that is not danger now but a disclosure ("keeps my passport"):
    # the phrases for staff; the flow takes it to a person with a raised priority
    disclosure: str = ""
    result: (
        Literal["found", "not_found", "outside", "open", "closed", "answered", "no_answer"] | None
    ) = None


class Say(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["say"] = "say"
    text: str
    node: str
    field: str = "text"
    audio: str | None = None


class Lookup(BaseModel):
    """Find help near `where`; the channel answers with Event(kind="lookup_result")."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["lookup"] = "lookup"
    node: str
    where: str
    category: str | None
    language: str
    page: int = 0


class Escalate(BaseModel):
    """Queue this conversation for a person."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["escalate"] = "escalate"
    node: str
    reason: str
    escalation: str
    priority: int
    language: str
    answers: dict[str, str | int] = Field(default_factory=dict)
    quiet: bool = False  # records answers only: the channel says nothing more about the wait


class Results(BaseModel):
    """Where the channel puts the formatted results of the Lookup it performed."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["results"] = "results"
    node: str


class Transfer(BaseModel):
    """Can the caller be put through to `to` now? The channel answers with a transfer_result
    Event: open (then the engine says Connect) or closed."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["transfer"] = "transfer"
    node: str
    to: str
    language: str


class Connect(BaseModel):
    """Dial `to` now; the channel answers with a transfer_result Event: answered or no_answer."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["connect"] = "connect"
    node: str
    to: str


Output = Say | Lookup | Escalate | Results | Transfer | Connect


class Step(BaseModel):
    outputs: list[Output] = Field(default_factory=list)
    session: Session
    waiting: Literal["input", "lookup", "transfer", "dial", "end"]
    # how the engine took the person's message: an answer to the question (or a menu choice),
    # a short unrecognised answer, their own words (free text, taken to a person), silence,
    # a reaction or emoji; "none" when no message was read (start, menu, results)
    heard: Heard = "none"

    @property
    def says(self) -> list[str]:
        return [o.text for o in self.outputs if isinstance(o, Say)]


class Engine:
    """One flow of one hotline, with the constants its texts may name (e.g. {program})."""

    def __init__(self, hotline: Hotline, flow_id: str, context: Mapping[str, str] | None = None):
        self.hotline = hotline
        self.flow: Flow = hotline.flows[flow_id]
        self.context = dict(context or {})
        self.answer_vars = frozenset(_answer_vars(self.flow)) | set(ENGINE_VARS)

    # -- entry points ---------------------------------------------------------------------
    def start(self, language: str | None = None, text: str = "", disclosure: str = "") -> Step:
        """A first message: the start node, or a person at once for their own words."""
        lang = language if language in self.hotline.languages else self.hotline.default_language
        session = Session(flow=self.flow.id, language=lang)
        if text and self._own_words(text, disclosure, lang):
            return self._words(session, text, disclosure)
        return self._enter(session, self.flow.start, [])

    def main_menu(self, session: Session, language: str | None = None) -> Step:
        """MENU, 0, or a language keyword: back to the main menu, nothing else kept waiting."""
        new = session.model_copy(deep=True, update={"pending": None})
        if language in self.hotline.languages:
            new.language = language
        return self._enter(new, self.flow.main_menu, [])

    def urgent(self, session: Session | None, language: str, flag: str) -> Step:
        """Danger triage flagged a message: leave wherever they were for the flow's urgent path,
        in `language`. Answers from an earlier conversation (consent, safe time) are not
        carried into it."""
        if not self.flow.urgent:
            raise FlowError(f"{self.flow.id}: no urgent node")
        if session is None:
            session = Session(flow=self.flow.id, language=language)
        new = session.model_copy(deep=True, update={"pending": None})
        if language in self.hotline.languages:
            new.language = language  # the language the danger was written in
        self._forget_answers(new)
        new.vars["triage"] = flag
        return self._enter(new, self.flow.urgent, [])

    def again(self, session: Session | None, language: str | None = None) -> Step:
        """Say the question they are at again (the main menu when none), changing nothing."""
        if session is None:
            return self.start(language)
        node = self.flow.nodes.get(session.node or "")
        if session.pending or not isinstance(node, WaitingNode):
            return self.main_menu(session)
        new = session.model_copy(deep=True)
        return Step(outputs=[self._say(node, new, "text", new.node or "")], session=new,
                    waiting="input")  # fmt: skip

    def reads(self, text: str) -> reading.Kind:
        """What arrived: text, a reaction quoting an earlier message, emoji only, or nothing.
        Keypad keys ("*", "#") are text."""
        if KEYPAD.fullmatch(fold_digits((text or "").strip())):
            return "text"
        return reading.kind(text, self.hotline.reaction_reader)

    def goto(self, session: Session, node_id: str) -> Step:
        return self._enter(session.model_copy(deep=True), node_id, [])

    def step(self, session: Session, event: Event) -> Step:
        new = session.model_copy(deep=True)
        if new.pending:
            return self._resume(new, event)
        arrived = self.reads(event.text) if event.kind == "text" else "empty"
        if event.disclosure:  # kept for this conversation's escalation: priority, phrases
            new.vars["disclosure"] = event.disclosure
        if new.node is None or new.node not in self.flow.nodes:
            if arrived == "text" and self._own_words(event.text, event.disclosure, new.language):
                return self._words(new, event.text, event.disclosure)
            return self._enter(new, self.flow.main_menu, [])
        node = self.flow.nodes[new.node]
        assert isinstance(node, WaitingNode)
        if event.kind == "silence" or arrived == "empty":
            return _heard(self._silence(new, node), "silence")
        if arrived == "reaction":
            return self._reaction(new, node)
        options = node.options if isinstance(node, MenuNode) else []
        option = self._match([*options, *self.flow.global_options], event.text, new.language)
        if option is not None:
            return _heard(self._take(new, option), "answer")
        if isinstance(node, MenuNode):
            return self._unmatched(new, node, event, arrived)
        assert isinstance(node, AskNode)
        return self._answer(new, node, event, arrived)

    def render(self, session: Session, node_id: str, field: str, language: str) -> Say:
        """One node's text in another language (a voice language menu speaks each language)."""
        other = session.model_copy(update={"language": language})
        return self._say(self.flow.nodes[node_id], other, field, node_id)

    def message(self, name: str, language: str, **values: object) -> str:
        """A flow-level message (help, opt-out confirmation, ...) in a language, filled in."""
        return self._fill(self._pick(self.flow.messages.get(name, {}), language), values)

    # -- waiting nodes --------------------------------------------------------------------
    def _match(self, options: list[Option], text: str, language: str) -> Option | None:
        """The first option whose key or keywords are the whole answer (node's before global),
        with fillers around it set aside ("2 please", "option 2")."""
        core = " ".join(self.hotline.phrasebook.core(text, language))
        for answer in dict.fromkeys((said(text), said(core) if core else "")):
            for option in options:
                if answer and option.key and answer == said(option.key):
                    return option
        for option in options:
            if self._said_keyword(text, option.keywords, language) or (
                core and self._said_keyword(core, option.keywords, language)
            ):
                return option
        return None

    def _take(self, session: Session, option: Option) -> Step:
        if option.set_language:
            session.language = option.set_language
        session.vars.update(option.set)
        if option.more:
            session.vars["page"] = int(session.vars.get("page", 0)) + 1
        return self._enter(session, option.next, [], more=option.more or option.repeat)

    def _answer(self, session: Session, node: AskNode, event: Event, arrived: str) -> Step:
        text = event.text
        if node.expect == "yes_no":
            kw, book = self.hotline.keywords, self.hotline.phrasebook
            answer = reading.yes_no(text, session.language, kw, book)
            if answer is not None:
                session.vars[node.save_as] = answer
                target = node.yes_next if answer == "yes" else node.no_next
                return _heard(self._enter(session, target or "", []), "answer")
            return self._unmatched(session, node, event, arrived)
        if node.expect == "digits":
            value = fold_digits("".join(text.split()))
            if value.isdigit() and len(value) == node.digits:
                return self._save(session, node, value)
            return self._unmatched(session, node, event, arrived)
        if node.expect == "zip_or_town":
            value = reading.zip_answer(text)
            town = any(ch.isalpha() for ch in value) and (
                word_count(value) < self.flow.own_words_min
            )
            if reading.has_zip(value) or (town and arrived == "text"):
                return self._save(session, node, value[:60])
            return self._unmatched(session, node, event, arrived)
        value = " ".join(text.split())
        if arrived != "text" or not value:
            return self._unmatched(session, node, event, arrived)
        return self._save(session, node, value)

    def _save(self, session: Session, node: AskNode, value: str) -> Step:
        session.vars[node.save_as] = value[: node.max_length]
        return _heard(self._enter(session, node.next or "", []), "answer")

    def _unmatched(self, session: Session, node: WaitingNode, event: Event, arrived: str) -> Step:
        """No option or answer: their own words go to a person; emoji get a gentle re-prompt;
        a short unrecognised answer gets the question's re-prompt."""
        if arrived == "text" and self._own_words(event.text, event.disclosure, session.language):
            return self._words(session, event.text, event.disclosure)
        if arrived == "emoji":
            return self._reaction(session, node)
        return _heard(self._invalid(session, node), "invalid")

    def _own_words(self, text: str, disclosure: str, language: str) -> bool:
        """A person speaking: enough words, a disclosure, or asking for a person outright."""
        if not self.flow.own_words:
            return False
        if disclosure or word_count(text) >= self.flow.own_words_min:
            return True
        return self.hotline.phrasebook.says("person", text, language) is not None

    def _words(self, session: Session, text: str, disclosure: str) -> Step:
        """Take their own words to a person (the flow's own_words path), as a new conversation."""
        new = session.model_copy(deep=True, update={"pending": None})
        self._forget_answers(new)
        new.vars["own_words"] = " ".join(text.split())[:OWN_WORDS_MAX]
        if disclosure:
            new.vars["disclosure"] = disclosure
        return _heard(self._enter(new, self.flow.own_words or self.flow.main_menu, []), "words")

    def _reaction(self, session: Session, node: WaitingNode) -> Step:
        """A tapback or emoji: a gentle re-prompt (the flow's `reaction` message), no retry."""
        text = self.message("reaction", session.language)
        outputs = [Say(text=text, node=session.node or "", field="reaction")] if text else []
        return Step(outputs=outputs, session=session, waiting="input", heard="reaction")

    def _forget_answers(self, session: Session) -> None:
        """A new conversation starts: answers of an earlier one (consent above all) are dropped."""
        for name in self.answer_vars:
            session.vars.pop(name, None)

    def _invalid(self, session: Session, node: WaitingNode) -> Step:
        session.retries += 1
        if session.retries > node.max_retries and node.on_retries:
            return self._enter(session, node.on_retries, [])
        outputs = [self._say(node, session, "invalid")]
        if self.flow.channel == "voice":
            outputs.append(self._say(node, session, "text"))
        return Step(outputs=outputs, session=session, waiting="input")

    def _silence(self, session: Session, node: WaitingNode) -> Step:
        session.silences += 1
        if session.silences > node.max_retries and node.on_silence:
            return self._enter(session, node.on_silence, [])
        field = "silence" if node.silence else "invalid"
        outputs = [self._say(node, session, field)]
        if self.flow.channel == "voice":
            outputs.append(self._say(node, session, "text"))
        return Step(outputs=outputs, session=session, waiting="input")

    def _resume(self, session: Session, event: Event) -> Step:
        node_id = session.pending or ""
        node = self.flow.nodes[node_id]
        if isinstance(node, TransferNode):
            return self._transferred(session, node, node_id, event)
        assert isinstance(node, LookupNode)
        session.pending = None
        if event.kind != "lookup_result" or event.result == "not_found":
            out = [self._say(node, session, "not_found")] if node.not_found else []
            return self._enter(session, node.not_found_next, out)
        lead = "outside" if event.result == "outside" else "found"
        out: list = [self._say(node, session, lead)] if getattr(node, lead) else []
        out.append(Results(node=node_id))
        return self._enter(session, node.next, out)

    # -- walking --------------------------------------------------------------------------
    def _enter(self, session: Session, node_id: str, outputs: list, more: bool = False) -> Step:
        for _ in range(MAX_HOPS):
            node = self.flow.nodes.get(node_id)
            if node is None:
                raise FlowError(f"{self.flow.id}: no node {node_id!r}")
            if node_id == self.flow.main_menu:
                self._forget_answers(session)  # every path from the menu is a new conversation
            if node.text:
                outputs.append(self._say(node, session, "text", node_id))
            if isinstance(node, MessageNode | GotoNode):
                node_id = node.next
            elif isinstance(node, EscalateNode):
                outputs.append(self._escalate(node, node_id, session))
                for name in ENGINE_VARS:  # said once: a later consent answer joins, unflagged
                    session.vars.pop(name, None)
                node_id = node.next
            elif isinstance(node, LookupNode):
                return self._lookup(session, node, node_id, outputs, more)
            elif isinstance(node, TransferNode):
                session.pending = node_id
                outputs.append(Transfer(node=node_id, to=node.to, language=session.language))
                return Step(outputs=outputs, session=session, waiting="transfer")
            elif isinstance(node, EndNode):
                session.node, session.retries, session.silences = None, 0, 0
                return Step(outputs=outputs, session=session, waiting="end")
            else:
                session.node, session.retries, session.silences = node_id, 0, 0
                return Step(outputs=outputs, session=session, waiting="input")
        raise FlowError(f"{self.flow.id}: more than {MAX_HOPS} steps without a question")

    def _lookup(self, session, node: LookupNode, node_id: str, outputs: list, more: bool) -> Step:
        if not more:
            session.vars["page"] = 0
        session.pending = node_id
        outputs.append(
            Lookup(
                node=node_id,
                where=str(session.vars.get(node.where, "")),
                category=node.category,
                language=session.language,
                page=int(session.vars.get("page", 0)),
            )
        )
        return Step(outputs=outputs, session=session, waiting="lookup")

    def _transferred(self, session: Session, node: TransferNode, node_id: str, event) -> Step:
        """open: say connecting and dial; answered: on; closed / no_answer: say so, on."""
        if event.kind == "transfer_result" and event.result == "open":
            out: list = [self._say(node, session, "connecting", node_id)] if node.connecting else []
            out.append(Connect(node=node_id, to=node.to))
            return Step(outputs=out, session=session, waiting="dial")
        session.pending = None
        if event.kind == "transfer_result" and event.result == "answered":
            return self._enter(session, node.next, [])
        field = "closed" if event.result == "closed" else "no_answer"
        out = [self._say(node, session, field, node_id)] if getattr(node, field) else []
        return self._enter(session, node.unanswered_next, out)

    def _escalate(self, node: EscalateNode, node_id: str, session: Session) -> Escalate:
        """The escalation; a disclosure raises its priority one step and flags its phrases."""
        answers = dict(session.vars)
        priority = node.priority
        if answers.get("disclosure") and not answers.get("triage"):
            priority = max(1, priority - 1)
            answers["triage"] = answers["disclosure"]
        return Escalate(
            node=node_id,
            reason=node.reason,
            escalation=node.escalation,
            priority=priority,
            language=session.language,
            answers=answers,
            quiet=node.quiet,
        )

    # -- text -----------------------------------------------------------------------------
    def _say(self, node: NodeBase, session: Session, field: str, node_id: str = "") -> Say:
        lang = session.language
        texts: Text = getattr(node, field)
        if field == "text" and self.flow.channel == "voice" and node.voice:
            texts = node.voice
        template = self._pick(texts, lang)
        values: Mapping[str, object] = session.vars
        if LANGUAGES_VAR in template and isinstance(node, MenuNode):
            values = {**values, LANGUAGES_VAR: language_list(self.hotline, node.options)}
        text = self._fill(template, values)
        audio = node.audio.get(lang, {}).get(field)
        return Say(text=text, node=node_id or session.node or "", field=field, audio=audio)

    def _pick(self, texts: Text, language: str) -> str:
        return texts.get(language) or texts.get(self.hotline.default_language, "")

    def _fill(self, template: str, values: Mapping[str, object]) -> str:
        return fill(template, {**values, **self.context})

    def _said_keyword(self, text: str, words: dict[str, list[str]], language: str) -> bool:
        if match_keyword(text, words.get(language, [])):
            return True
        return any(match_keyword(text, ws) for lang, ws in words.items() if lang != language)


def _heard(step: Step, heard: Heard) -> Step:
    return step.model_copy(update={"heard": heard})


def _answer_vars(flow: Flow) -> set[str]:
    """The session vars a flow's questions and choices set: one conversation's answers."""
    names: set[str] = set()
    for node in flow.nodes.values():
        if isinstance(node, AskNode):
            names.add(node.save_as)
        for option in getattr(node, "options", []):
            names |= set(option.set)
    for option in flow.global_options:
        names |= set(option.set)
    return names
