"""Every query in one place. No commits here: callers own their transactions.

One module on purpose (the project's style: one module for queries), so that "which SQL runs, and is it
indexed?" has one place to look; sections below go lookups, listings, search, accounts, background jobs,
changes. The sources' queries live in timeline/source_queries.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    LargeBinary,
    String,
    and_,
    bindparam,
    cast,
    delete,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
    type_coerce,
    union_all,
)
from sqlmodel import Session, col

from .dates import FIRST_DAY, LAST_DAY
from .models import (
    CONFIDENCE_RANK,
    Actor,
    ApiToken,
    Candidate,
    ChangeEntry,
    Confidence,
    DataScope,
    Event,
    Feed,
    JobRun,
    Revision,
    ScheduledJob,
    SourceLink,
    Stance,
    StanceWatch,
    StanceWatchChange,
    Topic,
    User,
    Webhook,
    WebhookDelivery,
)
from .record_fields import ACTOR, EVENT_FIELDS, STAMPS, Fields
from .scopes import ALL as ALL_SCOPE


@dataclass(frozen=True)
class EventFilters:
    """What a timeline view is narrowed to; every field optional."""

    topic_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    kind: str | None = None
    min_confidence: Confidence | None = None


def _storable(*values: str | None) -> bool:
    """False for text no row can hold: a NUL character (PostgreSQL refuses it even in a comparison)."""
    return not any(v is not None and "\x00" in v for v in values)


def actor_by_slug(session: Session, slug: str) -> Actor | None:
    if not _storable(slug):
        return None
    return session.execute(select(Actor).where(col(Actor.slug) == slug)).scalars().first()


def topic_by_slug(session: Session, slug: str) -> Topic | None:
    if not _storable(slug):
        return None
    return session.execute(select(Topic).where(col(Topic.slug) == slug)).scalars().first()


# A write only refers to actors and topics: Core rows from one statement built once cost a fraction of
# ORM objects, and a create runs it inside its write transaction, while other writers wait.
_ACTORS, _TOPICS = Actor.__table__, Topic.__table__  # type: ignore[attr-defined]
_EVENT_REFS: Any = union_all(
    select(literal("actor").label("kind"), _ACTORS.c.id, _ACTORS.c.slug, _ACTORS.c.name).where(
        _ACTORS.c.slug == bindparam("slug")
    ),
    select(literal("topic").label("kind"), _TOPICS.c.id, _TOPICS.c.slug, _TOPICS.c.name).where(
        _TOPICS.c.slug.in_(bindparam("slugs", expanding=True))
    ),
)
_SCOPES = DataScope.__table__  # type: ignore[attr-defined]
# The same, with the version of the scope "*" that every write to actors or topics moves on.
_EVENT_REFS_AND_ALL: Any = union_all(
    *_EVENT_REFS.selects,
    select(
        literal("all").label("kind"), _SCOPES.c.version, literal(None, String), literal(None, String)
    ).where(_SCOPES.c.scope == ALL_SCOPE),
)


@dataclass(frozen=True)
class EventRefs:
    """What an event refers to: its actor (id, slug, name) or None, its topics that exist by slug, and
    (when asked for) the version of the scope "*" these were read at (None: no write has moved it)."""

    actor: Any | None
    topics: dict[str, Any]
    all_version: int | None = None


def event_refs(
    session: Session, actor_slug: str, topic_slugs: Iterable[str], *, with_all_version: bool = False
) -> EventRefs:
    """An event's actor and topics, in one query (with the scope "*"'s version when asked for)."""
    wanted = [s for s in set(topic_slugs) if _storable(s)]
    slug = actor_slug if _storable(actor_slug) else ""
    statement = _EVENT_REFS_AND_ALL if with_all_version else _EVENT_REFS
    actor, topics, all_version = None, {}, None
    for row in session.execute(statement, {"slug": slug, "slugs": wanted}):
        if row.kind == "actor":
            actor = row
        elif row.kind == "topic":
            topics[row.slug] = row
        else:
            all_version = int(row.id)
    return EventRefs(actor, topics, all_version)


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


def _apply_filters(stmt, filters: EventFilters):
    if filters.date_from is not None:
        stmt = stmt.where(col(Event.date_latest) >= filters.date_from)
    if filters.date_to is not None:
        stmt = stmt.where(col(Event.date_earliest) <= filters.date_to)
    if filters.kind:
        stmt = stmt.where(col(Event.kind) == filters.kind)
    if filters.min_confidence is not None:
        rank = CONFIDENCE_RANK[filters.min_confidence]
        allowed = [c.value for c, r in CONFIDENCE_RANK.items() if r >= rank]
        stmt = stmt.where(col(Event.confidence).in_(allowed))
    if filters.topic_id is not None:
        stmt = stmt.where(
            select(literal(1))
            .where(col(Stance.event_id) == col(Event.id), col(Stance.topic_id) == filters.topic_id)
            .exists()
        )
    return stmt


# Full-text filters in listings consider at most this many best matches.
SEARCH_CAP = 10_000
# Soft-deleted events leave every public read.
_LIVE = col(Event.deleted_at).is_(None)
_ORDER = (col(Event.date_earliest), col(Event.date_latest), col(Event.id))


# Reads that list many events return Core rows, not ORM objects: rows have the same attributes
# (row.title, row.date_earliest...) and cost a fraction to build. Editing loads objects by id.
_EVENT = Event.__table__  # type: ignore[attr-defined]
_STANCE = Stance.__table__  # type: ignore[attr-defined]


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
_ACTOR = Actor.__table__  # type: ignore[attr-defined]
# What stance histories need of each event, beside its JSON body.
_HISTORY_COLUMNS = ("id", "actor_id", "uid", "title", "date_edtf", "date_earliest", "date_latest",
                    "date_display", "speaker_role", "stances_json")  # fmt: skip


# What a listing reads of each event: everything (pages of events), the columns stance histories need
# (whole timelines), or those plus the record as JSON (JSON timelines). Private: callers pick a listing
# by name (events_for_actors, history_rows_for_actors, json_rows_for_actors...).
_FULL, _HISTORY, _JSON_BODY = "full", "history", "json"
# A listing of the events of some actors, or of one topic: callers that build timelines take one.
ActorListing = Callable[[Session, Sequence[int], EventFilters], Sequence[Any]]
TopicListing = Callable[[Session, int, EventFilters], Sequence[Any]]


def _listing(session: Session, shape: str) -> Any:
    if shape == _FULL:
        return select(_EVENT)
    columns = [_EVENT.c[name] for name in _HISTORY_COLUMNS]
    if shape == _HISTORY:
        return select(*columns)
    # JSON: the day bounds come as ISO text (no date objects to build, nor to write out again in the
    # histories): as stored on SQLite, formatted by PostgreSQL; the record comes as bytes.
    dialect = session.get_bind().dialect.name
    columns = [_day_text(c, dialect) if c.name.startswith("date_") else c for c in columns]
    body = _listing_body(_event_json(dialect), dialect).label("body")
    return select(*columns, body).join(_ACTOR, _ACTOR.c.id == _EVENT.c.actor_id)


def _listing_body(json_value: Any, dialect: str) -> Any:
    """A listing's records: UTF-8 bytes on SQLite (as stored, no decoding); text on PostgreSQL, where
    bytes would travel hex-encoded (twice the size, decoded by Python) and text costs one encode."""
    if dialect == "postgresql":
        return cast(json_value, String)
    return _as_utf8(json_value, dialect)


def _day_text(column: Any, dialect: str) -> Any:
    if dialect == "postgresql" and column.name in ("date_earliest", "date_latest"):
        # to_char, not a cast to text: a cast follows the server's DateStyle, which may not be ISO.
        return func.to_char(column, "YYYY-MM-DD").label(column.name)
    return type_coerce(column, String)


def events_for_actors(
    session: Session, actor_ids: Sequence[int], filters: EventFilters = EventFilters()
) -> Sequence[Any]:
    """Live events of these actors in timeline order (earliest day, latest day, id), every column."""
    return _events_for_actors(session, actor_ids, filters, _FULL)


def history_rows_for_actors(
    session: Session, actor_ids: Sequence[int], filters: EventFilters = EventFilters()
) -> Sequence[Any]:
    """The same events with only the columns stance histories need (charts, matrices, feeds)."""
    return _events_for_actors(session, actor_ids, filters, _HISTORY)


def json_rows_for_actors(
    session: Session, actor_ids: Sequence[int], filters: EventFilters = EventFilters()
) -> Sequence[Any]:
    """The same events with the history columns and each record as JSON (`body`: UTF-8 bytes on
    SQLite, text on PostgreSQL; services.export.timeline_json joins either)."""
    return _events_for_actors(session, actor_ids, filters, _JSON_BODY)


def _events_for_actors(
    session: Session, actor_ids: Sequence[int], filters: EventFilters, shape: str
) -> Sequence[Any]:
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
    session: Session, topic_id: int, filters: EventFilters = EventFilters()
) -> Sequence[Any]:
    """Live events carrying a stance on the topic, in timeline order, every column."""
    return _events_for_topic(session, topic_id, filters, _FULL)


def history_rows_for_topic(
    session: Session, topic_id: int, filters: EventFilters = EventFilters()
) -> Sequence[Any]:
    """The same events with only the columns stance histories need."""
    return _events_for_topic(session, topic_id, filters, _HISTORY)


def _events_for_topic(session: Session, topic_id: int, filters: EventFilters, shape: str) -> Sequence[Any]:
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


def _pg_search(session: Session, terms: Sequence[str]) -> tuple[str, str, dict[str, Any]]:
    """PostgreSQL: the FROM ... WHERE of events matching every term (as a word prefix, in the event's
    texts or its actor's name and aliases), their rank expression, and the bound values."""
    # A tsquery lexeme in single quotes with :* for prefix matching; quotes and backslashes escaped.
    lexemes = ["'" + term.replace("\\", "\\\\").replace("'", "''") + "':*" for term in terms]
    # The actors each term names, looked up first (a few hundred rows): their ids go in as values, so
    # the planner sees how many events they hold. Behind a subquery it guessed, and for a name it
    # chose to walk every event in id order.
    named: dict[int, list[int]] = {}
    for n, actor_id in session.execute(_ACTORS_NAMED, {"lexemes": lexemes}):
        named.setdefault(n - 1, []).append(actor_id)
    conditions: list[str] = []
    params: dict[str, Any] = {}
    for i, lexeme in enumerate(lexemes):
        params[f"q{i}"] = lexeme
        # The stored vector and its GIN index (migration 0013); OR the named actors' events.
        condition = f"e.search_vector @@ to_tsquery('simple', :q{i})"
        if i in named:
            params[f"a{i}"] = named[i]
            condition = f"({condition} OR e.actor_id = ANY(CAST(:a{i} AS integer[])))"
        conditions.append(condition)
    where = " AND ".join([*conditions, "e.deleted_at IS NULL"])
    all_terms = " && ".join(f"to_tsquery('simple', :q{i})" for i in range(len(terms)))
    # Of the capped matches (m, with their vector) and their actor (a): the event's texts and the actor's
    # names each count, as FTS5's columns do on SQLite. Summing costs a third less than ranking the
    # vectors' concatenation, which builds a new vector per row.
    rank = f"ts_rank(m.search_vector, {all_terms}) + ts_rank(a.search_vector, {all_terms})"
    return f"FROM event e WHERE {where}", rank, params


_ACTORS_NAMED = text(
    "SELECT t.n, a.id FROM unnest(CAST(:lexemes AS text[])) WITH ORDINALITY AS t(q, n) "
    "JOIN actor a ON a.search_vector @@ to_tsquery('simple', t.q) ORDER BY t.n, a.id"
)


def search_events(
    session: Session, terms: Sequence[str], limit: int, offset: int = 0
) -> tuple[list[int], int]:
    """Ids of events matching every term (as a word prefix), best first, and how many match, counted up
    to SEARCH_CAP + 1 (more than SEARCH_CAP: "a lot"). Only the first SEARCH_CAP + 1 matches are ranked,
    so a word in half the events costs what 10,000 matches cost, whatever the database's size.

    SQLite: the FTS5 table kept by triggers (migration 0002); PostgreSQL: full-text search with the
    language-neutral 'simple' configuration, each term looked up in the event and actor GIN indexes.
    Terms are bound as data, never as query syntax.
    """
    if not terms:
        return [], 0
    if session.get_bind().dialect.name == "sqlite":
        # Each term becomes a quoted FTS5 string with a prefix star: operators in it are literal text.
        match = " ".join('"' + t.replace('"', '""') + '"*' for t in terms)
        total = session.execute(
            text(
                "SELECT count(*) FROM (SELECT 1 FROM event_search JOIN event e ON e.id = event_search.rowid "
                "WHERE event_search MATCH :match AND e.deleted_at IS NULL LIMIT :cap)"
            ),
            {"match": match, "cap": SEARCH_CAP + 1},
        ).scalar_one()
        return _best_live_matches(session, match, limit, offset), int(total)
    base, rank, params = _pg_search(session, terms)
    # Only fixed SQL is interpolated here; the words are bound parameters.
    # The first matches by id: the same set for every page of one query, ranked below.
    matched = f"SELECT e.id {base} ORDER BY e.id LIMIT :cap"  # noqa: S608
    capped = text(f"SELECT count(*) FROM ({matched}) AS m")  # noqa: S608
    total = session.execute(capped, {**params, "cap": SEARCH_CAP + 1}).scalar_one()
    ranked = (
        "SELECT e.id, e.actor_id, e.date_earliest, e.date_latest, e.search_vector "  # noqa: S608
        f"{base} ORDER BY e.id LIMIT :cap"
    )
    rows = session.execute(
        text(
            f"SELECT m.id FROM ({ranked}) AS m JOIN actor a ON a.id = m.actor_id "  # noqa: S608
            f"ORDER BY {rank} DESC, m.date_earliest, m.date_latest, m.id LIMIT :limit OFFSET :offset"
        ),
        {**params, "cap": SEARCH_CAP + 1, "limit": limit, "offset": offset},
    ).scalars()
    return list(rows), int(total)


def _best_live_matches(session: Session, match: str, limit: int, offset: int) -> list[int]:
    """SQLite: rank the first SEARCH_CAP + 1 matches in the search index alone (bm25, then id), then drop
    deleted events; read more candidates only when deleted ones left the page short. Ranking a bounded
    set without joining each match to its event keeps a query on a common word fast."""
    want = offset + limit
    fetch = want + 50
    while True:
        candidates = list(
            session.execute(
                text(
                    "SELECT rowid FROM (SELECT rowid, bm25(event_search, 3.0, 2.0, 1.0, 2.0) AS score "
                    "FROM event_search WHERE event_search MATCH :match LIMIT :cap) "
                    "ORDER BY score, rowid LIMIT :fetch"
                ),
                {"match": match, "fetch": fetch, "cap": SEARCH_CAP + 1},
            ).scalars()
        )
        live: set[int] = set()
        for start in range(0, len(candidates), 5000):  # SQLite caps bound parameters
            chunk = candidates[start : start + 5000]
            live.update(
                session.execute(
                    select(_EVENT.c.id).where(_EVENT.c.id.in_(chunk), _EVENT.c.deleted_at.is_(None))
                ).scalars()
            )
        ranked = [i for i in candidates if i in live]
        if len(ranked) >= want or len(candidates) < fetch:
            return ranked[offset:want]
        fetch *= 4


@dataclass(frozen=True)
class SearchMatches:
    """What the search page shows of a query's capped matches, counted by the database."""

    matched: int  # live matches before the filters, counted up to SEARCH_CAP + 1
    total: int  # matches kept by the filters among the best SEARCH_CAP
    page: list[int]  # the ids of the page asked for, in the chosen order
    actors: list[tuple[int, int]]  # (actor id, matches), most first; ties: the one met first in the order
    topics: list[tuple[int, int]]  # (topic id, matches)
    kinds: list[tuple[str, int]]  # (kind, matches)
    spans: list[tuple[int, int, int]]  # (first year, last year, matches): the years each match overlaps


def _match_sql(
    session: Session, terms: Sequence[str], filters: EventFilters, actor_id: int | None, sort: str
) -> tuple[str, str, dict[str, Any], list[Any]]:
    """The CTEs of a search and the order of `kept`. `fetched`: the first matches with their events
    (SQLite: the first `fetch` in the index; PostgreSQL: the first SEARCH_CAP + 1 live ones by id),
    `r` their relevance (lower is better) and the years they overlap; `live`: those not deleted;
    `kept`: those of the best SEARCH_CAP that the filters keep. Only the few worst matches beyond the
    cap are sorted; only fixed SQL is put together here, every value is bound."""
    params: dict[str, Any] = {"cap": SEARCH_CAP}
    binds: list[Any] = []
    dated = sort == "date" or filters.date_from is not None or filters.date_to is not None
    sqlite = session.get_bind().dialect.name == "sqlite"
    # What filters, facets and orders read: the narrower, the cheaper to keep for 10,000 matches.
    e = "e" if sqlite else "m"  # the events, or (PostgreSQL) the first matches
    columns = [f"{e}.id", f"{e}.actor_id", f"{e}.kind"]
    columns += [f"{e}.confidence"] if filters.min_confidence is not None else []
    columns += [f"{e}.date_earliest", f"{e}.date_latest"] if dated or not sqlite else []
    # The years a match overlaps; an open end (../D, D/..) reaches the calendar's edge: only the
    # known end's year counts.
    year = "CAST(substr({}, 1, 4) AS INTEGER)" if sqlite else "CAST(EXTRACT(YEAR FROM {}) AS integer)"
    earliest, latest = f"{e}.date_earliest", f"{e}.date_latest"
    first = year.format(f"CASE WHEN {earliest} = :first_day THEN {latest} ELSE {earliest} END")
    last = year.format(f"CASE WHEN {latest} = :last_day THEN {earliest} ELSE {latest} END")
    columns += [f"{first} AS first_year", f"{last} AS last_year"]
    day = _EVENT.c.date_earliest.type  # dates bound as the column binds them (text on SQLite)
    params.update(first_day=FIRST_DAY, last_day=LAST_DAY)
    binds += [bindparam("first_day", type_=day), bindparam("last_day", type_=day)]
    if sqlite:
        # Each term a quoted FTS5 string with a prefix star: operators in it are literal text.
        params["match"] = " ".join('"' + t.replace('"', '""') + '"*' for t in terms)
        # bm25 of the first `fetch` matches in the index (its document counts read the whole index:
        # docs/performance.md), then their events; search_matches reads deeper when deleted events
        # left fewer than SEARCH_CAP + 1.
        ctes = (
            f"fetched AS MATERIALIZED (SELECT {', '.join(columns)}, top.r, "  # noqa: S608
            "e.deleted_at IS NULL AS alive FROM (SELECT rowid AS id, "
            "bm25(event_search, 3.0, 2.0, 1.0, 2.0) AS r FROM event_search WHERE event_search MATCH :match "
            "LIMIT :fetch) AS top CROSS JOIN event e ON e.id = top.id), "
            "live AS NOT MATERIALIZED (SELECT * FROM fetched WHERE alive)"
        )
        relevance = ["r", "id"]
    else:
        base, rank, pg_params = _pg_search(session, terms)
        params.update(pg_params, fetch=SEARCH_CAP + 1)
        # The first SEARCH_CAP + 1 live matches by id (bounded whatever the database's size), ranked.
        ctes = (
            f"fetched AS MATERIALIZED (SELECT {', '.join(columns)}, -({rank}) AS r "  # noqa: S608
            "FROM (SELECT e.id, e.actor_id, e.kind, e.confidence, e.date_earliest, e.date_latest, "
            f"e.search_vector {base} ORDER BY e.id LIMIT :fetch) AS m "
            "JOIN actor a ON a.id = m.actor_id), "
            "live AS NOT MATERIALIZED (SELECT * FROM fetched)"
        )
        relevance = ["r", "date_earliest", "date_latest", "id"]
    # How many were fetched and how many are live, counted once; beyond the best SEARCH_CAP: the worst
    # few of the fetched margin (a bounded sort, not of them all).
    alive = "sum(alive)" if sqlite else "count(*)"
    worst = ", ".join(f"{c} DESC" for c in relevance)
    ctes += (
        f", counted AS MATERIALIZED (SELECT count(*) AS fetched, {alive} AS live FROM fetched), "  # noqa: S608
        f"worst AS MATERIALIZED (SELECT id FROM live ORDER BY {worst} "
        "LIMIT (SELECT CASE WHEN live > :cap THEN live - :cap ELSE 0 END FROM counted))"
    )
    # The listing filters, with the rules of _apply_filters, on the capped set.
    where = ["id NOT IN (SELECT id FROM worst)"]
    if actor_id is not None:
        where.append("actor_id = :actor_id")
        params["actor_id"] = actor_id
    if filters.topic_id is not None:
        where.append("EXISTS (SELECT 1 FROM stance s WHERE s.event_id = live.id AND s.topic_id = :topic_id)")
        params["topic_id"] = filters.topic_id
    if filters.kind:
        where.append("kind = :kind")
        params["kind"] = filters.kind
    if filters.min_confidence is not None:
        floor = CONFIDENCE_RANK[filters.min_confidence]
        where.append("confidence IN :allowed")
        params["allowed"] = [c.value for c, r in CONFIDENCE_RANK.items() if r >= floor]
        binds.append(bindparam("allowed", expanding=True))
    if filters.date_from is not None:
        where.append("date_latest >= :date_from")
        params["date_from"] = filters.date_from
        binds.append(bindparam("date_from", type_=day))
    if filters.date_to is not None:
        where.append("date_earliest <= :date_to")
        params["date_to"] = filters.date_to
        binds.append(bindparam("date_to", type_=day))
    ctes += f", kept AS MATERIALIZED (SELECT * FROM live WHERE {' AND '.join(where)})"  # noqa: S608
    order = relevance if sort == "relevance" else ["date_earliest", "date_latest", "id"]
    return f"WITH {ctes} ", ", ".join(order), params, binds


def search_matches(
    session: Session,
    terms: Sequence[str],
    *,
    filters: EventFilters,
    actor_id: int | None,
    sort: str,
    limit: int,
    offset: int,
    facet_size: int,
) -> SearchMatches:
    """Live events matching every term (as a word prefix): the best SEARCH_CAP + 1 counted, the best
    SEARCH_CAP filtered and counted by actor, topic, kind and years, and one page of them listed, in
    one statement: the matches are found and ranked once, and only the page's ids leave the database."""
    if not terms:
        return SearchMatches(0, 0, [], [], [], [], [])
    with_, order, params, binds = _match_sql(session, terms, filters, actor_id, sort)
    sqlite = session.get_bind().dialect.name == "sqlite"
    # Ties between facet values: the one whose first match comes first in the chosen order.
    first = order.split(",")[0]
    cross = "CROSS JOIN" if sqlite else "JOIN"  # SQLite: the capped set first, not every stance
    # Rows of (part, key, count, label, key2), NULLs typed for PostgreSQL's UNION; only fixed SQL is
    # interpolated, every value is bound.
    no_int, no_text = "CAST(NULL AS bigint)", "CAST(NULL AS text)"
    # The kept matches are counted by adding up their year spans (every one has a span).
    body = (
        f"SELECT 'count', live, fetched, {no_text}, {no_int} FROM counted "  # noqa: S608
        f"UNION ALL SELECT * FROM (SELECT 'actor', actor_id, count(*), {no_text}, {no_int} FROM kept "
        f"GROUP BY actor_id ORDER BY count(*) DESC, min({first}), actor_id LIMIT :size) AS actors "
        f"UNION ALL SELECT * FROM (SELECT 'kind', {no_int}, count(*), kind, {no_int} FROM kept "
        f"GROUP BY kind ORDER BY count(*) DESC, min({first}), kind LIMIT :size) AS kinds "
        f"UNION ALL SELECT * FROM (SELECT 'topic', s.topic_id, count(*), {no_text}, {no_int} FROM kept "
        f"{cross} stance s ON s.event_id = kept.id GROUP BY s.topic_id "
        f"ORDER BY count(*) DESC, min(kept.{first}), s.topic_id LIMIT :size) AS topics "
        f"UNION ALL SELECT 'span', first_year, count(*), {no_text}, last_year FROM kept "
        "GROUP BY first_year, last_year "
        f"UNION ALL SELECT 'page', id, row_number() OVER (ORDER BY {order}), {no_text}, {no_int} "
        f"FROM (SELECT * FROM kept ORDER BY {order} LIMIT :limit OFFSET :offset) AS page"
    )
    params.update(size=facet_size, limit=limit, offset=offset)
    statement = text(with_ + body).bindparams(*binds)
    fetch = SEARCH_CAP + 51  # a margin for deleted events among the first matches
    while True:
        rows = session.execute(statement, {"fetch": fetch, **params}).all()
        head = next(r for r in rows if r[0] == "count")
        live, fetched = int(head[1] or 0), int(head[2])
        # Deleted events among the first matches left the set short: read deeper.
        if not sqlite or live > SEARCH_CAP or fetched < fetch:
            break
        fetch *= 4
    parts: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        parts[row[0]].append(row)
    return SearchMatches(
        matched=min(live, SEARCH_CAP + 1),
        total=sum(int(r[2]) for r in parts["span"]),
        page=[r[1] for r in sorted(parts["page"], key=lambda r: r[2])],
        actors=[(r[1], int(r[2])) for r in parts["actor"]],
        topics=[(r[1], int(r[2])) for r in parts["topic"]],
        kinds=[(r[3], int(r[2])) for r in parts["kind"]],
        spans=[(r[1], r[4], int(r[2])) for r in parts["span"]],
    )


def search_match_ids(
    session: Session, terms: Sequence[str], *, filters: EventFilters, actor_id: int | None, sort: str
) -> list[int]:
    """The ids of every match search_matches keeps (the best SEARCH_CAP, after the filters), in order."""
    if not terms:
        return []
    with_, order, params, binds = _match_sql(session, terms, filters, actor_id, sort)
    sqlite = session.get_bind().dialect.name == "sqlite"
    # Row 0: the counts; then each kept match with its position (fixed SQL; every value is bound).
    body = (
        "SELECT 0, live, fetched FROM counted UNION ALL "  # noqa: S608
        f"SELECT row_number() OVER (ORDER BY {order}), id, CAST(NULL AS bigint) FROM kept"
    )
    statement = text(with_ + body).bindparams(*binds)
    fetch = SEARCH_CAP + 51
    while True:
        rows = sorted(session.execute(statement, {"fetch": fetch, **params}).all())
        live, fetched = int(rows[0][1] or 0), int(rows[0][2])  # position 0: the counts
        if not sqlite or live > SEARCH_CAP or fetched < fetch:
            return [r[1] for r in rows[1:]]
        fetch *= 4


def events_by_ids(session: Session, ids: Sequence[int]) -> dict[int, Event]:
    if not ids:
        return {}
    rows = session.execute(select(Event).where(col(Event.id).in_(list(ids)))).scalars()
    return {e.id: e for e in rows if e.id is not None}


def evidence_rows(session: Session, ids: Iterable[int]) -> Sequence[Any]:
    """The columns that say whether events have their evidence (services/evidence.py), by id."""
    wanted = list(set(ids))
    if not wanted:
        return []
    stmt = select(
        col(Event.id), col(Event.kind), col(Event.quote), col(Event.source_url), col(Event.source_title)
    ).where(col(Event.id).in_(wanted))
    return session.execute(stmt).all()


def topics_by_ids(session: Session, ids: Iterable[int]) -> Sequence[Topic]:
    wanted = list(set(ids))
    if not wanted:
        return []
    return session.execute(select(Topic).where(col(Topic.id).in_(wanted))).scalars().all()


def deleted_events(session: Session, limit: int = 500) -> Sequence[Event]:
    """Soft-deleted events, most recently deleted first (for editors)."""
    stmt = select(Event).where(col(Event.deleted_at).is_not(None)).order_by(col(Event.deleted_at).desc())
    return session.execute(stmt.limit(limit)).scalars().all()


def user_by_name(session: Session, name: str) -> User | None:
    if not _storable(name):
        return None
    return session.execute(select(User).where(col(User.name) == name)).scalars().first()


def count_users(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(User)).scalar_one())


