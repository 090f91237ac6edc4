"""The advocate's workspace (issue 16) through Flask's test client and a real Redis: notes,
hand-offs, unread badges, the queue's order and time zone, canned replies, resource cards."""

from __future__ import annotations

import html
import io
import threading
import wave
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.escalations import accounts, audit, handoffs, notes, queue, records
from hotline.escalations.queue import QueueError
from hotline.escalations.senders import read_outbox
from hotline.staff import present
from tests.escalation_helpers import add_staff, ask_for_person, only_id, post, run_jobs, sign_in
from tests.phone import Texter

NOTE = "Mentioned a cousin in Lowell; call back after 6 pm"


@pytest.fixture()
def texter(app):
    return Texter(app.test_client(), number="+19785550166")


@pytest.fixture()
def ben(app, redis_client):
    add_staff(redis_client, "ben", ("en",), phone="")
    client = app.test_client()
    assert sign_in(client, "ben").status_code == 302
    return client


def claimed(ana, texter, redis_client) -> str:
    ask_for_person(texter)
    escalation_id = only_id(redis_client)
    assert post(ana, f"/staff/e/{escalation_id}/claim").status_code == 302
    return escalation_id


def page(client, escalation_id: str, query: str = "") -> str:
    return client.get(f"/staff/e/{escalation_id}{query}").get_data(as_text=True)


# -- notes --------------------------------------------------------------------------------------
def test_a_note_is_sealed_at_rest_shown_to_staff_audited_and_never_sent(
    app, ana, ben, texter, redis_client
):
    escalation_id = claimed(ana, texter, redis_client)
    assert post(ana, f"/staff/e/{escalation_id}/notes", note=NOTE).status_code == 302

    raw = redis_client.lrange(notes.notes_key(escalation_id), 0, -1)
    assert len(raw) == 1 and "cousin" not in raw[0] and "Lowell" not in raw[0]
    for k in redis_client.scan_iter(count=1000):  # nowhere in Redis in clear, in any type
        dump = redis_client.dump(k) or b""
        assert b"cousin" not in dump, k
    seen_by_ben = page(ben, escalation_id)
    assert html.escape(NOTE) in seen_by_ben and "· ana" in seen_by_ben
    [line] = [e for e in audit.recent(redis_client) if e["action"] == "note"]
    assert line["who"] == "ana" and line["escalation"] == escalation_id
    assert "cousin" not in str(audit.recent(redis_client))
    run_jobs(app)
    assert not any("cousin" in item["body"] for item in read_outbox(redis_client))
    assert not any("cousin" in e.text for e in records.transcript(redis_client, escalation_id))


def test_notes_and_hand_off_notes_are_escaped_on_every_page(ana, ben, texter, redis_client):
    escalation_id = claimed(ana, texter, redis_client)
    attack = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    post(ana, f"/staff/e/{escalation_id}/notes", note=attack)
    post(ana, f"/staff/e/{escalation_id}/handoff", to="ben", note=attack)
    for body in (page(ben, escalation_id), ben.get("/staff/").get_data(as_text=True)):
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_an_empty_note_is_refused_and_nothing_is_kept(ana, texter, redis_client):
    escalation_id = claimed(ana, texter, redis_client)
    response = post(ana, f"/staff/e/{escalation_id}/notes", note=" \x00 \n ")
    assert response.status_code == 302
    assert redis_client.llen(notes.notes_key(escalation_id)) == 0
    assert "Write something first." in page(ana, escalation_id)


def test_notes_go_with_delete_and_expire_with_the_resolved_record(ana, texter, redis_client):
    escalation_id = claimed(ana, texter, redis_client)
    post(ana, f"/staff/e/{escalation_id}/notes", note=NOTE)
    post(ana, f"/staff/e/{escalation_id}/resolve", outcome="connected")
    ttl = redis_client.ttl(notes.notes_key(escalation_id))
    assert 0 < ttl <= 30 * 86400 and abs(ttl - redis_client.ttl(records.log_key(escalation_id))) < 5

    other = Texter(texter.client, number="+19785550167")
    ask_for_person(other)
    second = max(redis_client.zrange(records.OPEN, 0, -1), key=int)
    post(ana, f"/staff/e/{second}/notes", note=NOTE)
    other.send("DELETE")
    assert not redis_client.exists(notes.notes_key(second))
    assert post(ana, f"/staff/e/{second}/notes", note=NOTE).status_code == 302
    assert not redis_client.exists(notes.notes_key(second))  # erased: no notes any more


