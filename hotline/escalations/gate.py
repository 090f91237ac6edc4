"""May staff text this person now? Consent, safe time window, STOP, or currently texting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hotline import schedule
from hotline.engine.text import normalize
from hotline.escalations.records import Escalation

# "Any time", as the flows' safe-time question asks for it in each language (folded, as
# normalize() gives it): ANY, CUALQUIER HORA, QUALQUER HORA, NENPÒT, BẤT KỲ, ពេលណាក៏បាន.
ANY_TIME = {
    "any", "cualquiera", "any time", "anytime", "a cualquier hora", "cualquier hora",
    "qualquer hora", "qualquer", "a qualquer hora", "qualquer horario",
    "nenpot", "nenpot le", "nenpot ki le",
    "bat ky", "bat ky luc nao", "luc nao cung duoc",
    "ពេលណាក៏បាន", "គ្រប់ពេល",
}  # fmt: skip


@dataclass(frozen=True)
class Gate:
    """allowed: the reply box works. confirm: staff must first check the texter's own words."""

    allowed: bool
    reason: str
    confirm: str = ""


def reply_gate(
    record: Escalation,
    now: float,
    local_now: datetime,
    opted_out: bool,
    texting_window: int,
    closing: bool = False,
) -> Gate:
    """The rule of issue 5/6: only someone who is writing now, or said it is safe, in their time.

    closing: the one goodbye sent as a conversation is resolved (same rules otherwise).
    """
    if record.erased:
        return Gate(False, "They asked to erase this conversation: nothing may be sent.")
    if not record.is_open and not closing:
        return Gate(False, "This conversation is resolved.")
    if record.channel != "sms":
        return Gate(False, "Phone call-back: reveal the number and call from a hotline phone.")
    if opted_out:
        return Gate(False, "They texted STOP: nothing may be sent to this number.")
    if record.last_inbound and now - record.last_inbound <= texting_window:
        minutes = int((now - record.last_inbound) // 60)
        return Gate(True, f"They are texting now (last message {minutes} min ago).")
    if record.consent != "yes":
        return Gate(
            False,
            "They did not say it is safe to text them. You can answer only while they are "
            f"writing (within {texting_window // 60} min of their last message).",
        )
    return _window(record.safe_time, local_now)


def _window(safe_time: str, local_now: datetime) -> Gate:
    said = normalize(safe_time)
    if not said or said in ANY_TIME:
        return Gate(True, "They said it is safe to text them at any time.")
    try:
        inside = schedule.is_open(safe_time, local_now)
    except schedule.ScheduleError:
        return Gate(True, "They said it is safe to text them, at a time they described.",
                    confirm=safe_time)  # fmt: skip
    if inside:
        return Gate(True, "Inside the safe time they gave.")
    return Gate(False, f"Outside the safe time they gave ({safe_time}).")
