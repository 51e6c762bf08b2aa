"""Stance histories: each speaker's ordered scores on a topic and how they change.

The rules (documented in the README, "Stance history"):
- A speaker is the actor a statement is attributed to (a person, or a body speaking as itself); the
  speaker role is the capacity it spoke in, so a person moving between roles stays one series.
- A change links two statements of one speaker on one topic, never statements of different speakers.
- Statement a comes before b only when a's latest possible day is before b's earliest possible day.
  Overlapping ranges (equal days included) are an "order unknown" pair and claim no change; a later
  statement is compared with the statements it can be ordered after (when those agree on a score).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

import orjson

from ..models import Actor, Topic

UNCHANGED, SHIFT, REVERSAL = "unchanged", "shift", "reversal"
ORDER_UNKNOWN = "order unknown (dates overlap)"
# At most this many unordered pairs are listed per series in JSON (all are counted).
LISTED_PAIRS = 200


class StancePoint(NamedTuple):
    """One scored statement on a topic, with its date uncertainty kept (a tuple: thousands per page)."""

    event_id: int
    event_uid: str
    title: str
    actor_slug: str  # the speaker
    actor_name: str
    speaker_role: str | None
    edtf: str
    earliest: Any  # a date, or its ISO text (queries.json_rows_for_actors): both compare alike
    latest: Any
    display: str
    score: int
    rationale: str | None


class Step(NamedTuple):
    """A change between two ordered statements of one speaker."""

    from_event_id: int
    to_event_id: int
    from_score: int
    to_score: int
    change: str


class UnorderedPair(NamedTuple):
    """Two statements of one speaker whose possible dates overlap: their order is unknown."""

    first: StancePoint  # the one with the earlier earliest day
    second: StancePoint


@dataclass
class Series:
    """One speaker's statements on one topic, the changes between them and the pairs in unknown order."""

    speaker_slug: str
    speaker_name: str
    points: list[StancePoint]
    steps: list[Step] = field(default_factory=list)
    unordered: list[UnorderedPair] = field(default_factory=list)  # at most LISTED_PAIRS
    unordered_count: int = 0
    unordered_ids: set[int] = field(default_factory=set)  # every statement overlapping another
    first_points: list[StancePoint] = field(default_factory=list)  # none ordered before them
    latest_points: list[StancePoint] = field(default_factory=list)  # none ordered after them

    @property
    def first_score(self) -> int | None:
        """The first score, or None when the earliest statements overlap and disagree."""
        return _agreed(self.first_points)

    @property
    def latest_score(self) -> int | None:
        """The latest score, or None when the latest statements overlap and disagree."""
        return _agreed(self.latest_points)

    @property
    def shifts(self) -> int:
        return sum(1 for s in self.steps if s.change == SHIFT)

    @property
    def reversals(self) -> int:
        return sum(1 for s in self.steps if s.change == REVERSAL)

    def summary(self) -> dict[str, object]:
        return {
            "statements": len(self.points),
            "first_score": self.first_score,
            "latest_score": self.latest_score,
            "shifts": self.shifts,
            "reversals": self.reversals,
            "unordered_pairs": self.unordered_count,
        }


def _agreed(points: list[StancePoint]) -> int | None:
    scores = {p.score for p in points}
    return scores.pop() if len(scores) == 1 else None