# -- hand-offs ------------------------------------------------------------------------------------
def test_hand_off_to_a_colleague_who_sees_the_note_first(ana, ben, texter, redis_client):
    escalation_id = claimed(ana, texter, redis_client)
    response = post(ana, f"/staff/e/{escalation_id}/handoff", to="ben", note=NOTE)
    assert response.status_code == 302 and response.location.endswith("/staff/")

    record = records.load(redis_client, escalation_id)
    assert (record.status, record.assignee, record.handoff_from) == ("claimed", "ben", "ana")
    assert "cousin" not in str(redis_client.hgetall(records.record_key(escalation_id)))
    row = ben.get("/staff/queue.json").get_json()["in_progress"][0]
    assert row["mine"] and row["handoff"]["from"] == "ana" and row["handoff"]["note"] == NOTE
    assert ana.get("/staff/queue.json").get_json()["in_progress"][0]["handoff"] is None
    ben_page = page(ben, escalation_id)
    top = ben_page.index('id="handoff-note"')
    assert top < ben_page.index('id="transcript"') and top < ben_page.index("<dl")
    assert html.escape(NOTE) in ben_page[top:] and "Handed to you by ana" in ben_page
    assert "Release back to the queue" in ben_page  # ben holds it now: he may reply, resolve
    assert "claim this conversation" not in post(
        ben, f"/staff/e/{escalation_id}/reply", text="Hi, this is Ben."
    ).get_data(as_text=True)
    [line] = [e for e in audit.recent(redis_client) if e["action"] == "hand off"]
    assert line["who"] == "ana" and line["detail"] == "ben"


def test_hand_off_back_to_the_queue_then_anyone_claims_it(ana, ben, texter, redis_client):
    escalation_id = claimed(ana, texter, redis_client)
    post(ana, f"/staff/e/{escalation_id}/handoff", to="queue", note=NOTE)
    record = records.load(redis_client, escalation_id)
    assert record.status == "waiting" and record.assignee == ""
    assert redis_client.zscore(records.WAITING, escalation_id) is not None
    row = ben.get("/staff/queue.json").get_json()["waiting"][0]
    assert row["handoff"]["note"] == NOTE and row["handoff"]["to"] == ""
    post(ben, f"/staff/e/{escalation_id}/claim")
    assert records.load(redis_client, escalation_id).assignee == "ben"


def test_hand_off_refused_to_unknown_or_disabled_staff_and_by_a_non_holder(
    ana, ben, texter, redis_client
):
    escalation_id = claimed(ana, texter, redis_client)
    add_staff(redis_client, "cy", ("en",))
    accounts.disable(redis_client, "cy")
    post(ana, f"/staff/e/{escalation_id}/handoff", to="cy", note=NOTE)
    assert "That colleague's account is disabled." in html.unescape(page(ana, escalation_id))
    for nobody in ("nobody", "session:x", "../ben", "ben\x00"):
        post(ana, f"/staff/e/{escalation_id}/handoff", to=nobody, note=NOTE)
        assert "There is no such colleague." in page(ana, escalation_id), nobody
    post(ana, f"/staff/e/{escalation_id}/handoff", to="ben", note="   ")
    assert "Write a note for whoever takes it next." in page(ana, escalation_id)
    post(ben, f"/staff/e/{escalation_id}/handoff", to="ben", note=NOTE)
    assert "Someone else has claimed this conversation." in page(ben, escalation_id)
    assert records.load(redis_client, escalation_id).assignee == "ana"
    assert redis_client.llen(notes.notes_key(escalation_id)) == 0


def _race(*calls) -> list[str]:
    """Run the calls at once (a barrier releases them together); each one's result."""
    barrier = threading.Barrier(len(calls))
    results: list[str] = [""] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            call()
            results[i] = "ok"
        except QueueError as exc:
            results[i] = exc.result

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_claims_racing_for_a_handed_back_conversation_one_wins(
    ana, texter, redis_client, redis_url
):
    from hotline.store import connect

    escalation_id = claimed(ana, texter, redis_client)
    ana_staff = accounts.get(redis_client, "ana")
    handoffs.hand_off(redis_client, escalation_id, ana_staff, "", NOTE)
    one, two = (connect(redis_url, timeout=5.0) for _ in range(2))
    for _ in range(5):  # a few rounds: the race must hold every time, not by luck
        results = _race(
            lambda: queue.claim(one, escalation_id, "ben"),
            lambda: queue.claim(two, escalation_id, "cy"),
        )
        assert sorted(results) == ["ok", "taken"]
        winner = records.load(redis_client, escalation_id).assignee
        assert winner in ("ben", "cy")
        queue.release(redis_client, escalation_id, winner)


