"""The stance-history rules, without HTTP: changes only within one speaker, and only between statements
whose possible dates do not overlap. Adversarial histories: overlapping ranges, equal days, mixed
precision, open and long intervals, several speakers under one government, a speaker changing roles."""

from __future__ import annotations

from types import SimpleNamespace

from timeline.dates import parse_date
from timeline.models import Actor, Event, Stance, Topic
from timeline.services.charts import build_chart, counts_drawn
from timeline.services.history import (
    ORDER_UNKNOWN,
    REVERSAL,
    SHIFT,
    UNCHANGED,
    TopicHistory,
    build_histories,
)

TOPIC = Topic(id=1, slug="jcpoa", name="JCPOA")
IRAN = Actor(id=1, slug="iran", name="Iran", kind="government")
ZARIF = Actor(id=2, slug="zarif", name="Javad Zarif", kind="person", parent_id=1)
MAJLIS = Actor(id=3, slug="majlis", name="Majlis", kind="organization", parent_id=1)
BIDEN = Actor(id=4, slug="biden", name="Joe Biden", kind="person")
ACTORS = {a.id: a for a in (IRAN, ZARIF, MAJLIS, BIDEN)}


def history(*statements: tuple[int, str, int] | tuple[int, str, int, Actor, str]) -> TopicHistory:
    """One topic's history from (id, EDTF date, score[, speaker, role]) given in any order."""
    events, stances = [], {}
    for item in statements:
        event_id, edtf, score = item[:3]
        speaker = item[3] if len(item) > 3 else IRAN  # type: ignore[misc]
        role = item[4] if len(item) > 4 else None  # type: ignore[misc]
        parsed = parse_date(edtf)
        events.append(
            Event(
                id=event_id,
                uid=f"e{event_id}",
                actor_id=speaker.id,
                kind="statement",
                title=f"s{event_id}",
                date_edtf=edtf,
                date_earliest=parsed.earliest,
                date_latest=parsed.latest,
                date_display=parsed.display,
                speaker_role=role,
            )
        )
        stances[event_id] = [(Stance(event_id=event_id, topic_id=1, score=score), TOPIC)]
    [result] = build_histories(events, stances, ACTORS)
    return result


def changes(h: TopicHistory) -> list[tuple[int, int, str]]:
    return [(s.from_event_id, s.to_event_id, s.change) for s in h.steps]


def pairs(h: TopicHistory) -> list[tuple[int, int]]:
    return [(a.event_id, b.event_id) for s in h.series for a, b in s.unordered]


def test_overlapping_ranges_claim_no_change_and_are_counted_apart() -> None:
    # Iran's "Look East" case: two statements both "November 2020 – January 2021".
    h = history((1, "2020-11/2021-01", -1), (2, "2020-11/2021-01", 2))
    assert changes(h) == [] and (h.shifts, h.reversals) == (0, 0)
    assert pairs(h) == [(1, 2)] and h.unordered_count == 1
    [series] = h.series
    assert (series.first_score, series.latest_score) == (None, None)  # which came last is unknown
    summary = h.as_dict()["summary"]
    assert (summary["reversals"], summary["unordered_pairs"], summary["latest_score"]) == (0, 1, None)
    assert h.as_dict()["unordered"] == [
        {"speaker": "iran", "event_uids": ["e1", "e2"], "change": ORDER_UNKNOWN}
    ]


def test_equal_days_are_not_ordered() -> None:
    h = history((1, "2019-05-15", -1), (2, "2019-05-15", 1))
    assert changes(h) == [] and pairs(h) == [(1, 2)]


def test_touching_days_are_ordered() -> None:
    h = history((1, "2019-05-15", -1), (2, "2019-05-16", 1))
    assert changes(h) == [(1, 2, REVERSAL)] and pairs(h) == []


