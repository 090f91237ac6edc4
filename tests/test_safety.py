"""Safety first (issue 6), as texters, callers and staff meet it, against a real Redis."""

from __future__ import annotations

import logging

import pytest

from hotline.escalations import records
from hotline.escalations.senders import read_outbox
from hotline.store import connect
from tests.caller import Caller
from tests.escalation_helpers import ask_for_person, post, run_jobs
from tests.phone import Texter

NATIONAL = "1-888-373-7888"
NUMBER = "+19785550142"


@pytest.fixture()
def texter(app):
    return Texter(app.test_client(), number=NUMBER)


def open_records(r) -> list[records.Escalation]:
    return records.load_many(r, r.zrange(records.OPEN, 0, -1))


# -- triage ------------------------------------------------------------------------------------
def test_danger_in_a_first_message_gets_911_at_once_and_an_urgent_escalation(texter, redis_client):
    reply = texter.reply("he will kill me, I am locked in")
    assert reply.startswith("Thanks for writing.")
    assert "911" in reply and NATIONAL in reply and "233733" in reply
    [record] = open_records(redis_client)
    assert record.priority == 1 and record.kind == "urgent"
    assert "will kill me" in record.flag and "locked in" in record.flag
    words = [e.text for e in records.transcript(redis_client, record.id) if e.by == "texter"]
    assert words == ["he will kill me, I am locked in"]


def test_urgent_jumps_the_queue_and_staff_see_why(app, ana, redis_client):
    ask_for_person(Texter(app.test_client(), number="+19785550100"))
    Texter(app.test_client(), number=NUMBER).send("they took my passport and I can't leave")
    data = ana.get("/staff/queue.json").get_json()
    first, second = data["waiting"][0], data["waiting"][1]
    assert "took my passport" in first["flag"] and not second["flag"]
    assert "urgent words: took my passport" in ana.get("/staff/").get_data(as_text=True)


def test_danger_mid_menu_leaves_the_menu(texter, redis_client):
    texter.send("hello")
    texter.send("1")
    reply = texter.reply("help me now")
    assert "911" in reply and "ZIP" not in reply
    assert open_records(redis_client)[0].priority == 1


def test_danger_in_spanish_answers_in_spanish(texter, redis_client):
    reply = texter.reply("me va a matar, ayúdame")
    assert reply.startswith("Gracias por escribir.") and "911" in reply
    assert open_records(redis_client)[0].language == "es"


def test_danger_inside_an_open_conversation_raises_its_priority(texter, redis_client):
    ask_for_person(texter)
    [before] = open_records(redis_client)
    assert before.priority == 2
    texter.send("he is back and has a gun")
    [after] = open_records(redis_client)
    assert after.id == before.id and after.priority == 1 and "gun" in after.flag


@pytest.mark.parametrize(
    "text", ["I am not in danger", "I live on Gun Hill Road", "no estoy en peligro"]
)
def test_near_misses_are_not_urgent(texter, redis_client, text):
    texter.send("hello")
    reply = texter.reply(text)
    assert not reply.startswith("Thanks for writing. If you are in danger now")
    assert not reply.startswith("Gracias por escribir. Si está en peligro ahora")
    assert all(r.kind != "urgent" and r.priority > 1 for r in open_records(redis_client))


def test_danger_in_speech_puts_the_caller_through_to_a_person(app, redis_client):
    caller = Caller(app.test_client())
    caller.call()
    caller.press("1")
    said = caller.say("please help me he is going to kill me")
    assert "911" in said.replace(" ", "")
    [record] = open_records(redis_client)
    assert record.channel == "voice" and record.priority == 1 and "kill me" in record.flag


# -- DELETE ------------------------------------------------------------------------------------
def test_delete_erases_session_transcript_and_escalation_content(app, ana, texter, redis_client):
    ask_for_person(texter, "yes", "weekdays after 6pm")
    texter.send("my boss took my passport")
    [record] = open_records(redis_client)
    page = f"/staff/e/{record.id}"
    post(ana, f"{page}/claim")
    post(ana, f"{page}/reply", text="Are you safe to talk?")  # queued, not yet sent
    reply = texter.reply("DELETE")
    assert reply.startswith("Done.") and "delete this thread" in reply
    run_jobs(app)  # the queued staff reply must not go out
    assert [m for m in read_outbox(redis_client) if m["kind"] == "reply"] == []
    erased = records.load(redis_client, record.id)
    assert erased.erased and not erased.number and not erased.details and not erased.safe_time
    assert [e.by for e in records.transcript(redis_client, record.id)] == ["system"]
    assert open_records(redis_client) == []
    assert redis_client.keys("hotline:session:*") == []
    html = ana.get(page).get_data(as_text=True)
    assert "ended at the person" in html and "passport" not in html
    assert "Reply with a number" in texter.reply("hello")  # a fresh start