@dataclass
class TopicHistory:
    """Every speaker's series on one topic (of one actor, or of one lane of a comparison)."""

    topic_slug: str
    topic_name: str
    series: list[Series] = field(default_factory=list)

    @cached_property
    def points(self) -> list[StancePoint]:
        """Every statement, in timeline order."""
        if len(self.series) == 1:  # a series is sorted already (build_series)
            return list(self.series[0].points)
        return sorted((p for s in self.series for p in s.points), key=_SORT_KEY)

    @property
    def steps(self) -> list[Step]:
        return [step for s in self.series for step in s.steps]

    @property
    def first(self) -> StancePoint:
        return self.points[0]

    @property
    def latest(self) -> StancePoint:
        return max(self.points, key=attrgetter("latest", "earliest", "event_id"))

    @property
    def shifts(self) -> int:
        return sum(s.shifts for s in self.series)

    @property
    def reversals(self) -> int:
        return sum(s.reversals for s in self.series)

    @property
    def unordered_count(self) -> int:
        return sum(s.unordered_count for s in self.series)

    @property
    def single(self) -> Series | None:
        """The one series when a single speaker spoke."""
        return self.series[0] if len(self.series) == 1 else None

    def as_dict(self) -> dict[str, object]:
        """The history for JSON (str() of a date is its ISO text, and ISO text stays as it is)."""
        single = self.single
        return {
            "topic": self.topic_slug,
            "topic_name": self.topic_name,
            "summary": {
                "statements": len(self.points),
                "speakers": len(self.series),
                # Across several speakers there is no one first or latest score: see "series".
                "first_score": single.first_score if single else None,
                "latest_score": single.latest_score if single else None,
                "shifts": self.shifts,
                "reversals": self.reversals,
                "unordered_pairs": self.unordered_count,
                "span": {
                    "earliest": str(self.first.earliest),
                    "latest": str(max(p.latest for p in self.points)),
                },
            },
            "series": [
                {"speaker": s.speaker_slug, "speaker_name": s.speaker_name, **s.summary()}
                for s in self.series
            ],
            "points": [  # unpacked: a tuple's fields by name cost a call each, thousands per document
                {
                    "event_uid": uid,
                    "actor": actor,
                    "date": edtf,
                    "date_earliest": str(earliest),
                    "date_latest": str(latest),
                    "date_display": display,
                    "score": score,
                    "speaker_role": role,
                }
                for _i, uid, _t, actor, _n, role, edtf, earliest, latest, display, score, _r in self.points
            ],
            "changes": [
                {
                    "speaker": s.speaker_slug,
                    "from_event_uid": uids[step.from_event_id],
                    "to_event_uid": uids[step.to_event_id],
                    "from_score": step.from_score,
                    "to_score": step.to_score,
                    "change": step.change,
                }
                for s in self.series
                for uids in ({p.event_id: p.event_uid for p in s.points},)
                for step in s.steps
            ],
            "unordered": [
                {"speaker": s.speaker_slug, "event_uids": [a.event_uid, b.event_uid], "change": ORDER_UNKNOWN}
                for s in self.series
                for a, b in s.unordered
            ],
        }


_SORT_KEY = attrgetter("earliest", "latest", "event_id")


class StanceValue(NamedTuple):
    """A stance as an event row's stances_json holds it (its topic apart)."""

    score: int
    rationale: str | None


def columns(rows: Sequence[Any], *names: str) -> Callable[[Any], tuple[Any, ...]]:
    """A getter of these columns (two or more) as a tuple: by position on Core rows (a C call, where
    each attribute of a Row costs a lookup by name), by attribute on anything else (ORM objects)."""
    fields = getattr(rows[0], "_fields", None) if rows else None
    if fields is not None and all(name in fields for name in names):
        return itemgetter(*(fields.index(name) for name in names))
    return attrgetter(*names)


def stances_of(events: Iterable[Any], topics: Iterable[Topic]) -> dict[int, list[tuple[Any, Topic]]]:
    """Each event's stances with their topics, by topic name, from the rows' stances_json (kept by the
    database with every stance and topic change): no query per listing."""
    by_slug = {t.slug: t for t in topics}
    make = partial(tuple.__new__, StanceValue)  # a C call per stance (NamedTuple._make is Python)
    events = events if isinstance(events, Sequence) else list(events)
    get = columns(events, "id", "stances_json")
    carrying = [(event_id, raw) for event_id, raw in map(get, events) if raw and raw != "[]"]
    if not carrying:
        return {}
    # One parse of every event's array joined into one: a C call per listing, not one per event.
    parsed = orjson.loads("[" + ",".join(raw for _id, raw in carrying) + "]")
    return {
        event_id: [(make((s["score"], s["rationale"])), by_slug[s["topic"]]) for s in stances]
        for (event_id, _raw), stances in zip(carrying, parsed, strict=True)
    }


def classify(before: int, after: int) -> str:
    """unchanged; shift (moves by 1); reversal (sign flips, or moves by 2 or more)."""
    if before == after:
        return UNCHANGED
    if before * after < 0 or abs(after - before) >= 2:
        return REVERSAL
    return SHIFT


