"""Search results as SMS (a page in at most 2 messages) and as speech (numbers digit by digit).

Pure functions: every word comes from the labels of one language (flows/resources.yaml).

An SMS result opens with its number ("1) Call 800-542-5212 (24/7)"), never with the
service's name, so a lock screen shows nothing revealing; `hotline flows check` formats every
entry of data/ in every language and checks it (hotline/resources/lint.py). Hours belong to
the line they are given for: "24/7" is printed beside that number, not beside an office or an
address. A line whose texts are answered only in some languages (text-to-911: English) is
offered for calls only in the others.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from hotline.engine.segments import segment_count, to_gsm7
from hotline.resources.models import DAYS
from hotline.resources.views import PhoneView, ResourceView, SearchResult

LABELS_FILE = "resources.yaml"
MAX_SEGMENTS = 2  # per message, unless the language declares its own (sms_segments)
GSM7_SEGMENT = 153  # characters of one concatenated GSM-7 segment: no message is longer
MAX_MESSAGES = 2  # per page of results
MAX_PHONES = 3
QUIET_KINDS = ("hotline", "text-line")  # kinds whose label adds nothing to "Call ... (24/7)"
DETAIL_LEVELS = (4, 3, 2, 1, 0)  # richest first (see sms_item); 0 also cuts long names


def load_labels(flows_dir: Path) -> dict[str, dict[str, str]]:
    """language -> labels; keys missing in a language fall back to English, `code` is added."""
    data = yaml.safe_load((Path(flows_dir) / LABELS_FILE).read_text(encoding="utf-8"))
    labels = data["labels"]
    base = labels.get("en", {})
    return {lang: {**base, **values, "code": lang} for lang, values in labels.items()}


def fits(text: str, segments: int = MAX_SEGMENTS) -> bool:
    """Whether the text takes at most `segments` SMS segments as written."""
    return segment_count(text) <= segments


def sms_text(text: str, segments: int = MAX_SEGMENTS) -> str | None:
    """The text as sent: as written when it fits in `segments`, else with the letters GSM-7
    lacks written plainly (Spanish keeps é, ñ, ü); None when neither fits."""
    if fits(text, segments):
        return text
    plain = to_gsm7(text)
    return plain if fits(plain, segments) else None


# ---- shared pieces ----------------------------------------------------------------------


def display_number(phone: PhoneView) -> str:
    """'617-349-3300' for full numbers, bare digits for short codes like 911 or 233733, and a
    number written with letters (1-800-RUNAWAY) exactly as the source prints it."""
    if phone.vanity:
        return phone.number
    if not phone.e164.startswith("+1"):
        return phone.e164
    d = phone.e164[2:]
    return f"{d[:3]}-{d[3:6]}-{d[6:]}"


def _clock(minute: int, labels: dict[str, str]) -> str:
    hour, mins = divmod(minute % 1440, 60)
    if labels.get("clock") == "24h":
        return f"{hour}:{mins:02d}"
    suffix = labels["am"] if hour < 12 else labels["pm"]
    h12 = hour % 12 or 12
    return f"{h12}:{mins:02d}{suffix}" if mins else f"{h12}{suffix}"


def _day_groups(hours: dict) -> list[tuple[str, str, list]]:
    """Consecutive days with the same ranges: [(first_day, last_day, ranges)]."""
    groups: list[tuple[str, str, list]] = []
    for day in DAYS:
        ranges = hours.get(day)
        if not ranges:
            continue
        prev = groups[-1] if groups else None
        if prev and prev[2] == ranges and DAYS.index(prev[1]) == DAYS.index(day) - 1:
            groups[-1] = (prev[0], day, ranges)
        else:
            groups.append((day, day, ranges))
    return groups


def schedule_text(hours: object, labels: dict[str, str], prefix: str = "") -> str | None:
    """'24/7' or 'Mon-Fri 10am-4pm' in the label language; None when hours are unknown."""
    if hours is None:
        return None
    if hours == "24/7":
        return labels[f"{prefix}always"]
    parts = []
    for first, last, ranges in _day_groups(hours):
        days = labels[f"{prefix}day.{first}"]
        if last != first:
            days += labels[f"{prefix}day_span"] + labels[f"{prefix}day.{last}"]
        times = ", ".join(
            f"{_clock(s, labels)}{labels[f'{prefix}time_span']}{_clock(e, labels)}"
            for s, e in ranges
        )
        parts.append(f"{days} {times}")
    return "; ".join(parts)


def hours_text(hours: object, labels: dict[str, str], prefix: str = "") -> str | None:
    """A service's own hours as a sentence ('Hours: Mon-Fri 10am-4pm'), or None if unknown."""
    text = schedule_text(hours, labels, prefix)
    return labels[f"{prefix}hours"].format(hours=text) if text else None


