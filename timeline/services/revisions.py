"""Revisions: every change keeps the complete record before and after; diffs for people to read."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import insert
from sqlmodel import Session

from .. import feedlog, queries, scopes
from ..models import Actor, Event, Revision, Topic, utcnow

# Derived or bookkeeping fields: recorded in snapshots, left out of the readable diff.
_NOT_DIFFED = {"date_earliest", "date_latest", "date_display", "created_at", "updated_at", "version"}
_TOKEN = re.compile(r"\S+\s*|\s+")  # a word with the spaces after it
_INSERT_REVISION = insert(Revision.__table__)  # type: ignore[attr-defined]
_ENTITY = {Event: ("event", "uid"), Actor: ("actor", "slug"), Topic: ("topic", "slug")}  # name, key column


def _write(
    session: Session,
    *,
    entity: str,
    entity_id: int,
    key: str,
    action: str,
    user_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Write one revision in the caller's transaction (a Core insert); it joins the changes feed at commit."""
    # An event's change reaches its actor and topics; an actor's or topic's may reach any page.
    scopes.note(session, *(scopes.of_event(before, after) if entity == "event" else [scopes.ALL]))
    # Core on the transaction's connection (cheaper than the Session's execute, under the write lock),
    # after the ORM changes pending before it, as the Session's execute would; write_session knows of
    # the write by the feed entry noted below.
    session.flush()
    result = session.connection().execute(
        _INSERT_REVISION,
        {
            "entity": entity,
            "entity_id": entity_id,
            "entity_key": key,
            "action": action,
            "user_id": user_id,
            "at": utcnow(),
            "before": before,
            "after": after,
        },
    )
    inserted = result.inserted_primary_key
    assert inserted is not None
    feedlog.note(session, int(inserted[0]))


class Subject(NamedTuple):
    """What a revision is about, for a record not loaded as a row (an event inserted with Core)."""

    entity: str  # event, actor, topic
    id: int
    key: str  # uid or slug


def log(
    session: Session,
    subject: Event | Actor | Topic | Subject,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    by: int | None,
) -> None:
    """Record one revision of a row (or a Subject): `action` is create, update, delete, restore or purge;
    `by` is the editor's user id (None: the system, e.g. a seed)."""
    if not isinstance(subject, Subject):
        assert subject.id is not None
        entity, key = _ENTITY[type(subject)]
        subject = Subject(entity, subject.id, getattr(subject, key))
    _write(
        session,
        entity=subject.entity,
        entity_id=subject.id,
        key=subject.key,
        action=action,
        user_id=by,
        before=before,
        after=after,
    )


def purge(session: Session, row: Actor | Topic, before: dict[str, Any], user_id: int | None) -> None:
    """Delete a row for good, keeping its last state in a "purge" revision."""
    log(session, row, "purge", before=before, by=user_id)
    session.delete(row)
    session.flush()


def history(session: Session, entity: str, entity_id: int) -> list[tuple[Revision, str | None]]:
    """A record's revisions, newest first, with the editor's name."""
    return queries.revisions_of(session, entity, entity_id)


def audit(
    session: Session,
    *,
    editor: str | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
    limit: int = 200,
) -> list[tuple[Revision, str | None]]:
    """The latest changes across the site, optionally by one editor and within days (UTC)."""
    since = datetime.combine(day_from, time.min, UTC) if day_from else None
    # Up to the end of day_to; the calendar's last day has no next day to stop at.
    until = (
        datetime.combine(day_to + timedelta(days=1), time.min, UTC) if day_to and day_to < date.max else None
    )
    return queries.recent_revisions(session, editor=editor, since=since, until=until, limit=limit)


@dataclass(frozen=True)
class FieldChange:
    """One field that differs between two snapshots; text fields carry a word diff."""

    field: str
    before: str | None
    after: str | None
    words: list[tuple[str, str]] | None  # ("equal" | "delete" | "insert", text)


def _flatten(snapshot: dict[str, Any] | None) -> dict[str, str | None]:
    flat: dict[str, str | None] = {}
    for key, value in (snapshot or {}).items():
        if key in _NOT_DIFFED:
            continue
        if isinstance(value, dict):
            for sub, subvalue in value.items():
                flat[f"{key}.{sub}"] = None if subvalue is None else str(subvalue)
        elif key == "stances" and isinstance(value, list):
            lines = [
                f"{s.get('topic')}: {s.get('score'):+d}"
                + (f" ({s['rationale']})" if s.get("rationale") else "")
                for s in value
            ]
            flat[key] = "\n".join(sorted(lines)) or None
        elif isinstance(value, list):
            flat[key] = ", ".join(str(v) for v in value) or None
        else:
            flat[key] = None if value is None else str(value)
    return flat


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """A word-level diff of two texts, in logical order (right-to-left scripts included)."""
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(("insert", "".join(b[j1:j2])))
    return out


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldChange]:
    """Field-by-field differences, in a stable field order."""
    old, new = _flatten(before), _flatten(after)
    changes = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        words = word_diff(a, b) if a is not None and b is not None else None
        changes.append(FieldChange(name, a, b, words))
    return changes