def list_users(session: Session) -> Sequence[User]:
    return session.execute(select(User).order_by(col(User.name))).scalars().all()


def tokens_of(session: Session, user: User) -> Sequence[ApiToken]:
    return session.execute(select(ApiToken).where(col(ApiToken.user_id) == user.id)).scalars().all()


_TOKEN, _USER = ApiToken.__table__, User.__table__  # type: ignore[attr-defined]
_TOKEN_OWNER = (
    select(
        _TOKEN.c.id,
        _TOKEN.c.last_used_at,
        _TOKEN.c.revoked_at,
        _USER.c.id.label("user_id"),
        _USER.c.name,
        _USER.c.role,
        _USER.c.disabled,
    )
    .join(_USER, _USER.c.id == _TOKEN.c.user_id)
    .where(_TOKEN.c.token_hash == bindparam("token_hash"))
)


def token_owner(session: Session, token_hash: str) -> Any | None:
    """The token (id, last_used_at, revoked_at) and its user (user_id, name, role, disabled), as one row."""
    return session.execute(_TOKEN_OWNER, {"token_hash": token_hash}).first()


def revisions_of(session: Session, entity: str, entity_id: int) -> list[tuple[Revision, str | None]]:
    rows = session.execute(
        select(Revision, col(User.name))
        .outerjoin(User, col(User.id) == col(Revision.user_id))
        .where(col(Revision.entity) == entity, col(Revision.entity_id) == entity_id)
        .order_by(col(Revision.id).desc())
    ).all()
    return [(r, name) for r, name in rows]


