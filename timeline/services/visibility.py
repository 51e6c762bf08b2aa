"""Who may see a deleted event: the one rule, for pages, the API, the edit forms and the services."""

from __future__ import annotations

from sqlmodel import Session

from .. import queries
from ..models import Event
from .errors import NotFound


def visible_event(session: Session, event_id: int, *, editor: bool) -> Event:
    """The event, or NotFound. A deleted event is gone for readers; editors still see it (to restore
    or purge it). The JSON API and the edit forms serve live events only (live_event)."""
    event = queries.event_by_id(session, event_id)
    if event is None or not is_visible(event, editor=editor):
        raise NotFound(f"No event with the id {event_id}.")
    return event


def live_event(session: Session, event_id: int) -> Event:
    """The event if it is not deleted, or NotFound (what the API, the edit forms and deletes act on)."""
    return visible_event(session, event_id, editor=False)


def is_visible(event: Event, *, editor: bool) -> bool:
    return event.deleted_at is None or editor
