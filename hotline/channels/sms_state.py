"""What Redis holds for one texter: session, opt-out, and the replies to MessageSids seen.

An inbound message costs two round trips: one MGET to read, one Lua call to write.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from hotline.engine import Session
from hotline.sessions import decode, encode, sms_session_key
from hotline.store import key, number_key

REPLY_TTL = 3600  # Twilio retries within minutes; kept short, as replies may hold answers

RATE_WINDOW = 60  # seconds: the per-sender message counter's fixed window

# KEYS: reply-by-sid, session, opt-out, rate counter. ARGV: reply, reply ttl, session json
# ("" = delete), session ttl, opt-out op ("set", "del" or ""), rate window.
# Returns the earlier reply if this sid was seen.
COMMIT = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  return redis.call('GET', KEYS[1])
end
if redis.call('INCR', KEYS[4]) == 1 then redis.call('EXPIRE', KEYS[4], ARGV[6]) end
if ARGV[3] == '' then redis.call('DEL', KEYS[2])
else redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4]) end
if ARGV[5] == 'set' then redis.call('SET', KEYS[3], '1')
elseif ARGV[5] == 'del' then redis.call('DEL', KEYS[3]) end
return false
"""


@dataclass
class Snapshot:
    session: Session | None
    opted_out: bool
    earlier_reply: str | None
    recent: int = 0  # messages from this sender in the current rate window


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
        keys = (self.session_key, self.optout_key, self.reply_key(sid), self.rate_key)
        raw, optout, reply, recent = self.r.mget(*keys)
        return Snapshot(decode(raw), bool(optout), reply, int(recent or 0))

    def commit(self, sid: str, reply: str, session: Session | None, optout: str = "") -> str | None:
        """Save the turn once per MessageSid; return the earlier reply if a twin got here first."""
        script = self.r.register_script(COMMIT)
        body = encode(session) if session else ""
        keys = [self.reply_key(sid), self.session_key, self.optout_key, self.rate_key]
        args = [reply, REPLY_TTL, body, self.session_ttl, optout, RATE_WINDOW]
        return script(keys=keys, args=args)
