"""Stance histories: the ordered scores of an actor on a topic and how they change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from operator import attrgetter
from typing import Any, NamedTuple

import orjson

from ..models import Actor, Topic

UNCHANGED, SHIFT, REVERSAL = "unchanged", "shift", "reversal"


class StancePoint(NamedTuple):
    """One scored statement on a topic, with its date uncertainty kept (a tuple: thousands per page)."""

    event_id: int
    event_uid: str
    title: str
    actor_slug: str
    actor_name: str
    speaker_role: str | None
    edtf: str
    earliest: date  # or its ISO text (rows of shape queries.JSON_BODY): both sort and serialise alike
    latest: date
    display: str
    score: int
    rationale: str | None


class Step(NamedTuple):
    """The change between two consecutive points."""

    from_event_id: int
    to_event_id: int
    from_score: int
    to_score: int
    change: str


@dataclass
class TopicHistory:
    """One actor's series of stances on one topic, with its summary."""

    topic_slug: str
    topic_name: str
    points: list[StancePoint] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    @property
    def first(self) -> StancePoint:
        return self.points[0]

    @property
    def latest(self) -> StancePoint:
        return self.points[-1]

    @property
    def shifts(self) -> int:
        return sum(1 for s in self.steps if s.change == SHIFT)

    @property
    def reversals(self) -> int:
        return sum(1 for s in self.steps if s.change == REVERSAL)

    def as_dict(self) -> dict[str, object]:
        """The history for JSON (str() of a date is its ISO text, and ISO text stays as it is)."""
        return {
            "topic": self.topic_slug,
            "topic_name": self.topic_name,
            "summary": {
                "statements": len(self.points),
                "first_score": self.first.score,
                "latest_score": self.latest.score,
                "shifts": self.shifts,
                "reversals": self.reversals,
                "span": {
                    "earliest": str(self.first.earliest),
                    "latest": str(max(p.latest for p in self.points)),
                },
            },
            "points": [
                {
                    "event_uid": p.event_uid,
                    "actor": p.actor_slug,
                    "date": p.edtf,
                    "date_earliest": str(p.earliest),
                    "date_latest": str(p.latest),
                    "date_display": p.display,
                    "score": p.score,
                    "speaker_role": p.speaker_role,
                }
                for p in self.points
            ],
            # Step i joins point i and point i + 1.
            "changes": [
                {
                    "from_event_uid": a.event_uid,
                    "to_event_uid": b.event_uid,
                    "from_score": s.from_score,
                    "to_score": s.to_score,
                    "change": s.change,
                }
                for s, a, b in zip(self.steps, self.points, self.points[1:], strict=False)
            ],
        }


_SORT_KEY = attrgetter("earliest", "latest", "event_id")


class StanceValue(NamedTuple):
    """A stance as an event row's stances_json holds it (its topic apart)."""

    score: int
    rationale: str | None


def stances_of(events: Iterable[Any], topics: Iterable[Topic]) -> dict[int, list[tuple[Any, Topic]]]:
    """Each event's stances with their topics, by topic name, from the rows' stances_json (kept by the
    database with every stance and topic change): no query per listing."""
    by_slug = {t.slug: t for t in topics}
    make = partial(tuple.__new__, StanceValue)  # a C call per stance (NamedTuple._make is Python)
    result: dict[int, list[tuple[Any, Topic]]] = {}
    for ev in events:
        raw = ev.stances_json
        if raw and raw != "[]":
            result[ev.id] = [
                (make((s["score"], s["rationale"])), by_slug[s["topic"]]) for s in orjson.loads(raw)
            ]
    return result


def classify(before: int, after: int) -> str:
    """unchanged; shift (moves by 1); reversal (sign flips, or moves by 2 or more)."""
    if before == after:
        return UNCHANGED
    if before * after < 0 or abs(after - before) >= 2:
        return REVERSAL
    return SHIFT


def build_histories(
    events: Iterable[Any],
    stances: Mapping[int, list[tuple[Any, Topic]]],
    actors: Mapping[int, Actor],
) -> list[TopicHistory]:
    """Per-topic histories from events and their stances, topics ordered by name.

    Written for long timelines (thousands of points per page): tuples built in one call each, and a
    topic's slug read once per Topic object (stances_of gives one object per topic).
    """
    make_point, make_step = partial(tuple.__new__, StancePoint), partial(tuple.__new__, Step)
    names = {actor_id: (actor.slug, actor.name) for actor_id, actor in actors.items()}
    by_topic: dict[str, tuple[Topic, list[StancePoint]]] = {}
    by_object: dict[int, tuple[Topic, list[StancePoint]]] = {}
    for ev in events:
        pairs = stances.get(ev.id)
        if not pairs:
            continue
        slug, name = names[ev.actor_id]
        base = (ev.id, ev.uid, ev.title, slug, name, ev.speaker_role, ev.date_edtf,
                ev.date_earliest, ev.date_latest, ev.date_display)  # fmt: skip
        for stance, topic in pairs:
            entry = by_object.get(id(topic))
            if entry is None:
                entry = by_object[id(topic)] = by_topic.setdefault(topic.slug, (topic, []))
            entry[1].append(make_point((*base, stance.score, stance.rationale)))
    histories = []
    for topic, points in by_topic.values():
        points.sort(key=_SORT_KEY)  # already in order when events come in timeline order
        history = TopicHistory(topic.slug, topic.name, points)
        history.steps = [
            make_step((a.event_id, b.event_id, a.score, b.score, classify(a.score, b.score)))
            for a, b in zip(points, points[1:], strict=False)
        ]
        histories.append(history)
    return sorted(histories, key=lambda h: (h.topic_name.casefold(), h.topic_slug))
