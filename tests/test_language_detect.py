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
