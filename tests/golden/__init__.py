"""Golden conversations: inputs and the replies they must get, kept in tests/golden/<flow>/*.yaml.

Run `make golden` (python -m tests.golden --update) after a deliberate flow change, then review
the diff: the expected replies are only ever rewritten on purpose, never by a test run.
"""

from __future__ import annotations

from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
# Conversations must not depend on the clock: advocates are on duty unless a file says otherwise.
DEFAULT_ENV = {"HOTLINE_STAFFED_HOURS": "24/7"}


def golden_files() -> list[Path]:
    return sorted(HERE.glob("*/*.yaml"))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def environment(conversation: dict) -> dict[str, str]:
    return {**DEFAULT_ENV, **{k: str(v) for k, v in (conversation.get("env") or {}).items()}}


def play(phone, conversation: dict) -> list[dict]:
    """Send each input and collect the replies, turn by turn."""
    texter_from = conversation.get("from", "+19785550101")
    turns = []
    for turn in conversation["turns"]:
        replies = phone(turn["send"], texter_from)
        turns.append({"send": turn["send"], "expect": replies})
    return turns


class _Dumper(yaml.SafeDumper):
    """Multi-line replies as literal blocks, so a diff reads like the phone screen."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(path: Path, conversation: dict, turns: list[dict]) -> None:
    document = {k: v for k, v in conversation.items() if k != "turns"}
    document["turns"] = turns
    header = (
        "# Golden conversation. Edit `send` lines by hand; regenerate `expect` with make golden.\n"
    )
    body = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(header + body, encoding="utf-8")
