"""POST /sms: Twilio's Messaging webhook in, a safe reply out (TwiML via MessagingResponse)."""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass, field

import redis
from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse

from hotline import current
from hotline.channels import turn
from hotline.channels.perform import ChannelPerformer
from hotline.channels.sms_state import SmsState, Snapshot
from hotline.channels.twilio_auth import twilio_only
from hotline.engine import Engine, Event, Hotline, Session, Step
from hotline.engine.text import match_keyword
from hotline.escalations import texter as escalation
from hotline.escalations.records import Entry
from hotline.logs import where
from hotline.safety.fallback import static_sms
from hotline.safety.triage import Verdict, assess
from hotline.store import get_redis

log = logging.getLogger(__name__)
bp = Blueprint("sms", __name__)
MAX_BODY = 1600


@dataclass(frozen=True)
class Inbound:
    sender: str
    body: str
    sid: str

    @classmethod
    def from_form(cls, form) -> Inbound:
        body = (form.get("Body") or "")[:MAX_BODY]
        sid = form.get("MessageSid") or form.get("SmsSid") or ""
        return cls(sender=form.get("From", ""), body=body, sid=sid)


@dataclass
class Reply:
    """What to send back and what to remember."""

    texts: list[str] = field(default_factory=list)
    session: Session | None = None
    optout: str = ""  # "set", "del" or ""
    words: tuple[str, Entry] | None = None  # (escalation id, entry) for an open conversation
    forget: bool = False  # DELETE: forget the replies cached for this texter's earlier messages


def twiml(texts: list[str]) -> str:
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return str(response)


@bp.post("/sms")
@twilio_only
def sms_webhook() -> Response:
    inbound = Inbound.from_form(request.form)
    try:
        body = answer(inbound)
    except redis.RedisError as exc:
        log.error("sms: Redis unavailable (%s); answered with the static fallback", where(exc))
        body = static_sms()
    except Exception as exc:  # noqa: BLE001 - a texter must never meet a 500
        log.error("sms: %s; answered with the static fallback", where(exc))
        body = static_sms()
    return Response(body, mimetype="text/xml")


def answer(inbound: Inbound) -> str:
    """Claim, decide, commit: two round trips; once per MessageSid, one message at a time.

    The read claims the MessageSid and the texter's lease before anything with a side effect
    runs (sms_state): a repeated sid replays its reply; a twin still in flight is waited for
    and its reply returned; a second message of the same texter waits for the first.
    """
    settings = current.settings()
    state = SmsState(get_redis(), settings.secret_key, inbound.sender, settings.session_ttl)
    sid = inbound.sid or "local-" + uuid.uuid4().hex  # Twilio always sends one
    snapshot = state.claim(sid)
    if snapshot.earlier_reply is not None:
        return snapshot.earlier_reply
    if snapshot.in_flight:  # the same message, still being answered elsewhere: say only 911
        log.warning("sms: a repeated MessageSid is still in flight; answered with the fallback")
        return static_sms()
    try:
        reply = decide(inbound, snapshot, ChannelPerformer(channel="sms", sender=inbound.sender))
        body = twiml(reply.texts)
    except Exception:
        with contextlib.suppress(redis.RedisError):
            state.release(sid)  # so the texter's next message need not wait for the lease
        raise
    earlier = state.commit(sid, body, reply.session, reply.optout, reply.words, reply.forget)
    return earlier or body


def keyword_language(text: str, by_language: dict[str, list[str]], prefer: str) -> str | None:
    """The language whose keyword list holds the whole message (the current one first)."""
    if match_keyword(text, by_language.get(prefer, [])):
        return prefer
    return next((lang for lang, words in by_language.items() if match_keyword(text, words)), None)


def decide(inbound: Inbound, snapshot: Snapshot, performer: ChannelPerformer) -> Reply:
    """Keywords (opt-out, menu), an open escalation, keywords (help, language), the flow."""
    hotline, eng = current.flows(), current.engine("sms")
    kw, text, session = hotline.keywords, inbound.body, snapshot.session
    lang = session.language if session else hotline.default_language
    if (found := keyword_language(text, kw.delete, lang)) is not None:
        escalation.erase(inbound.sender)
        texts = [] if snapshot.opted_out else [eng.message("deleted", found)]
        return Reply(texts, session=None, forget=True)
    if snapshot.opted_out:
        return _opted_out(eng, text, session, lang, performer)
    if (found := keyword_language(text, kw.opt_out, lang)) is not None:
        escalation.leave(session, "texter sent STOP")
        return Reply([eng.message("opt_out", found)], session=None, optout="set")
    if _triaged(eng, session) and (verdict := assess(current.lexicon(), text)).urgent:
        return _urgent(eng, session, verdict, text, performer)
    if snapshot.recent >= current.settings().rate_limit:
        return _throttled(eng, snapshot, lang)
    if keyword_language(text, kw.menu, lang) is not None:
        escalation.leave(session, "texter went back to the menu")
        return _to_menu(eng, session, lang, performer)
    known, waits = snapshot.escalations, snapshot.waits
    if (said := escalation.converse(session, text, known, waits)) is not None:
        return Reply(said[0], session=session, words=said[1])  # their words go to staff
    if (found := keyword_language(text, kw.help, lang)) is not None:
        return _to_menu(eng, session, found, performer, eng.message("help", found))
    if (found := _language_keyword(hotline, text)) is not None:
        return _to_menu(eng, session, found, performer, eng.message("language_set", found))
    if session is None:
        return _run(eng, eng.start(lang), performer)
    return _run(eng, eng.step(session, Event(kind="text", text=text)), performer)


def _triaged(eng: Engine, session: Session | None) -> bool:
    """Danger triage runs on every message, except answers to a question that turns it off."""
    node = eng.flow.nodes.get(session.node or "") if session else None
    return getattr(node, "triage", True)


def _urgent(eng: Engine, session, verdict: Verdict, text: str, performer) -> Reply:
    """911 and the 24/7 line at once, and an urgent escalation with their words, from anywhere."""
    language = session.language if session else (verdict.language or eng.hotline.default_language)
    reply = _run(eng, eng.urgent(session, language, verdict.flag), performer)
    if reply.session:
        reply.session.vars.pop("triage", None)
        escalation.record_words(reply.session, text)
    return reply


def _throttled(eng: Engine, snapshot: Snapshot, lang: str) -> Reply:
    """A flood from one number: one notice (with 911), then silence until the minute is over.

    STOP, DELETE and urgent messages are handled before this and are never slowed.
    """
    first_over = snapshot.recent == current.settings().rate_limit
    return Reply([eng.message("slow_down", lang)] if first_over else [], session=snapshot.session)


def _opted_out(eng: Engine, text: str, session, lang: str, performer) -> Reply:
    found = keyword_language(text, current.flows().keywords.opt_in, lang)
    if found is None:
        return Reply([], session=session)  # silence until they opt back in
    reply = _to_menu(eng, session, found, performer, eng.message("opt_in", found))
    reply.optout = "del"
    return reply


def _language_keyword(hotline: Hotline, text: str) -> str | None:
    return next(
        (code for code, lang in hotline.languages.items() if match_keyword(text, lang.keywords)),
        None,
    )


def _to_menu(eng: Engine, session, lang: str, performer, first: str | None = None) -> Reply:
    step = eng.main_menu(session, lang) if session else eng.start(lang)
    reply = _run(eng, step, performer)
    if first:
        reply.texts.insert(0, first)
    return reply


def _run(eng: Engine, step: Step, performer: ChannelPerformer) -> Reply:
    done = turn.run(eng, step, performer)
    return Reply(texts=done.texts, session=done.session)
