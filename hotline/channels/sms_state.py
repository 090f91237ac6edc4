"""What Redis holds for one texter: session, opt-out, rate, and the replies to MessageSids seen.

An inbound message costs two round trips: one Lua call to read (with the state of the
texter's open escalations), one Lua call to write (with their words, inside a conversation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import redis

from hotline.engine import Session
from hotline.escalations import queue, records
from hotline.escalations.records import Entry
from hotline.sessions import decode, encode, sms_session_key
from hotline.store import key, number_key

REPLY_TTL = 3600  # Twilio retries within minutes; kept short, as replies may hold answers

RATE_WINDOW = 60  # seconds: the per-sender message counter's fixed window

# KEYS: session, opt-out, reply-by-sid, rate counter, esc by-who, esc waiting, esc waits.
# ARGV: by-who field for a person, for a tip; the escalation record key prefix.
# Returns session, opt-out, reply, rate ('' when missing), then per by-who field: escalation
# id, status, rank in the waiting queue (-1: not waiting), then the recent claim waits.
# (Escalation records are addressed by prefix + id: fine on one Redis, not on a cluster.)
READ = """
local function get(k) return redis.call('GET', k) or '' end
local out = {get(KEYS[1]), get(KEYS[2]), get(KEYS[3]), get(KEYS[4])}
for i = 1, 2 do
  local id = redis.call('HGET', KEYS[5], ARGV[i]) or ''
  local status, rank = '', -1
  if id ~= '' then
    status = redis.call('HGET', ARGV[3] .. id, 'status') or ''
    rank = redis.call('ZRANK', KEYS[6], id) or -1
  end
  table.insert(out, id); table.insert(out, status); table.insert(out, rank)
end
for _, w in ipairs(redis.call('LRANGE', KEYS[7], 0, -1)) do table.insert(out, w) end
return out
"""

# KEYS: reply-by-sid, session, opt-out, rate counter, esc record, esc log, esc version.
# ARGV: reply, reply ttl, session json ("" = delete), session ttl, opt-out op ("set", "del"
# or ""), rate window, transcript entry json ("" = none), now.
# Returns the earlier reply if this sid was seen.
COMMIT = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  return redis.call('GET', KEYS[1])
end
if redis.call('INCR', KEYS[4]) == 1 then redis.call('EXPIRE', KEYS[4], ARGV[6]) end
if ARGV[7] ~= '' then
  local status = redis.call('HGET', KEYS[5], 'status')
  if status and status ~= 'resolved' and redis.call('LLEN', KEYS[6]) < MAX_TRANSCRIPT then
    redis.call('RPUSH', KEYS[6], ARGV[7])
    redis.call('HSET', KEYS[5], 'last_inbound', ARGV[8])
    redis.call('INCR', KEYS[7])
  end
end
if ARGV[3] == '' then redis.call('DEL', KEYS[2])
else redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4]) end
if ARGV[5] == 'set' then redis.call('SET', KEYS[3], '1')
elseif ARGV[5] == 'del' then redis.call('DEL', KEYS[3]) end
return false
""".replace("MAX_TRANSCRIPT", str(records.MAX_TRANSCRIPT))


@dataclass
class Snapshot:
    session: Session | None
    opted_out: bool
    earlier_reply: str | None
    recent: int = 0  # messages from this sender in the current rate window
    escalations: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> status, rank
    waits: list[float] = field(default_factory=list)  # recent seconds-to-claim


class SmsState:
    """One texter's keys, addressed by a keyed hash of the number, never the number."""

    def __init__(self, r: redis.Redis, secret: str, sender: str, session_ttl: int):
        self.r = r
        self.who = number_key(secret, sender)
        self.session_ttl = session_ttl
        self.session_key = sms_session_key(self.who)
        self.optout_key = key("optout", self.who)
        self.rate_key = key("rate", self.who)

    @staticmethod
    def reply_key(sid: str) -> str:
        return key("sms", "reply", sid)

    def read(self, sid: str) -> Snapshot:
        keys = [self.session_key, self.optout_key, self.reply_key(sid), self.rate_key,
                records.BY_WHO, records.WAITING, queue.WAITS]  # fmt: skip
        args = [*records.who_fields(self.who), records.record_key("")]
        out = self.r.register_script(READ)(keys=keys, args=args)
        raw, optout, reply, recent = out[:4]
        found = {out[i]: (out[i + 1], int(out[i + 2])) for i in (4, 7) if out[i]}
        return Snapshot(
            decode(raw or None), bool(optout), reply or None, int(recent or 0), found,
            [float(w) for w in out[10:]],
        )  # fmt: skip

    def commit(
        self,
        sid: str,
        reply: str,
        session: Session | None,
        optout: str = "",
        words: tuple[str, Entry] | None = None,
    ) -> str | None:
        """Save the turn once per MessageSid; return the earlier reply if a twin got here first.

        words: (escalation id, entry) to add to an open conversation's transcript.
        """
        script = self.r.register_script(COMMIT)
        body = encode(session) if session else ""
        escalation_id, entry = words or ("", None)
        keys = [self.reply_key(sid), self.session_key, self.optout_key, self.rate_key,
                records.record_key(escalation_id), records.log_key(escalation_id),
                records.VERSION]  # fmt: skip
        args = [reply, REPLY_TTL, body, self.session_ttl, optout, RATE_WINDOW,
                entry.to_json() if entry else "", entry.at if entry else 0]  # fmt: skip
        return script(keys=keys, args=args)
