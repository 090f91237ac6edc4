"""The advocate's workspace on a conversation (issue 16): notes, canned replies, resource cards,
hand-offs, the texter's language and who on duty speaks it, and the urgent-alert sound.

Routes on the staff blueprint (same prefix, CSRF, no-store and sign-in rules as the rest):
  POST /staff/e/<id>/notes        add an internal note (sealed; never sent)
  POST /staff/e/<id>/handoff      to a named colleague or back to the queue, with a note
  GET  /staff/e/<id>/cards.json   resource cards for the reply box (ZIP/town, category)
  GET  /staff/alert.wav           the urgent-escalation chime (made in code, staff/sound.py)
The work is in hotline.escalations.notes / handoffs, hotline.replies and hotline.resources.
"""

from __future__ import annotations

import logging
from pathlib import Path

import redis
from flask import Response, abort, current_app, flash, g, jsonify, redirect, request, url_for

from hotline import current
from hotline.escalations import accounts, audit, handoffs, notes, staff_sessions
from hotline.escalations.accounts import Staff
from hotline.escalations.notes import NoteRefused
from hotline.escalations.queue import QueueError
from hotline.escalations.records import Escalation
from hotline.flows import FlowLoadError
from hotline.replies import REPLIES_FILE, Replies
from hotline.replies import load as load_replies
from hotline.resources.models import CATEGORIES
from hotline.staff import present, sound
from hotline.staff.auth import staff_required
from hotline.staff.views import TAKEN, VIEW_INTERVAL, _record, bp
from hotline.store import get_redis

log = logging.getLogger(__name__)
CARDS = 5  # resource cards offered per search
CARD_CATEGORIES = tuple(c for c in CATEGORIES if c not in ("emergency", "law-enforcement"))


# -- data the conversation page shows ---------------------------------------------------------
def replies() -> tuple[Replies, str]:
    """The canned replies (reloaded when replies.yaml changes) and an error for staff ("" when
    fine): a file broken while the hotline runs offers no replies rather than wrong ones."""
    settings = current.settings()
    path = Path(settings.flows_dir) / REPLIES_FILE
    mtime = path.stat().st_mtime if path.exists() else 0.0
    cached = current_app.extensions.get("hotline.replies")
    if cached and cached[0] == (mtime, id(current.flows())):
        return cached[1], cached[2]
    try:
        context = {"program": settings.program_name}
        loaded, error = load_replies(path.parent, current.flows(), context), ""
    except FlowLoadError as exc:
        log.error("canned replies not loaded: %d problem(s) in %s", len(exc.issues), REPLIES_FILE)
        loaded, error = Replies(), "Canned replies are unavailable: replies.yaml has errors."
    current_app.extensions["hotline.replies"] = ((mtime, id(current.flows())), loaded, error)
    return loaded, error


def language_name(code: str) -> str:
    """The language's name in English for staff ('Spanish'), from flows/resources.yaml's
    labels, else hotline.yaml's own name for it, else the code."""
    from hotline.channels.perform import labels

    try:
        name = labels("en").get(f"lang.{code}")
    except Exception:  # the directory's words are another feature's file
        name = None
    declared = current.flows().languages.get(code)
    return name or (declared.name if declared else code)


def on_duty(active: list[Staff], r: redis.Redis) -> list[Staff]:
    """Of these accounts, those on duty now: on call, or signed in (a live session). Two round
    trips; work grows with the number of staff accounts, never with conversations."""
    live = staff_sessions.signed_in(r, [s.name for s in active if not s.on_call])
    return [s for s in active if s.on_call or s.name in live]


def extras(record: Escalation, staff: Staff) -> dict:
    """Everything the conversation page adds for the workspace (template variables)."""
    r = get_redis()
    canned, replies_error = replies()
    active = [s for s in accounts.everyone(r) if not s.disabled]
    duty = on_duty(active, r)
    speakers = [s.name for s in duty if record.language in s.languages]
    colleagues = [s for s in active if s.name != staff.name]
    duty_names = {s.name for s in duty}
    where = request.args.get("where", record.details.get("where", "")).strip()[:60]
    category = request.args.get("category", "")
    prefill = _prefill(record, canned)
    cards = None
    if request.args.get("where"):
        cards = _cards(r, where, category, record.language)
    return {
        "notes": notes.for_escalation(r, record.id),
        "canned": canned.for_language(record.language),
        "replies_error": replies_error,
        "language_name": language_name(record.language),
        "speakers": speakers,
        "colleagues": [
            {"name": s.name, "on_duty": s.name in duty_names, "languages": ", ".join(s.languages)}
            for s in colleagues
        ],  # fmt: skip
        "handoff": present.handoff_row(record, staff),
        "card_where": where,
        "card_category": category,
        "card_categories": CARD_CATEGORIES,
        "cards": cards,
        "prefill": prefill,
        "zone": present.zone_label(),
    }


