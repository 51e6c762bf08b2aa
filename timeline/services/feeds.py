"""Feed watching: RSS/Atom items become candidates in a review queue, never published events."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import feedparser
from sqlmodel import Session

from .. import queries
from ..models import Candidate, Feed, utcnow
from ..schemas import check_http_url
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


def fetch_bytes(url: str, timeout: float = 15.0) -> bytes:
    """The feed document, or an OSError/URLError that says why not."""
    if not url.startswith(("http://", "https://")):
        raise OSError("only http(s) feeds are fetched")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310 (checked above)
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        data: bytes = response.read(MAX_FEED_BYTES + 1)
    if len(data) > MAX_FEED_BYTES:
        raise OSError(f"feed larger than {MAX_FEED_BYTES} bytes")
    return data


def _published(entry: Any) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return time.strftime("%Y-%m-%d", parsed) if parsed else None


@dataclass
class FeedReport:
    feeds: int = 0
    new: int = 0
    failed: int = 0


def fetch_feeds(session: Session, fetch: Callable[[str], bytes] = fetch_bytes) -> FeedReport:
    """Fetch every feed; file new items (deduplicated by link and id) as pending candidates."""
    report = FeedReport()
    for feed in queries.all_feeds(session):
        report.feeds += 1
        feed.last_fetched_at = utcnow()
        try:
            parsed = feedparser.parse(fetch(feed.url))
            if parsed.bozo and not parsed.entries:
                raise ValueError(f"not a feed: {parsed.get('bozo_exception')}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            feed.failures += 1
            feed.last_error = f"{type(exc).__name__}: {exc}"[:500]
            report.failed += 1
            continue  # recorded; the next run tries again
        feed.failures, feed.last_error = 0, None
        feed.title = (parsed.feed.get("title") or feed.title or "")[:300] or None
        assert feed.id is not None
        for entry in parsed.entries:
            link = (entry.get("link") or "").strip()[:2000] or None
            guid = (entry.get("id") or "").strip()[:2000] or None
            if link and not link.startswith(("http://", "https://")):
                link = None
            if (link or guid) is None or queries.candidate_exists(session, link=link, guid=guid):
                continue
            session.add(
                Candidate(
                    feed_id=feed.id,
                    guid=guid,
                    link=link,
                    title=(entry.get("title") or link or guid or "Untitled item")[:500],
                    summary=(entry.get("summary") or "")[:5000] or None,
                    published=_published(entry),
                    publisher=feed.title,
                )
            )
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


def accept(session: Session, candidate_id: int, event_id: int) -> None:
    """Mark a candidate as turned into this event."""
    candidate = session.get(Candidate, candidate_id)
    if candidate is not None and candidate.status == "pending":
        candidate.status, candidate.event_id = "accepted", event_id
        session.flush()
