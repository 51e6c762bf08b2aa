"""Embeddable stance charts: an actor's charts (one per topic) or a topic's lanes, on one time axis."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from ... import queries
from ...integers import parse_int
from ..charts import DETAIL_POINTS, PageCharts, charts_on_one_axis
from ..comparison import BY_GOVERNMENT
from ..errors import Invalid
from ..evidence import is_unsourced
from ..timeline import actor_timeline
from .actors import find_actor
from .filters import Filters, whole_axis
from .topics import find_topic, topic_histories

# Heights offered by the "Share / embed" snippet (CSS px); the first is the default.
EMBED_HEIGHTS = (600, 400, 800)


@dataclass(frozen=True)
class ChartEmbed:
    """What a chart embed shows: a title, its charts (key → chart) with their titles, and the legend."""

    title: str
    page_endpoint: str  # the full page this embed comes from ("pages.actor_page" or "explore.topic_page")
    slug: str
    charts: PageCharts = field(default_factory=lambda: PageCharts({}, None, []))
    titles: dict[str, str] = field(default_factory=dict)  # chart key → the chart's accessible title
    headings: dict[str, str] = field(default_factory=dict)  # chart key → its heading among several
    errors: dict[str, str] = field(default_factory=dict)  # bad parameters: nothing drawn, answered 400
    unsourced: frozenset[int] = frozenset()  # ids of the drawn statements saved without their evidence


def embed_height(value: str | None) -> int:
    """The snippet's iframe height: one of EMBED_HEIGHTS (anything else is an error naming the field)."""
    if not value:
        return EMBED_HEIGHTS[0]
    height = parse_int(value, minimum=1, maximum=10_000)  # ASCII digits only ("⁴⁰⁰" is no height)
    if height in EMBED_HEIGHTS:
        return height
    sizes = ", ".join(str(h) for h in sorted(EMBED_HEIGHTS))
    raise Invalid({"height": f"use one of {sizes} (pixels)"})


def _unsourced(session: Session, charts: PageCharts) -> frozenset[int]:
    """The drawn statements that lack a source or a quote: marked in the tooltip and the table."""
    ids = {cp.point.event_id for chart in charts.charts.values() for lane in chart.lanes
           for line in lane.series for cp in line.points}  # fmt: skip
    return frozenset(row.id for row in queries.evidence_rows(session, ids) if is_unsourced(row))


def actor_chart_embed(session: Session, slug: str, filters: Filters, axis: str | None = None) -> ChartEmbed:
    """The actor's stance charts, one per topic, as its page draws them; NotFound for an unknown actor."""
    actor = find_actor(session, slug)
    errors = dict(filters.errors)
    whole = whole_axis(axis, errors)
    if errors:
        return ChartEmbed(actor.name, "pages.actor_page", actor.slug, errors=errors)
    timeline = actor_timeline(session, actor, filters.filters, listing=queries.history_rows_for_actors)
    detail = None if len(timeline.histories) == 1 else DETAIL_POINTS
    histories = [(h.topic_slug, [(actor.name, actor.slug, h)]) for h in timeline.histories]
    charts = charts_on_one_axis(histories, detail, whole)
    return ChartEmbed(
        actor.name,
        "pages.actor_page",
        actor.slug,
        charts,
        {h.topic_slug: f"{actor.name}: stance on {h.topic_name} over time" for h in timeline.histories},
        {h.topic_slug: h.topic_name for h in timeline.histories},
        unsourced=_unsourced(session, charts),
    )


def topic_chart_embed(
    session: Session,
    slug: str,
    filters: Filters,
    lanes: list[str],
    by: str = BY_GOVERNMENT,
    axis: str | None = None,
) -> ChartEmbed:
    """The topic's lanes (one per actor), as its comparison page draws them; an unknown lane is an error."""
    topic = find_topic(session, slug)
    errors: dict[str, str] = {}
    whole = whole_axis(axis, errors)
    try:
        comparison = topic_histories(session, slug, filters, lanes, by)
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        return ChartEmbed(topic.name, "explore.topic_page", topic.slug, errors=errors)
    detail = None if len(comparison.lanes) == 1 else DETAIL_POINTS
    drawn = [(a.name, a.slug, h) for a, h in comparison.lanes]
    charts = charts_on_one_axis([("topic", drawn)], detail, whole)
    return ChartEmbed(
        topic.name,
        "explore.topic_page",
        topic.slug,
        charts,
        {"topic": f"Stances on {topic.name}, one lane per actor"},
        {"topic": topic.name},
        unsourced=_unsourced(session, charts),
    )
