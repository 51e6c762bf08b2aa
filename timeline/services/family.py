"""An actor's listing includes its officials: the one rule for whose events an actor's views show."""

from __future__ import annotations

from sqlmodel import Session

from .. import queries
from ..models import Actor


def family_ids(session: Session, actor: Actor) -> list[int]:
    """The actor and every actor below it (a government and its officials), whose events its views list."""
    assert actor.id is not None
    return queries.actor_family_ids(session, actor.id)
