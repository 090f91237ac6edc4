"""Glue between the Flask app and the texter side: what channels call (no Flask elsewhere)."""

from __future__ import annotations

import time

from hotline import current
from hotline.engine import Escalate, Session
from hotline.escalations import conversation, jobs, reports
from hotline.escalations.actions import StaffDesk
from hotline.escalations.config import EscalationConfig
from hotline.escalations.conversation import SESSION_VAR, Desk
from hotline.escalations.records import Entry
from hotline.store import get_redis, get_rq_redis


def desk(flow_id: str = "sms") -> Desk:
    return Desk(get_redis(), current.settings(), current.engine(flow_id))


def staff_desk() -> StaffDesk:
    return StaffDesk(
        get_redis(), get_rq_redis(), current.settings(), EscalationConfig.from_env(),
        current.engine("sms"),
    )  # fmt: skip


def escalate(action: Escalate, session: Session, channel: str, sender: str) -> list[str]:
    """Create (or join) the escalation, alert staff, and return the wait or hours texts."""
    return escalate_checked(action, session, channel, sender)[0]


def escalate_checked(
    action: Escalate, session: Session, channel: str, sender: str
) -> tuple[list[str], bool]:
    """escalate(), and whether the write is durable (a replica holds it, or none is expected).

    The escalation exists once conversation.open_escalation returns (one atomic step that
    also waits for a replica); the texter is told someone will answer only after that, and
    only when it is confirmed (otherwise the texts say it could not be confirmed).
    """
    d = desk(session.flow)
    opened = conversation.open_escalation(d, action, channel, sender)
    if opened.needs_alert:
        jobs.enqueue_alert(get_rq_redis(), opened.id, opened.priority, EscalationConfig.from_env())
    if channel == "sms":
        session.vars[SESSION_VAR] = opened.id
    return conversation.queued_texts(d, opened), opened.confirmed


def converse(
    session: Session | None, text: str, known: dict[str, tuple[str, int]], waits: list[float]
) -> tuple[list[str], tuple[str, Entry]] | None:
    """The texter's words while an escalation is open; None when it closed (back to menu).

    `known` maps the texter's open escalation ids to (status, rank), as the channel's single
    read fetched them; the returned (id, entry) is written by the channel's single commit.
    """
    escalation_id = str(session.vars.get(SESSION_VAR) or "") if session else ""
    if not session or not escalation_id:
        return None
    status, rank = known.get(escalation_id, ("", -1))
    texts = conversation.answer_texter(desk(session.flow), status, rank, waits, session.language)
    if texts is None:
        session.vars.pop(SESSION_VAR, None)
        return None
    return texts, (escalation_id, Entry(at=time.time(), by="texter", text=text))


def leave(session: Session | None, why: str) -> None:
    """The texter left the conversation (MENU, STOP): tell staff, stop routing to it."""
    escalation_id = str(session.vars.pop(SESSION_VAR, "") or "") if session else ""
    if escalation_id:
        pipe = get_redis().pipeline(transaction=False)
        conversation.note(pipe, escalation_id, why)
        reports.mark(pipe, escalation_id, left="1")  # abandoned, if nobody had answered
        pipe.execute()


def record_words(session: Session, text: str) -> None:
    """Put the texter's own message in the transcript of their open escalation (urgent path)."""
    escalation_id = str(session.vars.get(SESSION_VAR) or "")
    if escalation_id:
        conversation.receive(desk(session.flow), escalation_id, text, session.language)


def erase(sender: str) -> int:
    """DELETE: erase every escalation's content for this number (see escalations.erase)."""
    from hotline.escalations.erase import erase_texter
    from hotline.store import number_key

    settings = current.settings()
    return erase_texter(get_redis(), number_key(settings.hash_key, sender), settings.retention_days)
