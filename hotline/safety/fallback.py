"""/fallback/sms and /fallback/voice: Twilio's fallback URLs. They touch no dependency at all.

Twilio calls a number's fallback URL when the primary webhook fails. These answers come from
the flows already in memory: no Redis, no worker, no signature check (nothing here reads or
writes state, and the answer is the same public information for everyone).
"""

from __future__ import annotations

from flask import Blueprint, Response
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from hotline import current

bp = Blueprint("fallback", __name__, url_prefix="/fallback")
NATIONAL_HOTLINE = "+18883737888"


def _languages() -> list[str]:
    hotline = current.flows()
    return [lang for lang in ("en", "es") if lang in hotline.languages] or [
        hotline.default_language
    ]


def static_sms(language: str | None = None) -> str:
    """911 and the national hotline, in the texter's language if known, else English and Spanish."""
    engine = current.engine("sms")
    langs = [language] if language in current.flows().languages else _languages()
    response = MessagingResponse()
    for lang in langs:
        response.message(engine.message("fallback", lang))
    return str(response)


def static_voice(language: str | None = None) -> str:
    """Say 911 and the national hotline, then put the caller through to it: never a silent end."""
    hotline = current.flows()
    flow_id = "voice" if "voice" in hotline.flows else "sms"
    engine = current.engine(flow_id)
    langs = [language] if language in hotline.languages else _languages()
    response = VoiceResponse()
    for lang in langs:
        text = engine.message("fallback", lang) or current.engine("sms").message("fallback", lang)
        response.say(text, **_say_args(hotline, lang))
    response.dial(NATIONAL_HOTLINE)
    for lang in langs:  # heard only if the transfer fails
        if text := engine.message("fallback_after", lang):
            response.say(text, **_say_args(hotline, lang))
    return str(response)


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