def recent_revisions(
    session: Session, *, editor: str | None, since: datetime | None, until: datetime | None, limit: int
) -> list[tuple[Revision, str | None]]:
    if not _storable(editor):
        return []
    stmt = select(Revision, col(User.name)).outerjoin(User, col(User.id) == col(Revision.user_id))
    if editor:
        stmt = stmt.where(col(User.name) == editor)
    if since:
        stmt = stmt.where(col(Revision.at) >= since)
    if until:
        stmt = stmt.where(col(Revision.at) < until)
    rows = session.execute(stmt.order_by(col(Revision.id).desc()).limit(limit)).all()
    return [(r, name) for r, name in rows]


def list_events(
    session: Session,
    filters: EventFilters,
    *,
    actor_ids: Sequence[int] | None,
    terms: Sequence[str] | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Event], int]:
    """A page of live events in timeline order, and how many match in all."""
    stmt = select(Event).where(_LIVE)
    if actor_ids is not None:
        stmt = stmt.where(col(Event.actor_id).in_(list(actor_ids)))
    if terms is not None:
        matching, _total = search_events(session, terms, SEARCH_CAP)
        stmt = stmt.where(col(Event.id).in_(matching))
    stmt = _apply_filters(stmt, filters)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(stmt.order_by(*_ORDER).limit(limit).offset(offset)).scalars().all()
    return rows, int(total)


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


