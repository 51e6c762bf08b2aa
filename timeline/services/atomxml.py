"""The one Atom writer (feedgen) behind every feed: the event feeds (services/atom.py) and the
stance-change feeds (services/stance_changes.py) build entries; this turns them into the same XML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

FEED_SIZE = 100  # entries in a feed at most
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utc(value: datetime) -> datetime:
    """A stored time as an aware UTC time (SQLite gives naive ones)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class Entry:
    """One Atom entry: its id and page are absolute URLs."""

    id: str
    title: str
    url: str
    author: str
    published: datetime
    updated: datetime
    summary: str
    content: str  # HTML, already escaped
    categories: Sequence[tuple[str, str]]  # (term, label)


@dataclass(frozen=True)
class Head:
    """What a feed says about itself."""

    title: str
    subtitle: str
    feed_url: str  # its own URL: the feed's id and rel="self"
    page_url: str  # the HTML twin


def atom_xml(head: Head, entries: Sequence[Entry]) -> bytes:
    """The feed as Atom XML, entries newest first; updated is the newest entry's time, so the same data
    gives the same bytes (and ETag)."""
    from feedgen.feed import FeedGenerator  # lxml: loaded by the feeds' first request, not every worker

    feed = FeedGenerator()
    feed.id(head.feed_url)
    feed.title(head.title)
    feed.subtitle(head.subtitle)
    feed.author({"name": "Stance Timeline"})
    feed.link(href=head.page_url, rel="alternate", type="text/html")
    feed.link(href=head.feed_url, rel="self", type="application/atom+xml")
    feed.generator("Stance Timeline")
    feed.updated(max((e.updated for e in entries), default=EPOCH))
    for item in reversed(entries):  # feedgen puts each new entry first
        entry = feed.add_entry()
        entry.id(item.id)
        entry.title(item.title)
        entry.link(href=item.url, rel="alternate", type="text/html")
        entry.author({"name": item.author})
        entry.published(item.published)
        entry.updated(item.updated)
        entry.summary(item.summary)
        entry.content(item.content, type="html")
        for term, label in item.categories:
            entry.category(term=term, label=label)
    return feed.atom_str(pretty=False)