def _what(item: ResourceView, labels: dict[str, str], where: bool = True) -> str:
    what = item.summary.get(labels["code"]) or ", ".join(
        labels.get(f"cat.{c}", c) for c in item.categories[:2]
    )
    place = labels["confidential"] if item.confidential else (item.address or item.town)
    return f"{what.rstrip('.')} - {place}" if where and place else what


def _language_names(codes: tuple[str, ...] | list[str], labels: dict[str, str]) -> str:
    return ", ".join(labels.get(f"lang.{c}", c) for c in codes)


def _languages(item: ResourceView, labels: dict[str, str]) -> str | None:
    names = [labels.get(f"lang.{c}", c) for c in item.languages if c != "en"]
    if item.interpreters:
        names.append(labels["interpreters"])
    if not names:
        return None
    return labels["languages"].format(languages=", ".join(names))


def _how(phone: PhoneView, labels: dict[str, str], number: str, prefix: str = "") -> str:
    """Call / text / call-or-text, as this line takes them in the label language."""
    texts = phone.texts_in(labels["code"])
    if phone.text and (phone.keyword or phone.prefix) and not (texts or phone.voice):
        texts = True  # a text-only line in other languages: say so beside it (_qualifiers)
    if texts and phone.keyword:
        return labels[f"{prefix}text_keyword"].format(keyword=phone.keyword, number=number)
    if texts and phone.prefix:
        return labels[f"{prefix}text_prefix"].format(prefix=phone.prefix, number=number)
    if texts and phone.voice:
        return labels[f"{prefix}call_or_text"].format(number=number)
    if phone.text and not phone.voice:
        return labels[f"{prefix}text"].format(number=number)
    return labels[f"{prefix}call"].format(number=number)


def _qualifiers(phone: PhoneView, labels: dict[str, str], prefix: str = "") -> list[str]:
    out = []
    if phone.kind not in QUIET_KINDS and (kind := labels.get(f"kind.{phone.kind}")):
        out.append(kind)
    if when := schedule_text(phone.hours, labels, prefix):
        out.append(when)
    if phone.text and not phone.voice and not phone.texts_in(labels["code"]):
        names = _language_names(phone.text_languages, labels)
        out.append(labels[f"{prefix}texts_in"].format(languages=names))
    return out


# ---- SMS ---------------------------------------------------------------------------------


def _phone_sms(phone: PhoneView, labels: dict[str, str]) -> str:
    number = display_number(phone)
    if phone.ext:
        number += " " + labels["ext"].format(ext=phone.ext)
    line = _how(phone, labels, number)
    extra = _qualifiers(phone, labels)
    return f"{line} ({', '.join(extra)})" if extra else line


