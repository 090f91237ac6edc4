"""Carrying out the engine's actions for a channel: directory lookups and escalations."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from hotline import current
from hotline.engine import Escalate, Lookup, Session
from hotline.store import get_redis

PAGE_SIZE = {"sms": 3, "voice": 3}


def labels(language: str) -> dict[str, str]:
    """The directory formatter's words in one language (flows/resources.yaml), loaded once."""
    from hotline.resources import load_labels

    cached = current_app.extensions.get("hotline.resource_labels")
    if cached is None:
        cached = load_labels(current.settings().flows_dir)
        current_app.extensions["hotline.resource_labels"] = cached
    default = current.flows().default_language
    # Without words of its own a language borrows the default's, but keeps its code: which
    # summary to use and whether a line takes texts in it (text-to-911: English only).
    return cached.get(language) or {**cached[default], "code": language}


def sms_segments(language: str) -> int:
    """SMS segments one message in this language may take (flows/hotline.yaml sms_segments)."""
    hotline = current.flows()
    declared = hotline.languages.get(language) or hotline.languages[hotline.default_language]
    return declared.sms_segments


@dataclass
class ChannelPerformer:
    channel: str
    sender: str
    _last: tuple | None = field(default=None, init=False, repr=False)  # (SearchResult, labels)

    def lookup(self, action: Lookup) -> tuple[str, list[str]]:
        from hotline.resources import format_sms, format_voice, search

        size = PAGE_SIZE[self.channel]
        result = search(
            get_redis(), action.where, category=action.category, limit=size,
            offset=action.page * size,
        )  # fmt: skip
        words = labels(action.language)
        self._last = (result, words)
        if self.channel == "sms":
            return result.status, format_sms(result, words, segments=sms_segments(action.language))
        return result.status, [format_voice(result, words)]

    def results_after(self, lead: str) -> list[str]:
        """The last SMS lookup's page again, opened by the flow's lead-in (<= 2 messages)."""
        from hotline.resources import format_sms

        if self._last is None or self.channel != "sms":
            return [lead]
        result, words = self._last
        return format_sms(result, words, lead=lead, segments=sms_segments(words["code"]))

    def escalate(self, action: Escalate, session: Session) -> list[str]:
        """Queue for a person (record + alert job); return the wait, or hours with 911/24/7."""
        from hotline.escalations.texter import escalate

        return escalate(action, session, self.channel, self.sender)
