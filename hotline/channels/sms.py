"""POST /sms: Twilio's Messaging webhook in, a safe reply out (TwiML via MessagingResponse)."""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from dataclasses import dataclass, field

import redis
from flask import Blueprint, Response, g, request
from twilio.twiml.messaging_response import MessagingResponse

from hotline import current
from hotline.channels import turn
from hotline.channels.perform import ChannelPerformer
from hotline.channels.sms_state import SmsState, Snapshot
from hotline.channels.twilio_auth import twilio_only
from hotline.engine import Engine, Escalate, Event, Hotline, MenuNode, Session, Step
from hotline.engine.segments import segment_count
from hotline.engine.text import match_keyword
from hotline.escalations import records, reports
from hotline.escalations import texter as escalation
from hotline.escalations.conversation import SESSION_VAR
from hotline.escalations.records import Entry
from hotline.languages.detect import Detected, detect
from hotline.logs import where
from hotline.safety.fallback import static_sms
from hotline.safety.triage import Verdict
from hotline.store import get_redis

log = logging.getLogger(__name__)
bp = Blueprint("sms", __name__)
MAX_BODY = 1600
MAX_MEDIA = 10  # Twilio sends at most 10 media items with one message
RECENT_SECONDS = 300  # a texter's messages this recent are triaged together with a new one
RECENT_COUNT = 4
RECENT_CHARS = 400
WITHHELD_HEADER = "X-Hotline-Withheld"  # why no reply was sent (development and test only)


@dataclass(frozen=True)
class Inbound:
    sender: str
    body: str
    sid: str
    media: tuple[str, ...] = ()  # content types of the pictures or files sent (MMS)

    @classmethod
    def from_form(cls, form) -> Inbound:
        body = (form.get("Body") or "")[:MAX_BODY]
        sid = form.get("MessageSid") or form.get("SmsSid") or ""
        count = _count(form.get("NumMedia"))
        media = tuple(
            (form.get(f"MediaContentType{i}") or "unknown type")[:100] for i in range(count)
        )
        return cls(sender=form.get("From", ""), body=body, sid=sid, media=media)


def _count(raw: str | None) -> int:
    try:
        return max(0, min(MAX_MEDIA, int(raw or 0)))
    except ValueError:
        return 0


@dataclass
class Reply:
    """What to send back and what to remember."""

    texts: list[str] = field(default_factory=list)
    session: Session | None = None
    optout: str = ""  # "set", "del" or ""
    words: tuple[str, Entry] | None = None  # (escalation id, entry) for an open conversation
    withheld: str = ""  # why nothing is said back, when nothing is (shown by the simulator)
    urgent: bool = False  # danger triage flagged it (the recent-messages window starts over)
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
    response = Response(body, mimetype="text/xml")
    withheld = g.get("sms_withheld", "")
    if withheld and current.settings().development:
        response.headers[WITHHELD_HEADER] = withheld
    return response


def answer(inbound: Inbound) -> str:
    """Claim, decide, commit: two round trips; once per MessageSid, one message at a time.

    The read claims the MessageSid and the texter's lease before anything with a side effect
    runs (sms_state): a repeated sid replays its reply; a twin still in flight is waited for
    and its reply returned; a second message of the same texter waits for the first.
    """
    settings = current.settings()
    state = SmsState(get_redis(), settings.hash_key, inbound.sender, settings.session_ttl)
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
    counts = reports.sms_counts(
        snapshot.session, reply.session, urgent=reply.urgent, deleted=reply.forget,
        blocked=snapshot.blocked, language=current.flows().default_language,
        timezone=settings.timezone,
    )  # fmt: skip
    earlier = state.commit(
        sid, body, reply.session, reply.optout, reply.words, reply.forget, counts
    )
    return earlier or body


def keyword_language(text: str, by_language: dict[str, list[str]], prefer: str) -> str | None:
    """The language whose keyword list holds the whole message (the current one first)."""
    if match_keyword(text, by_language.get(prefer, [])):
        return prefer
    return next((lang for lang, words in by_language.items() if match_keyword(text, words)), None)


def opt_out_language(hotline: Hotline, text: str, prefer: str) -> str | None:
    """The language of an opt-out: a keyword ("STOP", "Opt-Out") or a whole-message request
    ("stop texting me", "dejen de escribirme"); never a sentence that only holds the word."""
    found = keyword_language(text, hotline.keywords.opt_out, prefer)
    return found or hotline.phrasebook.says("opt_out", text, prefer)


