"""Search narrowing: the listing filters and facet counts over the capped set of matches, and suggestions."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from .. import queries
from ..dates import FIRST_DAY, LAST_DAY
from ..models import CONFIDENCE_RANK, Actor, Topic

if TYPE_CHECKING:
    from .search import FacetValue

SUGGESTIONS = 6
# A stance's topic in the stances JSON; an escaped quote inside a rationale (\\") never matches.
_TOPIC = re.compile(r'"topic"\s*:\s*"([^"]*)"')


@dataclass(slots=True)
class Candidate:
    """What filters and facets read of one matching event."""

    id: int
    actor_id: int
    kind: str
    confidence: str
    earliest: date
    latest: date
    topics: frozenset[str]  # topic slugs


def candidate_of(row: Any) -> Candidate:
    """A row of queries.search_candidates as a Candidate (SQLite gives dates as ISO text)."""
    event_id, actor_id, kind, confidence, earliest, latest, stances = row[:7]
    if isinstance(earliest, str):
        earliest, latest = date.fromisoformat(earliest), date.fromisoformat(latest)
    # The topic slugs only, by a regex: parsing every rationale of 10,000 events costs more than the query.
    return Candidate(
        event_id, actor_id, kind, confidence, earliest, latest, frozenset(_TOPIC.findall(stances))
    )


def narrow(
    candidates: list[Candidate], filters: queries.EventFilters, topic: str | None, actor_id: int | None
) -> list[Candidate]:
    """The candidates the listing filters keep (the same rules as queries._apply_filters)."""
    allowed = None
    if filters.min_confidence is not None:
        floor = CONFIDENCE_RANK[filters.min_confidence]
        allowed = {c.value for c, r in CONFIDENCE_RANK.items() if r >= floor}
    return [
        c
        for c in candidates
        if (actor_id is None or c.actor_id == actor_id)
        and (topic is None or topic in c.topics)
        and (filters.kind is None or c.kind == filters.kind)
        and (allowed is None or c.confidence in allowed)
        and (filters.date_from is None or c.latest >= filters.date_from)
        and (filters.date_to is None or c.earliest <= filters.date_to)
    ]


def _years(c: Candidate) -> range:
    """Every year the event's dates overlap: the year link (from=Y&to=Y) finds it in each.

    An open end (../D, D/..) reaches the calendar's edge: only the known end's year is counted."""
    first = c.latest.year if c.earliest == FIRST_DAY else c.earliest.year
    last = c.earliest.year if c.latest == LAST_DAY else c.latest.year
    return range(first, max(first, last) + 1)


def facets_of(
    session: Session,
    kept: list[Candidate],
    filters: queries.EventFilters,
    topic: Topic | None,
    actor: Actor | None,
    size: int,
) -> dict[str, list[FacetValue]]:
    """Counts per actor, topic, kind and year among the kept matches, most frequent first."""
    from .search import FacetValue  # the result types live with the search service

    actors = Counter(c.actor_id for c in kept)
    topics = Counter(t for c in kept for t in c.topics)
    kinds = Counter(c.kind for c in kept)
    years = Counter(y for c in kept for y in _years(c))
    actor_rows = queries.actors_by_ids(session, [a for a, _n in actors.most_common(size)])
    topic_rows = {t.slug: t for t in queries.all_topics(session)}
    one_year = (
        filters.date_from.year
        if filters.date_from and filters.date_to and filters.date_from.year == filters.date_to.year
        else None
    )
    return {
        "actor": [
            FacetValue(actor_rows[a].name, n, {"actor": actor_rows[a].slug}, bool(actor and actor.id == a))
            for a, n in actors.most_common(size)
            if a in actor_rows
        ],
        "topic": [
            FacetValue(topic_rows[t].name, n, {"topic": t}, bool(topic and topic.slug == t))
            for t, n in topics.most_common(size)
            if t in topic_rows
        ],
        "kind": [FacetValue(k, n, {"kind": k}, filters.kind == k) for k, n in kinds.most_common(size)],
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
