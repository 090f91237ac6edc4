"""Calls in a language no advocate on duty speaks: the caller, an advocate and a telephone
interpreter service in one conference (issue 15 item 4).

1. The caller's transfer to the on-call advocates becomes `<Dial><Conference>` on a room named
   by a random id (never a number or a name); the caller waits there (the room starts when
   an advocate joins, and ends when the caller leaves). Each on-call number is called with the
   Calls API and hears the same "press 1 to accept" as a plain transfer.
2. The first advocate to press 1 joins the room (it ends when they leave), and the
   interpreter service is called with the Calls API: its number `HOTLINE_INTERPRETER_NUMBER`,
   then, once it answers, `sendDigits` types the account PIN (`HOTLINE_INTERPRETER_PIN`) and
   the language's code (`HOTLINE_INTERPRETER_CODES`, "km=123,ht=456") with pauses, as these
   services' menus ask. (Twilio's Participants API would add the leg to the room directly, but
   it cannot send digits.) Its answer URL puts it into the room.
3. The room's status callback drops the interpreter when the advocate leaves: the conference
   is ended and the interpreter's call hung up through the REST API.
4. When every advocate's call ends without an acceptance (no answer, busy, declined), the
   caller's call is sent on to the Dial's action as unanswered: the flow offers what it
   offers for no answer (the 24/7 national hotline, whose calls reach interpreters).

Out of staffed hours, `voice.can_dial` says closed before any of this, and the flow goes to
the 24/7 national hotline. State lives in Redis under the room id for a few hours.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

import redis
from flask import Blueprint, Response, request
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from hotline import current
from hotline.channels.twilio_auth import twilio_only
from hotline.channels.voice_state import CallState
from hotline.escalations import accounts
from hotline.escalations.config import EscalationConfig
from hotline.store import get_redis, key

log = logging.getLogger(__name__)
bp = Blueprint("interpreter", __name__)

ROOM_TTL = 6 * 3600  # seconds a room's state is kept
RING_SECONDS = 25  # each advocate's phone rings this long (as a plain transfer)
SCREEN_SECONDS = 10
REST_TIMEOUT = 5.0  # seconds for one Twilio REST call made from a webhook
PAUSE = "wwww"  # sendDigits: each w waits half a second (the service's greeting)
FINAL = {"completed", "busy", "no-answer", "failed", "canceled"}


def room_key(room: str) -> str:
    return key("voice", "interpreter", room)


# -- deciding -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    """How a transfer to the on-call advocates goes for a caller's language."""

    way: str  # "advocate" (a plain Dial), "interpreter" (a conference), "none" (nobody can)


def route(language: str) -> Route:
    """Plain when an on-call advocate speaks `language` (or it is the default language); a
    conference with the interpreter service when it is configured for the language; plain
    for a language with voice prompts otherwise (as before); "none" for a language with no
    voice and no interpreter (Khmer, Haitian Creole): the flow's no-answer path then reaches
    the national hotline's interpreters."""
    hotline = current.flows()
    if language == hotline.default_language or language in spoken_on_duty():
        return Route("advocate")
    if configured(language):
        return Route("interpreter")
    language_info = hotline.languages.get(language)
    return Route("advocate" if language_info and language_info.voice else "none")


def spoken_on_duty() -> set[str]:
    """Languages of the advocates marked on call (their accounts), read from Redis."""
    r = get_redis()
    return {lang for staff in accounts.everyone(r) if staff.on_call for lang in staff.languages}


def configured(language: str) -> bool:
    """Whether the interpreter service can be called for `language`: its number, a code for
    the language, and a Twilio account to place the call."""
    settings = current.settings()
    codes = dict(settings.interpreter_codes)
    return bool(settings.interpreter_number and settings.twilio_account_sid and codes.get(language))


def send_digits(language: str) -> str:
    """What the interpreter service is typed once it answers: PIN, then the language's code."""
    settings = current.settings()
    code = dict(settings.interpreter_codes)[language]
    pin = f"{settings.interpreter_pin}#{PAUSE}" if settings.interpreter_pin else ""
    return f"{PAUSE}{pin}{code}#"


# -- Twilio's REST API ------------------------------------------------------------------------
def rest_client() -> Client:
    """Twilio's client, pointed at TWILIO_API_BASE_URL when set (the tests' stand-in)."""
    settings = current.settings()
    client = Client(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        http_client=TwilioHttpClient(timeout=REST_TIMEOUT),
    )
    base_url = EscalationConfig.from_env().twilio_api_base_url
    if base_url:
        client.api.base_url = base_url
    return client


def _url(path: str, room: str) -> str:
    base = current.settings().public_url or request.url_root.rstrip("/")
    return f"{base}{path}?room={room}"


def _caller_id() -> str:
    return current.settings().twilio_number or request.form.get("To", "")


# -- the caller's side --------------------------------------------------------------------------
def conference(response: VoiceResponse, language: str, caller_sid: str) -> bool:
    """Ring the on-call advocates into a new room and put the caller in it; False (nothing
    added) when no advocate could be called, so the caller gets a plain transfer instead."""
    settings = current.settings()
    room = "room-" + secrets.token_hex(12)
    r = get_redis()
    r.hset(room_key(room), mapping={"caller": caller_sid, "language": language, "rung": 0})
    r.expire(room_key(room), ROOM_TTL)
    client, rung = rest_client(), 0
    for number in settings.oncall_numbers:
        try:
            client.calls.create(
                to=number, from_=_caller_id(), url=_url("/voice/interpreter/advocate", room),
                timeout=RING_SECONDS,
                status_callback=_url("/voice/interpreter/advocate-status", room),
                status_callback_event=["completed"],
            )  # fmt: skip
            rung += 1
        except (TwilioException, OSError) as exc:
            log.error("interpreter: calling an advocate failed (%s)", type(exc).__name__)
    if not rung:
        r.delete(room_key(room))
        return False
    r.hset(room_key(room), "rung", rung)
    dial = response.dial(action="/voice/dial-result", timeout=RING_SECONDS)
    dial.conference(
        room, start_conference_on_enter=False, end_conference_on_exit=True, beep=False,
        status_callback=_url("/voice/interpreter/events", room),
        status_callback_event="join leave end",
    )  # fmt: skip
    return True


