"""The revisions a write transaction records, queued for the changes feed and filed at commit.

Below the services (like scopes.py): revisions.log notes each revision here, and db.write_session
files them under the transaction's data version, taken under its row's lock (services/changes.py reads
the feed back).
"""

from __future__ import annotations

from sqlalchemy import Connection, insert
from sqlmodel import Session

from .models import ChangeEntry

_PENDING = "timeline.changes"
_INSERT = insert(ChangeEntry.__table__)  # type: ignore[attr-defined]


def note(session: Session, revision_id: int) -> None:
    """Queue a revision of the session's write transaction for the feed (filed at commit)."""
    session.info.setdefault(_PENDING, []).append(revision_id)


def pending(session: Session) -> list[int]:
    """The revisions the session's transaction recorded, taken off the queue."""
    return list(session.info.pop(_PENDING, []))


def stamp(executor: Session | Connection, seq: int, revision_ids: list[int]) -> None:
    """File the transaction's revisions under its commit number, in the order they were recorded."""
    executor.execute(_INSERT, [{"seq": seq, "n": i, "revision_id": r} for i, r in enumerate(revision_ids, 1)])
