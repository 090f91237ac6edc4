"""`hotline staff ...`: staff accounts from the terminal (add, passwd, list, on-call)."""

from __future__ import annotations

import sys

import click

from hotline.escalations import accounts, audit


def _redis():
    from hotline.cli import dev_environ, redis_url_for
    from hotline.config import load_settings
    from hotline.store import connect

    return connect(redis_url_for(load_settings(dev_environ())), timeout=5.0)


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


@staff.command("passwd")
@click.argument("name")
@click.password_option(help="Prompted (hidden) when not given.")
def passwd(name: str, password: str):
    """Set a new password (also clears a lock-out)."""
    r = _redis()
    try:
        accounts.set_password(r, name, password)
    except accounts.AccountError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    audit.record(r, "cli", "staff passwd", detail=name)
    click.echo(f"password changed for {name}")


@staff.command("list")
def list_() -> None:
    """Every account, with role, languages and on-call state (numbers masked)."""
    for s in accounts.everyone(_redis()):
        phone = f"…{s.phone[-2:]}" if s.phone else "no phone"
        state = "on call" if s.on_call else "off call"
        click.echo(f"{s.name}\t{s.role}\t{','.join(s.languages)}\t{phone}\t{state}")
