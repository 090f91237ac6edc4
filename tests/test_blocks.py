"""Blocking a number that harasses the line: for a set time, with a reason in the audit log,
never into silence, nothing queued, and no extra Redis round trip on /sms."""

from __future__ import annotations

import pytest

from hotline.escalations import accounts, audit, blocks, records
from tests.escalation_helpers import PASSWORD, ask_for_person, csrf_of, only_id, post, sign_in
from tests.phone import Texter
from tests.test_round_trips import round_trips

HARASSER = "+19785550150"


@pytest.fixture()
def boss(app, redis_client):
    accounts.add(redis_client, "boss", PASSWORD, ("en",), role="admin")
    client = app.test_client()
    sign_in(client, "boss")
    return client


@pytest.fixture()
def harasser(app):
    return Texter(app.test_client(), number=HARASSER)


def open_count(r) -> int:
    return r.zcard(records.OPEN) + r.zcard(records.CLOSED)


def test_an_admin_blocks_from_the_conversation_and_the_texter_still_gets_911(
    boss, harasser, redis_client
):
    ask_for_person(harasser)
    escalation_id = only_id(redis_client)
    post(boss, f"/staff/e/{escalation_id}/claim")
    post(boss, f"/staff/e/{escalation_id}/resolve", outcome="prank")
    response = post(boss, f"/staff/e/{escalation_id}/block", duration="30d",
                    reason="sends abuse to the line every night")  # fmt: skip
    assert response.status_code == 302
    line = audit.recent(redis_client)[0]
    assert (line["who"], line["action"], line["escalation"]) == ("boss", "block", escalation_id)
    assert line["detail"] == "30 days: sends abuse to the line every night"
    who = records.load(redis_client, escalation_id).who
    assert 30 * 86400 - 60 < redis_client.ttl(blocks.block_key(who)) <= 30 * 86400
    assert HARASSER not in str(redis_client.get(blocks.block_key(who)))

    before = open_count(redis_client)
    with round_trips() as count:
        plain = harasser.reply("2")
    assert count[0] <= 2
    assert "911" in plain and "1-888-373-7888" in plain and "we cannot answer right now" in plain
    for body in ("talk to a person", "hello", "yes"):
        assert "911" in harasser.reply(body)
    with round_trips() as count:
        danger = harasser.reply("he will kill me")
    assert count[0] <= 2
    assert "If you are in danger now, call or text 911" in danger and "233733" in danger
    assert open_count(redis_client) == before  # nothing queued
    words = records.transcript(redis_client, escalation_id)
    assert not any(e.by == "texter" and "kill" in e.text for e in words)


def test_a_typed_number_in_any_format_blocks_that_texter(boss, harasser, redis_client):
    response = post(boss, "/staff/blocks", number="(978) 555-0150", duration="24h",
                    reason="harassing messages to volunteers")  # fmt: skip
    assert response.status_code == 302
    page = boss.get("/staff/blocks").get_data(as_text=True)
    assert "harassing messages to volunteers" in page and "555" not in page
    assert "we cannot answer right now" in harasser.reply("hello")
    assert redis_client.zcard(records.OPEN) == 0
    [block] = blocks.active(redis_client)
    assert 86400 - 60 < redis_client.ttl(blocks.block_key(block.who)) <= 86400
    # STOP still works for a blocked number
    assert harasser.send("STOP")  # the opt-out confirmation, as for anyone
    assert redis_client.exists(f"hotline:optout:{block.who}")
    post(boss, f"/staff/blocks/{block.who}/lift")
    assert not blocks.active(redis_client)
    assert audit.recent(redis_client)[0]["action"] == "unblock"


def test_a_block_needs_a_length_and_a_reason_and_an_admin(app, ana, boss, harasser,
                                                          redis_client):  # fmt: skip
    ask_for_person(harasser)
    escalation_id = only_id(redis_client)
    post(boss, f"/staff/e/{escalation_id}/block", duration="30d", reason="bad")
    post(boss, f"/staff/e/{escalation_id}/block", duration="forever",
         reason="sends abuse to the line")  # fmt: skip
    assert not blocks.active(redis_client)
    assert post(ana, f"/staff/e/{escalation_id}/block", duration="24h",
                reason="sends abuse to the line").status_code == 403  # fmt: skip
    assert ana.get("/staff/blocks").status_code == 403
    assert "Block this number" not in ana.get(f"/staff/e/{escalation_id}").get_data(as_text=True)
    token = csrf_of(boss, "/staff/")
    assert boss.post(f"/staff/e/{escalation_id}/block",
                     data={"duration": "24h", "reason": "sends abuse to the line"}
                     ).status_code == 400 and token  # fmt: skip
    assert not blocks.active(redis_client)
