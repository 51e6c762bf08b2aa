"""Webhooks: editors' https URLs that receive signed JSON POSTs for the changes they chose.

Deliveries follow the changes feed (services/changes.py): each webhook keeps its place in it. The
scheduler files new changes as deliveries (a short write), sends the due ones with no transaction
open, then records each outcome (a short write): sending never holds a database lock. Bodies are
signed the Standard Webhooks way (HMAC-SHA256 over id, timestamp and body; the `standardwebhooks`
package, which receivers can use too). A failed attempt is retried with exponential backoff, then
the delivery is marked failed.
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import insert, update
from sqlmodel import Session, col
from standardwebhooks import Webhook as Signer

from .. import queries
from ..models import Webhook, WebhookDelivery, utcnow
from . import changes, netguard
from .errors import Invalid, NotFound
from .records import dumps, iso_utc

USER_AGENT = "StanceTimeline-webhooks/1.0"
MAX_URL = 2000
EVENT_TYPES = {
    "event.created": "Statement created (or restored)",
    "event.updated": "Statement updated",
    "event.deleted": "Statement deleted",
    # Filed by services/stance_alerts.py: a shift or reversal created, moved or removed.
    "stance.changed": "Stance change (a shift or reversal created, moved or removed)",
}
_TYPE_OF_EVENT_ACTION = {
    "create": "event.created",
    "restore": "event.created",
    "update": "event.updated",
    "delete": "event.deleted",
    # A purge removes an event that was already deleted: its followers heard of the deletion.
}
_INSERT_DELIVERY = insert(WebhookDelivery.__table__)  # type: ignore[attr-defined]


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL, when it is an https address the guard would let through (IP literals checked here)."""
    url = (url or "").strip()
    if not url:
        raise Invalid({"url": "an https:// address is required"}, "Webhook not saved.")
    parts = urlsplit(url)
    if len(url) > MAX_URL or parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in url):
        raise Invalid(
            {"url": f"must be an https:// address (up to {MAX_URL} characters)"}, "Webhook not saved."
        )
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        literal = None  # a name: the guard checks the address it resolves to, at each delivery
    if literal is not None and not allow_private and netguard.forbidden(str(literal)):
        raise Invalid({"url": f"{parts.hostname}: {netguard.PRIVATE_MESSAGE}"}, "Webhook not saved.")
    return url


def register(
    session: Session, url: str, events: Iterable[str], user_id: int | None, *, allow_private: bool = False
) -> Webhook:
    """Add a webhook for the chosen event types; it receives the changes committed from now on."""
    url = check_url(url, allow_private=allow_private)
    chosen = sorted(set(events))
    unknown = [e for e in chosen if e not in EVENT_TYPES]
    if unknown or not chosen:
        raise Invalid(
            {"events": "choose one or more of " + ", ".join(EVENT_TYPES)}
            if not unknown
            else {"events": f"unknown event type “{unknown[0]}”; choose from " + ", ".join(EVENT_TYPES)},
            "Webhook not saved.",
        )
    seq, n = changes.latest_position(session)
    hook = Webhook(url=url, events=chosen, secret=new_secret(), created_by=user_id, after_seq=seq, after_n=n)
    session.add(hook)
    session.flush()
    return hook


def remove(session: Session, webhook_id: int) -> None:
    """Delete a webhook and its delivery log."""
    hook = session.get(Webhook, webhook_id)
    if hook is None:
        raise NotFound(f"No webhook {webhook_id}.")
    session.delete(hook)


def event_type_of(entity: str, action: str) -> str | None:
    """The webhook event type of a change, if webhooks send it."""
    return _TYPE_OF_EVENT_ACTION.get(action) if entity == "event" else None


# --- 1. filing new changes as deliveries ---------------------------------------------------------


@dataclass(frozen=True)
class NewDelivery:
    event_type: str
    seq: int
    n: int
    body: str


@dataclass(frozen=True)
class HookPlan:
    """What one webhook gets from the changes after its place: deliveries, and its new place."""

    webhook_id: int
    from_position: tuple[int, int]
    to_position: tuple[int, int]
    deliveries: list[NewDelivery]


def body_of(event_type: str, change: changes.Change) -> str:
    """The JSON body of a delivery: Standard Webhooks' {type, timestamp, data}, data being the change."""
    return dumps({"type": event_type, "timestamp": iso_utc(change.at), "data": change.as_dict()})


def plan_deliveries(session: Session, batch: int = 500) -> list[HookPlan]:
    """From a read snapshot: each webhook's deliveries for the changes after its place (up to `batch`)."""
    plans = []
    for hook in queries.all_webhooks(session):
        assert hook.id is not None
        rows = queries.changes_after(session, hook.after_seq, hook.after_n, batch)
        if not rows:
            continue
        wanted = set(hook.events)
        deliveries = []
        for row in rows:
            event_type = event_type_of(row.entity, row.action)
            if event_type in wanted:
                deliveries.append(
                    NewDelivery(event_type, row.seq, row.n, body_of(event_type, changes.change_of(row)))
                )
        plans.append(
            HookPlan(hook.id, (hook.after_seq, hook.after_n), (rows[-1].seq, rows[-1].n), deliveries)
        )
    return plans


