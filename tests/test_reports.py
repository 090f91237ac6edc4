"""Reports: a week of escalations driven through the real webhooks and staff pages, with an
injected clock, and the report's figures asserted exactly (page, JSON and CSV alike)."""

from __future__ import annotations

import base64
import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline import clock
from hotline.escalations import accounts, records, reports
from tests.escalation_helpers import PASSWORD, ask_for_person, post, sign_in
from tests.phone import Texter

ZONE = ZoneInfo("America/New_York")
NUMBERS = iter(f"+1978555{n:04d}" for n in range(1000, 2000))


class Clock:
    """The injected clock: set to a local time, then moved on by seconds."""

    def __init__(self) -> None:
        self.now = 0.0

    def at(self, day: int, hour: int = 10, minute: int = 0) -> None:
        """October `day` 2026 at hour:minute in the hotline's time zone (EDT, UTC-4)."""
        self.now = datetime(2026, 10, day, hour, minute, tzinfo=ZONE).timestamp()

    def later(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture()
def tick():
    source = Clock()
    clock.use(lambda: source.now)
    yield source
    clock.use(None)


@pytest.fixture()
def boss(app, redis_client):
    accounts.add(redis_client, "boss", PASSWORD, ("en", "es"), role="admin")
    client = app.test_client()
    assert sign_in(client, "boss").status_code == 302
    return client


def newest(r) -> str:
    return str(max(int(i) for i in r.zrange(records.OPEN, 0, -1)))


def texter(app) -> Texter:
    return Texter(app.test_client(), number=next(NUMBERS))


def answer(ana, r, tick, escalation_id: str, after: float) -> None:
    """Claim now, reply `after` seconds after the escalation was created."""
    created = records.load(r, escalation_id).created
    assert post(ana, f"/staff/e/{escalation_id}/claim").status_code == 302
    tick.now = created + after
    response = post(ana, f"/staff/e/{escalation_id}/reply", text="Hello, this is Ana.")
    assert response.status_code == 302
    assert records.transcript(r, escalation_id)[-1].by == "staff"


def resolve(ana, escalation_id: str, outcome: str) -> None:
    assert post(ana, f"/staff/e/{escalation_id}/resolve", outcome=outcome).status_code == 302


def seed_week(app, ana, r, tick) -> dict[str, str]:
    """Monday 5 to Sunday 11 October 2026, each texter a new number. Returns their ids."""
    ids = {}
    tick.at(5, 10)  # A: English, answered after 2 min, referred
    ask_for_person(texter(app))
    ids["A"] = newest(r)
    answer(ana, r, tick, ids["A"], 120)
    resolve(ana, ids["A"], "referred")
    tick.at(5, 23, 30)  # B: starts in English, switches to Spanish; answered after 90 s
    b = texter(app)
    b.send("hello")
    b.send("ESPAÑOL")
    b.send("2")
    b.send("si")
    b.send("CUALQUIERA")
    ids["B"] = newest(r)
    answer(ana, r, tick, ids["B"], 90)
    resolve(ana, ids["B"], "connected")
    tick.at(6, 14)  # C: danger words (an urgent flag), answered after 30 s, safety plan
    c = texter(app)
    c.send("he will kill me")
    ids["C"] = newest(r)
    answer(ana, r, tick, ids["C"], 30)
    resolve(ana, ids["C"], "safety_plan")
    tick.at(7, 9)  # D: waits, sends STOP before anyone answers (abandoned); no response
    d = texter(app)
    ask_for_person(d)
    ids["D"] = newest(r)
    tick.later(400)
    d.send("STOP")
    tick.later(60)
    assert post(ana, f"/staff/e/{ids['D']}/claim").status_code == 302
    resolve(ana, ids["D"], "no_response")
    tick.at(7, 16)  # E: answered after 10 min (not within 5), information only
    ask_for_person(texter(app))
    ids["E"] = newest(r)
    answer(ana, r, tick, ids["E"], 600)
    resolve(ana, ids["E"], "information_only")
    tick.at(8, 12)  # F: their own words, left open and unanswered
    texter(app).send("my boss keeps my passport")
    ids["F"] = newest(r)
    tick.at(9, 20)  # G: DELETE before anyone answered (abandoned, erased)
    g = texter(app)
    ask_for_person(g)
    ids["G"] = newest(r)
    tick.later(120)
    g.send("DELETE")
    tick.at(10, 11)  # H: answered after 4 min, wrong number
    ask_for_person(texter(app))
    ids["H"] = newest(r)
    answer(ana, r, tick, ids["H"], 240)
    resolve(ana, ids["H"], "wrong_number")
    tick.at(11, 23, 59)  # I: Sunday just before midnight, open, unanswered
    ask_for_person(texter(app))
    ids["I"] = newest(r)
    tick.at(12, 0, 5)  # Monday after the week: a contact outside the range
    texter(app).send("hello")
    return ids


WEEK = {"from": "2026-10-05", "to": "2026-10-11"}


def test_a_week_of_escalations_gives_exact_figures(app, ana, boss, redis_client, tick,
                                                   monkeypatch):  # fmt: skip
    monkeypatch.setenv("HOTLINE_REPORT_MIN_COUNT", "1")  # every figure shown as it is
    ids = seed_week(app, ana, redis_client, tick)
    assert records.load(redis_client, ids["C"]).priority == 1
    data = boss.get("/staff/reports.json", query_string=WEEK).get_json()
    assert data["contacts"]["columns"] == ["sms:en", "sms:es"]
    per_day = {row["day"]: (row["sms:en"], row["sms:es"]) for row in data["contacts"]["rows"]}
    assert per_day == {
        "2026-10-05": (1, 1), "2026-10-06": (1, 0), "2026-10-07": (2, 0),
        "2026-10-08": (1, 0), "2026-10-09": (1, 0), "2026-10-10": (1, 0),
        "2026-10-11": (1, 0),
    }  # fmt: skip
    esc = data["escalations"]
    assert esc["total"] == 9
    assert esc["by_kind"] == {"help": 7, "urgent": 1, "words": 1}
    assert esc["by_priority"] == {"1": 2, "2": 7}  # urgent, and own words with a disclosure
    assert esc["by_outcome"] == {
        "referred": 1, "safety_plan": 1, "information_only": 1, "connected": 1,
        "no_response": 1, "wrong_number": 1, "erased": 1, "open": 2,
    }  # fmt: skip
    # answered after 120, 90, 30, 600, 240 s: nearest rank p50 = 120 s, p90 = 600 s
    assert data["first_reply"] == {
        "for_person": 9, "answered": 5, "p50_seconds": 120.0, "p90_seconds": 600.0,
        "within_5_min": 4, "within_5_min_share": round(4 / 9, 4),
    }  # fmt: skip
    assert (data["abandoned"], data["urgent_flags"], data["delete_requests"]) == (2, 1, 1)

    one_day = boss.get(
        "/staff/reports.json", query_string={"from": "2026-10-07", "to": "2026-10-07"}
    ).get_json()
    assert one_day["escalations"]["by_outcome"] == {"information_only": 1, "no_response": 1}
    assert one_day["abandoned"] == 1 and one_day["first_reply"]["p50_seconds"] == 600.0

    table = list(csv.reader(io.StringIO(boss.get("/staff/reports.csv", query_string=WEEK)
                                        .get_data(as_text=True))))  # fmt: skip
    assert table[0] == ["section", "item", "value"]
    assert ["contacts", "2026-10-07 sms:en", "2"] in table
    assert ["escalations by_outcome", "erased", "1"] in table
    assert ["first_reply", "p90_seconds", "600.0"] in table
    assert ["abandoned", "", "2"] in table


def test_small_counts_are_suppressed_everywhere(app, ana, boss, redis_client, tick):
    seed_week(app, ana, redis_client, tick)  # default threshold: 5
    data = boss.get("/staff/reports.json", query_string=WEEK).get_json()
    assert data["suppressed_below"] == 5
    assert data["escalations"]["total"] == 9 and data["escalations"]["by_kind"]["help"] == 7
    assert data["escalations"]["by_kind"]["urgent"] == "<5"
    # one small count beside a shown total: the next smallest is withheld, or 9 - 7 gives it
    assert data["escalations"]["by_priority"] == {"1": "<5", "2": "*"}
    assert data["first_reply"]["answered"] == 5 and data["first_reply"]["p50_seconds"] == 120.0
    assert data["abandoned"] == "<5" and data["contacts"]["rows"][0]["sms:es"] == "<5"
    assert data["contacts"]["rows"][1]["sms:es"] == 0
    html = boss.get("/staff/reports", query_string=WEEK).get_data(as_text=True)
    assert "&lt;5" in html and 'src="data:image/svg+xml;' in html
    assert html.count("<script") == 1  # the page's own staff.js; the charts are images
    svgs = re.findall(r'src="data:image/svg\+xml;(?:charset=utf-8;)?base64,([^"]+)"', html)
    assert len(svgs) == 4
    for svg in svgs:
        text = base64.b64decode(svg).decode()
        assert "<script" not in text and not re.search(r'(href|src)="https?:', text)


def test_report_keys_hold_no_number_text_or_zip(app, ana, redis_client, tick):
    tick.at(5, 10)
    t = Texter(app.test_client(), number="+19785550177")
    t.send("hello")
    t.send("1")
    t.send("01852")
    ask_for_person(t)
    stored = {k: redis_client.type(k) for k in redis_client.scan_iter("hotline:rpt:*")}
    dump = ""
    for k, kind in stored.items():
        dump += k + str(
            redis_client.hgetall(k) if kind == "hash" else redis_client.zrange(k, 0, -1)
        )
    assert stored and "5550177" not in dump and "01852" not in dump and "hello" not in dump
    assert str(int(tick.now)) not in dump  # no exact time either: only the day
    record = redis_client.hgetall(reports.esc_key(newest(redis_client)))
    assert set(record) == {"day", "channel", "language", "kind", "priority", "outcome"}


def test_reports_are_for_admins(ana):
    for path in ("/staff/reports", "/staff/reports.json", "/staff/reports.csv"):
        assert ana.get(path).status_code == 403


def test_counting_costs_no_round_trip_on_sms(app, redis_client, tick):
    from tests.test_round_trips import round_trips

    tick.at(5, 10)
    texter(app).send("hello")  # Redis learns the scripts (a first EVALSHA costs a SCRIPT LOAD)
    redis_client.delete(reports.day_key("2026-10-05"))
    t = texter(app)
    with round_trips() as count:
        t.send("hello")  # a new contact, counted inside the commit script
    assert count[0] <= 2
    with round_trips() as count:
        t.send("ESPAÑOL")  # the contact moves to Spanish
    assert count[0] <= 2
    assert redis_client.hget(reports.day_key("2026-10-05"), "contacts:sms:es") == "1"
    with round_trips() as count:
        t.send("he will kill me")  # an urgent flag (the escalation is its own step)
    day = redis_client.hgetall(reports.day_key("2026-10-05"))
    # danger written in English answers (and keeps the session) in English: the contact
    # moves back, still one contact
    assert day == {"contacts:sms:en": "1", "contacts:sms:es": "0", "urgent": "1"}
