"""`hotline translations`: PO files for fluent reviewers (hotline/languages/translations.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hotline.config import load_settings
from hotline.flows import FlowLoadError
from hotline.languages.translations import TranslationError, export_po, import_po


def _settings():
    from hotline.cli import dev_environ

    return load_settings(dev_environ())


@click.group("translations")
def translations_cli() -> None:
    """Export a language's texts as a PO file for a fluent reviewer; import the reviewed file."""


@translations_cli.command("export")
@click.argument("language")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write here (default: standard output).")  # fmt: skip
@click.option("--dir", "flows_dir", type=click.Path(path_type=Path), default=None)
def export_command(language: str, output: Path | None, flows_dir: Path | None) -> None:
    """Every text LANGUAGE needs, English beside it, drafts flagged fuzzy."""
    try:
        po = export_po(flows_dir or _settings().flows_dir, language)
    except (TranslationError, FlowLoadError) as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    if output is None:
        click.echo(str(po))
        return
    po.save(str(output))
    fuzzy = sum(1 for e in po if "fuzzy" in e.flags)
    click.echo(f"{output}: {len(po)} texts in {language} ({fuzzy} to review)")


@translations_cli.command("import")
@click.argument("po_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reviewer", required=True, help="Who reviewed the texts (a name or role).")
@click.option("--dir", "flows_dir", type=click.Path(path_type=Path), default=None)
@click.option("--data", "resources_dir", type=click.Path(path_type=Path), default=None,
              help="Directory whose results are checked too (default data/).")  # fmt: skip
def import_command(po_file: Path, reviewer: str, flows_dir: Path | None,
                   resources_dir: Path | None) -> None:  # fmt: skip
    """Check every text of PO_FILE as `hotline flows check` would, then write them into
    flows/ (comments and layout kept) and record the review. Nothing is written on a problem."""
    settings = _settings()
    try:
        done = import_po(
            po_file, flows_dir or settings.flows_dir, reviewer,
            resources_dir or settings.resources_dir, {"program": settings.program_name},
        )  # fmt: skip
    except (TranslationError, FlowLoadError) as exc:
        click.echo(str(exc), err=True)
        click.echo("nothing was written", err=True)
        sys.exit(1)
    files = ", ".join(done.files) or "-"
    by = f" by {reviewer}" if done.review == "reviewed" else ""
    click.echo(f"{done.language}: {done.changed} text(s) written to {files}; "
               f"{done.fuzzy} still fuzzy; review: {done.review}{by}")  # fmt: skip
