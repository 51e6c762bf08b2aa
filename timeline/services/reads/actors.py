"""The actor page and its twins (JSON document, CSV, TimelineJS, charts, feeds, citations)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from ... import queries, scopes
from ...models import Actor, Topic
from ..charts import DETAIL_POINTS, PageCharts, charts_on_one_axis
from ..errors import NotFound
from ..export import timeline_json
from ..paging import Page
from ..read_memo import ReadMemo
from ..timeline import Timeline, actor_timeline
from .filters import KINDS, Filters, listing_page, whole_axis


def find_actor(session: Session, slug: str) -> Actor:
    """The actor with this slug, or NotFound."""
    actor = queries.actor_by_slug(session, slug)
    if actor is None:
        raise NotFound(f"No actor with the slug “{slug}”.")
    return actor


def timeline_scopes(timeline: Timeline) -> list[str]:
    """An actor's views are renewed by writes to the actor or its members only."""
    return [scopes.actor(member.slug) for member in timeline.members.values()]


@dataclass
class ActorPage:
    """What the actor page shows: the whole timeline's histories and charts, one page of its events."""

    timeline: Timeline
    events: Sequence[Any]  # this page's events, every column
    page: Page
    charts: PageCharts
    topics: Sequence[Topic]  # the filter form's choices
    kinds: list[str]
    errors: dict[str, str]  # bad filters, page or axis: the page still shows, answered with 400
    scopes: list[str] = field(default_factory=list)

    @property
    def actor(self) -> Actor:
        return self.timeline.actor


def actor_page(
    session: Session, slug: str, filters: Filters, page_no: str | None = None, *, axis: str | None = None
) -> ActorPage:
    """The actor page: its family's events (officials included) narrowed by `filters`, page `page_no`;
    bad filters, page or axis are listed in `errors` and the rest still shows."""
    actor = find_actor(session, slug)
    errors = dict(filters.errors)
    timeline = actor_timeline(session, actor, filters.filters, listing=queries.history_rows_for_actors)
    page = listing_page(page_no, len(timeline.events), errors)
    # One topic shown: every point in detail; many: large histories drawn as a line, one click away.
    detail = None if len(timeline.histories) == 1 else DETAIL_POINTS
    histories = [(h.topic_slug, [(actor.name, actor.slug, h)]) for h in timeline.histories]
    charts = charts_on_one_axis(histories, detail, whole_axis(axis, errors))
    return ActorPage(
        timeline=timeline,
        events=queries.event_rows(session, [e.id for e in page.of(timeline.events)]),
        page=page,
        charts=charts,
        topics=queries.all_topics(session),
        kinds=KINDS,
        errors=errors,
        scopes=timeline_scopes(timeline),
    )


@dataclass
class ActorDocument:
    """The actor page's JSON twin: its timeline in the native format (importable as it is)."""

    timeline: Timeline
    scopes: list[str]
    document: bytes  # built while the session is open: the events are JSON already

    @property
    def actor(self) -> Actor:
        return self.timeline.actor

    def to_json(self) -> bytes:
        return self.document


def actor_document(
    session: Session, slug: str, filters: Filters, memo: ReadMemo | None = None
) -> ActorDocument:
    """The actor's timeline as a native JSON document, each event's record built by the database;
    its rows reused from `memo` while no write has moved what they show."""
    actor = find_actor(session, slug)
    timeline = actor_timeline(
        session, actor, filters.check(), listing=queries.json_rows_for_actors, memo=memo
    )
    return ActorDocument(timeline, timeline_scopes(timeline), timeline_json(session, timeline))


def actor_events(session: Session, slug: str, filters: Filters) -> Timeline:
    """The actor's timeline with every column of its events (CSV, TimelineJS); Invalid on bad filters."""
    actor = find_actor(session, slug)
    return actor_timeline(session, actor, filters.check())


def actor_histories(session: Session, slug: str, filters: Filters) -> Timeline:
    """The actor's stance histories (charts, change feeds): only the columns histories need."""
    actor = find_actor(session, slug)
    return actor_timeline(session, actor, filters.check(), listing=queries.history_rows_for_actors)
