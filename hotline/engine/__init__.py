"""The pure flow engine: flow models in, replies and actions out; no I/O, Flask, Twilio or Redis."""

from hotline.engine.models import (
    AskNode,
    EndNode,
    EscalateNode,
    Flow,
    GotoNode,
    Hotline,
    KeywordSets,
    Language,
    LookupNode,
    MenuNode,
    MessageNode,
    Node,
    Option,
)
from hotline.engine.runtime import (
    Engine,
    Escalate,
    Event,
    Lookup,
    Results,
    Say,
    Session,
    Step,
)
from hotline.engine.text import match_keyword, normalize

__all__ = [
    "AskNode",
    "EndNode",
    "Engine",
    "Escalate",
    "EscalateNode",
    "Event",
    "Flow",
    "GotoNode",
    "Hotline",
    "KeywordSets",
    "Language",
    "Lookup",
    "LookupNode",
    "MenuNode",
    "MessageNode",
    "Node",
    "Option",
    "Results",
    "Say",
    "Session",
    "Step",
    "match_keyword",
    "normalize",
]