def test_two_hand_offs_racing_one_wins_and_one_person_holds_it(
    ana, texter, redis_client, redis_url
):
    from hotline.store import connect

    escalation_id = claimed(ana, texter, redis_client)
    for name in ("ben", "cy"):
        add_staff(redis_client, name, ("en",))
    add_staff(redis_client, "lead", ("en",), role="admin")
    ana_staff, lead = accounts.get(redis_client, "ana"), accounts.get(redis_client, "lead")
    clients = [connect(redis_url, timeout=5.0) for _ in range(2)]
    results = _race(
        lambda: handoffs.hand_off(clients[0], escalation_id, ana_staff, "ben", "to ben"),
        lambda: handoffs.hand_off(clients[1], escalation_id, ana_staff, "cy", "to cy"),
    )
    assert sorted(results) == ["ok", "taken"]
    holder = records.load(redis_client, escalation_id).assignee
    assert holder in ("ben", "cy")
    [kept] = notes.for_escalation(redis_client, escalation_id)
    assert kept.text == f"to {holder}" and kept.kind == "handoff"
    handoffs.hand_off(redis_client, escalation_id, lead, "ana", "admin moves it back")
    assert records.load(redis_client, escalation_id).assignee == "ana"


# -- the queue on a phone -----------------------------------------------------------------------
def test_unread_badge_counts_texter_messages_since_this_advocate_opened_it(
    ana, ben, texter, redis_client
):
    escalation_id = claimed(ana, texter, redis_client)
    page(ana, escalation_id)
    texter.send("are you there?")
    texter.send("please answer")

    def unread(client):
        rows = client.get("/staff/queue.json").get_json()["in_progress"]
        return {r["id"]: r["unread"] for r in rows}[escalation_id]

    assert unread(ana) == 2 and unread(ben) == 2
    assert 'aria-label="2 new messages"' in ana.get("/staff/").get_data(as_text=True)
    etag = ana.get("/staff/queue.json").headers["ETag"]
    ana.get(f"/staff/e/{escalation_id}.json")  # the open page's poll: she sees them
    assert ana.get("/staff/queue.json", headers={"If-None-Match": etag}).status_code == 200
    assert unread(ana) == 0 and unread(ben) == 2
    texter.send("hello?")
    assert unread(ana) == 1


def test_queue_cards_put_mine_first_then_urgent_then_language(app, ana, redis_client):
    mine_texter = Texter(app.test_client(), number="+19785550171")
    ask_for_person(mine_texter)
    mine = only_id(redis_client)
    post(ana, f"/staff/e/{mine}/claim")
    routine = Texter(app.test_client(), number="+19785550172")
    ask_for_person(routine)
    urgent = Texter(app.test_client(), number="+19785550173")
    urgent.send("he has a gun and says he will kill me")
    ids = {int(i) for i in redis_client.zrange(records.OPEN, 0, -1)}
    urgent_id = str(max(ids))
    routine_id = str(sorted(ids)[1])
    assert records.load(redis_client, urgent_id).priority == 1
    body = ana.get("/staff/").get_data(as_text=True)
    assert "<table" not in body
    positions = [body.index(f"Open #{i}<") for i in (mine, urgent_id, routine_id)]
    assert positions == sorted(positions)
    assert body.index('id="mine"') < body.index('id="waiting"')
    assert body.index(f"Open #{mine}<") < body.index('id="waiting"')


