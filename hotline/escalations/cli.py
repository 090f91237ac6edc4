"""`hotline staff ...` (accounts: add, passwd, disable, enable, list) and `hotline audit verify`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

import click
from redis import Redis

from hotline.escalations import accounts, audit

T = TypeVar("T")


def _redis() -> Redis:
    from hotline.cli import dev_environ, redis_url_for
    from hotline.config import load_settings
    from hotline.safety import crypto
    from hotline.store import connect

    settings = load_settings(dev_environ())
    crypto.configure(settings.secret_keys, settings.hash_key)
    return connect(redis_url_for(settings), timeout=5.0)


def _languages(value: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in value.split(",") if part.strip())


@click.group()
def staff() -> None:
    """Staff accounts for the dashboard at /staff."""


@staff.command("add")
@click.argument("name")
@click.option("--languages", default="en", show_default=True, help="Comma-separated, e.g. en,es")
@click.option("--phone", default="", help="E.164 number for on-call alerts, e.g. +16175550100")
@click.option("--role", type=click.Choice(accounts.ROLES), default="advocate", show_default=True)
@click.option("--on-call/--not-on-call", default=None, help="Default: on call when --phone")
@click.password_option(help="Prompted (hidden) when not given.")
def add(name: str, languages: str, phone: str, role: str, on_call: bool | None, password: str):
    """Create a staff account."""
    r = _redis()
    try:
        made = accounts.add(r, name, password, _languages(languages), role, phone, on_call)
    except accounts.AccountError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    audit.record(r, "cli", "staff add", detail=f"{made.name} ({made.role})")
    click.echo(f"added {made.name}: {made.role}, languages {','.join(made.languages)}")


def _change(what: str, name: str, change: Callable[[Redis], T]) -> T:
    """One change to NAME's account, audited as `staff WHAT`; exit 1 with the reason if refused."""
    r = _redis()
    try:
        result = change(r)
    except accounts.AccountError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    audit.record(r, "cli", f"staff {what}", detail=name)
    return result


@staff.command("passwd")
@click.argument("name")
@click.password_option(help="Prompted (hidden) when not given.")
def passwd(name: str, password: str):
    """Set a new password; every session of that person ends."""
    ended = _change("passwd", name, lambda r: accounts.set_password(r, name, password))
    click.echo(f"password changed for {name}; {ended} session(s) ended")


@staff.command("disable")
@click.argument("name")
def disable(name: str):
    """No more sign-ins for NAME; every one of their sessions ends now."""
    ended = _change("disable", name, lambda r: accounts.disable(r, name))
    click.echo(f"disabled {name}; {ended} session(s) ended")


@staff.command("enable")
@click.argument("name")
def enable(name: str):
    """Let NAME sign in again."""
    _change("enable", name, lambda r: accounts.enable(r, name))
    click.echo(f"enabled {name}")


@staff.command("list")
def list_() -> None:
    """Every account, with role, languages and on-call state (numbers masked)."""
    for s in accounts.everyone(_redis()):
        phone = f"…{s.phone[-2:]}" if s.phone else "no phone"
        state = "disabled" if s.disabled else "on call" if s.on_call else "off call"
        click.echo(f"{s.name}\t{s.role}\t{','.join(s.languages)}\t{phone}\t{state}")


@click.group("audit")
def audit_cli() -> None:
    """The audit log."""


@audit_cli.command("verify")
@click.option("--expect-head", default="", help="A head an earlier run printed (SEQ:MAC).")
def verify(expect_head: str) -> None:
    """Check that no audit entry was removed or changed; print the head to keep elsewhere."""
    result = audit.verify(_redis(), expect_head)
    for problem in result.problems:
        click.echo(f"problem: {problem}")
    state = "OK" if result.ok else "entries missing or changed"
    click.echo(f"audit log {state}: {result.count} entries, head {result.head}")
    sys.exit(0 if result.ok else 1)
