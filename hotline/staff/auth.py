"""Staff sign-in state, CSRF and the sign-in throttle.

Sessions live server-side (hotline.escalations.staff_sessions); the cookie, scoped to /staff so
webhooks never carry it, holds only a random id. Flask's `session` is that server-side record,
so flash() keeps working. A visitor who has not signed in gets a random id too (for the sign-in
form's CSRF token) but nothing is stored for them.

Wrong passwords are throttled with flask-limiter on Redis, per client address and name (5 a
minute, 20 an hour, 50 a day by default: growing delays) and per address across names, counting
only failures; never by locking an account, so an attacker cannot lock its owner out. Only the
sign-in route has limits: webhooks pay no Redis round trip for them.
"""

from __future__ import annotations

import base64
import functools
import hmac
import re
from collections.abc import Callable

import redis
from flask import Flask, abort, g, redirect, request, session, url_for
from flask.sessions import SessionInterface, SessionMixin
from flask_limiter import Limiter
from werkzeug.datastructures import CallbackDict

from hotline.escalations import accounts, staff_sessions
from hotline.escalations.config import EscalationConfig
from hotline.safety.crypto import stable_key
from hotline.store import get_redis

COOKIE_PATH = "/staff"
_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")


# -- the server-side session -------------------------------------------------------------------
class BrowserSession(CallbackDict, SessionMixin):
    """Flask's `session` for one browser: its cookie id, whose it is, and its page data."""

    def __init__(self, data=None, sid: str = "", staff: str = "", new: bool = False):
        def on_update(self) -> None:
            self.modified = self.accessed = True

        super().__init__(data or {}, on_update)
        self.sid, self.staff, self.new = sid, staff, new
        self.account: dict[str, str] | None = None  # read with the session (one round trip)
        self.modified = self.ended = self.send_cookie = False


class RedisSessionInterface(SessionInterface):
    """Opens the signed-in session from Redis (one round trip, renewing it) or an anonymous one."""

    def open_session(self, app: Flask, request) -> BrowserSession:
        sid = request.cookies.get(app.config["SESSION_COOKIE_NAME"], "")
        if not _ID.match(sid):
            return BrowserSession(sid=staff_sessions.new_id(), new=True)
        config = EscalationConfig.from_env()
        try:
            found = staff_sessions.load(
                app.extensions["hotline.redis"], sid, config.staff_idle_seconds,
                config.staff_session_hours * 3600, account_prefix=accounts.account_key(""),
            )  # fmt: skip
        except redis.RedisError:
            found = None
        if found is None:
            return BrowserSession(sid=sid)
        browser = BrowserSession(found.data, sid=sid, staff=found.name)
        browser.account = found.account
        return browser

    def save_session(self, app: Flask, session: BrowserSession, response) -> None:
        name = app.config["SESSION_COOKIE_NAME"]
        if session.ended:
            response.delete_cookie(name, path=COOKIE_PATH)
            return
        if session.staff and session.modified:
            staff_sessions.save_data(app.extensions["hotline.redis"], session.sid, dict(session))
        if session.send_cookie or (session.new and session.accessed):
            response.set_cookie(
                name, session.sid, path=COOKIE_PATH, httponly=True, samesite="Lax",
                secure=app.config["SESSION_COOKIE_SECURE"],
            )  # fmt: skip
            response.vary.add("Cookie")


def init_app(app: Flask) -> None:
    app.session_interface = RedisSessionInterface()
    # One Limiter serves every app built in the process, and init_app merges each app's storage
    # options into the last ones: a Sentinel app's options would break a later plain-Redis
    # app's storage (and swallow_errors would then silently stop all throttling).
    limiter._storage_options = {}
    limiter.init_app(app)


# -- CSRF: a token derived from the session id, so nothing is stored for it ------------------
def csrf_token() -> str:
    """The token every form of this browser carries (derived from its session id)."""
    session.accessed = True  # an anonymous visitor needs the cookie for the token to hold
    digest = hmac.new(stable_key("csrf"), session.sid.encode(), "sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def check_csrf() -> None:
    """Every POST carries the session's token (form field csrf or header X-CSRF-Token)."""
    sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token") or ""
    if session.new or not hmac.compare_digest(sent.encode(), csrf_token().encode()):
        abort(400, "The form expired. Go back, reload the page and try again.")


# -- signing in and out ------------------------------------------------------------------------
def sign_in(staff: accounts.Staff) -> None:
    """A fresh session (new id, new CSRF token) at every sign-in; the old id is forgotten."""
    r, config = get_redis(), EscalationConfig.from_env()
    if session.staff:
        staff_sessions.revoke(r, session.sid)
    session.clear()
    lifetime = config.staff_session_hours * 3600
    session.sid = staff_sessions.create(r, staff.name, config.staff_idle_seconds, lifetime)
    session.staff, session.new, session.send_cookie = staff.name, False, True


def sign_out() -> None:
    """End this browser's session on the server, and drop its cookie."""
    if session.staff:
        staff_sessions.revoke(get_redis(), session.sid)
    session.clear()
    session.staff, session.ended = "", True


def current_staff() -> accounts.Staff | None:
    """The signed-in account, still existing and enabled, within the session's limits."""
    if not session.staff:
        return None
    loaded = getattr(session, "account", None)  # read with the session, this request
    if loaded is not None and loaded.get("name") == session.staff:
        staff = accounts.from_hash(loaded)
    else:
        staff = accounts.get(get_redis(), session.staff)
    if staff is None or staff.disabled:
        sign_out()
        return None
    return staff


def staff_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        staff = current_staff()
        if staff is None:
            if request.path.endswith(".json"):
                abort(401)
            return redirect(url_for("staff.login", next=request.path))
        g.staff = staff
        return view(*args, **kwargs)

    return wrapped


def admin_required(view: Callable) -> Callable:
    @functools.wraps(view)
    @staff_required
    def wrapped(*args, **kwargs):
        if not g.staff.is_admin:
            abort(403, "This page is for admins.")
        return view(*args, **kwargs)

    return wrapped


# -- the sign-in throttle ----------------------------------------------------------------------
def client_address() -> str:
    """The client's address (behind HOTLINE_TRUSTED_PROXIES proxies, ProxyFix has set it)."""
    return request.remote_addr or "unknown"


def address_and_name() -> str:
    name = request.form.get("name", "").strip().lower()[:64]
    return f"{client_address()}|{name}"


def failed(response) -> bool:
    """Only a wrong password counts against the limits (not a success, not a CSRF error)."""
    return response.status_code == 401


limiter = Limiter(
    key_func=client_address,
    strategy="fixed-window",
    headers_enabled=True,
    swallow_errors=True,  # storage down: sign-in still works (accounts need Redis anyway)
    fail_on_first_breach=False,  # so Retry-After tells the longest of the breached waits
    key_prefix="hotline:signin",
)


def per_name_limits() -> str:
    return EscalationConfig.from_env().signin_limits


def per_address_limits() -> str:
    return EscalationConfig.from_env().signin_address_limits
