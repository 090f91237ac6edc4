"""Sending one SMS: Twilio's REST API in production, the Outbox in development and tests.

Each sender can also look a message up after the fact (find): a job that died before it
heard back reconciles with the provider instead of sending blind (escalations/delivery.py).
"""

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
from urllib3.exceptions import NewConnectionError

from hotline.config import Settings
from hotline.escalations.seal import seal, unseal
from hotline.store import key

OUTBOX = key("outbox")
OUTBOX_SIZE = 500
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)  # it logs bodies at INFO


SEND_TIMEOUT = 5.0  # seconds for one call to Twilio's REST API (a job may run 15 s)
LOOKUP_SIZE = 50  # newest messages to one recipient looked at when reconciling


class SendError(RuntimeError):
    """A message was not sent. `transient` errors are worth retrying (5xx, 429, network).

    maybe_sent: the provider may have taken the message all the same (no answer came after
    the request went out, or a 5xx), so a retry must look it up first.
    """

    def __init__(self, message: str, transient: bool, status: int | None = None,
                 maybe_sent: bool = False):  # fmt: skip
        super().__init__(message)
        self.transient, self.status, self.maybe_sent = transient, status, maybe_sent


class LookupUnavailable(RuntimeError):
    """The provider could not be asked what it sent (the reply's fate stays unknown)."""


class Sender(Protocol):
    def send(self, to: str, body: str, kind: str) -> str:
        """Send; return the provider's id; raise SendError."""

    def find(self, to: str, body: str, since: float, exclude: set[str]) -> str | None:
        """The id of a message with this body sent to `to` at or after `since` (epoch
        seconds), other than those in `exclude`; None if there is none. Raises
        LookupUnavailable when the provider cannot say."""


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

    def find(self, to: str, body: str, since: float, exclude: set[str]) -> str | None:
        for item in read_outbox(self.r, OUTBOX_SIZE):
            fits = item["to"] == to and item["body"] == body and item["at"] >= since
            if fits and item["sid"] not in exclude:
                return item["sid"]
        return None


def read_outbox(r: redis.Redis, limit: int = 50) -> list[dict]:
    """What the Outbox 'sent', newest first: {sid, at, to, body, kind}."""
    items = [json.loads(raw) for raw in r.lrange(OUTBOX, 0, limit - 1)]
    for item in items:
        item["to"], item["body"] = unseal(item["to"]), unseal(item["body"])
    return items


class TwilioSender:
    """Twilio's REST client; errors sorted into transient (retry) and permanent (do not).

    base_url: another host for the REST API (TWILIO_API_BASE_URL: Twilio's OpenAPI mock server
    for staging, the tests' stand-in); Twilio's own otherwise.
    """

    def __init__(
        self, account_sid: str, auth_token: str, from_number: str,
        timeout: float = SEND_TIMEOUT, base_url: str = "",
    ):  # fmt: skip
        http = TwilioHttpClient(timeout=timeout)
        self.client = Client(account_sid, auth_token, http_client=http)
        if base_url:
            self.client.api.base_url = base_url
        self.from_number = from_number

    def send(self, to: str, body: str, kind: str) -> str:
        try:
            message = self.client.messages.create(to=to, from_=self.from_number, body=body)
        except TwilioRestException as exc:
            transient = exc.status >= 500 or exc.status == 429
            raise SendError(f"Twilio answered {exc.status}", transient, exc.status,
                            maybe_sent=exc.status >= 500) from None  # fmt: skip
        except requests.RequestException as exc:
            raise SendError(f"network error ({type(exc).__name__})", True,
                            maybe_sent=not _never_connected(exc)) from None  # fmt: skip
        return message.sid or ""

    def find(self, to: str, body: str, since: float, exclude: set[str]) -> str | None:
        """Look through Twilio's Messages list: the newest LOOKUP_SIZE to `to` from us."""
        try:
            messages = self.client.messages.list(to=to, from_=self.from_number,
                                                 limit=LOOKUP_SIZE)  # fmt: skip
        except (TwilioRestException, requests.RequestException) as exc:
            raise LookupUnavailable(type(exc).__name__) from None
        for message in messages:
            created = message.date_created.timestamp() if message.date_created else 0.0
            if message.body == body and created >= since and message.sid not in exclude:
                return message.sid
        return None


def _never_connected(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached the provider (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.ConnectionError) and isinstance(reason, NewConnectionError)


def sender_for(settings: Settings, r: redis.Redis, base_url: str = "") -> Sender:
    """Twilio only in production with an account; the Outbox otherwise."""
    if settings.development or not settings.twilio_account_sid:
        return OutboxSender(r)
    return TwilioSender(
        settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_number,
        base_url=base_url,
    )  # fmt: skip
