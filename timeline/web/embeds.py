"""Embeds for other sites' frames: the stance chart (actor or topic) and the TimelineJS story, and the
"Share / embed" snippet's helpers. Only these views allow framing (security.allow_framing)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, render_template, request, url_for

from ..db import get_session
from ..services.comparison import BY_GOVERNMENT, split_names
from ..services.errors import Invalid
from ..services.reads.embeds import (
    EMBED_HEIGHTS,
    ChartEmbed,
    actor_chart_embed,
    embed_height,
    topic_chart_embed,
)
from ..services.reads.topics import find_topic
from .common import parse_filters
from .security import allow_framing

bp = Blueprint("embeds", __name__)

# Parameters of a page that are not the view's filters: left out of the embed's address.
_NOT_FILTERS = {"page", "embed_height", "download"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(embed_url=embed_url, embed_choice=embed_choice, embed_heights=EMBED_HEIGHTS)


def embed_url(endpoint: str, **values: Any) -> str:
    """The absolute address of an embed of this page, with the page's filters (not its paging)."""
    args: dict[str, Any] = {k: v for k, v in request.args.items() if v != "" and k not in _NOT_FILTERS}
    return url_for(endpoint, _external=True, **args, **values)


def embed_choice(value: str | None) -> tuple[int, str | None]:
    """The snippet's height from `?embed_height=`, and the message naming the field when it is not offered."""
    try:
        return embed_height(value), None
    except Invalid as exc:
        return EMBED_HEIGHTS[0], f"Embed height: {exc.fields['height']}"


def _chart_page(embed: ChartEmbed) -> tuple[str, int]:
    allow_framing()
    return render_template("embed_chart.html", embed=embed), (400 if embed.errors else 200)


@bp.get("/actors/<slug>/embed/chart")
def actor_chart(slug: str) -> tuple[str, int]:
    return _chart_page(actor_chart_embed(get_session(), slug, parse_filters(), request.args.get("axis")))


@bp.get("/topics/<slug>/embed/chart")
def topic_chart(slug: str) -> tuple[str, int]:
    lanes = split_names(request.args.getlist("actors"))
    by = request.args.get("by", BY_GOVERNMENT).strip() or BY_GOVERNMENT
    embed = topic_chart_embed(get_session(), slug, parse_filters(), lanes, by, request.args.get("axis"))
    return _chart_page(embed)


@bp.get("/topics/<slug>/embed")
def topic_story(slug: str) -> str:
    """The TimelineJS story of a topic (the actor's is pages.actor_embed)."""
    topic = find_topic(get_session(), slug)
    return story_page(topic.name, "explore.topic_timelinejs", "explore.topic_page", slug)


def story_page(title: str, source_endpoint: str, page_endpoint: str, slug: str) -> str:
    """The TimelineJS embed page (framing allowed): its document and its page carry the embed's filters."""
    allow_framing()
    args: dict[str, Any] = {k: v for k, v in request.args.items() if v != "" and k not in _NOT_FILTERS}
    source = url_for(source_endpoint, slug=slug, **args)
    page = url_for(page_endpoint, slug=slug, _external=True, **args)
    return render_template("embed.html", title=title, source=source, page=page)
