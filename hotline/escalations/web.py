"""Glue between the Flask app and the texter side: what channels call (no Flask elsewhere)."""

from __future__ import annotations

from hotline import current
from hotline.engine import Escalate, Session
from hotline.escalations import conversation, jobs
from hotline.escalations.actions import StaffDesk
from hotline.escalations.config import EscalationConfig
from hotline.escalations.conversation import SESSION_VAR, Desk
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
    d = desk(session.flow)
    record, new = conversation.open_escalation(d, action, channel, sender)
    if new:
        jobs.enqueue_alert(get_rq_redis(), record)
    if channel == "sms":
        session.vars[SESSION_VAR] = record.id
    return conversation.queued_texts(d, record)


def converse(session: Session, text: str) -> list[str] | None:
    """The texter's words while an escalation is open; None when it closed (back to menu)."""
    escalation_id = str(session.vars.get(SESSION_VAR) or "")
    if not escalation_id:
        return None
    texts = conversation.receive(desk(session.flow), escalation_id, text, session.language)
    if texts is None:
        session.vars.pop(SESSION_VAR, None)
    return texts


def leave(session: Session | None, why: str) -> None:
    """The texter left the conversation (MENU, STOP): tell staff, stop routing to it."""
    escalation_id = str(session.vars.pop(SESSION_VAR, "") or "") if session else ""
    if escalation_id:
        conversation.note(get_redis(), escalation_id, why)


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
    return erase_texter(
        get_redis(), number_key(settings.secret_key, sender), settings.retention_days
    )
