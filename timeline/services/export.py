"""The native JSON format and CSV out: one serialiser for exports, streamed or per actor timeline."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from .. import queries
from ..models import Actor, Event
from . import source_exchange
from .records import FORMAT, VERSION, actor_record, dumpb, iso_utc, topic_record
from .tabular import csv_rows, csv_text
from .timeline import Timeline


def document_header(extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    head: dict[str, Any] = {"format": FORMAT, "version": VERSION, "exported_at": iso_utc(datetime.now(UTC))}
    head.update(extra or {})
    return head


def actor_records(session: Session, actors: Sequence[Actor], *, by_slug: bool = True) -> list[dict[str, Any]]:
    """Actor records with their parents' slugs (one query), ordered by slug unless asked not to."""
    parents = queries.actors_by_ids(session, (a.parent_id for a in actors if a.parent_id))
    ordered = sorted(actors, key=lambda a: a.slug) if by_slug else actors
    return [actor_record(a, parents[a.parent_id].slug if a.parent_id in parents else None) for a in ordered]


def stream_full_export(
    session: Session,
    batch: int = 500,
    filters: queries.EventFilters | None = None,
    format_version: int = VERSION,
    source_texts: bool = True,
) -> Iterator[bytes]:
    """The whole dataset as one UTF-8 JSON document, produced piece by piece in constant memory.

    Events come in the order they were added (id), each record built as JSON by the database (its
    stances included, kept as JSON by triggers): Python only joins bytes, 500 records at a time (the
    worker's memory grows by a few MB, whatever the size of the dataset). Filters narrow the events;
    every actor and topic stays, so a narrowed export still imports.

    Version 2 adds each event's source_ref and anchor, and after the events the sources they name
    (services/source_exchange.py), with their kept texts unless source_texts is off.
    """
    v2 = format_version == source_exchange.VERSION_2
    head = document_header({"version": format_version} if v2 else None)
    yield dumpb(head)[:-1] + b',\n"actors": [\n'
    actors = queries.all_actors(session)
    yield b",\n".join(dumpb(r) for r in actor_records(session, actors))
    yield b'\n],\n"topics": [\n'
    topics = queries.all_topics(session)
    yield b",\n".join(dumpb(topic_record(t)) for t in sorted(topics, key=lambda t: t.slug))
    yield b'\n],\n"events": [\n'
    cited: set[int] = set()  # the ids of the sources the events name (version 2)
    with queries.memory_map_off(session):
        first = True
        for rows in queries.iter_event_bodies(session, batch, filters or queries.EventFilters()):
            if not first:
                yield b",\n"
            bodies = [row.body for row in rows]
            if v2:
                bodies = source_exchange.with_extras(session, [row.id for row in rows], bodies, cited)
            yield b",\n".join(bodies)
            first = False
    if v2:
        yield b'\n],\n"sources": [\n'
        yield b",\n".join(
            dumpb(r) for r in source_exchange.source_records(session, sorted(cited), texts=source_texts)
        )
    yield b"\n]}\n"


def timeline_json(session: Session, timeline: Timeline) -> bytes:
    """An actor's timeline in the native format, importable as it is, as UTF-8 JSON.

    The timeline must come from actor_timeline(..., listing=queries.json_rows_for_actors): each event's
    record is already JSON, built by the database.
    """
    actors = [*timeline.members.values(), *timeline.ancestors]
    head = {
        **document_header({"actor": timeline.actor.slug}),
        "actors": actor_records(session, actors),
        "topics": [topic_record(t) for t in timeline.topics()],
    }
    bodies = [row.body for row in timeline.events]
    # Bytes as SQLite gives them; PostgreSQL's text is encoded once, all events together.
    events = ",".join(bodies).encode() if bodies and isinstance(bodies[0], str) else b",".join(bodies)
    parts = (
        dumpb(head)[:-1],
        b',"events":[',
        events,
        b'],"histories":',
        dumpb([h.as_dict() for h in timeline.histories]),
        b"}",
    )
    return b"".join(parts)


def stream_full_csv(
    session: Session,
    *,
    bom: bool = False,
    batch: int = 1000,
    filters: queries.EventFilters | None = None,
) -> Iterator[str]:
    """Every live event passing the filters as CSV rows (one per event and stance; with a topic filter,
    only that topic's stances), produced batch by batch."""
    filters = filters or queries.EventFilters()
    yield ("\ufeff" if bom else "") + csv_text([])
    actors = {a.id: a for a in queries.all_actors(session) if a.id is not None}
    pending: list[Event] = []

    def flush() -> str:
        stances = queries.stances_for_events(session, [e.id for e in pending if e.id is not None])
        text = csv_text(csv_rows(pending, actors, stances, filters.topic_id), header=False)
        pending.clear()
        return text

    for event in queries.iter_all_events(session, batch, filters):
        pending.append(event)
        if len(pending) >= batch:
            yield flush()
    yield flush()
