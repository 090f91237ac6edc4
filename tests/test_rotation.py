"""Key rotation keeps every promise: STOP, DELETE, open conversations and sessions survive it.

The README's procedure: put the new key first (`K2,K1`), run `hotline rotate-keys`, then drop
the old key. Numbers are hashed under a separate, stable key (HOTLINE_HASH_KEY, by default the
oldest of HOTLINE_SECRET_KEY's keys), so no lookup changes when the sealing key does.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hotline.cli import main
from hotline.config import ConfigError
from hotline.escalations import records
from hotline.escalations.erase import ERASED_NOTE
from hotline.safety.crypto import MARK, Sealer
from tests import conftest
from tests.escalation_helpers import add_staff, ask_for_person, post, sign_in
from tests.phone import Texter

K1, K2 = "first-key-0123456789abcdef", "second-key-0123456789abcdef"


def texters(app) -> dict[str, Texter]:
    numbers = {"stopped": "+19785550101", "talking": "+19785550102", "menu": "+19785550103",
               "erasing": "+19785550104"}  # fmt: skip
    return {name: Texter(app.test_client(), number=n) for name, n in numbers.items()}


def sealed_values(r) -> list[str]:
    """Every stored value that is sealed (strings, hash fields, list items, JSON fields)."""
    found: list[str] = []
    for k in r.scan_iter("hotline:*"):
        kind = r.type(k)
        if kind == "string":
            values = [r.get(k)]
        elif kind == "hash":
            values = list(r.hgetall(k).values())
        elif kind == "list":
            values = r.lrange(k, 0, -1)
        else:
            continue
        for value in values:
            found += [v for v in value.split('"') if v.startswith(MARK)] or []
            if value.startswith(MARK):
                found.append(value)
    return found


def rotate(redis_url, tmp_path, keys: str) -> str:
    env = conftest.test_environ(redis_url, tmp_path, HOTLINE_SECRET_KEY=keys)
    result = CliRunner().invoke(main, ["rotate-keys"], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_stop_delete_conversation_and_session_survive_a_rotation(
    make_app, redis_client, redis_url, tmp_path
):
    old = make_app(HOTLINE_SECRET_KEY=K1)
    add_staff(redis_client, "ana")
    staff = old.test_client()
    assert sign_in(staff).status_code == 302
    t = texters(old)
    t["stopped"].send("hello")
    t["stopped"].send("STOP")
    ask_for_person(t["talking"])
    talking_id = records.open_for(redis_client, _who(old, t["talking"].number), "help")
    t["menu"].send("hello")
    t["menu"].send("1")  # now asked for a ZIP code or town
    ask_for_person(t["erasing"])

    for keys in (f"{K2},{K1}", "after rotate-keys"):
        if keys == "after rotate-keys":
            report = rotate(redis_url, tmp_path, f"{K2},{K1}")
            assert "sessions" in report and "records" in report
            new = make_app(HOTLINE_SECRET_KEY=K2, HOTLINE_HASH_KEY=K1)
            # nothing stored is readable with the old key alone any more
            only_old = Sealer([K1])
            for value in sealed_values(redis_client):
                with pytest.raises(ValueError):
                    only_old.unseal(value)
        else:
            new = make_app(HOTLINE_SECRET_KEY=keys)
        t2 = {name: Texter(new.test_client(), number=x.number) for name, x in t.items()}
        assert t2["stopped"].send("hello again") == []  # STOP still holds: silence
        assert "received" in t2["talking"].reply("are you still there?")
        words = [e.text for e in records.transcript(redis_client, talking_id) if e.by == "texter"]
        assert words[-1] == "are you still there?"
        assert "Reply with a number" not in t2["menu"].reply("01852")  # mid-question, not restarted
        t2["menu"].send("menu")
        t2["menu"].send("1")
        # a staff session signed in before the rotation still works
        with new.test_client() as again:
            cookie = staff.get_cookie("session", path="/staff").value
            again.set_cookie("session", cookie, path="/staff")
            assert again.get("/staff/").status_code == 200

    erasing_id = records.open_for(redis_client, _who(new, t["erasing"].number), "help")
    assert erasing_id
    t2["erasing"].send("DELETE")
    record = records.load(redis_client, erasing_id)
    assert record.erased and record.number == "" and not record.is_open
    assert [e.text for e in records.transcript(redis_client, erasing_id)] == [ERASED_NOTE]
    assert post(staff, f"/staff/e/{talking_id}/claim").status_code in (302, 200)


def _who(app, number: str) -> str:
    from hotline.store import number_key

    return number_key(app.extensions["hotline.settings"].hash_key, number)


def test_rotate_keys_reseals_every_kind_and_reports_counts(
    make_app, redis_client, redis_url, tmp_path
):
    from hotline.channels.voice_state import CallState
    from hotline.engine import Session
    from hotline.escalations.senders import OutboxSender

    app = make_app(HOTLINE_SECRET_KEY=K1)
    ask_for_person(Texter(app.test_client(), number="+19785550111"))
    Texter(app.test_client(), number="+19785550112").send("hello")
    OutboxSender(redis_client).send("+19785550111", "a staff reply", kind="reply")
    CallState(redis_client, "CA" + "1" * 32).save(Session(flow="voice", language="en"))
    add_staff(redis_client, "ana")
    sign_in(app.test_client())
    before = sealed_values(redis_client)
    assert before and all(Sealer([K1]).unseal(v) is not None for v in before)
    report = rotate(redis_url, tmp_path, f"{K2},{K1}")
    after = sealed_values(redis_client)
    assert len(after) == len(before)
    only_new = Sealer([K2])
    for value in after:
        only_new.unseal(value)  # raises if anything is still under K1
    assert "0 unreadable" in report
    for kind in ("sessions: 2", "call state: 1", "records: 3", "outbox: 2", "staff sessions: 1"):
        assert f"{kind} re-sealed" in report, report
    # running it again changes nothing that matters and still succeeds
    assert "0 unreadable" in rotate(redis_url, tmp_path, f"{K2},{K1}")


def test_a_changed_hash_key_refuses_to_start_instead_of_orphaning_stop(make_app, redis_client):
    app = make_app(HOTLINE_SECRET_KEY=K1)
    Texter(app.test_client()).send("STOP")
    with pytest.raises(ConfigError, match="HOTLINE_HASH_KEY"):
        make_app(HOTLINE_SECRET_KEY=K2)  # the old key dropped without HOTLINE_HASH_KEY
    assert make_app(HOTLINE_SECRET_KEY=K2, HOTLINE_HASH_KEY=K1)


def test_unreadable_values_are_reported_and_the_command_fails(
    make_app, redis_client, redis_url, tmp_path
):
    app = make_app(HOTLINE_SECRET_KEY=K1)
    ask_for_person(Texter(app.test_client(), number="+19785550113"))
    env = conftest.test_environ(redis_url, tmp_path, HOTLINE_SECRET_KEY=K2, HOTLINE_HASH_KEY=K1)
    result = CliRunner().invoke(main, ["rotate-keys"], env=env)
    assert result.exit_code == 1 and "unreadable" in result.output


def test_an_upgrade_over_data_an_earlier_version_hashed_asks_for_the_hash_key(
    make_app, redis_client
):
    from hotline.safety.keys import HASH_CHECK

    # an earlier version, already rotated to `K2,K1`, hashed numbers under its first key, K2
    earlier = make_app(HOTLINE_SECRET_KEY=K2)
    Texter(earlier.test_client()).send("STOP")
    redis_client.delete(HASH_CHECK)  # earlier versions kept no mark
    with pytest.raises(ConfigError, match="HOTLINE_HASH_KEY"):
        make_app(HOTLINE_SECRET_KEY=f"{K2},{K1}")
    upgraded = make_app(HOTLINE_SECRET_KEY=f"{K2},{K1}", HOTLINE_HASH_KEY=K2)
    assert Texter(upgraded.test_client()).send("hello") == []  # STOP kept
