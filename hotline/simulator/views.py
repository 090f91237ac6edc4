"""Start page (GET /), the phone simulator (GET /simulator) and its JSON endpoints.

The JSON endpoints take application/json only, so another web page cannot post to them
(a cross-origin JSON POST needs a preflight this app never grants). Phone numbers travel in
request bodies, never in URLs, so the request log holds none.
"""

from __future__ import annotations

import re
import time

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from hotline import current
from hotline.simulator import panel, relay
from hotline.simulator.devaccount import DEV_NAME
from hotline.simulator.reload import EXTENSION
from hotline.store import get_redis

bp = Blueprint(
    "simulator", __name__, template_folder="templates", static_folder="static",
    static_url_path="/simulator/static",
)  # fmt: skip
NUMBER = re.compile(r"^\+1\d{10}$")
CALL_SID = re.compile(r"^CA[0-9a-f]{32}$")
MAX_TEXT = 1600


@bp.before_request
def development_only() -> None:
    """Nothing here exists in production."""
    if not current.settings().development:
        abort(404)


@bp.get("/")
def start() -> str:
    watcher = current_app.extensions.get(EXTENSION)
    return render_template(
        "simulator/start.html", watcher=watcher, dev_name=DEV_NAME, settings=current.settings(),
        languages=language_rows(),
    )  # fmt: skip


def language_rows() -> list[dict[str, str]]:
    """Each declared language with its review status and whether it is switched on, for the
    start page: flow authors see which texts still wait for a fluent reviewer."""
    loaded, on = current.all_flows(), current.flows()
    rows = []
    for code, language in loaded.languages.items():
        review = language.review
        if review is None:
            status = "source language"
        elif review.status == "reviewed":
            status = f"reviewed by {review.reviewer} on {review.date}"
        else:
            status = "draft: not yet reviewed by a fluent speaker"
        rows.append({
            "code": code, "name": language.name, "status": status,
            "draft": "yes" if code in loaded.drafts() else "",
            "on": "on" if code in on.languages else "off (HOTLINE_LANGUAGES_OFF)",
            "voice": "text-to-speech" if language.voice else "interpreter (no voice prompts)",
        })  # fmt: skip
    return rows


@bp.get("/simulator")
def simulator() -> str:
    return render_template("simulator/phone.html", now=time.time())


def _json() -> dict:
    data = request.get_json(silent=True)
    if not request.is_json or not isinstance(data, dict):
        abort(415)
    return data


def _number(data: dict) -> str:
    number = str(data.get("number", ""))
    if not NUMBER.match(number):
        abort(400, "a simulated number looks like +19785550123")
    return number


@bp.post("/simulator/api/sms")
def send_sms() -> Response:
    """One text from the simulated phone to /sms, signed; the replies with segment counts,
    or why the hotline withheld them."""
    data = _json()
    number, body = _number(data), str(data.get("body", ""))[:MAX_TEXT]
    replies, withheld = relay.text(current_app._get_current_object(), number, body)
    return jsonify(replies=replies, withheld=withheld, **_sms_view(number, data))


@bp.post("/simulator/api/sms/state")
def sms_state() -> Response:
    """Polled: where the texter is, their escalation, and staff replies from the Outbox."""
    data = _json()
    return jsonify(**_sms_view(_number(data), data))


def _sms_view(number: str, data: dict) -> dict:
    r = get_redis()
    view = panel.describe(r, panel.sms_session(r, current.settings(), number), _known(data))
    since = float(data.get("since") or 0)
    return {**view, "outbox": panel.staff_replies(r, number, since)}


def _known(data: dict) -> str:
    return str(data.get("escalation") or "")


@bp.post("/simulator/api/call")
def call_step() -> Response:
    """One voice webhook, signed as Twilio would; the app's TwiML, for the page to walk."""
    data = _json()
    params = data.get("params") or {}
    if not isinstance(params, dict):
        abort(400)
    if not CALL_SID.match(str(params.get("CallSid", ""))):
        params["CallSid"] = relay.new_call_sid()
    params["From"] = _number({"number": params.get("From", "")})
    try:
        status, twiml = relay.voice(current_app._get_current_object(), str(data.get("url")), params)
    except relay.RelayError:
        abort(400)
    r = get_redis()
    view = panel.describe(r, panel.call_session(r, params["CallSid"]), _known(data))
    return jsonify(status=status, twiml=twiml, call_sid=params["CallSid"], **view)
