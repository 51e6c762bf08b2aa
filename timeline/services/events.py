"""Creating, editing, deleting and restoring events; every change is a revision."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Integer,
    Text,
    bindparam,
    delete,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from .. import queries, scopes
from ..models import Actor, DataScope, Event, Stance, utcnow
from ..schemas import ActorIn, EventIn
from . import revisions, sources, uids
from .actors import create_actor
from .errors import Conflict, Invalid, NotFound
from .records import event_record, event_record_of
from .validation import validate
from .visibility import live_event

_EVENT = Event.__table__  # type: ignore[attr-defined]


_STANCE = Stance.__table__  # type: ignore[attr-defined]


_INSERT_STANCE = insert(_STANCE)


_INSERT_EVENT: dict[str, Any] = {}  # by dialect name: see _insert_event_if_new


def event_snapshot(session: Session, event: Event) -> dict[str, Any]:
    assert event.id is not None
    actor = session.get(Actor, event.actor_id)
    stances = queries.stances_for_events(session, [event.id]).get(event.id, [])
    record = event_record(event, actor.slug if actor else "?", stances)
    return _snapshot(record, event.version, deleted=event.deleted_at is not None)


def _snapshot(record: dict[str, Any], version: int, *, deleted: bool) -> dict[str, Any]:
    """What a revision keeps of an event: its record, its version and whether it is deleted."""
    return {**record, "version": version, "deleted": deleted}


def event_values(session: Session, data: EventIn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Column values for an event row and its stance rows, resolving actor and topics."""
    actor, topics = _actor_and_topics(session, data)
    return _row_values(data, actor, topics)


def _actor_and_topics(session: Session, data: EventIn) -> tuple[Any, dict[str, Any]]:
    """The event's actor and its stances' topics by slug, as rows (queries.event_refs);
    Invalid naming each one that does not exist."""
    refs = _refs(session, data, with_all_version=False)
    return refs.actor, refs.topics


def _refs(session: Session, data: EventIn, *, with_all_version: bool) -> queries.EventRefs:
    errors: dict[str, str] = {}
    refs = queries.event_refs(
        session, data.actor, (s.topic for s in data.stances), with_all_version=with_all_version
    )
    actor, topics = refs.actor, refs.topics
    if actor is None:
        errors["actor"] = f"no actor with the slug “{data.actor}”"
    for i, stance in enumerate(data.stances):
        if stance.topic not in topics:
            errors[f"stances.{i}.topic"] = f"no topic with the slug “{stance.topic}”"
    if errors:
        raise Invalid(errors)
    return refs


