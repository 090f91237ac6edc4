"""The flows' text rules applied to the directory as texters and callers receive it.

`hotline flows check` formats every entry of data/ with the real formatter and the words of
flows/resources.yaml, in every declared language, alone and in pages of the longest entries,
and holds the output to the rules every flow text follows (engine.lint.TextRules): no
revealing word among the first words of a message or of a result, no claim the language may
not make (only English may say "text 911"), each message within 2 SMS segments, and a page of
results in at most 2 messages. Problems name the entry's file:line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from hotline.engine.lint import TextRules
from hotline.engine.models import Hotline
from hotline.resources.directory import read_directory
from hotline.resources.format import (
    DETAIL_LEVELS,
    LABELS_FILE,
    MAX_MESSAGES,
    MAX_SEGMENTS,
    fits,
    format_sms,
    format_voice,
    load_labels,
    sms_item,
)
from hotline.resources.views import ResourceView, SearchResult, from_doc, to_doc

PAGE_SIZE = 3  # results per SMS page (channels/perform.py PAGE_SIZE)
SAMPLE_PLACE = "Lowell, MA 01852"


@dataclass(frozen=True)
class DirectoryIssue:
    file: Path
    line: int
    message: str


def check_formatting(
    hotline: Hotline,
    flows_dir: Path,
    resources_dir: Path,
    context: Mapping[str, str] | None = None,
    page_size: int = PAGE_SIZE,
) -> list[DirectoryIssue]:
    """Every problem of the directory's formatted output, one per entry, language and rule.

    Entries that do not validate are left to `hotline resources check`; no labels file means
    no directory in these flows, so nothing to check.
    """
    if not (Path(flows_dir) / LABELS_FILE).exists():
        return []
    directory = read_directory(Path(resources_dir))
    views = [from_doc(to_doc(r, i)) for i, r in enumerate(directory.resources)]
    origins = {ident: _origin(where) for ident, where in directory.origins.items()}
    all_labels = load_labels(Path(flows_dir))
    rules = TextRules(hotline, context)
    seen: set[tuple[str, str]] = set()
    issues = []
    for lang in hotline.languages:
        labels = all_labels.get(lang) or {**all_labels[hotline.default_language], "code": lang}
        also = (hotline.default_language,) if lang not in all_labels else ()
        segments = hotline.languages[lang].sms_segments
        problems = _language_problems(views, labels, rules, lang, also, page_size, segments)
        for ident, message in problems:
            if (ident, message) not in seen:
                seen.add((ident, message))
                file, line = origins.get(ident, (Path(flows_dir) / LABELS_FILE, 1))
                issues.append(DirectoryIssue(file, line, f"{ident}: {lang}: {message}"))
    return issues


def _origin(where: str) -> tuple[Path, int]:
    file, _, line = where.rpartition(":")
    return Path(file), int(line)


def _language_problems(
    views: list[ResourceView],
    labels: dict[str, str],
    rules: TextRules,
    lang: str,
    also: tuple[str, ...],
    page_size: int,
    segments: int = MAX_SEGMENTS,
) -> Iterator[tuple[str, str]]:
    """Every problem of one language's formatted results; each message may take `segments`
    SMS segments (the language's sms_segments)."""

    def pages(page: list[ResourceView], result: SearchResult) -> Iterator[tuple[str, str]]:
        messages = format_sms(result, labels, segments=segments)
        yield from _page_problems(page, messages, rules, lang, also, segments)

    for view in views:
        for level in DETAIL_LEVELS:
            item = sms_item(view, labels, level, 1)
            if hits := rules.revealing_opening(lang, item, also):
                yield view.id, f"a result opens with revealing word(s) {hits} (lock screen)"
        for status in ("found", "outside"):
            yield from pages([view], SearchResult(status, SAMPLE_PLACE, [view], has_more=True))
        spoken = format_voice(SearchResult("found", SAMPLE_PLACE, [view], has_more=True), labels)
        for message in rules.forbidden_claims(lang, spoken):
            yield view.id, f"spoken result {message}"
    # The replies without results: an unknown place, nothing near, no more.
    for status, offset in (("not_found", 0), ("found", 0), ("found", page_size)):
        yield from pages([], SearchResult(status, SAMPLE_PLACE, [], offset=offset))
    # The longest entries together: the page most likely not to fit.
    longest = sorted(views, key=lambda v: -len(sms_item(v, labels)))
    for start in range(0, len(longest), page_size):
        page = longest[start : start + page_size]
        yield from pages(
            page, SearchResult("found", SAMPLE_PLACE, page, has_more=True, offset=start)
        )


def _page_problems(
    page: list[ResourceView],
    messages: list[str],
    rules: TextRules,
    lang: str,
    also: tuple[str, ...],
    segments: int = MAX_SEGMENTS,
) -> Iterator[tuple[str, str]]:
    """Problems of one formatted page, blamed on its first entry (naming the others)."""
    first = page[0].id if page else "(no results)"
    with_others = f" (page with {', '.join(v.id for v in page[1:])})" if len(page) > 1 else ""
    if len(messages) > MAX_MESSAGES:
        yield (
            first,
            f"a page of results takes {len(messages)} SMS, at most {MAX_MESSAGES}" + (with_others),
        )
    for text in messages:
        if not fits(text, segments):
            yield first, f"a results message is longer than {segments} SMS segments" + with_others
        if hits := rules.revealing_opening(lang, text, also):
            yield first, f"a results message opens with revealing word(s) {hits}" + with_others
        for message in rules.forbidden_claims(lang, text):
            yield first, f"results {message}" + with_others
