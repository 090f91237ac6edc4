"""Staff sign-in state and CSRF, on Flask's signed session cookie (Secure/HttpOnly/SameSite)."""

from __future__ import annotations

import functools
import hmac
import secrets
import time
from collections.abc import Callable

from flask import abort, g, redirect, request, session, url_for

from hotline.escalations import accounts
from hotline.escalations.config import EscalationConfig
from hotline.store import get_redis

SESSION_STAFF, SESSION_SINCE, SESSION_CSRF = "staff", "staff_since", "csrf"


def csrf_token() -> str:
    """One token per browser session, put in every form."""
    if SESSION_CSRF not in session:
        session[SESSION_CSRF] = secrets.token_urlsafe(32)
    return session[SESSION_CSRF]


def check_csrf() -> None:
    """Every POST carries the session's token (form field csrf or header X-CSRF-Token)."""
    sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get(SESSION_CSRF, "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, "The form expired. Go back, reload the page and try again.")


def sign_in(staff: accounts.Staff) -> None:
    session.clear()  # a fresh session (and CSRF token) at every sign-in
    session[SESSION_STAFF], session[SESSION_SINCE] = staff.name, time.time()
    csrf_token()


def sign_out() -> None:
    session.clear()


def current_staff() -> accounts.Staff | None:
    """The signed-in account, still existing, within the session's lifetime."""
    name, since = session.get(SESSION_STAFF), session.get(SESSION_SINCE, 0)
    hours = EscalationConfig.from_env().staff_session_hours
    if not name or time.time() - since > hours * 3600:
        return None
    return accounts.get(get_redis(), name)


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
            abort(403)
        return view(*args, **kwargs)

    return wrapped
