"""Admin and history pages of the dashboard: find a conversation, a texter's earlier
conversations, blocks, accounts. Routes on the staff blueprint (its CSRF check, frame and
error pages); the work is in hotline.escalations (history, blocks, accounts)."""

from __future__ import annotations

import secrets
from datetime import date

from flask import abort, flash, g, redirect, render_template, request, url_for

from hotline import current
from hotline.escalations import accounts, audit, blocks, history, outcomes, records
from hotline.escalations.records import Escalation
from hotline.staff import present
from hotline.staff.auth import admin_required, staff_required
from hotline.staff.views import bp
from hotline.store import get_redis


def _record(escalation_id: str) -> Escalation:
    record = records.load(get_redis(), escalation_id) if escalation_id.isdigit() else None
    if record is None:
        abort(404)
    return record


@bp.app_context_processor
def _admin_globals() -> dict:
    return {"earlier_for": _earlier_for, "block_durations": blocks.DURATIONS}


def _earlier_for(record: Escalation) -> list[Escalation] | None:
    """The texter's earlier conversations for the conversation page; None when this person
    may not see them (only the advocate holding it, or an admin)."""
    staff = g.get("staff")
    if staff is None or not history.may_see_history(record, staff.name, staff.is_admin):
        return None
    return history.earlier(get_redis(), record)


# -- history ----------------------------------------------------------------------------------
@bp.get("/e/<escalation_id>/history")
@staff_required
def texter_history(escalation_id: str):
    """The same texter's earlier conversations: 403 unless you hold this one (or are admin)."""
    record = _record(escalation_id)
    if not history.may_see_history(record, g.staff.name, g.staff.is_admin):
        abort(403, "Only the advocate who holds this conversation sees the person's history.")
    r = get_redis()
    audit.record(r, g.staff.name, "history", record.id, once_per=3600)
    return render_template("staff/history.html", e=record, earlier=history.earlier(r, record),
                           present=present)  # fmt: skip


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@bp.get("/find")
@admin_required
def find():
    """Find a conversation by id, dates (local), outcome, language or channel (admins)."""
    args = request.args
    search = history.Search(
        escalation_id=args.get("id", "").strip().lstrip("#"),
        start=_day(args.get("from")), end=_day(args.get("to")),
        outcome=args.get("outcome", ""), language=args.get("language", ""),
        channel=args.get("channel", ""),
    )  # fmt: skip
    asked = any(args.get(k) for k in ("id", "from", "to", "outcome", "language", "channel"))
    settings = current.settings()
    found = history.find(get_redis(), search, settings.timezone) if asked else []
    if asked:
        audit.record(get_redis(), g.staff.name, "find", search.escalation_id, once_per=3600)
    return render_template(
        "staff/find.html", found=found, asked=asked, search=search, present=present,
        outcomes=outcomes.load(settings.flows_dir).items,
        languages=list(current.flows().languages), page=history.PAGE,
    )  # fmt: skip


# -- blocks -----------------------------------------------------------------------------------
@bp.post("/e/<escalation_id>/block")
@admin_required
def block_texter(escalation_id: str):
    """Block the number behind this conversation for 24 hours or 30 days, with a reason."""
    record = _record(escalation_id)
    form = request.form
    try:
        blocks.block(get_redis(), record.who, form.get("duration", ""), g.staff.name,
                     form.get("reason", ""), record.id)  # fmt: skip
    except blocks.BlockError as exc:
        flash(str(exc))
    else:
        flash(f"Blocked for {blocks.DURATIONS[form['duration']][0]}.")
    return redirect(url_for("staff.conversation", escalation_id=escalation_id))


@bp.route("/blocks", methods=["GET", "POST"])
@admin_required
def blocks_page():
    """Blocks in force (no numbers shown), block a typed number, lift a block."""
    r = get_redis()
    if request.method == "POST":
        form = request.form
        try:
            who = blocks.who_of_number(current.settings().hash_key, form.get("number", ""))
            made = blocks.block(r, who, form.get("duration", ""), g.staff.name,
                                form.get("reason", ""))  # fmt: skip
        except blocks.BlockError as exc:
            flash(str(exc))
            return render_template("staff/blocks.html", found=blocks.active(r),
                                   present=present), 400  # fmt: skip
        flash(f"Blocked until {present.clock(made.until)}.")
        return redirect(url_for("staff.blocks_page"))
    return render_template("staff/blocks.html", found=blocks.active(r), present=present)


