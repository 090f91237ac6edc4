"""Encryption at rest, log masking, static fallbacks and security headers."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

import pytest

from hotline.logs import install_log_filter, mask
from hotline.safety.crypto import Sealer


def test_sealed_text_is_not_readable_and_round_trips():
    sealer = Sealer(["key-one"])
    sealed = sealer.seal("they took my passport +19785550123")
    assert "passport" not in sealed and "5550123" not in sealed
    assert sealer.unseal(sealed) == "they took my passport +19785550123"


def test_key_rotation_reads_old_keys_and_writes_with_the_new_one():
    old = Sealer(["old-key"]).seal("hello")
    rotated = Sealer(["new-key", "old-key"])
    assert rotated.unseal(old) == "hello"
    resealed = rotated.rotate(old)
    assert Sealer(["new-key"]).unseal(resealed) == "hello"
    with pytest.raises(ValueError):
        Sealer(["new-key"]).unseal(old)


@pytest.mark.parametrize(
    "raw",
    ["call +1 978 555 0123 now", "(617) 555-0100", "978.555.0123", "+19785550123",
     "write to jane.doe@example.org"],
)  # fmt: skip
def test_mask_hides_numbers_and_addresses(raw):
    masked = mask(raw)
    assert not any(d in masked for d in ("5550123", "555-0100", "555.0123", "jane.doe"))


def test_every_log_record_is_masked(caplog):
    install_log_filter()
    with caplog.at_level(logging.INFO):
        logging.getLogger("anything").info("texter %s wrote", "+19785550123")
    assert "5550123" not in caplog.text and "[number]" in caplog.text


def test_fallback_routes_answer_without_redis_or_signature(make_app, redis_url):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0", HOTLINE_REDIS_TIMEOUT="0.2")
    client = app.test_client()
    sms = client.post("/fallback/sms")
    assert sms.status_code == 200
    texts = [m.text for m in ET.fromstring(sms.data).iter("Message")]
    assert len(texts) == 2 and all("911" in t and "1-888-373-7888" in t for t in texts)
    voice = client.post("/fallback/voice")
    root = ET.fromstring(voice.data)
    assert voice.status_code == 200
    spoken = [say.text.replace(" ", "") for say in root.iter("Say")]
    assert spoken and all("911" in text for text in spoken)
    assert [d.text for d in root.iter("Dial")] == ["+18883737888"]


def test_the_printed_fallback_twiml_is_what_the_app_answers(app, client, tmp_path):
    """`hotline fallback twiml sms|voice` (for a TwiML Bin) prints the app's own fallback."""
    from click.testing import CliRunner

    from hotline.cli import main
    from tests.conftest import ROOT

    env = {"HOTLINE_FLOWS_DIR": str(ROOT / "flows"), "HOTLINE_ENV": "development",
           "HOTLINE_PROGRAM_NAME": app.extensions["hotline.settings"].program_name}  # fmt: skip
    for channel in ("sms", "voice"):
        printed = CliRunner().invoke(main, ["fallback", "twiml", channel], env=env)
        assert printed.exit_code == 0, printed.output
        served = client.post(f"/fallback/{channel}").get_data(as_text=True)
        assert printed.output.strip() == served
        assert "1-888-373-7888" in served or "8 8 8" in served
    spanish = CliRunner().invoke(main, ["fallback", "twiml", "sms", "--language", "es"], env=env)
    texts = [m.text for m in ET.fromstring(spanish.output).iter("Message")]
    assert len(texts) == 1 and "llame al 911" in texts[0]
    wrong = CliRunner().invoke(main, ["fallback", "twiml", "sms", "--language", "xx"], env=env)
    assert wrong.exit_code == 2 and "not a language" in wrong.output


def test_security_headers(client):
    response = client.get("/healthz")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_server_addresses_stay_readable_in_logs():
    assert mask("Running on http://127.0.0.1:5000") == "Running on http://127.0.0.1:5000"
    assert mask("from 10.0.0.12 texter +1 978 555 0123") == "from 10.0.0.12 texter [number]"
