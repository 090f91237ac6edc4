"""Internal notes on an escalation: staff words for staff, never sent to the texter.

Keys (prefix hotline:):
  esc:{id}:notes   list: one JSON note per line, oldest first; its text sealed at rest
                   (Fernet, escalations/seal.py) exactly as the transcript's lines are.

Notes live and die with their escalation: retention expires them with the record, DELETE
erases them with the transcript (retention.escalation_keys), `hotline rotate-keys` re-seals
them. The audit log records that a note was written, by whom, never its words.
"""

from __future__ import annotations

import json
import time
import unicodedata
from dataclasses import asdict, dataclass

import redis

from hotline.escalations import audit, records
from hotline.escalations.accounts import Staff
from hotline.escalations.seal import seal, unseal
from hotline.store import key

MAX_NOTE = 2000  # characters kept of one note
MAX_NOTES = 500  # notes on one escalation; more are refused (a runaway script, not a shift)
KINDS = ("note", "handoff")


def notes_key(escalation_id: str) -> str:
    return key("esc", escalation_id, "notes")


class NoteRefused(ValueError):
    """An empty note, a note on a missing escalation, or one over MAX_NOTES (why, in words)."""


@dataclass(frozen=True)
class Note:
    """One note: when (epoch seconds), by whom (staff name), its words, and its kind
    ("note", or "handoff": the words a colleague reads first when handed the conversation)."""

    at: float
    by: str
    text: str
    kind: str = "note"

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "text": seal(self.text)})

    @classmethod
    def from_json(cls, raw: str) -> Note:
        data = json.loads(raw)
        return cls(at=float(data["at"]), by=str(data["by"]), text=unseal(data.get("text")),
                   kind=str(data.get("kind", "note")))  # fmt: skip


def clean(text: str) -> str:
    """The note as kept: control characters other than line breaks and tabs dropped, trailing
    blanks trimmed, at most MAX_NOTE characters."""
    kept = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs"))
    return kept.strip()[:MAX_NOTE]


# KEYS: record, notes, version. ARGV: note json, cap. Appends only while the record exists.
ADD = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
if redis.call('LLEN', KEYS[2]) >= tonumber(ARGV[2]) then return 'full' end
redis.call('RPUSH', KEYS[2], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
redis.call('INCR', KEYS[3])
return 'ok'
"""


def add(r: redis.Redis, escalation_id: str, staff: Staff, text: str, kind: str = "note") -> Note:
    """Write a note (one round trip for the note, two for its audit line).

    The note expires with its record (a resolved record's TTL is copied). Raises NoteRefused
    when the text is empty once cleaned, the escalation is gone, or it has MAX_NOTES notes.
    """
    text = clean(text)
    if not text:
        raise NoteRefused("Write something first.")
    note = Note(at=time.time(), by=staff.name, text=text, kind=kind)
    keys = [records.record_key(escalation_id), notes_key(escalation_id), records.VERSION]
    result = r.register_script(ADD)(keys=keys, args=[note.to_json(), MAX_NOTES])
    if result == "missing":
        raise NoteRefused("No such escalation.")
    if result == "full":
        raise NoteRefused(f"This conversation already has {MAX_NOTES} notes.")
    audit.record(r, staff.name, "note" if kind == "note" else "hand-off note", escalation_id)
    return note


def for_escalation(r: redis.Redis, escalation_id: str) -> list[Note]:
    """Every note, oldest first (unsealed: for staff pages only)."""
    return [Note.from_json(raw) for raw in r.lrange(notes_key(escalation_id), 0, -1)]
