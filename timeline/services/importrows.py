"""An import's new events as rows: built before the write transaction (no database), then inserted in
bulk (one executemany per table) inside it, so a large import holds the write lock for as little time as
the inserts take.

The rows, revisions and change-feed entries are those services/events.create_event writes one by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from .. import queries, scopes
from ..models import Event, Revision, Stance, utcnow
from ..schemas import EventIn
from . import changes
from .errors import Invalid
from .events import _row_values
from .records import event_record_of

_EVENT = Event.__table__  # type: ignore[attr-defined]
_INSERT_EVENTS = insert(_EVENT)
_INSERT_STANCES = insert(Stance.__table__)  # type: ignore[attr-defined]
_INSERT_REVISIONS = insert(Revision.__table__)  # type: ignore[attr-defined]
_NO_ID = SimpleNamespace(id=None)


@dataclass(frozen=True)
class NewEvent:
    """One new event of a document, its columns worked out; ids and times are filled in at insert."""

    index: int  # its place in the document (errors name it)
    uid: str
    actor: str  # slug
    values: dict[str, Any]  # the event's columns but actor_id, created_at, updated_at
    stances: list[tuple[str, int, str | None]]  # topic slug, score, rationale
    created_at: datetime | None
    updated_at: datetime | None


def new_events(events: Iterable[EventIn], new_uids: frozenset[str] | set[str]) -> list[NewEvent]:
    """The rows of the events whose uid is in `new_uids`, in document order (no database)."""
    built = []
    for i, data in enumerate(events):
        if data.uid not in new_uids:
            continue
        topics = {s.topic: _NO_ID for s in data.stances}
        values, _ = _row_values(data, _NO_ID, topics)
        del values["actor_id"]
        built.append(
            NewEvent(
                index=i,
                uid=data.uid or "",
                actor=data.actor,
                values=values,
                stances=[(s.topic, s.score, s.rationale) for s in data.stances],
                created_at=data.created_at,
                updated_at=data.updated_at,
            )
        )
    return built


class UnknownReference(Invalid):
    """A new event names an actor or topic that does not exist: `index` and `uid` say which."""

    def __init__(self, index: int, uid: str, fields: dict[str, str]) -> None:
        super().__init__(fields)
        self.index, self.uid = index, uid


def insert_events(session: Session, events: list[NewEvent], user_id: int | None) -> int:
    """Insert these new events, their stances and their revisions in the caller's write transaction.

    Actors and topics are looked up once; UnknownReference names the first record whose actor or topic
    is missing.
    """
    if not events:
        return 0
    actors = {a.slug: a for a in queries.all_actors(session)}
    topics = {t.slug: t for t in queries.all_topics(session)}
    now = utcnow()
    rows, records = [], []
    for ev in events:
        errors = {} if ev.actor in actors else {"actor": f"no actor with the slug “{ev.actor}”"}
        for j, (topic, _score, _why) in enumerate(ev.stances):
            if topic not in topics:
                errors[f"stances.{j}.topic"] = f"no topic with the slug “{topic}”"
        if errors:
            raise UnknownReference(ev.index, ev.uid, errors)
        row = {
            **ev.values,
            "actor_id": actors[ev.actor].id,
            "uid": ev.uid,
            "created_at": ev.created_at or now,
            "updated_at": ev.updated_at or ev.created_at or now,
            "version": 1,
            "deleted_at": None,
        }
        ordered = sorted(ev.stances, key=lambda s: (topics[s[0]].name, topics[s[0]].id))
        stance_records = [{"topic": t, "score": score, "rationale": why} for t, score, why in ordered]
        record = event_record_of(SimpleNamespace(**row), ev.actor, stance_records)
        rows.append(row)
        records.append({**record, "version": 1, "deleted": False})
    # Plain executemany (no RETURNING: SQLite would run it row by row), then the ids by uid.
    session.execute(_INSERT_EVENTS, rows)
    by_uid = queries.event_ids_by_uid(session, [ev.uid for ev in events])
    ids = [by_uid[ev.uid] for ev in events]
    stances = [
        {"event_id": event_id, "topic_id": topics[t].id, "score": score, "rationale": why}
        for event_id, ev in zip(ids, events, strict=True)
        for t, score, why in ev.stances
    ]
    if stances:
        session.execute(_INSERT_STANCES, stances)
    revisions = [
        {
            "entity": "event",
            "entity_id": event_id,
            "entity_key": ev.uid,
            "action": "create",
            "user_id": user_id,
            "at": now,
            "before": None,
            "after": record,
        }
        for event_id, ev, record in zip(ids, events, records, strict=True)
    ]
    session.execute(_INSERT_REVISIONS, revisions)
    created = queries.creation_revision_ids(session, ids)  # each new event has exactly this one
    for event_id in ids:
        changes.note(session, created[event_id])
    touched: set[str] = set()
    for record in records:
        touched |= scopes.of_event(None, record)
    scopes.note(session, *touched)
    return len(ids)
