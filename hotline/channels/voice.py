"""POST /voice and its steps: Twilio's Voice webhook in, TwiML (VoiceResponse) out.

A call is the voice flow on the same engine as SMS. Every answer names the next URL in a Gather
action, a Redirect or a Dial action; the session lives in Redis under the CallSid. Any failure
answers with the static fallback: 911, then the 24/7 National Human Trafficking Hotline.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable

import redis
from flask import Blueprint, Response, abort, request, send_from_directory
from twilio.twiml.voice_response import VoiceResponse

from hotline import clock, current
from hotline.channels import interpreter
from hotline.channels import turn as turns
from hotline.channels.perform import ChannelPerformer
from hotline.channels.twilio_auth import twilio_only
from hotline.channels.voice_state import CallState
from hotline.engine import AskNode, Engine, Event, MenuNode, Session, Step, TransferNode
from hotline.engine.models import NodeBase, Option, VoiceSettings
from hotline.engine.runtime import Say
from hotline.escalations import blocks, calls, reports
from hotline.logs import where
from hotline.safety.fallback import static_voice
from hotline.safety.triage import assess
from hotline.schedule import ScheduleError, is_open, local_now
from hotline.store import get_redis, number_key

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__)

FLOW = "voice"
GATHER_TIMEOUT = 15  # seconds: long enough for a relay operator to type the menu and answer
SPEECH_TIMEOUT = 3  # a speech model needs a number here, not "auto"
DIAL_TIMEOUT = 25  # seconds of ringing before the caller hears the alternatives
SCREEN_TIMEOUT = 10
MAX_TRANSFER_CHECKS = 4
AUDIO_NAME = re.compile(r"^[A-Za-z0-9_-]+\.wav$")
ANSWERED = {"completed", "answered"}


# -- wiring ------------------------------------------------------------------------------------
def safe(view: Callable[[], str]) -> Callable[[], Response]:
    """Never a 5xx to Twilio: Redis down or any bug answers with the fallback TwiML."""

    @functools.wraps(view)
    def wrapped() -> Response:
        try:
            body = view()
        except redis.RedisError:
            log.error("voice: Redis unavailable at %s; answered with the fallback", request.path)
            body = static_voice()
        except Exception as exc:  # noqa: BLE001 - a caller must never meet a 500
            log.error("voice: %s at %s; answered with the fallback", where(exc), request.path)
            body = static_voice()
        return Response(body, mimetype="text/xml")

    return wrapped


def _call() -> CallState:
    return CallState(get_redis(), request.form.get("CallSid", ""))


def _performer() -> ChannelPerformer:
    return ChannelPerformer(channel="voice", sender=request.form.get("From", ""))


# -- routes ------------------------------------------------------------------------------------
@bp.post("/voice")
@twilio_only
@safe
def incoming() -> str:
    """A new call: the welcome and the language menu (a blocked number: 911 and the 24/7
    line, then a transfer to it, as when anything fails)."""
    settings = current.settings()
    caller = request.form.get("From", "")
    if caller and blocks.is_blocked(get_redis(), number_key(settings.hash_key, caller)):
        return static_voice()
    eng = current.engine(FLOW)
    return advance(eng, eng.start(current.flows().default_language), _call())


@bp.post("/voice/step")
@twilio_only
@safe
def step() -> str:
    """A Gather's answer (Digits or SpeechResult), or its Redirect when nothing came."""
    eng, call = current.engine(FLOW), _call()
    session = call.read()
    if session is None or session.pending:
        return advance(eng, eng.start(current.flows().default_language), call)
    verdict = assess(current.lexicon(), request.form.get("SpeechResult", ""))
    if verdict.urgent and eng.flow.urgent:
        _count_urgent()
        return advance(eng, eng.urgent(session, session.language, verdict.flag), call)
    return advance(eng, eng.step(session, caller_event(eng, session)), call)


@bp.post("/voice/dial-result")
@twilio_only
@safe
def dial_result() -> str:
    """A Dial ended: answered and over, or nobody picked up (no-answer, busy, failed)."""
    eng, call = current.engine(FLOW), _call()
    session = call.read()
    node = eng.flow.nodes.get(session.pending or "") if session else None
    if session is None or not isinstance(node, TransferNode):
        return advance(eng, eng.start(current.flows().default_language), call)
    status = request.form.get("DialCallStatus", "")
    accepted = call.take_accepted() if node.to == "oncall" else "1"
    result = "answered" if status in ANSWERED and accepted else "no_answer"
    if result == "answered" and node.to == "oncall":
        _record_answered(session, "" if accepted == "1" else accepted)
    return advance(eng, eng.step(session, Event(kind="transfer_result", result=result)), call)


def _record_answered(session: Session, advocate: str) -> None:
    """The answered call in the queue's record (escalations/calls.py); never stops the call."""
    settings = current.settings()
    raw = request.form.get("DialCallDuration", "")
    try:
        calls.record_answered(
            get_redis(), hash_key=settings.hash_key, caller=request.form.get("From", ""),
            language=session.language, duration=int(raw) if raw.isdigit() else 0,
            advocate=advocate, timezone=settings.timezone,
        )  # fmt: skip
    except redis.RedisError as exc:
        log.error("voice: the answered call was not recorded (%s)", where(exc))


