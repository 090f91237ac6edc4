"""Accounts in the web UI for admins: add, disable (ending sessions), reset a password, set
languages, phone and on-call; CSRF and the audit log; the CLI keeps working."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from hotline.escalations import accounts, audit
from hotline.escalations.cli import staff as staff_cli
from tests.escalation_helpers import PASSWORD, add_staff, post, sign_in

SHOWN = re.compile(r'id="new-password">Password for <strong>([^<]+)</strong>: <code>([^<]+)</code>')


@pytest.fixture()
def boss(app, redis_client):
    accounts.add(redis_client, "boss", PASSWORD, ("en",), role="admin")
    client = app.test_client()
    sign_in(client, "boss")
    return client


def test_an_admin_adds_someone_who_signs_in_with_the_password_shown_once(app, boss,
                                                                         redis_client):  # fmt: skip
    response = post(boss, "/staff/accounts", name="carla", role="advocate",
                    languages=["en", "es"], phone="+16175550199", on_call="1")  # fmt: skip
    [(name, password)] = SHOWN.findall(response.get_data(as_text=True))
    assert name == "carla" and len(password) >= 10
    made = accounts.get(redis_client, "carla")
    assert (made.role, made.languages, made.on_call) == ("advocate", ("en", "es"), True)
    assert password not in boss.get("/staff/accounts").get_data(as_text=True)
    carla = app.test_client()
    assert sign_in(carla, "carla", password).status_code == 302
    line = audit.recent(redis_client)[1]
    assert (line["who"], line["action"], line["detail"]) == ("boss", "account add",
                                                             "carla (advocate)")  # fmt: skip
    assert password not in str(audit.recent(redis_client))
    again = post(boss, "/staff/accounts", name="carla", role="advocate", languages=["en"])
    assert again.status_code == 400 and "already exists" in again.get_data(as_text=True)


def test_disable_ends_sessions_and_reset_gives_a_new_password(app, ana, boss, redis_client):
    assert ana.get("/staff/").status_code == 200
    post(boss, "/staff/accounts/ana/disable")
    assert ana.get("/staff/").status_code == 302  # signed out at once
    assert sign_in(app.test_client()).status_code == 401
    post(boss, "/staff/accounts/ana/enable")
    fresh = app.test_client()
    assert sign_in(fresh).status_code == 302
    response = post(boss, "/staff/accounts/ana/password")
    [(_, password)] = SHOWN.findall(response.get_data(as_text=True))
    assert fresh.get("/staff/").status_code == 302  # the reset ended that session too
    assert sign_in(app.test_client(), "ana", PASSWORD).status_code == 401
    assert sign_in(app.test_client(), "ana", password).status_code == 302
    actions = [line["action"] for line in audit.recent(redis_client)]
    assert {"account disable", "account enable", "account password"} <= set(actions)


def test_languages_phone_and_on_call(boss, redis_client):
    add_staff(redis_client, "dan", ("en",), phone="")
    post(boss, "/staff/accounts/dan/settings", languages=["es"], phone="+16175550123",
         on_call="1")  # fmt: skip
    dan = accounts.get(redis_client, "dan")
    assert (dan.languages, dan.phone, dan.on_call) == (("es",), "+16175550123", True)
    response = post(boss, "/staff/accounts/dan/settings", phone="")
    assert response.status_code == 400 and "at least one language" in response.get_data(
        as_text=True
    )
    post(boss, "/staff/accounts/dan/settings", languages=["en", "xx"], phone="", on_call="1")
    dan = accounts.get(redis_client, "dan")
    assert (dan.languages, dan.on_call) == (("en",), False)  # on call needs a phone


def test_only_admins_and_only_with_csrf(app, ana, boss, redis_client):
    assert ana.get("/staff/accounts").status_code == 403
    assert post(ana, "/staff/accounts/boss/disable").status_code == 403
    assert boss.post("/staff/accounts/ana/disable").status_code == 400  # no CSRF token
    assert not accounts.get(redis_client, "ana").disabled
    post(boss, "/staff/accounts/boss/disable")
    assert not accounts.get(redis_client, "boss").disabled  # not yourself


def test_the_cli_keeps_working_beside_the_web(app, boss, redis_client, monkeypatch, tmp_path):
    from tests.conftest import TEST_SECRET

    monkeypatch.setenv("REDIS_URL", app.config["REDIS_URL"])
    monkeypatch.setenv("HOTLINE_ENV", "test")
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HOTLINE_SECRET_KEY", TEST_SECRET)  # the CLI seals as the app does
    result = CliRunner().invoke(staff_cli, ["list"])
    assert result.exit_code == 0 and "boss" in result.output
    post(boss, "/staff/accounts", name="erin", role="advocate", languages=["en"])
    assert "erin" in CliRunner().invoke(staff_cli, ["list"]).output
    assert CliRunner().invoke(staff_cli, ["disable", "erin"]).exit_code == 0
    assert "disabled" in boss.get("/staff/accounts").get_data(as_text=True)