def test_mixed_precision_a_year_overlaps_its_days_and_months() -> None:
    # Out of order: a year, a day inside it, a month, an interval, and two statements on one day.
    h = history((5, "2020-12-20", 2), (2, "2020", 1), (4, "2020-12", 1), (3, "2020-11/2020-12", -1),
                (7, "2019-05-15", 0), (6, "2019-05-15", -1))  # fmt: skip
    assert [p.event_id for p in h.points] == [6, 7, 2, 3, 4, 5]  # earliest day, then latest day, then id
    # 2019-05-15 twice (−1 and 0) overlap: the year 2020 after them has no agreed predecessor.
    assert changes(h) == []
    assert sorted(pairs(h)) == [(2, 3), (2, 4), (2, 5), (3, 4), (3, 5), (4, 5), (6, 7)]
    assert h.unordered_count == 7
    [series] = h.series
    assert series.first_score is None and series.latest_score is None


def test_next_ordered_statement_compares_with_what_it_follows() -> None:
    # A (−1) then B and C overlapping each other (both +2), then D (0) after both.
    h = history((1, "2019-01-10", -1), (2, "2020-11/2021-01", 2), (3, "2020-12-05", 2), (4, "2021-03-01", 0))
    assert changes(h) == [(1, 2, REVERSAL), (1, 3, REVERSAL), (2, 4, REVERSAL)]
    assert pairs(h) == [(2, 3)]
    [series] = h.series
    assert (series.first_score, series.latest_score) == (-1, 0)
    # A later statement after overlapping ones that disagree: no change claimed at all.
    h = history((1, "2020-11/2021-01", -1), (2, "2020-12-05", 2), (3, "2021-03-01", 0))
    assert changes(h) == [] and pairs(h) == [(1, 2)]
    assert h.series[0].latest_score == 0


def test_a_long_interval_overlaps_everything_it_spans() -> None:
    # An "open" stance held over years (2018-05-08/2021-01-20) against dated days inside it and after it.
    h = history(
        (1, "2018-05-08/2021-01-20", 2), (2, "2019-06-01", 1), (3, "2021-02-01", -1), (4, "2021-03~", -1)
    )
    assert sorted(pairs(h)) == [(1, 2), (3, 4)]  # "about March 2021" reaches back to February
    # 1 and 2 both precede 3 but overlap and disagree: what 3 changed from is unknown, so no claim.
    assert changes(h) == []
    assert h.series[0].latest_score == -1  # 3 and 4 overlap but agree


def test_uncertain_and_approximate_dates_widen_and_overlap() -> None:
    h = history((1, "2020-05~", 1), (2, "2020-06-15", -1), (3, "2020?", 0))
    assert changes(h) == []
    assert {frozenset(p) for p in pairs(h)} == {frozenset(p) for p in ((1, 2), (1, 3), (2, 3))}


def test_several_speakers_under_one_government_are_separate_series() -> None:
    # The Majlis's −1, then Zarif's +2, then the government's own −2 and +1: no cross-speaker change.
    h = history(
        (1, "2020-12-01", -1, MAJLIS, "Islamic Consultative Assembly"),
        (2, "2020-12-10", 2, ZARIF, "Foreign Minister"),
        (3, "2021-01-05", -2, IRAN, "Government of Iran"),
        (4, "2021-02-05", 1, IRAN, "Government of Iran"),
        (5, "2021-03-01", 2, ZARIF, "Foreign Minister"),
    )
    assert [s.speaker_slug for s in h.series] == ["majlis", "zarif", "iran"]
    assert changes(h) == [(2, 5, UNCHANGED), (3, 4, REVERSAL)]
    assert (h.shifts, h.reversals) == (0, 1)
    doc = h.as_dict()
    assert [c["speaker"] for c in doc["changes"]] == ["zarif", "iran"]
    assert doc["summary"]["speakers"] == 3 and doc["summary"]["latest_score"] is None  # no government line
    assert [(s["speaker"], s["latest_score"]) for s in doc["series"]] == [
        ("majlis", -1),
        ("zarif", 2),
        ("iran", 1),
    ]


