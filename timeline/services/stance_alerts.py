"""Webhook `stance.changed`: the shifts and reversals a write created, moved or removed.

The webhooks job (never a request) computes stance changes from a read snapshot, exactly as the
stance-change feed does (services/stance_changes.py), and compares them with the ones it computed last
time (table stance_watch_change; stance_watch holds the change-log place they stand for). Only the
series (topic, speaker) that the writes since that place touched are computed again, found from the
change log's revisions; the first run takes stock of all. Each difference becomes one delivery to each
webhook subscribed to `stance.changed`, filed in the same short write that moves the watch on and
rewrites only the rows that changed. A change is keyed by the statement it arrives at (topic, speaker,
statement): "moved" means the statement it comes from, or a score, is no longer the same. The watch
keeps keys and those (uids and scores), so a removed change is described by them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, tuple_, update
from sqlmodel import Session, col

from .. import queries
from ..models import StanceWatch, StanceWatchChange, WebhookDelivery, utcnow
from . import changes
from .history import StancePoint
from .records import dumps, iso_utc
from .stance_changes import StanceChange, changes_of, series_histories, site_histories

EVENT_TYPE = "stance.changed"
CREATED, MOVED, REMOVED = "created", "moved", "removed"
_INSERT_DELIVERY = insert(WebhookDelivery.__table__)  # type: ignore[attr-defined]
_WATCHED = StanceWatchChange.__table__  # type: ignore[attr-defined]
_WATCHED_KEY = (_WATCHED.c.topic, _WATCHED.c.speaker, _WATCHED.c.after_uid)
_WATCHED_COLUMNS = ("topic", "speaker", "after_uid", "before_uid", "from_score", "to_score", "change")
_INSERT_WATCHED = insert(_WATCHED)
_DELETE_WATCHED = delete(_WATCHED)


def _statement(point: StancePoint, score: int) -> dict[str, Any]:
    return {
        "event_uid": point.event_uid,
        "title": point.title,
        "date": point.edtf,
        "date_display": point.display,
        "speaker_role": point.speaker_role,
        "score": score,
    }


def record_of(change: StanceChange) -> dict[str, Any]:
    """A stance change as deliveries carry it."""
    return {
        "speaker": change.speaker_slug,
        "speaker_name": change.speaker_name,
        "topic": change.topic_slug,
        "topic_name": change.topic_name,
        "change": change.change,
        "from_score": change.from_score,
        "to_score": change.to_score,
        "before": _statement(change.before, change.from_score),
        "after": _statement(change.after, change.to_score),
    }


Key = tuple[str, str, str]  # topic, speaker, the later statement's uid
Fingerprint = tuple[str, int, int, str]  # the earlier statement's uid, from score, to score, change
Series = tuple[str, str]  # topic, speaker


def current_changes(session: Session, series: set[Series] | None = None) -> dict[Key, StanceChange]:
    """Every stance change in the snapshot, or those of these (topic, speaker) series, by key."""
    if series is None:
        return {c.key: c for c in changes_of(site_histories(session))}
    ids = {a.slug: a.id for a in queries.all_actors(session) if a.id is not None}
    keys = {(ids[speaker], topic) for topic, speaker in series if speaker in ids}
    return {c.key: c for c in changes_of(series_histories(session, keys))}


def fingerprint(change: StanceChange) -> Fingerprint:
    return (change.before.event_uid, change.from_score, change.to_score, change.change)


def watched(session: Session, series: set[Series] | None) -> dict[Key, Fingerprint]:
    """The changes the watch kept, of these series or all."""
    return {
        (r.topic, r.speaker, r.after_uid): (r.before_uid, r.from_score, r.to_score, r.change)
        for r in queries.watched_changes(session, series)
    }


def touched_series(session: Session, position: tuple[int, int]) -> set[Series] | None:
    """The (topic, speaker) series whose statements a write changed after `position` (the events'
    records before and after each revision); None when a renamed or removed actor or topic touches
    every series it had."""
    found: set[Series] = set()
    for entity, before, after in queries.revision_records_after(session, *position):
        if entity != "event":
            old, new = (before or {}).get("slug"), (after or {}).get("slug")
            if old is not None and old != new:
                return None
            continue
        for record in (before, after):
            if record:
                found.update((s["topic"], record["actor"]) for s in record.get("stances") or [])
    return found


def _remembered(key: Key, known: Fingerprint) -> dict[str, Any]:
    """A change as the watch remembers it (uids and scores): the statements may be gone."""
    topic, speaker, after_uid = key
    before_uid, from_score, to_score, change = known
    return {
        "speaker": speaker,
        "topic": topic,
        "change": change,
        "from_score": from_score,
        "to_score": to_score,
        "before": {"event_uid": before_uid, "score": from_score},
        "after": {"event_uid": after_uid, "score": to_score},
    }


def differences(before: dict[Key, Fingerprint], after: dict[Key, StanceChange]) -> list[dict[str, Any]]:
    """What moved between two computations: each created, moved or removed change, in key order."""
    found = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if new is None:
            assert old is not None
            found.append({"action": REMOVED, "stance_change": _remembered(key, old)})
        elif old is None:
            found.append({"action": CREATED, "stance_change": record_of(new)})
        elif old != fingerprint(new):
            found.append(
                {"action": MOVED, "stance_change": record_of(new), "previous": _remembered(key, old)}
            )
    return found


@dataclass(frozen=True)
class WatchPlan:
    """From a read snapshot: the watch's new place, and the differences to deliver and to keep."""

    from_position: tuple[int, int] | None  # None: no watch yet (this run sets the baseline)
    to_position: tuple[int, int]
    differences: list[dict[str, Any]]
    webhook_ids: list[int]
    kept: dict[Key, Fingerprint | None]  # what the watch keeps of each changed key (None: forgets it)


