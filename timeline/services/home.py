"""The home page's read: what is new (latest statements, latest stance changes), actors and topics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from .. import queries
from ..models import Actor, Event, Topic
from .stance_changes import StanceChange, site_change_feed

LATEST_STATEMENTS = 6
LATEST_CHANGES = 5


@dataclass(frozen=True)
class LatestStatement:
    """One recent statement: the event, its speaker and its stances (topic, score), dates in words."""

    event: Event
    actor: Actor
    stances: list[tuple[Any, Topic]]


@dataclass(frozen=True)
class HomePage:
    """Everything the home page shows, read once."""

    latest: list[LatestStatement]
    changes: list[StanceChange]
    actors: list[tuple[Actor, int, Event | None]]
    topics: list[tuple[Topic, int]]


def home_page(session: Session) -> HomePage:
    """The newest statements by date, the newest stance changes, every actor and topic with counts."""
    events = list(queries.latest_statements(session, LATEST_STATEMENTS))
    actors = queries.actors_by_ids(session, {e.actor_id for e in events})
    stances = queries.stances_for_events(session, [e.id for e in events if e.id is not None])
    latest = [LatestStatement(e, actors[e.actor_id], stances.get(e.id or 0, [])) for e in events]
    changes = site_change_feed(session).changes[:LATEST_CHANGES] if events else []
    return HomePage(latest, changes, queries.actor_overview(session), queries.topic_overview(session))


def topic_index(session: Session) -> list[tuple[Topic, int]]:
    """Every topic with its number of stances (live statements), by name."""
    return queries.topic_overview(session)