def test_delete_in_spanish(texter, redis_client):
    texter.send("ESPAÑOL")
    assert texter.reply("borrar").startswith("Listo.")


def test_delete_while_opted_out_erases_silently(texter, redis_client):
    ask_for_person(texter)
    texter.send("STOP")
    assert texter.send("DELETE") == []
    [record_id] = redis_client.zrange(records.CLOSED, 0, -1)
    assert records.load(redis_client, record_id).erased


# -- privacy at rest and in logs ---------------------------------------------------------------
def everything_in(redis_url: str) -> str:
    """Every key and value Redis holds, as text (RQ's binary values included)."""
    r = connect(redis_url, timeout=5.0, decode=False)
    out: list[bytes] = []
    for k in r.keys("*"):
        kind = r.type(k)
        out.append(k)
        if kind == b"string":
            out.append(r.get(k))
        elif kind == b"hash":
            out += [f + b"=" + v for f, v in r.hgetall(k).items()]
        elif kind == b"list":
            out += r.lrange(k, 0, -1)
        elif kind == b"set":
            out += list(r.smembers(k))
        elif kind == b"zset":
            out += r.zrange(k, 0, -1)
    return b"\n".join(out).decode("utf-8", errors="replace")


def whole_conversation(app, ana, texter) -> None:
    ask_for_person(texter, "yes", "evenings only")
    texter.send("my boss keeps my passport at the restaurant")
    [escalation_id] = ana.get("/staff/queue.json").get_json()["waiting"][0]["id"].split()
    page = f"/staff/e/{escalation_id}"
    post(ana, f"{page}/claim")
    post(ana, f"{page}/reply", text="We can help with that, Maria.")
    run_jobs(app)
    texter.send("thank you, call me at 617-555-0199")


def test_numbers_and_words_are_encrypted_at_rest(app, ana, texter, redis_url):
    whole_conversation(app, ana, texter)
    stored = everything_in(redis_url)
    for secret in ("5550142", "passport", "restaurant", "evenings only", "Maria", "555-0199"):
        assert secret not in stored, secret


def test_logs_of_a_whole_conversation_hold_no_numbers_or_words(app, ana, texter, caplog):
    with caplog.at_level(logging.DEBUG):
        whole_conversation(app, ana, texter)
        texter.send("he will hurt me")
        texter.send("DELETE")
    assert caplog.records, "the conversation was logged at all"
    logged = caplog.text
    for secret in ("5550142", "555-0142", "passport", "restaurant", "Maria", "hurt me", "555-0199"):
        assert secret not in logged, secret


# -- floods, retention, limits, headers --------------------------------------------------------
def test_a_flood_is_slowed_but_stop_and_danger_always_get_through(make_app, redis_client):
    texter = Texter(make_app(HOTLINE_RATE_LIMIT="3").test_client(), number=NUMBER)
    assert all(texter.send(body) for body in ("hello", "4", "0"))  # first messages: answered
    notice = texter.reply("5")
    assert notice.startswith("Thanks for writing.") and "911" in notice
    assert texter.send("5") == [] and texter.send("4") == []
    assert "Reply with a number" in texter.reply("0")  # keywords are never slowed
    assert "911" in texter.reply("he will kill me")
    assert "no more messages" in texter.reply("STOP")


def test_another_texter_is_not_slowed_by_a_flood(make_app, redis_client):
    app = make_app(HOTLINE_RATE_LIMIT="2")
    flood = Texter(app.test_client(), number=NUMBER)
    for _ in range(4):
        flood.send("hi")
    assert Texter(app.test_client(), number="+19785550111").send("hi")


