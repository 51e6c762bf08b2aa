"""Records by key (slug, id, uid) and small checks (in use, any data): what writes and views look up."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from ..models import Actor, Event, Stance, Topic
from .common import _ACTORS, _TOPICS, _storable


def actor_by_slug(session: Session, slug: str) -> Actor | None:
    if not _storable(slug):
        return None
    return session.execute(select(Actor).where(col(Actor.slug) == slug)).scalars().first()


def topic_by_slug(session: Session, slug: str) -> Topic | None:
    if not _storable(slug):
        return None
    return session.execute(select(Topic).where(col(Topic.slug) == slug)).scalars().first()


_ACTOR_REF = select(_ACTORS.c.id, _ACTORS.c.slug).where(_ACTORS.c.slug == bindparam("slug"))


_TOPIC_REFS = select(_TOPICS.c.id, _TOPICS.c.slug, _TOPICS.c.name).where(
    _TOPICS.c.slug.in_(bindparam("slugs", expanding=True))
)


def actor_ref(session: Session, slug: str) -> Any | None:
    """The actor's id and slug, as a row, or None."""
    if not _storable(slug):
        return None
    return session.execute(_ACTOR_REF, {"slug": slug}).first()


def topic_refs(session: Session, slugs: Iterable[str]) -> dict[str, Any]:
    """The id, slug and name of each of these topics that exists, as rows by slug."""
    wanted = [s for s in set(slugs) if _storable(s)]
    if not wanted:
        return {}
    return {row.slug: row for row in session.execute(_TOPIC_REFS, {"slugs": wanted})}


def all_actors(session: Session) -> Sequence[Actor]:
    return session.execute(select(Actor).order_by(col(Actor.name), col(Actor.id))).scalars().all()


def all_topics(session: Session) -> Sequence[Topic]:
    return session.execute(select(Topic).order_by(col(Topic.name), col(Topic.id))).scalars().all()


def event_by_id(session: Session, event_id: int) -> Event | None:
    # Ids outside a 32-bit integer cannot exist (PostgreSQL would reject the comparison itself).
    if not 0 < event_id < 2**31:
        return None
    return session.get(Event, event_id)


def event_by_uid(session: Session, uid: str) -> Event | None:
    if not _storable(uid):
        return None
    return session.execute(select(Event).where(col(Event.uid) == uid)).scalars().first()


def actor_family_ids(session: Session, actor_id: int) -> list[int]:
    """The actor and every actor below it (a government and its officials)."""
    family = select(col(Actor.id)).where(col(Actor.id) == actor_id).cte("family", recursive=True)
    family = family.union(select(col(Actor.id)).where(col(Actor.parent_id) == family.c.id))
    return list(session.execute(select(family.c.id)).scalars())


def actors_by_ids(session: Session, ids: Iterable[int]) -> dict[int, Actor]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = session.execute(select(Actor).where(col(Actor.id).in_(wanted))).scalars()
    return {a.id: a for a in rows if a.id is not None}


def events_by_ids(session: Session, ids: Sequence[int]) -> dict[int, Event]:
    if not ids:
        return {}
    rows = session.execute(select(Event).where(col(Event.id).in_(list(ids)))).scalars()
    return {e.id: e for e in rows if e.id is not None}


def topics_by_ids(session: Session, ids: Iterable[int]) -> Sequence[Topic]:
    wanted = list(set(ids))
    if not wanted:
        return []
    return session.execute(select(Topic).where(col(Topic.id).in_(wanted))).scalars().all()


def deleted_events(session: Session, limit: int = 500) -> Sequence[Event]:
    """Soft-deleted events, most recently deleted first (for editors)."""
    stmt = select(Event).where(col(Event.deleted_at).is_not(None)).order_by(col(Event.deleted_at).desc())
    return session.execute(stmt.limit(limit)).scalars().all()


def actor_in_use(session: Session, actor_id: int) -> bool:
    """True when events (deleted ones included) or member actors refer to the actor."""
    has_event = session.execute(select(col(Event.id)).where(col(Event.actor_id) == actor_id).limit(1)).first()
    has_member = session.execute(
        select(col(Actor.id)).where(col(Actor.parent_id) == actor_id).limit(1)
    ).first()
    return has_event is not None or has_member is not None


def topic_in_use(session: Session, topic_id: int) -> bool:
    return (
        session.execute(select(col(Stance.id)).where(col(Stance.topic_id) == topic_id).limit(1)).first()
        is not None
    )


def has_any_data(session: Session) -> bool:
    return any(
        session.execute(select(col(model.id)).limit(1)).first() is not None for model in (Event, Actor, Topic)
    )


def events_by_uids(session: Session, uids: Sequence[str]) -> dict[str, Event]:
    """Events (deleted ones too) by uid, 500 uids a query (SQLite caps bound parameters)."""
    found: dict[str, Event] = {}
    for start in range(0, len(uids), 500):
        stmt = select(Event).where(col(Event.uid).in_(uids[start : start + 500]))
        found.update((e.uid, e) for e in session.execute(stmt).scalars())
    return found


def latest_stance_score(session: Session, actor_slug: str, topic_slug: str) -> tuple[int, str] | None:
    """The actor's last score on the topic in timeline order, with the event's uid and date."""
    stmt = (
        select(col(Stance.score), col(Event.uid), col(Event.date_edtf))
        .join(Event, col(Event.id) == col(Stance.event_id))
        .join(Actor, col(Actor.id) == col(Event.actor_id))
        .join(Topic, col(Topic.id) == col(Stance.topic_id))
        .where(col(Actor.slug) == actor_slug, col(Topic.slug) == topic_slug, col(Event.deleted_at).is_(None))
        .order_by(col(Event.date_earliest).desc(), col(Event.date_latest).desc(), col(Event.id).desc())
        .limit(1)
    )
    row = session.execute(stmt).first()
    return None if row is None else (row[0], f"{row[1]}, {row[2]}")


def quotes_from_source(session: Session, url: str) -> list[tuple[int, str, str]]:
    """(id, uid, quote) of live events citing this source URL."""
    stmt = select(col(Event.id), col(Event.uid), col(Event.quote)).where(
        col(Event.source_url) == url, col(Event.quote).is_not(None), col(Event.deleted_at).is_(None)
    )
    return [(row[0], row[1], row[2]) for row in session.execute(stmt)]
