"""Embeddable stance charts: an actor's charts (one per topic) or a topic's lanes, on one time axis."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from .. import queries
from ..models import Actor, Topic
from .charts import DETAIL_POINTS, PageCharts, charts_on_one_axis
from .comparison import BY_GOVERNMENT, compare_topic
from .errors import Invalid
from .exchange import actor_timeline

# Heights offered by the "Share / embed" snippet (CSS px); the first is the default.
EMBED_HEIGHTS = (600, 400, 800)


@dataclass(frozen=True)
class ChartEmbed:
    """What a chart embed shows: a title, its charts (key → chart) with their titles, and the legend."""

    title: str
    page_endpoint: str  # the full page this embed comes from ("pages.actor_page" or "explore.topic_page")
    slug: str
    charts: PageCharts
    titles: dict[str, str]  # chart key → the chart's accessible title
    headings: dict[str, str]  # chart key → its heading when there are several (the topic's name)


def embed_height(value: str | None) -> int:
    """The snippet's iframe height: one of EMBED_HEIGHTS (anything else is an error naming the field)."""
    if not value:
        return EMBED_HEIGHTS[0]
    if value.isdigit() and int(value) in EMBED_HEIGHTS:
        return int(value)
    sizes = ", ".join(str(h) for h in sorted(EMBED_HEIGHTS))
    raise Invalid({"height": f"use one of {sizes} (pixels)"})


def actor_chart_embed(
    session: Session, actor: Actor, filters: queries.EventFilters | None = None, whole: bool = False
) -> ChartEmbed:
    """The actor's stance charts, one per topic, as its page draws them."""
    timeline = actor_timeline(session, actor, filters, shape=queries.HISTORY)
    detail = None if len(timeline.histories) == 1 else DETAIL_POINTS
    histories = [(h.topic_slug, [(actor.name, actor.slug, h)]) for h in timeline.histories]
    titles = {h.topic_slug: f"{actor.name}: stance on {h.topic_name} over time" for h in timeline.histories}
    headings = {h.topic_slug: h.topic_name for h in timeline.histories}
    charts = charts_on_one_axis(histories, detail, whole)
    return ChartEmbed(actor.name, "pages.actor_page", actor.slug, charts, titles, headings)


def topic_chart_embed(
    session: Session,
    topic: Topic,
    filters: queries.EventFilters | None = None,
    lane_names: list[str] | None = None,
    by: str = BY_GOVERNMENT,
    whole: bool = False,
) -> ChartEmbed:
    """The topic's lanes (one per actor), as its comparison page draws them; unknown lanes are an error."""
    comparison = compare_topic(session, topic, filters, lane_names, by, shape=queries.HISTORY)
    if comparison.errors:
        raise Invalid(dict(comparison.errors))
    detail = None if len(comparison.lanes) == 1 else DETAIL_POINTS
    lanes = [(a.name, a.slug, h) for a, h in comparison.lanes]
    charts = charts_on_one_axis([("topic", lanes)], detail, whole)
    titles = {"topic": f"Stances on {topic.name}, one lane per actor"}
    return ChartEmbed(topic.name, "explore.topic_page", topic.slug, charts, titles, {"topic": topic.name})
