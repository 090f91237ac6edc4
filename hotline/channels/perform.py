"""Carrying out the engine's actions for a channel: directory lookups and escalations."""

from __future__ import annotations

from dataclasses import dataclass

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
    return cached.get(language) or cached[default]


@dataclass
class ChannelPerformer:
    channel: str
    sender: str

    def lookup(self, action: Lookup) -> tuple[str, list[str]]:
        from hotline.resources import format_sms, format_voice, search

        size = PAGE_SIZE[self.channel]
        result = search(
            get_redis(), action.where, category=action.category, limit=size,
            offset=action.page * size,
        )  # fmt: skip
        words = labels(action.language)
        if self.channel == "sms":
            return result.status, format_sms(result, words)
        return result.status, [format_voice(result, words)]

    def escalate(self, action: Escalate, session: Session) -> list[str]:
        """Queue for a person (record + alert job); return the wait, or hours with 911/24/7."""
        from hotline.escalations.texter import escalate

        return escalate(action, session, self.channel, self.sender)
