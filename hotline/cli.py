"""The `hotline` command: run the hotline, check flows, drive it from a terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hotline.config import load_settings
from hotline.flows import check as check_flows


@click.group()
def main() -> None:
    """Run, check and drive the hotline."""


@main.group()
def flows() -> None:
    """Flow definitions in flows/."""


@flows.command("check")
@click.option("--dir", "flows_dir", type=click.Path(path_type=Path), default=None)
def flows_check(flows_dir: Path | None) -> None:
    """Lint every flow; exit non-zero with file:line messages when anything is wrong."""
    settings = load_settings(_dev_env())
    issues = check_flows(flows_dir or settings.flows_dir, {"program": settings.program_name})
    for issue in issues:
        click.echo(str(issue), err=True)
    if issues:
        click.echo(f"{len(issues)} problem(s)", err=True)
        sys.exit(1)
    click.echo("flows OK")


def _dev_env() -> dict[str, str]:
    """Commands that only read files may run without production secrets."""
    import os

    env = dict(os.environ)
    env.setdefault("HOTLINE_ENV", "development")
    return env


if __name__ == "__main__":
    main()
