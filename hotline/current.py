"""The current app's settings and flows (Flask's per-app state, like flaskr's get_db)."""

from __future__ import annotations

from flask import current_app

from hotline.config import Settings
from hotline.engine import Engine, Hotline
from hotline.safety.triage import Lexicon


def settings() -> Settings:
    return current_app.extensions["hotline.settings"]


def flows() -> Hotline:
    return current_app.extensions["hotline.flows"]


def lexicon() -> Lexicon:
    return current_app.extensions["hotline.lexicon"]


def engine(flow_id: str) -> Engine:
    """An engine for one flow, with the constants every text may use."""
    cache = current_app.extensions.setdefault("hotline.engines", {})
    hotline = flows()
    cached = cache.get(flow_id)
    if cached is None or cached.hotline is not hotline:
        cached = Engine(hotline, flow_id, {"program": settings().program_name})
        cache[flow_id] = cached
    return cached
