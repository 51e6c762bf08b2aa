"""The changes feed, webhooks and their deliveries, the stance watch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, or_, select
from sqlmodel import Session, col

from ..models import ChangeEntry, Revision, StanceWatch, Webhook, WebhookDelivery
from .common import _EVENT

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
    """The stance changes the webhooks job last computed (None before its first run with a subscriber)."""
    return session.get(StanceWatch, 1)
