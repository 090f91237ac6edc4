"""/fallback/sms and /fallback/voice: Twilio's fallback URLs. They touch no dependency at all.

Twilio calls a number's fallback URL when the primary webhook fails. These answers come from
the flows already in memory: no Redis, no worker, no signature check (nothing here reads or
writes state, and the answer is the same public information for everyone).

The same builders (sms_twiml, voice_twiml) print the TwiML for `hotline fallback twiml
sms|voice`, so an operator can host it where the primary's failures cannot reach (a Twilio
TwiML Bin, any static host): one source for what the app says and what the Bin says.
"""

from __future__ import annotations

from flask import Blueprint, Response
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from hotline import current
from hotline.engine import Engine, Hotline

bp = Blueprint("fallback", __name__, url_prefix="/fallback")
NATIONAL_HOTLINE = "+18883737888"


def _languages(hotline: Hotline) -> list[str]:
    return [lang for lang in ("en", "es") if lang in hotline.languages] or [
        hotline.default_language
    ]


def sms_twiml(hotline: Hotline, program: str, language: str | None = None) -> str:
    """TwiML: 911 and the national hotline (flow text `fallback`), in `language` if the
    flows declare it, else in English and Spanish. Facts: flows/sms.yaml (data/README.md)."""
    engine = Engine(hotline, "sms", {"program": program})
    langs = [language] if language in hotline.languages else _languages(hotline)
    response = MessagingResponse()
    for lang in langs:
        response.message(engine.message("fallback", lang))
    return str(response)


def voice_twiml(hotline: Hotline, program: str, language: str | None = None) -> str:
    """TwiML: say 911 and the national hotline, put the caller through to it (+18883737888),
    then say how to reach it if the transfer failed: never a silent end."""
    flow_id = "voice" if "voice" in hotline.flows else "sms"
    engine = Engine(hotline, flow_id, {"program": program})
    sms = Engine(hotline, "sms", {"program": program})
    langs = [language] if language in hotline.languages else _languages(hotline)
    response = VoiceResponse()
    for lang in langs:
        text = engine.message("fallback", lang) or sms.message("fallback", lang)
        response.say(text, **_say_args(hotline, lang))
    response.dial(NATIONAL_HOTLINE)
    for lang in langs:  # heard only if the transfer fails
        if text := engine.message("fallback_after", lang):
            response.say(text, **_say_args(hotline, lang))
    return str(response)


def static_sms(language: str | None = None) -> str:
    """The current app's SMS fallback (sms_twiml with its flows and program name)."""
    return sms_twiml(current.flows(), current.settings().program_name, language)


def static_voice(language: str | None = None) -> str:
    """The current app's voice fallback (voice_twiml with its flows and program name)."""
    return voice_twiml(current.flows(), current.settings().program_name, language)


def _say_args(hotline, lang: str) -> dict[str, str]:
    settings = hotline.languages[lang].voice
    if not settings:
        return {}
    return {
        k: v for k, v in {"language": settings.say_language, "voice": settings.voice}.items() if v
    }


@bp.route("/sms", methods=["GET", "POST"])
def fallback_sms() -> Response:
    return Response(static_sms(), mimetype="text/xml")


@bp.route("/voice", methods=["GET", "POST"])
def fallback_voice() -> Response:
    return Response(static_voice(), mimetype="text/xml")
