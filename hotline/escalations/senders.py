"""Sending one SMS: Twilio's REST API in production, the Outbox in development and tests."""

from __future__ import annotations

import json
import logging
import secrets
import time
from typing import Protocol

import redis
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from hotline.config import Settings
from hotline.escalations.seal import seal, unseal
from hotline.store import key

OUTBOX = key("outbox")
OUTBOX_SIZE = 500
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)  # it logs bodies at INFO


class SendError(RuntimeError):
    """A message was not sent. `transient` errors are worth retrying (5xx, 429, network)."""

    def __init__(self, message: str, transient: bool, status: int | None = None):
        super().__init__(message)
        self.transient, self.status = transient, status


class Sender(Protocol):
    def send(self, to: str, body: str, kind: str) -> str:
        """Send; return the provider's id; raise SendError."""


class OutboxSender:
    """Stores what would have been sent, newest first, so the dev server and tests see it."""

    def __init__(self, r: redis.Redis):
        self.r = r

    def send(self, to: str, body: str, kind: str) -> str:
        sid = "OB" + secrets.token_hex(16)
        item = {"sid": sid, "at": time.time(), "to": seal(to), "body": seal(body), "kind": kind}
        pipe = self.r.pipeline(transaction=True)
        pipe.lpush(OUTBOX, json.dumps(item))
        pipe.ltrim(OUTBOX, 0, OUTBOX_SIZE - 1)
        pipe.execute()
        return sid


def read_outbox(r: redis.Redis, limit: int = 50) -> list[dict]:
    """What the Outbox 'sent', newest first: {sid, at, to, body, kind}."""
    items = [json.loads(raw) for raw in r.lrange(OUTBOX, 0, limit - 1)]
    for item in items:
        item["to"], item["body"] = unseal(item["to"]), unseal(item["body"])
    return items


class TwilioSender:
    """Twilio's REST client; errors sorted into transient (retry) and permanent (do not)."""

    def __init__(self, account_sid: str, auth_token: str, from_number: str, timeout: float = 10):
        http = TwilioHttpClient(timeout=timeout)
        self.client = Client(account_sid, auth_token, http_client=http)
        self.from_number = from_number

    def send(self, to: str, body: str, kind: str) -> str:
        try:
            message = self.client.messages.create(to=to, from_=self.from_number, body=body)
        except TwilioRestException as exc:
            transient = exc.status >= 500 or exc.status == 429
            raise SendError(f"Twilio answered {exc.status}", transient, exc.status) from None
        except requests.RequestException as exc:
            raise SendError(f"network error ({type(exc).__name__})", True) from None
        return message.sid or ""


def sender_for(settings: Settings, r: redis.Redis) -> Sender:
    """Twilio only in production with an account; the Outbox otherwise."""
    if settings.development or not settings.twilio_account_sid:
        return OutboxSender(r)
    return TwilioSender(
        settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_number
    )
