"""The one serialiser: records in the native format, for exports, revisions and the API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

import orjson

from ..models import Actor, Event, Stance, Topic
from ..record_fields import ACTOR, DAYS, EVENT_FIELDS, STAMPS

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
    record = dict(zip(_KEYS, _COLUMNS(event), strict=True))  # every key in its place, then the special ones
    for key in _ACTOR_KEYS:
        record[key] = actor_slug
    for key in _DAY_KEYS:
        record[key] = record[key].isoformat()
    for key in _STAMP_KEYS:
        record[key] = iso_utc(record[key])
    for key, inner_keys, inner_columns in _NESTED:
        record[key] = dict(zip(inner_keys, inner_columns(event), strict=True))
    record["stances"] = stances
    return record


# The table worked out once (one attrgetter call per record: a record is built per API item and revision);
# the actor's key and the nested groups read "uid" as a placeholder, replaced in event_record_of.
_KEYS = [key for key, _ in EVENT_FIELDS]
_COLUMNS = attrgetter(
    *(column if isinstance(column, str) and column != ACTOR else "uid" for _, column in EVENT_FIELDS)
)
_ACTOR_KEYS = [key for key, column in EVENT_FIELDS if column == ACTOR]
_DAY_KEYS = [key for key, column in EVENT_FIELDS if isinstance(column, str) and column in DAYS]
_STAMP_KEYS = [key for key, column in EVENT_FIELDS if isinstance(column, str) and column in STAMPS]
_NESTED = [
    (key, [k for k, _ in column], attrgetter(*(str(c) for _, c in column)))
    for key, column in EVENT_FIELDS
    if isinstance(column, tuple)
]
