"""Search results as SMS (each entry within 2 segments) and as speech (numbers digit by digit).

Pure functions: every word comes from the labels of one language (flows/resources.yaml).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from hotline.engine.segments import segment_count
from hotline.resources.models import DAYS
from hotline.resources.views import PhoneView, ResourceView, SearchResult

LABELS_FILE = "resources.yaml"
MAX_SEGMENTS = 2
MAX_PHONES = 3


def load_labels(flows_dir: Path) -> dict[str, dict[str, str]]:
    """language -> labels; keys missing in a language fall back to English, `code` is added."""
    data = yaml.safe_load((Path(flows_dir) / LABELS_FILE).read_text(encoding="utf-8"))
    labels = data["labels"]
    base = labels.get("en", {})
    return {lang: {**base, **values, "code": lang} for lang, values in labels.items()}


def fits(text: str) -> bool:
    return segment_count(text) <= MAX_SEGMENTS


# ---- shared pieces ----------------------------------------------------------------------


def display_number(phone: PhoneView) -> str:
    """'617-349-3300' for full numbers, bare digits for short codes like 911 or 233733."""
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


def hours_text(hours: object, labels: dict[str, str], prefix: str = "") -> str | None:
    """'Open 24/7', 'Mon-Fri 10am-4pm' in the label language, or None when hours are unknown."""
    if hours is None:
        return None
    if hours == "24/7":
        return labels[f"{prefix}open_24_7"]
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
    return labels[f"{prefix}hours"].format(hours="; ".join(parts))


def _what(item: ResourceView, labels: dict[str, str]) -> str:
    what = item.summary.get(labels["code"]) or ", ".join(
        labels.get(f"cat.{c}", c) for c in item.categories[:2]
    )
    where = labels["confidential"] if item.confidential else (item.address or item.town)
    return f"{what.rstrip('.')} - {where}" if where else what


def _languages(item: ResourceView, labels: dict[str, str]) -> str | None:
    names = [labels.get(f"lang.{c}", c) for c in item.languages if c != "en"]
    if item.interpreters:
        names.append(labels["interpreters"])
    if not names:
        return None
    return labels["languages"].format(languages=", ".join(names))


# ---- SMS ---------------------------------------------------------------------------------


def _phone_sms(phone: PhoneView, labels: dict[str, str]) -> str:
    number = display_number(phone)
    if phone.ext:
        number += " " + labels["ext"].format(ext=phone.ext)
    if phone.keyword:
        line = labels["text_keyword"].format(keyword=phone.keyword, number=number)
    elif phone.text and phone.voice:
        line = labels["call_or_text"].format(number=number)
    elif phone.text:
        line = labels["text"].format(number=number)
    else:
        line = labels["call"].format(number=number)
    kind = labels.get(f"kind.{phone.kind}")
    return f"{line} ({kind})" if kind else line


def _assemble(lines: list[tuple[int, int, str]]) -> str:
    """Greedy by priority, printed in display order, keeping within MAX_SEGMENTS."""
    chosen: list[tuple[int, str]] = []
    for _prio, order, text in sorted(lines):
        trial = sorted([*chosen, (order, text)])
        if fits("\n".join(t for _, t in trial)):
            chosen = trial
    return "\n".join(t for _, t in chosen)


def _shorten(name: str, rest: list[str]) -> str:
    """Trim a name until name + the required lines fit (a very long name in UCS-2)."""
    while len(name) > 8 and not fits("\n".join([name, *rest])):
        name = name[: max(8, len(name) - 8)].rstrip() + "…"
    return name


def sms_item(item: ResourceView, labels: dict[str, str]) -> str:
    """One entry: name, phone, what/where, hours, languages; a confirm-first note if unverified."""
    phones = [_phone_sms(p, labels) for p in item.phones[:MAX_PHONES]]
    must = [phones[0]] + ([labels["unverified"]] if not item.verified else [])
    name = _shorten(item.name, must)
    lines = [(0, 0, name), (0, 1, phones[0]), (1, 3, _what(item, labels))]
    lines += [(3 + i, 2 + i / 10, p) for i, p in enumerate(phones[1:])]
    hours = hours_text(item.hours, labels)
    langs = _languages(item, labels)
    if hours:
        lines.append((2, 4, hours))
    if langs:
        lines.append((2, 5, langs))
    if not item.verified:
        lines.append((0, 6, labels["unverified"]))
    return _assemble(lines)


def format_sms(result: SearchResult, labels: dict[str, str]) -> list[str]:
    """One message per resource (each <= 2 segments), then the MORE hint when there is more.

    'outside' starts with a message saying so; 'not_found' is a single re-prompt.
    """
    if result.status == "not_found":
        return [labels["not_found"]]
    out = []
    if result.status == "outside":
        out.append(labels["outside"].format(place=result.place))
    if not result.items:
        out.append(labels["none"].format(place=result.place))
        return out
    out.extend(sms_item(item, labels) for item in result.items)
    if result.has_more:
        out.append(labels["more"])
    return out


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


def _phone_voice(phone: PhoneView, labels: dict[str, str]) -> str:
    digits = spoken_digits(phone.e164.removeprefix("+1"))
    if phone.ext:
        digits += ", " + labels["voice_ext"].format(ext=" ".join(phone.ext))
    if phone.keyword:
        return labels["voice_text_keyword"].format(keyword=phone.keyword, number=digits)
    if phone.text and phone.voice:
        return labels["voice_call_or_text"].format(number=digits)
    if phone.text:
        return labels["voice_text"].format(number=digits)
    return labels["voice_call"].format(number=digits)


def voice_item(n: int, item: ResourceView, labels: dict[str, str]) -> str:
    parts = [labels["voice_item"].format(n=n, name=item.name)]
    if not item.verified:
        parts.append(labels["voice_unverified"])
    parts.append(_what(item, labels).replace(" - ", ", ") + ".")
    parts += [_phone_voice(p, labels) for p in item.phones[:MAX_PHONES]]
    hours = hours_text(item.hours, labels, prefix="voice_")
    if hours:
        parts.append(hours)
    first = item.phones[0]
    if first.voice and not first.keyword:
        digits = spoken_digits(first.e164.removeprefix("+1"))
        parts.append(labels["voice_repeat"].format(number=digits))
    return " ".join(parts)


def format_voice(result: SearchResult, labels: dict[str, str]) -> str:
    """Spoken text for <Say>: every number digit by digit, confidential addresses never spoken."""
    if result.status == "not_found":
        return labels["voice_not_found"]
    parts = []
    if result.status == "outside":
        parts.append(labels["voice_outside"].format(place=result.place))
    if not result.items:
        parts.append(labels["voice_none"].format(place=result.place))
        return " ".join(parts)
    start = result.offset + 1
    parts += [voice_item(start + i, item, labels) for i, item in enumerate(result.items)]
    if result.has_more:
        parts.append(labels["voice_more"])
    return " ".join(parts)
