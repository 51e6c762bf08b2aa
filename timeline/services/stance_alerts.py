"""Webhook `stance.changed`: the shifts and reversals a write created, moved or removed.

The webhooks job (never a request) computes every stance change from a read snapshot, exactly as the
stance-change feed does (services/stance_changes.py), and compares them with the ones it computed last
time (table stance_watch, with the change-log place they hold). Each difference becomes one delivery
to each webhook subscribed to `stance.changed`, filed in the same short write that moves the watch
on. A change is keyed by the statement it arrives at (topic, speaker, statement): "moved" means the
statement it comes from, or a score, is no longer the same. The watch keeps keys and those (uids and
scores), so a removed change is described by them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import insert, update
from sqlmodel import Session, col

from .. import queries
from ..models import StanceWatch, WebhookDelivery, utcnow
from . import changes
from .history import StancePoint
from .records import dumps, iso_utc
from .stance_changes import StanceChange, changes_of, site_histories

EVENT_TYPE = "stance.changed"
CREATED, MOVED, REMOVED = "created", "moved", "removed"
_INSERT_DELIVERY = insert(WebhookDelivery.__table__)  # type: ignore[attr-defined]


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


def current_changes(session: Session) -> dict[Key, StanceChange]:
    """Every stance change in the snapshot, by key."""
    return {c.key: c for c in changes_of(site_histories(session))}


def fingerprint(change: StanceChange) -> Fingerprint:
    return (change.before.event_uid, change.from_score, change.to_score, change.change)


def dump_state(found: dict[Key, StanceChange]) -> str:
    """What the watch keeps: each change's key and fingerprint (no titles: a few dozen bytes each)."""
    return dumps(sorted([*key, *fingerprint(c)] for key, c in found.items()))


def load_state(text: str) -> dict[Key, Fingerprint]:
    return {(t, s, a): (b, f, to, ch) for t, s, a, b, f, to, ch in orjson.loads(text)}


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
    """From a read snapshot: the watch's new state and place, and the differences to deliver."""

    from_position: tuple[int, int] | None  # None: no watch yet (this run sets the baseline)
    to_position: tuple[int, int]
    state: str  # dump_state of the changes now
    differences: list[dict[str, Any]]
    webhook_ids: list[int]


def plan(session: Session) -> WatchPlan | None:
    """None when no webhook wants stance changes, or nothing was written since the last computation."""
    hooks = [h.id for h in queries.all_webhooks(session) if EVENT_TYPE in h.events and h.id is not None]
    watch = queries.stance_watch(session)
    position = changes.latest_position(session)
    if not hooks:
        # Nobody listens: the watch is dropped (see file()), so a later subscriber starts from a fresh one.
        return None if watch is None else WatchPlan((watch.seq, watch.n), position, "[]", [], [])
    if watch is not None and (watch.seq, watch.n) == position:
        return None
    now = current_changes(session)
    if watch is None:
        return WatchPlan(None, position, dump_state(now), [], hooks)
    moved = differences(load_state(watch.changes), now)
    return WatchPlan((watch.seq, watch.n), position, dump_state(now), moved, hooks)


def file(session: Session, watch_plan: WatchPlan) -> int:
    """In a short write: move the watch on (once: its place is claimed) and file the deliveries."""
    if not watch_plan.webhook_ids:
        session.execute(StanceWatch.__table__.delete())  # type: ignore[attr-defined]
        return 0
    new_seq, new_n = watch_plan.to_position
    known = watch_plan.state
    if watch_plan.from_position is None:
        if queries.stance_watch(session) is not None:
            return 0  # another run set the baseline meanwhile
        session.add(StanceWatch(id=1, seq=new_seq, n=new_n, changes=known))
        return 0
    seq, n = watch_plan.from_position
    claimed = session.execute(
        update(StanceWatch)
        .where(col(StanceWatch.id) == 1, col(StanceWatch.seq) == seq, col(StanceWatch.n) == n)
        .values(seq=new_seq, n=new_n, changes=known, updated_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]
    if not claimed or not watch_plan.differences:
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
