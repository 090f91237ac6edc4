"""The `hotline` command: run the hotline, check flows, drive it from a terminal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from hotline.config import load_settings
from hotline.flows import check as check_flows
from hotline.flows import review_warnings


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """Run, check and drive the hotline."""
    if ctx.invoked_subcommand not in PRODUCTION_DEFAULT:
        os.environ.setdefault("HOTLINE_ENV", "development")


# Commands that default to production, like the web app: a worker that silently fell back to
# the development Outbox would never deliver a staff reply.
PRODUCTION_DEFAULT = {"worker"}


def dev_environ() -> dict[str, str]:
    """Commands run by hand default to development (production must say so)."""
    env = dict(os.environ)
    env.setdefault("HOTLINE_ENV", "development")
    return env


def redis_url_for(settings) -> str:
    """REDIS_URL, or the embedded server under HOTLINE_DATA_DIR (started if needed).

    A cluster URL or a malformed Sentinel URL stops the command with the reason (exit 1).
    """
    from hotline.store import RedisConfigError, parse_url, resolve_redis_url

    try:
        parse_url(settings.redis_url)
    except RedisConfigError as exc:
        raise click.ClickException(str(exc)) from None
    return resolve_redis_url(settings.redis_url, settings.data_dir)


# -- running ----------------------------------------------------------------------------------
@main.command()
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="HOST")
@click.option("--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int)
@click.option("--worker/--no-worker", default=True, help="Also run an RQ worker.")
def run(host: str, port: int, worker: bool) -> None:
    """Serve the hotline with a worker and (without REDIS_URL) an embedded Redis."""
    from hotline.app import create_app

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so atexit stops the embedded Redis
    env = dev_environ()
    settings = load_settings(env)
    env["REDIS_URL"] = redis_url_for(settings)
    os.environ.update({"REDIS_URL": env["REDIS_URL"], "HOTLINE_ENV": env["HOTLINE_ENV"]})
    child = None
    if worker:
        cmd = [sys.executable, "-m", "hotline.cli", "worker"]
        child = subprocess.Popen(cmd, env=env)
    app = create_app()
    click.echo(
        f"hotline ({settings.env}) on http://{host}:{port}/  redis: {_safe(env['REDIS_URL'])}"
    )
    if app.extensions["hotline.settings"].development:
        _development_extras(app, host, port)
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        if child:
            child.terminate()
            child.wait(timeout=10)


def _development_extras(app, host: str, port: int) -> None:
    """Flow reloading, the development advocate account, and where to start."""
    from hotline.simulator.devaccount import DEV_NAME, ensure_dev_account
    from hotline.simulator.reload import watch

    watch(app)
    password = ensure_dev_account(app.extensions["hotline.redis"])
    if password:
        click.echo(f"created the development advocate account: {DEV_NAME} / {password}")
    else:
        click.echo(
            f"staff account {DEV_NAME} exists (new password: hotline staff passwd {DEV_NAME})"
        )
    click.echo(f"start here: http://{host}:{port}/  (phone simulator, staff dashboard)")


def _safe(url: str) -> str:
    """A Redis URL without its password, for printing."""
    return url.split("@")[-1] if "@" in url else url


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option(
    "--processes", type=int, default=1, show_default=True,
    help="Workers to run (RQ's WorkerPool starts a dead one again).",
)  # fmt: skip
def worker(burst: bool, processes: int) -> None:
    """RQ workers on the hotline's queues (urgent first), with RQ's scheduler.

    Run under a supervisor that restarts it (the Procfile's `worker` line, systemd): it rides
    out a Redis restart of up to 45 s, and jobs of a worker that died are re-queued by the
    others within 25 s (see hotline/worker.py).
    """
    from hotline import worker as hotline_worker
    from hotline.logs import install_log_filter
    from hotline.store import RedisConfigError, connect, refuse_cluster

    install_log_filter()
    settings = load_settings()
    connection = connect(redis_url_for(settings), timeout=30.0, decode=False)
    try:
        refuse_cluster(connection)
    except RedisConfigError as exc:
        raise click.ClickException(str(exc)) from None
    hotline_worker.run(connection, processes=processes, burst=burst)


@main.command()
@click.option("--days", type=int, default=None, help="Override HOTLINE_RETENTION_DAYS.")
def purge(days: int | None) -> None:
    """Remove conversations resolved longer ago than the retention period (run daily)."""
    from hotline.escalations import audit
    from hotline.escalations.retention import purge as purge_closed
    from hotline.safety import crypto
    from hotline.store import connect

    settings = load_settings()
    crypto.configure(settings.secret_keys, settings.hash_key)
    r = connect(redis_url_for(settings), timeout=30.0)
    removed = purge_closed(r, settings.retention_days if days is None else days)
    trimmed = audit.trim(r, settings.audit_retention_days)
    click.echo(f"purged {removed} resolved conversation(s), {trimmed} audit entries past retention")


@main.command("rotate-keys")
def rotate_keys() -> None:
    """Re-seal everything stored under the first HOTLINE_SECRET_KEY; report what was done.

    Run it after putting a new key first (`new,old`); when it reports 0 unreadable, the old
    key may be dropped (set HOTLINE_HASH_KEY to it first if it is the oldest: README).
    """
    from hotline.config import ConfigError
    from hotline.escalations import audit
    from hotline.safety import crypto, keys
    from hotline.store import connect

    settings = load_settings()
    crypto.configure(settings.secret_keys, settings.hash_key)
    r = connect(redis_url_for(settings), timeout=30.0)
    try:
        keys.check_hash_key(r, settings.hash_key, settings.secret_key, settings.hash_key_configured)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    rotation = keys.rotate_all(r, crypto.current())
    click.echo(rotation.report())
    unreadable = sum(rotation.unreadable.values())
    resealed = sum(rotation.resealed.values())
    audit.record(r, "cli", "rotate keys", detail=f"{resealed} re-sealed, {unreadable} unreadable")
    if unreadable:
        click.echo("some values are sealed under a key that is not configured: add it after "
                   "the new one in HOTLINE_SECRET_KEY and run this again", err=True)  # fmt: skip
        sys.exit(1)
    if len(settings.secret_keys) > 1 and not os.environ.get("HOTLINE_HASH_KEY"):
        click.echo("the older keys may now be dropped; numbers are hashed under the oldest key, "
                   "so set HOTLINE_HASH_KEY to it before dropping it")  # fmt: skip


# -- flows ------------------------------------------------------------------------------------
@main.group()
def fallback() -> None:
    """The static fallback Twilio uses when the hotline does not answer."""


@fallback.command("twiml")
@click.argument("channel", type=click.Choice(["sms", "voice"]))
@click.option("--language", default=None, help="One language of the flows (default: en and es).")
def fallback_twiml(channel: str, language: str | None) -> None:
    """Print the fallback TwiML (911 and the 24/7 hotline) exactly as /fallback/CHANNEL says it.

    Host it apart from the hotline (a Twilio TwiML Bin, or any static host) and give its URL
    as the number's "Primary handler fails" URL: it then answers even when every host of the
    hotline is down (README, "Deploying"). Texts come from flows/ and HOTLINE_PROGRAM_NAME.
    """
    from hotline.flows import load_checked
    from hotline.safety.fallback import sms_twiml, voice_twiml

    settings = load_settings(dev_environ())
    hotline = load_checked(settings.flows_dir, {"program": settings.program_name})
    if language and language not in hotline.languages:
        raise click.BadParameter(f"not a language of the flows: {language}", param_hint="language")
    build = sms_twiml if channel == "sms" else voice_twiml
    click.echo(build(hotline, settings.program_name, language))


@main.group()
def flows() -> None:
    """Flow definitions in flows/."""


@flows.command("check")
@click.option("--dir", "flows_dir", type=click.Path(path_type=Path), default=None)
@click.option("--data", "resources_dir", type=click.Path(path_type=Path), default=None,
              help="Directory folder whose formatted results are checked too "
              "(default HOTLINE_RESOURCES_DIR or data).")  # fmt: skip
def flows_check(flows_dir: Path | None, resources_dir: Path | None) -> None:
    """Lint every flow, and the directory as the flows send it; exit non-zero with file:line
    messages when anything is wrong."""
    settings = load_settings(dev_environ())
    issues = check_flows(
        flows_dir or settings.flows_dir,
        {"program": settings.program_name},
        resources_dir or settings.resources_dir,
    )
    for issue in issues:
        click.echo(str(issue), err=True)
    if issues:
        click.echo(f"{len(issues)} problem(s)", err=True)
        sys.exit(1)
    click.echo("flows OK")
    for warning in review_warnings(flows_dir or settings.flows_dir):
        click.echo(str(warning))


# -- driving the real app from a terminal -----------------------------------------------------
@main.command()
@click.argument("text", required=False)
@click.option("--from", "sender", default="+19785550123", show_default=True)
@click.option("-i", "--interactive", is_flag=True, help="Keep texting at a prompt (q to quit).")
def sms(text: str | None, sender: str, interactive: bool) -> None:
    """Send a text through the real app (signed, as Twilio would) and print the reply."""
    from hotline.devphone import DevPhone

    if not text and not interactive:
        raise click.UsageError("give a TEXT, or -i to keep a conversation going")
    phone = DevPhone.for_cli()
    if text:
        _print_replies(phone.text(text, sender))
    if interactive:
        _sms_interactive(phone, sender)


def _print_replies(replies: list[str]) -> None:
    for reply in replies:
        click.echo(reply)
        click.echo("---")


def _sms_interactive(phone, sender: str) -> None:
    """A conversation at the prompt; staff replies from the Outbox show up before each prompt."""
    import time

    since = time.time()
    click.echo(f"texting the hotline from {sender}; q or Ctrl-D to quit")
    while True:
        since = _print_staff_replies(phone, sender, since)
        try:
            line = click.prompt(">", prompt_suffix=" ", default="", show_default=False)
        except (EOFError, click.Abort):
            break
        if line.strip().lower() == "q":
            break
        if line.strip():
            _print_replies(phone.text(line, sender))


def _print_staff_replies(phone, sender: str, since: float) -> float:
    from hotline.simulator.panel import staff_replies

    for reply in staff_replies(phone.app.extensions["hotline.redis"], sender, since):
        click.echo(f"[staff] {reply['body']}")
        click.echo("---")
        since = max(since, reply["at"])
    return since


def _register_feature_commands() -> None:
    """Commands that live beside their feature (resources, staff, ...), when present."""
    import importlib

    for module, name in (
        ("hotline.resources.cli", "resources_cli"),
        ("hotline.escalations.cli", "staff"),
        ("hotline.escalations.cli", "audit_cli"),
        ("hotline.channels.voice_cli", "call"),
        ("hotline.languages.cli", "translations_cli"),
    ):
        try:
            command = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        main.add_command(command)


_register_feature_commands()

if __name__ == "__main__":
    main()
