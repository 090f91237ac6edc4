"""SMS segment arithmetic (GSM-7 vs UCS-2), so flows can be linted against carrier limits."""

from __future__ import annotations

import math
import unicodedata

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")


GSM7_ALL = frozenset(GSM7_BASIC | GSM7_EXTENDED)


def is_gsm7(text: str) -> bool:
    return GSM7_ALL.issuperset(text)


def segment_count(text: str) -> int:
    """How many SMS segments a message takes: 160/153 septets in GSM-7, 70/67 UTF-16 units else."""
    if not text:
        return 1
    if is_gsm7(text):
        units = len(text) + sum(text.count(ch) for ch in GSM7_EXTENDED)  # escape + char
        single, multi = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
    return 1 if units <= single else math.ceil(units / multi)


# Characters outside GSM-7 that have a plain GSM-7 stand-in (accents GSM-7 has are kept).
_STAND_INS = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "\u00a0": " "}


class _PlainTable(dict):
    """str.translate table, filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch in GSM7_ALL:
            plain = ch
        else:
            base = unicodedata.normalize("NFKD", ch)
            base = "".join(c for c in base if not unicodedata.combining(c))
            plain = base if base and is_gsm7(base) else _STAND_INS.get(ch, ch)
        self[code] = plain
        return plain


_PLAIN = _PlainTable()


def to_gsm7(text: str) -> str:
    """Replace each character GSM-7 lacks by its unaccented letter or a plain stand-in.

    Letters GSM-7 has (é, ñ, ü, ¿, ¡...) stay, so Spanish keeps what it can: 'envíe más'
    -> 'envie mas', 'después' unchanged. Characters with no stand-in (Khmer) stay as they are.
    """
    return text.translate(_PLAIN)
