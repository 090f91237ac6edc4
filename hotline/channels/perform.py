"""Carrying out the engine's actions for a channel: directory lookups and escalations."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from flask import current_app

from hotline import current
from hotline.engine import Escalate, Lookup, Session
from hotline.store import get_redis, key, number_key

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
        """PLACEHOLDER until the escalation queue lands: record the request, nothing more."""
        record = {
            "channel": self.channel,
            "who": number_key(current.settings().secret_key, self.sender),
            "reason": action.reason,
            "kind": action.escalation,
            "priority": action.priority,
            "language": action.language,
            "created": time.time(),
        }
        get_redis().rpush(key("escalation-requests"), json.dumps(record))
        return []