def plan(session: Session) -> WatchPlan | None:
    """None when no webhook wants stance changes, or nothing was written since the last computation.

    Only the series the writes since the watch's place touched are computed (the first run takes
    stock of every series once).
    """
    hooks = [h.id for h in queries.all_webhooks(session) if EVENT_TYPE in h.events and h.id is not None]
    watch = queries.stance_watch(session)
    position = changes.latest_position(session)
    if not hooks:
        # Nobody listens: the watch is dropped (see file()), so a later subscriber starts from a fresh one.
        return None if watch is None else WatchPlan((watch.seq, watch.n), position, [], [], {})
    if watch is not None and (watch.seq, watch.n) == position:
        return None
    if watch is None:
        now = current_changes(session)
        return WatchPlan(None, position, [], hooks, {key: fingerprint(c) for key, c in now.items()})
    series = touched_series(session, (watch.seq, watch.n))
    now = current_changes(session, series)
    before = watched(session, series)
    moved = differences(before, now)
    kept: dict[Key, Fingerprint | None] = {key: None for key in before.keys() - now.keys()}
    kept.update((key, fingerprint(c)) for key, c in now.items() if before.get(key) != fingerprint(c))
    return WatchPlan((watch.seq, watch.n), position, moved, hooks, kept)


def _keep(session: Session, kept: dict[Key, Fingerprint | None]) -> None:
    """Write what changed of the watch's changes: rows of gone keys deleted, moved ones replaced."""
    keys = sorted(kept)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        session.execute(_DELETE_WATCHED.where(tuple_(*_WATCHED_KEY).in_(chunk)))
    rows = [
        dict(zip(_WATCHED_COLUMNS, (*key, *known), strict=True))
        for key, known in sorted(kept.items())
        if known is not None
    ]
    if rows:
        session.execute(_INSERT_WATCHED, rows)


def file(session: Session, watch_plan: WatchPlan) -> int:
    """In a short write: move the watch on (once: its place is claimed), keep what changed, and file the
    deliveries."""
    if not watch_plan.webhook_ids:
        session.execute(StanceWatch.__table__.delete())  # type: ignore[attr-defined]
        session.execute(_DELETE_WATCHED)
        return 0
    new_seq, new_n = watch_plan.to_position
    if watch_plan.from_position is None:
        if queries.stance_watch(session) is not None:
            return 0  # another run set the baseline meanwhile
        session.execute(_DELETE_WATCHED)
        session.add(StanceWatch(id=1, seq=new_seq, n=new_n))
        _keep(session, watch_plan.kept)
        return 0
    seq, n = watch_plan.from_position
    claimed = session.execute(
        update(StanceWatch)
        .where(col(StanceWatch.id) == 1, col(StanceWatch.seq) == seq, col(StanceWatch.n) == n)
        .values(seq=new_seq, n=new_n, updated_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]
    if not claimed:
        return 0
    _keep(session, watch_plan.kept)
    if not watch_plan.differences:
        return 0
    now = utcnow()
    rows = [
        {
            "webhook_id": hook_id,
            "event_type": EVENT_TYPE,
            "change_seq": watch_plan.to_position[0],
            "change_n": watch_plan.to_position[1],
            "item": item,
            "body": dumps({"type": EVENT_TYPE, "timestamp": iso_utc(now), "data": difference}),
            "status": "pending",
            "attempts": 0,
            "created_at": now,
        }
        for hook_id in watch_plan.webhook_ids
        for item, difference in enumerate(watch_plan.differences)
    ]
    session.execute(_INSERT_DELIVERY, rows)
    return len(rows)
