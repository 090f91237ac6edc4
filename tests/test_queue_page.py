"""The dashboard's queue poll costs the same with 5 or 5,000 open (issue 14).

An unchanged queue answers 304 from a version counter; a changed one sends a page per
section read from per-section, per-language sorted sets, never every record.
"""

from __future__ import annotations

import time

from hotline.escalations import queue, records
from hotline.escalations.records import Escalation
from tests.escalation_helpers import ask_for_person, post
from tests.phone import Texter
from tests.test_round_trips import round_trips


def _open(r, n: int, start: int = 1, language: str = "en", priority: int = 3, kind="help"):
    now = time.time()
    for i in range(start, start + n):
        record = Escalation(str(i), "sms", language, priority, "r", kind, f"w{i}",
                            created=now - 10_000 + i, number=f"+1978555{i:04d}")  # fmt: skip
        records.save_new(r, record)


def test_an_unchanged_queue_answers_304_from_its_version_alone(ana, redis_client):
    _open(redis_client, 50)
    first = ana.get("/staff/queue.json")
    assert first.status_code == 200 and first.headers["ETag"]
    etag = first.headers["ETag"]
    with round_trips() as count:
        again = ana.get("/staff/queue.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    assert count[0] <= 2  # the staff session with its account, the version: no record
    records.append(redis_client, "7", records.Entry(at=time.time(), by="texter", text="hi"))
    changed = ana.get("/staff/queue.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_changed_poll_reads_one_page_whatever_the_number_open(ana, redis_client):
    _open(redis_client, 40)
    with round_trips() as small:
        body = ana.get("/staff/queue.json").get_json()
    assert len(body["waiting"]) == min(40, queue.PAGE)
    _open(redis_client, 400, start=41)
    _open(redis_client, 1, start=999, language="es")  # the newest, but in the viewer's language
    with round_trips() as large:
        body = ana.get("/staff/queue.json").get_json()
    assert large[0] == small[0] <= 4
    assert len(body["waiting"]) == queue.PAGE
    assert body["totals"] == {"waiting": 441, "tips": 0, "in_progress": 0}
    ids = [row["id"] for row in body["waiting"]]
    assert ids[:3] == ["1", "2", "3"]  # ana reads en and es: oldest first
    assert (
        body["waiting"][0]["number"].endswith("01") and "+1978" not in body["waiting"][0]["number"]
    )


def test_the_viewers_languages_come_first_even_from_deep_in_the_queue(app, redis_client):
    from tests.escalation_helpers import add_staff, sign_in

    add_staff(redis_client, "luz", ("es",))
    client = app.test_client()
    sign_in(client, "luz")
    _open(redis_client, 100)
    _open(redis_client, 2, start=500, language="es")
    _open(redis_client, 1, start=600, language="en", priority=1)
    ids = [row["id"] for row in client.get("/staff/queue.json").get_json()["waiting"]]
    assert ids[:4] == ["600", "500", "501", "1"]


def test_sections_follow_claim_release_resolve_tips_and_delete(ana, app, redis_client):
    texter = Texter(app.test_client())
    ask_for_person(texter)
    tipster = Texter(app.test_client(), number="+19785550999")
    tipster.send("hello")
    tipster.send("3")
    tipster.send("Two women never leave the shop")
    tipster.send("Main St, Lowell")
    tipster.send("no")
    tipster.send("no")

    def sections():
        body = ana.get("/staff/queue.json").get_json()
        return {k: [r["id"] for r in body[k]] for k in ("waiting", "tips", "in_progress")}

    assert sections() == {"waiting": ["1"], "tips": ["2"], "in_progress": []}
    post(ana, "/staff/e/1/claim")
    assert sections() == {"waiting": [], "tips": ["2"], "in_progress": ["1"]}
    post(ana, "/staff/e/1/release")
    assert sections() == {"waiting": ["1"], "tips": ["2"], "in_progress": []}
    post(ana, "/staff/e/2/claim")
    post(ana, "/staff/e/2/resolve", outcome="referred")
    assert sections() == {"waiting": ["1"], "tips": [], "in_progress": []}
    texter.send("DELETE")
    assert sections() == {"waiting": [], "tips": [], "in_progress": []}


def test_an_urgent_join_moves_the_escalation_up_its_section(ana, app, redis_client):
    _open(redis_client, 5, start=100, priority=2)
    texter = Texter(app.test_client())
    ask_for_person(texter)  # priority 2, the newest: last
    body = ana.get("/staff/queue.json").get_json()
    assert body["waiting"][-1]["id"] == "1" and body["waiting"][-1]["priority"] == 2
    texter.send("menu")
    texter.send("he is outside with a gun, help")
    body = ana.get("/staff/queue.json").get_json()
    assert body["waiting"][0]["id"] == "1" and body["waiting"][0]["priority"] == 1


def test_open_escalations_from_before_the_index_are_listed_at_start(make_app, redis_client):
    _open(redis_client, 3)
    queue.claim(redis_client, "2", "ana")
    for section in records.SECTIONS:
        redis_client.delete(records.section_key(section, "en"))
    for i in ("1", "2", "3"):
        redis_client.hdel(records.record_key(i), "number_tail")
    redis_client.delete(queue.SECTIONS_READY)  # as data written by an earlier version
    make_app()
    view = queue.view_for(redis_client, ("en",))
    assert [e.id for e in view.waiting] == ["1", "3"] and [e.id for e in view.in_progress] == ["2"]
    assert [e.number_tail for e in view.waiting] == ["01", "03"]  # filled in, unsealed once


def test_reading_a_conversation_clears_its_unread_badge_on_the_next_poll(ana, app):
    texter = Texter(app.test_client())
    ask_for_person(texter)
    texter.send("are you there?")
    first = ana.get("/staff/queue.json")
    [row] = first.get_json()["waiting"]
    assert row["unread"] >= 1
    assert ana.get("/staff/e/1").status_code == 200  # ana reads it
    again = ana.get("/staff/queue.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.get_json()["waiting"][0]["unread"] == 0
