"""Nothing left behind (issue 12, items 8 and 9): indexes, alert marks, danger phrases, logs,
and production settings that would silently lose replies or split state."""

from __future__ import annotations

import logging
import time

import pytest

from hotline.config import ConfigError, load_settings
from hotline.escalations import records
from hotline.escalations.retention import DAY, purge
from hotline.logs import install_log_filter
from tests.escalation_helpers import add_staff, ask_for_person, only_id, post, run_jobs
from tests.phone import Texter

NUMBER = "+19785550142"


@pytest.fixture()
def texter(app):
    return Texter(app.test_client(), number=NUMBER)


def who_keys(r) -> list[str]:
    return list(r.scan_iter("hotline:esc:who:*"))


def alerted_keys(r) -> list[str]:
    return list(r.scan_iter("hotline:esc:*:sends"))  # who was alerted (delivery ledger)


def test_delete_leaves_no_index_or_alert_mark_behind(app, texter, redis_client):
    add_staff(redis_client, "ana", ("en",), phone="+16175550111")
    ask_for_person(texter)
    run_jobs(app)  # alerts on-call staff: esc:<id>:sends now exists
    assert who_keys(redis_client) and alerted_keys(redis_client)
    texter.send("DELETE")
    assert who_keys(redis_client) == [] and alerted_keys(redis_client) == []


def test_retention_and_purge_leave_no_index_or_alert_mark_behind(app, ana, texter, redis_client):
    add_staff(redis_client, "ben", ("en",), phone="+16175550112")
    ask_for_person(texter)
    run_jobs(app)
    escalation_id = only_id(redis_client)
    post(ana, f"/staff/e/{escalation_id}/claim")
    post(ana, f"/staff/e/{escalation_id}/resolve", outcome="referred")
    for k in who_keys(redis_client) + alerted_keys(redis_client):
        assert 0 < redis_client.ttl(k) <= 30 * DAY, k  # they expire with the record
    assert purge(redis_client, 30, now=time.time() + 31 * DAY) == 1
    assert who_keys(redis_client) == [] and alerted_keys(redis_client) == []


def test_purge_clears_the_index_of_records_redis_already_expired(app, ana, texter, redis_client):
    ask_for_person(texter)
    escalation_id = only_id(redis_client)
    post(ana, f"/staff/e/{escalation_id}/claim")
    post(ana, f"/staff/e/{escalation_id}/resolve", outcome="referred")
    [index] = who_keys(redis_client)
    redis_client.persist(index)  # as versions before this one left it: no expiry
    redis_client.delete(records.record_key(escalation_id))  # Redis expired the record
    purge(redis_client, 30)
    assert who_keys(redis_client) == []


def test_matched_danger_phrases_are_sealed_at_rest(texter, redis_client):
    texter.send("he will kill me")
    texter.send("they took my passport")  # joins the open one with a new flag
    raw = redis_client.hget(records.record_key(only_id(redis_client)), "flag")
    assert "kill" not in raw and "passport" not in raw
    assert "passport" in records.load(redis_client, only_id(redis_client)).flag


def test_tracebacks_in_logs_carry_no_message_text_or_number(caplog):
    install_log_filter()
    log = logging.getLogger("hotline.test")
    body = "he will " + "kill me"  # the source line shows only the variable, as real code does
    try:
        raise ValueError(f"bad body {body!r} from {NUMBER}")
    except ValueError:
        with caplog.at_level(logging.ERROR):
            log.exception("failed")
    text = caplog.text
    assert "ValueError" in text and "kill" not in text and "5550142" not in text


def test_request_lines_in_logs_carry_no_query_string(caplog):
    install_log_filter()
    with caplog.at_level(logging.INFO):
        logging.getLogger("werkzeug").info(
            '127.0.0.1 - - "GET /staff/e/4/resources?where=01852 HTTP/1.1" 200 -'
        )
        logging.getLogger("gunicorn.access").info(
            '10.0.0.1 - - "GET /staff/e/4/resources?where=Lowell%2C+MA HTTP/1.1" 200 512'
        )
    assert "01852" not in caplog.text and "Lowell" not in caplog.text
    assert "/staff/e/4/resources" in caplog.text


# -- 9. production refuses unsafe configurations ---------------------------------------------
PROD = {"HOTLINE_ENV": "production", "TWILIO_AUTH_TOKEN": "t", "HOTLINE_SECRET_KEY": "k" * 32}


def test_production_without_an_account_sid_refuses_to_start():
    with pytest.raises(ConfigError, match="TWILIO_ACCOUNT_SID"):
        load_settings({**PROD, "REDIS_URL": "redis://127.0.0.1:6379/0"})
    drill = load_settings({**PROD, "REDIS_URL": "redis://x/0", "HOTLINE_ALLOW_OUTBOX": "1"})
    assert not drill.replies_sent


def test_production_without_redis_url_refuses_to_start():
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load_settings({**PROD, "TWILIO_ACCOUNT_SID": "AC" + "1" * 32})
    one_host = {**PROD, "TWILIO_ACCOUNT_SID": "AC1", "HOTLINE_ALLOW_EMBEDDED_REDIS": "1"}
    assert load_settings(one_host).replies_sent


def test_the_dashboard_says_when_replies_are_not_really_sent(make_app, redis_client):
    from tests.escalation_helpers import sign_in

    add_staff(redis_client, "ana")
    drill = make_app(HOTLINE_ENV="production", HOTLINE_ALLOW_OUTBOX="1").test_client()
    sign_in(drill)
    assert "not being sent" in drill.get("/staff/").get_data(as_text=True)
    live = make_app(HOTLINE_ENV="production", TWILIO_ACCOUNT_SID="AC" + "1" * 32).test_client()
    sign_in(live)
    assert "not being sent" not in live.get("/staff/").get_data(as_text=True)