def file_deliveries(session: Session, plans: list[HookPlan]) -> int:
    """In a short write: move each webhook's place on and file its deliveries (once: the place is claimed)."""
    filed = 0
    now = utcnow()
    for plan in plans:
        claimed = session.execute(
            update(Webhook)
            .where(
                col(Webhook.id) == plan.webhook_id,
                col(Webhook.after_seq) == plan.from_position[0],
                col(Webhook.after_n) == plan.from_position[1],
            )
            .values(after_seq=plan.to_position[0], after_n=plan.to_position[1])
        ).rowcount  # type: ignore[attr-defined]
        if not claimed or not plan.deliveries:
            continue  # deleted meanwhile, or another run filed these
        session.execute(
            _INSERT_DELIVERY,
            [
                {
                    "webhook_id": plan.webhook_id,
                    "event_type": d.event_type,
                    "change_seq": d.seq,
                    "change_n": d.n,
                    "body": d.body,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                }
                for d in plan.deliveries
            ],
        )
        filed += len(plan.deliveries)
    return filed


# --- 2. sending, with no transaction open -------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    webhook_id: int
    url: str
    secret: str
    body: str
    attempts: int  # before this one


@dataclass(frozen=True)
class Attempt:
    outgoing: Outgoing
    at: datetime
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


def due(session: Session, limit: int = 200) -> list[Outgoing]:
    """From a read snapshot: pending deliveries whose attempt is due, oldest first."""
    return [
        Outgoing(d.id or 0, w.id or 0, w.url, w.secret, d.body, d.attempts)
        for d, w in queries.due_deliveries(session, utcnow(), limit)
    ]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a webhook answers itself: a redirect is a failed delivery, never followed


def signed_headers(outgoing: Outgoing, now: datetime) -> dict[str, str]:
    """The Standard Webhooks headers: webhook-id (the same on every retry), -timestamp, -signature."""
    message_id = f"msg_{outgoing.delivery_id}"
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Signer(outgoing.secret).sign(message_id, now, outgoing.body),
    }


def post(
    outgoing: Outgoing, *, timeout: float, allow_private: bool, context: ssl.SSLContext | None = None
) -> Attempt:
    """POST one delivery through the private-address guard; never raises for a network failure."""
    now = utcnow()
    if urlsplit(outgoing.url).scheme != "https":
        return Attempt(outgoing, now, None, "not an https:// address; not sent")
    request = urllib.request.Request(  # noqa: S310 (https checked above)
        outgoing.url, data=outgoing.body.encode("utf-8"), method="POST", headers=signed_headers(outgoing, now)
    )
    opener = netguard.opener(allow_private=allow_private, handlers=(_NoRedirect,), context=context)
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(64 * 1024)
            return Attempt(outgoing, now, response.status, None)
    except urllib.error.HTTPError as exc:
        exc.close()
        return Attempt(outgoing, now, exc.code, f"the receiver answered {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Attempt(outgoing, now, None, f"not delivered: {reason}"[:500])


def send_all(
    outgoing: list[Outgoing], send: Callable[[Outgoing], Attempt], concurrency: int = 4
) -> list[Attempt]:
    """Each webhook's deliveries in order, webhooks side by side; a webhook that fails waits for its retry."""
    by_hook: dict[int, list[Outgoing]] = {}
    for item in outgoing:
        by_hook.setdefault(item.webhook_id, []).append(item)

    def one_hook(items: list[Outgoing]) -> list[Attempt]:
        done = []
        for item in items:
            done.append(send(item))
            if not done[-1].ok:
                break  # the receiver is failing: its later deliveries wait rather than pile on
        return done

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return [a for attempts in pool.map(one_hook, by_hook.values()) for a in attempts]


# --- 3. recording outcomes ----------------------------------------------------------------------


@dataclass
class DeliveryReport:
    filed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    messages: list[str] = field(default_factory=list)


def backoff(attempts: int, base_seconds: float, cap_seconds: float = 3600) -> timedelta:
    """The wait before attempt number attempts + 1: base, 2 × base, 4 × base... up to the cap."""
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1)))


def record_attempts(
    session: Session, attempts: list[Attempt], *, max_attempts: int, base_seconds: float
) -> DeliveryReport:
    """In a short write: each delivery's outcome, and each webhook's last status."""
    report = DeliveryReport()
    for attempt in attempts:
        delivery = session.get(WebhookDelivery, attempt.outgoing.delivery_id)
        hook = session.get(Webhook, attempt.outgoing.webhook_id)
        if delivery is None or hook is None or delivery.status != "pending":
            continue  # the webhook was deleted meanwhile
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = attempt.status_code, attempt.error
        if attempt.ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", attempt.at, None
            hook.last_status = f"delivered ({attempt.status_code})"
            report.delivered += 1
        elif delivery.attempts >= max_attempts:
            delivery.status, delivery.next_attempt_at = "failed", None
            hook.last_status = f"failed after {delivery.attempts} attempts: {attempt.error}"[:300]
            report.failed += 1
        else:
            delivery.next_attempt_at = attempt.at + backoff(delivery.attempts, base_seconds)
            hook.last_status = (
                f"attempt {delivery.attempts} of {max_attempts} failed, retrying: {attempt.error}"
            )[:300]
            report.retrying += 1
        hook.last_attempt_at = attempt.at
    return report
