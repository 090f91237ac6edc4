"""Voice in the record: a call an on-call advocate answered leaves a conversation record
(time, duration, language, the outcome the advocate sets), without the number."""

from __future__ import annotations

import pytest

from hotline.escalations import blocks, history, records, reports
from tests.caller import Caller
from tests.escalation_helpers import add_staff, post, sign_in
from tests.test_voice import HOTLINE_NUMBER, ONCALL, OPEN, english

CALLER = "+19785550166"
ANA_PHONE = ONCALL.split(",")[0]


@pytest.fixture()
def line(make_app, redis_client):
    app = make_app(TWILIO_PHONE_NUMBER=HOTLINE_NUMBER, **OPEN)
    add_staff(redis_client, "ana", ("en", "es"), phone=ANA_PHONE)
    ana = app.test_client()
    sign_in(ana)
    return app, ana


def test_an_answered_call_is_in_the_record_with_its_duration_and_outcome(line, redis_client,
                                                                         monkeypatch):  # fmt: skip
    monkeypatch.setenv("HOTLINE_REPORT_MIN_COUNT", "1")
    app, ana = line
    caller = Caller(app.test_client(), number=CALLER)
    english(caller)
    caller.press("1")
    caller.advocate_answers(accept=True, phone=ANA_PHONE)
    caller.dial_ends("completed", "305")
    [escalation_id] = redis_client.zrange(records.OPEN, 0, -1)
    record = records.load(redis_client, escalation_id)
    assert (record.kind, record.channel, record.language) == ("call", "voice", "en")
    assert (record.status, record.assignee) == ("claimed", "ana")
    assert record.details == {"duration": "5 min 05 s"} and record.number == ""
    raw = str(redis_client.hgetall(records.record_key(escalation_id)))
    assert "5550166" not in raw and "5550166" not in str(
        records.transcript(redis_client, escalation_id)
    )
    queue = ana.get("/staff/queue.json").get_json()
    assert [row["id"] for row in queue["in_progress"]] == [escalation_id]  # theirs, in the queue
    page = ana.get(f"/staff/e/{escalation_id}").get_data(as_text=True)
    assert "Answered call" in page and "5 min 05 s" in page and "5550166" not in page
    assert post(ana, f"/staff/e/{escalation_id}/resolve", outcome="information_only"
                ).status_code == 302  # fmt: skip
    assert records.load(redis_client, escalation_id).outcome == "information_only"
    caller.hang_up()
    day = reports.local_day(record.created, "America/New_York").isoformat()
    data = ana.get("/staff/reports.json", query_string={"from": day, "to": day})
    assert data.status_code == 403  # an advocate: reports are for admins
    report = reports.compute(
        redis_client, *(reports.local_day(record.created, "America/New_York"),) * 2
    )
    assert report.by_kind == {"call": 1} and report.by_outcome == {"information_only": 1}
    assert report.contacts[day] == {"voice:en": 1}
    assert report.for_person == 0  # calls are not in the texting reply times
    assert escalation_id in redis_client.zrange(history.facet_key("channel", "voice"), 0, -1)


def test_the_callers_next_conversation_links_to_the_call(line, redis_client):
    app, ana = line
    caller = Caller(app.test_client(), number=CALLER)
    english(caller)
    caller.press("1")
    caller.advocate_answers(accept=True, phone="+16175550999")  # a phone that is nobody's
    caller.dial_ends("completed", "42")
    [call_id] = redis_client.zrange(records.OPEN, 0, -1)
    assert records.load(redis_client, call_id).status == "waiting"  # anyone sets the outcome
    assert [row["id"] for row in ana.get("/staff/queue.json").get_json()["waiting"]] == [call_id]
    from tests.escalation_helpers import ask_for_person
    from tests.phone import Texter

    ask_for_person(Texter(app.test_client(), number=CALLER))
    texting = max(redis_client.zrange(records.OPEN, 0, -1), key=int)
    assert texting != call_id  # never joined to the call
    post(ana, f"/staff/e/{texting}/claim")
    assert f"#{call_id}</a>" in ana.get(f"/staff/e/{texting}").get_data(as_text=True)


def test_no_record_when_nobody_accepted_and_a_blocked_caller_hears_911(line, redis_client):
    app, _ = line
    caller = Caller(app.test_client(), number=CALLER)
    english(caller)
    caller.press("1")
    caller.advocate_answers(accept=False, phone=ANA_PHONE)
    caller.dial_ends("completed", "20")
    assert redis_client.zcard(records.OPEN) == 0
    from hotline.store import number_key

    who = number_key(app.extensions["hotline.settings"].hash_key, CALLER)
    blocks.block(redis_client, who, "24h", "boss", "calls the line to harass")
    blocked = Caller(app.test_client(), number=CALLER)
    heard = blocked.call()
    assert "dial 9 1 1" in heard and "1, 8 8 8, 3 7 3, 7 8 8 8" in heard  # then put through
