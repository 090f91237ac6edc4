"""What Redis holds for one texter: session, opt-out, rate, a lease, and the replies to MessageSids.

An inbound message costs two round trips: one Lua call to read (with the state of the
texter's open escalations) that also claims the MessageSid and takes the texter's lease, and
one Lua call to write (with their words, inside a conversation) that stores the reply and
gives the lease back. Between the two, the channel decides and performs side effects (an
escalation, an alert): with the lease held they run once per MessageSid, one message of a
texter at a time.

Keys of one texter (who = keyed hash of the number, store.number_key):
  sms:lease:{who}     the MessageSid being answered now (PX LEASE_MS; released by the commit)
  sms:reply:{sid}     the reply sent to that MessageSid, sealed (EX REPLY_TTL)
  sms:replies:{who}   list: the texter's recent MessageSids (newest first, REPLY_KEEP), so
                      DELETE can forget their replies without scanning
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import redis
from twilio.twiml.messaging_response import MessagingResponse

from hotline.engine import Session
from hotline.escalations import blocks, queue, records
from hotline.escalations.records import Entry
from hotline.safety.crypto import seal, unseal
from hotline.sessions import decode, encode, sms_session_key
from hotline.store import key, number_key

REPLY_TTL = 3600  # Twilio retries within minutes; kept short, as replies may hold answers
REPLY_KEEP = 50  # replies kept per texter; an older one is forgotten (a retry then gets none)
FORGOTTEN = str(MessagingResponse())  # what a forgotten reply replays: TwiML with no message
RATE_WINDOW = 60  # seconds: the per-sender message counter's fixed window
LEASE_MS = 5000  # a turn holds its texter this long at most (a crashed process: then expires)
WAIT_FOR_LEASE = 6.0  # seconds a message waits for the texter's earlier one before going on

# KEYS: session, opt-out, reply-by-sid, rate counter, esc by-who, esc waiting, esc waits, lease,
# block (escalations/blocks.py).
# ARGV: by-who field for a person, for a tip; the escalation record key prefix; sid; lease ms;
# mode ("claim": take the lease; "force": take it even from another message; "peek": don't).
# Returns {verdict, ...}: {"replay", sealed reply} for a sid seen before; {"twin", ms left} while
# the same sid is being answered elsewhere; {"busy", ms left} while another message of this
# texter is; else {"ok", session, opt-out, rate ('' when missing), then per by-who field:
# escalation id, status, rank in the waiting queue (-1: not waiting), then the recent waits};
# after the rate: whether the number is blocked ('1' or '').
# (Escalation records are addressed by prefix + id: fine on one Redis, not on a cluster.)
READ = """
local reply = redis.call('GET', KEYS[3])
if reply then return {'replay', reply} end
if ARGV[6] ~= 'peek' then
  local holder = redis.call('GET', KEYS[8])
  if holder and ARGV[6] ~= 'force' then
    return {holder == ARGV[4] and 'twin' or 'busy', redis.call('PTTL', KEYS[8])}
  end
  redis.call('SET', KEYS[8], ARGV[4], 'PX', ARGV[5])
end
local function get(k) return redis.call('GET', k) or '' end
local out = {'ok', get(KEYS[1]), get(KEYS[2]), get(KEYS[4]), get(KEYS[9])}
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

# KEYS: reply-by-sid, session, opt-out, rate counter, esc record, esc log, esc version, lease,
# the texter's recent sids.
# ARGV: sealed reply, reply ttl, session json ("" = delete), session ttl, opt-out op ("set",
# "del" or ""), rate window, transcript entry json ("" = none), now, sid, forget earlier replies
# ("1": DELETE), replies kept, reply key prefix, what a forgotten reply replays, then the report
# figures of this message: KEYS[10] the day's counters (reports.day_key), ARGV[14] their ttl,
# ARGV[15...] field, amount pairs (none: nothing counted).
# Returns the earlier (sealed) reply if this sid was answered meanwhile, else false.
COMMIT = """
local function release()
  if redis.call('GET', KEYS[8]) == ARGV[9] then redis.call('DEL', KEYS[8]) end
end
local earlier = redis.call('GET', KEYS[1])
if earlier then release(); return earlier end
local function forget(sids)
  for _, s in ipairs(sids) do redis.call('SET', ARGV[12] .. s, ARGV[13], 'KEEPTTL') end
end
if ARGV[10] == '1' then
  forget(redis.call('LRANGE', KEYS[9], 0, -1)); redis.call('DEL', KEYS[9])
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('LPUSH', KEYS[9], ARGV[9])
forget(redis.call('LRANGE', KEYS[9], ARGV[11], -1))
redis.call('LTRIM', KEYS[9], 0, ARGV[11] - 1)
redis.call('EXPIRE', KEYS[9], ARGV[2])
if redis.call('INCR', KEYS[4]) == 1 then redis.call('EXPIRE', KEYS[4], ARGV[6]) end
if ARGV[7] ~= '' then
  local status = redis.call('HGET', KEYS[5], 'status')
  if status and status ~= 'resolved' and redis.call('LLEN', KEYS[6]) < MAX_TRANSCRIPT then
    redis.call('RPUSH', KEYS[6], ARGV[7])
    redis.call('HSET', KEYS[5], 'last_inbound', ARGV[8])
    redis.call('HINCRBY', KEYS[5], 'inbound', 1)
    redis.call('INCR', KEYS[7])
  end
end
if ARGV[3] == '' then redis.call('DEL', KEYS[2])
else redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4]) end
if ARGV[5] == 'set' then redis.call('SET', KEYS[3], '1')
elseif ARGV[5] == 'del' then redis.call('DEL', KEYS[3]) end
if #ARGV >= 15 then
  for i = 15, #ARGV - 1, 2 do redis.call('HINCRBY', KEYS[10], ARGV[i], ARGV[i + 1]) end
  redis.call('EXPIRE', KEYS[10], ARGV[14])
end
release()
return false
""".replace("MAX_TRANSCRIPT", str(records.MAX_TRANSCRIPT))