def source_urls(session: Session) -> list[str]:
    """Distinct source URLs of live events."""
    rows = session.execute(
        select(col(Event.source_url)).where(_LIVE, col(Event.source_url).is_not(None)).distinct()
    ).scalars()
    return sorted(u for u in rows if u)


def source_link(session: Session, url: str) -> SourceLink | None:
    if not _storable(url):
        return None
    return session.execute(select(SourceLink).where(col(SourceLink.url) == url)).scalars().first()


def feed_by_url(session: Session, url: str) -> Feed | None:
    if not _storable(url):
        return None
    return session.execute(select(Feed).where(col(Feed.url) == url)).scalars().first()


def all_feeds(session: Session) -> Sequence[Feed]:
    return session.execute(select(Feed).order_by(col(Feed.id))).scalars().all()


def candidate_exists(session: Session, *, link: str | None, guid: str | None) -> bool:
    conditions = []
    if link:
        conditions.append(col(Candidate.link) == link)
    if guid:
        conditions.append(col(Candidate.guid) == guid)
    if not conditions:
        return False
    return session.execute(select(col(Candidate.id)).where(or_(*conditions)).limit(1)).first() is not None


def pending_candidates(session: Session, limit: int = 200) -> Sequence[Candidate]:
    stmt = select(Candidate).where(col(Candidate.status) == "pending").order_by(col(Candidate.id).desc())
    return session.execute(stmt.limit(limit)).scalars().all()