# -- the advocate's side ----------------------------------------------------------------------
def _room() -> tuple[str, dict[str, str]]:
    room = request.args.get("room", "")
    state = get_redis().hgetall(room_key(room)) if room.startswith("room-") else {}
    return room, state


def _xml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


@bp.post("/voice/interpreter/advocate")
@twilio_only
def advocate() -> Response:
    """An on-call phone answered: press 1 to accept (so a voicemail never takes the caller)."""
    from hotline.channels.voice import say_text  # voice imports this module

    eng, response = current.engine("voice"), VoiceResponse()
    room, _ = _room()
    gather = response.gather(
        input="dtmf", num_digits=1, timeout=SCREEN_SECONDS,
        action=f"/voice/interpreter/accept?room={room}",
    )  # fmt: skip
    lang = current.flows().default_language
    say_text(gather, eng.message("screen", lang), lang)
    response.hangup()
    return _xml(response)


@bp.post("/voice/interpreter/accept")
@twilio_only
def accept() -> Response:
    """1: the first advocate joins the room and the interpreter service is called in."""
    response = VoiceResponse()
    try:
        room, state = _room()
        sid = request.form.get("CallSid", "")
        r = get_redis()
        if request.form.get("Digits") != "1" or not state:
            response.hangup()
            return _xml(response)
        if not r.hsetnx(room_key(room), "advocate", sid):  # another advocate was first
            response.hangup()
            return _xml(response)
        CallState(r, state["caller"]).accept()
        _call_interpreter(room, state["language"])
    except redis.RedisError:
        log.error("interpreter: Redis unavailable while an advocate accepted")
        response.hangup()
        return _xml(response)
    dial = response.dial()
    dial.conference(
        room, start_conference_on_enter=True, end_conference_on_exit=True, beep=False,
        status_callback=_url("/voice/interpreter/events", room),
        status_callback_event="join leave end",
    )  # fmt: skip
    return _xml(response)


def _call_interpreter(room: str, language: str) -> None:
    """The interpreter service, typed its PIN and the language's code once it answers."""
    settings = current.settings()
    try:
        call = rest_client().calls.create(
            to=settings.interpreter_number, from_=_caller_id(),
            send_digits=send_digits(language),
            url=_url("/voice/interpreter/join", room),
        )  # fmt: skip
    except (TwilioException, OSError) as exc:
        log.error("interpreter: calling the interpreter service failed (%s)", type(exc).__name__)
        return
    get_redis().hset(room_key(room), "interpreter", call.sid)


@bp.post("/voice/interpreter/join")
@twilio_only
def join() -> Response:
    """The interpreter service's leg, after its digits: into the room."""
    response = VoiceResponse()
    room, state = _room()
    if not state or not state.get("advocate"):
        response.hangup()
        return _xml(response)
    dial = response.dial()
    dial.conference(room, start_conference_on_enter=True, end_conference_on_exit=False, beep=False)
    return _xml(response)


@bp.post("/voice/interpreter/events")
@twilio_only
def events() -> Response:
    """The room's status callback: when the advocate leaves (or the room ends), the
    interpreter's leg is dropped: the conference ended and the interpreter's call hung up."""
    try:
        room, state = _room()
        event = request.form.get("StatusCallbackEvent", "")
        leaving = request.form.get("CallSid", "")
        advocate_left = event == "participant-leave" and leaving == state.get("advocate")
        if state and (advocate_left or event == "conference-end"):
            _drop_interpreter(request.form.get("ConferenceSid", ""), state)
    except redis.RedisError:
        log.error("interpreter: Redis unavailable in a conference event")
    return Response("", status=204)


def _drop_interpreter(conference_sid: str, state: dict[str, str]) -> None:
    client = rest_client()
    try:
        if conference_sid:
            client.conferences(conference_sid).update(status="completed")
        if state.get("interpreter"):
            client.calls(state["interpreter"]).update(status="completed")
    except (TwilioException, OSError) as exc:
        log.error("interpreter: hanging up the interpreter failed (%s)", type(exc).__name__)


@bp.post("/voice/interpreter/advocate-status")
@twilio_only
def advocate_status() -> Response:
    """An advocate's call ended. When every one ended without an acceptance, the caller's call
    goes on to its Dial's action as unanswered (the flow's no-answer path)."""
    try:
        room, state = _room()
        if not state or request.form.get("CallStatus", "") not in FINAL or state.get("advocate"):
            return Response("", status=204)
        r = get_redis()
        ended = r.hincrby(room_key(room), "ended", 1)
        if ended >= int(state.get("rung") or 0) and not r.hget(room_key(room), "advocate"):
            base = current.settings().public_url or request.url_root.rstrip("/")
            rest_client().calls(state["caller"]).update(
                url=f"{base}/voice/dial-result?unanswered=1", method="POST"
            )
    except redis.RedisError:
        log.error("interpreter: Redis unavailable in an advocate's status callback")
    except (TwilioException, OSError) as exc:
        log.error("interpreter: sending the caller on failed (%s)", type(exc).__name__)
    return Response("", status=204)
