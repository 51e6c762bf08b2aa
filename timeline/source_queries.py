"""Queries of sources, quote anchors and the quote-drift watch; no commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from .models import Actor, Event, QuoteCheck, Source, utcnow

_LIVE = col(Event.deleted_at).is_(None)


def source_by_id(session: Session, source_id: int) -> Source | None:
    return session.get(Source, source_id)


def source_by_sha256(session: Session, sha256: str, *, anonymous: bool = False) -> Source | None:
    """A source whose kept text has this digest (anonymous: one with neither URL nor title)."""
    query = select(Source).where(col(Source.content_sha256) == sha256)
    if anonymous:
        query = query.where(col(Source.url).is_(None), col(Source.title).is_(None))
    return session.exec(query.order_by(col(Source.id))).first()


def events_of_source(session: Session, source_id: int) -> list[Event]:
    """The live events linked to a source, oldest first."""
    query = (
        select(Event)
        .where(col(Event.source_id) == source_id, _LIVE)
        .order_by(col(Event.date_earliest), col(Event.id))
    )
    return list(session.exec(query).all())


def quoted_events(session: Session) -> list[tuple[int, str, str]]:
    """(id, source URL, quote) of live events with both, by URL."""
    query = (
        core_select(col(Event.id), col(Event.source_url), col(Event.quote))
        .where(_LIVE, col(Event.source_url).is_not(None), col(Event.quote).is_not(None))
        .order_by(col(Event.source_url), col(Event.id))
    )
    return [(row[0], row[1], row[2]) for row in session.execute(query) if row[1] and row[2]]


def quote_checks(session: Session, event_ids: Sequence[int]) -> dict[int, QuoteCheck]:
    if not event_ids:
        return {}
    rows = session.exec(select(QuoteCheck).where(col(QuoteCheck.event_id).in_(list(event_ids)))).all()
    return {row.event_id: row for row in rows}


def quote_check(session: Session, event_id: int) -> QuoteCheck | None:
    return session.exec(select(QuoteCheck).where(col(QuoteCheck.event_id) == event_id)).first()


@dataclass(frozen=True)
class DriftRow:
    check: QuoteCheck
    event_id: int
    uid: str
    title: str
    quote: str
    source_url: str | None
    actor_name: str


def drifted_quotes(session: Session) -> list[DriftRow]:
    """Live events whose quote changed or went from their source, newest drift first."""
    query = (
        core_select(
            QuoteCheck,
            col(Event.id),
            col(Event.uid),
            col(Event.title),
            col(Event.quote),
            col(Event.source_url),
            col(Actor.name),
        )
        .join(Event, col(Event.id) == col(QuoteCheck.event_id))
        .join(Actor, col(Actor.id) == col(Event.actor_id))
        .where(_LIVE, col(QuoteCheck.status).in_(("changed", "gone")))
        .order_by(col(QuoteCheck.since).desc(), col(Event.id))
    )
    return [DriftRow(*row) for row in session.execute(query).all()]


def sources_by_ids(session: Session, source_ids: Sequence[int]) -> list[Source]:
    """These sources by id, 500 ids a query."""
    ids, found = list(source_ids), []
    for start in range(0, len(ids), 500):
        query = select(Source).where(col(Source.id).in_(ids[start : start + 500]))
        found += list(session.exec(query).all())
    return sorted(found, key=lambda s: s.id or 0)


def event_links(
    session: Session, event_ids: Sequence[int]
) -> list[tuple[int, int | None, str | None, str | None, str | None]]:
    """(id, source_id, quote, quote_prefix, quote_suffix) of these events, 500 ids a query."""
    out = []
    ids = list(event_ids)
    for start in range(0, len(ids), 500):
        query = core_select(
            col(Event.id),
            col(Event.source_id),
            col(Event.quote),
            col(Event.quote_prefix),
            col(Event.quote_suffix),
        ).where(col(Event.id).in_(ids[start : start + 500]))
        out += [(r[0], r[1], r[2], r[3], r[4]) for r in session.execute(query)]
    return out


SourceKey = tuple[str | None, str | None, str | None]


def source_keys(session: Session) -> dict[SourceKey, tuple[int, bool]]:
    """Every source by what identifies it ((url, None, None), or (None, title, publisher)): its id, and
    whether it keeps a text; the oldest source wins a shared title and publisher."""
    query = core_select(
        col(Source.id),
        col(Source.url),
        col(Source.title),
        col(Source.publisher),
        col(Source.text).is_not(None),
    ).order_by(col(Source.id).desc())
    keys: dict[SourceKey, tuple[int, bool]] = {}
    for source_id, url, title, publisher, has_text in session.execute(query):
        key: SourceKey = (url, None, None) if url else (None, title, publisher)
        keys[key] = (source_id, bool(has_text))
    return keys


_SOURCE = Source.__table__  # type: ignore[attr-defined]
_EVENT = Event.__table__  # type: ignore[attr-defined]


def link_events(session: Session, columns: Sequence[str], rows: Sequence[dict[str, object]]) -> None:
    """Set these columns (source_id, quote_prefix, quote_suffix) of each row's event ("event": its id),
    in one executemany: a bookkeeping change (the events' versions and histories stay the editors')."""
    statement = (
        update(_EVENT)
        .where(_EVENT.c.id == bindparam("event"))
        .values({name: bindparam(f"new_{name}") for name in columns})
    )
    session.execute(statement, [{"event": r["event"], **{f"new_{n}": r[n] for n in columns}} for r in rows])


def source_key(session: Session, key: SourceKey) -> tuple[int, bool] | None:
    """The source one key names (see source_keys): its id, and whether it keeps a text."""
    url, title, publisher = key
    query = core_select(col(Source.id), col(Source.text).is_not(None))
    if url:
        query = query.where(col(Source.url) == url)
    else:
        query = query.where(
            col(Source.url).is_(None),
            col(Source.title) == title,
            col(Source.publisher) == publisher if publisher else col(Source.publisher).is_(None),
        )
    row = session.execute(query.order_by(col(Source.id)).limit(1)).first()
    return (int(row[0]), bool(row[1])) if row else None


def source_texts(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """The kept texts of these sources (those that keep one), 500 ids a query."""
    texts: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        query = core_select(col(Source.id), col(Source.text)).where(
            col(Source.id).in_(ids[start : start + 500]), col(Source.text).is_not(None)
        )
        texts.update((int(i), str(t)) for i, t in session.execute(query))
    return texts


_CITATION = ("url", "title", "publisher", "author", "published", "archive_url")


def insert_sources(session: Session, citations: Sequence[dict[str, object]]) -> None:
    """New sources from citations' fields, in one executemany (their ids: source_keys)."""
    now = utcnow()
    session.execute(
        insert(_SOURCE), [{**{k: c.get(k) for k in _CITATION}, "created_at": now} for c in citations]
    )


def insert_source(session: Session, fields: dict[str, object]) -> int:
    """A new source from a citation's fields (url, title, publisher, author, published, archive_url)."""
    values = {k: fields.get(k) for k in _CITATION}
    stmt = insert(_SOURCE).values(**values, created_at=utcnow()).returning(_SOURCE.c.id)
    return int(session.execute(stmt).scalar_one())