def _row_values(
    data: EventIn, actor: Any, topics: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    parsed = data.parsed_date
    values = {
        "actor_id": actor.id,
        "kind": data.kind.value,
        "title": data.title,
        "date_edtf": parsed.edtf,
        "date_earliest": parsed.earliest,
        "date_latest": parsed.latest,
        "date_display": parsed.display,
        "date_basis": data.date_basis,
        "quote": data.quote,
        "summary": data.summary,
        "location": data.location,
        "speaker_role": data.speaker_role,
        "source_title": data.source.title,
        "source_url": data.source.url,
        "source_publisher": data.source.publisher,
        "source_author": data.source.author,
        "source_published": data.source.published,
        "archive_url": data.source.archive_url,
        "confidence": data.confidence.value,
    }
    stances = [
        {"topic_id": topics[s.topic].id, "score": s.score, "rationale": s.rationale} for s in data.stances
    ]
    return values, stances


@dataclass(frozen=True)
class CreatedEvent:
    """A new event as stored: its id, its version and its record (what the API answers)."""

    id: int
    version: int
    record: dict[str, Any]


@dataclass(frozen=True)
class PreparedEvent:
    """An event checked and resolved by reads, ready for one short write: its row, stances and record."""

    data: EventIn
    actor_slug: str
    row: dict[str, Any]
    stances: list[dict[str, Any]]
    stance_records: list[dict[str, Any]]
    record: dict[str, Any]
    # Read before the write transaction: the version of the scope "*" then (see store_event).
    before_write: bool = False
    all_version: int | None = None


def prepare_event(session: Session, data: EventIn, *, before_write: bool = False) -> PreparedEvent:
    """Resolve the actor and topics, choose the uid and build the record: reads only.

    before_write: the reads run before the write transaction (SQLite: outside its lock, on a snapshot);
    the write then checks that no actor or topic changed since, at no extra statement (store_event).
    """
    refs = _refs(session, data, with_all_version=before_write)
    actor, topics = refs.actor, refs.topics
    assert actor is not None  # _refs raised Invalid otherwise
    values, stances = _row_values(data, actor, topics)
    uid = data.uid or uids.readable_uid(session, actor.slug, data.date, data.title)
    now = utcnow()
    row = {
        **values,
        "uid": uid,
        "created_at": data.created_at or now,
        "updated_at": data.updated_at or data.created_at or now,
        "version": 1,
        "deleted_at": None,
    }
    by_topic_name = sorted(data.stances, key=lambda s: (topics[s.topic].name, topics[s.topic].id))
    stance_records = [
        {"topic": topics[s.topic].slug, "score": s.score, "rationale": s.rationale} for s in by_topic_name
    ]
    # The record is built from the values written, not read back.
    record = event_record_of(SimpleNamespace(**row), actor.slug, stance_records)
    return PreparedEvent(
        data, actor.slug, row, stances, stance_records, record, before_write, refs.all_version
    )


def store_event(session: Session, prepared: PreparedEvent, user_id: int | None = None) -> CreatedEvent:
    """Write a prepared event, its stances and its revision; its uid (given or generated) must be free.

    The rows go in as Core inserts: the ORM's unit of work and the reads would cost more than the rest
    of a create together. An actor or topic deleted since the event was prepared is an Invalid naming it.
    """
    data = prepared.data
    # The source record its citation names (made when new: a write, hence here, not in the reads)
    # and its quote's anchor in a kept text.
    link = sources.citation_link(session, data.source, data.quote)
    # Core statements on the transaction's connection: the Session's execute adds its own work to
    # each, while this transaction holds SQLite's write lock (every other writer waits).
    conn = session.connection()
    event_id = None
    try:
        if prepared.before_write:
            # SQLite: inserted only if no write to an actor or topic (each moves the scope "*" on) came
            # after the reads; else (or when the uid is taken) read again, now, inside the transaction.
            if conn.dialect.name == "sqlite":
                event_id = _insert_event_unless_moved(conn, {**prepared.row, **link}, prepared.all_version)
            if event_id is None:
                prepared = prepare_event(session, data)
        row, record = {**prepared.row, **link}, prepared.record
        stances_stored = False
        if event_id is None:
            event_id = _insert_event(conn, row, prepared.stances)
            stances_stored = event_id is not None
        if event_id is None and data.uid is None:
            # A concurrent writer took the generated id between the look-up and the insert: the next one.
            row["uid"] = uids.readable_uid(session, prepared.actor_slug, data.date, data.title)
            record = event_record_of(SimpleNamespace(**row), prepared.actor_slug, prepared.stance_records)
            event_id = _insert_event(conn, row, prepared.stances)
            stances_stored = event_id is not None
        if event_id is None:
            raise Invalid({"uid": f"an event with the uid “{row['uid']}” already exists"})
        if prepared.stances and not stances_stored:
            conn.execute(_INSERT_STANCE, [{"event_id": event_id, **s} for s in prepared.stances])
    except IntegrityError as exc:  # a foreign key: the actor or a topic went away since the reads
        raise Invalid({"actor": "the actor or a topic was deleted meanwhile; check and send again"}) from exc
    revisions.log(
        session,
        revisions.Subject("event", event_id, row["uid"]),
        "create",
        after=_snapshot(record, row["version"], deleted=False),
        by=user_id,
    )
    return CreatedEvent(event_id, row["version"], record)


def create_event(session: Session, data: EventIn, user_id: int | None = None) -> CreatedEvent:
    """Add an event with its stances and its revision; its uid (given or generated) must be free."""
    return store_event(session, prepare_event(session, data), user_id)


_INSERT_EVENT_AND_STANCES: dict[tuple[str, ...], Any] = {}  # by column names: see _insert_event


def _insert_event(conn: Connection, row: dict[str, Any], stances: list[dict[str, Any]]) -> int | None:
    """Insert the event row unless its uid is taken (None then), and its stances when it went in.

    PostgreSQL: both in one statement (WITH e AS (INSERT ... RETURNING id) INSERT INTO stance ...),
    one round trip fewer per create; SQLite: the stances are inserted after, by the caller.
    """
    if conn.dialect.name != "postgresql":
        event_id = conn.execute(_insert_event_if_new(conn.dialect.name), row).scalar()
        if event_id is not None and stances:
            conn.execute(_INSERT_STANCE, [{"event_id": event_id, **s} for s in stances])
        return event_id
    columns = tuple(row)
    statement = _INSERT_EVENT_AND_STANCES.get(columns)
    if statement is None:
        event = (
            postgresql.insert(_EVENT)
            .values({c: bindparam(f"e_{c}", type_=_EVENT.c[c].type) for c in columns})
            .on_conflict_do_nothing(index_elements=["uid"])
            .returning(_EVENT.c.id)
            .cte("e")
        )
        given = (
            func.unnest(
                bindparam("topic_ids", type_=ARRAY(Integer)),
                bindparam("scores", type_=ARRAY(Integer)),
                bindparam("rationales", type_=ARRAY(Text)),
            )
            .table_valued("topic_id", "score", "rationale")
            .render_derived(name="given")
        )
        stance_rows = select(event.c.id, given.c.topic_id, given.c.score, given.c.rationale).select_from(
            event.join(given, true())
        )
        add_stances = insert(_STANCE).from_select(["event_id", "topic_id", "score", "rationale"], stance_rows)
        statement = _INSERT_EVENT_AND_STANCES[columns] = select(event.c.id).add_cte(add_stances.cte("s"))
    params: dict[str, Any] = {f"e_{c}": v for c, v in row.items()}
    params["topic_ids"] = [s["topic_id"] for s in stances]
    params["scores"] = [s["score"] for s in stances]
    params["rationales"] = [s["rationale"] for s in stances]
    return conn.execute(statement, params).scalar()


_INSERT_EVENT_CHECKED: dict[tuple[str, ...], Any] = {}  # by column names: see _insert_event_unless_moved
_SCOPE = DataScope.__table__  # type: ignore[attr-defined]


def _insert_event_unless_moved(conn: Connection, row: dict[str, Any], all_version: int | None) -> int | None:
    """INSERT ... SELECT ... WHERE the scope "*" is still at all_version ON CONFLICT (uid) DO NOTHING
    RETURNING id: the event's id, or None when an actor or topic changed since the reads (or the uid is
    taken). SQLite only (its write lock orders every write; PostgreSQL reads inside the transaction)."""
    columns = tuple(row)
    statement = _INSERT_EVENT_CHECKED.get(columns)
    if statement is None:
        now_all = select(_SCOPE.c.version).where(_SCOPE.c.scope == scopes.ALL).scalar_subquery()
        values = select(*(bindparam(f"v_{c}", type_=_EVENT.c[c].type) for c in columns)).where(
            now_all.is_not_distinct_from(bindparam("all_version", type_=BigInteger))
        )
        statement = _INSERT_EVENT_CHECKED[columns] = (
            sqlite.insert(_EVENT)
            .from_select(list(columns), values)
            .on_conflict_do_nothing(index_elements=["uid"])
            .returning(_EVENT.c.id)
        )
    params = {f"v_{c}": v for c, v in row.items()}
    return conn.execute(statement, {**params, "all_version": all_version}).scalar()


def _insert_event_if_new(dialect: str) -> Any:
    """INSERT ... ON CONFLICT (uid) DO NOTHING RETURNING id: the uid check and the insert in one statement."""
    if dialect not in _INSERT_EVENT:
        upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        _INSERT_EVENT[dialect] = (
            upsert(_EVENT).on_conflict_do_nothing(index_elements=["uid"]).returning(_EVENT.c.id)
        )
    return _INSERT_EVENT[dialect]


def apply_event_change(
    session: Session,
    event: Event,
    values: dict[str, Any],
    stances: list[dict[str, Any]],
    *,
    expected_version: int | None,
    user_id: int | None,
    action: str = "update",
) -> bool:
    """Save new values and stances if the event is still at the expected version; False if unchanged."""
    assert event.id is not None
    if "source_url" in values:  # the citation is saved: the source link follows it
        values = {
            **values,
            **sources.changed_link(session, event, sources.citation_of_row(values), values.get("quote")),
        }
    before = event_snapshot(session, event)
    current = sorted((s["topic"], s["score"], s["rationale"]) for s in before["stances"])
    topic_slugs = {t.id: t.slug for t in queries.topics_by_ids(session, [s["topic_id"] for s in stances])}
    wanted = sorted((topic_slugs[s["topic_id"]], s["score"], s["rationale"]) for s in stances)
    unchanged = all(getattr(event, k) == v for k, v in values.items()) and current == wanted
    version = event.version if expected_version is None else expected_version
    if version != event.version:
        raise Conflict(
            "This event was changed by someone else since you opened it "
            f"(you edited version {version}, it is now at version {event.version}). "
            "Your changes were not saved: open the event again and reapply them."
        )
    if unchanged:
        return False
    values = {**values, "version": version + 1}
    values.setdefault("updated_at", utcnow())
    # The version check is part of the UPDATE itself, so two concurrent saves cannot both win.
    result = session.execute(
        update(Event).where(col(Event.id) == event.id, col(Event.version) == version).values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("This event was changed by someone else at the same moment; your save was refused.")
    session.execute(delete(Stance).where(col(Stance.event_id) == event.id))
    session.add_all(Stance(event_id=event.id, **s) for s in stances)
    session.flush()
    session.refresh(event)
    revisions.log(session, event, action, before=before, after=event_snapshot(session, event), by=user_id)
    return True


def update_event(
    session: Session,
    event_id: int,
    raw: Mapping[str, Any],
    *,
    expected_version: int | None,
    user_id: int | None = None,
) -> Event:
    """Replace an event's fields and stances; refused if someone saved it since `expected_version`."""
    event = live_event(session, event_id)
    data: EventIn = validate(EventIn, {**raw, "uid": event.uid})
    values, stances = event_values(session, data)
    apply_event_change(session, event, values, stances, expected_version=expected_version, user_id=user_id)
    return event


def _mark_deleted(
    session: Session, event: Event, deleted_at: datetime | None, action: str, user_id: int | None
) -> Event:
    """Set or clear the soft-delete mark, as a new version with its revision."""
    assert event.id is not None
    before = event_snapshot(session, event)
    event.deleted_at = deleted_at
    event.version += 1
    session.flush()
    revisions.log(session, event, action, before=before, after=event_snapshot(session, event), by=user_id)
    return event


def delete_event(session: Session, event_id: int, *, user_id: int | None = None) -> Event:
    """Soft delete: the event leaves pages, search and exports, and can be restored."""
    return _mark_deleted(session, live_event(session, event_id), utcnow(), "delete", user_id)


def restore_event(session: Session, event_id: int, *, user_id: int | None = None) -> Event:
    """Bring a deleted event back, with its stances."""
    event = queries.event_by_id(session, event_id)
    if event is None or event.deleted_at is None:
        raise NotFound(f"No deleted event with the id {event_id}.")
    return _mark_deleted(session, event, None, "restore", user_id)


def purge_event(session: Session, event_id: int, *, user_id: int | None = None) -> None:
    """Remove a deleted event for good (admins only, enforced by the caller); the purge is logged."""
    event = queries.event_by_id(session, event_id)
    if event is None or event.deleted_at is None:
        raise Conflict("Only a deleted event can be purged: delete it first.")
    assert event.id is not None
    before = event_snapshot(session, event)
    revisions.log(session, event, "purge", before=before, by=user_id)
    session.delete(event)
    session.flush()


def prepare_submission(session: Session, event_raw: Mapping[str, Any]) -> PreparedEvent:
    """Validate an event for an existing actor and resolve it, with reads only (every field's error at
    once): the API validates before its write transaction, then calls store_event."""
    data: EventIn = validate(EventIn, dict(event_raw))
    return prepare_event(session, data)


def submit_event(
    session: Session,
    event_raw: Mapping[str, Any],
    new_actor_raw: Mapping[str, Any] | None = None,
    user_id: int | None = None,
) -> CreatedEvent:
    """Validate and store an event, creating its actor first when one is given inline.

    Every field's error is reported at once; nothing is stored unless everything is valid.
    """
    errors: dict[str, str] = {}
    raw = dict(event_raw)
    new_actor: ActorIn | None = None
    if new_actor_raw is not None:
        try:
            new_actor = validate(ActorIn, new_actor_raw)
            raw["actor"] = new_actor.slug
        except Invalid as exc:
            errors.update({f"new_actor.{k}": v for k, v in exc.fields.items()})
            raw["actor"] = "placeholder"
    try:
        data: EventIn = validate(EventIn, raw)
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(errors)
    if new_actor is not None:
        try:
            create_actor(session, new_actor, user_id)
        except Invalid as exc:
            raise Invalid({f"new_actor.{k}": v for k, v in exc.fields.items()}) from exc
    return create_event(session, data, user_id)
