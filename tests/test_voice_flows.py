"""The shipped voice flow passes the checks and keeps its promises; recordings replace voices."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from hotline.cli import main as cli
from hotline.engine import EndNode, MenuNode, TransferNode
from hotline.flows import load_hotline
from tests.caller import Caller

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NATIONAL_SPOKEN = "1, 8 8 8, 3 7 3, 7 8 8 8"
RESEARCH_NUMBERS = {"+18883737888"}  # ../shared/research: the 24/7 national hotline


@pytest.fixture(scope="module")
def hotline():
    loaded, _ = load_hotline(ROOT / "flows")
    return loaded


def run_check(flows_dir: Path):
    from click.testing import CliRunner

    state = tempfile.mkdtemp(prefix="hotline-state-")  # never inside the checkout
    env = {"HOTLINE_ENV": "development", "HOTLINE_DATA_DIR": state}
    return CliRunner().invoke(cli, ["flows", "check", "--dir", str(flows_dir)], env=env)


def test_flows_check_passes_on_the_shipped_flows(tmp_path):
    result = run_check(ROOT / "flows")
    assert result.exit_code == 0, result.output
    assert "flows OK" in result.output


def test_flows_check_catches_a_prompt_with_no_voice_and_no_recording():
    result = run_check(FIXTURES / "voice_missing_recording")
    assert result.exit_code == 1
    assert re.search(
        r"voice_missing_recording/voice\.yaml:\d+: voice: nodes\.main_menu\.invalid: voice "
        r"prompt in 'km' has no text-to-speech voice and no recording",
        result.output,
    ), result.output
    assert "1 problem(s)" in result.output


def test_every_ending_says_the_24_7_line_and_911_in_every_language(hotline):
    flow = hotline.flows["voice"]
    ends = {k: n for k, n in flow.nodes.items() if isinstance(n, EndNode)}
    assert ends
    spoken = [code for code, lang in hotline.languages.items() if lang.voice]
    assert {"en", "es", "pt", "vi"} <= set(spoken)
    for node_id, node in ends.items():
        for lang in spoken:
            assert NATIONAL_SPOKEN in node.text[lang] and "9 1 1" in node.text[lang], node_id


def test_transfers_only_to_oncall_or_numbers_from_research(hotline):
    transfers = [n for n in hotline.flows["voice"].nodes.values() if isinstance(n, TransferNode)]
    assert {t.to for t in transfers} == {"oncall"} | RESEARCH_NUMBERS


def test_voice_timeouts_are_long_enough_for_relay(hotline):
    for node in hotline.flows["voice"].nodes.values():
        assert getattr(node, "timeout", None) in (None,) or node.timeout >= 10


def test_one_language_key_per_language_on_both_language_menus(hotline):
    flow = hotline.flows["voice"]
    for node_id in ("welcome", "language_menu"):
        node = flow.nodes[node_id]
        assert isinstance(node, MenuNode)
        keys = {o.set_language: o.key for o in node.options}
        # Languages with a voice (text-to-speech); Khmer and Haitian Creole reach an interpreter.
        voiced = {code: lang.voice.key for code, lang in hotline.languages.items() if lang.voice}
        assert {code: key for code, key in keys.items() if code in voiced} == voiced


def test_a_language_with_no_voice_is_played_from_recordings(make_app):
    app = make_app(HOTLINE_FLOWS_DIR=str(FIXTURES / "voice_recordings"))
    caller = Caller(app.test_client())
    caller.call()
    welcome = [(h.verb, h.text) for h in caller.heard]
    assert welcome[0][0] == "Say" and "dial 9 1 1" in welcome[0][1]
    assert welcome[1] == ("Play", "https://hotline.example.org/voice/audio/km/welcome.wav")
    caller.press("3")
    assert caller.heard[-1].text.endswith("/voice/audio/km/menu.wav")
    assert caller.gather.get("input") == "dtmf"  # no speech recognition for Khmer
    caller.press("7")
    assert [h.text.rsplit("/", 1)[-1] for h in caller.heard[-2:]] == [
        "not-an-option.wav",
        "menu.wav",
    ]