def test_a_speaker_moving_between_roles_stays_one_series() -> None:
    # Biden as a candidate, then as President: one person, one series; the role is the capacity.
    h = history(
        (1, "2020-09-13", 2, BIDEN, "Democratic presidential nominee"),
        (2, "2021-06-01", -1, BIDEN, "President of the United States"),
    )
    [series] = h.series
    assert series.speaker_slug == "biden" and changes(h) == [(1, 2, REVERSAL)]
    assert [p.speaker_role for p in series.points] == [
        "Democratic presidential nominee",
        "President of the United States",
    ]


def test_shift_and_unchanged_within_one_speaker() -> None:
    h = history((1, "2019", 1), (2, "2020", 2), (3, "2021", 2))
    assert changes(h) == [(1, 2, SHIFT), (2, 3, UNCHANGED)]
    assert h.as_dict()["summary"]["first_score"] == 1 and h.as_dict()["summary"]["latest_score"] == 2


def test_the_chart_draws_what_the_summary_counts() -> None:
    h = history(
        (1, "2019-01-10", -1, ZARIF), (2, "2020-11/2021-01", 2, ZARIF), (3, "2020-12-05", 2, ZARIF),
        (4, "2021-03-01", 1, ZARIF), (5, "2020-11/2021-01", -1, MAJLIS), (6, "2020-12", 2, MAJLIS),
    )  # fmt: skip
    chart = build_chart([("Iran", "iran", h)])
    assert chart is not None
    drawn = counts_drawn(chart)
    assert (drawn["shifts"], drawn["reversals"], drawn["steps"]) == (h.shifts, h.reversals, len(h.steps))
    assert (h.shifts, h.reversals, h.unordered_count) == (1, 2, 2)
    lane = chart.lanes[0]
    unordered = {cp.point.event_id for cp in lane.points if cp.order_unknown}
    assert unordered == {2, 3, 5, 6}
    # Every line runs forward in time: a step never joins overlapping statements.
    for line in lane.series:
        assert all(seg.x1 < seg.x2 for seg in line.segments)
    # The last point on Zarif's line is his latest score.
    zarif = next(s for s in lane.series if s.slug == "zarif")
    last = max(zarif.segments, key=lambda seg: seg.x2)
    assert last.y2 == lane.y(h.series[0].latest_score or 0) == lane.y(1)


def test_dates_as_iso_text_order_alike() -> None:
    # JSON timelines carry the bounds as ISO text (queries.json_rows_for_actors): the same rules apply.
    rows = [
        SimpleNamespace(
            id=i,
            uid=f"e{i}",
            actor_id=1,
            title="t",
            date_edtf=lo,
            date_earliest=lo,
            date_latest=hi,
            date_display=lo,
            speaker_role=None,
        )  # fmt: skip
        for i, lo, hi in (
            (1, "2020-01-01", "2020-01-31"),
            (2, "2020-01-15", "2020-01-15"),
            (3, "2020-02-01", "2020-02-01"),
        )
    ]
    stances = {r.id: [(Stance(event_id=r.id, topic_id=1, score=s), TOPIC)] for r, s in zip(rows, (2, 2, -1))}
    [h] = build_histories(rows, stances, ACTORS)
    assert pairs(h) == [(1, 2)]
    assert changes(h) == [(1, 3, REVERSAL)]  # from the more recent of the two agreeing statements
    assert h.series[0].latest_score == -1 and h.reversals == 1


def test_many_overlapping_statements_are_all_marked_and_counted() -> None:
    # 30 statements all dated "2020": 435 pairs, every statement in unknown order, 200 pairs listed.
    h = history(*[(i, "2020", i % 5 - 2) for i in range(1, 31)], (31, "2021-06-01", 1))
    [series] = h.series
    assert series.unordered_count == 435 and len(series.unordered) == 200
    assert series.unordered_ids == set(range(1, 31)) and changes(h) == []
    assert series.latest_score == 1 and series.first_score is None
