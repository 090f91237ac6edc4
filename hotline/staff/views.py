"""Routes of the staff dashboard. Thin: the work is in hotline.escalations.actions."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from hotline import current
from hotline.escalations import accounts, actions, audit, handoffs, outcomes, queue, records
from hotline.escalations.actions import NotYours, ReplyRefused
from hotline.escalations.queue import QueueError
from hotline.escalations.records import Escalation
from hotline.escalations.senders import read_outbox
from hotline.escalations.texter import staff_desk
from hotline.staff import auth, present
from hotline.staff.auth import admin_required, limiter, staff_required
from hotline.store import get_redis

bp = Blueprint(
    "staff", __name__, url_prefix="/staff", template_folder="templates", static_folder="static"
)
TAKEN = {
    "taken": "Someone else has claimed this conversation.",
    "resolved": "This conversation is already resolved.",
    "missing": "No such escalation.",
    "bad-outcome": "Choose an outcome.",
}
VIEW_INTERVAL = 3600  # seconds: one person's repeated views of a page are audited once in it


@bp.before_request
def _csrf() -> None:
    if request.method == "POST":
        auth.check_csrf()


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


@bp.app_context_processor
def _template_globals() -> dict:
    settings = current.settings()
    return {"csrf_token": auth.csrf_token, "development": settings.development,
            "replies_sent": settings.replies_sent}  # fmt: skip


@bp.errorhandler(403)
@bp.errorhandler(404)
def _refused(error):
    """Refusals inside the dashboard keep its frame (navigation, sign out)."""
    return render_template("staff/error.html", error=error), error.code


@bp.errorhandler(429)
def _throttled(error):
    """Too many wrong passwords from this address (or for this name from it)."""
    audit.count_failure(get_redis(), "throttled", current.settings().audit_retention_days)
    limit = limiter.current_limit
    seconds = limit.reset_at - time.time() if limit else 60
    wait = max(1, -(-int(seconds) // 60))
    message = f"Too many attempts from here: try again in {wait} minute{'s' * (wait > 1)}."
    return render_template("staff/login.html", error=message), 429


# -- sign in ----------------------------------------------------------------------------------
def _next_page(target: str) -> str:
    """Where to go after signing in: a dashboard path, never elsewhere; 400 on CR/LF tricks."""
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        abort(400, "That link is broken.")
    if target.startswith("/staff/") and "//" not in target and "\\" not in target:
        return target
    return url_for("staff.queue_page")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(auth.per_name_limits, key_func=auth.address_and_name, methods=["POST"],
               deduct_when=auth.failed)  # fmt: skip
@limiter.limit(auth.per_address_limits, methods=["POST"], deduct_when=auth.failed)
def login():
    target = _next_page(request.args.get("next", ""))
    if request.method == "GET":
        return render_template("staff/login.html")
    r = get_redis()
    name = request.form.get("name", "").strip().lower()[:64]
    try:
        staff = accounts.authenticate(r, name, request.form.get("password", ""))
    except accounts.SignInBusy:
        error = "Many people are signing in right now: try again in a few seconds."
        return render_template("staff/login.html", error=error, name=name), 503
    if staff is None:
        known = name if accounts.exists(r, name) else "unknown"
        audit.count_failure(r, known, current.settings().audit_retention_days)
        error = "Wrong name or password."
        return render_template("staff/login.html", error=error, name=name), 401
    auth.sign_in(staff)
    audit.record(r, staff.name, "sign in")
    return redirect(target)


@bp.post("/logout")
@staff_required
def logout():
    audit.record(get_redis(), g.staff.name, "sign out")
    auth.sign_out()
    return redirect(url_for("staff.login"))


# -- the queue --------------------------------------------------------------------------------
@bp.get("/")
@staff_required
def queue_page():
    view = queue.view_for(get_redis(), g.staff.languages, viewer=g.staff.name)
    return render_template("staff/queue.html", view=view, present=present)


@bp.get("/queue.json")
@staff_required
def queue_json():
    """The queue's first page per section, or 304 when nothing changed since the viewer's
    copy (If-None-Match): an unchanged poll reads one counter and no record (2 round trips
    with the staff session's, which brings its account), so its cost does not grow with the
    queue. (A failover that lost version bumps could leave a viewer's page as it was until the
    next change or clock minute.)"""
    r = get_redis()
    version, now = records.version(r), time.time()
    etag = present.queue_etag(version, g.staff, now)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
        response.set_etag(etag)
        return response
    view = queue.view_for(r, g.staff.languages, viewer=g.staff.name)
    pattern = present.queue_url_pattern()
    row = lambda e: present.queue_row(e, g.staff, pattern)  # noqa: E731
    response = jsonify(
        version=version,
        waiting=[row(e) for e in view.waiting],
        tips=[row(e) for e in view.tips],
        in_progress=[row(e) for e in view.in_progress],
        totals=view.totals,
    )
    response.set_etag(etag)
    return response


@bp.post("/on-call")
@staff_required
def on_call():
    wanted = request.form.get("on_call") == "1"
    accounts.set_on_call(get_redis(), g.staff.name, wanted)
    audit.record(get_redis(), g.staff.name, "on call" if wanted else "off call")
    return redirect(url_for("staff.queue_page"))


# -- one conversation -------------------------------------------------------------------------
def _record(escalation_id: str) -> Escalation:
    record = records.load(get_redis(), escalation_id) if escalation_id.isdigit() else None
    if record is None:
        abort(404)
    return record


@bp.get("/e/<escalation_id>")
@staff_required
def conversation(escalation_id: str):
    record = _record(escalation_id)
    audit.record(get_redis(), g.staff.name, "open", record.id, once_per=VIEW_INTERVAL)
    return _conversation_page(record)


def _conversation_page(record: Escalation, revealed: str | None = None) -> str:
    from hotline.staff import workspace

    desk = staff_desk()
    handoffs.mark_seen(desk.r, record, g.staff.name)
    return render_template(
        "staff/conversation.html", e=record, entries=records.transcript(desk.r, record.id),
        gate=desk.gate(record), outcomes=outcomes.load(desk.settings.flows_dir).choices(),
        present=present, revealed=revealed, note_max=outcomes.MAX_NOTE,
        **workspace.extras(record, g.staff),
    )  # fmt: skip


@bp.get("/e/<escalation_id>.json")
@staff_required
def conversation_json(escalation_id: str):
    record = _record(escalation_id)
    desk = staff_desk()
    handoffs.mark_seen(desk.r, record, g.staff.name)
    gate = desk.gate(record)
    entries = records.transcript(desk.r, record.id)
    return jsonify(
        status=record.status, assignee=record.assignee, mine=record.assignee == g.staff.name,
        entries=[present.entry_row(i, e) for i, e in enumerate(entries)],
        gate={"allowed": gate.allowed, "reason": gate.reason, "confirm": gate.confirm},
    )  # fmt: skip


def _act(escalation_id: str, action) -> Response:
    try:
        action()
    except QueueError as exc:
        flash(TAKEN.get(exc.result, exc.result))
        return _conversation_page(_record(escalation_id)), 409
    except ReplyRefused as exc:
        flash(str(exc))
    return redirect(url_for("staff.conversation", escalation_id=escalation_id))


@bp.post("/e/<escalation_id>/claim")
@staff_required
def claim(escalation_id: str):
    return _act(escalation_id, lambda: actions.claim(staff_desk(), g.staff, escalation_id))


@bp.post("/e/<escalation_id>/release")
@staff_required
def release(escalation_id: str):
    return _act(escalation_id, lambda: actions.release(staff_desk(), g.staff, escalation_id))


@bp.post("/e/<escalation_id>/reply")
@staff_required
def reply(escalation_id: str):
    record, text = _record(escalation_id), request.form.get("text", "")
    confirmed = request.form.get("confirm_time") == "1"
    return _act(
        escalation_id, lambda: actions.reply(staff_desk(), g.staff, record, text, confirmed)
    )


@bp.post("/e/<escalation_id>/resolve")
@staff_required
def resolve(escalation_id: str):
    record, outcome = _record(escalation_id), request.form.get("outcome", "")
    note = request.form.get("note", "")
    response = _act(
        escalation_id, lambda: actions.resolve(staff_desk(), g.staff, record, outcome, note)
    )
    known = outcomes.load(current.settings().flows_dir)
    if not isinstance(response, tuple) and known.choosable(outcome):
        flash(f"Resolved: {known.label(outcome)}.")
        return redirect(url_for("staff.queue_page"))
    return response


@bp.post("/e/<escalation_id>/reveal")
@staff_required
def reveal(escalation_id: str):
    record = _record(escalation_id)
    desk = staff_desk()
    try:
        number = actions.reveal(desk, g.staff, record, request.form.get("reason", ""))
    except NotYours as exc:
        flash(str(exc))
        return _conversation_page(record), 403
    except ReplyRefused as exc:
        flash(str(exc))
        return redirect(url_for("staff.conversation", escalation_id=escalation_id))
    return _conversation_page(record, revealed=number)


@bp.get("/e/<escalation_id>/resources")
@staff_required
def resources(escalation_id: str):
    record = _record(escalation_id)
    where = (request.args.get("where") or record.details.get("where", "")).strip()[:60]
    result, error, language = None, "", record.language
    if where:
        try:
            from hotline.channels.perform import labels
            from hotline.resources import search

            # Every entry, with what is known of its languages (never filtered on them: most
            # entries do not record theirs, and unknown is not "does not speak it").
            result = search(get_redis(), where, limit=10, for_staff=True)
            language = labels("en").get(f"lang.{record.language}", record.language)
        except Exception:  # the directory is another feature; its failure must not hide ours
            error = "The resource directory is not available right now."
    audit.record(get_redis(), g.staff.name, "resources", record.id, once_per=VIEW_INTERVAL)
    return render_template(
        "staff/resources.html", e=record, where=where, result=result, error=error,
        language=language,
    )  # fmt: skip


# -- admin and development --------------------------------------------------------------------
@bp.get("/audit")
@admin_required
def audit_page():
    r = get_redis()
    audit.trim(r, current.settings().audit_retention_days)
    return render_template(
        "staff/audit.html", lines=audit.recent(r), failures=audit.failures(r, days=30),
        present=present,
    )  # fmt: skip


@bp.get("/outbox")
@staff_required
def outbox():
    """What the Outbox 'sent' (development, test, or a production drill: HOTLINE_ALLOW_OUTBOX)."""
    if current.settings().replies_sent:
        abort(404)
    items = read_outbox(get_redis())
    return render_template("staff/outbox.html", items=items, present=present, now=time.time())
