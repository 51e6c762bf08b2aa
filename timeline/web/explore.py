"""Topic comparison and search pages, each with its JSON twin."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Flask, Response, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from .. import queries, scopes
from ..db import get_session
from ..integers import parse_int
from ..models import EventKind, Topic
from ..services.charts import DETAIL_POINTS, charts_on_one_axis
from ..services.comparison import BY_GOVERNMENT, Comparison, compare_topic, split_names
from ..services.errors import Invalid
from ..services.matrix import Matrix, as_of_matrix, parse_day
from ..services.records import iso_utc
from ..services.search import Hit, Results, parse_sort, search
from ..services.tabular import csv_rows, csv_text, timelinejs_document
from ..services.uids import title_words
from .cache import cached, depends_on
from .common import current_page, error_json, json_response, page_url, parse_filters, whole_axis
from .downloads import attachment, download_name, offer

bp = Blueprint("explore", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _topic_or_404(slug: str) -> Topic:
    topic = queries.topic_by_slug(get_session(), slug)
    if topic is None:
        abort(404, description=f"No topic with the slug “{slug}”.")
    return topic


def _comparison(
    slug: str, shape: str = queries.FULL, *, partial: bool = False
) -> tuple[Comparison | None, dict[str, str], dict[str, str]]:
    """The comparison asked for, or None with the errors; `partial` (the HTML page): a lane name that
    matches nothing is an error beside the lanes that do match, which still show."""
    topic = _topic_or_404(slug)
    depends_on(scopes.topic(topic.slug))  # renewed by writes to statements on this topic only
    filters, errors, args = parse_filters()
    lane_names = split_names(request.args.getlist("actors"))
    args["actors"] = ", ".join(lane_names)
    args["by"] = request.args.get("by", BY_GOVERNMENT).strip() or BY_GOVERNMENT
    errors.pop("topic", None)  # the topic is the page itself
    if errors:
        return None, errors, args
    try:
        comparison = compare_topic(get_session(), topic, filters, lane_names, args["by"], shape=shape)
    except Invalid as exc:
        return None, exc.fields, args
    if comparison.errors and not partial:
        return None, dict(comparison.errors), args
    return comparison, dict(comparison.errors), args


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
    comparison, errors, args = _comparison(slug, queries.HISTORY, partial=True)
    charts, page, events = None, None, list[Any]()
    if comparison is not None:
        # One lane shown: every point in detail; many: large lanes drawn as a line, one click away.
        detail = None if len(comparison.lanes) == 1 else DETAIL_POINTS
        lanes = [(a.name, a.slug, h) for a, h in comparison.lanes]
        charts = charts_on_one_axis([("topic", lanes)], detail, whole_axis(errors))
        page = current_page(len(comparison.events), errors)
        events = list(queries.event_rows(get_session(), [e.id for e in page.of(comparison.events)]))
    return render_template(
        "topic.html",
        topic=_topic_or_404(slug),
        comparison=comparison,
        charts=charts,
        chart=charts.charts.get("topic") if charts else None,
        events=events,
        page=page,
        page_url=page_url,
        filter_errors=errors,
        args=args,
        kinds=[k.value for k in EventKind],
        query=request.query_string.decode("utf-8", "replace"),
    ), (400 if errors else 200)


@bp.get("/topics/<slug>.json")
@cached
def topic_json(slug: str) -> Response:
    comparison, errors, args = _comparison(slug)
    if comparison is None:
        return error_json(400, "invalid_filter", "Invalid filter.", errors)
    name = download_name(slug, args, "json", subject_is_topic=True)
    return offer(json_response(comparison.document(get_session())), name)


@bp.get("/topics/<slug>.csv")
def topic_csv(slug: str) -> Response:
    comparison, errors, args = _comparison(slug)
    if comparison is None:
        return error_json(400, "invalid_filter", "Invalid filter.", errors)
    # A row is one statement's stance on one topic: only this topic's rows, as the page shows.
    topic_id = comparison.topic.id
    body = csv_text(csv_rows(comparison.events, comparison.actors, comparison.stances, topic_id))
    if request.args.get("bom") == "1":
        body = "\ufeff" + body  # lets spreadsheet programs detect UTF-8
    response = Response(body, mimetype="text/csv")
    return attachment(response, download_name(slug, args, "csv", subject_is_topic=True))


@bp.get("/topics/<slug>.timelinejs.json")
@cached
def topic_timelinejs(slug: str) -> Response:
    comparison, errors, args = _comparison(slug)
    if comparison is None:
        return error_json(400, "invalid_filter", "Invalid filter.", errors)
    topic = comparison.topic
    subtitle = f"Statements on {topic.name} by {len(comparison.lanes)} actors"
    document = timelinejs_document(
        topic.name, subtitle, comparison.events, comparison.actors, comparison.stances, group_by="actor"
    )
    return offer(json_response(document), download_name(slug, args, "timelinejs.json", subject_is_topic=True))


def _matrix() -> tuple[Matrix | None, dict[str, str], dict[str, str]]:
    args = {name: request.args.get(name, "").strip() for name in ("as_of", "compare")}
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name, default in (("as_of", date.today()), ("compare", None)):
        try:
            days[name] = parse_day(name, args[name], default)
        except Invalid as exc:
            errors.update(exc.fields)
    as_of = days.get("as_of")
    if errors or as_of is None:
        return None, errors, args
    return as_of_matrix(get_session(), as_of, days.get("compare")), {}, args


@bp.get("/matrix")
@cached
def matrix_page() -> tuple[str, int]:
    matrix, errors, args = _matrix()
    query = request.query_string.decode("utf-8", "replace")
    return render_template("matrix.html", matrix=matrix, errors=errors, args=args, query=query), (
        400 if errors else 200
    )


@bp.get("/matrix.json")
@cached
def matrix_json() -> Response:
    matrix, errors, _args = _matrix()
    if matrix is None:
        return error_json(400, "invalid_date", "Invalid date.", errors)
    return offer(json_response(matrix.as_dict()), f"stances-as-of-{matrix.as_of.isoformat()}.json")


@bp.get("/matrix.csv")
def matrix_csv() -> Response:
    matrix, errors, _args = _matrix()
    if matrix is None:
        return error_json(400, "invalid_date", "Invalid date.", errors)
    name = f"stances-as-of-{matrix.as_of.isoformat()}.csv"
    return Response(
        matrix.csv(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _search() -> tuple[Results | None, dict[str, str], dict[str, str]]:
    """The search asked for, its errors by parameter, and the parameters echoed back."""
    filters, errors, args = parse_filters()
    args.update(q=request.args.get("q", ""), actor=request.args.get("actor", "").strip())
    args["sort"] = request.args.get("sort", "").strip()
    sort = "relevance"
    try:
        sort = parse_sort(args["sort"])
    except Invalid as exc:
        errors.update(exc.fields)
    actor = None
    if args["actor"]:
        actor = queries.actor_by_slug(get_session(), args["actor"])
        if actor is None:
            errors["actor"] = f"no actor “{args['actor']}”"
    page = parse_int(request.args.get("page", "1"))
    if page is None:
        errors["page"] = "must be a whole number"
    if errors or page is None:
        return None, errors, args
    if not args["q"].strip():
        return None, {}, args
    try:
        return search(get_session(), args["q"], page, filters=filters, actor=actor, sort=sort), {}, args
    except Invalid as exc:
        return None, exc.fields, args


@bp.get("/search")
def search_page() -> tuple[str, int]:
    results, errors, args = _search()
    return render_template(
        "search.html",
        results=results,
        errors=errors,
        q=args["q"],
        args=args,
        kinds=[k.value for k in EventKind],
    ), (400 if errors else 200)


def _hit_json(hit: Hit) -> dict[str, Any]:
    return {
        "event_id": hit.event.id,
        "uid": hit.event.uid,
        "actor": hit.actor.slug,
        "title": hit.event.title,
        "date": hit.event.date_edtf,
        "title_html": str(hit.title),
        "updated_at": iso_utc(hit.event.updated_at),
        "stances": [{"topic": t.slug, "score": s.score} for s, t in hit.stances],
        "matched_alias": hit.alias,
    }


@bp.get("/search.json")
def search_json() -> Response:
    results, errors, args = _search()
    if errors:
        return error_json(400, "invalid_query", "Invalid search.", errors)
    if results is None:
        return json_response({"query": args["q"], "total": 0, "page": 1, "results": []})
    document = {
        "query": results.query,
        "terms": results.terms,
        "sort": results.sort,
        "total": results.shown,
        "more": results.more,
        "page": results.page,
        "results": [_hit_json(h) for h in results.hits],
        "facets": {
            name: [
                {"value": v.label, "count": v.count, "params": v.params, "selected": v.selected}
                for v in values
            ]
            for name, values in results.facets.items()
        },
        "suggestions": [{"kind": k, "slug": slug, "name": name} for k, slug, name in results.suggestions],
    }
    return offer(json_response(document), _search_name(args, "json"))


def _search_name(args: dict[str, str], ext: str) -> str:
    """`search-putin_jcpoa.csv`: the words (in ASCII), then the filters."""
    words = "-".join(title_words(args["q"])) or "all"
    return download_name(f"search-{words}", args, ext)


@bp.get("/search.csv")
def search_csv() -> Response:
    """Every match the page counts (the best SEARCH_CAP, after the filters), one row per stance."""
    results, errors, args = _search()
    if errors:
        return error_json(400, "invalid_query", "Invalid search.", errors)
    session = get_session()
    topic = queries.topic_by_slug(session, args["topic"]) if args["topic"] else None
    chunks = []
    ids = results.ids if results else []
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        events = queries.events_by_ids(session, chunk)
        actors = queries.actors_by_ids(session, {e.actor_id for e in events.values()})
        stances = queries.stances_for_events(session, chunk)
        ordered = [events[i] for i in chunk if i in events]
        chunks.append(csv_text(csv_rows(ordered, actors, stances, topic.id if topic else None), header=False))
    body = csv_text([]) + "".join(chunks)
    return attachment(Response(body, mimetype="text/csv"), _search_name(args, "csv"))
