"""Atom feeds of the actor, topic and search views, with the pages' filters; cached like the pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, request, url_for

from ..db import get_session
from ..models import Actor
from ..queries import EventFilters
from ..services import atom, stance_changes
from ..services.comparison import Comparison
from ..services.errors import Invalid, InvalidFilter
from ..services.reads.actors import actor_histories, find_actor, timeline_scopes
from .cache import cached, depends_on
from .common import parse_filters
from .explore import comparison_of

bp = Blueprint("feeds", __name__)
ATOM = "application/atom+xml; charset=utf-8"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["twin_url"] = twin_url


def twin_url(endpoint: str, **values: Any) -> str:
    """The URL of this view in another form (its feed, its citations): same filters, no page number."""
    args: dict[str, Any] = {k: v for k, v in request.args.items() if v != "" and k != "page"}
    return url_for(endpoint, **args, **values)


def _event_url(event_id: int) -> str:
    return url_for("pages.event_page", event_id=event_id, _external=True)


def _page_url(endpoint: str, **values: str) -> str:
    """The HTML twin of this feed: the same view with the same query string."""
    base = url_for(endpoint, _external=True, **values)
    query = request.query_string.decode("utf-8", "replace")
    return f"{base}?{query}" if query else base


def _actor_and_filters(slug: str) -> tuple[Actor, EventFilters]:
    """The feed's actor (404 when unknown) and the page's filters (400 naming the field)."""
    actor = find_actor(get_session(), slug)
    return actor, parse_filters().check()


def _comparison_or_400(slug: str, *, histories: bool = False) -> Comparison:
    """The topic's comparison with the page's filters and lanes (400 naming the field)."""
    comparison, _args = comparison_of(slug, histories=histories)
    return comparison


def _atom(data: atom.FeedData, page_url: str) -> Response:
    return Response(atom.atom(data, request.url, page_url, _event_url), content_type=ATOM)


@bp.get("/actors/<slug>.atom")
@cached
def actor_feed(slug: str) -> Response:
    actor, filters = _actor_and_filters(slug)
    data = atom.actor_feed(get_session(), actor, filters)
    return _atom(data, _page_url("pages.actor_page", slug=actor.slug))


@bp.get("/topics/<slug>.atom")
@cached
def topic_feed(slug: str) -> Response:
    comparison = _comparison_or_400(slug)
    data = atom.topic_feed(get_session(), comparison)
    return _atom(data, _page_url("explore.topic_page", slug=comparison.topic.slug))


@bp.get("/search.atom")
@cached
def search_feed() -> Response:
    query = request.args.get("q", "")
    if not query.strip():
        raise InvalidFilter({"q": "give the words to search for"})
    try:
        data = atom.search_feed(get_session(), query)
    except Invalid as exc:  # the search words: a query-string parameter
        raise InvalidFilter(exc.fields) from exc
    return _atom(data, _page_url("explore.search_page"))


def _changes_atom(data: stance_changes.ChangeFeed, page_url: str) -> Response:
    return Response(stance_changes.atom(data, request.url, page_url, _event_url), content_type=ATOM)


@bp.get("/actors/<slug>/changes.atom")
@cached
def actor_changes_feed(slug: str) -> Response:
    session = get_session()
    timeline = actor_histories(session, slug, parse_filters())
    depends_on(*timeline_scopes(timeline))
    actor = timeline.actor
    data = stance_changes.actor_change_feed(session, actor.name, timeline.histories)
    return _changes_atom(data, _page_url("pages.actor_page", slug=actor.slug))


@bp.get("/topics/<slug>/changes.atom")
@cached
def topic_changes_feed(slug: str) -> Response:
    comparison = _comparison_or_400(slug, histories=True)
    data = stance_changes.topic_change_feed(get_session(), comparison)
    return _changes_atom(data, _page_url("explore.topic_page", slug=comparison.topic.slug))


@bp.get("/changes.atom")
@cached
def site_changes_feed() -> Response:
    data = stance_changes.site_change_feed(get_session())
    return _changes_atom(data, url_for("pages.index", _external=True))
