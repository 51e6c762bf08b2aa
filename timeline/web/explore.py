"""Topic comparison and search pages, each with its JSON twin."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from .. import scopes
from ..db import get_session
from ..services.comparison import BY_GOVERNMENT, Comparison, split_names
from ..services.errors import InvalidFilter
from ..services.reads import overview as read_overview
from ..services.reads import search as read_search
from ..services.reads import topics as read_topics
from ..services.reads.filters import Filters
from ..services.uids import title_words
from .cache import cached, depends_on
from .common import json_response, page_url, parse_filters
from .downloads import attachment, download_name, offer, statements_csv, statements_timelinejs

bp = Blueprint("explore", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _lanes() -> tuple[list[str], str]:
    """`?actors=` (lane names, one comma list or repeated) and `?by=` (government or speaker)."""
    by = request.args.get("by", BY_GOVERNMENT).strip() or BY_GOVERNMENT
    return split_names(request.args.getlist("actors")), by


def _echo(filters: Filters, lanes: list[str], by: str) -> dict[str, str]:
    """The parameters echoed back into the topic page's forms and download names."""
    return {**filters.args, "actors": ", ".join(lanes), "by": by}


def comparison_of(slug: str, *, histories: bool = False) -> tuple[Comparison, dict[str, str]]:
    """The topic's comparison this request asks for (Invalid on a bad filter or lane), and its
    parameters; `histories`: only what stance histories need (charts, change feeds)."""
    filters = parse_filters()
    lanes, by = _lanes()
    read = read_topics.topic_histories if histories else read_topics.topic_comparison
    comparison = read(get_session(), slug, filters, lanes, by)
    depends_on(scopes.topic(comparison.topic.slug))  # renewed by writes to statements on this topic only
    return comparison, _echo(filters, lanes, by)


def _canonical_lanes() -> WerkzeugResponse | None:
    """The lane picker's checkboxes send `actors` once per lane: one comma list keeps URLs permalinks."""
    values = request.args.getlist("actors")
    if len(values) < 2:
        return None
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "actors" and v != ""}
    args.update(request.view_args or {}, actors=",".join(split_names(values)))
    return redirect(url_for(str(request.endpoint), **args))


@bp.get("/topics/<slug>")
@cached
def topic_page(slug: str) -> tuple[str, int] | WerkzeugResponse:
    canonical = _canonical_lanes()
    if canonical is not None:
        return canonical
    filters = parse_filters()
    lanes, by = _lanes()
    view = read_topics.topic_page(
        get_session(), slug, filters, lanes, by, request.args.get("page"), axis=request.args.get("axis")
    )
    depends_on(*view.scopes)
    return render_template(
        "topic.html",
        topic=view.topic,
        comparison=view.comparison,
        charts=view.charts,
        chart=view.chart,
        events=view.events,
        page=view.page,
        page_url=page_url,
        filter_errors=view.errors,
        args=_echo(filters, lanes, by),
        kinds=view.kinds,
        query=request.query_string.decode("utf-8", "replace"),
    ), (400 if view.errors else 200)


@bp.get("/topics/<slug>.json")
@cached
def topic_json(slug: str) -> Response:
    filters = parse_filters()
    lanes, by = _lanes()
    document = read_topics.topic_document(get_session(), slug, filters, lanes, by)
    depends_on(scopes.topic(document.comparison.topic.slug))
    name = download_name(slug, _echo(filters, lanes, by), "json", subject_is_topic=True)
    return offer(json_response(document.as_dict()), name)


@bp.get("/topics/<slug>.csv")
def topic_csv(slug: str) -> Response:
    comparison, args = comparison_of(slug)
    return statements_csv(
        comparison.events,
        comparison.actors,
        comparison.stances,
        download_name(slug, args, "csv", subject_is_topic=True),
        topic_id=comparison.topic.id,  # only this topic's rows, as the page shows
    )


@bp.get("/topics/<slug>.timelinejs.json")
@cached
def topic_timelinejs(slug: str) -> Response:
    comparison, args = comparison_of(slug)
    topic = comparison.topic
    return statements_timelinejs(
        topic.name,
        f"Statements on {topic.name} by {len(comparison.lanes)} actors",
        comparison.events,
        comparison.actors,
        comparison.stances,
        download_name(slug, args, "timelinejs.json", subject_is_topic=True),
        group_by="actor",
    )


def _matrix() -> read_overview.MatrixPage:
    args = request.args
    return read_overview.matrix_page(
        get_session(), args.get("as_of", "").strip(), args.get("compare", "").strip()
    )


@bp.get("/matrix")
@cached
def matrix_page() -> tuple[str, int]:
    view = _matrix()
    args = {name: request.args.get(name, "").strip() for name in ("as_of", "compare")}
    query = request.query_string.decode("utf-8", "replace")
    return render_template("matrix.html", matrix=view.matrix, errors=view.errors, args=args, query=query), (
        400 if view.errors else 200
    )


@bp.get("/matrix.json")
@cached
def matrix_json() -> Response:
    view = _matrix()
    if view.matrix is None:
        raise InvalidFilter(view.errors)
    return offer(json_response(view.as_dict()), f"stances-as-of-{view.matrix.as_of.isoformat()}.json")


@bp.get("/matrix.csv")
def matrix_csv() -> Response:
    view = _matrix()
    if view.matrix is None:
        raise InvalidFilter(view.errors)
    name = f"stances-as-of-{view.matrix.as_of.isoformat()}.csv"
    return Response(
        view.matrix.csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _search() -> tuple[read_search.SearchPage, dict[str, str]]:
    """The search asked for, and the parameters echoed back."""
    filters = parse_filters()
    args = dict(filters.args)
    args.update(q=request.args.get("q", ""), actor=request.args.get("actor", "").strip())
    args["sort"] = request.args.get("sort", "").strip()
    view = read_search.search_page(
        get_session(),
        args["q"],
        filters,
        actor_slug=args["actor"],
        sort=args["sort"],
        page_no=request.args.get("page", "1"),
    )
    return view, args


@bp.get("/search")
def search_page() -> tuple[str, int]:
    view, args = _search()
    return render_template(
        "search.html",
        results=view.results,
        errors=view.errors,
        q=args["q"],
        args=args,
        kinds=view.kinds,
    ), (400 if view.errors else 200)


@bp.get("/search.json")
def search_json() -> Response:
    view, args = _search()
    if view.errors:
        raise InvalidFilter(view.errors)
    if view.results is None:
        return json_response(view.as_dict())
    return offer(json_response(view.as_dict()), _search_name(args, "json"))


def _search_name(args: dict[str, str], ext: str) -> str:
    """`search-putin_jcpoa.csv`: the words (in ASCII), then the filters."""
    words = "-".join(title_words(args["q"])) or "all"
    return download_name(f"search-{words}", args, ext)


@bp.get("/search.csv")
def search_csv() -> Response:
    """Every match the page counts (the best SEARCH_CAP, after the filters), one row per stance."""
    view, args = _search()
    if view.errors:
        raise InvalidFilter(view.errors)
    body = read_search.search_csv(get_session(), view, args["topic"])
    return attachment(Response(body, mimetype="text/csv"), _search_name(args, "csv"))
