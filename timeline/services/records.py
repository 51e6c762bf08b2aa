"""The one serialiser: records in the native format, for exports, revisions and the API."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from ..models import Actor, Event, Stance, Topic
from ..record_fields import ACTOR, DAYS, EVENT_FIELDS, STAMPS, Fields

FORMAT, VERSION = "stance-timeline", 1


def dumpb(obj: Any) -> bytes:
    """The one JSON serialiser (orjson: C speed; UTF-8 text kept as is, never \\u-escaped)."""
    return orjson.dumps(obj)


def dumps(obj: Any) -> str:
    """As dumpb, as text."""
    return orjson.dumps(obj).decode()


def iso_utc(value: datetime) -> str:
    """A timestamp as ISO 8601 in UTC with a Z, seconds precision (naive values are UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def actor_record(actor: Actor, parent_slug: str | None) -> dict[str, Any]:
    return {
        "slug": actor.slug,
        "name": actor.name,
        "kind": actor.kind,
        "role": actor.role,
        "country": actor.country,
        "parent": parent_slug,
        "aliases": list(actor.aliases or []),
        "description": actor.description,
    }


def topic_record(topic: Topic) -> dict[str, Any]:
    return {"slug": topic.slug, "name": topic.name, "description": topic.description}


def event_record(event: Event, actor_slug: str, stances: Sequence[tuple[Stance, Topic]]) -> dict[str, Any]:
    stance_records = [
        {"topic": topic.slug, "score": stance.score, "rationale": stance.rationale}
        for stance, topic in stances
    ]
    return event_record_of(event, actor_slug, stance_records)


def event_record_of(event: Any, actor_slug: str, stances: list[dict[str, Any]]) -> dict[str, Any]:
    """The record of anything with an event's attributes: an ORM object or a Core row.

    Built from record_fields.EVENT_FIELDS, as queries._event_json builds it in SQL; "stances" come last.
    """
    record = {key: value(event, actor_slug) for key, value in _EVENT_STEPS}
    record["stances"] = stances
    return record


Step = Callable[[Any, str], Any]


def _steps(fields: Fields) -> list[tuple[str, Step]]:
    """How to get each field's value from an event and its actor's slug, worked out once."""
    return [(key, _step(column)) for key, column in fields]


def _step(column: str | Fields) -> Step:
    if isinstance(column, tuple):
        inner = _steps(column)
        return lambda e, slug: {k: f(e, slug) for k, f in inner}
    if column == ACTOR:
        return lambda e, slug: slug
    if column in DAYS:
        return lambda e, slug: getattr(e, column).isoformat()
    if column in STAMPS:
        return lambda e, slug: iso_utc(getattr(e, column))
    return lambda e, slug: getattr(e, column)


_EVENT_STEPS = _steps(EVENT_FIELDS)
