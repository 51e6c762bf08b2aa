"""The topic page (every actor's stance history on one topic) and its twins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from ... import queries, scopes
from ...models import Topic
from ..charts import DETAIL_POINTS, Chart, PageCharts, charts_on_one_axis
from ..comparison import BY_GOVERNMENT, Comparison, compare_topic
from ..errors import Invalid, NotFound
from ..paging import Page
from .filters import KINDS, Filters, listing_page, whole_axis


def find_topic(session: Session, slug: str) -> Topic:
    """The topic with this slug, or NotFound."""
    topic = queries.topic_by_slug(session, slug)
    if topic is None:
        raise NotFound(f"No topic with the slug “{slug}”.")
    return topic


def _compare(
    session: Session, topic: Topic, filters: Filters, lanes: list[str], by: str, listing: queries.TopicListing
) -> tuple[Comparison | None, dict[str, str]]:
    """The comparison, or None with the errors; the `topic` filter is ignored (the topic is the view)."""
    errors = {k: v for k, v in filters.errors.items() if k != "topic"}
    if errors:
        return None, errors
    try:
        comparison = compare_topic(
            session, topic, filters.filters, lanes, by or BY_GOVERNMENT, listing=listing
        )
    except Invalid as exc:
        return None, exc.fields
    return comparison, dict(comparison.errors)


def topic_comparison(
    session: Session, slug: str, filters: Filters, lanes: list[str], by: str = BY_GOVERNMENT
) -> Comparison:
    """The topic's lanes (actors by government or by speaker) with every column of their events, for
    the twins (JSON, CSV, TimelineJS, feeds, citations); Invalid on a bad filter or an unknown lane."""
    comparison, errors = _compare(
        session, find_topic(session, slug), filters, lanes, by, queries.events_for_topic
    )
    if comparison is None or errors:
        raise Invalid(errors, "Invalid filter.")
    return comparison


def topic_histories(
    session: Session, slug: str, filters: Filters, lanes: list[str], by: str = BY_GOVERNMENT
) -> Comparison:
    """The topic's lanes with only the columns histories need (charts, change feeds)."""
    comparison, errors = _compare(
        session, find_topic(session, slug), filters, lanes, by, queries.history_rows_for_topic
    )
    if comparison is None or errors:
        raise Invalid(errors, "Invalid filter.")
    return comparison


@dataclass
class TopicDocument:
    """The topic page's JSON twin: the comparison in the native format, one history per lane."""

    comparison: Comparison
    document: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return self.document


def topic_document(
    session: Session, slug: str, filters: Filters, lanes: list[str], by: str = BY_GOVERNMENT
) -> TopicDocument:
    """The topic's comparison as a native JSON document; Invalid on a bad filter or an unknown lane."""
    comparison = topic_comparison(session, slug, filters, lanes, by)
    return TopicDocument(comparison, comparison.document(session))


@dataclass
class TopicPage:
    """What the topic page shows: the picked lanes' charts and one page of their statements."""

    topic: Topic
    comparison: Comparison | None  # None when a filter is bad: the form shows with the errors
    charts: PageCharts | None
    events: Sequence[Any]  # this page's events, every column
    page: Page | None
    kinds: list[str]
    errors: dict[str, str]  # an unknown lane is an error beside the lanes that do match, which show
    scopes: list[str] = field(default_factory=list)

    @property
    def chart(self) -> Chart | None:
        return self.charts.charts.get("topic") if self.charts else None


def topic_page(
    session: Session,
    slug: str,
    filters: Filters,
    lanes: list[str],
    by: str = BY_GOVERNMENT,
    page_no: str | None = None,
    *,
    axis: str | None = None,
) -> TopicPage:
    """The topic page: lanes picked by `lanes` (slugs or names), `by` government or speaker, page
    `page_no`; the page is renewed by writes to statements on this topic only."""
    topic = find_topic(session, slug)
    comparison, errors = _compare(session, topic, filters, lanes, by, queries.history_rows_for_topic)
    charts, page, events = None, None, list[Any]()
    if comparison is not None:
        # One lane shown: every point in detail; many: large lanes drawn as a line, one click away.
        detail = None if len(comparison.lanes) == 1 else DETAIL_POINTS
        drawn = [(a.name, a.slug, h) for a, h in comparison.lanes]
        charts = charts_on_one_axis([("topic", drawn)], detail, whole_axis(axis, errors))
        page = listing_page(page_no, len(comparison.events), errors)
        events = list(queries.event_rows(session, [e.id for e in page.of(comparison.events)]))
    return TopicPage(topic, comparison, charts, events, page, KINDS, errors, [scopes.topic(topic.slug)])
