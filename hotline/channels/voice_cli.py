"""`hotline call`: walk a phone call through the real app in-process and print what is heard.

Each webhook is signed as Twilio would sign it (DevPhone), and the TwiML is followed the way
Twilio follows it: Say/Play are heard, a Gather waits for the next answer, a Redirect is
fetched, a Dial waits for --dial-status, Hangup or the end of the document ends the call.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

import click

from hotline.devphone import DevPhone, fake_sid


@dataclass
class Walk:
    """One call in progress: where Twilio is waiting and what the caller heard."""

    phone: DevPhone
    caller: str
    to: str
    sid: str = field(default_factory=lambda: fake_sid("CA"))
    waiting: ET.Element | None = None
    rest: list[ET.Element] = field(default_factory=list)
    ended: bool = False

    def form(self, **extra: str) -> dict[str, str]:
        base = {"CallSid": self.sid, "AccountSid": "AC" + "0" * 32, "From": self.caller}
        return {**base, "To": self.to, "CallStatus": "in-progress", "Direction": "inbound", **extra}

    def fetch(self, url: str, **extra: str) -> Iterator[str]:
        response = self.phone.post(url, self.form(**extra))
        if response.status_code != 200:
            self.ended = True
            yield f"[HTTP {response.status_code}]"
            return
        yield from self.run(list(ET.fromstring(response.get_data(as_text=True))))

    def run(self, verbs: list[ET.Element]) -> Iterator[str]:
        for i, verb in enumerate(verbs):
            if verb.tag in ("Say", "Play"):
                yield heard(verb)
            elif verb.tag in ("Gather", "Dial"):
                yield from (heard(child) for child in verb if verb.tag == "Gather")
                if verb.tag == "Dial":
                    yield "[dialling " + ", ".join(dialled(verb)) + "]"
                self.waiting, self.rest = verb, verbs[i + 1 :]
                return
            elif verb.tag == "Redirect":
                yield from self.fetch(verb.text or "")
                return
            elif verb.tag == "Hangup":
                break
        self.ended, self.waiting = True, None
        yield "[call ended]"

    def answer(self, keys: str | None = None, speech: str | None = None) -> Iterator[str]:
        """Keys or words at a Gather; neither is silence (Twilio goes on after the Gather)."""
        gather = self.waiting
        assert gather is not None and gather.tag == "Gather"
        digits = collect(gather, keys or "")
        if digits:
            return self.fetch(gather.get("action") or "", Digits=digits)
        if speech:
            return self.fetch(gather.get("action") or "", SpeechResult=speech, Confidence="0.9")
        return self.run(self.rest)

    def dial_ends(self, status: str) -> Iterator[str]:
        dial = self.waiting
        assert dial is not None and dial.tag == "Dial"
        if dial.get("action"):
            return self.fetch(dial.get("action") or "", DialCallStatus=status)
        return self.run(self.rest)


def heard(verb: ET.Element) -> str:
    if verb.tag == "Play":
        return f"[plays {verb.text}]"
    return f"[{verb.get('language') or '?'}] {verb.text or ''}"


def dialled(dial: ET.Element) -> list[str]:
    numbers = [n.text or "" for n in dial.iter("Number")]
    return numbers or [(dial.text or "").strip()]


def collect(gather: ET.Element, keys: str) -> str:
    """Digits as Twilio sends them: up to finishOnKey (default #) or numDigits keys."""
    finish, limit = gather.get("finishOnKey", "#"), int(gather.get("numDigits") or 0)
    out = ""
    for key in keys:
        if finish and key == finish:
            break
        out += key
        if limit and len(out) == limit:
            break
    return out


def _echo(lines: Iterator[str]) -> None:
    for line in lines:
        click.echo(line)


def _ensure_directory(phone: DevPhone) -> None:
    """Build the resource index if it is missing, so ZIP read-outs work on a fresh checkout."""
    try:
        from hotline.resources import ensure_index
        from hotline.store import get_redis

        with phone.app.app_context():
            ensure_index(get_redis(), phone.app.extensions["hotline.settings"].resources_dir)
    except Exception as exc:  # noqa: BLE001 - a walk without the directory still works
        click.echo(f"[resource directory unavailable: {type(exc).__name__}]", err=True)


def _interactive(walk: Walk, dial_status: str) -> None:
    while not walk.ended:
        if walk.waiting is not None and walk.waiting.tag == "Dial":
            status = click.prompt("dial ends", default=dial_status)
            _echo(walk.dial_ends(status))
            continue
        line = click.prompt("keys, 'say: words', empty for silence, q to hang up", default="")
        if line.strip().lower() == "q":
            break
        if line.lower().startswith("say:"):
            _echo(walk.answer(speech=line[4:].strip()))
        else:
            _echo(walk.answer(keys=line.strip()))


@click.command("call")
@click.option(
    "--digits", default="", help="Answers, comma-separated, e.g. 1,2,01852# (empty = silence)."
)
@click.option("--say", "says", multiple=True, help="Spoken answers, after the digits.")
@click.option("--from", "caller", default="+19785550123", show_default=True)
@click.option("--to", default="+16175550100", show_default=True)
@click.option("--dial-status", default="no-answer", show_default=True,
              type=click.Choice(["completed", "no-answer", "busy", "failed"]))  # fmt: skip
@click.option("-i", "--interactive", is_flag=True, help="Answer each question at the prompt.")
def call(digits: str, says: tuple[str, ...], caller: str, to: str, dial_status: str,
         interactive: bool) -> None:  # fmt: skip
    """Call the hotline in-process (signed as Twilio would) and print what the caller hears."""
    phone = DevPhone.for_cli()
    _ensure_directory(phone)
    walk = Walk(phone, caller, to)
    _echo(walk.fetch("/voice", CallStatus="ringing"))
    answers = [("keys", d) for d in digits.split(",")] if digits else []
    answers += [("say", s) for s in says]
    for kind, value in answers:
        _finish_dials(walk, dial_status)
        if walk.ended:
            break
        click.echo(f"> {'pressed' if kind == 'keys' else 'said'} {value or '(nothing)'}")
        lines = walk.answer(keys=value) if kind == "keys" else walk.answer(speech=value)
        _echo(lines)
    if interactive:
        _interactive(walk, dial_status)
    else:
        _finish_dials(walk, dial_status)


def _finish_dials(walk: Walk, status: str) -> None:
    while not walk.ended and walk.waiting is not None and walk.waiting.tag == "Dial":
        _echo(walk.dial_ends(status))
