from datetime import date

import pytest

from timeline.dates import parse_date
from timeline.models import Actor, Event, Stance, Topic
from timeline.services.history import REVERSAL, SHIFT, UNCHANGED, build_histories, classify

from support.app import id_of


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        (1, 1, UNCHANGED),
        (0, 0, UNCHANGED),
        (1, 2, SHIFT),
        (0, -1, SHIFT),
        (-1, 0, SHIFT),
        (1, -1, REVERSAL),
        (-1, 1, REVERSAL),
        (0, 2, REVERSAL),
        (2, 0, REVERSAL),
        (-2, 2, REVERSAL),
    ],
)
def test_classify(before: int, after: int, change: str) -> None:
    assert classify(before, after) == change


def _event(event_id: int, edtf: str) -> Event:
    parsed = parse_date(edtf)
    return Event(
        id=event_id,
        uid=f"e{event_id}",
        actor_id=1,
        kind="statement",
        title=f"event {event_id}",
        date_edtf=edtf,
        date_earliest=parsed.earliest,
        date_latest=parsed.latest,
    )


def test_order_mixed_precisions_and_ties_deterministically() -> None:
    topic = Topic(id=1, slug="jcpoa", name="JCPOA")
    actor = Actor(id=1, slug="russia", name="Russia", kind="government")
    # Given out of order: a year, a day inside it, a month, an interval, and two events on one day.
    events = [
        _event(5, "2020-12-20"),
        _event(2, "2020"),
        _event(4, "2020-12"),
        _event(3, "2020-11/2020-12"),
        _event(7, "2019-05-15"),
        _event(6, "2019-05-15"),
    ]
    scores = {5: 2, 2: 1, 4: 1, 3: -1, 7: 0, 6: -1}
    stances = {
        id_of(e): [(Stance(event_id=id_of(e), topic_id=1, score=scores[id_of(e)]), topic)] for e in events
    }
    [history] = build_histories(events, stances, {1: actor})
    # earliest day, then latest day, then id
    assert [p.event_id for p in history.points] == [6, 7, 2, 3, 4, 5]
    # Every statement overlaps another (a year holds its months and days; two on one day): no change is
    # claimed, each overlapping pair is counted apart (tests/test_history_rules.py has the rules).
    assert history.steps == [] and (history.shifts, history.reversals) == (0, 0)
    interval = history.points[3]
    assert (interval.edtf, interval.earliest, interval.latest) == (
        "2020-11/2020-12",
        date(2020, 11, 1),
        date(2020, 12, 31),
    )
    summary = history.as_dict()["summary"]
    assert summary == {
        "statements": 6,
        "speakers": 1,
        "first_score": None,
        "latest_score": None,
        "shifts": 0,
        "reversals": 0,
        "unordered_pairs": 7,
        "span": {"earliest": "2019-05-15", "latest": "2020-12-31"},
    }


def test_topics_without_stances_are_absent() -> None:
    actor = Actor(id=1, slug="russia", name="Russia", kind="government")
    assert build_histories([_event(1, "2020")], {}, {1: actor}) == []
