"""The audit log: who did what, when, to which escalation. Never message text or numbers.

Kept by time, not by count, and chained so that a removed or changed entry shows:

  audit:log        stream: one entry per action {seq, at, who, action, escalation, detail, mac}
                   where mac = HMAC(audit key, previous mac | seq | at | who | action | ...)
  audit:head       hash {seq, mac} of the newest entry (appends are compare-and-set on it)
  audit:anchor     hash {seq, mac, at, sig}: the last entry removed by retention, signed, so
                   the chain still verifies from there
  audit:seen:{h}   a repeated view inside its interval is not recorded again (TTL = interval)
  audit:failures:{YYYY-MM-DD}  hash: failed sign-ins per known name (else "unknown"), counted,
                   not logged line by line, so nobody can flush the log by failing to sign in

The audit key derives from the stable hash key (crypto.stable_key), so rotating
HOTLINE_SECRET_KEY does not break verification. `hotline audit verify` walks the chain.
Someone with write access to Redis can still drop the newest entries together with the head;
keep the head that `verify` prints (a daily cron's output) to notice that too.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import redis

from hotline.logs import mask
from hotline.safety.crypto import stable_key
from hotline.store import key

AUDIT, HEAD, ANCHOR = key("audit", "log"), key("audit", "head"), key("audit", "anchor")
LEGACY = key("audit")  # the first version's capped list: kept until retention ends, then gone
FIELDS = ("seq", "at", "who", "action", "escalation", "detail")
DAY = 86400

# KEYS: log, head, seen-key ("" = always record). ARGV: expected seq, seq, mac, seen ttl, then
# field/value pairs. Returns 'ok', 'seen' (a repeat inside its interval) or 'conflict'.
APPEND = """
if KEYS[3] ~= '' and not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[4]) then
  return 'seen'
end
if (redis.call('HGET', KEYS[2], 'seq') or '0') ~= ARGV[1] then
  if KEYS[3] ~= '' then redis.call('DEL', KEYS[3]) end
  return 'conflict'
