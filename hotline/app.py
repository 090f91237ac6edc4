"""create_app(): settings, Redis, flows, blueprints. Wiring only."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import redis
from flask import Flask

from hotline import store
from hotline.config import load_settings
from hotline.escalations import outcomes
from hotline.flows import load_checked, load_lexicon
from hotline.logs import install_log_filter
from hotline.safety import crypto, headers, keys
from hotline.serving import BodyDeadline

log = logging.getLogger(__name__)


def create_app(overrides: Mapping[str, object] | None = None, environ=None) -> Flask:
    settings = load_settings(environ, **dict(overrides or {}))
    install_log_filter()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SECRET_KEY_FALLBACKS=list(settings.secret_keys[1:]),
        MAX_CONTENT_LENGTH=64 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not settings.development,
    )
    app.wsgi_app = BodyDeadline(app.wsgi_app)  # type: ignore[method-assign]
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    app.extensions["hotline.settings"] = settings
    crypto.configure(settings.secret_keys, settings.hash_key)
    hotline = load_checked(settings.flows_dir, {"program": settings.program_name})
    app.extensions["hotline.flows"] = hotline
    _check_languages_off(settings, hotline)
    app.extensions["hotline.lexicon"] = load_lexicon(settings.flows_dir, hotline)
    outcomes.load(settings.flows_dir, strict=True)  # a broken outcomes.yaml stops the start
    store.init_app(
        app, store.resolve_redis_url(settings.redis_url, settings.data_dir), settings.redis_timeout
    )
    _check_hash_key(app, settings)
    _load_directory(app, settings)
    _list_sections(app)
    _register_blueprints(app)
    headers.init_app(app)
    if not settings.development:  # so no texter's first message waits for a model
        from hotline import current
        from hotline.languages.detect import preload

        preload()
        with app.app_context():
            current.triage()  # compile the danger lexicons (~0.1 s quiet, once per process)
    if settings.development and settings.twilio_auth_token == "development-token":
        log.warning("development mode: Twilio signatures use the development token")
    return app


def _check_languages_off(settings, hotline) -> None:
    """HOTLINE_LANGUAGES_OFF naming a language the flows do not declare, or the default
    language (which cannot be switched off), is said at start rather than ignored unseen."""
    off = set(settings.languages_off)
    if unknown := sorted(off - set(hotline.languages)):
        log.warning("HOTLINE_LANGUAGES_OFF: %s not declared in flows/; ignored", ", ".join(unknown))
    if hotline.default_language in off:
        log.warning("HOTLINE_LANGUAGES_OFF: the default language %r stays on",
                    hotline.default_language)  # fmt: skip


def _check_hash_key(app: Flask, settings) -> None:
    """Refuse to start over data whose numbers were hashed under another key (see keys.py)."""
    try:
        keys.check_hash_key(
            app.extensions["hotline.redis"], settings.hash_key, settings.secret_key,
            explicit=settings.hash_key_configured,
        )  # fmt: skip
    except redis.RedisError:
        log.warning("Redis unavailable at start: the number-hash key was not checked")


def _load_directory(app: Flask, settings) -> None:
    """Build the shared resource index when it is missing or data/ changed.

    Redis being down is not fatal (the webhooks fall back); a broken directory is, with
    file:line errors, as a broken flow is.
    """
    from hotline.resources import ensure_index

    try:
        ensure_index(app.extensions["hotline.redis"], settings.resources_dir)
    except redis.RedisError:
        log.warning("Redis unavailable at start: the resource index will be built later")


def _list_sections(app: Flask) -> None:
    """Open escalations from before the dashboard's section index get listed (once)."""
    from hotline.escalations.queue import ensure_sections

    try:
        ensure_sections(app.extensions["hotline.redis"])
    except redis.RedisError:
        log.warning("Redis unavailable at start: the queue's sections will be checked later")


def _register_blueprints(app: Flask) -> None:
    from hotline.channels.interpreter import bp as interpreter_bp
    from hotline.channels.sms import bp as sms_bp
    from hotline.channels.voice import bp as voice_bp
    from hotline.health import bp as health_bp
    from hotline.safety.fallback import bp as fallback_bp
    from hotline.simulator import bp as simulator_bp
    from hotline.staff import bp as staff_bp

    for blueprint in (health_bp, sms_bp, voice_bp, interpreter_bp, fallback_bp, staff_bp,
                      simulator_bp):  # fmt: skip
        app.register_blueprint(blueprint)
    from hotline.staff import auth

    uri, options = store.limiter_storage(app.config["REDIS_URL"])
    app.config["RATELIMIT_STORAGE_URI"], app.config["RATELIMIT_STORAGE_OPTIONS"] = uri, options
    auth.init_app(app)
