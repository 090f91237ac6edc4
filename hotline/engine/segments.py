"""SMS segment arithmetic (GSM-7 vs UCS-2), so flows can be linted against carrier limits."""

from __future__ import annotations

import math
import unicodedata

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def segment_count(text: str) -> int:
    """How many SMS segments a message takes: 160/153 septets in GSM-7, 70/67 UTF-16 units else."""
    if not text:
        return 1
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
        single, multi = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
    return 1 if units <= single else math.ceil(units / multi)


# Characters outside GSM-7 that have a plain GSM-7 stand-in (accents GSM-7 has are kept).
_STAND_INS = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "\u00a0": " "}


def to_gsm7(text: str) -> str:
    """Replace each character GSM-7 lacks by its unaccented letter or a plain stand-in.

    Letters GSM-7 has (é, ñ, ü, ¿, ¡...) stay, so Spanish keeps what it can: 'envíe más'
    -> 'envie mas', 'después' unchanged. Characters with no stand-in (Khmer) stay as they are.
    """
    out = []
    for ch in text:
        if ch in GSM7_BASIC or ch in GSM7_EXTENDED:
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base and is_gsm7(base) else _STAND_INS.get(ch, ch))
    return "".join(out)
