"""One turn of a conversation: step the engine and carry out its lookups and escalations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from hotline.engine import Engine, Escalate, Event, Lookup, Results, Say, Session, Step


class Performer(Protocol):
    """What a channel does for the engine: search the directory, queue for a person."""

    def lookup(self, action: Lookup) -> tuple[str, list[str]]:
        """Return (status, formatted results); status is found, not_found or outside."""

    def escalate(self, action: Escalate, session: Session) -> list[str]:
        """Queue the conversation; return any extra texts (wait time, hours) to say."""


@dataclass
class Turn:
    says: list[Say] = field(default_factory=list)
    session: Session | None = None
    waiting: str = "input"
    escalations: list[Escalate] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [say.text for say in self.says if say.text]


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
                turn.says += [Say(text=t, node=output.node, field="results") for t in results]
            elif isinstance(output, Escalate):
                turn.escalations.append(output)
                texts = performer.escalate(output, step.session)
                for text in [] if output.quiet else texts:
                    turn.says.append(Say(text=text, node=output.node, field="escalation"))
        if step.waiting != "lookup":
            break
        step = engine.step(step.session, Event(kind="lookup_result", result=status))
    turn.session, turn.waiting = step.session, step.waiting
    return turn