def decide(inbound: Inbound, snapshot: Snapshot, performer: ChannelPerformer) -> Reply:
    """One message's reply, with what it keeps: the recent-messages window for triage and,
    when nothing is said back, why (for the simulator)."""
    reply = _decide(inbound, snapshot, performer)
    if reply.session is not None:
        reply.session.recent = _recent_after(snapshot.session, inbound, reply.urgent)
    if not reply.texts and reply.withheld:
        g.sms_withheld = reply.withheld
    return reply


def _decide(inbound: Inbound, snapshot: Snapshot, performer: ChannelPerformer) -> Reply:
    """DELETE, opt-out, danger, the keywords (never throttled), the rate limit, an open
    conversation (every message reaches the advocate), then the flow."""
    hotline, eng = current.flows(), current.engine("sms")
    kw, text = hotline.keywords, inbound.body
    session = _language_on(hotline, _still_open(snapshot))
    # No language yet: found from this first message (pure, no Redis; issue 15)
    detected = detect(text, hotline) if session is None else None
    lang = session.language if session else detected.language
    arrived = eng.reads(text)
    if (found := keyword_language(text, kw.delete, lang)) is not None:
        escalation.erase(inbound.sender)
        texts = [] if snapshot.opted_out else [eng.message("deleted", found)]
        return Reply(
            texts, session=None, withheld="opted out: DELETE is done silently", forget=True
        )
    if snapshot.opted_out:
        return _opted_out(eng, session, text, arrived, lang, performer)
    if (found := opt_out_language(hotline, text, lang)) is not None:
        escalation.leave(session, "texter sent STOP")
        return Reply([eng.message("opt_out", found)], session=None, optout="set")
    if snapshot.blocked:
        return _blocked(eng, session, text, arrived, lang)
    status = _open_status(session, snapshot)
    verdict = _triage(eng, session, text, arrived)
    if verdict is not None and verdict.urgent:
        return _way_back(_urgent(eng, session, verdict, inbound, status, performer, lang),
                         detected)  # fmt: skip
    words = _words(session, inbound, status)
    if inbound.media and not status and arrived in ("empty", "emoji"):
        return _photo(eng, session, lang, performer)
    if (found := keyword_language(text, kw.menu, lang)) is not None:
        return _with(_to_menu(eng, session, found, performer), words)
    if (found := keyword_language(text, kw.help, lang)) is not None:
        help_text = eng.message("help", found)
        return _with(_to_menu(eng, session, found, performer, help_text), words)
    if (found := _language_keyword(hotline, text)) is not None:
        said = eng.message("language_set", found)
        return _with(_to_menu(eng, session, found, performer, said), words)
    if snapshot.recent >= current.settings().rate_limit:
        return _with(_throttled(eng, snapshot, session, lang), words)
    # a disclosure, or danger words short of urgent ("he chokd me"): a person, not a re-prompt
    disclosure = (verdict.disclosure_flag or verdict.concern_flag) if verdict is not None else ""
    if status:
        return _in_conversation(eng, session, inbound, arrived, status, snapshot, performer,
                                disclosure)  # fmt: skip
    reply = _flow(eng, session, lang, text, disclosure, performer)
    if inbound.media:
        reply.texts.insert(0, eng.message("photo", lang))
    return _way_back(reply, detected)


def _language_on(hotline: Hotline, session: Session | None) -> Session | None:
    """A session in a language switched off since (HOTLINE_LANGUAGES_OFF) goes on in the
    default language."""
    if session is None or session.language in hotline.languages:
        return session
    return session.model_copy(update={"language": hotline.default_language})


def _way_back(reply: Reply, detected: Detected | None) -> Reply:
    """The first reply in a language found from the message ends with its way back
    ("English? Reply ENGLISH"): on its last message when it fits the language's SMS
    budget, else as a message of its own."""
    hotline = current.flows()
    if detected is None or detected.how == "default" or not reply.texts:
        return reply
    if reply.session is None or reply.session.language != detected.language:
        return reply
    line = hotline.detection.way_back.get(detected.language, "")
    if not line:
        return reply
    joined = f"{reply.texts[-1]}\n{line}"
    if segment_count(joined) <= hotline.languages[detected.language].sms_segments:
        reply.texts[-1] = joined
    else:
        reply.texts.append(line)
    return reply


