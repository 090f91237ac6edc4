"""The translation workflow for fluent reviewers: flows/ to a gettext PO file and back.

`export_po` writes one entry per user-facing text: the flow file, node and field as msgctxt
("sms.yaml:nodes.main_menu.text"), the English as msgid, the language's text as msgstr, its
place in flows/ as the occurrence, and the `fuzzy` flag while the language is a draft. Poedit,
Weblate and Lokalize read these; a reviewer corrects a msgstr and clears `fuzzy` on each entry
they have checked.

`import_po` validates the file before anything is written: placeholders only the
English, then the whole of `hotline flows check` (segment budgets, the discretion lint, the
claims such as text-to-911, the directory formatted in the language) on a copy of flows/ with
the texts in place. Only when that passes are the texts written back into flows/, through
ruamel.yaml's round trip, which keeps comments, order, quoting and layout, and the language's
review recorded in hotline.yaml: `reviewed` by the reviewer, with the date, when no entry is
left fuzzy; `draft` otherwise. Problems are `file:line` (the PO file's line, or the flows file's
line the text would land on).

Why a PO file: it is what RapidPro's users translate flows with, and every translation tool
reads it; polib reads and writes it (Babel's catalog would do as well, with more weight).
"""

from __future__ import annotations

import datetime
import io
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polib
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from hotline.engine.lint import TEXT_FIELDS
from hotline.engine.text import placeholders
from hotline.flows import HOTLINE_FILE, FlowIssue, _Document, check, load_hotline

LABELS_FILE = "resources.yaml"
_REVIEW = re.compile(r"review:\s*\{[^}\n]*\}")


class TranslationError(Exception):
    """A PO file that cannot be imported: every problem as file:line, nothing written."""

    def __init__(self, issues: list[str]):
        self.issues = issues
        super().__init__("\n".join(issues))


@dataclass(frozen=True)
class Text:
    """One translatable text: where it lives in flows/ and its words in both languages."""

    file: str  # the flows file's name ("sms.yaml")
    path: tuple[str, ...]  # keys inside it, down to the field ("nodes", "menu", "text")
    source: str  # the default language's text
    target: str  # the language's text ("" when missing)
    line: int  # the line of the field in the flows file

    @property
    def context(self) -> str:
        return f"{self.file}:{'.'.join(self.path)}"


def texts(flows_dir: Path, language: str) -> list[Text]:
    """Every text of flows/ that `language` needs, in file order (flows, then directory words).

    A voice flow's texts are left out for a language with no voice (callers reach an
    interpreter instead). Raises FlowLoadError when flows/ does not load.
    """
    hotline, docs = load_hotline(flows_dir)
    if language not in hotline.languages or language == hotline.default_language:
        raise TranslationError([f"{language!r} is not a declared language to translate into"])
    default, out = hotline.default_language, []
    for flow_id, flow in hotline.flows.items():
        if flow.channel == "voice" and not hotline.languages[language].voice:
            continue
        doc = docs[flow_id]
        for name, text in flow.messages.items():
            out.append(_text(doc, ("messages", name), text, default, language))
        for node_id, node in flow.nodes.items():
            for field in TEXT_FIELDS:
                text = getattr(node, field, None)
                if text and text.get(default):
                    out.append(_text(doc, ("nodes", node_id, field), text, default, language))
    labels_path = Path(flows_dir) / LABELS_FILE
    if labels_path.exists():
        doc = _Document(labels_path)
        labels = doc.data.get("labels", {})
        for label, source in labels.get(default, {}).items():
            target = labels.get(language, {}).get(label, "")
            line = doc.line(("labels", language, label)) if target else doc.line(("labels",))
            out.append(Text(LABELS_FILE, ("labels", label), source, target, line))
    return out


def _text(doc: _Document, path: tuple[str, ...], text: dict, default: str, lang: str) -> Text:
    line = doc.line((*path, lang) if text.get(lang) else path)
    return Text(doc.path.name, path, text.get(default, ""), text.get(lang, ""), line)


# -- export ------------------------------------------------------------------------------------
def export_po(flows_dir: Path, language: str) -> polib.POFile:
    """The PO catalogue of `language`: every entry fuzzy while the language is a draft."""
    hotline, _ = load_hotline(flows_dir)
    found = texts(flows_dir, language)
    info = hotline.languages[language]
    draft = info.review is not None and info.review.status != "reviewed"
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": "hotline flows",
        "Language": language,
        "Language-Team": info.name,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Review-Status": info.review.status if info.review else "source",
    }
    po.header = (
        f"{info.name} ({language}) texts of the hotline's flows. Correct each msgstr, keep its\n"
        "{placeholders} and line breaks, and clear `fuzzy` on every entry you have checked.\n"
        "Short, plain sentences: these are safety messages. Never add a fact (a number, an\n"
        "address, an hour) the English does not have. Import with\n"
        f"`hotline translations import FILE --reviewer NAME`."
    )
    for text in found:
        po.append(polib.POEntry(
            msgctxt=text.context, msgid=text.source, msgstr=text.target,
            occurrences=[(f"flows/{text.file}", str(text.line))],
            flags=["fuzzy"] if draft or not text.target else [],
        ))  # fmt: skip
    return po


# -- import ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Imported:
    """What an import changed: texts written, entries still fuzzy, the review recorded."""

    language: str
    changed: int
    fuzzy: int
    review: str  # "reviewed" or "draft"
    files: tuple[str, ...]