def recent_job_runs(session: Session, job_id: str, limit: int = 10) -> Sequence[JobRun]:
    stmt = select(JobRun).where(col(JobRun.job_id) == job_id).order_by(col(JobRun.id).desc()).limit(limit)
    return session.execute(stmt).scalars().all()


def queued_job_runs(session: Session) -> Sequence[JobRun]:
    stmt = select(JobRun).where(col(JobRun.outcome) == "queued").order_by(col(JobRun.id))
    return session.execute(stmt).scalars().all()


def prunable_job_run_ids(session: Session, finished_before: datetime, keep_per_job: int) -> list[int]:
    """Finished runs (ok or error) that finished before the cutoff or are past their job's newest
    `keep_per_job` finished runs, oldest first; queued and running ones are never listed."""
    finished = col(JobRun.finished_at).is_not(None) & col(JobRun.outcome).in_(("ok", "error"))
    newest_first = func.row_number().over(partition_by=col(JobRun.job_id), order_by=col(JobRun.id).desc())
    ranked = (
        select(col(JobRun.id), col(JobRun.finished_at), newest_first.label("rank")).where(finished).subquery()
    )
    stmt = (
        select(ranked.c.id)
        .where(or_(ranked.c.finished_at < finished_before, ranked.c.rank > keep_per_job))
        .order_by(ranked.c.id)
    )
    return list(session.execute(stmt).scalars())


