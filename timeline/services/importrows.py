"""An import's new events as rows: built before the write transaction (no database), then inserted in
bulk (one executemany per table) inside it, so a large import holds the write lock for as little time as
the inserts take.

The rows, revisions and change-feed entries are those services/events.create_event writes one by one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from .. import feedlog, queries, scopes
from ..models import Event, Revision, Stance, utcnow
from ..schemas import EventIn
from . import sources
from .errors import Invalid
from .events import _row_values
from .records import event_record_of, iso_utc

_EVENT = Event.__table__  # type: ignore[attr-defined]
_INSERT_EVENTS = insert(_EVENT)
_INSERT_STANCES = insert(Stance.__table__)  # type: ignore[attr-defined]
_INSERT_REVISIONS = insert(Revision.__table__)  # type: ignore[attr-defined]
_NO_ID = SimpleNamespace(id=None)


@dataclass(frozen=True)
class NewEvent:
    """One new event of a document: its row and its revision's record, built before the transaction;
    the insert fills in the ids, and the times the document leaves to it."""

    index: int  # its place in the document (errors name it)
    uid: str
    actor: str  # slug
    row: dict[str, Any]  # the event's columns but actor_id (and created_at/updated_at when not given)
    stances: list[tuple[str, int, str | None]]  # topic slug, score, rationale: in the record's order
    record: dict[str, Any]  # the revision's record ("created_at"/"updated_at" refreshed at insert)
    ordered: bool  # the stances are in their final order (topic names known and distinct)
    created_at: datetime | None
    updated_at: datetime | None


def new_events(
    events: Iterable[EventIn],
    new_uids: frozenset[str] | set[str],
    topic_names: Mapping[str, str] | None = None,
) -> list[NewEvent]:
    """The rows of the events whose uid is in `new_uids`, in document order (no database).

    topic_names (slug -> name after the import) puts each event's stances in their stored order now.
    """
    built = []
    placeholder = utcnow()
    for i, data in enumerate(events):
        if data.uid not in new_uids:
            continue
        values, _ = _row_values(data, _NO_ID, {s.topic: _NO_ID for s in data.stances})
        del values["actor_id"]
        row = {**values, "uid": data.uid, "version": 1, "deleted_at": None}
        stances = [(s.topic, s.score, s.rationale) for s in data.stances]
        names = [topic_names.get(t) for t, _s, _r in stances] if topic_names is not None else []
        ordered = topic_names is not None and None not in names and len(set(names)) == len(names)
        if ordered:
            stances.sort(key=lambda s: str(topic_names[s[0]]))  # type: ignore[index]
        created = data.created_at or placeholder
        times = {"created_at": created, "updated_at": data.updated_at or created}
        record = _record({**row, **times}, data.actor, stances)
        built.append(
            NewEvent(
                i, data.uid or "", data.actor, row, stances, record, ordered, data.created_at, data.updated_at
            )
        )
    return built


def still_new(events: list[EventIn], built: list[NewEvent], new_uids: set[str]) -> list[NewEvent]:
    """The rows of the events whose uid is in `new_uids`, in document order: those already `built` are
    kept, the others (an event purged since they were built) built now."""
    kept = [ev for ev in built if ev.uid in new_uids]
    missing = new_uids - {ev.uid for ev in kept}
    if not missing:
        return kept
    return sorted(kept + new_events(events, missing), key=lambda ev: ev.index)


def _in_order(ev: NewEvent, names: Mapping[str, str]) -> bool:
    """Whether the stances built in order are still in the order of the topics' current names."""
    if not ev.ordered:
        return False
    current = [names[t] for t, _s, _r in ev.stances]
    return len(set(current)) == len(current) and current == sorted(current)


def _record(row: dict[str, Any], actor: str, stances: list[tuple[str, int, str | None]]) -> dict[str, Any]:
    """What the event's "create" revision keeps (as services/events.create_event records it)."""
    stance_records = [{"topic": t, "score": score, "rationale": why} for t, score, why in stances]
    return {**event_record_of(SimpleNamespace(**row), actor, stance_records), "version": 1, "deleted": False}


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
    names = {slug: t.name for slug, t in topics.items()}
    now = utcnow()
    rows, records = [], []
    for ev in events:
        errors = {} if ev.actor in actors else {"actor": f"no actor with the slug “{ev.actor}”"}
        for j, (topic, _score, _why) in enumerate(ev.stances):
            if topic not in topics:
                errors[f"stances.{j}.topic"] = f"no topic with the slug “{topic}”"
        if errors:
            raise UnknownReference(ev.index, ev.uid, errors)
        created = ev.created_at or now
        row = {**ev.row, "actor_id": actors[ev.actor].id, "created_at": created}
        row["updated_at"] = ev.updated_at or created
        record = ev.record
        if ev.created_at is None or ev.updated_at is None:
            times = {"created_at": iso_utc(row["created_at"]), "updated_at": iso_utc(row["updated_at"])}
            record = {**record, **times}
        if not _in_order(ev, names):  # topics new, renamed since, or of one name: as create_event orders
            in_order = sorted(ev.stances, key=lambda s: (topics[s[0]].name, topics[s[0]].id))
            record = _record(row, ev.actor, in_order)
        rows.append(row)
        records.append(record)
    # The source records their citations name (made when new) and the quotes' anchors, as create_event.
    sources.link_new_rows(session, rows)
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
    revision_ids = queries.creation_revision_ids(session, ids)  # each new event has exactly this one
    for event_id in ids:
        feedlog.note(session, revision_ids[event_id])
    touched: set[str] = set()
    for record in records:
        touched |= scopes.of_event(None, record)
    scopes.note(session, *touched)
    return len(ids)
