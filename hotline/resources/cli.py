"""`hotline resources load|check|search|import`: the operator's tools for the directory."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
import redis

from hotline.config import load_settings
from hotline.resources.directory import DirectoryError, read_directory
from hotline.resources.index import ensure_index, rebuild_index
from hotline.resources.models import CATEGORIES, POPULATIONS
from hotline.resources.search import search
from hotline.resources.views import ResourceView
from hotline.store import connect, resolve_redis_url


def _redis() -> redis.Redis:
    """The Redis the app uses (REDIS_URL, or the embedded server under HOTLINE_DATA_DIR)."""
    settings = load_settings()
    return connect(resolve_redis_url(settings.redis_url, settings.data_dir), timeout=5.0)


def _resources_dir(path: Path | None) -> Path:
    return path or load_settings().resources_dir


DIR_OPTION = click.option(
    "--dir", "resources_dir", type=click.Path(path_type=Path), default=None,
    help="Directory folder (default HOTLINE_RESOURCES_DIR or data).",
)  # fmt: skip


@click.group("resources")
def resources_cli() -> None:
    """Check, index, search and import the resource directory."""


@resources_cli.command("check")
@DIR_OPTION
def check(resources_dir: Path | None) -> None:
    """Validate every entry; exit 1 on any error. Warnings: old or undated sources."""
    directory = read_directory(_resources_dir(resources_dir))
    errors = [p for p in directory.problems if p.severity == "error"]
    for problem in directory.problems:
        click.echo(str(problem), err=problem.severity == "error")
    unconfirmed = sum(1 for r in directory.resources if r.provenance.confirmed_by_phone is None)
    low = sum(1 for r in directory.resources if not r.verified)
    warnings = len(directory.problems) - len(errors)
    click.echo(
        f"{len(directory)} entries, {len(errors)} errors, {warnings} warnings; "
        f"{unconfirmed} not yet confirmed by phone; {low} low-confidence (shown last)."
    )
    if errors:
        sys.exit(1)


@resources_cli.command("load")
@DIR_OPTION
def load(resources_dir: Path | None) -> None:
    """Validate the directory and rebuild the shared search index (atomic swap)."""
    directory = read_directory(_resources_dir(resources_dir))
    errors = [p for p in directory.problems if p.severity == "error"]
    if errors:
        for problem in errors:
            click.echo(str(problem), err=True)
        raise click.ClickException("not loaded: fix the errors above (see `resources check`)")
    rebuild_index(_redis(), directory)
    click.echo(f"indexed {len(directory)} entries")


def _describe(n: int, item: ResourceView) -> list[str]:
    badge = "" if item.verified else "  [UNVERIFIED: confirm by calling]"
    badge += "  [STAFF ONLY]" if item.staff_only else ""
    dist = f"{item.distance_km:.1f} km" if item.distance_km is not None else item.scope
    lines = [f"{n}. {item.name}  ({dist}){badge}"]
    for p in item.phones:
        how = "+".join(w for w, on in (("call", p.voice), ("text", p.text)) if on)
        extra = f" ext {p.ext}" if p.ext else ""
        extra += f" keyword {p.keyword}" if p.keyword else ""
        extra += f" begin with {p.prefix}" if p.prefix else ""
        extra += f" texts in {','.join(p.text_languages)}" if p.text_languages else ""
        extra += f" hours {_hours(p.hours)}" if p.hours else ""
        lines.append(f"   {how} {p.e164}{extra} ({p.kind})")
    where = "confidential location" if item.confidential else (item.address or item.town or "")
    lines.append(f"   {', '.join(item.categories)}" + (f" | {where}" if where else ""))
    langs = ", ".join(item.languages) or "unknown"
    lines.append(f"   service hours: {_hours(item.hours)} | languages: {langs}")
    sources = "; ".join(f"{u} ({d})" for u, d in zip(item.sources, item.source_dates, strict=True))
    confirmed = item.confirmed_by_phone or "never"
    lines.append(f"   sources: {sources} | confirmed by phone: {confirmed}")
    return lines


def _hours(hours: object) -> str:
    if hours is None:
        return "unknown"
    if hours == "24/7":
        return "24/7"
    return "; ".join(
        f"{day} "
        + ",".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in rs)
        for day, rs in hours.items()
    )


@resources_cli.command("search")
@click.argument("query")
@click.option("--category", type=click.Choice(CATEGORIES))
@click.option("--language", help="Language code, e.g. es, pt, km.")
@click.option("--population", type=click.Choice(POPULATIONS))
@click.option("--open-now", is_flag=True)
@click.option("--limit", default=5, show_default=True)
@click.option("--offset", default=0, show_default=True)
@DIR_OPTION
def search_cmd(query, category, language, population, open_now, limit, offset, resources_dir):
    """Print ranked results for a ZIP code or town as an operator would read them."""
    r = _redis()
    ensure_index(r, _resources_dir(resources_dir))
    result = search(
        r, query, category=category, language=language, population=population,
        open_now=open_now, limit=limit, offset=offset, for_staff=True,
    )  # fmt: skip
    if result.status == "not_found":
        raise click.ClickException(f"unknown ZIP code or Massachusetts town: {query!r}")
    if result.status == "outside":
        click.echo(f"{result.place} is outside Massachusetts: statewide and national lines only.")
    else:
        click.echo(f"Help near {result.place}:")
    for i, item in enumerate(result.items, start=offset + 1):
        click.echo("\n".join(_describe(i, item)))
    if not result.items:
        click.echo("no matches")
    if result.has_more:
        click.echo(f"... more: --offset {result.next_offset}")


@resources_cli.command("import")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="YAML file to write (default <dir>/imported/<name>.yaml).")  # fmt: skip
@click.option("--source-url", default=None, help="Where the export came from (for provenance).")
@click.option("--source-date", default=None, help="The export's date, YYYY-MM-DD (default today).")
@click.option("--confidence", type=click.Choice(["high", "medium", "low"]), default="medium")
@click.option("--default-category", type=click.Choice(CATEGORIES), default=None)
@DIR_OPTION
def import_cmd(source, out, source_url, source_date, confidence, default_category, resources_dir):
    """Import an Open Referral HSDS export (folder of CSV tables, or a JSON file)."""
    from hotline.resources.hsds import ImportOptions, import_hsds, write_yaml

    options = ImportOptions(
        source_url=source_url or source.name,
        source_date=source_date or date.today().isoformat(),
        confidence=confidence,
        default_category=default_category,
    )
    report = import_hsds(source, options)
    target = out or _resources_dir(resources_dir) / "imported" / f"{source.stem}.yaml"
    write_yaml(report.resources, target)
    click.echo(f"imported {len(report.resources)} entries into {target}")
    for skip in report.skipped:
        click.echo(f"skipped {skip}")
    click.echo(f"{len(report.skipped)} skipped. Run `hotline resources check`, then `load`.")


__all__ = ["DirectoryError", "resources_cli"]