@bp.post("/blocks/<who>/lift")
@admin_required
def lift_block(who: str):
    if blocks.unblock(get_redis(), who, g.staff.name):
        flash("Block lifted.")
    return redirect(url_for("staff.blocks_page"))


# -- accounts ---------------------------------------------------------------------------------
def _languages(values: list[str]) -> tuple[str, ...]:
    known = current.flows().languages
    return tuple(code for code in values if code in known)


def _accounts_page(status: int = 200, shown: tuple[str, str] | None = None):
    r = get_redis()
    return render_template(
        "staff/accounts.html", people=accounts.everyone(r), roles=accounts.ROLES,
        languages=current.flows().languages, shown=shown,
    ), status  # fmt: skip


def _new_password() -> str:
    """A password to hand over once (the person changes nothing: admins reset it again)."""
    return secrets.token_urlsafe(12)


@bp.get("/accounts")
@admin_required
def accounts_page():
    return _accounts_page()


@bp.post("/accounts")
@admin_required
def add_account():
    """A new account with a generated password shown once to the admin."""
    form, r = request.form, get_redis()
    name, phone = form.get("name", "").strip().lower(), form.get("phone", "").strip()
    password = _new_password()
    languages = _languages(form.getlist("languages")) or (current.flows().default_language,)
    try:
        accounts.add(r, name, password, languages, form.get("role", "advocate"), phone,
                     form.get("on_call") == "1" and bool(phone))  # fmt: skip
    except accounts.AccountError as exc:
        flash(str(exc))
        return _accounts_page(400)
    audit.record(r, g.staff.name, "account add", "", f"{name} ({form.get('role', 'advocate')})")
    return _accounts_page(shown=(name, password))


def _change(name: str, action: str, change) -> bool:
    """Apply an account change and audit it; False (with the reason flashed) if refused."""
    try:
        change(get_redis())
    except accounts.AccountError as exc:
        flash(str(exc))
        return False
    audit.record(get_redis(), g.staff.name, action, "", name)
    return True


@bp.post("/accounts/<name>/password")
@admin_required
def reset_password(name: str):
    """A new generated password, shown once; every session of that person ends."""
    password = _new_password()
    try:
        ended = accounts.set_password(get_redis(), name, password)
    except accounts.AccountError as exc:
        flash(str(exc))
        return _accounts_page(404)
    audit.record(get_redis(), g.staff.name, "account password", "", name)
    flash(f"Password reset; {ended} session(s) of {name} ended.")
    return _accounts_page(shown=(name, password))


@bp.post("/accounts/<name>/disable")
@admin_required
def disable_account(name: str):
    if name == g.staff.name:
        flash("You cannot disable your own account.")
        return redirect(url_for("staff.accounts_page"))
    if _change(name, "account disable", lambda r: accounts.disable(r, name)):
        flash(f"{name} disabled; their sessions ended.")
    return redirect(url_for("staff.accounts_page"))


@bp.post("/accounts/<name>/enable")
@admin_required
def enable_account(name: str):
    _change(name, "account enable", lambda r: accounts.enable(r, name))
    return redirect(url_for("staff.accounts_page"))


@bp.post("/accounts/<name>/settings")
@admin_required
def account_settings(name: str):
    """Languages, phone and on-call of one person."""
    form = request.form
    languages = _languages(form.getlist("languages"))
    on_call = form.get("on_call") == "1"
    phone = form.get("phone", "").strip()

    def change(r) -> None:
        accounts.set_languages(r, name, languages)
        accounts.set_phone(r, name, phone)
        accounts.set_on_call(r, name, on_call and bool(phone))

    detail = f"{name}: {','.join(languages)}; on call {'yes' if on_call and phone else 'no'}"
    try:
        change(get_redis())
    except accounts.AccountError as exc:
        flash(str(exc))
        return _accounts_page(400)
    audit.record(get_redis(), g.staff.name, "account settings", "", detail)
    flash(f"Saved {name}.")
    return redirect(url_for("staff.accounts_page"))
