"""A local stand-in for Twilio's Messages REST API (and the Calls and Conferences requests the
interpreter conference makes): a real HTTP server that records requests.

It speaks enough of the 2010-04-01 API for the twilio package's client: create a message
(POST .../Accounts/{AccountSid}/Messages.json, form-encoded To, From, Body) and list messages
(GET .../Messages.json with To, From, DateSent, DateSent>, DateSent< and PageSize), with the
JSON shapes twilio-python parses (RFC 2822 dates, a list page keyed "messages", newest first).
The hotline points its client here with TWILIO_API_BASE_URL. It is not a mock: the app's real
twilio client sends real HTTP; tests read what arrived.

Faults a test can ask for (plain attributes, set from the test's own process):
  fail_next: a list of HTTP statuses the next message creations answer with (then normal);
  hold_creates: seconds a creation is held AFTER it was recorded (the provider accepted the
    message but the client has not heard back: the window a worker can die in);
  fail_lists: list requests answer 503 while true (reconciliation impossible).

Run on its own for a benchmark or a manual test: `python -m tests.twilio_standin --port 8765`.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MESSAGES = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages\.json$")
# Calls API: create a call; update one (Status=completed hangs up, Url redirects it); and a
# conference's update (Status=completed ends it).
CALLS = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Calls\.json$")
CALL = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Calls/(CA[0-9a-fA-F]{32})\.json$")
CONFERENCE = re.compile(
    r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Conferences/(CF[0-9a-fA-F]{32})\.json$"
)


@dataclass
class Message:
    sid: str
    account_sid: str
    to: str
    from_: str
    body: str
    created: float

    def to_json(self) -> dict:
        stamp = format_datetime(datetime.fromtimestamp(self.created, UTC), usegmt=True)
        return {
            "sid": self.sid, "account_sid": self.account_sid, "to": self.to, "from": self.from_,
            "body": self.body, "status": "sent", "direction": "outbound-api",
            "date_created": stamp, "date_updated": stamp, "date_sent": stamp,
            "num_segments": "1", "num_media": "0", "price": None, "price_unit": "USD",
            "error_code": None, "error_message": None, "messaging_service_sid": None,
            "api_version": "2010-04-01", "subresource_uris": {},
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{self.sid}.json",
        }  # fmt: skip


@dataclass
class StandIn:
    """The server's state: what was sent, what was asked, and the faults to play."""

    messages: list[Message] = field(default_factory=list)
    calls: list[dict[str, str]] = field(default_factory=list)  # created calls: form + "Sid"
    updates: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (sid, form)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path with query)
    fail_next: list[int] = field(default_factory=list)
    hold_creates: float = 0.0
    fail_lists: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def bodies(self, to: str | None = None) -> list[str]:
        with self.lock:
            return [m.body for m in self.messages if to is None or m.to == to]

    def creates(self) -> int:
        with self.lock:
            return sum(1 for method, _ in self.requests if method == "POST")

    def lists(self) -> int:
        with self.lock:
            return sum(1 for method, _ in self.requests if method == "GET")

    def create(self, account: str, form: dict[str, str]) -> tuple[int, dict]:
        with self.lock:
            if self.fail_next:
                status = self.fail_next.pop(0)
                return status, {"code": 20500, "message": "stand-in fault", "status": status}
            if not form.get("To") or not (form.get("Body") or form.get("MediaUrl")):
                return 400, {"code": 21604, "message": "A 'To' and a 'Body' are required"}
            message = Message("SM" + secrets.token_hex(16), account, form["To"],
                              form.get("From", ""), form.get("Body", ""), time.time())  # fmt: skip
            self.messages.append(message)
        return 201, message.to_json()

    def create_call(self, account: str, form: dict[str, str]) -> tuple[int, dict]:
        with self.lock:
            if not form.get("To") or not form.get("From") or not form.get("Url"):
                return 400, {"code": 21205, "message": "To, From and Url are required"}
            sid = "CA" + secrets.token_hex(16)
            self.calls.append({**form, "Sid": sid})
        return 201, {"sid": sid, "account_sid": account, "to": form["To"], "status": "queued"}

    def update(self, account: str, sid: str, form: dict[str, str]) -> tuple[int, dict]:
        with self.lock:
            self.updates.append((sid, form))
        return 200, {"sid": sid, "account_sid": account, "status": form.get("Status", "")}

    def list(self, account: str, query: dict[str, str]) -> tuple[int, dict]:
        if self.fail_lists:
            return 503, {"code": 20503, "message": "stand-in fault", "status": 503}
        size = min(int(query.get("PageSize", "50")), 1000)
        with self.lock:
            found = [m for m in reversed(self.messages) if m.account_sid == account
                     and _matches(m, query)][:size]  # fmt: skip
        path = f"/2010-04-01/Accounts/{account}/Messages.json"
        return 200, {
            "messages": [m.to_json() for m in found], "page": 0, "page_size": size, "start": 0,
            "end": max(len(found) - 1, 0), "uri": path, "first_page_uri": path,
            "next_page_uri": None, "previous_page_uri": None,
        }  # fmt: skip


def _day_or_time(value: str) -> float:
    """Twilio accepts YYYY-MM-DD (whole days, UTC) and, from its client, YYYY-MM-DDTHH:MM:SSZ."""
    for pattern in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    raise ValueError(value)


def _matches(m: Message, query: dict[str, str]) -> bool:
    if "To" in query and m.to != query["To"]:
        return False
    if "From" in query and m.from_ != query["From"]:
        return False
    day = int(m.created // 86400) * 86400
    if "DateSent" in query and day != _day_or_time(query["DateSent"]):
        return False
    if "DateSent>" in query and m.created < _day_or_time(query["DateSent>"]):
        return False
    return not ("DateSent<" in query and m.created >= _day_or_time(query["DateSent<"]))


class _Handler(BaseHTTPRequestHandler):
    standin: StandIn  # set on the subclass made by start()

    def log_message(self, *args) -> None:  # quiet
        pass

    def _answer(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client died while we held its request (a killed worker)

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        parts = urlsplit(self.path)
        self.standin.requests.append(("POST", self.path))
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if match := CALLS.match(parts.path):
            self._answer(*self.standin.create_call(match.group(1), form))
            return
        if match := CALL.match(parts.path) or CONFERENCE.match(parts.path):
            self._answer(*self.standin.update(match.group(1), match.group(2), form))
            return
        match = MESSAGES.match(parts.path)
        if not match:
            self._answer(404, {"code": 20404, "message": "not found", "status": 404})
            return
        status, payload = self.standin.create(match.group(1), form)
        if status == 201 and self.standin.hold_creates:
            time.sleep(self.standin.hold_creates)
        self._answer(status, payload)

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        self.standin.requests.append(("GET", self.path))
        match = MESSAGES.match(parts.path)
        if not match:
            self._answer(404, {"code": 20404, "message": "not found", "status": 404})
            return
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self._answer(*self.standin.list(match.group(1), query))


def start(host: str = "127.0.0.1", port: int = 0) -> StandIn:
    """Serve on a free port (port 0) in a daemon thread; stop with stop()."""
    standin = StandIn()
    handler = type("Handler", (_Handler,), {"standin": standin})
    standin.server = ThreadingHTTPServer((host, port), handler)
    standin.server.daemon_threads = True
    threading.Thread(target=standin.server.serve_forever, daemon=True).start()
    return standin


def stop(standin: StandIn) -> None:
    if standin.server is not None:
        standin.server.shutdown()
        standin.server.server_close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    running = start(port=args.port)
    print(f"Twilio Messages stand-in on {running.url}", flush=True)
    threading.Event().wait()
