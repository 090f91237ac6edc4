"""Shared builders for the resource-directory tests: small directories written as YAML."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FLOWS = ROOT / "flows"

PROVENANCE = {
    "sources": [{"url": "example.org/test", "date": "2025"}],
    "recorded": "2026-01-01",
    "confidence": "high",
}


def entry(ident: str, **fields: object) -> dict:
    """A valid local entry in Lowell unless fields say otherwise (test data, not real)."""
    base = {
        "id": ident,
        "name": f"Test {ident}",
        "categories": ["advocacy"],
        "phones": [{"number": "978-937-3200", "kind": "main"}],
        "location": {"town": "Lowell", "coordinates": "town-centroid"},
        "provenance": dict(PROVENANCE),
    }
    base.update(fields)
    return base


def write_dir(tmp_path: Path, entries: list[dict], name: str = "resources.yaml") -> Path:
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(yaml.safe_dump({"resources": entries}, sort_keys=False))
    return folder


def ids(result) -> list[str]:
    return [item.id for item in result.items]