def import_po(
    po_path: Path, flows_dir: Path, reviewer: str, resources_dir: Path | None = None,
    context: dict[str, str] | None = None, today: datetime.date | None = None,
) -> Imported:  # fmt: skip
    """Validate `po_path` and write its texts into `flows_dir`; raise TranslationError
    (file:line problems, nothing written) when any text would break a rule."""
    po_path, flows_dir = Path(po_path), Path(flows_dir)
    if not reviewer.strip():
        raise TranslationError([f"{po_path}:1: a reviewer's name is required (--reviewer)"])
    po = polib.pofile(str(po_path), wrapwidth=0)
    language = po.metadata.get("Language", "").strip()
    known = {t.context: t for t in texts(flows_dir, language)}
    issues, changes = [], []
    for entry in po:
        if entry.obsolete:
            continue
        text = known.get(entry.msgctxt or "")
        where = f"{po_path}:{entry.linenum}"
        if text is None:
            issues.append(f"{where}: {entry.msgctxt!r} is no text of flows/ (export again)")
            continue
        if entry.msgid != text.source:
            issues.append(f"{where}: {entry.msgctxt}: the English changed since the export "
                          "(export again)")  # fmt: skip
            continue
        if not entry.msgstr.strip():
            continue
        issues += [f"{where}: {entry.msgctxt}: {p}" for p in _placeholder_problems(entry)]
        if entry.msgstr != text.target:
            changes.append((text, entry))
    fuzzy = sum(1 for e in po if not e.obsolete and "fuzzy" in e.flags)
    fuzzy += sum(1 for t in known.values() if t.context not in {e.msgctxt for e in po})
    if issues:
        raise TranslationError(issues)
    status = "draft" if fuzzy else "reviewed"
    with tempfile.TemporaryDirectory(prefix="hotline-translations-") as tmp:
        staged = Path(tmp) / "flows"
        shutil.copytree(flows_dir, staged)
        written = _write(staged, language, changes)
        written |= _record_review(staged, language, status, reviewer.strip(), today)
        problems = check(staged, context, resources_dir)
        if problems:
            raise TranslationError(_placed(problems, staged, flows_dir, changes, po_path))
        for name in sorted(written):
            shutil.copyfile(staged / name, flows_dir / name)
    return Imported(language, len(changes), fuzzy, status, tuple(sorted(written)))


def _placeholder_problems(entry: polib.POEntry) -> Iterator[str]:
    """The translation uses only the English's {placeholders} (the program fills them; a
    translated or misspelt one would be sent as written). Leaving one out is allowed: the
    flows already do ("{program}" opens the English welcome only)."""
    want, got = placeholders(entry.msgid), placeholders(entry.msgstr)
    if got - want:
        yield f"unknown placeholder(s) {sorted(got - want)} (the English has {sorted(want)})"


def _yaml() -> YAML:
    yaml = YAML()  # round trip: comments, order, quotes and flow style kept
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _write(flows_dir: Path, language: str, changes: list) -> set[str]:
    """Each changed text into its flows file (round trip); the names of the files written."""
    by_file: dict[str, list] = {}
    for text, entry in changes:
        by_file.setdefault(text.file, []).append((text, entry))
    yaml = _yaml()
    for name, items in by_file.items():
        path = flows_dir / name
        data = yaml.load(path.read_text(encoding="utf-8"))
        for text, entry in items:
            if text.file == LABELS_FILE:
                holder = data["labels"].setdefault(language, {})
                holder[text.path[-1]] = DoubleQuotedScalarString(entry.msgstr)
                continue
            holder = data
            for part in text.path:
                holder = holder[part]
            holder[language] = DoubleQuotedScalarString(entry.msgstr)
        out = io.StringIO()
        yaml.dump(data, out)
        path.write_text(out.getvalue(), encoding="utf-8")
    return set(by_file)


def _record_review(flows_dir: Path, language: str, status: str, reviewer: str,
                   today: datetime.date | None) -> set[str]:  # fmt: skip
    """The language's `review:` in hotline.yaml, rewritten on its own line (comment kept)."""
    path = flows_dir / HOTLINE_FILE
    doc = _Document(path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = doc.line(("languages", language, "review")) - 1
    if status == "reviewed":
        date = (today or datetime.date.today()).isoformat()
        name = reviewer.replace('"', "'")
        new = f'review: {{status: reviewed, reviewer: "{name}", date: "{date}"}}'
    else:
        new = "review: {status: draft}"
    if not _REVIEW.search(lines[index]):
        raise TranslationError([f"{path.name}:{index + 1}: write {language}'s review as one "
                                "line, review: {status: draft}, to import"])  # fmt: skip
    updated = _REVIEW.sub(new, lines[index], count=1)
    if updated == lines[index]:
        return set()
    lines[index] = updated
    path.write_text("".join(lines), encoding="utf-8")
    return {HOTLINE_FILE}


def _placed(problems: list[FlowIssue], staged: Path, flows_dir: Path, changes: list,
            po_path: Path) -> list[str]:  # fmt: skip
    """Problems found in the staged copy, named by the real flows file and the PO entry."""
    out = []
    for issue in problems:
        name = Path(issue.file).name
        where = f"{flows_dir / name}:{issue.line}"
        from_po = [e for t, e in changes if t.file == name and t.context.split(":", 1)[1]
                   in issue.message]  # fmt: skip
        suffix = f" (from {po_path}:{from_po[0].linenum})" if from_po else ""
        out.append(f"{where}: {issue.message.split(': ', 1)[-1]}{suffix}")
    return out