def test_times_show_in_the_hotline_time_zone(make_app, redis_client):
    at = datetime(2026, 1, 15, 17, 30, tzinfo=ZoneInfo("UTC")).timestamp()
    assert present.local(at, "America/New_York").hour == 12
    assert present.clock(at, "America/New_York").endswith("12:30")
    assert present.clock(at, "UTC").endswith("17:30")
    app = make_app(HOTLINE_TIMEZONE="America/Los_Angeles")
    add_staff(redis_client, "ana")
    client = app.test_client()
    sign_in(client)
    Texter(app.test_client(), number="+19785550174").send("I need to talk to a person please now")
    escalation_id = only_id(redis_client)
    record = records.load(redis_client, escalation_id)
    expected = datetime.fromtimestamp(record.created, ZoneInfo("America/Los_Angeles"))
    body = client.get(f"/staff/e/{escalation_id}").get_data(as_text=True)
    assert expected.strftime("%a %H:%M") in body and "America/Los_Angeles" in body
    row = client.get("/staff/queue.json").get_json()["waiting"][0]
    assert row["since"] == expected.strftime("%a %H:%M")


def test_the_alert_sound_is_a_small_wav_served_to_staff_only(client, ana):
    assert client.get("/staff/alert.wav").status_code in (302, 401)
    response = ana.get("/staff/alert.wav")
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    with wave.open(io.BytesIO(response.data)) as wav:
        assert wav.getnchannels() == 1 and 0.2 < wav.getnframes() / wav.getframerate() < 1.0
    assert len(response.data) < 8000
    body = ana.get("/staff/").get_data(as_text=True)
    assert "queue.js" in body and "Turn on urgent alerts" in body and "<script>" not in body


# -- the conversation: language, canned replies, resource cards -----------------------------------
def test_language_by_name_and_whether_anyone_on_duty_speaks_it(ana, ben, texter, redis_client):
    escalation_id = claimed(ana, texter, redis_client)
    redis_client.hset(records.record_key(escalation_id), "language", "es")
    body = page(ben, escalation_id)
    assert "Spanish · on duty who speak it: ana" in body
    redis_client.hset(records.record_key(escalation_id), "language", "pt")
    assert "Portuguese · <strong>nobody on duty speaks it</strong>" in page(ben, escalation_id)


def test_canned_reply_in_the_texters_language_or_english_said_so(ana, texter, redis_client):
    escalation_id = claimed(ana, texter, redis_client)
    body = page(ana, escalation_id, "?insert=safe_now")
    assert ">Hi, thanks for writing. Are you safe right now?" in body
    redis_client.hset(records.record_key(escalation_id), "language", "es")
    body = page(ana, escalation_id, "?insert=safe_now")
    assert ">Hola, gracias por escribir." in body and "(draft translation)" in body
    redis_client.hset(records.record_key(escalation_id), "language", "km")
    body = page(ana, escalation_id, "?insert=safe_now")
    assert ">សួស្តី អរគុណដែលបានសរសេរមក។" in body and "(draft translation)" in body
    # A language with no text of its own (a record from before a language was dropped):
    redis_client.hset(records.record_key(escalation_id), "language", "kea")
    body = page(ana, escalation_id, "?insert=safe_now")
    assert (
        ">Hi, thanks for writing." in body and "(English: no Cabo Verdean Creole text yet)" in body
    )


def test_a_canned_reply_sent_reaches_the_texter(app, ana, texter, redis_client):
    escalation_id = claimed(ana, texter, redis_client)
    body = page(ana, escalation_id, "?insert=when_to_call")
    text = html.unescape(body.split('id="reply"')[1].split(">", 1)[1].split("</textarea>")[0])
    assert text.startswith("Thanks. When is it safe for us to call you?")
    post(ana, f"/staff/e/{escalation_id}/reply", text=text + " Ana")
    run_jobs(app)
    assert any(item["body"] == text + " Ana" for item in read_outbox(redis_client))


