"""The actor tree (a government and its officials): ancestors, the top ancestor and the loop check, once.

Every walk up the tree goes through `walk`, whatever names the actors (ids in the database, slugs in a
document being planned), so a loop is found, and worded (LOOP), the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from sqlmodel import Session

from .. import queries
from ..models import Actor

K = TypeVar("K", bound=Hashable)

LOOP = "the parent chain loops back to this actor"  # the one message for a loop, own parent included


def walk(parent_of: Callable[[K], K | None], start: K) -> tuple[list[K], bool]:
    """The keys above `start`, nearest first, and whether the chain loops (meets a key it passed)."""
    chain: list[K] = []
    seen = {start}
    current = start
    while (parent := parent_of(current)) is not None:
        if parent in seen:
            return chain, True
        chain.append(parent)
        seen.add(parent)
        current = parent
    return chain, False


def loops(parent_of: Callable[[K], K | None], start: K) -> bool:
    """Whether the parent chain from `start` loops."""
    return walk(parent_of, start)[1]


def would_loop(session: Session, actor_id: int, parent_id: int | None) -> bool:
    """Whether giving the actor this parent would make a loop (its own parent, or one of its members)."""
    if parent_id is None:
        return False
    if parent_id == actor_id:
        return True
    above, _ = walk(_stored_parent(session), parent_id)
    return actor_id in above


def ancestors(session: Session, actor: Actor) -> list[Actor]:
    """The actor's parent, grandparent... nearest first (a stored loop ends the chain)."""
    assert actor.id is not None
    ids, _ = walk(_stored_parent(session), actor.id)
    rows = [session.get(Actor, i) for i in ids]
    return [r for r in rows if r is not None]


def top_ancestors(session: Session, actors: dict[int, Actor]) -> dict[int, Actor]:
    """Each actor's top-level ancestor (itself when it has no parent), loading the parents in batches."""
    known = dict(actors)
    pending = _missing_parents(known, known.values())
    while pending:
        found = queries.actors_by_ids(session, pending)
        known.update(found)
        pending = _missing_parents(known, found.values())

    def parent(actor_id: int) -> int | None:
        parent_id = known[actor_id].parent_id
        return parent_id if parent_id in known else None

    tops: dict[int, Actor] = {}
    for actor_id, actor in actors.items():
        above, _ = walk(parent, actor_id)
        tops[actor_id] = known[above[-1]] if above else actor
    return tops


def _missing_parents(known: dict[int, Actor], actors: Iterable[Actor]) -> set[int]:
    return {a.parent_id for a in actors if a.parent_id is not None and a.parent_id not in known}


def _stored_parent(session: Session) -> Callable[[int], int | None]:
    def parent(actor_id: int) -> int | None:
        row = session.get(Actor, actor_id)
        return row.parent_id if row is not None else None

    return parent
