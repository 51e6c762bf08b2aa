"""Citations: each event, and each actor or topic view (same filters as the pages), as CSL-JSON,
BibTeX and RIS."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, Flask, Response, url_for
from flask_login import current_user

from ..db import get_session
from ..services import citations
from ..services.errors import InvalidFilter
from ..services.reads.actors import find_actor
from ..services.records import dumpb
from ..services.visibility import visible_event
from .cache import cached
from .common import parse_filters
from .explore import comparison_of

bp = Blueprint("citing", __name__)
FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", "bib"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "csl.json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "csl.json"),
}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def event_url(event_id: int) -> str:
    return url_for("pages.event_page", event_id=event_id, _external=True)


def _render(cites: Sequence[citations.Cite], fmt: str, name: str) -> Response:
    if fmt == "bib":
        body: Any = citations.bibtex(cites)
    elif fmt == "ris":
        body = citations.ris(cites)
    else:
        body = dumpb(citations.csl_json(cites))
    mimetype, extension = FORMATS[fmt]
    return Response(
        body,
        content_type=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'},
    )


def _routes(path: str, endpoint: str) -> Any:
    """Register a view under path.bib, path.ris and path.csl.json."""

    def register(view: Any) -> Any:
        for fmt in FORMATS:
            bp.add_url_rule(
                f"{path}.{fmt}", f"{endpoint}_{fmt.replace('.', '_')}", cached(view), defaults={"fmt": fmt}
            )
        return view

    return register


@_routes("/events/<int:event_id>", "event")
def event_citation(event_id: int, fmt: str) -> Response:
    session = get_session()
    event = visible_event(session, event_id, editor=current_user.is_authenticated)
    return _render(citations.cites_of(session, [event], event_url), fmt, event.uid)


@_routes("/actors/<slug>", "actor")
def actor_citations(slug: str, fmt: str) -> Response:
    session = get_session()
    actor = find_actor(session, slug)
    filters = parse_filters()
    if filters.errors:
        raise InvalidFilter(filters.errors)
    return _render(citations.actor_cites(session, actor, filters.filters, event_url), fmt, actor.slug)


@_routes("/topics/<slug>", "topic")
def topic_citations(slug: str, fmt: str) -> Response:
    comparison, _args = comparison_of(slug)
    cites = citations.cites_of(get_session(), comparison.events, event_url)
    return _render(cites, fmt, comparison.topic.slug)
