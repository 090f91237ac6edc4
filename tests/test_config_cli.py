"""Start-up rules and the one-shot CLI: what an operator meets first."""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner

from hotline.cli import main
from hotline.config import ConfigError, load_settings


def test_production_refuses_to_start_without_a_twilio_token(tmp_path):
    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN"):
        load_settings({"HOTLINE_ENV": "production", "HOTLINE_SECRET_KEY": "k"})


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(ConfigError, match="HOTLINE_SECRET_KEY"):
        load_settings({"HOTLINE_ENV": "production", "TWILIO_AUTH_TOKEN": "t"})


def test_an_unknown_environment_is_an_error():
    with pytest.raises(ConfigError, match="HOTLINE_ENV"):
        load_settings({"HOTLINE_ENV": "staging"})


def test_development_accepts_unsigned_webhooks_and_warns_each_time(make_app, caplog):
    client = make_app(HOTLINE_ENV="development").test_client()
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            # No MessageSid: each is a message of its own (MENU answers the same each time).
            response = client.post("/sms", data={"From": "+19785550123", "Body": "MENU"})
            assert response.status_code == 200 and b"Reply with a number" in response.data
    assert caplog.text.count("UNSIGNED request to /sms") == 2


def test_development_still_rejects_a_bad_signature(make_app):
    client = make_app(HOTLINE_ENV="development").test_client()
    response = client.post("/sms", data={"Body": "hi"}, headers={"X-Twilio-Signature": "bad"})
    assert response.status_code == 403


def test_hotline_sms_sends_one_signed_message_through_the_real_app(
    redis_url, redis_client, tmp_path
):
    env = {"REDIS_URL": redis_url, "HOTLINE_DATA_DIR": str(tmp_path), "HOTLINE_ENV": "development"}
    runner = CliRunner()
    first = runner.invoke(main, ["sms", "hello", "--from", "+19785550123"], env=env)
    assert first.exit_code == 0 and "Reply with a number" in first.output
    second = runner.invoke(main, ["sms", "1", "--from", "+19785550123"], env=env)
    assert "ZIP code or town" in second.output  # the session carried over in Redis