# KEYS: lease. ARGV: sid. Gives the lease back after a turn that failed before its commit.
RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end"


@dataclass
class Snapshot:
    session: Session | None
    opted_out: bool
    earlier_reply: str | None
    recent: int = 0  # messages from this sender in the current rate window
    escalations: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> status, rank
    waits: list[float] = field(default_factory=list)  # recent seconds-to-claim
    in_flight: str = ""  # "twin": this sid is being answered; "busy": another message is
    blocked: bool = False  # an admin blocked this number (escalations/blocks.py)


class SmsState:
    """One texter's keys, addressed by a keyed hash of the number, never the number."""

    def __init__(self, r: redis.Redis, secret: str, sender: str, session_ttl: int):
        self.r = r
        self.who = number_key(secret, sender)
        self.session_ttl = session_ttl
        self.session_key = sms_session_key(self.who)
        self.optout_key = key("optout", self.who)
        self.rate_key = key("rate", self.who)
        self.lease_key = key("sms", "lease", self.who)
        self.replies_key = key("sms", "replies", self.who)

    @staticmethod
    def reply_key(sid: str) -> str:
        return key("sms", "reply", sid)

    def read(self, sid: str = "", mode: str = "peek") -> Snapshot:
        """The texter's state (1 round trip). mode "claim" also takes the lease for `sid`.

        mode: "peek" (nothing taken: the simulator's view), "claim" (take the lease unless
        another message holds it: then in_flight says who) or "force" (take it regardless).
        """
        keys = [self.session_key, self.optout_key, self.reply_key(sid), self.rate_key,
                records.BY_WHO, records.WAITING, queue.WAITS, self.lease_key,
                blocks.block_key(self.who)]  # fmt: skip
        args = [*records.who_fields(self.who), records.record_key(""), sid, LEASE_MS, mode]
        out = self.r.register_script(READ)(keys=keys, args=args)
        verdict = out[0]
        if verdict == "replay":
            return Snapshot(None, False, unseal(out[1]))
        if verdict in ("twin", "busy"):
            return Snapshot(None, False, None, in_flight=verdict)
        raw, optout, recent, blocked = out[1:5]
        found = {out[i]: (out[i + 1], int(out[i + 2])) for i in (5, 8) if out[i]}
        return Snapshot(
            decode(raw or None), bool(optout), None, int(recent or 0), found,
            [float(w) for w in out[11:]], blocked=bool(blocked),
        )  # fmt: skip

    def claim(self, sid: str, wait: float = WAIT_FOR_LEASE) -> Snapshot:
        """Read with the texter's lease for `sid`, waiting for an earlier message to finish.

        Returns a snapshot with earlier_reply set when this sid was answered already (also
        after waiting for a twin), or with in_flight "twin" when a twin is still being
        answered after `wait` seconds. A different message of this texter still in flight
        after `wait` (its process is stuck) loses the lease to this one.
        """
        deadline, pause, mode = time.monotonic() + wait, 0.005, "claim"
        while True:
            snapshot = self.read(sid, mode)
            if not snapshot.in_flight:
                return snapshot
            if time.monotonic() >= deadline:
                if snapshot.in_flight == "twin":
                    return snapshot
                mode = "force"
                continue
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, 0.1)

    def release(self, sid: str) -> None:
        """Give the lease back without committing (the turn failed; 1 round trip)."""
        self.r.register_script(RELEASE)(keys=[self.lease_key], args=[sid])

    def commit(
        self,
        sid: str,
        reply: str,
        session: Session | None,
        optout: str = "",
        words: tuple[str, Entry] | None = None,
        forget_replies: bool = False,
        counts: tuple[str, int, list[tuple[str, int]]] | None = None,
    ) -> str | None:
        """Save the turn once per MessageSid and release the lease; return the earlier reply
        if a twin got here first.

        words: (escalation id, entry) to add to an open conversation's transcript.
        forget_replies: DELETE: the texter's earlier replies are forgotten (a late retry of an
        earlier message then gets an empty reply and changes nothing).
        counts: (day key, ttl seconds, [(field, amount)...]): report counters for this message
        (reports.py), added in the same step.
        """
        script = self.r.register_script(COMMIT)
        body = encode(session) if session else ""
        escalation_id, entry = words or ("", None)
        keys = [self.reply_key(sid), self.session_key, self.optout_key, self.rate_key,
                records.record_key(escalation_id), records.log_key(escalation_id),
                records.VERSION, self.lease_key, self.replies_key,
                counts[0] if counts else self.rate_key]  # fmt: skip
        args = [seal(reply), REPLY_TTL, body, self.session_ttl, optout, RATE_WINDOW,
                entry.to_json() if entry else "", entry.at if entry else 0, sid,
                "1" if forget_replies else "", REPLY_KEEP, self.reply_key(""),
                FORGOTTEN]  # fmt: skip
        if counts and counts[2]:
            args += [counts[1], *[item for pair in counts[2] for item in pair]]
        earlier = script(keys=keys, args=args)
        return unseal(earlier) if earlier is not None else None
