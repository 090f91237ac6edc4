"""The current app's settings and flows (Flask's per-app state, like flaskr's get_db)."""

from __future__ import annotations

from flask import current_app

from hotline.config import Settings
from hotline.engine import Engine, Hotline
from hotline.engine.text import fill
from hotline.safety.triage import Lexicon, Triage


def settings() -> Settings:
    return current_app.extensions["hotline.settings"]


def flows() -> Hotline:
    """The flows as texters and callers meet them: languages in HOTLINE_LANGUAGES_OFF removed
    (Hotline.without), derived once per loaded flows."""
    loaded = all_flows()
    cached = current_app.extensions.get("hotline.flows_on")
    if cached is None or cached[0] is not loaded:
        cached = (loaded, loaded.without(settings().languages_off))
        current_app.extensions["hotline.flows_on"] = cached
    return cached[1]


def all_flows() -> Hotline:
    """The flows as loaded from flows/, every declared language included (switched off or not)."""
    return current_app.extensions["hotline.flows"]


def lexicon() -> Lexicon:
    return current_app.extensions["hotline.lexicon"]


def triage() -> Triage:
    """The lexicon with the hotline's own texts (quoted back, they never count), per flows."""
    cached = current_app.extensions.get("hotline.triage")
    hotline, words = flows(), lexicon()
    if cached is None or cached[0] is not hotline or cached[1] is not words:
        context = {"program": settings().program_name}
        texts = [fill(t, context) for t in hotline.texts()]
        cached = (hotline, words, Triage.build(words, texts))
        current_app.extensions["hotline.triage"] = cached
    return cached[2]


def engine(flow_id: str) -> Engine:
    """An engine for one flow, with the constants every text may use."""
    cache = current_app.extensions.setdefault("hotline.engines", {})
    hotline = flows()
    cached = cache.get(flow_id)
    if cached is None or cached.hotline is not hotline:
        cached = Engine(hotline, flow_id, {"program": settings().program_name})
        cache[flow_id] = cached
    return cached
