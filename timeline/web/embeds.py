"""Embeds for other sites' frames: the stance chart (actor or topic) and the TimelineJS story, and the
"Share / embed" snippet's helpers. Only these views allow framing (security.allow_framing)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, render_template, request, url_for

from .. import queries
from ..db import get_session
from ..models import Actor, Topic
from ..services.charts import PageCharts
from ..services.comparison import BY_GOVERNMENT, split_names
from ..services.embeds import EMBED_HEIGHTS, ChartEmbed, actor_chart_embed, embed_height, topic_chart_embed
from ..services.errors import Invalid
from .common import parse_filters, whole_axis
from .security import allow_framing

bp = Blueprint("embeds", __name__)

# Parameters of a page that are not the view's filters: left out of the embed's address.
_NOT_FILTERS = {"page", "embed_height", "download"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(embed_url=embed_url, embed_choice=embed_choice, embed_heights=EMBED_HEIGHTS)


def embed_url(endpoint: str, **values: Any) -> str:
    """The absolute address of an embed of this page, with the page's filters (not its paging)."""
    args = {k: v for k, v in request.args.items() if v != "" and k not in _NOT_FILTERS}
    return url_for(endpoint, **args, **values, _external=True)


def embed_choice(value: str | None) -> tuple[int, str | None]:
    """The snippet's height from `?embed_height=`, and the message naming the field when it is not offered."""
    try:
        return embed_height(value), None
    except Invalid as exc:
        return EMBED_HEIGHTS[0], f"Embed height: {exc.fields['height']}"


def _actor_or_404(slug: str) -> Actor:
    actor = queries.actor_by_slug(get_session(), slug)
    if actor is None:
        abort(404, description=f"No actor with the slug “{slug}”.")
    return actor


def _topic_or_404(slug: str) -> Topic:
    topic = queries.topic_by_slug(get_session(), slug)
    if topic is None:
        abort(404, description=f"No topic with the slug “{slug}”.")
    return topic


def _chart_page(embed: ChartEmbed, errors: dict[str, str]) -> tuple[str, int]:
    return render_template("embed_chart.html", embed=embed, errors=errors), (400 if errors else 200)


@bp.get("/actors/<slug>/embed/chart")
def actor_chart(slug: str) -> tuple[str, int]:
    actor = _actor_or_404(slug)
    allow_framing()
    filters, errors, _args = parse_filters()
    whole = whole_axis(errors)
    embed = None if errors else actor_chart_embed(get_session(), actor, filters, whole)
    return _chart_page(embed or _empty(actor.name, "pages.actor_page", slug), errors)


@bp.get("/topics/<slug>/embed/chart")
def topic_chart(slug: str) -> tuple[str, int]:
    topic = _topic_or_404(slug)
    allow_framing()
    filters, errors, _args = parse_filters()
    errors.pop("topic", None)  # the topic is the embed itself
    whole = whole_axis(errors)
    lanes = split_names(request.args.getlist("actors"))
    by = request.args.get("by", BY_GOVERNMENT).strip() or BY_GOVERNMENT
    embed = None
    if not errors:
        try:
            embed = topic_chart_embed(get_session(), topic, filters, lanes, by, whole)
        except Invalid as exc:
            errors = exc.fields
    return _chart_page(embed or _empty(topic.name, "explore.topic_page", slug), errors)


def _empty(title: str, endpoint: str, slug: str) -> ChartEmbed:
    return ChartEmbed(title, endpoint, slug, PageCharts({}, None, []), {}, {})


@bp.get("/topics/<slug>/embed")
def topic_story(slug: str) -> str:
    """The TimelineJS story of a topic (the actor's is pages.actor_embed)."""
    topic = _topic_or_404(slug)
    allow_framing()
    return story_page(topic.name, "explore.topic_timelinejs", "explore.topic_page", slug)


def story_page(title: str, source_endpoint: str, page_endpoint: str, slug: str) -> str:
    """The TimelineJS embed page: its document and its page carry the embed's filters."""
    args: dict[str, Any] = {k: v for k, v in request.args.items() if v != "" and k not in _NOT_FILTERS}
    source = url_for(source_endpoint, slug=slug, **args)
    page = url_for(page_endpoint, slug=slug, _external=True, **args)
    return render_template("embed.html", title=title, source=source, page=page)
