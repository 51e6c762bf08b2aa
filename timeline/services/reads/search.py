"""The search page, its JSON twin and its CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from ... import queries
from .. import paging
from ..errors import Invalid, InvalidFilter
from ..records import iso_utc
from ..search import Hit, Results, parse_sort, search, search_ids
from ..tabular import csv_rows, csv_text
from .filters import KINDS, Filters

CSV_CHUNK = 1000  # events read per query while writing the CSV


@dataclass
class SearchPage:
    """A search: its results (None before any words are given, or when a parameter is bad)."""

    query: str
    results: Results | None
    errors: dict[str, str] = field(default_factory=dict)  # by parameter: answered with 400
    kinds: list[str] = field(default_factory=lambda: list(KINDS))

    def as_dict(self) -> dict[str, Any]:
        """The JSON twin (search.json)."""
        results = self.results
        if results is None:
            return {"query": self.query, "total": 0, "page": 1, "results": []}
        return {
            "query": results.query,
            "terms": results.terms,
            "sort": results.sort,
            "total": results.shown,
            "more": results.more,
            "page": results.page,
            "results": [_hit_json(h) for h in results.hits],
            "facets": {
                name: [
                    {"value": v.label, "count": v.count, "params": v.params, "selected": v.selected}
                    for v in values
                ]
                for name, values in results.facets.items()
            },
            "suggestions": [{"kind": k, "slug": slug, "name": name} for k, slug, name in results.suggestions],
        }


def _hit_json(hit: Hit) -> dict[str, Any]:
    return {
        "event_id": hit.event.id,
        "uid": hit.event.uid,
        "actor": hit.actor.slug,
        "title": hit.event.title,
        "date": hit.event.date_edtf,
        "title_html": str(hit.title),
        "updated_at": iso_utc(hit.event.updated_at),
        "stances": [{"topic": t.slug, "score": s.score} for s, t in hit.stances],
        "matched_alias": hit.alias,
    }


def search_page(
    session: Session,
    query: str,
    filters: Filters,
    *,
    actor_slug: str = "",
    sort: str = "",
    page_no: str | None = "1",
) -> SearchPage:
    """Events matching every word of `query`, narrowed by the filters and an actor (its own events),
    ranked or by date, page `page_no`; bad parameters are listed in `errors`."""
    errors = dict(filters.errors)
    order = "relevance"
    try:
        order = parse_sort(sort)
    except Invalid as exc:
        errors.update(exc.fields)
    actor = None
    if actor_slug:
        actor = queries.actor_by_slug(session, actor_slug)
        if actor is None:
            errors["actor"] = f"no actor “{actor_slug}”"
    page = None
    try:
        page = paging.page_number(page_no)
    except InvalidFilter as exc:
        errors.update(exc.fields)
    if errors or page is None:
        return SearchPage(query, None, errors)
    if not query.strip():
        return SearchPage(query, None)
    try:
        results = search(session, query, page, filters=filters.filters, actor=actor, sort=order)
    except Invalid as exc:
        return SearchPage(query, None, exc.fields)
    return SearchPage(query, results)


def search_csv(session: Session, found: SearchPage, topic_slug: str = "") -> str:
    """Every match the page counts (the best SEARCH_CAP, after the filters), one row per stance;
    filtered to a topic, only that topic's rows."""
    topic = queries.topic_by_slug(session, topic_slug) if topic_slug else None
    ids = search_ids(session, found.results) if found.results else []
    chunks = []
    for start in range(0, len(ids), CSV_CHUNK):
        chunk = ids[start : start + CSV_CHUNK]
        events = queries.events_by_ids(session, chunk)
        actors = queries.actors_by_ids(session, {e.actor_id for e in events.values()})
        stances = queries.stances_for_events(session, chunk)
        ordered = [events[i] for i in chunk if i in events]
        chunks.append(csv_text(csv_rows(ordered, actors, stances, topic.id if topic else None), header=False))
    return csv_text([]) + "".join(chunks)
