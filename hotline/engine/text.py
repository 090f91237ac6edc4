"""Text helpers the engine needs: normalising input, matching keywords, filling placeholders."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

_EDGE_JUNK = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)
_SPACES = re.compile(r"\s+")
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=8192)
def normalize(text: str | None) -> str:
    """Fold case and accents, drop control characters and edge punctuation, squeeze spaces."""
    if not text:
        return ""
    cleaned = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    cleaned = strip_accents(cleaned).casefold()
    cleaned = _SPACES.sub(" ", cleaned).strip()
    return _EDGE_JUNK.sub("", cleaned)


def match_keyword(text: str | None, words: Iterable[str]) -> bool:
    """A keyword counts only when it is the whole message (as Twilio's opt-out handling does)."""
    said = normalize(text)
    return bool(said) and said in _normalized(tuple(words))


@lru_cache(maxsize=1024)
def _normalized(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalize(word) for word in words)


def fill(template: str, values: Mapping[str, object]) -> str:
    """Replace {name} placeholders that have a value; leave unknown ones visible for the linter."""

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return match.group(0) if value is None else str(value)

    return _PLACEHOLDER.sub(replace, template)


def placeholders(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template))
