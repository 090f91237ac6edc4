"""Load and validate flows/*.yaml into engine models: the I/O edge of the flow engine."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from hotline.engine.lint import lint
from hotline.engine.models import Flow, Hotline
from hotline.safety.triage import Lexicon

HOTLINE_FILE = "hotline.yaml"
LEXICON_FILE = "danger.yaml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DATA_SUFFIXES = {".yaml", ".yml", ".json", ".csv"}
_MEMO: dict[tuple, Any] = {}  # fingerprint of the inputs -> the frozen models they gave


def _fingerprint(*parts: Any) -> str:
    """A digest of every data file under the given directories and of the other parts.

    Content, not modification time: a file rewritten within the same clock tick still counts.
    """
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        if isinstance(part, Path):
            for path in sorted(part.rglob("*")):
                if path.suffix in _DATA_SUFFIXES and path.is_file():
                    digest.update(str(path.relative_to(part)).encode() + b"\0")
                    digest.update(path.read_bytes() + b"\0")
        else:
            digest.update(repr(part).encode() + b"\0")
    return digest.hexdigest()


def _memoized(name: str, fingerprint: str, build: Callable[[], Any]) -> Any:
    """The models built from these exact inputs before, or a fresh build (never a failure).

    Flows and the lexicon are frozen models, so one loaded copy can serve every app in the
    process (tests build hundreds; the simulator reloads on each edit).
    """
    found = _MEMO.get((name, fingerprint))
    if found is None:
        found = _MEMO[(name, fingerprint)] = build()
    return found


@dataclass(frozen=True)
class FlowIssue:
    """One problem, where an operator can find it: file:line: what."""

    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class FlowLoadError(Exception):
    def __init__(self, issues: list[FlowIssue]):
        self.issues = issues
        super().__init__("\n".join(map(str, issues)))


class _Document:
    """A parsed YAML file that can tell the line of any path inside it."""

    def __init__(self, path: Path):
        self.path = path
        text = path.read_text(encoding="utf-8")
        try:
            self.node = yaml.compose(text, Loader=_LOADER)
            self.data: Any = _LOADER(text).construct_document(self.node) if self.node else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else 1
            raise FlowLoadError([FlowIssue(path, line, f"not valid YAML: {exc}")]) from exc
        if not isinstance(self.data, dict):
            raise FlowLoadError([FlowIssue(path, 1, "expected a mapping at the top")])

    def line(self, path: tuple[Any, ...]) -> int:
        node, line = self.node, 1
        for part in path:
            child = _child(node, part)
            if child is None:
                break
            node = child
            line = node.start_mark.line + 1
        return line


def _child(node: yaml.Node | None, part: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None


def _validation_issues(doc: _Document, exc: ValidationError, prefix: tuple = ()) -> list[FlowIssue]:
    issues = []
    for err in exc.errors():
        loc = _without_union_tag(tuple(err["loc"]))
        where = ".".join(map(str, loc))
        issues.append(FlowIssue(doc.path, doc.line(prefix + loc), f"{where}: {err['msg']}"))
    return issues


def _without_union_tag(loc: tuple) -> tuple:
    """pydantic puts the node kind in the path (nodes.<id>.<kind>.field); the file has none."""
    if len(loc) > 2 and loc[0] == "nodes" and loc[2] in NODE_KINDS:
        return loc[:2] + loc[3:]
    return loc


NODE_KINDS = {"message", "menu", "ask", "lookup", "escalate", "transfer", "goto", "end"}


def load_hotline(flows_dir: Path) -> tuple[Hotline, dict[str, _Document]]:
    """Read hotline.yaml and the flow files it names; raise FlowLoadError with file:line."""
    flows_dir = Path(flows_dir)
    main = _Document(flows_dir / HOTLINE_FILE)
    files = main.data.pop("flows", [])
    docs: dict[str, _Document] = {"hotline": main}
    flows: dict[str, Flow] = {}
    issues: list[FlowIssue] = []
    for name in files:
        doc = _Document(flows_dir / name)
        try:
            flow = Flow.model_validate(doc.data)
        except ValidationError as exc:
            issues += _validation_issues(doc, exc)
            continue
        docs[flow.id] = doc
        flows[flow.id] = flow
    try:
        hotline = Hotline.model_validate({**main.data, "flows": flows})
    except ValidationError as exc:
        issues += _validation_issues(main, exc)
    if issues:
        raise FlowLoadError(issues)
    return hotline, docs


def check(
    flows_dir: Path,
    context: Mapping[str, str] | None = None,
    resources_dir: Path | None = None,
) -> list[FlowIssue]:
    """Every problem in flows_dir, as file:line issues (empty when all is well).

    With `resources_dir`, the directory's results as the formatter writes them are held to
    the same rules as flow texts (hotline/resources/lint.py). Staff's canned replies
    (replies.yaml, hotline/replies.py) are held to them too.
    """
    from hotline.escalations import outcomes

    issues = outcomes.check(Path(flows_dir))
    try:
        hotline = load_checked(flows_dir, context, resources_dir)
        load_lexicon(flows_dir, hotline)
        from hotline.replies import load as load_replies  # it reads flows' documents

        load_replies(Path(flows_dir), hotline, dict(context or {}))
    except FlowLoadError as exc:
        return exc.issues + issues
    return issues


def review_warnings(flows_dir: Path) -> list[FlowIssue]:
    """One warning per language still a draft (no fluent reviewer has signed it off), at the
    line of its `review:` in hotline.yaml. Warnings never fail `hotline flows check`."""
    try:
        hotline, docs = load_hotline(flows_dir)
    except FlowLoadError:
        return []
    doc = docs["hotline"]
    return [
        FlowIssue(
            doc.path,
            doc.line(("languages", code, "review")),
            f"warning: language {code!r} ({hotline.languages[code].name}) is a draft: "
            "no fluent reviewer has signed it off (README, Languages)",
        )
        for code in hotline.drafts()
    ]


def load_lexicon(flows_dir: Path, hotline: Hotline) -> Lexicon:
    """The danger lexicon (flows/danger.yaml): every declared language must have one."""
    fingerprint = _fingerprint(Path(flows_dir), tuple(hotline.languages))
    return _memoized("lexicon", fingerprint, lambda: _load_lexicon(Path(flows_dir), hotline))


def _load_lexicon(flows_dir: Path, hotline: Hotline) -> Lexicon:
    doc = _Document(flows_dir / LEXICON_FILE)
    try:
        lexicon = Lexicon.model_validate(doc.data)
    except ValidationError as exc:
        raise FlowLoadError(_validation_issues(doc, exc)) from exc
    missing = [lang for lang in hotline.languages if lang not in lexicon.languages]
    if missing:
        message = f"languages: no danger phrases for {', '.join(missing)}"
        raise FlowLoadError([FlowIssue(doc.path, doc.line(("languages",)), message)])
    return lexicon


def load_checked(
    flows_dir: Path,
    context: Mapping[str, str] | None = None,
    resources_dir: Path | None = None,
) -> Hotline:
    """The hotline, or FlowLoadError when any lint fails: a broken flow never goes live.

    With `resources_dir`, the directory formatted in every language must pass too.
    """
    dirs = (Path(flows_dir),) + ((Path(resources_dir),) if resources_dir is not None else ())
    fingerprint = _fingerprint(*dirs, sorted((context or {}).items()))
    return _memoized(
        "checked", fingerprint, lambda: _load_checked(flows_dir, context, resources_dir)
    )


def _load_checked(
    flows_dir: Path, context: Mapping[str, str] | None, resources_dir: Path | None
) -> Hotline:
    hotline, docs = load_hotline(flows_dir)
    issues = [
        FlowIssue(docs[p.flow].path, docs[p.flow].line(p.path), str(p))
        for p in lint(hotline, context)
    ]
    if not issues and resources_dir is not None:
        from hotline.resources.lint import check_formatting

        found = check_formatting(hotline, Path(flows_dir), Path(resources_dir), context)
        issues = [FlowIssue(i.file, i.line, f"directory: {i.message}") for i in found]
    if issues:
        raise FlowLoadError(issues)
    return hotline
