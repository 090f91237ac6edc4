"""History: the claimant sees the same texter's earlier conversations (nobody else does);
admins find a conversation by id, date, outcome, language or channel from small indexes that
DELETE and purge clear."""

from __future__ import annotations

import pytest

from hotline.escalations import accounts, history, records, retention
from tests.escalation_helpers import PASSWORD, add_staff, ask_for_person, post, sign_in
from tests.phone import Texter

SAME, OTHER = "+19785550141", "+19785550142"


def newest(r) -> str:
    return str(max(int(i) for i in r.zrange(records.OPEN, 0, -1)))


@pytest.fixture()
def ben(app, redis_client):
    add_staff(redis_client, "ben", ("en",))
    client = app.test_client()
    sign_in(client, "ben")
    return client


@pytest.fixture()
def boss(app, redis_client):
    accounts.add(redis_client, "boss", PASSWORD, ("en",), role="admin")
    client = app.test_client()
    sign_in(client, "boss")
    return client


def two_conversations(app, ana, r) -> tuple[str, str, str]:
    """The same number twice (the first resolved), and another number once."""
    same = Texter(app.test_client(), number=SAME)
    ask_for_person(same)
    first = newest(r)
    post(ana, f"/staff/e/{first}/claim")
    post(ana, f"/staff/e/{first}/resolve", outcome="referred")
    ask_for_person(Texter(app.test_client(), number=OTHER))
    other = newest(r)
    same.send("hello")
    same.send("2")
    same.send("yes")
    same.send("ANY")
    current = newest(r)
    assert len({first, other, current}) == 3
    return first, other, current


def test_the_claimant_sees_earlier_conversations_and_nobody_else(app, ana, ben, redis_client):
    first, other, current = two_conversations(app, ana, redis_client)
    page = f"/staff/e/{current}"
    assert "Earlier conversations" not in ana.get(page).get_data(as_text=True)  # not yet held
    assert ana.get(f"{page}/history").status_code == 403
    post(ana, f"{page}/claim")
    html = ana.get(page).get_data(as_text=True)
    assert "Earlier conversations with this person" in html
    assert f'href="/staff/e/{first}">#{first}</a>' in html and f"#{other}<" not in html
    assert "Referred to a service" in html
    assert ana.get(f"{page}/history").status_code == 200
    for path in (page, f"{page}/history"):
        response = ben.get(path)
        assert "Earlier conversations with this person" not in response.get_data(as_text=True)
    assert ben.get(f"{page}/history").status_code == 403
    assert SAME not in html and "5550141" not in html


def test_admins_find_by_id_date_outcome_language_and_channel(app, ana, boss, redis_client):
    first, other, current = two_conversations(app, ana, redis_client)
    spanish = Texter(app.test_client(), number="+19785550143")
    for body in ("ESPAÑOL", "2", "si", "CUALQUIERA"):
        spanish.send(body)
    es = newest(redis_client)

    def found(**query) -> list[str]:
        response = boss.get("/staff/find", query_string=query)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        shown = [i for i in (first, other, current, es) if f'href="/staff/e/{i}">#{i}<' in html]
        return sorted(shown, key=lambda i: html.index(f'href="/staff/e/{i}">#{i}<'))

    assert found(id=other) == [other]
    assert found(outcome="referred") == [first]
    assert found(language="es") == [es]
    assert found(channel="sms", language="en") == [current, other, first]  # newest first
    created = records.load(redis_client, first).created
    from hotline.escalations.reports import local_day

    today = local_day(created, "America/New_York").isoformat()
    assert found(**{"from": today, "to": today}) == [es, current, other, first]
    assert found(**{"from": "2020-01-01", "to": "2020-01-31"}) == []
    assert ana.get("/staff/find", query_string={"id": first}).status_code == 403


def test_delete_and_purge_remove_what_history_keeps(app, ana, redis_client):
    first, other, current = two_conversations(app, ana, redis_client)

    def indexed() -> set[str]:
        ids: set[str] = set()
        for k in [history.ALL, *redis_client.scan_iter(match=history.INDEX_PREFIX + "*:*")]:
            ids |= set(redis_client.zrange(k, 0, -1))
        return ids

    assert indexed() == {first, other, current}
    Texter(app.test_client(), number=SAME).send("DELETE")
    assert indexed() == {other}
    post(ana, f"/staff/e/{other}/claim")
    post(ana, f"/staff/e/{other}/resolve", outcome="referred")
    assert retention.purge(redis_client, 0, now=records.load(redis_client, other).resolved + 1)
    assert indexed() == set()
    assert not [k for k in redis_client.scan_iter(match=history.INDEX_PREFIX + "*")]
