"""`hotline call` walks a call through the real app and prints what the caller hears."""

from __future__ import annotations

from click.testing import CliRunner

from hotline.channels.voice_cli import call
from tests.conftest import test_environ as environ_for


def run(redis_url, tmp_path, *args: str, **env: str) -> str:
    result = CliRunner().invoke(call, list(args), env=environ_for(redis_url, tmp_path, **env))
    assert result.exit_code == 0, result.output
    return result.output


def test_call_reads_out_lowell_resources(redis_client, redis_url, tmp_path):
    out = run(redis_url, tmp_path, "--digits", "1,2,01852#")
    assert "dial 9 1 1" in out.splitlines()[0]
    assert "> pressed 01852#" in out
    after = out.split("> pressed 01852#", 1)[1]
    assert "1. " in after and "Lowell" in after and "Call 9 7 8, " in after


def test_call_follows_a_dial_and_ends_with_the_lines(redis_client, redis_url, tmp_path):
    out = run(redis_url, tmp_path, "--digits", "1,5", "--dial-status", "completed")
    assert "[dialling +18883737888]" in out
    assert "1, 8 8 8, 3 7 3, 7 8 8 8" in out.split("[dialling", 1)[1]
    assert out.rstrip().endswith("[call ended]")


def test_call_takes_speech(redis_client, redis_url, tmp_path):
    out = run(redis_url, tmp_path, "--digits", "2", "--say", "ayuda cerca")
    assert "> said ayuda cerca" in out and "código postal de 5 dígitos" in out
