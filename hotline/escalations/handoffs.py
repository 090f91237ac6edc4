"""Hand-offs: the advocate holding a conversation gives it to a named colleague, or back to the
queue, with a note the next person reads first. And what each advocate has seen of it.

A hand-off is one Lua step: it checks that the giver still holds the conversation (or is an
admin) and that the colleague's account exists and is not disabled, then moves it, writes the
note (sealed, into esc:{id}:notes, kind "handoff"), records the giver, receiver, time and note
on the record (the note sealed) for the receiver's queue card, and adds a staff-facing line to
the transcript. Two hand-offs, or a hand-off and a claim, racing for one conversation: one wins,
the other gets QueueError("taken"), so two advocates never both hold it.

Unread badges: the record counts the texter's messages (`inbound`, counted by the one Lua step
that receives them, conversation.RECEIVE); opening the conversation stores that count as
`seen:<staff>` on the record, so a queue card's badge is `inbound - seen:<me>` with no extra
round trip (the queue already reads the records).
"""

from __future__ import annotations

import time

import redis

from hotline.escalations import audit, records
from hotline.escalations.accounts import NAME, Staff, account_key
from hotline.escalations.notes import MAX_NOTES, Note, NoteRefused, clean, notes_key
from hotline.escalations.queue import QueueError
from hotline.escalations.records import SEEN_PREFIX, Entry
from hotline.escalations.seal import seal

# KEYS: record, waiting, version, notes, log, the colleague's account ("" key when to queue).
# ARGV: id, giver, is_admin, receiver ("" = the queue), now, note json, sealed note, transcript
# line json, notes cap.
HANDOFF = (
    records.SECTIONS_LUA
    + """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if status == 'resolved' then return 'resolved' end
if status ~= 'claimed' then return 'not-claimed' end
local owner = redis.call('HGET', KEYS[1], 'assignee')
if owner ~= ARGV[2] and ARGV[3] ~= '1' then return 'taken' end
if ARGV[4] ~= '' then
  if ARGV[4] == owner then return 'same' end
  if redis.call('HGET', KEYS[6], 'role') == false then return 'no-such-staff' end
  if redis.call('HGET', KEYS[6], 'disabled') then return 'disabled' end
  unlist(KEYS[1], ARGV[1])
  redis.call('HSET', KEYS[1], 'assignee', ARGV[4], 'claimed', ARGV[5])
else
  unlist(KEYS[1], ARGV[1])
  redis.call('HSET', KEYS[1], 'status', 'waiting', 'assignee', '', 'claimed', '0')
  local p = tonumber(redis.call('HGET', KEYS[1], 'priority'))
  local created = tonumber(redis.call('HGET', KEYS[1], 'created'))
  redis.call('ZADD', KEYS[2], p * PRIORITY_SPAN + created, ARGV[1])
end
list(KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], 'handoff_from', ARGV[2], 'handoff_to', ARGV[4],
           'handoff_at', ARGV[5], 'handoff_note', ARGV[7])
if redis.call('LLEN', KEYS[4]) < tonumber(ARGV[9]) then redis.call('RPUSH', KEYS[4], ARGV[6]) end
redis.call('RPUSH', KEYS[5], ARGV[8])
redis.call('INCR', KEYS[3])
return 'ok'
""".replace("PRIORITY_SPAN", str(records.PRIORITY_SPAN))
)

REFUSED = {
    "not-claimed": "Claim this conversation before handing it on.",
    "same": "They already hold this conversation.",
    "no-such-staff": "There is no such colleague.",
    "disabled": "That colleague's account is disabled.",
}


def hand_off(r: redis.Redis, escalation_id: str, giver: Staff, receiver: str, note: str) -> None:
    """Give a claimed conversation to `receiver` (a staff name), or back to the queue when
    `receiver` is "", with `note` for whoever takes it next. Atomic, one round trip, then
    its audit line (the receiver's name, never the note's words).

    Raises NoteRefused for an empty note, QueueError(result) when it cannot happen: "missing",
    "resolved", "taken" (someone else holds it), "not-claimed", "same", "no-such-staff",
    "disabled" (REFUSED says each in words).
    """
    text = clean(note)
    if not text:
        raise NoteRefused("Write a note for whoever takes it next.")
    receiver = receiver.strip().lower()[:64]
    if receiver and not NAME.match(receiver):
        raise QueueError("no-such-staff")
    now = time.time()
    line = f"handed to {receiver} by {giver.name}" if receiver else (
        f"handed back to the queue by {giver.name}")  # fmt: skip
    keys = [records.record_key(escalation_id), records.WAITING, records.VERSION,
            notes_key(escalation_id), records.log_key(escalation_id),
            account_key(receiver) if receiver else account_key("")]  # fmt: skip
    args = [escalation_id, giver.name, "1" if giver.is_admin else "0", receiver, now,
            Note(at=now, by=giver.name, text=text, kind="handoff").to_json(), seal(text),
            Entry(at=now, by="system", text=line).to_json(), MAX_NOTES]  # fmt: skip
    result = r.register_script(HANDOFF)(keys=keys, args=args)
    if result != "ok":
        raise QueueError(result)
    audit.record(r, giver.name, "hand off", escalation_id, receiver or "the queue")


# KEYS: record, version. ARGV: field, count. Only while the record exists (never re-creates one
# that retention or purge removed). Bumps the version: the reader's queue poll must not answer
# 304 with the unread badge they just cleared.
SEEN = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('INCR', KEYS[2])
return 1
"""


def mark_seen(r: redis.Redis, record: records.Escalation, staff: str) -> None:
    """`staff` has now seen the texter's messages up to the record's count as loaded (a message
    arriving meanwhile stays unread: never the other way round). One round trip, skipped when
    nothing is new."""
    if record.seen.get(staff, 0) == record.inbound:
        return
    r.register_script(SEEN)(keys=[records.record_key(record.id), records.VERSION],
                            args=[SEEN_PREFIX + staff, record.inbound])  # fmt: skip
