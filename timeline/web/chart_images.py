"""Chart images of the actor and topic pages (SVG and PNG), with the pages' filters; cached like them."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, render_template

from ..db import get_session
from ..services import chart_images
from ..services.chart_images import ChartImage
from ..services.errors import Invalid, InvalidFilter
from ..services.reads.actors import actor_histories, timeline_scopes
from .cache import cached, depends_on
from .common import error_json, parse_filters, whole_axis
from .explore import comparison_of

bp = Blueprint("charts_img", __name__)
TYPES = {"svg": "image/svg+xml; charset=utf-8", "png": "image/png"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _image(image: ChartImage | None, fmt: str) -> Response:
    if image is None:
        return error_json(404, "no_chart", "No statement with a stance in this view: nothing to chart.")
    svg = render_template(
        "chart_image.svg",
        image=image,
        W=chart_images.WIDTH,
        top=chart_images.TITLE_HEIGHT,
        px=chart_images.px,
        series_style=chart_images.series_style,
        score_colour=chart_images.score_colour,
    )
    if fmt == "svg":
        return Response(svg, content_type=TYPES[fmt])
    try:
        return Response(chart_images.png(svg), content_type=TYPES[fmt])
    except chart_images.RendererMissing as exc:
        return error_json(503, "png_unavailable", f"{exc}. The same chart is served as SVG (chart.svg).")


@bp.get("/actors/<slug>/chart.<any(svg, png):fmt>")
@cached
def actor_chart(slug: str, fmt: str) -> Response:
    filters = parse_filters()
    whole = whole_axis(filters.errors)  # a bad axis is a bad filter
    timeline = actor_histories(get_session(), slug, filters)
    depends_on(*timeline_scopes(timeline))
    actor = timeline.actor
    lanes = [(h.topic_name, h.topic_slug, h) for h in timeline.histories]
    return _image(chart_images.chart_image(f"{actor.name}: stance history", lanes, whole), fmt)


@bp.get("/topics/<slug>/chart.<any(svg, png):fmt>")
@cached
def topic_chart(slug: str, fmt: str) -> Response:
    errors: dict[str, str] = {}
    whole = whole_axis(errors)
    try:
        comparison, _args = comparison_of(slug, histories=True)
    except Invalid as exc:
        raise InvalidFilter({**exc.fields, **errors}) from exc
    if errors:
        raise InvalidFilter(errors)
    lanes = [(a.name, a.slug, h) for a, h in comparison.lanes]
    title = f"{comparison.topic.name}: stances compared"
    return _image(chart_images.chart_image(title, lanes, whole), fmt)
