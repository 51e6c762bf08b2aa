"""HTML pages and their JSON twins: each view builds its data once, then renders it."""

from __future__ import annotations

from collections.abc import Iterator

from flask import (
    Blueprint,
    Flask,
    Response,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from ..dates import parse_date
from ..db import engines, get_session, read_session
from ..migrate import schema_problem
from ..services.charts import score_word
from ..services.errors import InvalidFilter
from ..services.export import stream_full_csv, stream_full_export
from ..services.reads import actors as read_actors
from ..services.reads import events as read_events
from ..services.reads.overview import home_page
from ..services.records import iso_utc
from .cache import cached, depends_on, read_memo
from .common import json_response, page_url, parse_filters, url_with
from .downloads import csv_file, download_name, offer, statements_csv, statements_timelinejs
from .embeds import story_page
from .security import allow_framing

bp = Blueprint("pages", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        parse_date=parse_date, iso_utc=iso_utc, url_with=url_with, score_word=score_word
    )


@bp.get("/")
@cached
def index() -> str:
    return render_template("index.html", home=home_page(get_session()))


@bp.get("/healthz")
def healthz() -> Response:
    try:
        problem = schema_problem(engines()[0])
    except Exception as exc:  # any database failure means "not healthy"
        return json_response({"status": "unavailable", "error": type(exc).__name__}, 503)
    if problem is not None:  # reachable, but not migrated to this version's schema
        return json_response({"status": "unavailable", "error": "schema", "message": problem}, 503)
    return json_response({"status": "ok"})


@bp.get("/actors/<slug>")
@cached
def actor_page(slug: str) -> tuple[str, int]:
    filters = parse_filters()
    view = read_actors.actor_page(
        get_session(), slug, filters, request.args.get("page"), axis=request.args.get("axis")
    )
    depends_on(*view.scopes)
    return render_template(
        "actor.html",
        timeline=view.timeline,
        events=view.events,
        page=view.page,
        page_url=page_url,
        charts=view.charts,
        filter_errors=view.errors,
        args=filters.args,
        topics=view.topics,
        kinds=view.kinds,
        query=request.query_string.decode("utf-8", "replace"),
    ), (400 if view.errors else 200)


@bp.get("/actors/<slug>.json")
@cached
def actor_json(slug: str) -> Response:
    filters = parse_filters()
    document = read_actors.actor_document(get_session(), slug, filters, read_memo())
    depends_on(*document.scopes)
    response = Response(document.to_json(), mimetype="application/json")
    return offer(response, download_name(document.actor.slug, filters.args, "json"))


@bp.get("/actors/<slug>.csv")
def actor_csv(slug: str) -> Response:
    filters = parse_filters()
    timeline = read_actors.actor_events(get_session(), slug, filters)
    return statements_csv(
        timeline.events,
        timeline.members,
        timeline.stances,
        download_name(timeline.actor.slug, filters.args, "csv"),
        topic_id=filters.filters.topic_id,  # filtered to a topic: only that topic's rows
    )


def _export_name(args: dict[str, str], ext: str) -> str:
    """`stance-timeline-export.csv` for everything; `jcpoa_2019-2020.csv` for one topic and years."""
    if not any(args.values()):
        return f"stance-timeline-export.{ext}"
    subject = args.get("topic") or "stance-timeline"
    return download_name(subject, args, ext, subject_is_topic=bool(args.get("topic")))


@bp.get("/export.csv")
def export_csv() -> Response:
    bom = request.args.get("bom") == "1"
    parsed = parse_filters()
    if parsed.errors:
        raise InvalidFilter(parsed.errors)
    filters = parsed.filters

    def generate() -> Iterator[str]:
        with read_session() as session:
            yield from stream_full_csv(session, bom=bom, filters=filters)

    return csv_file(stream_with_context(generate()), _export_name(parsed.args, "csv"))


@bp.get("/actors/<slug>.timelinejs.json")
@cached
def actor_timelinejs(slug: str) -> Response:
    filters = parse_filters()
    timeline = read_actors.actor_events(get_session(), slug, filters)
    depends_on(*read_actors.timeline_scopes(timeline))
    actor = timeline.actor
    return statements_timelinejs(
        actor.name,
        f"{len(timeline.events)} dated statements and events, with their stances",
        timeline.events,
        timeline.members,
        timeline.stances,
        download_name(actor.slug, filters.args, "timelinejs.json"),
        group_by="topic",
        topic_id=filters.filters.topic_id,
    )


@bp.get("/actors/<slug>/embed")
def actor_embed(slug: str) -> str:
    actor = read_actors.find_actor(get_session(), slug)
    allow_framing()
    return story_page(actor.name, "pages.actor_timelinejs", "pages.actor_page", slug)


@bp.get("/export.json")
def export_json() -> Response:
    parsed = parse_filters()
    errors = dict(parsed.errors)
    # Version 1 stays the default here: its clients and published schema; version 2 adds the sources
    # with their kept texts (snapshots and `flask export` always write version 2).
    format_version = request.args.get("format_version", "1").strip()
    if format_version not in ("1", "2"):
        errors["format_version"] = "1 or 2"
    if errors:
        raise InvalidFilter(errors)
    filters, args = parsed.filters, parsed.args
    editor = bool(current_user.is_authenticated)  # kept article texts: for editors only, like /sources

    # The session must outlive the view: the generator keeps reading while the body streams.
    def generate() -> Iterator[bytes]:
        with read_session() as session:
            yield from stream_full_export(
                session, filters=filters, format_version=int(format_version), source_texts=editor
            )

    headers = {"Content-Disposition": f'attachment; filename="{_export_name(args, "json")}"'}
    if editor and format_version == "2":
        headers["Cache-Control"] = "private"  # the kept texts: never from a shared cache to a reader
    return Response(stream_with_context(generate()), mimetype="application/json", headers=headers)


@bp.get("/events/<int:event_id>")
def event_page(event_id: int) -> str:
    page = url_for("pages.event_page", event_id=event_id, _external=True)
    view = read_events.event_page(
        get_session(), event_id, editor=current_user.is_authenticated, page_url=page
    )
    return render_template(
        "event.html",
        event=view.event,
        actor=view.actor,
        stances=view.stances,
        date=view.date,
        link=view.link,
        citation=view.citation,
        highwire=view.highwire,
        formatted_citation=view.formatted_citation,
        kept=view.kept,
    )
