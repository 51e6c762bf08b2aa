"""Sources that keep their text: one record per URL (or per title and publisher), linked to many events,
and each event's quote anchored in it as a W3C Web Annotation TextQuoteSelector (exact, prefix, suffix).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from .. import source_queries
from ..models import Event, QuoteCheck, Source, utcnow
from .errors import NotFound
from .records import iso_utc

ANCHOR_CONTEXT = 32  # characters of prefix and suffix, as hypothes.is and Web Annotation clients keep


@dataclass(frozen=True)
class Anchor:
    """A TextQuoteSelector: the quote exactly, with up to ANCHOR_CONTEXT characters either side."""

    exact: str
    prefix: str
    suffix: str

    def as_json(self) -> dict[str, str]:
        return {
            "type": "TextQuoteSelector",
            "exact": self.exact,
            "prefix": self.prefix,
            "suffix": self.suffix,
        }


def anchor_at(text: str, start: int, end: int, width: int = ANCHOR_CONTEXT) -> Anchor:
    """The selector of text[start:end]."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"offsets {start}-{end} outside a text of {len(text)} characters")
    return Anchor(text[start:end], text[max(0, start - width) : start], text[end : end + width])


def find_anchor(text: str, quote: str) -> Anchor | None:
    """The selector of the quote's first exact occurrence in the text, or None when it is not there."""
    at = text.find(quote) if quote else -1
    return None if at < 0 else anchor_at(text, at, at + len(quote))


def content_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class SourceFields:
    """What an event or an extraction says about its source."""

    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    published: str | None = None
    archive_url: str | None = None

    @property
    def identified(self) -> bool:
        return bool(self.url or self.title)

    @classmethod
    def of_event(cls, event: Any) -> SourceFields:
        return cls(
            event.source_url,
            event.source_title,
            event.source_publisher,
            event.source_author,
            event.source_published,
            event.archive_url,
        )


def find_source(session: Session, fields: SourceFields) -> Source | None:
    """Same URL, same source; without a URL, the same title and publisher (the oldest such)."""
    if not fields.identified:
        return None
    found = source_queries.source_key(session, _key(fields))
    return source_queries.source_by_id(session, found[0]) if found else None


def keep_source(
    session: Session,
    fields: SourceFields,
    *,
    text: str | None = None,
    retrieved_at: datetime | None = None,
) -> Source | None:
    """The source record for these fields, made when new; fields it lacks are filled, and a text given
    is kept with its SHA-256 (a source's kept text is never replaced: the drift watch compares to it)."""
    if not fields.identified and text is None:
        return None
    if fields.identified:
        source = find_source(session, fields)
    else:  # pasted text without URL or title: the same text is the same source
        source = source_queries.source_by_sha256(session, content_sha256(text or ""), anonymous=True)
    if source is None:
        source = Source(url=fields.url)
        session.add(source)
    for name in ("title", "publisher", "author", "published", "archive_url"):
        if getattr(source, name) is None and getattr(fields, name) is not None:
            setattr(source, name, getattr(fields, name))
    if text is not None and source.text is None:
        source.text, source.content_sha256 = text, content_sha256(text)
        source.retrieved_at = retrieved_at or utcnow()
    session.flush()
    return source


def link_event(
    session: Session,
    event_id: int,
    *,
    source: Source | None = None,
    anchor: Anchor | None = None,
    find_in_text: bool = True,
) -> Source | None:
    """Link an event to a source (by default the one its citation names, made when new) and anchor its
    quote there.

    Without an anchor given, the quote is anchored in the source's kept text when it occurs there
    exactly (unless find_in_text is off: an import's document says which events have anchors); an
    anchor already stored stays unless a new one is given.
    """
    event = session.get(Event, event_id)
    if event is None:
        return None
    if source is None:
        source = keep_source(session, SourceFields.of_event(event))
    values: dict[str, Any] = {"source_id": source.id if source else None}
    can_find = find_in_text and source is not None and source.text and event.quote
    if anchor is None and can_find and event.quote_prefix is None:
        assert source is not None and source.text is not None and event.quote is not None
        anchor = find_anchor(source.text, event.quote)
    if anchor is not None:
        values.update(quote_prefix=anchor.prefix, quote_suffix=anchor.suffix)
    # A bookkeeping change: the event's version and revision history are the editor's, not ours.
    session.execute(update(Event).where(col(Event.id) == event_id).values(**values))
    session.flush()
    session.refresh(event)
    return source


def event_anchor(event: Any) -> Anchor | None:
    """The event's stored selector, when its quote was anchored."""
    if not event.quote or event.quote_prefix is None or event.quote_suffix is None:
        return None
    return Anchor(event.quote, event.quote_prefix, event.quote_suffix)


def source_record(source: Source) -> dict[str, Any]:
    """A source as exports and the API show it (its text included)."""
    return {
        "id": source.id,
        "url": source.url,
        "title": source.title,
        "publisher": source.publisher,
        "author": source.author,
        "published": source.published,
        "archive_url": source.archive_url,
        "retrieved_at": iso_utc(source.retrieved_at) if source.retrieved_at else None,
        "content_sha256": source.content_sha256,
        "text": source.text,
    }


def recorded_quotes(session: Session, fields: SourceFields, text: str) -> list[tuple[int, str, str]]:
    """(id, uid, quote) of live events linked to the source these fields (or this text) identify."""
    source = find_source(session, fields) if fields.identified else None
    if source is None:
        source = source_queries.source_by_sha256(session, content_sha256(text))
    if source is None:
        return []
    linked = source_queries.events_of_source(session, source.id)  # type: ignore[arg-type]
    return [(e.id, e.uid, e.quote) for e in linked if e.id is not None and e.quote]


