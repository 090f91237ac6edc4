"""The labelled triage corpus, per shipped language: precision and recall printed and checked.

`python -m tests.triage_corpus -v` prints the same figures with every miss. The held-out part
(tests/triage_corpus/heldout/) was written before the lexicon was tuned and is never tuned
against: its figures are reported and held to a regression floor, not to the targets.
"""

from __future__ import annotations

import pytest

from tests.triage_corpus import PARTS, ROUNDS, Judge, languages, load, parts, score

LANGUAGES = languages()
RECALL, PRECISION = 0.95, 0.9  # the targets (issue 10), on the tuning part
FLOOR = 0.85  # the held-out part must not fall below this


@pytest.fixture(scope="module")
def judge() -> Judge:
    return Judge()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_shipped_language_has_a_broad_corpus_in_both_parts(language):
    for part in PARTS:
        corpus = load(language, part)  # fails with the missing file's name
        assert corpus["danger"] and corpus["safe"], (language, part)
    tuning = load(language, "tuning")
    assert len(tuning["danger"]) >= 60 and len(tuning["safe"]) >= 60, language


@pytest.mark.parametrize("language", LANGUAGES)
def test_danger_recall_and_precision_on_the_corpus(judge, language, capsys):
    result = score(judge, language, "tuning")
    with capsys.disabled():
        print(f"\n[triage corpus] {result.line()}")
    assert result.recall >= RECALL, ("missed", result.fn)
    assert result.precision >= PRECISION, ("false alarms", result.fp)
    assert result.disclosure_recall >= RECALL, ("disclosures missed", result.disclosure_missed)
    assert not result.safe_disclosed, result.safe_disclosed


@pytest.mark.parametrize("language", LANGUAGES)
def test_held_out_corpus_is_reported_and_holds_a_floor(judge, language, capsys):
    result = score(judge, language, "held-out")
    with capsys.disabled():
        print(f"\n[triage corpus] {result.line()}")
    assert result.recall >= FLOOR and result.precision >= FLOOR, (result.fn, result.fp)


ROUNDS_OF = [(lang, part) for lang in LANGUAGES for part in parts(lang) if part in ROUNDS]


@pytest.mark.parametrize(("language", "part"), ROUNDS_OF)
def test_red_team_rounds_are_reported(judge, language, part, capsys):
    """Round 1 (`red-team`) was fixed by kind: a regression set, held to the targets. The
    `fresh` rounds were written after those fixes (measured first): held to the floor. The
    `safe` round has only safe messages."""
    result = score(judge, language, part)
    with capsys.disabled():
        print(f"\n[triage corpus] {result.line()}")
    if part == "safe":  # only safe messages: false alarms at most 10%
        assert len(result.fp) <= 0.1 * result.tn, result.fp
    elif part == "red-team":
        assert result.recall >= RECALL and result.precision >= PRECISION, (result.fn, result.fp)
        assert result.disclosure_recall >= RECALL, result.disclosure_missed
    else:
        assert result.recall >= FLOOR and result.precision >= FLOOR, (result.fn, result.fp)
