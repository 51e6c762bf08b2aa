"""One event: its page and its history (who may see a deleted one: services/visibility.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlmodel import Session

from ... import queries
from ...dates import ParsedDate, parse_date
from ...models import Actor, Event, SourceLink
from ..citations import Cite, cite, formatted, highwire
from ..event_history import EventHistory, event_history
from ..sources import EventSource, event_source
from ..visibility import visible_event


@dataclass
class EventPage:
    """One event with its speaker, stances, source link check and citation."""

    event: Event
    actor: Actor
    stances: list[tuple[Any, Any]]
    date: ParsedDate
    link: SourceLink | None
    citation: Cite
    kept: EventSource  # the source record, the quote's anchor, the quote-drift watch's finding

    @property
    def highwire(self) -> list[tuple[str, str]]:
        return highwire(self.citation)

    @property
    def formatted_citation(self) -> Markup:
        return formatted(self.citation)


def event_page(session: Session, event_id: int, *, editor: bool, page_url: str | None = None) -> EventPage:
    """The event page (`page_url` is its own address, cited); a deleted event only for editors."""
    event = visible_event(session, event_id, editor=editor)
    actor = queries.actors_by_ids(session, [event.actor_id])[event.actor_id]
    stances = queries.stances_for_events(session, [event_id]).get(event_id, [])
    link = queries.source_link(session, event.source_url) if event.source_url else None
    kept = event_source(session, event)
    return EventPage(
        event, actor, stances, parse_date(event.date_edtf), link, cite(event, actor, page_url), kept
    )


def event_history_page(session: Session, event_id: int, *, editor: bool) -> EventHistory:
    """The history of an event, kept after a purge; a deleted event's history only for editors."""
    return event_history(session, event_id, signed_in=editor)


def deleted_events(session: Session) -> list[Event]:
    """The deleted events editors may restore or purge, most recently deleted first."""
    return list(queries.deleted_events(session))
