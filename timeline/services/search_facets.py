"""Search facets (counted by the database over the capped set of matches) and suggestions."""

from __future__ import annotations

import difflib
from collections import Counter
from typing import TYPE_CHECKING

from sqlmodel import Session

from .. import queries
from ..models import Actor, Topic

if TYPE_CHECKING:
    from .search import FacetValue

SUGGESTIONS = 6


def _years(spans: list[tuple[int, int, int]]) -> Counter[int]:
    """Matches per year: each counts in every year its dates overlap (the year link, from=Y&to=Y,
    finds it in each); the database gives (first year, last year, matches)."""
    years: Counter[int] = Counter()
    for first, last, n in spans:
        for year in range(first, max(first, last) + 1):
            years[year] += n
    return years


def facets_of(
    session: Session,
    found: queries.SearchMatches,
    filters: queries.EventFilters,
    topic: Topic | None,
    actor: Actor | None,
    size: int,
) -> dict[str, list[FacetValue]]:
    """Counts per actor, topic, kind and year among the kept matches, most frequent first."""
    from .search import FacetValue  # the result types live with the search service

    years = _years(found.spans)
    actor_rows = queries.actors_by_ids(session, [a for a, _n in found.actors])
    topic_rows = {t.id: t for t in queries.topics_by_ids(session, [t for t, _n in found.topics])}
    one_year = (
        filters.date_from.year
        if filters.date_from and filters.date_to and filters.date_from.year == filters.date_to.year
        else None
    )
    return {
        "actor": [
            FacetValue(actor_rows[a].name, n, {"actor": actor_rows[a].slug}, bool(actor and actor.id == a))
            for a, n in found.actors[:size]
            if a in actor_rows
        ],
        "topic": [
            FacetValue(topic_rows[t].name, n, {"topic": topic_rows[t].slug}, bool(topic and topic.id == t))
            for t, n in found.topics[:size]
            if t in topic_rows
        ],
        "kind": [FacetValue(k, n, {"kind": k}, filters.kind == k) for k, n in found.kinds[:size]],
        "year": [
            FacetValue(str(y), n, {"from": str(y), "to": str(y)}, one_year == y)
            for y, n in sorted(years.items(), reverse=True)[:size]
        ],
    }


def suggestions(session: Session, query: str) -> list[tuple[str, str, str]]:
    """Actors and topics whose names (or aliases, for actors) are close to the query: (kind, slug, name)."""
    wanted = query.strip().casefold()
    if not wanted:
        return []
    names: dict[str, tuple[str, str, str]] = {}
    for a in queries.all_actors(session):
        for name in [a.name, *(a.aliases or [])]:
            names.setdefault(name.casefold(), ("actor", a.slug, a.name))
    for t in queries.all_topics(session):
        names.setdefault(t.name.casefold(), ("topic", t.slug, t.name))
    by_word: dict[str, list[str]] = {}
    for name in names:
        for word in name.split():
            by_word.setdefault(word, []).append(name)
    # Misspelt words ("Putn", "sanktions") are close to a word of a name; a fragment is inside one.
    close = [n for n in names if wanted in n]
    for word in wanted.split():
        for near in difflib.get_close_matches(word, list(by_word), n=SUGGESTIONS, cutoff=0.75):
            close.extend(by_word[near])
    close += difflib.get_close_matches(wanted, list(names), n=SUGGESTIONS, cutoff=0.6)
    return list(dict.fromkeys(names[n] for n in close))[:SUGGESTIONS]
