"""The one serialiser: records in the native format, for exports, revisions and the API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from ..models import Actor, Event, Stance, Topic

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

    queries._event_json builds the same record (without "stances", which come last) in SQL.
    """
    return {
        "uid": event.uid,
        "actor": actor_slug,
        "kind": event.kind,
        "title": event.title,
        "date": event.date_edtf,
        "date_earliest": event.date_earliest.isoformat(),
        "date_latest": event.date_latest.isoformat(),
        "date_display": event.date_display,
        "date_basis": event.date_basis,
        "quote": event.quote,
        "summary": event.summary,
        "location": event.location,
        "speaker_role": event.speaker_role,
        "source": {
            "title": event.source_title,
            "url": event.source_url,
            "publisher": event.source_publisher,
            "author": event.source_author,
            "published": event.source_published,
            "archive_url": event.archive_url,
        },
        "confidence": event.confidence,
        "created_at": iso_utc(event.created_at),
        "updated_at": iso_utc(event.updated_at),
        "stances": stances,
    }
