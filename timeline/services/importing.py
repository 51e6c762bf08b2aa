"""The all-or-nothing import of a native JSON document: validation first, then one write transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from .. import queries
from ..models import Actor
from ..schemas import ActorIn, EventIn, TopicIn
from . import actor_tree, importrows, revisions, source_exchange
from . import actors as actor_service
from . import events as event_service
from . import topics as topic_service
from .errors import Invalid
from .records import FORMAT, VERSION
from .validation import validate


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
        return validate(model, record)
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
    # Version 2: the sources, and each event's source key and quote anchor (source_exchange.py).
    sources: source_exchange.SourceLinks = field(default_factory=source_exchange.SourceLinks)


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
    versions = (VERSION, source_exchange.VERSION_2)
    if doc.get("format") != FORMAT or doc.get("version") not in versions or doc["version"] is True:
        raise Invalid(
            {"format": f"expected format “{FORMAT}” version {VERSION} or {source_exchange.VERSION_2}"},
            f"Not a {FORMAT} version {VERSION} or {source_exchange.VERSION_2} document.",
        )
    links = source_exchange.SourceLinks()
    if doc["version"] == source_exchange.VERSION_2:
        doc, links = source_exchange.split_version_2(doc)
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
    return ValidDocument(actors, topics, events, links)


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
        new_uids_now = set(uids) - set(queries.event_ids_by_uid(session, uids))
        if new_rows is None:
            new_rows = importrows.new_events(valid.events, new_uids_now)
        else:
            # Written to since the plan (other editors write all the time): the rows built before the
            # transaction stay good for the uids still new; only the others are built here, so that the
            # write lock is not held while thousands of rows are built again.
            new_rows = importrows.still_new(valid.events, new_rows, new_uids_now)
    new_uids = {ev.uid for ev in new_rows}
    report = ImportReport()
    _import_actors(session, valid.actors, report, user_id)
    for topic in valid.topics:
        row = queries.topic_by_slug(session, topic.slug)
        if row is None:
            topic_service.create_topic(session, topic, user_id)
            report.created["topics"] += 1
        elif (row.name, row.description) != (topic.name, topic.description):
            topic_service.update_topic(session, topic.slug, topic, user_id)
            report.updated["topics"] += 1
        else:
            report.unchanged["topics"] += 1
    session.flush()
    try:
        report.created["events"] += importrows.insert_events(session, new_rows, user_id)
    except importrows.UnknownReference as exc:
        raise _record_error("events", exc.index, exc.uid, exc.fields) from exc
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
    source_exchange.apply_links(session, valid.sources)
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
            row = Actor(**actor_service.actor_values(session, data.model_copy(update={"parent": None})))
            session.add(row)
            before[data.slug] = None
        else:
            before[data.slug] = actor_service.actor_snapshot(session, row)
        rows[data.slug] = row
    session.flush()
    for i, data in enumerate(actors):
        row = rows[data.slug]
        try:
            values = actor_service.actor_values(session, data, self_id=row.id)
        except Invalid as exc:
            raise _record_error("actors", i, data.slug, exc.fields) from exc
        _apply(row, values)
    session.flush()
    _check_no_cycles(session, actors)
    for data in actors:
        row, old = rows[data.slug], before[data.slug]
        new = actor_service.actor_snapshot(session, row)
        assert row.id is not None
        if old is not None and old == new:
            report.unchanged["actors"] += 1
            continue
        action = "create" if old is None else "update"
        (report.created if old is None else report.updated)["actors"] += 1
        revisions.log(session, row, action, before=old, after=new, by=user_id)


def parent_loop(index: int, slug: str) -> Invalid:
    """The error for an actor whose parent chain loops."""
    return _record_error("actors", index, slug, {"parent": actor_tree.LOOP})


def _check_no_cycles(session: Session, actors: list[ActorIn]) -> None:
    rows = queries.all_actors(session)
    parent_of = {a.id: a.parent_id for a in rows}
    id_of = {a.slug: a.id for a in rows}
    for i, data in enumerate(actors):
        if actor_tree.loops(parent_of.get, id_of[data.slug]):
            raise parent_loop(i, data.slug)


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
