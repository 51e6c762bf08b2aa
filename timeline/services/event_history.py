"""An event's history for people: each revision's changes, and restoring an earlier version as a new one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from .. import queries
from ..dates import InvalidDate, parse_date
from ..models import Event, Revision, Topic
from ..schemas import EventIn
from . import events, revisions
from .errors import Conflict, Invalid, NotFound
from .revisions import FieldChange
from .validation import validate
from .visibility import is_visible

# What a version is made of: restoring one brings these back (the uid, bounds and stamps follow).
CONTENT = (
    "actor",
    "kind",
    "title",
    "date",
    "date_basis",
    "quote",
    "summary",
    "location",
    "speaker_role",
    "source",
    "confidence",
    "stances",
)
_DATE_FIELDS = {"date", "source.published"}


@dataclass(frozen=True)
class ChangeRow:
    """One changed field: its values, a word diff for texts, dates in words, stances as lists."""

    change: FieldChange
    before_words: str | None = None  # a date's reading ("February 2021")
    after_words: str | None = None
    stances_before: list[dict[str, Any]] | None = None
    stances_after: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class HistoryEntry:
    revision: Revision
    editor: str | None
    rows: list[ChangeRow]
    restorable: bool  # its content differs from the live event's: "Restore this version" is offered
    restores: Revision | None  # the earlier revision whose content this one brought back


@dataclass(frozen=True)
class EventHistory:
    key: str  # the uid, kept after a purge
    event: Event | None  # None once purged
    entries: list[HistoryEntry]
    topics: list[Topic]  # to name the stances' topics

    @property
    def deleted(self) -> bool:
        return self.event is not None and self.event.deleted_at is not None


def content(snapshot: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A snapshot's content (CONTENT fields, stances in a stable order); None for a purge."""
    if snapshot is None:
        return None
    found = {k: snapshot.get(k) for k in CONTENT}
    found["stances"] = sorted(
        ((s.get("topic"), s.get("score"), s.get("rationale")) for s in snapshot.get("stances") or []),
        key=repr,
    )
    return found


def _date_words(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return parse_date(value).display
    except InvalidDate:  # a date an older parser accepted: shown as stored
        return None


def _rows(rev: Revision) -> list[ChangeRow]:
    rows = []
    for change in revisions.diff(rev.before, rev.after):
        if change.field in _DATE_FIELDS:
            rows.append(ChangeRow(change, _date_words(change.before), _date_words(change.after)))
        elif change.field == "stances":
            before = (rev.before or {}).get("stances") or []
            after = (rev.after or {}).get("stances") or []
            rows.append(ChangeRow(change, stances_before=list(before), stances_after=list(after)))
        else:
            rows.append(ChangeRow(change))
    return rows


def event_history(session: Session, event_id: int, *, signed_in: bool) -> EventHistory:
    """The history page of an event, newest first; a deleted event's history is for editors only."""
    found = revisions.history(session, "event", event_id) if 0 < event_id < 2**31 else []
    if not found:
        raise NotFound(f"No history for the event {event_id}.")
    current = queries.event_by_id(session, event_id)
    if current is not None and not is_visible(current, editor=signed_in):
        raise NotFound(f"No event with the id {event_id}.")
    live = None
    if current is not None and current.deleted_at is None:
        live = content(events.event_snapshot(session, current))
    oldest_first = list(reversed(found))
    entries = []
    for i, (rev, editor) in enumerate(oldest_first):
        after = content(rev.after)
        previous = content(oldest_first[i - 1][0].after) if i else None
        restores = None
        if rev.action == "update" and after is not None and after != previous:
            earlier = [r for r, _ in oldest_first[: max(0, i - 1)] if content(r.after) == after]
            restores = earlier[-1] if earlier else None
        restorable = live is not None and after is not None and after != live and rev.action != "purge"
        entries.append(HistoryEntry(rev, editor, _rows(rev), restorable, restores))
    topics = list(queries.all_topics(session))
    return EventHistory(found[0][0].entity_key, current, list(reversed(entries)), topics)


def restore_version(
    session: Session, event_id: int, revision_id: int, *, expected_version: int | None, user_id: int | None
) -> bool:
    """Save an earlier version's content as a new revision (history is never rewritten).

    Refused for a deleted or purged event (Conflict, NotFound), when someone saved the event since
    `expected_version` or the version's content fails today's rules (Conflict); False when the event
    already has that content.
    """
    rev = session.get(Revision, revision_id)
    if rev is None or rev.entity != "event" or rev.entity_id != event_id:
        raise NotFound(f"The event {event_id} has no version {revision_id}.")
    event = queries.event_by_id(session, event_id)
    if event is None:
        raise NotFound(f"The event {event_id} was purged: its versions can no longer be restored.")
    if event.deleted_at is not None:
        raise Conflict(
            "This event is deleted: restore the event first (Deleted events), then restore a version."
        )
    if rev.after is None:
        raise Conflict("a purge has no version to restore")
    raw = {k: rev.after.get(k) for k in CONTENT if k in rev.after}
    raw["stances"] = [
        {"topic": s["topic"], "score": s["score"], "rationale": s.get("rationale")}
        for s in rev.after.get("stances") or []
    ]
    try:
        data = validate(EventIn, {**raw, "uid": event.uid})
        values, stances = events.event_values(session, data)
    except Invalid as exc:  # the old content fails today's rules (a date an older parser took...)
        raise Conflict("; ".join(exc.fields.values()) or exc.message) from exc
    return events.apply_event_change(
        session, event, values, stances, expected_version=expected_version, user_id=user_id
    )
