"""Event listings: an actor's or a topic's events in timeline order, as rows of a shape, and exports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import JSON, String, bindparam, cast, func, select, type_coerce
from sqlmodel import Session, col

from ..models import Actor, Event, Stance, Topic
from ..record_fields import ACTOR, EVENT_FIELDS, STAMPS, Fields
from .common import (
    _ACTOR,
    _EVENT,
    _LIVE,
    _ORDER,
    _STANCE,
    EventFilters,
    _apply_filters,
    _as_utf8,
    _core_batches,
)
from .lookups import all_actors, all_topics, topics_by_ids


def _event_json(dialect: str) -> Any:
    """An event's record (services.records.event_record_of) built by the database as JSON text: for
    long listings and exports, C-speed JSON instead of Python objects per field. Both iterate
    record_fields.EVENT_FIELDS."""
    e = _EVENT.c
    stances: Any
    if dialect == "postgresql":
        obj, stamp = func.json_build_object, lambda c: func.to_char(func.timezone("UTC", c), _PG_STAMP)
        stances = cast(e.stances_json, JSON)
    else:
        obj, stamp = func.json_object, lambda c: func.strftime("%Y-%m-%dT%H:%M:%SZ", c)
        stances = func.json(e.stances_json)

    def pairs(fields: Fields) -> list[Any]:
        """key, value, key, value... for json_object, from record_fields.EVENT_FIELDS."""
        out: list[Any] = []
        for key, column in fields:
            if isinstance(column, tuple):
                value = obj(*pairs(column))
            elif column == ACTOR:
                value = _ACTOR.c.slug
            elif column in STAMPS:
                value = stamp(e[column])
            else:
                value = e[column]  # a day is ISO text on SQLite; json_build_object writes a date so
            out += (key, value)
        return out

    return obj(*pairs(EVENT_FIELDS), "stances", stances)


_PG_STAMP = 'YYYY-MM-DD"T"HH24:MI:SS"Z"'


# What stance histories need of each event, beside its JSON body.
_HISTORY_COLUMNS = ("id", "actor_id", "uid", "title", "date_edtf", "date_earliest", "date_latest",
                    "date_display", "speaker_role", "stances_json")  # fmt: skip


# What a listing reads of each event: everything (pages of events), the columns stance histories need
# (whole timelines), or those plus the record as JSON (JSON timelines).
FULL, HISTORY, JSON_BODY = "full", "history", "json"


def _listing(session: Session, shape: str) -> Any:
    if shape == FULL:
        return select(_EVENT)
    columns = [_EVENT.c[name] for name in _HISTORY_COLUMNS]
    if shape == HISTORY:
        return select(*columns)
    # JSON: the day bounds stay ISO text on SQLite (no date objects to build), the record comes as bytes.
    dialect = session.get_bind().dialect.name
    columns = [type_coerce(c, String) if c.name.startswith("date_") else c for c in columns]
    body = _as_utf8(_event_json(dialect), dialect).label("body")
    return select(*columns, body).join(_ACTOR, _ACTOR.c.id == _EVENT.c.actor_id)


def events_for_actors(
    session: Session, actor_ids: Sequence[int], filters: EventFilters = EventFilters(), shape: str = FULL
) -> Sequence[Any]:
    """Events of these actors in timeline order (earliest day, latest day, id), as rows of `shape`."""
    if not actor_ids:
        return []
    params = {"actor_ids": list(actor_ids)}
    if filters == EventFilters():  # the usual case: one statement per shape, its cache key made once
        key = (session.get_bind().dialect.name, shape)
        stmt = _UNFILTERED.get(key)
        if stmt is None:
            stmt = _UNFILTERED[key] = _actor_listing(session, shape).order_by(*_ORDER)
        return session.execute(stmt, params).all()
    stmt = _apply_filters(_actor_listing(session, shape), filters).order_by(*_ORDER)
    return session.execute(stmt, params).all()


_UNFILTERED: dict[tuple[str, str], Any] = {}


def _actor_listing(session: Session, shape: str) -> Any:
    return _listing(session, shape).where(
        _EVENT.c.actor_id.in_(bindparam("actor_ids", expanding=True)), _EVENT.c.deleted_at.is_(None)
    )


def events_for_topic(
    session: Session, topic_id: int, filters: EventFilters = EventFilters(), shape: str = FULL
) -> Sequence[Any]:
    """Events carrying a stance on the topic, in timeline order, as rows of `shape`."""
    stmt = (
        _listing(session, shape)
        .join(_STANCE, _STANCE.c.event_id == _EVENT.c.id)
        .where(_STANCE.c.topic_id == topic_id, _EVENT.c.deleted_at.is_(None))
    )
    return session.execute(_apply_filters(stmt, filters).order_by(*_ORDER)).all()


def event_rows(session: Session, ids: Sequence[int]) -> Sequence[Any]:
    """These events, every column, in timeline order (a page of a listing)."""
    if not ids:
        return []
    return session.execute(select(_EVENT).where(_EVENT.c.id.in_(list(ids))).order_by(*_ORDER)).all()


def event_times(session: Session, ids: Iterable[int]) -> dict[int, tuple[Any, Any]]:
    """(updated_at, created_at) of these live events; many ids: one pass over the table, no huge IN list."""
    wanted = set(ids)
    stmt = select(_EVENT.c.id, _EVENT.c.updated_at, _EVENT.c.created_at).where(_EVENT.c.deleted_at.is_(None))
    if len(wanted) <= 500:
        stmt = stmt.where(_EVENT.c.id.in_(sorted(wanted)))
    return {r.id: (r.updated_at, r.created_at) for r in session.execute(stmt) if r.id in wanted}


def recently_changed_events(session: Session, limit: int) -> Sequence[Any]:
    """The live events last added or changed (id, actor_id, updated_at, stances_json), newest first."""
    stmt = (
        select(_EVENT.c.id, _EVENT.c.actor_id, _EVENT.c.updated_at, _EVENT.c.stances_json)
        .where(_EVENT.c.deleted_at.is_(None))
        .order_by(_EVENT.c.updated_at.desc(), _EVENT.c.id.desc())
        .limit(limit)
    )
    return session.execute(stmt).all()


def stances_for_events(session: Session, event_ids: Sequence[int]) -> dict[int, list[tuple[Any, Topic]]]:
    """Each event's stances (rows: event_id, topic_id, score, rationale) with their topics, by topic name."""
    rows: list[Any] = []
    ids = list(event_ids)
    # Chunked: SQLite caps the number of bound parameters.
    for start in range(0, len(ids), 500):
        stmt = select(_STANCE.c.event_id, _STANCE.c.topic_id, _STANCE.c.score, _STANCE.c.rationale).where(
            _STANCE.c.event_id.in_(ids[start : start + 500])
        )
        rows.extend(session.execute(stmt).all())
    topics = sorted(topics_by_ids(session, {r.topic_id for r in rows}), key=lambda t: (t.name, t.id))
    by_id = {t.id: t for t in topics}
    rank = {t.id: i for i, t in enumerate(topics)}
    result: dict[int, list[tuple[Any, Topic]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: rank[r.topic_id]):
        result[row.event_id].append((row, by_id[row.topic_id]))
    return result


def actor_overview(session: Session) -> list[tuple[Actor, int, Event | None]]:
    """Every actor with its own event count and latest event (for the home page)."""
    counts = dict(
        session.execute(
            select(col(Event.actor_id), func.count(col(Event.id))).where(_LIVE).group_by(col(Event.actor_id))
        ).all()
    )
    latest_ids = (
        select(col(Event.actor_id), func.max(col(Event.date_earliest)).label("d"))
        .where(_LIVE)
        .group_by(col(Event.actor_id))
        .subquery()
    )
    latest_rows = session.execute(
        select(Event)
        .join(
            latest_ids,
            (latest_ids.c.actor_id == col(Event.actor_id)) & (latest_ids.c.d == col(Event.date_earliest)),
        )
        .where(_LIVE)
        .order_by(col(Event.actor_id), col(Event.date_latest).desc(), col(Event.id).desc())
    ).scalars()
    latest: dict[int, Event] = {}
    for ev in latest_rows:
        latest.setdefault(ev.actor_id, ev)
    return [(a, counts.get(a.id, 0), latest.get(a.id or 0)) for a in all_actors(session)]


def topic_overview(session: Session) -> list[tuple[Topic, int]]:
    counts = dict(
        session.execute(
            select(col(Stance.topic_id), func.count(col(Stance.id)))
            .join(Event, col(Event.id) == col(Stance.event_id))
            .where(_LIVE)
            .group_by(col(Stance.topic_id))
        ).all()
    )
    return [(t, counts.get(t.id, 0)) for t in all_topics(session)]


def iter_all_events(
    session: Session, batch: int = 1000, filters: EventFilters = EventFilters()
) -> Iterator[Event]:
    """Every live event passing the filters in timeline order, fetched in batches (keyset pagination)."""
    last: tuple[date, date, int] | None = None
    while True:
        stmt = _apply_filters(select(Event).where(_LIVE), filters).order_by(*_ORDER).limit(batch)
        if last is not None:
            stmt = stmt.where(
                (col(Event.date_earliest) > last[0])
                | ((col(Event.date_earliest) == last[0]) & (col(Event.date_latest) > last[1]))
                | (
                    (col(Event.date_earliest) == last[0])
                    & (col(Event.date_latest) == last[1])
                    & (col(Event.id) > last[2])
                )
            )
        rows = session.execute(stmt).scalars().all()
        if not rows:
            return
        yield from rows
        tail = rows[-1]
        last = (tail.date_earliest, tail.date_latest, tail.id or 0)
        session.expunge_all()


def iter_event_bodies(
    session: Session, batch: int, filters: EventFilters = EventFilters()
) -> Iterator[Sequence[Any]]:
    """Live events passing the filters in id order as (id, body): the record as UTF-8 JSON, batch by
    batch (streamed: a server-side cursor on PostgreSQL)."""
    dialect = session.get_bind().dialect.name
    stmt = _apply_filters(
        select(_EVENT.c.id, _as_utf8(_event_json(dialect), dialect).label("body"))
        .join(_ACTOR, _ACTOR.c.id == _EVENT.c.actor_id)
        .where(_EVENT.c.deleted_at.is_(None)),
        filters,
    ).order_by(_EVENT.c.id)
    yield from _core_batches(session, stmt, batch)
