"""Outcome codes: what staff record when they resolve a conversation (flows/outcomes.yaml).

The list is data an operator edits; reports count escalations by code. A code keeps its
meaning once used, so the file may retire a code (`choose: false`: still labelled, never
offered) but a record's code is never rewritten. `erased` is set by DELETE (erase.py) and must
be listed with `choose: false`.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

log = logging.getLogger(__name__)
OUTCOMES_FILE = "outcomes.yaml"
ERASED = "erased"  # the outcome DELETE sets (escalations/erase.py)
CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
MAX_LABEL = 60  # characters: a label fits a phone's select
MAX_NOTE = 500  # characters of the optional note at resolve (sealed at rest)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: dict[str, str]
    choose: bool = True


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcomes: dict[str, _Entry] = Field(min_length=1)


@dataclass(frozen=True)
class Outcome:
    """One code with its label per language; `choose` False: never offered in the select."""

    code: str
    labels: dict[str, str]
    choose: bool = True


@dataclass(frozen=True)
class Outcomes:
    """The configured outcome codes, in the file's order."""

    items: tuple[Outcome, ...]
    default_language: str

    def label(self, code: str, language: str | None = None) -> str:
        """The code's label in `language` (else the default language); the code if unknown."""
        for item in self.items:
            if item.code == code:
                return item.labels.get(language or "") or item.labels[self.default_language]
        return code

    def choices(self, language: str | None = None) -> list[tuple[str, str]]:
        """(code, label) pairs staff may choose at resolve, in the file's order."""
        return [(i.code, self.label(i.code, language)) for i in self.items if i.choose]

    def choosable(self, code: str) -> bool:
        """True when staff may resolve with this code."""
        return any(i.code == code and i.choose for i in self.items)

    @property
    def codes(self) -> tuple[str, ...]:
        """Every known code, chosen or not (reports list them all)."""
        return tuple(i.code for i in self.items)


_cache: dict[Path, tuple[tuple[int, int], Outcomes]] = {}
_lock = threading.Lock()


def load(flows_dir: Path, strict: bool = False) -> Outcomes:
    """The outcomes of flows_dir/outcomes.yaml, re-read when it or hotline.yaml changes.

    A file broken while the hotline runs (an operator's edit) keeps the last good list
    answering (logged), as broken flows do; `strict` (at start) raises instead.

    Raises hotline.flows.FlowLoadError (file:line issues) when the file is missing or wrong:
    a code that is not lower_snake_case, no label in the default language (others fall back
    to it), a label longer than MAX_LABEL or in an undeclared language, no code staff can
    choose, or no `erased` code with `choose: false`.
    """
    from hotline.flows import HOTLINE_FILE

    flows_dir = Path(flows_dir)
    path, main = flows_dir / OUTCOMES_FILE, flows_dir / HOTLINE_FILE
    try:
        stamp = (path.stat().st_mtime_ns, main.stat().st_mtime_ns)
    except OSError:
        stamp = (0, 0)
    with _lock:
        cached = _cache.get(flows_dir)
        if cached and cached[0] == stamp and stamp != (0, 0):
            return cached[1]
    try:
        outcomes = _read(flows_dir)
    except Exception:
        if strict or cached is None:
            raise
        log.error("flows/outcomes.yaml does not check; the last good outcome codes stay")
        return cached[1]
    with _lock:
        _cache[flows_dir] = (stamp, outcomes)
    return outcomes


def _read(flows_dir: Path) -> Outcomes:
    from hotline.flows import (
        HOTLINE_FILE,
        FlowIssue,
        FlowLoadError,
        _Document,
        _validation_issues,
    )

    path = flows_dir / OUTCOMES_FILE
    if not path.exists():
        raise FlowLoadError([FlowIssue(path, 1, "missing: the outcome codes staff resolve with")])
    main = _Document(flows_dir / HOTLINE_FILE)
    languages = list((main.data.get("languages") or {}).keys())
    default = str(main.data.get("default_language") or (languages[0] if languages else "en"))
    doc = _Document(path)
    try:
        parsed = _File.model_validate(doc.data)
    except ValidationError as exc:
        raise FlowLoadError(_validation_issues(doc, exc)) from exc
    issues = []
    for code, entry in parsed.outcomes.items():
        where = doc.line(("outcomes", code))
        if not CODE.match(code):
            issues.append(FlowIssue(doc.path, where, f"outcomes.{code}: a code is lower_snake_case "
                                    "letters, digits and _ (2-40)"))  # fmt: skip
        if not entry.label.get(default, "").strip():
            issues.append(FlowIssue(doc.path, where, f"outcomes.{code}: no label in {default} "
                                    "(the default language)"))  # fmt: skip
        for lang, text in entry.label.items():
            if len(text.strip()) > MAX_LABEL:
                issues.append(FlowIssue(doc.path, doc.line(("outcomes", code, "label", lang)),
                                        f"outcomes.{code}.label.{lang}: over {MAX_LABEL} "
                                        "characters"))  # fmt: skip
        for lang in entry.label:
            if lang not in languages:
                issues.append(FlowIssue(doc.path, doc.line(("outcomes", code, "label", lang)),
                                        f"outcomes.{code}.label: {lang} is not a declared "
                                        "language"))  # fmt: skip
    erased = parsed.outcomes.get(ERASED)
    if erased is None or erased.choose:
        issues.append(FlowIssue(doc.path, doc.line(("outcomes",)), f"outcomes: `{ERASED}` (set "
                                "by DELETE) must be listed, with choose: false"))  # fmt: skip
    if not any(e.choose for e in parsed.outcomes.values()):
        issues.append(FlowIssue(doc.path, doc.line(("outcomes",)),
                                "outcomes: staff need at least one code to choose"))  # fmt: skip
    if issues:
        raise FlowLoadError(issues)
    items = tuple(
        Outcome(code, {k: v.strip() for k, v in e.label.items()}, e.choose)
        for code, e in parsed.outcomes.items()
    )
    return Outcomes(items, default)


def check(flows_dir: Path) -> list:
    """The problems of flows_dir/outcomes.yaml as FlowIssues (empty when it is fine)."""
    from hotline.flows import FlowLoadError

    try:
        _read(Path(flows_dir))
    except FlowLoadError as exc:
        return exc.issues
    return []