@dataclass(frozen=True)
class EventSource:
    """What the event page shows of its source record: the record, the anchor, the drift watch's finding."""

    source: Source | None
    anchor: Anchor | None
    check: QuoteCheck | None


def event_source(session: Session, event: Event) -> EventSource:
    source = source_queries.source_by_id(session, event.source_id) if event.source_id else None
    check = source_queries.quote_check(session, event.id) if event.id is not None else None
    return EventSource(source, event_anchor(event), check)


@dataclass(frozen=True)
class SourcePage:
    source: Source
    events: list[Event]


def source_page(session: Session, source_id: int) -> SourcePage:
    """A source record with its live events; NotFound when there is no such source."""
    source = source_queries.source_by_id(session, source_id)
    if source is None:
        raise NotFound(f"No source with the id {source_id}.")
    return SourcePage(source, source_queries.events_of_source(session, source_id))


_CACHE = "timeline.source_ids"  # session.info key: citation -> (source id, whether it keeps a text)


def _key(fields: SourceFields) -> source_queries.SourceKey:
    return (fields.url, None, None) if fields.url else (None, fields.title, fields.publisher)


def _cited_source(session: Session, fields: SourceFields) -> tuple[int, bool] | None:
    """(id, keeps a text) of the source a citation names, made when new; looked up once a session."""
    if not fields.identified:
        return None
    key = _key(fields)
    cache: dict[Any, tuple[int, bool]] = session.info.setdefault(_CACHE, {})
    if key not in cache:  # one indexed look-up; new: one INSERT
        found = source_queries.source_key(session, key)
        cache[key] = found or (source_queries.insert_source(session, fields.__dict__), False)
    return cache[key]


def link_new_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """citation_link for many new event rows at once (an import), in the caller's write transaction:
    every source's key read in one query, the new sources inserted in one executemany, the kept texts
    of the cited sources read in one query; each row gets its source_id and quote anchor."""
    cited = [_fields(citation_of_row(row)) for row in rows]
    keys = source_queries.source_keys(session)
    new = {_key(f): f for f in cited if f.identified and _key(f) not in keys}
    if new:
        source_queries.insert_sources(session, [f.__dict__ for f in new.values()])
        keys = source_queries.source_keys(session)
    with_text = {
        keys[_key(f)][0]
        for f, row in zip(cited, rows, strict=True)
        if f.identified and keys[_key(f)][1] and row.get("quote")
    }
    texts = source_queries.source_texts(session, sorted(with_text))
    anchors: dict[tuple[int, str], Anchor | None] = {}
    for fields, row in zip(cited, rows, strict=True):
        source_id = keys[_key(fields)][0] if fields.identified else None
        quote = row.get("quote")
        anchor = None
        if source_id in texts and quote:
            if (source_id, quote) not in anchors:
                anchors[source_id, quote] = find_anchor(texts[source_id], quote)
            anchor = anchors[source_id, quote]
        row["source_id"] = source_id
        row["quote_prefix"] = anchor.prefix if anchor else None
        row["quote_suffix"] = anchor.suffix if anchor else None


def _found_anchor(session: Session, source_id: int, quote: str | None) -> dict[str, Any]:
    source = source_queries.source_by_id(session, source_id) if quote else None
    anchor = find_anchor(source.text, quote) if source and source.text and quote else None
    return {
        "quote_prefix": anchor.prefix if anchor else None,
        "quote_suffix": anchor.suffix if anchor else None,
    }


def citation_of_row(values: Mapping[str, Any]) -> SimpleNamespace:
    """The citation an event's column values carry (source_url, source_title...), as citation_link reads."""
    return SimpleNamespace(
        url=values.get("source_url"),
        title=values.get("source_title"),
        publisher=values.get("source_publisher"),
        author=values.get("source_author"),
        published=values.get("source_published"),
        archive_url=values.get("archive_url"),
    )


def _fields(citation: Any) -> SourceFields:
    return SourceFields(
        citation.url,
        citation.title,
        citation.publisher,
        citation.author,
        citation.published,
        citation.archive_url,
    )


def citation_link(session: Session, citation: Any, quote: str | None) -> dict[str, Any]:
    """Column values of a new event row: the source its citation names (made when new), and its quote's
    anchor when the source keeps a text that holds the quote exactly.

    `citation` has the source fields of an event's input (url, title, publisher, ...); sources already
    looked up in this session are not looked up again (an import links many events to a few sources).
    """
    values: dict[str, Any] = {"source_id": None, "quote_prefix": None, "quote_suffix": None}
    cited = _cited_source(session, _fields(citation))
    if cited is not None:
        values["source_id"] = cited[0]
        if cited[1]:
            values.update(_found_anchor(session, cited[0], quote))
    return values


def changed_link(session: Session, event: Any, citation: Any, quote: str | None) -> dict[str, Any]:
    """Column values for an edited event: its source as now cited; an anchor only when the quote changed
    (found again in the kept text, else none), so that saving an unchanged event changes nothing."""
    cited = _cited_source(session, _fields(citation))
    values: dict[str, Any] = {"source_id": cited[0] if cited else None}
    if quote != event.quote:
        values.update(
            _found_anchor(session, cited[0], quote)
            if cited and cited[1]
            else {"quote_prefix": None, "quote_suffix": None}
        )
    return values