def _shorten(name: str, limit: int) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def sms_item(
    item: ResourceView, labels: dict[str, str], level: int = 4, n: int | None = None
) -> str:
    """One entry, its number first ('1) Call ... (24/7)'), then its name, and more by level.

    4: up to 3 numbers, what and where, service hours, languages; 3: 2 numbers, what and
    where, languages; 2: 1 number, what; 1: 1 number and the name; 0: the same, a long name
    cut. A low-confidence entry always says "please confirm by calling".
    """
    phones = [_phone_sms(p, labels) for p in item.phones[: max(1, min(level - 1, MAX_PHONES))]]
    head = "; ".join(phones)
    if n is not None:
        head = labels["item"].format(n=n, text=head)
    name = _shorten(item.name, 40) if level == 0 else item.name
    lines = [head, f"{name}: {_what(item, labels, where=level >= 3)}" if level >= 2 else name]
    if level >= 4 and (hours := hours_text(item.hours, labels)):
        lines.append(hours)
    if level >= 3 and (langs := _languages(item, labels)):
        lines.append(langs)
    if not item.verified:
        lines.append(labels["unverified"])
    return "\n".join(lines)


class _Page:
    """One page being fitted: each entry rendered once per detail level; each message sent as
    written, or with the letters GSM-7 lacks written plainly when only that fits (sms_text)."""

    def __init__(
        self,
        items: list[ResourceView],
        labels: dict[str, str],
        head: str,
        tail: str,
        first: int,
        segments: int = MAX_SEGMENTS,
    ):
        self.items, self.labels, self.first = items, labels, first
        self.head, self.tail = head, tail
        self.segments = segments
        self.most = segments * GSM7_SEGMENT  # characters a message can hold at best
        self._texts: dict[tuple[int, int], str] = {}

    def text(self, i: int, level: int) -> str:
        key = (i, level)
        if key not in self._texts:
            self._texts[key] = sms_item(self.items[i], self.labels, level, self.first + i)
        return self._texts[key]

    def fit(self, levels: list[int]) -> list[str] | None:
        """The entries at these levels in one message, else in two with the first as short as
        possible (a lookup's lead-in can then travel with it); None if they need more."""
        texts = [self.text(i, lv) for i, lv in enumerate(levels)]
        size = sum(map(len, (self.head, *texts, self.tail)))
        if size > MAX_MESSAGES * self.most:
            return None  # cannot fit, even in plain GSM-7
        if size <= self.most and (one := self._messages([self.head, *texts, self.tail])):
            return one
        last = len(texts) + 1 if self.tail else len(texts)
        for cut in range(1, last):
            if two := self._messages([self.head, *texts[:cut]], [*texts[cut:], self.tail]):
                return two
        return None

    def _messages(self, *groups: list[str]) -> list[str] | None:
        out = [sms_text("\n".join(p for p in group if p), self.segments) for group in groups]
        return None if None in out else out  # type: ignore[return-value]


def _page(
    items: list[ResourceView],
    labels: dict[str, str],
    head: str,
    tail: str,
    first: int,
    segments: int = MAX_SEGMENTS,
) -> list[str]:
    """The page in at most MAX_MESSAGES messages: the richest level every entry can share, then
    one more level at a time for each entry in turn, first entries first, while it fits."""
    page = _Page(items, labels, head, tail, first, segments)
    for level in DETAIL_LEVELS:
        levels = [level] * len(items)
        if (best := page.fit(levels)) is None:
            continue
        raised = True
        while raised:
            raised = False
            for i in range(len(items)):
                if levels[i] == DETAIL_LEVELS[0]:
                    continue
                levels[i] += 1
                if (richer := page.fit(levels)) is None:
                    levels[i] -= 1
                else:
                    best, raised = richer, True
        return best
    # A page nothing can fit (names far too long in UCS-2): one message per entry, each cut to
    # fit. `hotline flows check` reports such an entry before it ever reaches a texter.
    texts = [page.text(i, 0) for i in range(len(items))]
    return [sms_text(t, segments) or t[:60] for t in (head, *texts, tail) if t]


