"""The native JSON format: one serialiser for exports, and the all-or-nothing import."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from .. import queries
from ..models import Actor, Event, Topic
from ..schemas import ActorIn, EventIn, TopicIn
from . import events as event_service
from . import importrows, revisions
from .errors import Invalid
from .history import Step, TopicHistory, build_histories, stances_of
from .records import (
    FORMAT,
    VERSION,
    actor_record,
    dumpb,
    iso_utc,
    topic_record,
)
from .tabular import csv_rows, csv_text


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
    session: Session, batch: int = 500, filters: queries.EventFilters | None = None
) -> Iterator[bytes]:
    """The whole dataset as one UTF-8 JSON document, produced piece by piece in constant memory.

    Events come in the order they were added (id), each record built as JSON by the database (its
    stances included, kept as JSON by triggers): Python only joins bytes, 500 records at a time (the
    worker's memory grows by a few MB, whatever the size of the dataset). Filters narrow the events;
    every actor and topic stays, so a narrowed export still imports.
    """
    yield dumpb(document_header())[:-1] + b',\n"actors": [\n'
    actors = queries.all_actors(session)
    yield b",\n".join(dumpb(r) for r in actor_records(session, actors))
    yield b'\n],\n"topics": [\n'
    topics = queries.all_topics(session)
    yield b",\n".join(dumpb(topic_record(t)) for t in sorted(topics, key=lambda t: t.slug))
    yield b'\n],\n"events": [\n'
    with queries.memory_map_off(session):
        first = True
        for rows in queries.iter_event_bodies(session, batch, filters or queries.EventFilters()):
            if not first:
                yield b",\n"
            yield b",\n".join([row.body for row in rows])
            first = False
    yield b"\n]}\n"


@dataclass
class Timeline:
    """An actor's timeline: the data behind the actor page and its JSON twin."""

    actor: Actor
    ancestors: list[Actor]
    members: dict[int, Actor]
    events: Sequence[Any]  # rows with an event's columns (queries.events_for_actors)
    stances: dict[int, list[tuple[Any, Topic]]]
    histories: list[TopicHistory]

    def changes(self) -> dict[tuple[int, str], Step]:
        """The step ending at each (event id, topic slug), for marking changes in place."""
        return {(s.to_event_id, h.topic_slug): s for h in self.histories for s in h.steps}

    def unordered(self) -> set[tuple[int, str]]:
        """(event id, topic slug) of the statements whose order with another of their speaker is unknown."""
        return {(i, h.topic_slug) for h in self.histories for s in h.series for i in s.unordered_ids}

    def topics(self) -> list[Topic]:
        """The topics of the timeline's stances (one history each), by slug."""
        seen: dict[int, Topic] = {}
        for rows in self.stances.values():
            for _stance, topic in rows:
                seen[id(topic)] = topic
        return sorted({t.slug: t for t in seen.values()}.values(), key=lambda t: t.slug)


def actor_timeline(
    session: Session,
    actor: Actor,
    filters: queries.EventFilters | None = None,
    *,
    shape: str = queries.FULL,
) -> Timeline:
    """An actor's events (its own and its members'), stances and stance histories.

    shape: what each event row holds (queries.FULL, HISTORY or JSON_BODY; timeline_json needs JSON_BODY).
    """
    assert actor.id is not None
    family = queries.actor_family_ids(session, actor.id)
    members = queries.actors_by_ids(session, family)
    events = queries.events_for_actors(session, family, filters or queries.EventFilters(), shape)
    stances = stances_of(events, queries.all_topics(session))
    histories = build_histories(events, stances, members)
    return Timeline(actor, queries.actor_ancestors(session, actor), members, events, stances, histories)


def timeline_json(session: Session, timeline: Timeline) -> bytes:
    """An actor's timeline in the native format, importable as it is, as UTF-8 JSON.

    The timeline must come from actor_timeline(..., shape=queries.JSON_BODY): each event's record is
    already JSON, built by the database.
    """
    actors = [*timeline.members.values(), *timeline.ancestors]
    head = {
        **document_header({"actor": timeline.actor.slug}),
        "actors": actor_records(session, actors),
        "topics": [topic_record(t) for t in timeline.topics()],
    }
    parts = [dumpb(head)[:-1], b',"events":[']
    for event in timeline.events:
        parts += (event.body, b",")
    if timeline.events:
        parts.pop()
    parts += (b'],"histories":', dumpb([h.as_dict() for h in timeline.histories]), b"}")
    return b"".join(parts)  # one copy of the whole document


@dataclass
class ImportReport:
    """What an import created, updated and left alone, per record type."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, dict[str, int]]:
        kinds = ("actors", "topics", "events")
        return {
            name: {k: getattr(self, name)[k] for k in kinds} for name in ("created", "updated", "unchanged")
        }

    def summary(self) -> str:
        parts = []
        for kind in ("actors", "topics", "events"):
            parts.append(
                f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated, "
                f"{self.unchanged[kind]} unchanged"
            )
        return "; ".join(parts)


def _records(doc: Mapping[str, Any], key: str) -> list[Any]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise Invalid({key: "must be a list"}, f"“{key}” must be a list.")
    return value


def _validated(model: Any, kind: str, index: int, record: Any) -> Any:
    ident = record.get("uid") or record.get("slug") if isinstance(record, dict) else None
    label = f"{kind}[{index}]" + (f" ({ident})" if ident else "")
    if not isinstance(record, dict):
        raise Invalid({f"{kind}[{index}]": "must be an object"}, f"Record {label} must be an object.")
    try:
        return event_service.validate(model, record)
    except Invalid as exc:
        first = next(iter(exc.fields))
        raise Invalid(
            {f"{kind}[{index}].{k}": v for k, v in exc.fields.items()},
            f"Record {label}, field “{first}”: {exc.fields[first]}",
        ) from exc


def _apply(row: Any, values: Mapping[str, Any]) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


@dataclass
class ValidDocument:
    """A document whose records all passed validation (done before any transaction opens)."""

    actors: list[ActorIn]
    topics: list[TopicIn]
    events: list[EventIn]


@dataclass
class ImportPlan:
    """What an import would do, worked out by reading only (services.importplan.plan_import)."""

    report: ImportReport
    data_version: int  # the data it was planned on
    unchanged_events: frozenset[str]  # uids
    new_events: frozenset[str] = frozenset()  # uids of the events it creates


def validate_document(doc: Any) -> ValidDocument:
    """Validate every record of a native document (no database); raises Invalid naming the record."""
    if not isinstance(doc, dict):
        raise Invalid({"document": "must be a JSON object"}, "The document must be a JSON object.")
    if doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise Invalid(
            {"format": f"expected format “{FORMAT}” version {VERSION}"},
            f"Not a {FORMAT} version {VERSION} document.",
        )
    actors = [_validated(ActorIn, "actors", i, r) for i, r in enumerate(_records(doc, "actors"))]
    topics = [_validated(TopicIn, "topics", i, r) for i, r in enumerate(_records(doc, "topics"))]
    events = [_validated(EventIn, "events", i, r) for i, r in enumerate(_records(doc, "events"))]
    _check_unique([a.slug for a in actors], "actors", "slug")
    _check_unique([t.slug for t in topics], "topics", "slug")
    for i, ev in enumerate(events):
        if not ev.uid:
            raise Invalid(
                {f"events[{i}].uid": "is required in an import (it makes re-imports idempotent)"},
                f"Record events[{i}], field “uid”: is required in an import.",
            )
    _check_unique([e.uid for e in events], "events", "uid")
    return ValidDocument(actors, topics, events)


def import_document(session: Session, doc: Any, user_id: int | None = None) -> ImportReport:
    """Validate, then create or update every record in this write session; Invalid names the record."""
    return apply_import(session, validate_document(doc), user_id)


def apply_import(
    session: Session,
    valid: ValidDocument,
    user_id: int | None = None,
    plan: ImportPlan | None = None,
    new_rows: list[importrows.NewEvent] | None = None,
) -> ImportReport:
    """Write a validated document (all or nothing: the caller's one write transaction).

    New events go in bulk (services/importrows.py). With a plan made from the same data version, events
    it found unchanged are not looked at again, and the new events' rows built from it (`new_rows`,
    prepared before the transaction) are inserted as they are.
    """
    skip: frozenset[str] = frozenset()
    if plan is not None and queries.data_version(session) == plan.data_version:
        skip = plan.unchanged_events
        if new_rows is None:
            new_rows = importrows.new_events(valid.events, plan.new_events)
    else:
        uids = [e.uid for e in valid.events if e.uid]
        new_rows = importrows.new_events(valid.events, set(uids) - queries.existing_uids(session, uids))
    new_uids = {ev.uid for ev in new_rows}
    report = ImportReport()
    _import_actors(session, valid.actors, report, user_id)
    for topic in valid.topics:
        row = queries.topic_by_slug(session, topic.slug)
        if row is None:
            event_service.create_topic(session, topic, user_id)
            report.created["topics"] += 1
        elif (row.name, row.description) != (topic.name, topic.description):
            event_service.update_topic(session, topic.slug, topic, user_id)
            report.updated["topics"] += 1
        else:
            report.unchanged["topics"] += 1
    session.flush()
    report.created["events"] += importrows.insert_events(session, new_rows, user_id)
    for i, ev in enumerate(valid.events):
        if ev.uid in skip:
            report.unchanged["events"] += 1
            continue
        if ev.uid in new_uids:
            continue
        try:
            _import_event(session, ev, report, user_id)
        except Invalid as exc:
            raise _record_error("events", i, ev.uid, exc.fields) from exc
    session.flush()
    return report


def _record_error(kind: str, index: int, key: Any, fields: Mapping[str, str]) -> Invalid:
    first = next(iter(fields))
    return Invalid(
        {f"{kind}[{index}].{k}": v for k, v in fields.items()},
        f"Record {kind}[{index}] ({key}), field “{first}”: {fields[first]}",
    )


def _check_unique(keys: list[Any], kind: str, name: str) -> None:
    seen: set[Any] = set()
    for i, key in enumerate(keys):
        if key in seen:
            raise Invalid(
                {f"{kind}[{i}].{name}": f"“{key}” appears twice in the document"},
                f"Record {kind}[{i}] ({key}), field “{name}”: appears twice in the document.",
            )
        seen.add(key)


def _import_actors(
    session: Session, actors: list[ActorIn], report: ImportReport, user_id: int | None
) -> None:
    # Two passes: parents may appear after their children in the document.
    rows: dict[str, Actor] = {}
    before: dict[str, dict[str, Any] | None] = {}
    for data in actors:
        row = queries.actor_by_slug(session, data.slug)
        if row is None:
            row = Actor(**event_service.actor_values(session, data.model_copy(update={"parent": None})))
            session.add(row)
            before[data.slug] = None
        else:
            before[data.slug] = event_service.actor_snapshot(session, row)
        rows[data.slug] = row
    session.flush()
    for i, data in enumerate(actors):
        row = rows[data.slug]
        try:
            values = event_service.actor_values(session, data, self_id=row.id)
        except Invalid as exc:
            raise _record_error("actors", i, data.slug, exc.fields) from exc
        _apply(row, values)
    session.flush()
    _check_no_cycles(session, actors)
    for data in actors:
        row, old = rows[data.slug], before[data.slug]
        new = event_service.actor_snapshot(session, row)
        assert row.id is not None
        if old is not None and old == new:
            report.unchanged["actors"] += 1
            continue
        action = "create" if old is None else "update"
        (report.created if old is None else report.updated)["actors"] += 1
        revisions.record(
            session,
            entity="actor",
            entity_id=row.id,
            key=row.slug,
            action=action,
            user_id=user_id,
            before=old,
            after=new,
        )


def parent_loop(index: int, slug: str) -> Invalid:
    """The error for an actor whose parent chain loops."""
    return Invalid(
        {f"actors[{index}].parent": "the parent chain loops back to this actor"},
        f"Record actors[{index}] ({slug}), field “parent”: the parent chain loops.",
    )


def _check_no_cycles(session: Session, actors: list[ActorIn]) -> None:
    for i, data in enumerate(actors):
        row = queries.actor_by_slug(session, data.slug)
        seen: set[int | None] = set()
        while row is not None and row.parent_id is not None:
            if row.id in seen:
                raise parent_loop(i, data.slug)
            seen.add(row.id)
            row = session.get(Actor, row.parent_id)


def _import_event(session: Session, data: EventIn, report: ImportReport, user_id: int | None) -> None:
    row = queries.event_by_uid(session, data.uid or "")
    if row is None:
        event_service.create_event(session, data, user_id)
        report.created["events"] += 1
        return
    values, stances = event_service.event_values(session, data)
    if data.created_at is not None:
        values["created_at"] = data.created_at
    if data.updated_at is not None:
        values["updated_at"] = data.updated_at
    changed = event_service.apply_event_change(
        session, row, values, stances, expected_version=None, user_id=user_id
    )
    (report.updated if changed else report.unchanged)["events"] += 1


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
