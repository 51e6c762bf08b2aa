"""Search counts, filters, facets and pages its capped matches in the database (issue 17): what the page
shows is what a recount of the matching events in Python finds, page after page, in either order, and
only the page's events are read."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, text

from timeline import queries
from timeline.dates import FIRST_DAY, LAST_DAY
from timeline.db import engines, get_session, write_session
from timeline.models import CONFIDENCE_RANK, Confidence, Event
from timeline.services.demo import generate_demo_data
from timeline.services.search import Results, search, search_ids

from support.app import make_app
from support.data import BACKEND

WORD = "sanctions"  # in about 45% of the demo's events


@pytest.fixture(scope="module")
def demo(databases: Any) -> Flask:
    """One demo database for the module: the tests only read it (one deletes and restores)."""
    app = make_app(databases.new())
    with app.app_context():
        generate_demo_data(engines()[1], events=1500, actors=25, topics=6, seed=11)
        if BACKEND == "postgresql":
            with engines()[1].connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
    return app


def _matches(app: Flask, word: str) -> list[dict[str, Any]]:
    """Every live event with a word starting with `word` in its texts or its actor's names, by id."""
    with app.app_context():
        session = get_session()
        rows = session.execute(
            text(
                "SELECT e.id, e.title, e.quote, e.summary, a.name, a.aliases, e.actor_id, e.kind, "
                "e.confidence, e.date_earliest, e.date_latest FROM event e JOIN actor a ON a.id = e.actor_id "
                "WHERE e.deleted_at IS NULL ORDER BY e.id"
            )
        ).all()
        stances = session.execute(text("SELECT event_id, topic_id FROM stance")).all()
        session.rollback()
    topics: dict[int, set[int]] = {}
    for event_id, topic_id in stances:
        topics.setdefault(event_id, set()).add(topic_id)
    found = []
    for row in rows:
        words = " ".join(str(v or "") for v in row[1:6]).casefold().replace('"', " ").split()
        if any(w.strip(".,;:!?()[]«»—-").startswith(word) for w in words):
            earliest, latest = (d if isinstance(d, date) else date.fromisoformat(d) for d in row[9:11])
            found.append(
                {
                    "id": row[0],
                    "actor_id": row[6],
                    "kind": row[7],
                    "confidence": row[8],
                    "earliest": earliest,
                    "latest": latest,
                    "topics": topics.get(row[0], set()),
                }
            )
    return found


def _years(match: dict[str, Any]) -> range:
    first = match["latest"].year if match["earliest"] == FIRST_DAY else match["earliest"].year
    last = match["earliest"].year if match["latest"] == LAST_DAY else match["latest"].year
    return range(first, max(first, last) + 1)


def _all_pages(app: Flask, word: str, **kwargs: Any) -> tuple[Results, list[tuple[Any, ...]], list[int]]:
    """The first page of a search; (date_earliest, date_latest, id) of every hit on every page, in
    order; and the ids the CSV lists."""
    with app.app_context():
        session = get_session()
        first = search(session, word, 1, per_page=50, **kwargs)
        pages = [first] + [search(session, word, n, per_page=50, **kwargs) for n in range(2, first.pages + 1)]
        hits = [(h.event.date_earliest, h.event.date_latest, h.event.id) for p in pages for h in p.hits]
        return first, hits, search_ids(session, first)