def delete_job_runs(session: Session, ids: Sequence[int]) -> int:
    """Delete these runs if they are still finished; how many went."""
    stmt = delete(JobRun).where(col(JobRun.id).in_(ids), col(JobRun.finished_at).is_not(None))
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def scheduled_jobs(session: Session) -> dict[str, ScheduledJob]:
    return {j.id: j for j in session.execute(select(ScheduledJob)).scalars()}


@contextmanager
def memory_map_off(session: Session) -> Iterator[None]:
    """For a read of the whole SQLite file (exports): no memory map, so the pages read are not counted
    in the worker's resident memory; the connection gets its setting back afterwards."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    before = session.execute(text("PRAGMA mmap_size")).scalar()
    session.execute(text("PRAGMA mmap_size=0"))
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA mmap_size={int(before or 0)}"))


def _as_utf8(json_value: Any, dialect: str) -> Any:
    """JSON text as UTF-8 bytes, so that Python neither decodes nor re-encodes it."""
    if dialect == "postgresql":
        return type_coerce(func.convert_to(cast(json_value, String), literal_column("'UTF8'")), LargeBinary)
    return cast(json_value, LargeBinary)


def _core_batches(session: Session, stmt: Any, batch: int) -> Iterator[Sequence[Any]]:
    """Rows in batches straight from the connection (no ORM result layer), streamed."""
    result = session.connection().execute(stmt.execution_options(yield_per=batch))
    yield from result.partitions(batch)


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


def data_version(session: Session) -> int:
    """The number every data write bumps (an import plan is valid while it stays the same)."""
    return int(session.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar_one())


def event_ids_by_uid(session: Session, uids: Sequence[str]) -> dict[str, int]:
    """The ids of the events with these uids, 500 uids a query."""
    found: dict[str, int] = {}
    for start in range(0, len(uids), 500):
        stmt = select(col(Event.uid), col(Event.id)).where(col(Event.uid).in_(uids[start : start + 500]))
        found.update((uid, event_id) for uid, event_id in session.execute(stmt))
    return found


def creation_revision_ids(session: Session, event_ids: Sequence[int]) -> dict[int, int]:
    """The id of each of these events' latest "create" revision, by event id, 500 events a query."""
    found: dict[int, int] = {}
    for start in range(0, len(event_ids), 500):
        stmt = select(col(Revision.entity_id), col(Revision.id)).where(
            col(Revision.entity) == "event",
            col(Revision.entity_id).in_(event_ids[start : start + 500]),
            col(Revision.action) == "create",
        )
        for event_id, revision_id in session.execute(stmt):  # the newest: an id may be reused after a purge
            found[event_id] = max(revision_id, found.get(event_id, revision_id))
    return found


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