def build_series(speaker_slug: str, speaker_name: str, points: list[StancePoint]) -> Series:
    """One speaker's series: a sweep in timeline order, O(n log n) plus the overlapping pairs.

    `active` holds the statements that may still overlap the next one (a heap by latest day); once a
    statement's latest day is before the next one's earliest, it is ordered before every later one.
    `frontier` holds the ordered-before statements that no other ordered-before statement follows:
    the ones a new statement is compared with.
    """
    points.sort(key=_SORT_KEY)
    series = Series(speaker_slug, speaker_name, points)
    active: list[tuple[Any, int, StancePoint]] = []
    frontier: list[StancePoint] = []
    bound: Any = None  # the greatest earliest day among the ordered-before statements
    unmarked: StancePoint | None = None  # the last statement that overlapped none before it
    steps, make_step = series.steps, partial(tuple.__new__, Step)  # a C call per step
    for index, point in enumerate(points):
        while active and active[0][0] < point.earliest:
            done = heapq.heappop(active)[2]
            if bound is None or done.earliest > bound:
                bound = done.earliest
                frontier = [p for p in frontier if p.latest >= bound]
            frontier.append(done)  # retired by latest day: it is never before the bound
        if len(frontier) == 1:  # the usual case: one statement right before
            before = frontier[0]
            steps.append(make_step((before.event_id, point.event_id, before.score, point.score,
                                    classify(before.score, point.score))))  # fmt: skip
        elif frontier:
            score = _agreed(frontier)
            if score is not None:
                before = max(frontier, key=_RECENT)
                steps.append(make_step((before.event_id, point.event_id, score, point.score,
                                        classify(score, point.score))))  # fmt: skip
        else:
            series.first_points.append(point)
        if active:
            series.unordered_count += len(active)
            # Marks each statement once (the unmarked overlapping one is at most one: see below).
            series.unordered_ids.add(point.event_id)
            if unmarked is not None and unmarked.latest >= point.earliest:
                series.unordered_ids.add(unmarked.event_id)
            unmarked = None
            room = LISTED_PAIRS - len(series.unordered)
            if room > 0:
                series.unordered.extend(UnorderedPair(other, point) for _l, _i, other in active[:room])
        else:
            unmarked = point  # every earlier statement is ordered before this one
        heapq.heappush(active, (point.latest, index, point))
    series.latest_points = [p for _l, _i, p in active]  # nothing is ordered after these
    series.latest_points.sort(key=_SORT_KEY)
    return series


_RECENT = attrgetter("latest", "earliest", "event_id")


def build_histories(
    events: Iterable[Any],
    stances: Mapping[int, list[tuple[Any, Topic]]],
    actors: Mapping[int, Actor],
) -> list[TopicHistory]:
    """Per-topic histories (one series per speaker) from events and their stances, topics by name."""
    make_point = partial(tuple.__new__, StancePoint)
    names = {actor_id: (actor.slug, actor.name) for actor_id, actor in actors.items()}
    by_topic: dict[str, tuple[Topic, dict[str, list[StancePoint]]]] = {}
    events = events if isinstance(events, Sequence) else list(events)
    head = columns(events, "id", "actor_id")
    tail = columns(events, "uid", "title", "speaker_role", "date_edtf", "date_earliest", "date_latest",
                   "date_display")  # fmt: skip
    for ev in events:
        event_id, actor_id = head(ev)
        pairs = stances.get(event_id)
        if not pairs:
            continue
        slug, name = names[actor_id]
        uid, title, role, edtf, earliest, latest, display = tail(ev)
        base = (event_id, uid, title, slug, name, role, edtf, earliest, latest, display)
        for stance, topic in pairs:
            found = by_topic.get(topic.slug)  # no setdefault: its default would be built every time
            if found is None:
                found = by_topic[topic.slug] = (topic, {})
            points = found[1].get(slug)
            if points is None:
                points = found[1][slug] = []
            points.append(make_point((*base, stance.score, stance.rationale)))
    histories = []
    for topic, speakers in by_topic.values():
        series = [build_series(slug, points[0].actor_name, points) for slug, points in speakers.items()]
        series.sort(key=lambda s: (s.points[0].earliest, s.speaker_name.casefold(), s.speaker_slug))
        histories.append(TopicHistory(topic.slug, topic.name, series))
    return sorted(histories, key=lambda h: (h.topic_name.casefold(), h.topic_slug))