def test_facets_and_totals_are_those_of_every_match(demo: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    matches = _matches(demo, WORD)
    assert len(matches) > 500
    monkeypatch.setattr(queries, "SEARCH_CAP", 5000)  # above the number of matches: all are counted
    with demo.app_context():
        results = search(get_session(), WORD)
        slugs = {t.id: t.slug for t in queries.all_topics(get_session())}
        names = {a.id: a.slug for a in queries.all_actors(get_session())}
    assert results.total == results.shown == len(matches) and not results.more
    counted = {name: {v.label: v.count for v in values} for name, values in results.facets.items()}
    actors = Counter(names[m["actor_id"]] for m in matches)
    topics = Counter(slugs[t] for m in matches for t in m["topics"])
    kinds = Counter(m["kind"] for m in matches)
    years = Counter(y for m in matches for y in _years(m))
    assert counted["kind"] == dict(kinds.most_common(10))
    assert counted["year"] == {str(y): n for y, n in sorted(years.items(), reverse=True)[:10]}
    # The ten most frequent, counts in order (ties between equal counts may fall either way).
    by_slug = {v.params["actor"]: v.count for v in results.facets["actor"]}
    assert [v.count for v in results.facets["actor"]] == [n for _a, n in actors.most_common(10)]
    assert all(actors[slug] == n for slug, n in by_slug.items()) and len(by_slug) == 10
    assert [v.count for v in results.facets["topic"]] == [n for _t, n in topics.most_common(10)]
    assert {v.params["topic"]: v.count for v in results.facets["topic"]} == {
        t: n for t, n in topics.items() if n >= min(counted["topic"].values())
    }


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_pages_list_every_kept_match_once_in_the_csv_order(
    demo: Flask, monkeypatch: pytest.MonkeyPatch, sort: str
) -> None:
    matches = _matches(demo, WORD)
    monkeypatch.setattr(queries, "SEARCH_CAP", 300)  # fewer than the matches: the best 300 are kept
    first, hits, ids = _all_pages(demo, WORD, sort=sort)
    shown = [i for _e, _l, i in hits]
    assert first.more and first.total == 300 and first.pages == 6
    assert shown == ids and len(set(shown)) == 300
    assert set(shown) <= {m["id"] for m in matches}
    if sort == "date":
        assert hits == sorted(hits)
    else:  # the same 300 matches, ranked instead of dated
        _first, dated, _ids = _all_pages(demo, WORD, sort="date")
        assert {i for _e, _l, i in dated} == set(shown) and dated != hits


def test_the_listing_filters_keep_what_a_recount_keeps(demo: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    matches = _matches(demo, WORD)
    monkeypatch.setattr(queries, "SEARCH_CAP", 5000)
    with demo.app_context():
        topic = queries.all_topics(get_session())[0]
        actor = queries.actors_by_ids(get_session(), [matches[0]["actor_id"]])[matches[0]["actor_id"]]
    kind = matches[0]["kind"]
    year = matches[len(matches) // 2]["earliest"].year
    allowed = {c.value for c, r in CONFIDENCE_RANK.items() if r >= CONFIDENCE_RANK[Confidence("medium")]}
    cases = [
        (queries.EventFilters(kind=kind), None, lambda m: m["kind"] == kind),
        (queries.EventFilters(topic_id=topic.id), None, lambda m: topic.id in m["topics"]),
        (
            queries.EventFilters(date_from=date(year, 1, 1), date_to=date(year, 12, 31)),
            None,
            lambda m: m["latest"] >= date(year, 1, 1) and m["earliest"] <= date(year, 12, 31),
        ),
        (
            queries.EventFilters(min_confidence=Confidence("medium")),
            None,
            lambda m: m["confidence"] in allowed,
        ),
        (queries.EventFilters(kind=kind), actor, lambda m: m["kind"] == kind and m["actor_id"] == actor.id),
    ]
    for filters, who, keep in cases:
        expected = sorted((m["earliest"], m["latest"], m["id"]) for m in matches if keep(m))
        first, hits, ids = _all_pages(demo, WORD, filters=filters, actor=who, sort="date")
        assert expected, filters
        assert [i for _e, _l, i in expected] == ids == [i for _e, _l, i in hits], filters
        assert first.total == len(expected)
        assert sum(v.count for v in first.facets["kind"]) == len(expected)


def test_deleted_matches_leave_and_deeper_ones_fill_the_cap(
    demo: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    matches = _matches(demo, WORD)
    monkeypatch.setattr(queries, "SEARCH_CAP", 20)
    doomed = [m["id"] for m in matches[:200]]  # the first matches in the index, far beyond its margin
    _set_deleted(demo, doomed, func.now())
    try:
        first, hits, ids = _all_pages(demo, WORD)
        shown = [i for _e, _l, i in hits]
        assert first.more and first.total == 20 and shown == ids and len(shown) == 20
        assert not set(shown) & set(doomed)
    finally:
        _set_deleted(demo, doomed, None)


def _set_deleted(app: Flask, ids: list[int], value: Any) -> None:
    table = Event.__table__  # type: ignore[attr-defined]
    with app.app_context(), write_session() as session:
        session.execute(table.update().where(table.c.id.in_(ids)).values(deleted_at=value))
        session.info["written"] = True


def test_only_the_page_s_events_are_read(demo: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[int] = []
    events_by_ids = queries.events_by_ids

    def remember(session: Any, ids: Any) -> Any:
        read.append(len(ids))
        return events_by_ids(session, ids)

    monkeypatch.setattr(queries, "events_by_ids", remember)
    monkeypatch.setattr(queries, "SEARCH_CAP", 300)
    with demo.app_context():
        results = search(get_session(), WORD, 3, per_page=20)
    assert results.more and len(results.hits) == 20 and results.shown == queries.SEARCH_CAP
    assert read == [20]