def _prefill(record: Escalation, canned: Replies) -> str:
    """The reply box's text when a page is asked for with ?insert=<reply id> or ?card=<entry>
    (how a canned reply or a card reaches the box without script)."""
    wanted = request.args.get("insert", "")
    for reply in canned.for_language(record.language):
        if reply["id"] == wanted:
            return reply["text"]
    card = request.args.get("card", "")
    if card and request.args.get("where"):
        found = _cards(get_redis(), request.args["where"], request.args.get("category", ""),
                       record.language)  # fmt: skip
        for item in found.get("cards", []):
            if item["id"] == card:
                return item["text"]
    return ""


def _cards(r: redis.Redis, where: str, category: str, language: str) -> dict:
    """Directory entries near `where` as the texter would get them: formatted by the SMS
    formatter in the texter's language (its number first, never a revealing name first;
    staff-only entries never offered), each fitting 2 SMS segments at the richest detail."""
    from hotline.channels.perform import labels
    from hotline.resources import search
    from hotline.resources.format import DETAIL_LEVELS, sms_item, sms_text

    category = category if category in CARD_CATEGORIES else ""
    try:
        result = search(r, where[:60], category=category or None, limit=CARDS,
                        tz=current.settings().timezone)  # fmt: skip
        words = labels(language)
    except Exception:  # the directory is another feature; its failure must not hide ours
        log.exception("resource cards: search failed")
        return {"status": "error", "place": "", "cards": [],
                "error": "The resource directory is not available right now."}  # fmt: skip
    cards = []
    for item in result.items:
        text = next((t for level in DETAIL_LEVELS
                     if (t := sms_text(sms_item(item, words, level)))), None)  # fmt: skip
        if text:
            cards.append({"id": item.id, "name": item.name, "town": item.town or "",
                          "text": text})  # fmt: skip
    return {"status": result.status, "place": result.place, "cards": cards, "error": ""}


# -- routes -----------------------------------------------------------------------------------
def _back(escalation_id: str, anchor: str = "") -> Response:
    return redirect(url_for("staff.conversation", escalation_id=escalation_id) + anchor)


@bp.post("/e/<escalation_id>/notes")
@staff_required
def add_note(escalation_id: str):
    record = _record(escalation_id)
    if record.erased:
        flash("This conversation was erased at the person's request: no notes.")
        return _back(escalation_id)
    try:
        notes.add(get_redis(), record.id, g.staff, request.form.get("note", ""))
    except NoteRefused as exc:
        flash(str(exc))
    return _back(escalation_id, "#notes")


@bp.post("/e/<escalation_id>/handoff")
@staff_required
def hand_off(escalation_id: str):
    record = _record(escalation_id)
    receiver = request.form.get("to", "")
    receiver = "" if receiver == "queue" else receiver
    try:
        handoffs.hand_off(get_redis(), record.id, g.staff, receiver, request.form.get("note", ""))
    except NoteRefused as exc:
        flash(str(exc))
        return _back(escalation_id, "#handoff")
    except QueueError as exc:
        flash(handoffs.REFUSED.get(exc.result) or TAKEN.get(exc.result, exc.result))
        return _back(escalation_id, "#handoff")
    flash(f"Handed to {receiver}." if receiver else "Handed back to the queue.")
    return redirect(url_for("staff.queue_page"))


@bp.get("/e/<escalation_id>/cards.json")
@staff_required
def cards_json(escalation_id: str):
    record = _record(escalation_id)
    where = request.args.get("where", "").strip()[:60]
    if not where:
        abort(400)
    found = _cards(get_redis(), where, request.args.get("category", ""), record.language)
    audit.record(get_redis(), g.staff.name, "resources", record.id, once_per=VIEW_INTERVAL)
    return jsonify(found)


@bp.get("/alert.wav")
@staff_required
def alert_sound():
    return Response(sound.chime_wav(), mimetype="audio/wav")
