"""Every golden conversation replays to exactly the replies on file."""

from __future__ import annotations

import pytest

from hotline.devphone import DevPhone
from tests.golden import environment, golden_files, load, play

GOLDEN = golden_files()


@pytest.mark.parametrize("path", GOLDEN, ids=[f"{p.parent.name}/{p.stem}" for p in GOLDEN])
def test_golden_conversation(make_app, path):
    conversation = load(path)
    app = make_app(**environment(conversation))
    expected = conversation["turns"]
    actual = play(DevPhone(app).text, conversation)
    for want, got in zip(expected, actual, strict=True):
        assert got["expect"] == want["expect"], (
            f"{path.name}: reply to {want['send']!r} changed; if on purpose, run `make golden`"
        )


def test_there_are_golden_conversations():
    assert len(GOLDEN) >= 5
