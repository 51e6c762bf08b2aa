"""Search for a common word costs what SEARCH_CAP matches cost, not what the database holds (issue 17:
a word in 45% of events was 48x a name). Only the first SEARCH_CAP + 1 matches (by id) are ranked; on
PostgreSQL each term is looked up in the GIN index of the stored vectors (migration 0013), and the actors it
names by their ids, instead of a scan computing every event's vector."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, text

from timeline import queries
from timeline.db import engines, get_session
from timeline.services.demo import generate_demo_data
from timeline.services.search import search

from support.app import make_app
from support.data import BACKEND

WORD = "sanctions"  # in about 45% of the demo's events


@pytest.fixture
def demo(db_url: str) -> Flask:
    app = make_app(db_url)
    with app.app_context():
        generate_demo_data(engines()[1], events=2000, actors=30, topics=6, seed=5)
        if BACKEND == "postgresql":  # the planner's statistics, as autovacuum keeps them on a live server
            with engines()[1].connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
    return app


def _matching_ids(app: Flask, word: str) -> list[int]:
    """Every live event whose title, quote, summary or actor has a word starting with `word`, by id."""
    with app.app_context():
        rows = get_session().execute(
            text(
                "SELECT e.id, e.title, e.quote, e.summary, a.name, a.aliases FROM event e "
                "JOIN actor a ON a.id = e.actor_id WHERE e.deleted_at IS NULL ORDER BY e.id"
            )
        )
        found = []
        for row in rows:
            words = " ".join(str(v or "") for v in row[1:]).casefold().replace('"', " ").split()
            if any(w.strip(".,;:!?()[]«»—-").startswith(word) for w in words):
                found.append(row[0])
        return found


def test_a_common_word_ranks_only_the_first_capped_matches(
    demo: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    matching = _matching_ids(demo, WORD)
    assert len(matching) > 600  # a common word: far more matches than the cap below
    monkeypatch.setattr(queries, "SEARCH_CAP", 100)
    with demo.app_context():
        pages = [search(get_session(), WORD, page=n, per_page=20) for n in range(1, 6)]
    assert pages[0].more and pages[0].pages == 5
    ids = [hit.event.id for page in pages for hit in page.hits]
    # Five pages hold the 100 best of the first matches (101, or 151 on SQLite: a margin for deleted
    # events): no repeats, all of them matches, none from the rest of the database.
    assert len(ids) == 100 == len(set(ids))
    assert set(ids) <= set(matching[:151])


def test_under_the_cap_every_match_is_ranked_and_counted(demo: Flask) -> None:
    with demo.app_context():
        results = search(get_session(), "бенч", per_page=50)
    assert results.total == 1000 and not results.more
    assert len(results.hits) == 50 and {hit.actor.slug for hit in results.hits} == {"bench-actor-1000"}


@pytest.fixture
def statements(demo: Flask) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def remember(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        seen.append((statement, parameters))

    with demo.app_context():
        engine = engines()[0]
        event.listen(engine, "before_cursor_execute", remember)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", remember)


def test_search_reads_the_search_indexes_not_every_event(
    demo: Flask, statements: list[tuple[str, Any]]
) -> None:
    with demo.app_context():
        session = get_session()
        queries.search_events(session, ["бенч", WORD], 20)
        # PostgreSQL first looks up the actors the words name (a few hundred rows): the events are what count.
        searches = [(s, p) for s, p in statements if ("tsquery" in s and "FROM event" in s) or "MATCH" in s]
        assert searches
        plans = []
        for statement, params in searches:
            if BACKEND == "postgresql":
                # Tiny tables make a scan cheapest: forbid it, so that only an index-less query scans.
                session.execute(text("SET LOCAL enable_seqscan = off"))
                plan = session.connection().exec_driver_sql("EXPLAIN " + statement, params).scalars().all()
            else:
                plan = [
                    r[-1]
                    for r in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
                ]
            plans.append("\n".join(plan))
        session.rollback()
    for plan in plans:
        if BACKEND == "postgresql":
            # The stored vectors are read, never computed per row (which plan reads them depends on the
            # statistics: on a table this small, walking ids to the cap is cheapest; the benchmark's
            # million events show the GIN index used for a name).
            assert "Seq Scan on event" not in plan and "to_tsvector" not in plan, plan
        else:
            assert "VIRTUAL TABLE INDEX" in plan, plan
