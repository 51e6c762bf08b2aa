"""Topic comparison: every actor's stance history on one topic, on one shared time axis."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from .. import queries
from ..models import Actor, Topic
from .errors import Invalid
from .export import actor_records, document_header
from .history import TopicHistory, build_histories, stances_of
from .records import event_record, topic_record

BY_GOVERNMENT, BY_SPEAKER = "government", "speaker"


@dataclass
class Comparison:
    """The picked lanes (actor, history), every lane available, and the picked lanes' statements."""

    topic: Topic
    by: str
    lanes: list[tuple[Actor, TopicHistory]]
    events: list[Any]  # rows (queries.events_for_topic) of the picked lanes
    stances: dict[int, list[tuple[Any, Topic]]]
    actors: dict[int, Actor]
    available: list[Actor] = field(default_factory=list)  # every lane's actor, by name
    errors: dict[str, str] = field(default_factory=dict)  # a bad lane name: the rest still shows

    def document(self, session: Session) -> dict[str, Any]:
        """The comparison in the native export format, plus one history per lane."""
        lane_actors = [a for a, _h in self.lanes]
        everyone = {a.id: a for a in [*self.actors.values(), *lane_actors]}
        return {
            **document_header({"topic": self.topic.slug}),
            "actors": actor_records(session, list(everyone.values())),
            "topics": [topic_record(t) for t in self._topics()],
            "events": [
                event_record(e, self.actors[e.actor_id].slug, self.stances.get(e.id or 0, []))
                for e in self.events
            ],
            "histories": [{"actor": a.slug, **h.as_dict()} for a, h in self.lanes],
        }

    def _topics(self) -> list[Topic]:
        seen = {t.slug: t for rows in self.stances.values() for _s, t in rows}
        return sorted(seen.values(), key=lambda t: t.slug)


def top_ancestors(session: Session, actors: dict[int, Actor]) -> dict[int, Actor]:
    """Each actor's top-level ancestor (itself when it has no parent)."""
    known = dict(actors)
    pending = {a.parent_id for a in known.values() if a.parent_id and a.parent_id not in known}
    while pending:
        found = queries.actors_by_ids(session, [p for p in pending if p is not None])
        known.update(found)
        pending = {a.parent_id for a in found.values() if a.parent_id and a.parent_id not in known}
    tops: dict[int, Actor] = {}
    for actor_id, actor in actors.items():
        current, seen = actor, {actor_id}
        while current.parent_id is not None and current.parent_id in known and current.parent_id not in seen:
            seen.add(current.parent_id)
            current = known[current.parent_id]
        tops[actor_id] = current
    return tops


def compare_topic(
    session: Session,
    topic: Topic,
    filters: queries.EventFilters | None = None,
    lane_names: list[str] | None = None,
    by: str = BY_GOVERNMENT,
    *,
    shape: str = queries.FULL,
) -> Comparison:
    """Lanes per government (officials included, one series per speaker) or per speaker; lane_names
    (slugs or names, any case) pick and order them: an unknown name lands in `errors`, the rest stays.

    shape: what each event row holds (queries.FULL for the JSON document, HISTORY for a page)."""
    if by not in (BY_GOVERNMENT, BY_SPEAKER):
        raise Invalid({"by": f"use “{BY_GOVERNMENT}” or “{BY_SPEAKER}”"})
    assert topic.id is not None
    events = list(queries.events_for_topic(session, topic.id, filters or queries.EventFilters(), shape))
    stances = stances_of(events, queries.all_topics(session))
    actors = queries.actors_by_ids(session, {e.actor_id for e in events})
    lane_of = top_ancestors(session, actors) if by == BY_GOVERNMENT else dict(actors)
    only_topic = {
        event_id: [(s, t) for s, t in rows if t.id == topic.id] for event_id, rows in stances.items()
    }
    grouped: dict[int, list[Any]] = {}
    for event in events:
        lane = lane_of[event.actor_id]
        grouped.setdefault(lane.id or 0, []).append(event)
    lane_actors = {lane.id: lane for lane in lane_of.values()}
    lanes: list[tuple[Actor, TopicHistory]] = []
    for lane_id, lane_events in grouped.items():
        [history] = build_histories(lane_events, only_topic, actors)
        lanes.append((lane_actors[lane_id], history))
    lanes.sort(key=lambda lane: (lane[0].name.casefold(), lane[0].slug))
    available = [a for a, _h in lanes]
    errors: dict[str, str] = {}
    if lane_names:
        picked, unknown = pick_lanes(available, lane_names)
        if unknown:
            names = ", ".join(a.name for a in available) or "none"
            errors["actors"] = f"no lane for {', '.join(unknown)} on this topic (available: {names})"
        if picked:
            order = {a.id: i for i, a in enumerate(picked)}
            lanes = sorted(
                (lane for lane in lanes if lane[0].id in order), key=lambda lane: order[lane[0].id]
            )
    kept = {a.id for a, _h in lanes}
    events = [e for e in events if lane_of[e.actor_id].id in kept]
    return Comparison(topic, by, lanes, events, stances, actors, available, errors)


def split_names(text: str | list[str]) -> list[str]:
    """Lane names from `?actors=` ("Russia, Iran"; repeated parameters are joined)."""
    parts = text if isinstance(text, list) else [text]
    return [name.strip() for part in parts for name in part.split(",") if name.strip()]


def pick_lanes(available: list[Actor], names: list[str]) -> tuple[list[Actor], list[str]]:
    """The lanes named (slug or name, any case), in the order given, and the names that match none."""
    index: dict[str, Actor] = {}
    for actor in available:
        index.setdefault(actor.slug.casefold(), actor)
        index.setdefault(actor.name.casefold(), actor)
    picked: dict[int | None, Actor] = {}
    unknown: list[str] = []
    for name in names:
        found = index.get(name.casefold())
        if found is None:
            unknown.append(name)
        else:
            picked.setdefault(found.id, found)
    return list(picked.values()), unknown
