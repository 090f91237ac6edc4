"""One turn of a conversation: step the engine and carry out its lookups and escalations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from hotline.engine import Engine, Escalate, Event, Lookup, Results, Say, Session, Step

LEAD_INS = ("found", "outside")  # the lookup node's words before its results


class Performer(Protocol):
    """What a channel does for the engine: search the directory, queue for a person."""

    def lookup(self, action: Lookup) -> tuple[str, list[str]]:
        """Return (status, formatted results); status is found, not_found or outside."""

    def escalate(self, action: Escalate, session: Session) -> list[str]:
        """Queue the conversation; return any extra texts (wait time, hours) to say."""

    # Optional: results_after(lead: str) -> list[str], the last lookup's results again with
    # the lead-in opening them (SMS), so lead-in and results share their messages.


@dataclass
class Turn:
    says: list[Say] = field(default_factory=list)
    session: Session | None = None
    waiting: str = "input"
    escalations: list[Escalate] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [say.text for say in self.says if say.text]


def _results(says: list[Say], node: str, results: list[str], performer, sms: bool) -> list[Say]:
    """The results as Says. In SMS the lookup's lead-in just said opens the first results
    message, so a page of results is at most 2 messages in all (resources/format.py)."""
    last = says[-1] if sms and says else None
    regroup = getattr(performer, "results_after", None)
    if last and last.field in LEAD_INS and not last.audio and regroup and results:
        says.pop()
        results = regroup(last.text)
    return [Say(text=t, node=node, field="results") for t in results]


def run(engine: Engine, step: Step, performer: Performer, turn: Turn | None = None) -> Turn:
    """Follow the engine until it waits for the person (or ends), performing its actions."""
    turn = turn or Turn()
    status, results = "not_found", []
    for _ in range(8):
        for output in step.outputs:
            if isinstance(output, Say):
                turn.says.append(output)
            elif isinstance(output, Lookup):
                status, results = performer.lookup(output)
            elif isinstance(output, Results):
                sms = engine.flow.channel == "sms"
                turn.says += _results(turn.says, output.node, results, performer, sms)
            elif isinstance(output, Escalate):
                turn.escalations.append(output)
                texts = performer.escalate(output, step.session)
                for text in [] if output.quiet else texts:
                    turn.says.append(Say(text=text, node=output.node, field="escalation"))
        if step.waiting != "lookup":
            break
        step = engine.step(step.session, Event(kind="lookup_result", result=status))
    turn.session, turn.waiting = step.session, step.waiting
    if getattr(performer, "unconfirmed", False):
        turn.says = _without_promises(turn)
    return turn


def _without_promises(turn: Turn) -> list[Say]:
    """A turn whose escalation no replica confirmed (a failover could lose it): keep only what
    the escalation said (that it could not be confirmed, the 24/7 line, 911) and the question
    the conversation now waits on; the flow's other texts ("someone will answer in this
    thread") would promise what may not come."""
    waiting_on = turn.session.node if turn.session and turn.waiting != "end" else None
    return [
        s for s in turn.says if s.field == "escalation" or (waiting_on and s.node == waiting_on)
    ]