# --- the changes feed and webhooks ----------------------------------------------------------------

_CHANGE = ChangeEntry.__table__  # type: ignore[attr-defined]
_REVISION = Revision.__table__  # type: ignore[attr-defined]
_CHANGES_AFTER = (
    select(
        _CHANGE.c.seq,
        _CHANGE.c.n,
        _REVISION.c.entity,
        _REVISION.c.entity_key,
        _REVISION.c.action,
        _REVISION.c.at,
        _REVISION.c.before,
        _REVISION.c.after,
        _EVENT.c.id.label("event_id"),
        _EVENT.c.deleted_at.label("event_deleted_at"),
    )
    .join(_REVISION, _REVISION.c.id == _CHANGE.c.revision_id)
    .outerjoin(_EVENT, and_(_REVISION.c.entity == "event", _EVENT.c.id == _REVISION.c.entity_id))
    .where(
        or_(
            _CHANGE.c.seq > bindparam("seq"),
            and_(_CHANGE.c.seq == bindparam("seq"), _CHANGE.c.n > bindparam("n")),
        )
    )
    .order_by(_CHANGE.c.seq, _CHANGE.c.n)
    .limit(bindparam("limit"))
)


def changes_after(session: Session, seq: int, n: int, limit: int) -> list[Any]:
    """Change-log entries after (seq, n) in feed order, each with its revision and its event's state."""
    return list(session.execute(_CHANGES_AFTER, {"seq": seq, "n": n, "limit": limit}).all())


