"""Creating, editing and deleting actors; every change is a revision."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from .. import queries
from ..models import Actor, utcnow
from ..schemas import ActorIn
from . import revisions
from .errors import Conflict, Invalid, NotFound
from .records import actor_record


def actor_snapshot(session: Session, actor: Actor) -> dict[str, Any]:
    parent = session.get(Actor, actor.parent_id) if actor.parent_id else None
    return actor_record(actor, parent.slug if parent else None)


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


def create_actor(session: Session, data: ActorIn, user_id: int | None = None) -> Actor:
    """Add a new actor; its slug must be free."""
    if queries.actor_by_slug(session, data.slug) is not None:
        raise Invalid({"slug": f"the slug “{data.slug}” is already taken"})
    actor = Actor(**actor_values(session, data))
    session.add(actor)
    session.flush()
    assert actor.id is not None
    revisions.record(
        session,
        entity="actor",
        entity_id=actor.id,
        key=actor.slug,
        action="create",
        user_id=user_id,
        before=None,
        after=actor_snapshot(session, actor),
    )
    return actor


def update_actor(session: Session, slug: str, data: ActorIn, user_id: int | None = None) -> Actor:
    """Change an actor (its slug may change too); refuses loops in the parent chain."""
    actor = queries.actor_by_slug(session, slug)
    if actor is None:
        raise NotFound(f"No actor with the slug “{slug}”.")
    if data.slug != slug and queries.actor_by_slug(session, data.slug) is not None:
        raise Invalid({"slug": f"the slug “{data.slug}” is already taken"})
    assert actor.id is not None
    values = actor_values(session, data, self_id=actor.id)
    if values["parent_id"] is not None and values["parent_id"] in queries.actor_family_ids(session, actor.id):
        raise Invalid({"parent": "the parent chain would loop back to this actor"})
    before = actor_snapshot(session, actor)
    for key, value in values.items():
        setattr(actor, key, value)
    actor.updated_at = utcnow()
    session.flush()
    after = actor_snapshot(session, actor)
    if after != before:
        revisions.record(
            session,
            entity="actor",
            entity_id=actor.id,
            key=actor.slug,
            action="update",
            user_id=user_id,
            before=before,
            after=after,
        )
    return actor


def delete_actor(session: Session, slug: str, user_id: int | None = None) -> None:
    """Delete an actor nothing refers to (no events, deleted ones included, and no members)."""
    actor = queries.actor_by_slug(session, slug)
    if actor is None:
        raise NotFound(f"No actor with the slug “{slug}”.")
    assert actor.id is not None
    if queries.actor_in_use(session, actor.id):
        raise Conflict(f"“{slug}” still has events or member actors; move or purge them first.")
    revisions.purge(session, actor, "actor", slug, actor_snapshot(session, actor), user_id)
