"""Helpers shared by the escalation and staff tests: accounts, signing in, running jobs."""

from __future__ import annotations

import re

from hotline.escalations import accounts, records
from hotline.queues import all_queues
from hotline.store import connect

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def add_staff(r, name="ana", languages=("en", "es"), role="advocate", phone="+16175550111"):
    return accounts.add(r, name, PASSWORD, tuple(languages), role, phone)


def csrf_of(client, path: str = "/staff/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return CSRF.search(html).group(1)


def sign_in(client, name: str = "ana", password: str = PASSWORD):
    token = csrf_of(client)
    return client.post("/staff/login", data={"name": name, "password": password, "csrf": token})


def post(client, path: str, **form):
    """A dashboard form post with the session's CSRF token."""
    token = csrf_of(client, "/staff/")
    return client.post(path, data={"csrf": token, **form})


def run_jobs(app) -> None:
    """The hotline's RQ worker (no fork) drains its queues, inside the app's context."""
    from hotline.worker import HotlineWorker

    rq = connect(app.config["REDIS_URL"], timeout=10.0, decode=False)
    with app.app_context():
        HotlineWorker(all_queues(rq), connection=rq).work(burst=True)


def ask_for_person(texter, consent: str = "yes", safe_time: str = "ANY") -> list[str]:
    texter.send("hello")
    texter.send("2")
    if consent == "no":
        return texter.send("no")
    texter.send(consent)
    return texter.send(safe_time)


def only_id(r) -> str:
    """The id of the one open escalation (fails if there are none or several)."""
    [escalation_id] = r.zrange(records.OPEN, 0, -1)
    return escalation_id
