"""Full-text search: the capped, ranked matches (SQLite FTS5 or PostgreSQL), and the API's event list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import Session, col

from .. import queries  # SEARCH_CAP is read from the package at call time: one value, patchable
from ..models import Event
from .common import _EVENT, _LIVE, _ORDER, EventFilters, _apply_filters


def _pg_search(terms: Sequence[str]) -> tuple[str, str, dict[str, str]]:
    """PostgreSQL: the FROM ... WHERE of events matching every term (as a word prefix, in the event's
    texts or its actor's name and aliases), their rank expression, and the bound words."""
    event_vec = (
        "to_tsvector('simple', e.title || ' ' || coalesce(e.quote, '') || ' ' || coalesce(e.summary, ''))"
    )
    actor_vec = "to_tsvector('simple', a.name || ' ' || a.aliases::text)"
    conditions, params = [], {}
    # The GIN indexes' own expressions (migration 0002), unqualified: each term is two index lookups,
    # not a scan computing every event's vector (an OR across the join could use neither index).
    index_event = "to_tsvector('simple', title || ' ' || coalesce(quote, '') || ' ' || coalesce(summary, ''))"
    index_actor = "to_tsvector('simple', name || ' ' || aliases::text)"
    for i, term in enumerate(terms):
        # A tsquery lexeme in single quotes with :* for prefix matching; quotes and backslashes escaped.
        params[f"q{i}"] = "'" + term.replace("\\", "\\\\").replace("'", "''") + "':*"
        conditions.append(
            f"e.id IN (SELECT id FROM event WHERE {index_event} @@ to_tsquery('simple', :q{i}) "  # noqa: S608
            "UNION ALL SELECT id FROM event WHERE actor_id IN "
            f"(SELECT id FROM actor WHERE {index_actor} @@ to_tsquery('simple', :q{i})))"
        )
    where = " AND ".join([*conditions, "e.deleted_at IS NULL"])
    all_terms = " && ".join(f"to_tsquery('simple', :q{i})" for i in range(len(terms)))
    rank = f"ts_rank({event_vec} || {actor_vec}, {all_terms})"
    return f"FROM event e JOIN actor a ON a.id = e.actor_id WHERE {where}", rank, params


def search_events(
    session: Session, terms: Sequence[str], limit: int, offset: int = 0
) -> tuple[list[int], int]:
    """Ids of events matching every term (as a word prefix), best first, and how many match, counted up
    to SEARCH_CAP + 1 (more than SEARCH_CAP: "a lot"). Only the first SEARCH_CAP + 1 matches are ranked,
    so a word in half the events costs what 10,000 matches cost, whatever the database's size.

    SQLite: the FTS5 table kept by triggers (migration 0002); PostgreSQL: full-text search with the
    language-neutral 'simple' configuration, each term looked up in the event and actor GIN indexes.
    Terms are bound as data, never as query syntax.
    """
    if not terms:
        return [], 0
    if session.get_bind().dialect.name == "sqlite":
        # Each term becomes a quoted FTS5 string with a prefix star: operators in it are literal text.
        match = " ".join('"' + t.replace('"', '""') + '"*' for t in terms)
        total = session.execute(
            text(
                "SELECT count(*) FROM (SELECT 1 FROM event_search JOIN event e ON e.id = event_search.rowid "
                "WHERE event_search MATCH :match AND e.deleted_at IS NULL LIMIT :cap)"
            ),
            {"match": match, "cap": queries.SEARCH_CAP + 1},
        ).scalar_one()
        return _best_live_matches(session, match, limit, offset), int(total)
    base, rank, params = _pg_search(terms)
    # Only fixed SQL is interpolated here; the words are bound parameters.
    # The first matches by id: the same set for every page of one query, ranked below.
    matched = f"SELECT e.id {base} ORDER BY e.id LIMIT :cap"  # noqa: S608
    capped = text(f"SELECT count(*) FROM ({matched}) AS m")  # noqa: S608
    total = session.execute(capped, {**params, "cap": queries.SEARCH_CAP + 1}).scalar_one()
    rows = session.execute(
        text(
            f"SELECT e.id FROM ({matched}) AS m JOIN event e ON e.id = m.id "  # noqa: S608
            f"JOIN actor a ON a.id = e.actor_id ORDER BY {rank} DESC, e.date_earliest, e.date_latest, e.id "
            "LIMIT :limit OFFSET :offset"
        ),
        {**params, "cap": queries.SEARCH_CAP + 1, "limit": limit, "offset": offset},
    ).scalars()
    return list(rows), int(total)


def _best_live_matches(session: Session, match: str, limit: int, offset: int) -> list[int]:
    """SQLite: rank the first SEARCH_CAP + 1 matches in the search index alone (bm25, then id), then drop
    deleted events; read more candidates only when deleted ones left the page short. Ranking a bounded
    set without joining each match to its event keeps a query on a common word fast."""
    want = offset + limit
    fetch = want + 50
    while True:
        candidates = list(
            session.execute(
                text(
                    "SELECT rowid FROM (SELECT rowid, bm25(event_search, 3.0, 2.0, 1.0, 2.0) AS score "
                    "FROM event_search WHERE event_search MATCH :match LIMIT :cap) "
                    "ORDER BY score, rowid LIMIT :fetch"
                ),
                {"match": match, "fetch": fetch, "cap": queries.SEARCH_CAP + 1},
            ).scalars()
        )
        live: set[int] = set()
        for start in range(0, len(candidates), 5000):  # SQLite caps bound parameters
            chunk = candidates[start : start + 5000]
            live.update(
                session.execute(
                    select(_EVENT.c.id).where(_EVENT.c.id.in_(chunk), _EVENT.c.deleted_at.is_(None))
                ).scalars()
            )
        ranked = [i for i in candidates if i in live]
        if len(ranked) >= want or len(candidates) < fetch:
            return ranked[offset:want]
        fetch *= 4


# What search filters and facets read of each match: one query with the ranking, no list of ids sent back.
_CANDIDATE = "e.id, e.actor_id, e.kind, e.confidence, e.date_earliest, e.date_latest, e.stances_json"


def search_candidates(session: Session, terms: Sequence[str]) -> list[Any]:
    """Live events matching every term, best first, at most SEARCH_CAP + 1 (one more says "a lot"), as
    rows of _CANDIDATE (stances_json as text): the capped set that search filters, facets and sorts."""
    if not terms:
        return []
    if session.get_bind().dialect.name == "sqlite":
        match = " ".join('"' + t.replace('"', '""') + '"*' for t in terms)
        # Rank the first `fetch` matches in the index alone (a common word costs what they cost, whatever
        # the database's size), then join them to their events: sorting narrow rows is cheap.
        sql = (
            f"SELECT {_CANDIDATE}, e.deleted_at FROM (SELECT rowid AS id, "  # noqa: S608
            "bm25(event_search, 3.0, 2.0, 1.0, 2.0) AS r FROM event_search WHERE event_search MATCH :match "
            "LIMIT :fetch) AS top "
            "CROSS JOIN event e ON e.id = top.id ORDER BY top.r, top.id"
        )
        fetch = queries.SEARCH_CAP + 51
        while True:
            rows = session.execute(text(sql), {"match": match, "fetch": fetch}).all()
            live = [r for r in rows if r.deleted_at is None]
            # Deleted events among the best left the set short: read deeper, as _best_live_matches does.
            if len(live) > queries.SEARCH_CAP or len(rows) < fetch:
                return live[: queries.SEARCH_CAP + 1]
            fetch *= 4
    base, rank, params = _pg_search(terms)
    # The first SEARCH_CAP + 1 matches by id, ranked: as search_events, bounded whatever the database's size.
    sql = (
        f"SELECT {_CANDIDATE} FROM (SELECT e.id {base} ORDER BY e.id LIMIT :cap) AS m "  # noqa: S608
        f"JOIN event e ON e.id = m.id JOIN actor a ON a.id = e.actor_id "
        f"ORDER BY {rank} DESC, e.date_earliest, e.date_latest, e.id"
    )
    return list(session.execute(text(sql), {**params, "cap": queries.SEARCH_CAP + 1}).all())


def list_events(
    session: Session,
    filters: EventFilters,
    *,
    actor_ids: Sequence[int] | None,
    terms: Sequence[str] | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Event], int]:
    """A page of live events in timeline order, and how many match in all."""
    stmt = select(Event).where(_LIVE)
    if actor_ids is not None:
        stmt = stmt.where(col(Event.actor_id).in_(list(actor_ids)))
    if terms is not None:
        matching, _total = search_events(session, terms, queries.SEARCH_CAP)
        stmt = stmt.where(col(Event.id).in_(matching))
    stmt = _apply_filters(stmt, filters)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(stmt.order_by(*_ORDER).limit(limit).offset(offset)).scalars().all()
    return rows, int(total)
