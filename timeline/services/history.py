"""Stance histories: the ordered scores of an actor on a topic and how they change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from ..dates import parse_date
from ..models import Actor, Event, Stance, Topic

UNCHANGED, SHIFT, REVERSAL = "unchanged", "shift", "reversal"


@dataclass(frozen=True)
class StancePoint:
    """One scored statement on a topic, with its date uncertainty kept."""

    event_id: int
    event_uid: str
    title: str
    actor_slug: str
    actor_name: str
    speaker_role: str | None
    edtf: str
    earliest: date
    latest: date
    display: str
    score: int
    rationale: str | None

    @property
    def sort_key(self) -> tuple[date, date, int]:
        return (self.earliest, self.latest, self.event_id)


@dataclass(frozen=True)
class Step:
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

    def change_into(self, event_id: int) -> Step | None:
        """The step that ends at this event, if any."""
        return next((s for s in self.steps if s.to_event_id == event_id), None)

    def as_dict(self) -> dict[str, object]:
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
                    "earliest": self.first.earliest.isoformat(),
                    "latest": max(p.latest for p in self.points).isoformat(),
                },
            },
            "points": [
                {
                    "event_uid": p.event_uid,
                    "actor": p.actor_slug,
                    "date": p.edtf,
                    "date_earliest": p.earliest.isoformat(),
                    "date_latest": p.latest.isoformat(),
                    "date_display": p.display,
                    "score": p.score,
                    "speaker_role": p.speaker_role,
                }
                for p in self.points
            ],
            "changes": [
                {
                    "from_event_uid": self._uid(s.from_event_id),
                    "to_event_uid": self._uid(s.to_event_id),
                    "from_score": s.from_score,
                    "to_score": s.to_score,
                    "change": s.change,
                }
                for s in self.steps
            ],
        }

    def _uid(self, event_id: int) -> str:
        return next(p.event_uid for p in self.points if p.event_id == event_id)


def classify(before: int, after: int) -> str:
    """unchanged; shift (moves by 1); reversal (sign flips, or moves by 2 or more)."""
    if before == after:
        return UNCHANGED
    if before * after < 0 or abs(after - before) >= 2:
        return REVERSAL
    return SHIFT


def build_histories(
    events: Iterable[Event],
    stances: Mapping[int, list[tuple[Stance, Topic]]],
    actors: Mapping[int, Actor],
) -> list[TopicHistory]:
    """Per-topic histories from events and their stances, topics ordered by name."""
    by_topic: dict[str, TopicHistory] = {}
    for ev in events:
        assert ev.id is not None
        actor = actors[ev.actor_id]
        parsed = parse_date(ev.date_edtf)
        for stance, topic in stances.get(ev.id, []):
            history = by_topic.setdefault(topic.slug, TopicHistory(topic.slug, topic.name))
            history.points.append(
                StancePoint(
                    event_id=ev.id,
                    event_uid=ev.uid,
                    title=ev.title,
                    actor_slug=actor.slug,
                    actor_name=actor.name,
                    speaker_role=ev.speaker_role,
                    edtf=ev.date_edtf,
                    earliest=ev.date_earliest,
                    latest=ev.date_latest,
                    display=parsed.display,
                    score=stance.score,
                    rationale=stance.rationale,
                )
            )
    for history in by_topic.values():
        history.points.sort(key=lambda p: p.sort_key)
        history.steps = [
            Step(a.event_id, b.event_id, a.score, b.score, classify(a.score, b.score))
            for a, b in zip(history.points, history.points[1:], strict=False)
        ]
    return sorted(by_topic.values(), key=lambda h: (h.topic_name.casefold(), h.topic_slug))
