"""An actor's timeline: its events and its members', their stances and the stance histories."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from .. import queries, scopes
from ..models import Actor, Topic
from . import actor_tree
from .family import family_ids
from .history import Step, TopicHistory, build_histories, stances_of
from .read_memo import ReadMemo


@dataclass
class Timeline:
    """An actor's timeline: the data behind the actor page and its JSON twin."""

    actor: Actor
    ancestors: list[Actor]
    members: dict[int, Actor]
    events: Sequence[Any]  # rows with an event's columns (queries.events_for_actors)
    stances: dict[int, list[tuple[Any, Topic]]]
    histories: list[TopicHistory]

    def changes(self) -> dict[tuple[int, str], Step]:
        """The step ending at each (event id, topic slug), for marking changes in place."""
        return {(s.to_event_id, h.topic_slug): s for h in self.histories for s in h.steps}

    def unordered(self) -> set[tuple[int, str]]:
        """(event id, topic slug) of the statements whose order with another of their speaker is unknown."""
        return {(i, h.topic_slug) for h in self.histories for s in h.series for i in s.unordered_ids}

    def topics(self) -> list[Topic]:
        """The topics of the timeline's stances (one history each), by slug."""
        seen: dict[int, Topic] = {}
        for rows in self.stances.values():
            for _stance, topic in rows:
                seen[id(topic)] = topic
        return sorted({t.slug: t for t in seen.values()}.values(), key=lambda t: t.slug)


def actor_timeline(
    session: Session,
    actor: Actor,
    filters: queries.EventFilters | None = None,
    *,
    listing: queries.ActorListing = queries.events_for_actors,
    memo: ReadMemo | None = None,
) -> Timeline:
    """An actor's events (its own and its members'), stances and stance histories.

    listing: which rows to read (queries.events_for_actors, history_rows_for_actors or
    json_rows_for_actors; timeline_json needs the JSON rows). memo: where the family's rows may be
    reused from, and kept, while no write has moved the scopes they show (services/read_memo.py).
    """
    assert actor.id is not None
    filters = filters or queries.EventFilters()
    key = ("actor-timeline", listing.__name__, actor.id, filters)
    kept = memo.get(key) if memo is not None else None
    family: list[int] = kept[0] if kept is not None else family_ids(session, actor)
    # Most actors have no officials: their one member is the actor already loaded.
    members = {actor.id: actor} if family == [actor.id] else queries.actors_by_ids(session, family)
    if kept is not None:
        events = kept[1]
    else:
        events = listing(session, family, filters)
        if memo is not None:
            memo.put(key, [scopes.actor(m.slug) for m in members.values()], (family, events), _size(events))
    stances = stances_of(events, queries.all_topics(session))
    histories = build_histories(events, stances, members)
    return Timeline(actor, actor_tree.ancestors(session, actor), members, events, stances, histories)


def _size(rows: Sequence[Any]) -> int:
    """About the memory the rows hold: their JSON bodies, when they have them, and a row's overhead."""
    body = sum(len(r.body) for r in rows) if rows and "body" in getattr(rows[0], "_fields", ()) else 0
    return body + 1500 * len(rows)
