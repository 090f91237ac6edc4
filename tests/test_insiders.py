"""Safe from insiders (issue 12): sessions that end, throttles that cannot lock staff out,
need-to-know reveals, an audit log that cannot be flushed or quietly edited."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from hotline.escalations import accounts, audit, records, staff_sessions
from hotline.escalations.cli import staff as staff_cli
from hotline.escalations.senders import read_outbox
from tests.escalation_helpers import (
    PASSWORD,
    add_staff,
    ask_for_person,
    csrf_of,
    only_id,
    post,
    run_jobs,
    sign_in,
)
from tests.phone import Texter

TEXTER = "+19785550187"


@pytest.fixture()
def texter(app):
    return Texter(app.test_client(), number=TEXTER)


def signed_in(app, r, name, role="advocate", phone="+16175550111"):
    add_staff(r, name, ("en", "es"), role=role, phone=phone)
    client = app.test_client()
    assert sign_in(client, name).status_code == 302
    return client


def login_from(client, address: str, name: str, password: str):
    token = csrf_of(client)
    return client.post(
        "/staff/login", data={"name": name, "password": password, "csrf": token},
        environ_base={"REMOTE_ADDR": address},
    )  # fmt: skip


# -- 5. staff sessions that end --------------------------------------------------------------
def test_a_cookie_replayed_after_sign_out_reveals_nothing(app, redis_client, texter):
    ask_for_person(texter)
    page = f"/staff/e/{only_id(redis_client)}"
    ana = signed_in(app, redis_client, "ana")
    post(ana, f"{page}/claim")
    stolen = ana.get_cookie("session", path="/staff").value
    token = csrf_of(ana, "/staff/")
    assert post(ana, "/staff/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen, path="/staff")
    response = thief.post(f"{page}/reveal", data={"csrf": token, "reason": "calling back now"})
    assert response.status_code in (302, 400) and TEXTER not in response.get_data(as_text=True)
    assert thief.get("/staff/").status_code == 302


def test_the_cookie_holds_only_a_random_session_id(app, redis_client):
    ana = signed_in(app, redis_client, "ana")
    value = ana.get_cookie("session", path="/staff").value
    assert "ana" not in value and "." not in value and len(value) >= 40
    # and the server keeps it under a hash of that id, never the id itself
    assert not any(value in k for k in redis_client.scan_iter("hotline:*"))


def test_a_password_change_ends_every_session_of_that_person(app, redis_client):
    laptop = signed_in(app, redis_client, "ana")
    phone = app.test_client()
    sign_in(phone, "ana")
    ben = signed_in(app, redis_client, "ben")
    result = CliRunner().invoke(
        staff_cli, ["passwd", "ana"], input="another long one\nanother long one\n",
        env=_cli_env(app),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert laptop.get("/staff/").status_code == 302 and phone.get("/staff/").status_code == 302
    assert ben.get("/staff/").status_code == 200


def test_staff_disable_ends_sessions_and_refuses_sign_in(app, redis_client):
    ana = signed_in(app, redis_client, "ana")
    result = CliRunner().invoke(staff_cli, ["disable", "ana"], env=_cli_env(app))
    assert result.exit_code == 0, result.output
    assert ana.get("/staff/").status_code == 302
    again = sign_in(app.test_client(), "ana")
    assert again.status_code == 401
    assert accounts.get(redis_client, "ana").disabled
    assert CliRunner().invoke(staff_cli, ["enable", "ana"], env=_cli_env(app)).exit_code == 0
    assert sign_in(app.test_client(), "ana").status_code == 302


def test_an_idle_session_ends(app, redis_client):
    ana = signed_in(app, redis_client, "ana")
    [session] = staff_sessions.all_for(redis_client, "ana")
    staff_sessions.touch(redis_client, session.key, at=time.time() - 31 * 60)
    assert ana.get("/staff/").status_code == 302


def test_a_session_ends_its_lifetime_after_sign_in_even_when_busy(app, redis_client):
    ana = signed_in(app, redis_client, "ana")
    [session] = staff_sessions.all_for(redis_client, "ana")
    redis_client.hset(session.key, "created", time.time() - 13 * 3600)  # 12 h by default
    assert ana.get("/staff/").status_code == 302
    assert staff_sessions.all_for(redis_client, "ana") == []


def _cli_env(app) -> dict[str, str]:
    return {"REDIS_URL": app.config["REDIS_URL"], "HOTLINE_ENV": "test",
            "HOTLINE_SECRET_KEY": "test-secret-key-0123456789"}  # fmt: skip


# -- 6. a throttle that cannot lock staff out --------------------------------------------------
def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out(app, redis_client):
    add_staff(redis_client, "ana")
    attacker = app.test_client()
    for _ in range(8):
        login_from(attacker, "203.0.113.9", "ana", "wrong password!")
    throttled = login_from(attacker, "203.0.113.9", "ana", "wrong password!")
    assert throttled.status_code == 429 and "try again" in throttled.get_data(as_text=True)
    assert int(throttled.headers["Retry-After"]) > 0
    owner = login_from(app.test_client(), "198.51.100.7", "ana", PASSWORD)
    assert owner.status_code == 302


def test_the_delay_grows_with_repeated_breaches(app, redis_client, monkeypatch):
    monkeypatch.setenv("HOTLINE_SIGNIN_LIMITS", "2 per 2 seconds;4 per hour")
    add_staff(redis_client, "ana")
    client = app.test_client()
    for _ in range(2):
        assert login_from(client, "203.0.113.9", "ana", "wrong password!").status_code == 401
    first = login_from(client, "203.0.113.9", "ana", "wrong password!")
    assert first.status_code == 429 and int(first.headers["Retry-After"]) <= 2
    time.sleep(2.2)
    for _ in range(2):
        login_from(client, "203.0.113.9", "ana", "wrong password!")
    later = login_from(client, "203.0.113.9", "ana", PASSWORD)
    assert later.status_code == 429 and int(later.headers["Retry-After"]) > 60


def test_failed_sign_ins_are_counted_not_logged_line_by_line(app, redis_client):
    add_staff(redis_client, "ana")
    for i in range(30):
        login_from(app.test_client(), f"192.0.2.{i + 1}", f"user{i % 3}x", "wrong password!")
    assert not [e for e in audit.recent(redis_client, 1000) if "fail" in e["action"]]
    assert sum(audit.failures(redis_client, days=1).values()) == 30


# -- 3. need-to-know reveals -------------------------------------------------------------------
def test_only_the_holder_and_admins_may_reveal_a_number(app, redis_client, texter):
    ask_for_person(texter)
    page = f"/staff/e/{only_id(redis_client)}"
    ana, ben = signed_in(app, redis_client, "ana"), signed_in(app, redis_client, "ben")
    reason = "calling back as agreed"
    assert TEXTER not in post(ana, f"{page}/reveal", reason=reason).get_data(as_text=True)
    post(ben, f"{page}/claim")
    refused = post(ana, f"{page}/reveal", reason=reason)
    assert refused.status_code == 403 and TEXTER not in refused.get_data(as_text=True)
    assert TEXTER in post(ben, f"{page}/reveal", reason=reason).get_data(as_text=True)
    boss = signed_in(app, redis_client, "boss", role="admin", phone="")
    assert TEXTER in post(boss, f"{page}/reveal", reason=reason).get_data(as_text=True)


@pytest.mark.parametrize("reason", ["\x00\x00\x00\x00", "    ", "abcd", "x" * 3, "\u200b" * 12])
def test_a_reveal_needs_a_real_reason(app, redis_client, texter, reason):
    ask_for_person(texter)
    page = f"/staff/e/{only_id(redis_client)}"
    ana = signed_in(app, redis_client, "ana")
    post(ana, f"{page}/claim")
    assert TEXTER not in post(ana, f"{page}/reveal", reason=reason).get_data(as_text=True)


def test_reveals_are_rate_limited_and_admins_are_alerted(app, redis_client):
    boss = signed_in(app, redis_client, "boss", role="admin", phone="+16175550199")
    ids = []
    for i in range(7):
        ask_for_person(Texter(app.test_client(), number=f"+1978555{i:04d}"))
        ids = redis_client.zrange(records.OPEN, 0, -1)
    shown = [
        f"+1978555{i:04d}"
        in post(boss, f"/staff/e/{eid}/reveal", reason="calling back now").get_data(as_text=True)
        for i, eid in enumerate(ids)
    ]
    assert shown[:5] == [True] * 5 and shown[-1] is False
    run_jobs(app)
    alerts = [m for m in read_outbox(redis_client) if m["to"] == "+16175550199"]
    assert any("reveal" in m["body"] for m in alerts)
    assert any(e["action"] == "unusual reveal rate" for e in audit.recent(redis_client))


# -- 4. an audit log that cannot be flushed or quietly edited ----------------------------------
def test_repeated_views_are_recorded_once_per_interval(app, redis_client, texter):
    ask_for_person(texter)
    ana = signed_in(app, redis_client, "ana")
    before = len(audit.recent(redis_client, 10_000))
    for _ in range(400):
        ana.get(f"/staff/e/{only_id(redis_client)}")
    opened = [e for e in audit.recent(redis_client, 10_000) if e["action"] == "open"]
    assert len(opened) == 1 and len(audit.recent(redis_client, 10_000)) == before + 1


def test_audit_verify_detects_a_removed_or_changed_entry(app, redis_client):
    for i in range(5):
        audit.record(redis_client, "ana", "claim", str(i))
    env = _cli_env(app)
    ok = CliRunner().invoke(_main(), ["audit", "verify"], env=env)
    assert ok.exit_code == 0 and "5 entries" in ok.output, ok.output
    entries = redis_client.xrange(audit.AUDIT)
    redis_client.xdel(audit.AUDIT, entries[2][0])
    removed = CliRunner().invoke(_main(), ["audit", "verify"], env=env)
    assert removed.exit_code == 1 and "missing or changed" in removed.output


def test_audit_verify_with_a_kept_head_detects_the_newest_entries_cut_off(app, redis_client):
    for i in range(4):
        audit.record(redis_client, "ana", "claim", str(i))
    head = audit.verify(redis_client).head
    audit.record(redis_client, "ana", "reveal number", "9", "calling back now")
    assert audit.verify(redis_client, expect_head=head).ok
    # someone with Redis access drops the two newest entries and rewinds the head
    entries = redis_client.xrange(audit.AUDIT)
    for entry_id, _ in entries[-2:]:
        redis_client.xdel(audit.AUDIT, entry_id)
    _, fields = entries[-3]
    redis_client.hset(audit.HEAD, mapping={"seq": fields["seq"], "mac": fields["mac"]})
    assert audit.verify(redis_client).ok  # undetectable without the kept head...
    assert not audit.verify(redis_client, expect_head=head).ok  # ...detected with it


def test_audit_verify_detects_a_changed_field(app, redis_client):
    for i in range(3):
        audit.record(redis_client, "ana", "claim", str(i))
    entries = redis_client.xrange(audit.AUDIT)
    redis_client.delete(audit.AUDIT)
    for entry_id, fields in entries:
        if fields["escalation"] == "1":
            fields = {**fields, "who": "ben"}
        redis_client.xadd(audit.AUDIT, fields, id=entry_id)
    assert not audit.verify(redis_client).ok


def test_audit_entries_are_kept_by_time_not_by_count(app, redis_client):
    year = 365 * 86400
    now = time.time()
    audit.record(redis_client, "ana", "claim", "1", now=now - year - 86400)
    for i in range(300):
        audit.record(redis_client, "ana", "claim", str(i + 2), now=now - 10)
    assert audit.trim(redis_client, days=365, now=now) == 1
    assert len(audit.recent(redis_client, 10_000)) == 300
    assert audit.verify(redis_client).ok  # the chain still verifies from its anchor


def _main():
    from hotline.cli import main

    return main


# -- 10. small ones ------------------------------------------------------------------------
def test_a_crlf_in_next_answers_400(app, redis_client):
    add_staff(redis_client, "ana")
    client = app.test_client()
    token = csrf_of(client)
    response = client.post(
        "/staff/login?next=/staff/%0d%0aSet-Cookie:%20x=1",
        data={"name": "ana", "password": PASSWORD, "csrf": token},
    )
    assert response.status_code == 400


def test_a_non_admin_on_the_audit_page_gets_the_page_frame(app, redis_client):
    ana = signed_in(app, redis_client, "ana")
    response = ana.get("/staff/audit")
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and "Sign out" in html and "admins" in html


def test_an_urgent_flood_cannot_grow_a_transcript_without_bound(app, redis_client, texter):
    texter.send("he will kill me")
    escalation_id = only_id(redis_client)
    filler = records.Entry(at=time.time(), by="texter", text="x").to_json()
    redis_client.rpush(records.log_key(escalation_id), *[filler] * (records.MAX_TRANSCRIPT - 5))
    for _ in range(20):
        assert "911" in texter.reply("help me he will kill me")
    assert redis_client.llen(records.log_key(escalation_id)) <= records.MAX_TRANSCRIPT
