"""Feed watching: RSS/Atom items become candidates in a review queue, never published events."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from .. import queries
from ..integers import MAX_ID, parse_int
from ..models import Candidate, Feed, utcnow
from ..schemas import check_http_url
from . import netguard
from .errors import Invalid, NotFound

USER_AGENT = "StanceTimeline-feeds/1.0"
MAX_FEED_BYTES = 5 * 1024 * 1024


def add_feed(session: Session, url: str, user_id: int | None = None) -> Feed:
    """Register a feed by its http(s) URL; each URL once."""
    url = (url or "").strip()
    try:
        check_http_url(url or None)
    except ValueError as exc:
        raise Invalid({"url": str(exc)}) from exc
    if not url:
        raise Invalid({"url": "a feed URL is required"})
    if queries.feed_by_url(session, url) is not None:
        raise Invalid({"url": "this feed is already registered"})
    feed = Feed(url=url, added_by=user_id)
    session.add(feed)
    session.flush()
    return feed


def fetch_bytes(
    url: str, timeout: float = 15.0, *, allow_private: bool = False, deadline: float = 60.0
) -> bytes:
    """The feed document, or an OSError/URLError that says why not.

    timeout bounds each network wait, deadline the whole download (a feed that trickles a byte at a
    time never ends otherwise); every connection, redirects included, goes through the address guard.
    """
    if not url.startswith(("http://", "https://")):
        raise OSError("only http(s) feeds are fetched")
    give_up = time.monotonic() + deadline
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310 (checked above)
    chunks, size = [], 0
    with netguard.opener(allow_private=allow_private).open(request, timeout=timeout) as response:
        while chunk := response.read1(64 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_FEED_BYTES:
                raise OSError(f"feed larger than {MAX_FEED_BYTES} bytes")
            if time.monotonic() > give_up:
                raise TimeoutError(f"the feed took longer than {deadline:g} s to download")
    return b"".join(chunks)


def _published(entry: Any) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return time.strftime("%Y-%m-%d", parsed) if parsed else None


@dataclass
class FeedReport:
    feeds: int = 0
    new: int = 0
    failed: int = 0


@dataclass(frozen=True)
class FeedTarget:
    id: int
    url: str


@dataclass
class FeedFetch:
    """One feed's download, parsed: its title and items, or why it failed."""

    feed_id: int
    fetched_at: datetime
    title: str | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


def feeds_to_fetch(session: Session) -> list[FeedTarget]:
    """Every registered feed (read before any network I/O)."""
    return [FeedTarget(f.id, f.url) for f in queries.all_feeds(session) if f.id is not None]


def _items(parsed: Any) -> list[dict[str, Any]]:
    items = []
    for entry in parsed.entries:
        link = (entry.get("link") or "").strip()[:2000] or None
        guid = (entry.get("id") or "").strip()[:2000] or None
        if link and not link.startswith(("http://", "https://")):
            link = None
        if (link or guid) is None:
            continue
        items.append(
            {
                "guid": guid,
                "link": link,
                "title": (entry.get("title") or link or guid or "Untitled item")[:500],
                "summary": (entry.get("summary") or "")[:5000] or None,
                "published": _published(entry),
            }
        )
    return items


def download(targets: list[FeedTarget], fetch: Callable[[str], bytes] = fetch_bytes) -> list[FeedFetch]:
    """Fetch and parse each feed; no database access (no transaction stays open meanwhile)."""
    fetches = []
    for target in targets:
        result = FeedFetch(target.id, utcnow())
        try:
            import feedparser  # here: web workers never read feeds (~10 MB resident otherwise)

            parsed = feedparser.parse(fetch(target.url))
            if parsed.bozo and not parsed.entries:
                raise ValueError(f"not a feed: {parsed.get('bozo_exception')}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            result.error = f"{type(reason).__name__}: {reason}"[:500]
        else:
            result.title = (parsed.feed.get("title") or "")[:300] or None
            result.items = _items(parsed)
        fetches.append(result)
    return fetches


def record_fetches(session: Session, fetches: list[FeedFetch]) -> FeedReport:
    """File new items (deduplicated by link and id) as pending candidates; note failures (short write)."""
    report = FeedReport()
    for fetch in fetches:
        feed = session.get(Feed, fetch.feed_id)
        if feed is None:
            continue  # removed while it was being fetched
        report.feeds += 1
        feed.last_fetched_at = fetch.fetched_at
        if fetch.error is not None:
            feed.failures += 1
            feed.last_error = fetch.error
            report.failed += 1
            continue  # recorded; the next run tries again
        feed.failures, feed.last_error = 0, None
        feed.title = fetch.title or feed.title
        for item in fetch.items:
            if queries.candidate_exists(session, link=item["link"], guid=item["guid"]):
                continue
            session.add(Candidate(feed_id=fetch.feed_id, publisher=feed.title, **item))
            session.flush()
            report.new += 1
    session.flush()
    return report


def dismiss(session: Session, candidate_id: int) -> Candidate:
    candidate = session.get(Candidate, candidate_id)
    if candidate is None or candidate.status != "pending":
        raise NotFound(f"No pending candidate {candidate_id}.")
    candidate.status = "dismissed"
    session.flush()
    return candidate


def candidate_id(text: str | None) -> int | None:
    """The review-queue item an event form names (`candidate`), None for none; Invalid if not a number."""
    text = (text or "").strip()
    if not text:
        return None
    number = parse_int(text, minimum=1, maximum=MAX_ID)
    if number is None:
        raise Invalid(
            {"candidate": "not a review-queue item number (digits 0-9)"}, "The review item is not a number."
        )
    return number


def pending_candidate(session: Session, text: str | None) -> Candidate | None:
    """The pending review-queue item a new event starts from (None when none is named, or it was
    already accepted or dismissed); Invalid if `text` is not a number."""
    number = candidate_id(text)
    candidate = session.get(Candidate, number) if number is not None else None
    return candidate if candidate is not None and candidate.status == "pending" else None


def accept(session: Session, candidate: int | None, event_id: int | None) -> None:
    """Mark a candidate as turned into this event, if it is still pending (one review item, one event)."""
    found = session.get(Candidate, candidate) if candidate is not None and event_id is not None else None
    if found is not None and found.status == "pending":
        found.status, found.event_id = "accepted", event_id
        session.flush()