def test_resolved_conversations_expire_and_purge_removes_them(app, ana, texter, redis_client):
    from hotline.escalations.retention import DAY, purge

    ask_for_person(texter)
    [record] = open_records(redis_client)
    page = f"/staff/e/{record.id}"
    post(ana, f"{page}/claim")
    post(ana, f"{page}/resolve", outcome="referred")
    ttl = redis_client.ttl(records.record_key(record.id))
    assert 29 * DAY < ttl <= 30 * DAY
    assert 29 * DAY < redis_client.ttl(records.log_key(record.id)) <= 30 * DAY
    assert purge(redis_client, 30) == 0
    assert purge(redis_client, 30, now=__import__("time").time() + 31 * DAY) == 1
    assert records.load(redis_client, record.id) is None
    assert redis_client.zcard(records.CLOSED) == 0


def test_purge_command(redis_url, redis_client, tmp_path):
    from click.testing import CliRunner

    from hotline.cli import main

    env = {"REDIS_URL": redis_url, "HOTLINE_DATA_DIR": str(tmp_path), "HOTLINE_ENV": "test"}
    result = CliRunner().invoke(main, ["purge", "--days", "30"], env=env)
    assert result.exit_code == 0 and "purged 0 resolved" in result.output


def test_request_size_is_limited_on_every_route(client, texter):
    big = texter.form("x" * 70_000)
    assert texter.post(big).status_code == 413  # signed, so the body is read, and refused
    assert texter.post(big, signature=None).status_code == 403
    assert client.post("/staff/login", data={"name": "x" * 70_000}).status_code == 413


def test_staff_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/staff/login")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_escalations_queue_while_no_worker_runs(app, texter, redis_client):
    ask_for_person(texter)  # no worker is running in this test
    assert len(open_records(redis_client)) == 1
    assert (
        redis_client.llen("rq:queue:hotline-default") + redis_client.llen("rq:queue:hotline-urgent")
        >= 1
    )


# -- consent: only someone writing now, or who said it is safe, inside their window --------------
def _record(**fields) -> records.Escalation:
    base = dict(id="1", channel="sms", language="en", priority=2, reason="r", kind="help",
                who="w", status="waiting", created=1.0, last_inbound=0.0)  # fmt: skip
    return records.Escalation(**{**base, **fields})


@pytest.mark.parametrize(
    ("consent", "safe_time", "hour", "allowed"),
    [
        ("yes", "mon-fri 18:00-22:00", 19, True),  # Wednesday 19:00: inside
        ("yes", "mon-fri 18:00-22:00", 10, False),  # Wednesday 10:00: outside
        ("yes", "ANY", 3, True),
        ("no", "ANY", 19, False),  # never said it is safe, not writing now
        ("", "", 19, False),
    ],
)
def test_staff_may_text_only_inside_the_safe_window_they_gave(consent, safe_time, hour, allowed):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from hotline.escalations.gate import reply_gate

    wednesday = datetime(2026, 11, 25, hour, 0, tzinfo=ZoneInfo("America/New_York"))
    record = _record(consent=consent, safe_time=safe_time)
    gate = reply_gate(record, wednesday.timestamp(), wednesday, False, texting_window=1800)
    assert gate.allowed is allowed, gate.reason


def test_free_text_safe_time_makes_staff_confirm_first():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from hotline.escalations.gate import reply_gate

    now = datetime(2026, 11, 25, 19, 0, tzinfo=ZoneInfo("America/New_York"))
    gate = reply_gate(_record(consent="yes", safe_time="after my shift"), now.timestamp(), now,
                      False, texting_window=1800)  # fmt: skip
    assert gate.allowed and gate.confirm == "after my shift"


def test_someone_writing_now_may_be_answered_without_consent_but_not_after_stop():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from hotline.escalations.gate import reply_gate

    now = datetime(2026, 11, 25, 19, 0, tzinfo=ZoneInfo("America/New_York"))
    writing = _record(consent="no", last_inbound=now.timestamp() - 60)
    assert reply_gate(writing, now.timestamp(), now, False, texting_window=1800).allowed
    assert not reply_gate(writing, now.timestamp(), now, True, texting_window=1800).allowed


def test_a_tip_describing_someone_elses_danger_stays_a_tip(texter, redis_client):
    texter.send("hello")
    texter.send("3")
    assert "Where was it?" in texter.reply("two women are locked in the back and he has a gun")
    texter.send("Main St")
    assert "911" in texter.reply("yes")  # the flow's own question about danger now
    [record] = open_records(redis_client)
    assert record.kind == "tip" and record.priority == 1
    assert "locked in" in record.details["tip_what"]
