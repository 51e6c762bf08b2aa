"""Creating and updating actors, topics and events from validated input."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from .. import queries
from ..models import Actor, Event, Stance, Topic, utcnow
from ..schemas import ActorIn, EventIn, TopicIn, field_errors
from .errors import Invalid


def validate(model: type[ActorIn] | type[EventIn] | type[TopicIn], data: Mapping[str, Any]) -> Any:
    """Validate raw data with a schema model, raising Invalid with per-field messages."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(field_errors(exc)) from exc


def actor_values(session: Session, data: ActorIn, *, self_id: int | None = None) -> dict[str, Any]:
    """Column values for an actor row, resolving the parent slug."""
    parent_id = None
    if data.parent:
        parent = queries.actor_by_slug(session, data.parent)
        if parent is None:
            raise Invalid({"parent": f"no actor with the slug “{data.parent}”"})
        if self_id is not None and parent.id == self_id:
            raise Invalid({"parent": "an actor cannot be its own parent"})
        parent_id = parent.id
    return {
        "slug": data.slug,
        "name": data.name,
        "kind": data.kind.value,
        "role": data.role,
        "country": data.country,
        "parent_id": parent_id,
        "aliases": list(data.aliases),
        "description": data.description,
    }


def create_actor(session: Session, data: ActorIn) -> Actor:
    """Add a new actor; its slug must be free."""
    if queries.actor_by_slug(session, data.slug) is not None:
        raise Invalid({"slug": f"the slug “{data.slug}” is already taken"})
    actor = Actor(**actor_values(session, data))
    session.add(actor)
    session.flush()
    return actor


def create_topic(session: Session, data: TopicIn) -> Topic:
    """Add a new topic; its slug must be free."""
    if queries.topic_by_slug(session, data.slug) is not None:
        raise Invalid({"slug": f"the slug “{data.slug}” is already taken"})
    topic = Topic(slug=data.slug, name=data.name, description=data.description)
    session.add(topic)
    session.flush()
    return topic


def event_values(session: Session, data: EventIn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Column values for an event row and its stance rows, resolving actor and topics."""
    errors: dict[str, str] = {}
    actor = queries.actor_by_slug(session, data.actor)
    if actor is None:
        errors["actor"] = f"no actor with the slug “{data.actor}”"
    topics = queries.topics_by_slugs(session, (s.topic for s in data.stances))
    for i, stance in enumerate(data.stances):
        if stance.topic not in topics:
            errors[f"stances.{i}.topic"] = f"no topic with the slug “{stance.topic}”"
    if errors:
        raise Invalid(errors)
    assert actor is not None
    parsed = data.parsed_date
    values = {
        "actor_id": actor.id,
        "kind": data.kind.value,
        "title": data.title,
        "date_edtf": parsed.edtf,
        "date_earliest": parsed.earliest,
        "date_latest": parsed.latest,
        "date_basis": data.date_basis,
        "quote": data.quote,
        "summary": data.summary,
        "location": data.location,
        "speaker_role": data.speaker_role,
        "source_title": data.source.title,
        "source_url": data.source.url,
        "source_publisher": data.source.publisher,
        "source_author": data.source.author,
        "source_published": data.source.published,
        "confidence": data.confidence.value,
    }
    stances = [
        {"topic_id": topics[s.topic].id, "score": s.score, "rationale": s.rationale} for s in data.stances
    ]
    return values, stances


def create_event(session: Session, data: EventIn) -> Event:
    """Add an event with its stances; its uid (given or generated) must be free."""
    values, stances = event_values(session, data)
    uid = data.uid or uuid.uuid4().hex
    if queries.event_by_uid(session, uid) is not None:
        raise Invalid({"uid": f"an event with the uid “{uid}” already exists"})
    now = utcnow()
    event = Event(
        uid=uid,
        created_at=data.created_at or now,
        updated_at=data.updated_at or data.created_at or now,
        **values,
    )
    session.add(event)
    session.flush()
    assert event.id is not None
    session.add_all(Stance(event_id=event.id, **s) for s in stances)
    session.flush()
    return event


def submit_event(
    session: Session, event_raw: Mapping[str, Any], new_actor_raw: Mapping[str, Any] | None = None
) -> Event:
    """Validate and store an event, creating its actor first when one is given inline.

    Every field's error is reported at once; nothing is stored unless everything is valid.
    """
    errors: dict[str, str] = {}
    raw = dict(event_raw)
    new_actor: ActorIn | None = None
    if new_actor_raw is not None:
        try:
            new_actor = validate(ActorIn, new_actor_raw)
            raw["actor"] = new_actor.slug
        except Invalid as exc:
            errors.update({f"new_actor.{k}": v for k, v in exc.fields.items()})
            raw["actor"] = "placeholder"
    try:
        data: EventIn = validate(EventIn, raw)
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(errors)
    if new_actor is not None:
        try:
            create_actor(session, new_actor)
        except Invalid as exc:
            raise Invalid({f"new_actor.{k}": v for k, v in exc.fields.items()}) from exc
    return create_event(session, data)
