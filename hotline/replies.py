"""Canned replies for advocates: flows/replies.yaml, loaded and held to the flows' text rules.

The file holds a list of replies, each with an `id`, a short staff-facing `label` and its
`text` per language. A text is a draft (the dashboard marks it so) when its language is
marked draft in hotline.yaml (`review: {status: draft}`), or listed under the file's own
`draft` (texts newer than a language's last review). Every reply needs the default language's text;
a language without its own falls back to it (the dashboard says so). `hotline flows check`
refuses, with file:line: a revealing word among the first words of a text (a lock screen
shows them), a claim its language may not make (only English may say "text 911"), an
unknown placeholder, a text over its language's SMS segment budget (`sms_segments`, 2 unless
hotline.yaml says otherwise), an undeclared language, a repeated id.

A missing file means no canned replies (fixture flows have none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hotline.engine.lint import TextRules
from hotline.engine.models import Hotline
from hotline.engine.segments import segment_count
from hotline.engine.text import fill, placeholders
from hotline.flows import FlowIssue, FlowLoadError, _Document, _validation_issues

REPLIES_FILE = "replies.yaml"
MAX_LABEL = 60  # characters: a label fits one line of a phone's select


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reply(_Strict):
    """One canned reply: its id (letters, digits, _), staff's label, and text per language."""

    id: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    label: str = Field(min_length=1, max_length=MAX_LABEL)
    text: dict[str, str]

    def in_language(self, language: str, default: str) -> tuple[str, str]:
        """(text, language it is in): the texter's language, else the default one."""
        if self.text.get(language):
            return self.text[language], language
        return self.text[default], default


class RepliesFile(_Strict):
    draft: list[str] = Field(default_factory=list)
    replies: list[Reply]


@dataclass(frozen=True)
class Replies:
    """The canned replies as the dashboard offers them."""

    replies: tuple[Reply, ...] = ()
    draft: frozenset[str] = field(default_factory=frozenset)
    default_language: str = "en"

    def for_language(self, language: str) -> list[dict]:
        """Each reply in `language` (falling back to the default): {id, label, text, language,
        fallback (True when the text is not in `language`), draft (its language is a draft)}."""
        out = []
        for reply in self.replies:
            text, lang = reply.in_language(language, self.default_language)
            out.append({"id": reply.id, "label": reply.label, "text": text, "language": lang,
                        "fallback": lang != language, "draft": lang in self.draft})  # fmt: skip
        return out


def load(flows_dir: Path, hotline: Hotline, context: dict[str, str] | None = None) -> Replies:
    """The checked replies of flows_dir (texts with `context` placeholders such as {program}
    filled); Replies() when there is no replies file. Raises FlowLoadError (file:line)."""
    path = Path(flows_dir) / REPLIES_FILE
    if not path.exists():
        return Replies(default_language=hotline.default_language)
    doc = _Document(path)
    try:
        data = RepliesFile.model_validate(doc.data)
    except ValidationError as exc:
        raise FlowLoadError(_validation_issues(doc, exc)) from exc
    issues = [FlowIssue(path, doc.line(where), message)
              for where, message in problems(data, hotline, context)]  # fmt: skip
    if issues:
        raise FlowLoadError(issues)
    values = dict(context or {})
    filled = tuple(
        r.model_copy(update={"text": {k: fill(v, values) for k, v in r.text.items()}})
        for r in data.replies
    )
    draft = {code for code, lang in hotline.languages.items()
             if lang.review and lang.review.status == "draft"}  # fmt: skip
    return Replies(filled, frozenset(draft | set(data.draft)), hotline.default_language)


def problems(
    data: RepliesFile, hotline: Hotline, context: dict[str, str] | None = None
) -> list[tuple[tuple, str]]:
    """(path in the file, message) for every rule a reply breaks."""
    rules = TextRules(hotline, context)
    known = set(context or {})
    out: list[tuple[tuple, str]] = []
    for i, lang in enumerate(data.draft):
        if lang not in hotline.languages:
            out.append((("draft", i), f"language {lang!r} is not declared in hotline.yaml"))
    seen: set[str] = set()
    for i, reply in enumerate(data.replies):
        where = ("replies", i)
        if reply.id in seen:
            out.append(((*where, "id"), f"reply id {reply.id!r} is used twice"))
        seen.add(reply.id)
        if not reply.text.get(hotline.default_language):
            out.append(((*where, "text"), f"{reply.id}: needs a {hotline.default_language!r} text"))
        for lang, text in reply.text.items():
            at = (*where, "text", lang)
            if lang not in hotline.languages:
                out.append((at, f"{reply.id}: language {lang!r} is not declared"))
                continue
            if unknown := placeholders(text) - known:
                out.append((at, f"{reply.id}: unknown placeholder(s) {sorted(unknown)}"))
            if hits := rules.revealing_opening(lang, text):
                out.append((at, f"{reply.id}: opens with revealing word(s) {hits} (lock screen)"))
            out += [(at, f"{reply.id}: {m}") for m in rules.forbidden_claims(lang, text)]
            count = segment_count(fill(text, {**{p: "x" * 20 for p in known}, **rules.context}))
            budget = hotline.languages[lang].sms_segments
            if count > budget:
                out.append((at, f"{reply.id}: SMS text is {count} segments (at most {budget})"))
    return out