def format_sms(
    result: SearchResult, labels: dict[str, str], lead: str = "", segments: int = MAX_SEGMENTS
) -> list[str]:
    """A page of results in at most MAX_MESSAGES messages of `segments` SMS segments each (the
    language's `sms_segments` in flows/hotline.yaml: Khmer and Vietnamese are UCS-2, 67
    characters a segment), opening with `lead` (the flow's neutral lead-in) and ending with the
    MORE hint when there is more. 'outside' adds a note saying so; 'not_found' is a single
    re-prompt; an empty page after the first says there is no more.
    """
    if result.status == "not_found":
        return [t for t in (lead, labels["not_found"]) if t]
    # Outside Massachusetts: say so, unless the flow's own lead-in (its `outside` text) did.
    outside = result.status == "outside" and not lead
    note = labels["outside"].format(place=result.place) if outside else ""
    head = "\n".join(t for t in (lead, note) if t)
    if not result.items:
        key = "no_more" if result.offset else "none"
        return [t for t in (head, labels[key].format(place=result.place)) if t]
    tail = labels["more"] if result.has_more else ""
    return _page(result.items, labels, head, tail, result.offset + 1, segments)


# ---- voice -------------------------------------------------------------------------------


def spoken_digits(digits: str) -> str:
    """'8005425212' -> '8 0 0, 5 4 2, 5 2 1 2' so text-to-speech reads digit by digit."""
    if len(digits) == 10:
        groups = [digits[:3], digits[3:6], digits[6:]]
    elif len(digits) == 11 and digits.startswith("1"):
        groups = [digits[0], digits[1:4], digits[4:7], digits[7:]]
    else:
        groups = [digits]
    return ", ".join(" ".join(g) for g in groups)


def spoken_number(phone: PhoneView) -> str:
    """Digit by digit; a number written with letters keeps its word ('1, 8 0 0, RUNAWAY')."""
    if phone.vanity:
        parts = [p for p in re.split(r"[\s().-]+", phone.number) if p]
        return ", ".join(" ".join(p) if p.isdigit() else p for p in parts)
    return spoken_digits(phone.e164.removeprefix("+1"))


def _phone_voice(phone: PhoneView, labels: dict[str, str]) -> str:
    number = spoken_number(phone)
    if phone.ext:
        number += ", " + labels["voice_ext"].format(ext=" ".join(phone.ext))
    sentence = _how(phone, labels, number, prefix="voice_")
    extra = _qualifiers(phone, labels, prefix="voice_")
    return f"{sentence.rstrip('.')}, {', '.join(extra)}." if extra else sentence


def voice_item(n: int, item: ResourceView, labels: dict[str, str]) -> str:
    parts = [labels["voice_item"].format(n=n, name=item.name)]
    if not item.verified:
        parts.append(labels["voice_unverified"])
    parts.append(_what(item, labels).rstrip(".").replace(" - ", ", ") + ".")
    parts += [_phone_voice(p, labels) for p in item.phones[:MAX_PHONES]]
    hours = hours_text(item.hours, labels, prefix="voice_")
    if hours:
        parts.append(hours)
    first = item.phones[0]
    if first.voice and not (first.keyword or first.prefix):
        parts.append(labels["voice_repeat"].format(number=spoken_number(first)))
    return " ".join(parts)


def format_voice(result: SearchResult, labels: dict[str, str]) -> str:
    """Spoken text for <Say>: every number digit by digit, confidential addresses never spoken."""
    if result.status == "not_found":
        return labels["voice_not_found"]
    parts = []
    if result.status == "outside":
        parts.append(labels["voice_outside"].format(place=result.place))
    if not result.items:
        key = "voice_no_more" if result.offset else "voice_none"
        parts.append(labels[key].format(place=result.place))
        return " ".join(parts)
    start = result.offset + 1
    parts += [voice_item(start + i, item, labels) for i, item in enumerate(result.items)]
    if result.has_more:
        parts.append(labels["voice_more"])
    return " ".join(parts)
