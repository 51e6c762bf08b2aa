"""What the query modules share: the listing filters, the event order, live events, table handles."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import LargeBinary, String, cast, func, literal, literal_column, select, text, type_coerce
from sqlmodel import Session, col

from ..models import CONFIDENCE_RANK, Actor, Confidence, Event, Stance, Topic


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


# A write only refers to actors and topics: Core rows from statements built once cost a fraction of
# ORM objects, and a create runs these inside its write transaction, while other writers wait.
_ACTORS, _TOPICS = Actor.__table__, Topic.__table__  # type: ignore[attr-defined]


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


# Soft-deleted events leave every public read.
_LIVE = col(Event.deleted_at).is_(None)


_ORDER = (col(Event.date_earliest), col(Event.date_latest), col(Event.id))


# Reads that list many events return Core rows, not ORM objects: rows have the same attributes
# (row.title, row.date_earliest...) and cost a fraction to build. Editing loads objects by id.
_EVENT = Event.__table__  # type: ignore[attr-defined]


_STANCE = Stance.__table__  # type: ignore[attr-defined]


_ACTOR = Actor.__table__  # type: ignore[attr-defined]


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


def data_version(session: Session) -> int:
    """The number every data write bumps (an import plan is valid while it stays the same)."""
    return int(session.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar_one())
