"""An import worked out by reading only: the dry run's report, and what a real import may skip.

It answers as importing.apply_import would (same counts, same first error), without writing: a dry run
takes no write lock, and a real import spends its short write transaction on what changes.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlmodel import Session

from .. import queries
from ..schemas import ActorIn
from . import events as event_service
from .importing import ImportPlan, ImportReport, ValidDocument, _record_error, parent_loop
from .records import actor_record, topic_record


def plan_import(session: Session, valid: ValidDocument) -> ImportPlan:
    """What importing `valid` would create, update and leave alone; Invalid as the import would raise it."""
    version = queries.data_version(session)  # first: the plan holds for this version of the data
    report = ImportReport()
    actor_ids = _plan_actors(session, valid.actors, report)
    topic_ids: dict[str, int | None] = {}
    for topic in queries.all_topics(session):
        topic_ids[topic.slug] = topic.id
    for data in valid.topics:
        old = queries.topic_by_slug(session, data.slug)
        if old is None:
            report.created["topics"] += 1
            topic_ids[data.slug] = None
        elif topic_record(old) != {"slug": data.slug, "name": data.name, "description": data.description}:
            report.updated["topics"] += 1
        else:
            report.unchanged["topics"] += 1
    unchanged = _plan_events(session, valid, actor_ids, topic_ids, report)
    return ImportPlan(report, version, frozenset(unchanged))


def _new_actor_record(data: ActorIn) -> dict[str, Any]:
    columns = SimpleNamespace(
        slug=data.slug,
        name=data.name,
        kind=data.kind.value,
        role=data.role,
        country=data.country,
        aliases=list(data.aliases),
        description=data.description,
    )
    return actor_record(columns, data.parent)  # type: ignore[arg-type]


def _plan_actors(session: Session, actors: list[ActorIn], report: ImportReport) -> dict[str, int | None]:
    """Actor ids by slug after the import (None: created by it); checks parents as the import does."""
    rows = {a.slug: a for a in queries.all_actors(session)}
    slug_of = {a.id: a.slug for a in rows.values()}
    parent_of = {a.slug: slug_of.get(a.parent_id) for a in rows.values()}
    known = set(rows) | {a.slug for a in actors}
    for i, data in enumerate(actors):
        if data.parent and data.parent not in known:
            raise _record_error("actors", i, data.slug, {"parent": f"no actor with the slug “{data.parent}”"})
        if data.parent and data.parent == data.slug:
            raise _record_error("actors", i, data.slug, {"parent": "an actor cannot be its own parent"})
    before = {slug: actor_record(row, parent_of[slug]) for slug, row in rows.items()}
    parent_of.update((a.slug, a.parent) for a in actors)
    for i, data in enumerate(actors):
        current: str | None = data.slug
        seen: set[str] = set()
        while current is not None and parent_of.get(current) is not None:
            if current in seen:
                raise parent_loop(i, data.slug)
            seen.add(current)
            current = parent_of[current]
    for data in actors:
        if data.slug not in rows:
            report.created["actors"] += 1
        elif before[data.slug] == _new_actor_record(data):
            report.unchanged["actors"] += 1
        else:
            report.updated["actors"] += 1
    ids: dict[str, int | None] = {slug: row.id for slug, row in rows.items()}
    ids.update((a.slug, None) for a in actors if a.slug not in rows)
    return ids


def _plan_events(
    session: Session,
    valid: ValidDocument,
    actor_ids: dict[str, int | None],
    topic_ids: dict[str, int | None],
    report: ImportReport,
) -> set[str]:
    """Count events created, updated and unchanged; the uids of the unchanged ones."""
    existing = queries.events_by_uids(session, [e.uid for e in valid.events if e.uid])
    stances = queries.stances_for_events(session, [e.id for e in existing.values() if e.id is not None])
    unchanged: set[str] = set()
    for i, data in enumerate(valid.events):
        errors: dict[str, str] = {}
        if data.actor not in actor_ids:
            errors["actor"] = f"no actor with the slug “{data.actor}”"
        for j, stance in enumerate(data.stances):
            if stance.topic not in topic_ids:
                errors[f"stances.{j}.topic"] = f"no topic with the slug “{stance.topic}”"
        if errors:
            raise _record_error("events", i, data.uid, errors)
        row = existing.get(data.uid or "")
        if row is None:
            report.created["events"] += 1
            continue
        actor = SimpleNamespace(id=actor_ids[data.actor], slug=data.actor)
        topics = {s.topic: SimpleNamespace(id=topic_ids[s.topic], slug=s.topic) for s in data.stances}
        values, _ = event_service._row_values(data, actor, topics)
        if data.created_at is not None:
            values["created_at"] = data.created_at
        if data.updated_at is not None:
            values["updated_at"] = data.updated_at
        current = sorted((t.slug, s.score, s.rationale) for s, t in stances.get(row.id or 0, []))
        wanted = sorted((s.topic, s.score, s.rationale) for s in data.stances)
        if all(getattr(row, k) == v for k, v in values.items()) and current == wanted:
            report.unchanged["events"] += 1
            unchanged.add(data.uid or "")
        else:
            report.updated["events"] += 1
    return unchanged
