"""The changes feed: every created, updated and deleted record, in commit order, behind an opaque cursor.

Each revision a write transaction records is noted in timeline/feedlog.py; at commit, db.write_session
bumps the data version under its row's lock (held to commit) and files the revisions under that number.
Numbers so taken follow commit order on SQLite (one writer) and on PostgreSQL (where ids from a
sequence do not), so a reader's snapshot always holds a prefix of the feed: paging on from a cursor
never skips a change that commits later with a smaller number.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from .. import queries
from .errors import InvalidFilter
from .records import iso_utc

_CURSOR = re.compile(r"c1\.([0-9]{1,18})\.([0-9]{1,9})")
START = (
    0,
    0,
)  # before every entry: entries from migration 0010 are (0, revision id >= 1), later (>= 1, >= 1)
MAX_LIMIT = 1000
BAD_CURSOR = "not a cursor this service gave out (use the “next” of an earlier answer, or leave it out)"

# What each revision action means to a follower: the record is there (with "record") or gone.
ACTIONS = ("create", "update", "delete", "restore", "purge")
REMOVING = ("delete", "purge")


def encode_cursor(seq: int, n: int) -> str:
    """An opaque cursor for the position just after the entry (seq, n)."""
    return base64.urlsafe_b64encode(f"c1.{seq}.{n}".encode("ascii")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[int, int]:
    """The position a cursor stands for; the start when there is none. Invalid names `since`."""
    if cursor is None or cursor == "":
        return START
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True).decode("ascii")
    except (UnicodeError, ValueError, binascii.Error):
        raise InvalidFilter({"since": BAD_CURSOR}, "Invalid cursor.") from None
    match = _CURSOR.fullmatch(text)
    if match is None:
        raise InvalidFilter({"since": BAD_CURSOR}, "Invalid cursor.")
    return int(match.group(1)), int(match.group(2))


@dataclass(frozen=True)
class Change:
    """One change of one record, as a follower sees it."""

    cursor: str
    entity: str  # event, actor, topic
    key: str  # uid or slug after the change
    previous_key: str | None  # the key before, when the change renamed the record
    action: str  # create, update, delete, restore, purge
    at: datetime
    record: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "cursor": self.cursor,
            "entity": self.entity,
            "key": self.key,
            "previous_key": self.previous_key,
            "action": self.action,
            "at": iso_utc(self.at),
            "record": self.record,
        }


@dataclass(frozen=True)
class ChangesPage:
    """Changes after a cursor, the cursor to ask with next, and whether more are waiting now."""

    items: list[Change]
    next: str
    more: bool

    def as_dict(self) -> dict[str, Any]:
        return {"items": [c.as_dict() for c in self.items], "next": self.next, "more": self.more}


def _key_field(entity: str) -> str:
    return "uid" if entity == "event" else "slug"


def change_of(row: Any) -> Change:
    """A change from a change-log row joined with its revision (queries.changes_after)."""
    previous = (row.before or {}).get(_key_field(row.entity))
    # The record after the change; none once gone, and none for an event deleted since (pages hide it).
    hidden = row.entity == "event" and (row.event_id is None or row.event_deleted_at is not None)
    record = None if row.action in REMOVING or hidden else row.after
    return Change(
        cursor=encode_cursor(row.seq, row.n),
        entity=row.entity,
        key=row.entity_key,
        previous_key=previous if previous is not None and previous != row.entity_key else None,
        action=row.action,
        at=row.at,
        record=record,
    )


def changes_since(session: Session, since: str | None, limit: int = 100) -> ChangesPage:
    """Up to `limit` changes after the cursor `since` (from the start without one), oldest first."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidFilter({"limit": f"a whole number from 1 to {MAX_LIMIT}"}, "Invalid limit.")
    seq, n = decode_cursor(since)
    rows = queries.changes_after(session, seq, n, limit + 1)
    items = [change_of(row) for row in rows[:limit]]
    last = items[-1].cursor if items else encode_cursor(seq, n)
    return ChangesPage(items=items, next=last, more=len(rows) > limit)


def latest_position(session: Session) -> tuple[int, int]:
    """The position of the newest entry (the start when the feed is empty)."""
    return queries.last_change_position(session) or START
