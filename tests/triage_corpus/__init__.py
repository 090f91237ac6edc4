"""The labelled triage corpus: tests/triage_corpus/<lang>.yaml (tuned against) and
tests/triage_corpus/heldout/<lang>.yaml (never tuned against), one file per shipped language.

`python -m tests.triage_corpus` prints precision and recall per language and part, the same
figures tests/test_triage_corpus.py prints and checks. A message is judged the way the SMS
webhook judges it: a reaction (tapback) is never triaged; the hotline's own texts quoted back
are set aside; an entry that is a list is one texter's messages, the last judged with the
earlier ones in the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from hotline.engine import Engine
from hotline.engine.text import fill
from hotline.flows import load_hotline, load_lexicon
from hotline.safety.triage import Triage, Verdict

HERE = Path(__file__).resolve().parent
FLOWS = HERE.parent.parent / "flows"
PARTS = {"tuning": HERE, "held-out": HERE / "heldout"}
# Red-team rounds (issue 10's "inputs you have not seen"), where a language has them:
# heldout/<lang>-redteam.yaml was written blind and its failures fixed by kind (a regression
# set now); heldout/<lang>-fresh.yaml (round 2) and -fresh2.yaml (round 3) were each written
# after the previous round's fixes and measured before any change (bench/README.md); -safe.yaml
# (round 4) holds only safe messages (ordinary questions, jokes, idioms), for false alarms;
# -fresh3.yaml is round 5, -fresh4.yaml round 6.
ROUNDS = {
    "red-team": "redteam",
    "fresh": "fresh",
    "fresh2": "fresh2",
    "safe": "safe",
    "fresh3": "fresh3",
    "fresh4": "fresh4",
}
LABELS = ("danger", "disclosure", "safe")


@dataclass
class Score:
    """Counts for one language and part of the corpus."""

    language: str
    part: str
    tp: int = 0  # danger judged urgent
    fn: list[str] = field(default_factory=list)  # danger missed
    fp: list[str] = field(default_factory=list)  # safe judged urgent
    tn: int = 0
    disclosure_hits: int = 0  # disclosure judged urgent or disclosed
    disclosure_missed: list[str] = field(default_factory=list)
    safe_disclosed: list[str] = field(default_factory=list)  # safe judged a disclosure

    @property
    def recall(self) -> float:
        return self.tp / max(1, self.tp + len(self.fn))

    @property
    def precision(self) -> float:
        return self.tp / max(1, self.tp + len(self.fp))

    @property
    def disclosure_recall(self) -> float:
        total = self.disclosure_hits + len(self.disclosure_missed)
        return self.disclosure_hits / max(1, total)

    def line(self) -> str:
        danger = self.tp + len(self.fn)
        safe = self.tn + len(self.fp)
        disclosures = self.disclosure_hits + len(self.disclosure_missed)
        if not danger and not disclosures:  # a round of safe messages only
            return (
                f"{self.language} {self.part:8}  false alarms {len(self.fp)} of {safe} safe  "
                f"safe flagged as disclosure {len(self.safe_disclosed)}"
            )
        return (
            f"{self.language} {self.part:8}  danger recall {self.recall:.3f} "
            f"precision {self.precision:.3f} ({danger} danger, {safe} safe)  "
            f"disclosure recall {self.disclosure_recall:.3f} ({disclosures})  "
            f"safe flagged as disclosure {len(self.safe_disclosed)}"
        )


class Judge:
    """The shipped flows and lexicon, reading messages as the SMS webhook does."""

    def __init__(self, flows_dir: Path = FLOWS, program: str = "Community Info Line"):
        hotline, _ = load_hotline(flows_dir)
        self.hotline = hotline
        self.engine = Engine(hotline, "sms", {"program": program})
        texts = [fill(t, {"program": program}) for t in hotline.texts()]
        self.triage = Triage.build(load_lexicon(flows_dir, hotline), texts)

    def judge(self, entry: str | list[str]) -> Verdict | None:
        """None for a reaction (never triaged); else the verdict on the last message."""
        messages = [entry] if isinstance(entry, str) else list(entry)
        *earlier, last = messages
        if self.engine.reads(last) == "reaction":
            return None
        earlier = [m for m in earlier if self.engine.reads(m) != "reaction"]
        return self.triage.assess(last, earlier)


def languages(flows_dir: Path = FLOWS) -> list[str]:
    hotline, _ = load_hotline(flows_dir)
    return list(hotline.languages)


def parts(language: str) -> list[str]:
    """The corpus parts a language has: tuning, held-out, then any red-team rounds."""
    return [*PARTS, *(p for p in ROUNDS if _path(language, p).exists())]


def _path(language: str, part: str) -> Path:
    if part in ROUNDS:
        return PARTS["held-out"] / f"{language}-{ROUNDS[part]}.yaml"
    return PARTS[part] / f"{language}.yaml"


def load(language: str, part: str) -> dict[str, list]:
    path = _path(language, part)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {label: list(data.get(label) or []) for label in LABELS}


def score(judge: Judge, language: str, part: str) -> Score:
    result = Score(language, part)
    corpus = load(language, part)
    for entry in corpus["danger"]:
        verdict = judge.judge(entry)
        if verdict is not None and verdict.urgent:
            result.tp += 1
        else:
            result.fn.append(str(entry))
    for entry in corpus["disclosure"]:
        verdict = judge.judge(entry)
        if verdict is not None and (verdict.urgent or verdict.disclosed):
            result.disclosure_hits += 1
        else:
            result.disclosure_missed.append(str(entry))
    for entry in corpus["safe"]:
        verdict = judge.judge(entry)
        if verdict is not None and verdict.urgent:
            result.fp.append(str(entry))
        else:
            result.tn += 1
        if verdict is not None and verdict.disclosed:
            result.safe_disclosed.append(str(entry))
    return result
