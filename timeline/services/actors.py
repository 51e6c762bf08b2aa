"""Creating, editing and deleting actors; every change is a revision."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from .. import queries
from ..models import Actor, utcnow
from ..schemas import ActorIn
from . import actor_tree
from .catalogue import Catalogue
from .errors import Invalid
from .records import actor_record


def actor_snapshot(session: Session, actor: Actor) -> dict[str, Any]:
    parent = session.get(Actor, actor.parent_id) if actor.parent_id else None
    return actor_record(actor, parent.slug if parent else None)


ACTORS = Catalogue(
    "actor",
    queries.actor_by_slug,
    actor_snapshot,
    queries.actor_in_use,
    "“{slug}” still has events or member actors; move or purge them first.",
)


def actor_values(session: Session, data: ActorIn, *, self_id: int | None = None) -> dict[str, Any]:
    """Column values for an actor row, resolving the parent slug."""
    parent_id = None
    if data.parent:
        parent = queries.actor_by_slug(session, data.parent)
        if parent is None:
            raise Invalid({"parent": f"no actor with the slug “{data.parent}”"})
        if self_id is not None and parent.id == self_id:
            raise Invalid({"parent": actor_tree.LOOP})
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
    ACTORS.claim_slug(session, data.slug)
    return ACTORS.add(session, Actor(**actor_values(session, data)), user_id)


def update_actor(session: Session, slug: str, data: ActorIn, user_id: int | None = None) -> Actor:
    """Change an actor (its slug may change too); refuses loops in the parent chain."""
    actor = ACTORS.get(session, slug)
    ACTORS.claim_slug(session, data.slug, current=slug)
    assert actor.id is not None
    values = actor_values(session, data, self_id=actor.id)
    if actor_tree.would_loop(session, actor.id, values["parent_id"]):
        raise Invalid({"parent": actor_tree.LOOP})
    return ACTORS.change(session, actor, {**values, "updated_at": utcnow()}, user_id)


def delete_actor(session: Session, slug: str, user_id: int | None = None) -> None:
    """Delete an actor nothing refers to (no events, deleted ones included, and no members)."""
    ACTORS.delete(session, slug, user_id)