def last_change_position(session: Session) -> tuple[int, int] | None:
    """(seq, n) of the newest change-log entry, if any."""
    row = session.execute(
        select(_CHANGE.c.seq, _CHANGE.c.n).order_by(_CHANGE.c.seq.desc(), _CHANGE.c.n.desc()).limit(1)
    ).first()
    return None if row is None else (int(row[0]), int(row[1]))


def all_webhooks(session: Session) -> list[Webhook]:
    return list(session.execute(select(Webhook).order_by(col(Webhook.id))).scalars())


def webhook_deliveries(session: Session, webhook_id: int, limit: int = 100) -> list[WebhookDelivery]:
    """The webhook's latest deliveries, newest first."""
    stmt = (
        select(WebhookDelivery)
        .where(col(WebhookDelivery.webhook_id) == webhook_id)
        .order_by(col(WebhookDelivery.id).desc())
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())


def due_deliveries(session: Session, now: datetime, limit: int) -> list[tuple[WebhookDelivery, Webhook]]:
    """Pending deliveries whose next attempt is due, oldest first, with their webhook."""
    stmt = (
        select(WebhookDelivery, Webhook)
        .join(Webhook, col(Webhook.id) == col(WebhookDelivery.webhook_id))
        .where(
            col(WebhookDelivery.status) == "pending",
            or_(col(WebhookDelivery.next_attempt_at).is_(None), col(WebhookDelivery.next_attempt_at) <= now),
        )
        .order_by(col(WebhookDelivery.id))
        .limit(limit)
    )
    return [(d, w) for d, w in session.execute(stmt).all()]


def stance_watch(session: Session) -> StanceWatch | None:
    """Where the webhooks job last computed stance changes (None before its first run with a subscriber)."""
    return session.get(StanceWatch, 1)


def latest_statements(session: Session, limit: int) -> Sequence[Event]:
    """The live events with the latest dates, newest first: by their earliest possible day (a vague
    "c. 2020" does not jump ahead of "8 December 2020"), then their latest."""
    stmt = (
        select(Event)
        .where(_LIVE)
        .order_by(col(Event.date_earliest).desc(), col(Event.date_latest).desc(), col(Event.id).desc())
        .limit(limit)
    )
    return session.execute(stmt).scalars().all()


_WATCHED = StanceWatchChange.__table__  # type: ignore[attr-defined]


def watched_changes(session: Session, series: Iterable[tuple[str, str]] | None = None) -> list[Any]:
    """The stance changes the webhooks job last computed, of these (topic, speaker) series or all."""
    stmt = select(_WATCHED)
    if series is None:
        return list(session.execute(stmt).all())
    found: list[Any] = []
    wanted = sorted(set(series))
    for start in range(0, len(wanted), 500):  # bound the parameters of one statement
        chunk = wanted[start : start + 500]
        found += session.execute(stmt.where(tuple_(_WATCHED.c.topic, _WATCHED.c.speaker).in_(chunk))).all()
    return found


def revision_records_after(session: Session, seq: int, n: int) -> list[Any]:
    """(entity, before, after) of every revision filed after change-log place (seq, n), in feed order."""
    stmt = (
        select(_REVISION.c.entity, _REVISION.c.before, _REVISION.c.after)
        .join(_CHANGE, _REVISION.c.id == _CHANGE.c.revision_id)
        .where(or_(_CHANGE.c.seq > seq, and_(_CHANGE.c.seq == seq, _CHANGE.c.n > n)))
        .order_by(_CHANGE.c.seq, _CHANGE.c.n)
    )
    return list(session.execute(stmt))
