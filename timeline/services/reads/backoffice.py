"""Editors' pages: the form choices, the audit log, the review queue, accounts and webhooks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from ... import queries
from ...dates import InvalidDate, parse_bound
from ...models import Actor, Candidate, Feed, Topic, User, Webhook, WebhookDelivery
from .. import revisions
from ..errors import NotFound


@dataclass
class FormChoices:
    """What the event and actor forms offer to pick from."""

    actors: Sequence[Actor]
    topics: Sequence[Topic]


def form_choices(session: Session) -> FormChoices:
    """Every actor and topic, for the forms' choices."""
    return FormChoices(queries.all_actors(session), queries.all_topics(session))


@dataclass
class AuditPage:
    """The latest changes across the site, the editors to filter by, and bad days by parameter."""

    rows: list[tuple[Any, str | None]]
    users: Sequence[User]
    errors: dict[str, str] = field(default_factory=dict)


def audit_page(
    session: Session, *, editor: str | None = None, day_from: str = "", day_to: str = ""
) -> AuditPage:
    """Changes by one editor (or all) within days (ISO or EDTF, UTC); a bad day is named and left out."""
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {"from": None, "to": None}
    for name, text in (("from", day_from), ("to", day_to)):
        if text.strip():
            try:
                days[name] = parse_bound(text.strip(), upper=name == "to")
            except InvalidDate as exc:
                errors[name] = str(exc)
    rows = revisions.audit(session, editor=editor or None, day_from=days["from"], day_to=days["to"])
    return AuditPage(rows, queries.list_users(session), errors)


@dataclass
class ReviewPage:
    """Feed items waiting for an editor, and the feeds watched."""

    candidates: Sequence[Candidate]
    feeds: Sequence[Feed]


def review_page(session: Session) -> ReviewPage:
    return ReviewPage(queries.pending_candidates(session), queries.all_feeds(session))


def user_list(session: Session) -> Sequence[User]:
    """Every account, for the admin's page."""
    return queries.list_users(session)


def webhook_list(session: Session) -> list[Webhook]:
    """Every registered webhook."""
    return queries.all_webhooks(session)


@dataclass
class WebhookPage:
    """One webhook and its latest deliveries."""

    hook: Webhook
    deliveries: list[WebhookDelivery]


def webhook_page(session: Session, webhook_id: int) -> WebhookPage:
    """One webhook's page, or NotFound."""
    hook = session.get(Webhook, webhook_id)
    if hook is None:
        raise NotFound(f"No webhook {webhook_id}.")
    return WebhookPage(hook, queries.webhook_deliveries(session, webhook_id))
