"""The staff dashboard through Flask's test client: sign-in, CSRF, queue, conversation, audit."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hotline.escalations import accounts, audit, records
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


def test_pages_need_a_signed_in_staff_member(client):
    assert client.get("/staff/").status_code == 302
    assert client.get("/staff/queue.json").status_code == 401


def test_wrong_password_then_throttled(app, redis_client):
    add_staff(redis_client, "ana")
    client = app.test_client()
    assert sign_in(client, password="wrong password!").status_code == 401
    for _ in range(4):
        sign_in(client, password="wrong password!")
    throttled = sign_in(client)  # right password, but from where five wrong ones just came
    assert throttled.status_code == 429 and "try again in" in throttled.get_data(as_text=True)
    assert audit.failures(redis_client, days=1) and "wrong" not in str(audit.recent(redis_client))


def test_every_form_needs_the_csrf_token(app, redis_client, ana):
    assert ana.post("/staff/logout").status_code == 400
    fresh = app.test_client()
    response = fresh.post("/staff/login", data={"name": "ana", "password": PASSWORD})
    assert response.status_code == 400


def test_session_cookie_is_httponly_samesite_and_secure_in_production(make_app, redis_client):
    add_staff(redis_client, "ana")
    prod = make_app(HOTLINE_ENV="production").test_client()
    csrf_of(prod)
    cookie = prod.get_cookie("session", path="/staff")
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.secure


def test_queue_json_shows_a_new_escalation_with_a_masked_number(ana, texter, redis_client):
    ask_for_person(texter)
    data = ana.get("/staff/queue.json").get_json()
    [row] = data["waiting"]
    assert row["language"] == "en" and row["match"] and row["consent"] == "Safe to text"
    assert row["number"].endswith("87") and TEXTER not in str(data) and "5550187" not in str(data)


def test_texter_text_is_escaped_everywhere(ana, texter, redis_client):
    ask_for_person(texter, "yes", "<img src=x onerror=alert(1)>")
    texter.send("<script>alert('x')</script>")
    html = ana.get(f"/staff/e/{only_id(redis_client)}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<img src=x" not in html


def test_claim_reply_resolve_through_the_dashboard(app, ana, texter, redis_client):
    ask_for_person(texter)
    escalation_id = only_id(redis_client)
    page = f"/staff/e/{escalation_id}"
    assert "Claim this conversation to reply" in ana.get(page).get_data(as_text=True)
    assert post(ana, f"{page}/claim").status_code == 302
    assert post(ana, f"{page}/reply", text="Hello, this is Ana.").status_code == 302
    run_jobs(app)
    assert [m["body"] for m in read_outbox(redis_client) if m["kind"] == "reply"] == [
        "Hello, this is Ana."
    ]
    texter.send("hi Ana")
    entries = ana.get(f"{page}.json").get_json()["entries"]
    assert [e["text"] for e in entries if e["by"] != "system"] == ["Hello, this is Ana.", "hi Ana"]
    assert post(ana, f"{page}/resolve", outcome="connected").status_code == 302
    assert records.load(redis_client, escalation_id).outcome == "connected"
    assert "Reply with a number" in texter.reply("hello")
    actions = [line["action"] for line in audit.recent(redis_client)]
    assert {"claim", "reply", "resolve", "sign in"} <= set(actions)
    assert "Hello, this is Ana." not in str(audit.recent(redis_client))


def test_second_claimer_is_told_someone_else_has_it(app, ana, texter, redis_client):
    add_staff(redis_client, "ben", ("en",))
    ben = app.test_client()
    sign_in(ben, "ben")
    ask_for_person(texter)
    page = f"/staff/e/{only_id(redis_client)}"
    assert post(ana, f"{page}/claim").status_code == 302
    response = post(ben, f"{page}/claim")
    assert response.status_code == 409
    assert "Someone else has claimed" in response.get_data(as_text=True)
    assert records.load(redis_client, only_id(redis_client)).assignee == "ana"


def test_reveal_needs_a_reason_and_is_audited(ana, texter, redis_client):
    ask_for_person(texter)
    page = f"/staff/e/{only_id(redis_client)}"
    post(ana, f"{page}/claim")
    assert TEXTER not in ana.get(page).get_data(as_text=True)
    assert TEXTER not in post(ana, f"{page}/reveal", reason="").get_data(as_text=True)
    shown = post(ana, f"{page}/reveal", reason="calling back as agreed")
    assert TEXTER in shown.get_data(as_text=True)
    line = audit.recent(redis_client)[0]
    assert (line["who"], line["action"], line["detail"]) == (
        "ana", "reveal number", "calling back as agreed",
    )  # fmt: skip
    assert TEXTER not in str(audit.recent(redis_client))


def test_reply_box_disabled_with_the_reason_when_not_safe(ana, texter, redis_client):
    ask_for_person(texter, "no")
    escalation_id = only_id(redis_client)
    redis_client.hset(records.record_key(escalation_id), "last_inbound", 1.0)
    post(ana, f"/staff/e/{escalation_id}/claim")
    html = ana.get(f"/staff/e/{escalation_id}").get_data(as_text=True)
    assert "did not say it is safe to text them" in html
    assert 'name="text" rows="3" maxlength="1000" disabled' in html


def test_audit_page_is_for_admins(app, ana, redis_client):
    assert ana.get("/staff/audit").status_code == 403
    accounts.add(redis_client, "boss", PASSWORD, ("en",), role="admin")
    boss = app.test_client()
    sign_in(boss, "boss")
    assert "sign in" in boss.get("/staff/audit").get_data(as_text=True)


def test_cli_adds_staff_and_changes_passwords(monkeypatch, redis_url, redis_client, tmp_path):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("HOTLINE_ENV", "test")
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    args = ["add", "maria", "--languages", "en,es", "--phone", "+16175550199"]
    result = runner.invoke(staff_cli, [*args, "--role", "admin", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    made = accounts.get(redis_client, "maria")
    assert made.languages == ("en", "es") and made.is_admin and made.on_call
    assert PASSWORD not in str(redis_client.hgetall(accounts.account_key("maria")))
    result = runner.invoke(
        staff_cli, ["passwd", "maria"], input="another long one\nanother long one\n"
    )
    assert result.exit_code == 0, result.output
    assert accounts.authenticate(redis_client, "maria", "another long one") is not None
    assert "+16175550199" not in runner.invoke(staff_cli, ["list"]).output