def _count_urgent() -> None:
    """An urgent flag for the reports (speech triage found danger)."""
    settings = current.settings()
    try:
        day = reports.local_day(clock.now(), settings.timezone)
        reports.count(get_redis(), day, "urgent", reports.ReportConfig.from_env().ttl)
    except redis.RedisError as exc:
        log.error("voice: urgent flag not counted (%s)", where(exc))


@bp.post("/voice/screen")
@twilio_only
def screen() -> Response:
    """Heard by the advocate who picks up: press 1 to accept, so voicemail never takes a caller."""
    eng = current.engine(FLOW)
    response = VoiceResponse()
    gather = response.gather(
        input="dtmf", num_digits=1, timeout=SCREEN_TIMEOUT, action="/voice/screen-result"
    )
    lang = current.flows().default_language
    say_text(gather, eng.message("screen", lang), lang)
    response.hangup()
    return Response(str(response), mimetype="text/xml")


@bp.post("/voice/screen-result")
@twilio_only
def screen_result() -> Response:
    """1: record the acceptance on the caller's call and bridge; anything else: hang up."""
    response = VoiceResponse()
    if request.form.get("Digits") == "1":
        try:
            r = get_redis()
            by = calls.advocate_for_phone(r, request.form.get("To", ""))
            CallState(r, request.form.get("ParentCallSid", "")).accept(by)
        except redis.RedisError:
            log.error("voice: Redis unavailable while an advocate accepted; bridging anyway")
    else:
        response.hangup()
    return Response(str(response), mimetype="text/xml")


@bp.post("/voice/status")
@twilio_only
def status() -> Response:
    """Twilio's status callback: count how the call ended and where; forget the call."""
    try:
        call, settings = _call(), current.settings()
        session = call.read()
        day = reports.local_day(clock.now(), settings.timezone).isoformat()
        language = session.language if session else current.flows().default_language
        contact = (reports.day_key(day), reports.contact_field("voice", language),
                   reports.ReportConfig.from_env().ttl)  # fmt: skip
        call.end(
            request.form.get("CallStatus", "unknown"),
            request.form.get("CallDuration", ""),
            session,
            settings.retention_days,
            contact,
        )
    except redis.RedisError:
        log.error("voice: Redis unavailable; call ending not recorded")
    return Response("", status=204)


@bp.get("/voice/audio/<lang>/<name>")
def audio(lang: str, name: str) -> Response:
    """Recorded prompts for languages with no text-to-speech, cached by Twilio and carriers."""
    if lang not in current.flows().languages or not AUDIO_NAME.match(name):
        abort(404)
    folder = (current.settings().resources_dir / "audio" / lang).resolve()
    response = send_from_directory(folder, name, mimetype="audio/wav", max_age=86400)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


# -- one turn ----------------------------------------------------------------------------------
def caller_event(eng: Engine, session: Session) -> Event:
    """Digits, else speech (digits only for a number question), else silence."""
    if request.args.get("silence"):
        return Event(kind="silence")
    digits = request.form.get("Digits", "").strip()
    if digits:
        return Event(kind="text", text=digits)
    speech = request.form.get("SpeechResult", "").strip()
    node = eng.flow.nodes.get(session.node or "")
    if isinstance(node, AskNode) and node.expect == "digits":
        spoken = re.sub(r"[\s,.\-]", "", speech)
        speech = spoken if spoken.isdigit() else speech
    return Event(kind="text", text=speech) if speech else Event(kind="silence")


def advance(eng: Engine, first: Step, call: CallState) -> str:
    """Run the engine to the next question, dial or end; save the call; render TwiML."""
    turn = settle(eng, first, _performer())
    call.save(turn.session)
    if turn.waiting == "dial":
        call.clear_accepted()
    return str(render(eng, turn))


def settle(eng: Engine, step: Step, performer: ChannelPerformer) -> turns.Turn:
    """turn.run, then answer each transfer check: open when someone can be dialled now."""
    turn = turns.run(eng, step, performer)
    for _ in range(MAX_TRANSFER_CHECKS):
        if turn.waiting != "transfer":
            break
        node = eng.flow.nodes[turn.session.pending or ""]
        assert isinstance(node, TransferNode)
        result = "open" if can_dial(node.to, turn.session.language) else "closed"
        nxt = eng.step(turn.session, Event(kind="transfer_result", result=result))
        turn = turns.run(eng, nxt, performer, turn)
    return turn


def can_dial(to: str, language: str = "") -> bool:
    """A fixed number always; the on-call advocates only with numbers, in staffed hours, and
    when the caller's language can be spoken with them (an advocate who speaks it, or the
    interpreter service): otherwise the flow's closed path (the 24/7 national hotline)."""
    if to != "oncall":
        return True
    settings = current.settings()
    if not settings.oncall_numbers:
        return False
    try:
        staffed = is_open(settings.staffed_hours, local_now(settings.timezone))
    except ScheduleError as exc:
        log.error("voice: HOTLINE_STAFFED_HOURS is invalid (%s); treating as closed", exc)
        return False
    return staffed and (not language or interpreter.route(language).way != "none")


