"""An actor's timeline: its events and its members', their stances and the stance histories."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from .. import queries
from ..models import Actor, Topic
from .history import Step, TopicHistory, build_histories, stances_of


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
    shape: str = queries.FULL,
) -> Timeline:
    """An actor's events (its own and its members'), stances and stance histories.

    shape: what each event row holds (queries.FULL, HISTORY or JSON_BODY; timeline_json needs JSON_BODY).
    """
    assert actor.id is not None
    family = queries.actor_family_ids(session, actor.id)
    members = queries.actors_by_ids(session, family)
    events = queries.events_for_actors(session, family, filters or queries.EventFilters(), shape)
    stances = stances_of(events, queries.all_topics(session))
    histories = build_histories(events, stances, members)
    return Timeline(actor, queries.actor_ancestors(session, actor), members, events, stances, histories)
