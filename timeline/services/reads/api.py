"""The JSON API's reads (/api/v1): paged listings of actors, topics and events, and single records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from ... import queries
from ...integers import parse_int
from ...models import Actor, Event
from ..errors import Invalid
from ..export import actor_records
from ..family import family_ids
from ..records import event_record, topic_record
from ..search import terms_of
from ..timeline import actor_timeline
from ..visibility import live_event
from .actors import find_actor
from .filters import Filters
from .topics import find_topic

MAX_PER_PAGE = 500


@dataclass(frozen=True)
class Paging:
    """Page `page` (from 1) of a listing, `per_page` items each."""

    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def paging(page: str | None, per_page: str | None) -> Paging:
    """`?page=&per_page=` (defaults 1 and 50), or Invalid naming each bad one."""
    errors = {}
    number = parse_int(page if page is not None else "1", minimum=1, maximum=1_000_000)
    size = parse_int(per_page if per_page is not None else "50", minimum=1, maximum=MAX_PER_PAGE)
    if number is None:
        errors["page"] = "a whole number from 1 (digits 0-9)"
    if size is None:
        errors["per_page"] = f"a whole number from 1 to {MAX_PER_PAGE} (digits 0-9)"
    if number is None or size is None:
        raise Invalid(errors, "Invalid paging.")
    return Paging(number, size)


@dataclass
class Listing:
    """One page of records and how many there are in all."""

    items: list[dict[str, Any]]
    total: int
    paging: Paging

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "total": self.total,
            "page": self.paging.page,
            "per_page": self.paging.per_page,
            "pages": max(1, -(-self.total // self.paging.per_page)),
        }


def actor_list(session: Session, at: Paging) -> Listing:
    """Actors by slug, a page of them."""
    actors = list(queries.all_actors(session))
    items = actor_records(session, actors[at.offset : at.offset + at.per_page], by_slug=False)
    return Listing(items, len(actors), at)


def actor_json(session: Session, slug: str) -> dict[str, Any]:
    """One actor's record (its parent by slug); NotFound."""
    return actor_record_of(session, find_actor(session, slug))


def actor_record_of(session: Session, actor: Actor) -> dict[str, Any]:
    return actor_records(session, [actor])[0]


def actor_history(session: Session, slug: str, filters: Filters) -> dict[str, Any]:
    """An actor's stance histories (its officials' statements included); Invalid on bad filters."""
    checked = filters.check()  # a bad filter is named before an unknown actor
    timeline = actor_timeline(session, find_actor(session, slug), checked)
    return {"actor": slug, "histories": [h.as_dict() for h in timeline.histories]}


def topic_list(session: Session, at: Paging) -> Listing:
    """Topics by slug, a page of them."""
    topics = list(queries.all_topics(session))
    return Listing([topic_record(t) for t in topics[at.offset : at.offset + at.per_page]], len(topics), at)


def topic_json(session: Session, slug: str) -> dict[str, Any]:
    """One topic's record; NotFound."""
    return topic_record(find_topic(session, slug))


def event_items(session: Session, events: Sequence[Event]) -> list[dict[str, Any]]:
    """API event records (the export record plus id and version), with two queries for the lot."""
    actors = queries.actors_by_ids(session, {e.actor_id for e in events})
    stances = queries.stances_for_events(session, [e.id for e in events if e.id is not None])
    return [
        {
            "id": e.id,
            "version": e.version,
            **event_record(e, actors[e.actor_id].slug, stances.get(e.id or 0, [])),
        }
        for e in events
    ]


def event_json(session: Session, event_id: int) -> dict[str, Any]:
    """One live event's API record; NotFound (the API serves no deleted event)."""
    return event_items(session, [live_event(session, event_id)])[0]


def event_list(
    session: Session, filters: Filters, at: Paging, *, actor_slug: str = "", query: str = ""
) -> Listing:
    """Live events in timeline order (earliest day, latest day, id), narrowed by the filters, an actor
    (its officials' events included) and words, a page of them; Invalid naming every bad parameter."""
    errors = dict(filters.errors)
    actor_ids: list[int] | None = None
    if actor_slug:
        actor = queries.actor_by_slug(session, actor_slug)
        if actor is None:
            errors["actor"] = f"no actor “{actor_slug}”"
        else:
            actor_ids = family_ids(session, actor)
    terms = None
    try:
        terms = terms_of(query) if query.strip() else None
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(errors, "Invalid filter.")
    rows, total = queries.list_events(
        session, filters.filters, actor_ids=actor_ids, terms=terms, limit=at.per_page, offset=at.offset
    )
    return Listing(event_items(session, rows), total, at)