end
local entry = {}
for i = 5, #ARGV do table.insert(entry, ARGV[i]) end
redis.call('XADD', KEYS[1], '*', unpack(entry))
redis.call('HSET', KEYS[2], 'seq', ARGV[2], 'mac', ARGV[3])
return 'ok'
"""


def _mac(previous: str, entry: dict[str, str]) -> str:
    message = "|".join([previous, *(str(entry.get(f, "")) for f in FIELDS)])
    return hmac.new(stable_key("audit"), message.encode(), hashlib.sha256).hexdigest()


def _seen_key(who: str, action: str, escalation: str) -> str:
    digest = hashlib.sha256(f"{who}|{action}|{escalation}".encode()).hexdigest()[:32]
    return key("audit", "seen", digest)


def record(
    r: redis.Redis, who: str, action: str, escalation: str = "", detail: str = "",
    once_per: int = 0, now: float | None = None,
) -> bool:  # fmt: skip
    """Append one entry; `detail` is staff words (a reveal reason, an outcome), never texter text.

    once_per: seconds in which the same person's same action on the same escalation is
    recorded once (page views). Returns False when it was such a repeat. Two round trips.
    """
    detail = mask(" ".join(detail.split()))[:200]
    entry = {"at": f"{now or time.time():.3f}", "who": who[:64], "action": action[:64],
             "escalation": escalation[:32], "detail": detail}  # fmt: skip
    seen = _seen_key(who, action, escalation) if once_per else ""
    script = r.register_script(APPEND)
    for _ in range(50):
        seq, previous = r.hmget(HEAD, "seq", "mac")
        entry["seq"] = str(int(seq or 0) + 1)
        mac = _mac(previous or "", entry)
        pairs = [x for f in FIELDS for x in (f, entry[f])] + ["mac", mac]
        result = script(keys=[AUDIT, HEAD, seen], args=[seq or "0", entry["seq"], mac,
                                                        once_per or 1, *pairs])  # fmt: skip
        if result != "conflict":
            return result == "ok"
    raise RuntimeError("the audit log is too busy to append to")


def recent(r: redis.Redis, limit: int = 200) -> list[dict]:
    """Newest first: {seq, at, who, action, escalation, detail}."""
    return [_entry(fields) for _, fields in r.xrevrange(AUDIT, count=limit)]


def _entry(fields: dict[str, str]) -> dict:
    return {**{f: fields.get(f, "") for f in FIELDS}, "at": float(fields.get("at") or 0)}


# -- failed sign-ins: counted per day ----------------------------------------------------------
def _day(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d")


def count_failure(r: redis.Redis, name: str, retention_days: int = 365) -> None:
    """One more failed sign-in today for a known name (or 'unknown'). One round trip."""
    k = key("audit", "failures", _day(time.time()))
    pipe = r.pipeline(transaction=False)
    pipe.hincrby(k, name or "unknown", 1)
    pipe.expire(k, retention_days * DAY)
    pipe.execute()


def failures(r: redis.Redis, days: int = 30, now: float | None = None) -> dict[str, int]:
    """Failed sign-ins per day over the last `days` days, newest first: {YYYY-MM-DD: count}."""
    today = datetime.fromtimestamp(now or time.time(), UTC)
    names = [_day((today - timedelta(days=i)).timestamp()) for i in range(days)]
    pipe = r.pipeline(transaction=False)
    for day in names:
        pipe.hvals(key("audit", "failures", day))
    return {day: sum(int(v) for v in vals) for day, vals in zip(names, pipe.execute(), strict=True)
            if vals}  # fmt: skip


# -- retention and verification ----------------------------------------------------------------
def _anchor_sig(seq: str, mac: str, at: str) -> str:
    message = f"anchor|{seq}|{mac}|{at}".encode()
    return hmac.new(stable_key("audit"), message, hashlib.sha256).hexdigest()


def trim(r: redis.Redis, days: int, now: float | None = None) -> int:
    """Remove entries older than `days` (oldest first), keeping a signed anchor; how many."""
    if r.ttl(LEGACY) == -1:
        r.expire(LEGACY, days * DAY)
    cutoff, removed, last = (now or time.time()) - days * DAY, 0, None
    start = "-"
    while True:
        batch = r.xrange(AUDIT, min=start, count=500)
        old = [(i, f) for i, f in batch if float(f.get("at") or 0) < cutoff]
        if old:
            last = old[-1]
        if len(old) < len(batch) or not batch:
            break
        start = "(" + batch[-1][0]
    if last is None:
        return 0
    entry_id, fields = last
    seq, mac, at = fields["seq"], fields["mac"], fields["at"]
    pipe = r.pipeline(transaction=True)
    pipe.hset(ANCHOR, mapping={"seq": seq, "mac": mac, "at": at, "sig": _anchor_sig(seq, mac, at)})
    for i, _ in r.xrange(AUDIT, max=entry_id):
        pipe.xdel(AUDIT, i)
        removed += 1
    pipe.execute()
    return removed


@dataclass
class Verification:
    """ok when every entry from the anchor to the head is present and unchanged."""

    ok: bool = True
    count: int = 0
    head: str = ""  # "seq:mac prefix" of the newest entry, to keep outside Redis
    problems: list[str] = field(default_factory=list)

    def fail(self, problem: str) -> None:
        self.ok = False
        if len(self.problems) < 20:
            self.problems.append(problem)


def verify(r: redis.Redis, expect_head: str = "") -> Verification:
    """Walk the chain from its anchor (or the first entry) to the head.

    expect_head: a head printed by an earlier run ("seq:mac prefix"); that entry must still be
    in the chain, which shows the newest entries being cut off together with the head.
    """
    result = Verification()
    want_seq, _, want_mac = expect_head.partition(":")
    seen_expected = not expect_head
    anchor = r.hgetall(ANCHOR)
    previous, expected = "", 1
    if anchor:
        sig = _anchor_sig(anchor["seq"], anchor["mac"], anchor["at"])
        if not hmac.compare_digest(anchor.get("sig", ""), sig):
            result.fail("the retention anchor was changed")
        previous, expected = anchor["mac"], int(anchor["seq"]) + 1
    start = "-"
    while batch := r.xrange(AUDIT, min=start, count=1000):
        for _, fields in batch:
            seq = int(fields.get("seq") or 0)
            if seq != expected:
                result.fail(f"entries #{expected} to #{seq - 1} are missing or changed")
            elif not hmac.compare_digest(fields.get("mac", ""), _mac(previous, fields)):
                result.fail(f"entry #{seq} is missing or changed")
            if want_seq and str(seq) == want_seq:
                seen_expected = fields.get("mac", "").startswith(want_mac)
            previous, expected = fields.get("mac", ""), seq + 1
            result.count += 1
        start = "(" + batch[-1][0]
    seq, mac = r.hmget(HEAD, "seq", "mac")
    if (seq or "0") != str(expected - 1) or (mac or "") != previous:
        result.fail(f"the newest entries after #{expected - 1} are missing or changed")
    result.head = f"{seq or 0}:{(mac or '')[:16]}"
    if not seen_expected and int(want_seq or 0) > int((anchor or {}).get("seq") or 0):
        result.fail(f"entry #{want_seq} (an earlier head) is missing or changed")
    return result
