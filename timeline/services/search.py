"""Full-text search over titles, quotes, summaries and actor names, in any script."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from sqlmodel import Session

from .. import queries
from ..models import Actor, Event, Topic
from .errors import Invalid
from .paging import page_count
from .search_facets import facets_of, suggestions

MAX_QUERY = 200
MAX_TERMS = 12
# Words are runs of letters, digits and combining marks in any script; everything else is a separator.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


SORTS = ("relevance", "date")
FACET_SIZE = 10  # values shown per facet, most frequent first


@dataclass(frozen=True)
class Hit:
    event: Event
    actor: Actor
    title: Markup
    quote: Markup | None
    summary: Markup | None
    stances: list[tuple[Any, Topic]] = field(default_factory=list)
    alias: str | None = None  # the alias a term matched, when the hit came through it


@dataclass(frozen=True)
class FacetValue:
    label: str
    count: int
    params: dict[str, str]  # what the link adds to the query string
    selected: bool


@dataclass(frozen=True)
class Results:
    query: str
    terms: list[str]
    hits: list[Hit]
    total: int  # matches after the filters, within the capped set
    page: int
    per_page: int
    sort: str = "relevance"
    matched: int = 0  # matches before the filters, counted up to SEARCH_CAP + 1
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestions: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, slug, name)
    # What the results were narrowed by: the CSV lists every kept match again (search_ids).
    filters: queries.EventFilters = field(default_factory=queries.EventFilters)
    actor_id: int | None = None

    @property
    def more(self) -> bool:
        """More matches than are counted and paged (queries.SEARCH_CAP): the best of them are shown."""
        return self.matched > queries.SEARCH_CAP

    @property
    def cap(self) -> int:
        """How many matches are counted, filtered and faceted at most."""
        return queries.SEARCH_CAP

    @property
    def shown(self) -> int:
        return min(self.total, queries.SEARCH_CAP)

    @property
    def pages(self) -> int:
        return page_count(self.shown, self.per_page)


def terms_of(query: str) -> list[str]:
    """The words of a query; operators, quotes, % and _ are separators, never syntax."""
    if len(query) > MAX_QUERY:
        raise Invalid({"q": f"the query is too long (at most {MAX_QUERY} characters)"})
    words = list(dict.fromkeys(w.casefold() for w in _WORD.findall(query)))
    if len(words) > MAX_TERMS:
        raise Invalid({"q": f"use at most {MAX_TERMS} words"})
    return words


def highlight(text: str | None, terms: list[str], limit: int | None = None) -> Markup | None:
    """Escape the text and wrap each word starting with a term in <mark>; optionally trim around a match."""
    if text is None:
        return None
    if not terms:
        return escape(text)
    pattern = re.compile(
        r"(?<![^\W_])(?:" + "|".join(re.escape(t) for t in terms) + r")[^\W_]*", re.IGNORECASE
    )
    if limit is not None and len(text) > limit:
        first = pattern.search(text)
        start = max(0, (first.start() if first else 0) - limit // 3)
        text = ("…" if start else "") + text[start : start + limit] + "…"
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(Markup("<mark>") + escape(match.group(0)) + Markup("</mark>"))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def parse_sort(value: str | None) -> str:
    """`relevance` (the default) or `date`; anything else is an error naming `sort`."""
    value = (value or "").strip() or "relevance"
    if value not in SORTS:
        raise Invalid({"sort": "use “relevance” or “date”"})
    return value


def _alias_matched(actor: Actor, terms: list[str], texts: list[str | None]) -> str | None:
    """The alias through which a term matched, when no text of the event nor the actor's name has it."""

    def has(text: str | None, term: str) -> bool:
        return text is not None and any(w.casefold().startswith(term) for w in _WORD.findall(text))

    for alias in actor.aliases or []:
        for term in terms:
            if has(alias, term) and not has(actor.name, term) and not any(has(t, term) for t in texts):
                return alias
    return None


def search(
    session: Session,
    query: str,
    page: int = 1,
    per_page: int = 20,
    *,
    filters: queries.EventFilters | None = None,
    actor: Actor | None = None,
    sort: str = "relevance",
) -> Results:
    """Events matching every word of the query, narrowed by the listing filters (and an actor), ranked
    or by date, with facets counted on the best SEARCH_CAP matches and the words highlighted."""
    terms = terms_of(query)
    last = page_count(queries.SEARCH_CAP, per_page)
    if page < 1 or page > last:
        raise Invalid({"page": f"must be between 1 and {last} (the best {queries.SEARCH_CAP} matches)"})
    filters = filters or queries.EventFilters()
    actor_id = actor.id if actor else None
    # Counted, faceted and paged by the database: only the page's events are read and highlighted.
    found = queries.search_matches(
        session,
        terms,
        filters=filters,
        actor_id=actor_id,
        sort=sort,
        limit=per_page,
        offset=(page - 1) * per_page,
        facet_size=FACET_SIZE,
    )
    topic = queries.topics_by_ids(session, [filters.topic_id])[0] if filters.topic_id is not None else None
    facets = facets_of(session, found, filters, topic, actor, FACET_SIZE)
    ids = found.page
    events = queries.events_by_ids(session, ids)
    actors = queries.actors_by_ids(session, {e.actor_id for e in events.values()})
    stances = queries.stances_for_events(session, ids)
    hits = []
    for i in ids:
        if i not in events:
            continue
        event, who = events[i], actors[events[i].actor_id]
        hits.append(
            Hit(
                event=event,
                actor=who,
                title=highlight(event.title, terms) or Markup(""),
                quote=highlight(event.quote, terms, 400),
                summary=highlight(event.summary, terms, 300),
                stances=stances.get(i, []),
                alias=_alias_matched(who, terms, [event.title, event.quote, event.summary]),
            )
        )
    suggested = suggestions(session, query) if not found.total else []
    return Results(
        query,
        terms,
        hits,
        found.total,
        page,
        per_page,
        sort,
        found.matched,
        facets,
        suggested,
        filters,
        actor_id,
    )


def search_ids(session: Session, results: Results) -> list[int]:
    """Every match the results count (the best SEARCH_CAP, after their filters), in their order."""
    return queries.search_match_ids(
        session, results.terms, filters=results.filters, actor_id=results.actor_id, sort=results.sort
    )
