"""Atom feeds of a view's events (an actor, a topic, a search), written by feedgen.

A feed holds the view's events most recently added or changed first, at most FEED_SIZE of them, so
that a reader following a view sees a statement added today even when it is dated years ago.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup
from sqlmodel import Session

from .. import queries
from ..models import Actor, Topic
from .comparison import Comparison
from .search import search

FEED_SIZE = 100
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FeedData:
    """What a feed says: its title, and its events (rows or objects with an event's columns)."""

    title: str
    subtitle: str
    events: Sequence[Any]
    speakers: dict[int, Actor]
    stances: dict[int, list[tuple[Any, Topic]]]


def _newest(events: Sequence[Any], size: int = FEED_SIZE) -> list[Any]:
    return sorted(events, key=lambda e: (e.updated_at, e.id), reverse=True)[:size]


def _data(session: Session, title: str, subtitle: str, events: Sequence[Any]) -> FeedData:
    chosen = _newest(events)
    speakers = queries.actors_by_ids(session, {e.actor_id for e in chosen})
    stances = queries.stances_for_events(session, [e.id for e in chosen])
    return FeedData(title, subtitle, chosen, speakers, stances)


def actor_feed(session: Session, actor: Actor, filters: queries.EventFilters) -> FeedData:
    """An actor's events (its own and its officials'), narrowed by the page's filters."""
    assert actor.id is not None
    family = queries.actor_family_ids(session, actor.id)
    events = queries.events_for_actors(session, family, filters)
    return _data(session, actor.name, f"Dated statements and events of {actor.name}", events)


def topic_feed(session: Session, comparison: Comparison) -> FeedData:
    """A topic's statements, exactly those of its comparison page (same filters and lanes)."""
    name = comparison.topic.name
    return _data(session, name, f"Statements on {name}", comparison.events)


def search_feed(session: Session, query: str) -> FeedData:
    """The best matches of a search (Invalid when the query is too long or has too many words)."""
    results = search(session, query, 1, per_page=FEED_SIZE)
    events = [hit.event for hit in results.hits]
    return _data(session, f"Search: {query}", f"Statements matching “{query}”", events)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _content(event: Any, speaker: Actor, stances: list[tuple[Any, Topic]]) -> str:
    parts = [Markup("<p>{} · {}</p>").format(event.date_display, speaker.name)]
    if event.quote:
        parts.append(Markup("<blockquote>{}</blockquote>").format(event.quote))
    if event.summary:
        parts.append(Markup("<p>{}</p>").format(event.summary))
    if stances:
        items = [
            Markup("<li>{}: {}</li>").format(t.name, f"{s.score:+d}" if s.score else "0") for s, t in stances
        ]
        parts.append(Markup("<ul>{}</ul>").format(Markup("").join(items)))
    if event.source_url:
        parts.append(
            Markup('<p>Source: <a href="{}">{}</a></p>').format(
                event.source_url, event.source_title or event.source_url
            )
        )
    return str(Markup("").join(parts))


def atom(data: FeedData, feed_url: str, page_url: str, event_url: Callable[[int], str]) -> bytes:
    """The feed as Atom XML: ids are absolute URLs (the feed's own, each event's page)."""
    from feedgen.feed import FeedGenerator  # lxml: loaded by the feeds' first request

    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(data.title)
    feed.subtitle(data.subtitle)
    feed.author({"name": "Stance Timeline"})
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.generator("Stance Timeline")
    # The newest change among the entries: the same data gives the same bytes (and ETag).
    feed.updated(max((_utc(e.updated_at) for e in data.events), default=_EPOCH))
    for event in reversed(data.events):  # feedgen puts each new entry first
        speaker = data.speakers[event.actor_id]
        entry = feed.add_entry()
        url = event_url(event.id)
        entry.id(url)
        entry.title(event.title)
        entry.link(href=url, rel="alternate", type="text/html")
        entry.author({"name": speaker.name})
        entry.published(_utc(event.created_at))
        entry.updated(_utc(event.updated_at))
        entry.summary(f"{event.date_display}: {event.summary or event.quote or event.title}")
        entry.content(_content(event, speaker, data.stances.get(event.id, [])), type="html")
        for _stance, topic in data.stances.get(event.id, []):
            entry.category(term=topic.slug, label=topic.name)
    return feed.atom_str(pretty=False)
