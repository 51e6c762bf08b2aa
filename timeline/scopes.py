"""What a write touches, for the response cache: scopes with version numbers that writes move on.

Every data write still bumps the one data version (the signal that something changed). A write also
bumps the scopes it touched: an event write bumps its actor's scope (before and after) and the scope
of each topic its stances carry (before and after); a write whose reach is not known (actors, topics,
bulk loads) bumps the scope ``*``, on which every scoped page depends. A cached page names the scopes
it shows (an actor page: its actor and its members; a topic page: its topic); one without names
depends on the data version itself, so that any write renews it.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from .models import DataScope

ALL = "*"  # the scope of writes whose reach is not known
CHANNEL = "timeline_data"  # PostgreSQL: every data write notifies it (caches listen)
DATA = "data"  # not a row: the data version itself (a page that names no scope depends on it)
_INFO_KEY = "timeline.scopes"


def actor(slug: str) -> str:
    return f"actor:{slug}"


def topic(slug: str) -> str:
    return f"topic:{slug}"


def note(session: Session, *scopes: str) -> None:
    """Record that the session's write transaction touches these scopes."""
    session.info.setdefault(_INFO_KEY, set()).update(scopes)


def of_event(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> set[str]:
    """The scopes an event's change touches, from its snapshots before and after."""
    touched: set[str] = set()
    for record in (before, after):
        if not record:
            continue
        touched.add(actor(str(record.get("actor"))))
        for stance in record.get("stances") or ():
            touched.add(topic(str(stance.get("topic"))))
    return touched


def touched(session: Session) -> list[str]:
    """The scopes to bump for the session's write: ``*`` alone when its reach is not known."""
    noted: set[str] = session.info.pop(_INFO_KEY, set())
    if not noted or ALL in noted:
        return [ALL]
    return sorted(noted)  # one order for every writer: no deadlock between two on PostgreSQL


_TABLE = DataScope.__table__  # type: ignore[attr-defined]


def _upsert(dialect: Any) -> Any:
    ins = postgresql.insert(_TABLE) if dialect.name == "postgresql" else sqlite.insert(_TABLE)
    return ins.on_conflict_do_update(index_elements=["scope"], set_={"version": _TABLE.c.version + 1})


_UPSERTS: dict[str, Any] = {}


def bump(executor: Session | Connection, scopes: Iterable[str]) -> None:
    """Move each scope's version on by one (created at 1), in the caller's transaction."""
    dialect = executor.dialect if isinstance(executor, Connection) else executor.get_bind().dialect
    statement = _UPSERTS.get(dialect.name)
    if statement is None:
        statement = _UPSERTS[dialect.name] = _upsert(dialect)
    executor.execute(statement, [{"scope": scope, "version": 1} for scope in scopes])
    if dialect.name == "postgresql":
        # Delivered at commit to every listening worker; the payload lets the writer wait for its own.
        notice = new_notice()
        executor.execute(_NOTIFY, {"channel": CHANNEL, "notice": notice})


def new_notice() -> str:
    """A payload no other write sends: this process's id and a counter."""
    return f"{os.getpid()}-{next(_NOTICES)}"


NOTICE_KEY = "timeline.notice"
_NOTICES = itertools.count()
_NOTIFY = text("SELECT pg_notify(:channel, :notice)")