def _blocked(eng: Engine, session: Session | None, text: str, arrived: str, lang: str) -> Reply:
    """A number an admin blocked (escalations/blocks.py): never silence, never queued.

    Danger words get 911 and the 24/7 line (blocked_danger); anything else the neutral
    static line (fallback). Nothing reaches a transcript; the session is left as it was.
    """
    verdict = _triage(eng, session, text, arrived)
    urgent = verdict is not None and verdict.urgent
    if urgent and verdict is not None and verdict.language and not verdict.scores.get(lang):
        lang = verdict.language
    reply = Reply([eng.message("blocked_danger" if urgent else "fallback", lang)],
                  session=session, withheld="")  # fmt: skip
    reply.urgent = urgent
    return reply


def _still_open(snapshot: Snapshot) -> Session | None:
    """The session, with a conversation that has closed let go of: their next message starts
    again at the menu rather than answering a question asked in that conversation."""
    session = snapshot.session
    escalation_id = str(session.vars.get(SESSION_VAR) or "") if session else ""
    if session is None or not escalation_id:
        return session
    status, _ = snapshot.escalations.get(escalation_id, ("", -1))
    if status in ("waiting", "claimed"):
        return session
    session = session.model_copy(deep=True)
    session.vars.pop(SESSION_VAR, None)
    session.node, session.retries, session.silences = None, 0, 0
    return session


def _open_status(session: Session | None, snapshot: Snapshot) -> str:
    """ "waiting" or "claimed" while the texter's conversation with a person is open, else ""."""
    escalation_id = str(session.vars.get(SESSION_VAR) or "") if session else ""
    status, _ = snapshot.escalations.get(escalation_id, ("", -1))
    return status if escalation_id and status in ("waiting", "claimed") else ""


def _triage(eng: Engine, session: Session | None, text: str, arrived: str) -> Verdict | None:
    """Danger triage of the message with the texter's recent ones; never of a reaction (it
    quotes the hotline's own words) and not where a question turns it off (a tip)."""
    if arrived in ("reaction", "empty") or not _triaged(eng, session):
        return None
    return current.triage().assess(text, _recent(session))


def _recent(session: Session | None, now: float | None = None) -> list[str]:
    """The texter's messages of the last RECENT_SECONDS (sealed in the session at rest)."""
    now = time.time() if now is None else now
    kept = session.recent if session else []
    return [text for at, text in kept if now - at <= RECENT_SECONDS]


def _recent_after(session: Session | None, inbound: Inbound, urgent: bool) -> list:
    """The window after this message: it is added, old ones drop out; an urgent verdict
    starts it over (what made it urgent has been acted on)."""
    if urgent or not inbound.body.strip():
        return []
    now = time.time()
    kept = [(at, t) for at, t in (session.recent if session else []) if now - at <= RECENT_SECONDS]
    return [*kept, (now, inbound.body[:RECENT_CHARS])][-RECENT_COUNT:]


def _words(session: Session | None, inbound: Inbound, status: str) -> tuple[str, Entry] | None:
    """The texter's message for the advocate's transcript, while a conversation is open."""
    if not status or session is None:
        return None
    return str(session.vars[SESSION_VAR]), Entry(at=time.time(), by="texter", text=_said(inbound))


def _said(inbound: Inbound) -> str:
    """Their words as staff see them; a picture is noted by type, never fetched or kept."""
    notes = [f"[photo received, not shown: {kind}]" for kind in inbound.media]
    return "\n".join([t for t in (inbound.body.strip(),) if t] + notes)


def _with(reply: Reply, words: tuple[str, Entry] | None) -> Reply:
    reply.words = words or reply.words
    return reply


def _triaged(eng: Engine, session: Session | None) -> bool:
    """Danger triage runs on every message, except answers to a question that turns it off."""
    node = eng.flow.nodes.get(session.node or "") if session else None
    return getattr(node, "triage", True)


def _urgent(
    eng: Engine, session, verdict: Verdict, inbound: Inbound, status: str, performer,
    found: str | None = None,
) -> Reply:  # fmt: skip
    """911 and the 24/7 line at once, and an urgent escalation with their words, from anywhere.

    The reply is in the language the danger was written in when the session's own language
    found none of it ("socorro" after an English menu). Outside an open conversation, the
    recent messages that made it urgent go to the transcript with it.
    """
    language = session.language if session else found  # found: from the first message
    if language is None or not verdict.scores.get(language):
        language = verdict.language or eng.hotline.default_language
    if language not in eng.hotline.languages:  # a lexicon language switched off
        language = eng.hotline.default_language
    earlier = [] if status else _recent(session)
    reply = _run(eng, eng.urgent(session, language, verdict.flag), performer)
    reply.urgent = True
    if reply.session:
        reply.session.vars.pop("triage", None)
        words = "\n".join([*earlier, _said(inbound)])
        escalation.record_words(reply.session, words)
    return reply


