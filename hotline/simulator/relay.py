"""The simulator's signed requests: every text and call step goes through the real webhooks."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask

from hotline.devphone import DevPhone, fake_sid
from hotline.engine.segments import segment_count

VOICE_PATHS = frozenset(
    {"/voice", "/voice/step", "/voice/dial-result", "/voice/status", "/voice/screen",
     "/voice/screen-result"}
)  # fmt: skip
QUERIES = frozenset({"", "silence=1"})
VOICE_FIELDS = frozenset(
    {"CallSid", "From", "To", "CallStatus", "Direction", "Digits", "SpeechResult", "Confidence",
     "DialCallStatus", "DialCallSid", "DialCallDuration", "CallDuration", "ParentCallSid"}
)  # fmt: skip
HOTLINE_NUMBER = "+16175550100"


class RelayError(ValueError):
    """A request the simulator will not sign: not a Twilio webhook of this app."""


def phone_for(app: Flask) -> DevPhone:
    """One DevPhone per app: it signs with the app's own token, so signatures stay checked."""
    phone = app.extensions.get("hotline.simulator.phone")
    if phone is None:
        phone = app.extensions["hotline.simulator.phone"] = DevPhone(app)
    return phone


def text(app: Flask, sender: str, body: str) -> tuple[list[dict], str]:
    """Send one SMS to /sms; the replies with the segments each costs, and why none came
    when the app withheld a reply (rate limit, opted out, an advocate answering...)."""
    replies, withheld = phone_for(app).exchange(body, sender, to=HOTLINE_NUMBER)
    return [{"body": reply, "segments": segment_count(reply)} for reply in replies], withheld


def voice(app: Flask, url: str, params: dict[str, str]) -> tuple[int, str]:
    """POST one voice webhook (a TwiML URL the app gave) as Twilio would; status and TwiML."""
    parts = urlsplit(url)
    if parts.path not in VOICE_PATHS or parts.query not in QUERIES:
        raise RelayError("not a voice webhook of this app")
    form = {k: str(v) for k, v in params.items() if k in VOICE_FIELDS}
    form.update(AccountSid="AC" + "0" * 32, ApiVersion="2010-04-01")
    form.setdefault("To", HOTLINE_NUMBER)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    response = phone_for(app).post(path, form)
    return response.status_code, response.get_data(as_text=True)


def new_call_sid() -> str:
    return fake_sid("CA")