def test_resource_cards_are_the_texters_sms_formatting_never_staff_only(
    ana, texter, redis_client, shipped
):
    escalation_id = claimed(ana, texter, redis_client)
    data = ana.get(f"/staff/e/{escalation_id}/cards.json?where=01852").get_json()
    assert data["status"] == "found" and data["cards"]
    from hotline.engine.segments import segment_count

    for card in data["cards"]:
        assert card["text"].split()[0] in ("Call", "Text"), card  # the number first
        assert segment_count(card["text"]) <= 2
        assert "Homeland" not in card["text"] and "HSI" not in card["name"]
    shelters = ana.get(f"/staff/e/{escalation_id}/cards.json?where=Lowell&category=shelter")
    assert all(c["id"] for c in shelters.get_json()["cards"])
    redis_client.hset(records.record_key(escalation_id), "language", "es")
    spanish = ana.get(f"/staff/e/{escalation_id}/cards.json?where=01852").get_json()["cards"]
    assert spanish[0]["text"].split()[0] in ("Llame", "Envíe", "Envie", "Llame/envíe")
    nowhere = ana.get(f"/staff/e/{escalation_id}/cards.json?where=zzzz").get_json()
    assert nowhere["status"] == "not_found" and nowhere["cards"] == []
    first = spanish[0]
    body = page(ana, escalation_id, f"?where=01852&card={first['id']}")
    assert html.escape(first["text"]).split("\n")[0] in body.split('id="reply"')[1]


# -- flows/replies.yaml is checked like the flows --------------------------------------------------
BAD_REPLIES = """\
draft: [es, xx]
replies:
  - id: ok
    label: "Fine"
    text: {en: "Hi, thanks for writing."}
  - id: ok
    label: "Used twice"
    text: {en: "Hi again."}
  - id: reveal
    label: "Opens with a revealing word"
    text: {en: "Trafficking help is here for you.", es: "Hola."}
  - id: claim
    label: "Spanish may not say text 911"
    text: {en: "Hi. Call or text 911.", es: "Hola. Envie un texto al 911."}
  - id: holes
    label: "Unknown placeholder"
    text: {en: "Hi {name}, thanks."}
  - id: long
    label: "Too long"
    text: {en: "%s"}
  - id: spanish_only
    label: "No English"
    text: {es: "Hola."}
"""


def test_flows_check_holds_canned_replies_to_the_text_rules(tmp_path):
    import shutil

    from hotline.flows import check
    from tests.conftest import ROOT

    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    assert check(flows, {"program": "Community Info Line"}) == []
    (flows / "replies.yaml").write_text(BAD_REPLIES % ("word " * 70), encoding="utf-8")
    issues = [str(i) for i in check(flows, {"program": "Community Info Line"})]
    expected = {
        ":1: language 'xx' is not declared": 1,
        ":6: reply id 'ok' is used twice": 1,
        ":11: reveal: opens with revealing word(s) ['trafficking']": 1,
        ":14: claim: says 'texto al 911'": 1,
        ":17: holes: unknown placeholder(s) ['name']": 1,
        ":20: long: SMS text is 3 segments": 1,
        ":23: spanish_only: needs a 'en' text": 1,
    }
    for fragment in expected:
        assert any(fragment in issue and "replies.yaml" in issue for issue in issues), (
            fragment,
            issues,
        )
    assert len(issues) == len(expected), issues


def test_on_duty_means_on_call_or_signed_in_now(app, ana, redis_client):
    from hotline.escalations import staff_sessions

    add_staff(redis_client, "ben", ("en",), phone="")  # never signed in, off call
    add_staff(redis_client, "cy", ("en",), phone="+16175550112")  # on call, not signed in
    assert staff_sessions.signed_in(redis_client, ["ana", "ben", "cy"]) == {"ana"}
    post(ana, "/staff/logout")
    assert staff_sessions.signed_in(redis_client, ["ana", "ben", "cy"]) == set()


def test_delete_erases_a_hand_off_note_kept_on_the_record(ana, texter, redis_client):
    escalation_id = claimed(ana, texter, redis_client)
    post(ana, f"/staff/e/{escalation_id}/handoff", to="queue", note=NOTE)
    assert records.load(redis_client, escalation_id).handoff_note == NOTE
    texter.send("DELETE")
    record = records.load(redis_client, escalation_id)
    assert record.handoff_note == "" and record.erased
    assert not redis_client.exists(notes.notes_key(escalation_id))


def test_section_counts_say_how_many_beyond_the_page(ana, redis_client):
    import time as clock

    from hotline.escalations.records import Escalation

    for i in range(1, queue.PAGE + 6):
        records.save_new(redis_client, Escalation(str(i), "sms", "en", 3, "r", "help", f"w{i}",
                                                  created=clock.time() - 1000 + i))  # fmt: skip
    body = ana.get("/staff/").get_data(as_text=True)
    assert f'id="n-waiting">{queue.PAGE + 5} (first {queue.PAGE} shown)<' in body
    assert body.count('class="card p3') == queue.PAGE