def _flow(eng: Engine, session, lang: str, text: str, disclosure: str, performer) -> Reply:
    """The flow: the first message starts it (their own words go to a person at once)."""
    if session is None:
        return _run(eng, eng.start(lang, text, disclosure), performer)
    return _run(eng, eng.step(session, Event(kind="text", text=text, disclosure=disclosure)),
                performer)  # fmt: skip


def _in_conversation(
    eng: Engine, session: Session, inbound: Inbound, arrived: str, status: str,
    snapshot: Snapshot, performer, disclosure: str,
) -> Reply:  # fmt: skip
    """An open conversation: every message reaches the advocate's transcript.

    A menu choice (after MENU) or an answer to the question they were asked still works;
    while an advocate is talking with them only menu choices do, so their "yes" to the
    advocate is never taken as consent. Anything else is acknowledged with the wait (or left
    to the advocate once claimed). A disclosure raises the conversation's priority.
    """
    words = _words(session, inbound, status)
    node = eng.flow.nodes.get(session.node or "")
    if (
        arrived == "text"
        and node is not None
        and (status == "waiting" or isinstance(node, MenuNode))
    ):
        step = eng.step(session, Event(kind="text", text=inbound.body))
        if step.heard == "answer":
            return _with(_run(eng, step, performer), words)
    if disclosure:
        _raise_priority(session, disclosure, performer)
    if arrived == "reaction":
        return Reply([], session=session, words=words, withheld="a reaction, passed to staff")
    said = escalation.converse(session, inbound.body, snapshot.escalations, snapshot.waits)
    texts = said[0] if said else []
    if inbound.media:
        texts = [eng.message("photo", session.language)]
    withheld = "" if texts else "an advocate is answering this conversation"
    return Reply(texts, session=session, words=words, withheld=withheld)


def _raise_priority(session: Session, flag: str, performer) -> None:
    """A disclosure inside an open conversation: one step more urgent, phrases shown to staff."""
    escalation_id = str(session.vars.get(SESSION_VAR) or "")
    record = records.load(get_redis(), escalation_id)
    if record is None or not record.is_open:
        return
    action = Escalate(
        node="", reason="disclosed in their own words", escalation=record.kind,
        priority=max(1, record.priority - 1), language=session.language,
        answers={"triage": flag},
    )  # fmt: skip
    performer.escalate(action, session)


def _photo(eng: Engine, session, lang: str, performer) -> Reply:
    """A picture with no words: say photos cannot be seen, then where they are (the menu)."""
    step = eng.again(session, lang)
    reply = _run(eng, step, performer)
    reply.texts.insert(0, eng.message("photo", lang))
    return reply


def _throttled(eng: Engine, snapshot: Snapshot, session, lang: str) -> Reply:
    """A flood from one number: one notice (with 911), then silence until the minute is over.

    STOP, DELETE, START, MENU, HELP, language keywords and urgent messages are handled before
    this and are never slowed.
    """
    first_over = snapshot.recent == current.settings().rate_limit
    texts = [eng.message("slow_down", lang)] if first_over else []
    return Reply(texts, session=session, withheld="rate limit: too many messages this minute")


def _opted_out(
    eng: Engine, session: Session | None, text: str, arrived: str, lang: str, performer
) -> Reply:
    """A number that sent STOP: silence until START, except that danger words they write now
    get the one answer a blocked number gets (911 and the 24/7 line, never queued): a reply
    to their own message, never a dead end. They stay opted out."""
    found = keyword_language(text, current.flows().keywords.opt_in, lang)
    if found is None:
        danger = _blocked(eng, session, text, arrived, lang)
        if danger.urgent:
            return danger
        return Reply([], session=session, withheld="opted out: only START gets an answer")
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
    reply = Reply(texts=done.texts, session=done.session)
    for action in done.escalations:  # their own words, said before the escalation existed
        own = str(action.answers.get("own_words") or "")
        if own and done.session is not None:
            escalation.record_words(done.session, own)
    return reply
