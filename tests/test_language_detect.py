"""A first message's language (issue 15 item 2): accuracy on a labelled set, printed per
language, with a floor; and the texter is answered in it, with a way back."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hotline.flows import load_hotline
from hotline.languages.detect import detect
from tests.conftest import ROOT

CORPUS = yaml.safe_load(
    (Path(__file__).parent / "language_corpus" / "first_messages.yaml").read_text()
)
SHIPPED = ("en", "es", "pt", "ht", "vi", "km")
FLOOR = 0.9  # per language: at least 90% of the labelled first messages answered in their language


@pytest.fixture(scope="module")
def hotline():
    hotline, _ = load_hotline(ROOT / "flows")
    assert set(SHIPPED) <= set(hotline.languages)
    return hotline


def test_the_labelled_set_has_thirty_messages_per_shipped_language(hotline):
    for code in SHIPPED:
        assert len(CORPUS[code]) >= 30, code
    assert set(CORPUS) >= set(hotline.languages)


def test_accuracy_per_language_is_printed_and_above_the_floor(hotline, capsys):
    lines, low = [], []
    for code in hotline.languages:
        messages = CORPUS[code]
        misses = [(m, detect(m, hotline)) for m in messages]
        misses = [(m, d.language, d.how) for m, d in misses if d.language != code]
        accuracy = 1 - len(misses) / len(messages)
        lines.append(f"{code}: {accuracy:.0%} of {len(messages)} first messages"
                     + (f"; missed {misses}" if misses else ""))  # fmt: skip
        if accuracy < FLOOR:
            low.append(code)
    with capsys.disabled():
        print("\nlanguage of the first message:\n  " + "\n  ".join(lines))
    assert not low, lines


def _messages(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [m for value in node.values() for m in _messages(value)]
    if isinstance(node, list):
        return [m for value in node for m in _messages(value)]
    return []


def test_longer_messages_are_rarely_put_in_a_wrong_language(hotline, capsys):
    """The triage corpora (tests/triage_corpus/, written per language for another purpose) as
    a second, larger labelled set: a message may fall back to English, but answering it in a
    third language must stay rare (at most 3%)."""
    lines, bad = [], []
    for path in sorted((ROOT / "tests" / "triage_corpus").rglob("*.yaml")):
        code = path.stem
        if code not in hotline.languages:
            continue
        messages = [m for m in _messages(yaml.safe_load(path.read_text())) if len(m) > 3]
        found = [detect(m, hotline) for m in messages]
        right = sum(1 for d in found if d.language == code)
        wrong = [(m, d.language) for m, d in zip(messages, found, strict=True)
                 if d.language not in (code, hotline.default_language)]  # fmt: skip
        lines.append(f"{path.parent.name}/{path.name}: {right / len(messages):.0%} in {code}, "
                     f"{len(wrong)} of {len(messages)} in another language")  # fmt: skip
        if len(wrong) > 0.03 * len(messages):
            bad.append((path.name, wrong))
    with capsys.disabled():
        print("\nlanguage of the triage corpora's messages:\n  " + "\n  ".join(lines))
    assert not bad, bad
