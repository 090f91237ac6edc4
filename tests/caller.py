"""A simulated caller: plays Twilio's part in a voice call against the real app.

It posts signed webhooks, reads the TwiML the way Twilio executes it (Say, Play, Gather,
Redirect, Dial, Hangup, end of document) and stops where Twilio would wait for the caller:
at a Gather (press keys, speak, or stay silent) or at a Dial (answered, no-answer, busy).
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from hotline.channels.twilio_auth import sign
from hotline.channels.voice_cli import collect

TOKEN = "test-auth-token"
PUBLIC_URL = "https://hotline.example.org"
_sids = itertools.count(1)


def new_call_sid() -> str:
    return f"CA{next(_sids):032d}"


@dataclass
class Heard:
    """One thing the caller heard: text (Say) or a recording's URL (Play)."""

    text: str
    verb: str = "Say"
    language: str | None = None
    voice: str | None = None


@dataclass
class Waiting:
    """Where Twilio stopped: at a Gather or a Dial, with the verbs that follow it."""

    element: ET.Element
    rest: list[ET.Element] = field(default_factory=list)

    @property
    def verb(self) -> str:
        return self.element.tag


class CallEnded(AssertionError):
    pass


class Caller:
    def __init__(self, client, number: str = "+19785550123", to: str = "+16175550100"):
        self.client, self.number, self.to = client, number, to
        self.sid = new_call_sid()
        self.heard: list[Heard] = []
        self.documents: list[ET.Element] = []
        self.waiting: Waiting | None = None
        self.ended = False
        self.hung_up_by = ""  # "app" (Hangup), "end" (end of document) or "caller"

    # -- webhooks --------------------------------------------------------------------------
    def form(self, **extra: str) -> dict[str, str]:
        return {
            "CallSid": self.sid,
            "AccountSid": "AC" + "0" * 32,
            "From": self.number,
            "To": self.to,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            **extra,
        }

    def post(self, url: str, form: dict[str, str], signature: str | None = "auto"):
        """POST as Twilio does: the URL is resolved against the public URL and signed."""
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {}
        if signature == "auto":
            signature = sign(PUBLIC_URL + path, form, TOKEN)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        return self.client.post(path, data=form, headers=headers)

    def fetch(self, url: str, **extra: str) -> None:
        response = self.post(url, self.form(**extra))
        assert response.status_code == 200, (url, response.status_code)
        assert response.mimetype == "text/xml"
        root = ET.fromstring(response.get_data(as_text=True))
        assert root.tag == "Response"
        self.documents.append(root)
        self.run(list(root))

    # -- executing TwiML ---------------------------------------------------------------------
    def run(self, verbs: list[ET.Element]) -> None:
        for i, verb in enumerate(verbs):
            if verb.tag in ("Say", "Play"):
                self.hear(verb)
            elif verb.tag == "Pause":
                continue
            elif verb.tag == "Gather":
                for child in verb:
                    self.hear(child)
                self.waiting = Waiting(verb, verbs[i + 1 :])
                return
            elif verb.tag == "Dial":
                self.waiting = Waiting(verb, verbs[i + 1 :])
                return
            elif verb.tag == "Redirect":
                self.fetch(verb.text or "")
                return
            elif verb.tag == "Hangup":
                self.end("app")
                return
            else:
                raise AssertionError(f"unexpected TwiML verb <{verb.tag}>")
        self.end("end")

    def hear(self, verb: ET.Element) -> None:
        if verb.tag == "Say":
            self.heard.append(
                Heard(verb.text or "", "Say", verb.get("language"), verb.get("voice"))
            )
        elif verb.tag == "Play":
            self.heard.append(Heard(verb.text or "", "Play"))

    def end(self, by: str) -> None:
        self.waiting, self.ended, self.hung_up_by = None, True, by

    # -- what the caller does ----------------------------------------------------------------
    def call(self) -> str:
        """Dial the hotline; return everything heard until the first question."""
        return self._turn(lambda: self.fetch("/voice", CallStatus="ringing"))

    def press(self, keys: str) -> str:
        """Keys on the keypad, collected as Twilio would (numDigits, finishOnKey)."""
        gather = self._gather()
        assert "dtmf" in (gather.get("input") or "dtmf"), "this Gather takes no keys"
        return self._turn(lambda: self._answer(gather, Digits=self.collect(gather, keys)))

    def say(self, words: str, confidence: str = "0.92") -> str:
        gather = self._gather()
        assert "speech" in (gather.get("input") or ""), "this Gather takes no speech"
        return self._turn(lambda: self._answer(gather, SpeechResult=words, Confidence=confidence))

    def silence(self) -> str:
        """The Gather times out with nothing: Twilio goes on to the verbs after it."""
        assert self.waiting is not None and self.waiting.verb == "Gather"
        rest = self.waiting.rest
        return self._turn(lambda: self.run(rest))

    def dial_ends(self, status: str, duration: str = "0") -> str:
        """The Dial ends: completed (answered, then over), no-answer, busy, failed or canceled."""
        assert self.waiting is not None and self.waiting.verb == "Dial", self.waiting
        dial = self.waiting.element
        action = dial.get("action")
        extra = {"DialCallStatus": status, "DialCallSid": "CA" + "9" * 32}
        if status == "completed":
            extra["DialCallDuration"] = duration
        if action:
            return self._turn(lambda: self.fetch(action, **extra))
        rest = self.waiting.rest
        return self._turn(lambda: self.run(rest))

    def advocate_answers(self, accept: bool = True, phone: str = "") -> str:
        """An on-call phone picks up: what the advocate hears, and their key (1 = accept).
        phone: the number that answered (Twilio's To on the advocate's leg)."""
        dial = self._dial()
        number = dial.find("Number")
        assert number is not None and number.get("url"), "no screening on this Dial"
        leg = {"CallSid": "CA" + "7" * 32, "ParentCallSid": self.sid, "Direction": "outbound-dial"}
        if phone:
            leg["To"] = phone
        response = self.post(number.get("url") or "", {**self.form(), **leg})
        assert response.status_code == 200
        root = ET.fromstring(response.get_data(as_text=True))
        heard = " ".join(s.text or "" for s in root.iter("Say"))
        gather = root.find("Gather")
        assert gather is not None
        digits = "1" if accept else "2"
        response = self.post(gather.get("action") or "", {**self.form(), **leg, "Digits": digits})
        assert response.status_code == 200
        return heard

    def hang_up(self, status: str = "completed", duration: str = "42") -> None:
        """The caller hangs up; Twilio posts the status callback."""
        response = self.post("/voice/status", self.form(CallStatus=status, CallDuration=duration))
        assert response.status_code in (200, 204)
        self.end(self.hung_up_by or "caller")

    # -- helpers -------------------------------------------------------------------------------
    def _turn(self, action) -> str:
        if self.ended:
            raise CallEnded("the call has ended")
        start = len(self.heard)
        action()
        return " ".join(h.text for h in self.heard[start:])

    def _gather(self) -> ET.Element:
        if self.waiting is None or self.waiting.verb != "Gather":
            raise AssertionError(f"not at a Gather (ended={self.ended}, at={self.waiting})")
        return self.waiting.element

    def _dial(self) -> ET.Element:
        assert self.waiting is not None and self.waiting.verb == "Dial", self.waiting
        return self.waiting.element

    def _answer(self, gather: ET.Element, **extra: str) -> None:
        if not any(extra.values()):
            self.run(self.waiting.rest if self.waiting else [])
            return
        self.fetch(gather.get("action") or "", **extra)

    collect = staticmethod(collect)  # the same Digits rule the `hotline call` CLI uses

    # -- what tests look at ------------------------------------------------------------------
    @property
    def gather(self) -> ET.Element:
        return self._gather()

    @property
    def dial(self) -> ET.Element:
        return self._dial()

    def transcript(self) -> str:
        return " ".join(h.text for h in self.heard)