# -- TwiML -------------------------------------------------------------------------------------
def render(eng: Engine, turn: turns.Turn) -> VoiceResponse:
    """Says before the question; the question's own words inside its Gather; then a way on."""
    session = turn.session
    assert session is not None
    response = VoiceResponse()
    says = [s for s in turn.says if s.text or s.audio]
    if turn.waiting == "input" and session.node:
        split = len(says)
        while split and says[split - 1].node == session.node:
            split -= 1
        speak(eng, response, says[:split], session)
        gather = response.gather(**gather_args(eng, session))
        speak(eng, gather, says[split:], session)
        response.redirect("/voice/step?silence=1")
    elif turn.waiting == "dial":
        speak(eng, response, says, session)
        node = eng.flow.nodes[session.pending or ""]
        caller = request.form.get("CallSid", "")
        if not (
            getattr(node, "to", "") == "oncall"
            and interpreter.route(session.language).way == "interpreter"
            and interpreter.conference(response, session.language, caller)
        ):
            dial(response, node)
    elif turn.waiting == "end":
        speak(eng, response, says, session)
        response.hangup()
    else:  # still waiting on a lookup or transfer: never hang up silently
        raise RuntimeError(f"voice turn stopped while waiting for {turn.waiting}")
    return response


def speak(eng: Engine, parent, says: list[Say], session: Session) -> None:
    for say in says:
        node = eng.flow.nodes.get(say.node)
        if isinstance(node, MenuNode) and is_language_menu(node) and say.field != "results":
            for option in node.options:
                lang = option.set_language or ""
                if voice_of(lang) is None and say.field != "text":
                    continue  # no voice (an interpreter is offered): only its choice is said
                _say(parent, eng.render(session, say.node, say.field, lang), lang)
        else:
            _say(parent, say, session.language)


def is_language_menu(node: NodeBase) -> bool:
    """A menu whose every option picks a language: spoken in each language, keypad only."""
    options = getattr(node, "options", [])
    return bool(options) and all(o.set_language for o in options)


def voice_of(lang: str) -> VoiceSettings | None:
    language = current.flows().languages.get(lang)
    return language.voice if language else None


def _say(parent, say: Say, lang: str) -> None:
    if say.audio:
        parent.play(audio_url(lang, say.audio))
    elif say.text:
        say_text(parent, say.text, lang)


def say_text(parent, text: str, lang: str) -> None:
    """<Say> with the language's voice; a language with no voice falls back to the default's."""
    settings = voice_of(lang)
    if not (settings and settings.say_language):
        settings = voice_of(current.flows().default_language)
    if settings and settings.say_language:
        parent.say(text, voice=settings.voice, language=settings.say_language)
    else:
        parent.say(text)


def audio_url(lang: str, name: str) -> str:
    base = current.settings().public_url or request.url_root.rstrip("/")
    return f"{base}/voice/audio/{lang}/{name}"


def gather_args(eng: Engine, session: Session) -> dict:
    """Keypad always; speech where the language has recognition; fixed lengths as numDigits."""
    node = eng.flow.nodes[session.node or ""]
    assert isinstance(node, MenuNode | AskNode)
    args: dict = {
        "action": "/voice/step",
        "method": "POST",
        "timeout": max(node.timeout or GATHER_TIMEOUT, 10),
        "input": "dtmf",
    }
    if isinstance(node, AskNode) and node.digits:
        args.update(num_digits=node.digits, finish_on_key="#")
    elif isinstance(node, MenuNode):
        keys = [o.key for o in [*node.options, *eng.flow.global_options] if o.key]
        if keys and all(len(k) == 1 for k in keys):
            args.update(num_digits=1, finish_on_key="")
    settings = voice_of(session.language)
    if settings and settings.speech and not is_language_menu(node):
        args.update(input="dtmf speech", language=settings.speech, hints=hints(eng, node, session))
        if settings.speech_model:
            args.update(speech_model=settings.speech_model, speech_timeout=SPEECH_TIMEOUT)
        else:
            args.update(speech_timeout="auto")
    return args


def hints(eng: Engine, node: NodeBase, session: Session) -> str | None:
    """The words a caller may say at this question, in their language (Twilio speech hints)."""
    options: list[Option] = [*getattr(node, "options", []), *eng.flow.global_options]
    words: list[str] = []
    for option in options:
        for word in option.keywords.get(session.language, []):
            if word.lower() not in words:
                words.append(word.lower())
    return ", ".join(words) or None


def dial(response: VoiceResponse, node) -> None:
    """Ring the on-call advocates at once (each screened) or the fixed number; hotline caller ID."""
    assert isinstance(node, TransferNode)
    settings = current.settings()
    caller_id = settings.twilio_number or request.form.get("To") or None
    verb = response.dial(action="/voice/dial-result", timeout=DIAL_TIMEOUT, caller_id=caller_id)
    if node.to == "oncall":
        for number in settings.oncall_numbers:
            verb.number(number, url="/voice/screen")
    else:
        verb.number(node.to)
