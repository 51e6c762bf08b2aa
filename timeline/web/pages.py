"""HTML pages and their JSON twins: each view builds its data once, then renders it."""

from __future__ import annotations

from collections.abc import Iterator

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlmodel import Session

from .. import queries, scopes
from ..dates import parse_date
from ..db import engines, get_session
from ..migrate import schema_problem
from ..models import Actor, EventKind
from ..services.charts import DETAIL_POINTS, charts_on_one_axis, score_word
from ..services.citations import cite, formatted, highwire
from ..services.export import stream_full_csv, stream_full_export, timeline_json
from ..services.records import iso_utc
from ..services.tabular import csv_rows, csv_text, timelinejs_document
from ..services.timeline import Timeline, actor_timeline
from .cache import cached, depends_on
from .common import current_page, error_json, json_response, page_url, parse_filters, url_with, whole_axis
from .downloads import download_name, offer
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
    session = get_session()
    return render_template(
        "index.html", actors=queries.actor_overview(session), topics=queries.topic_overview(session)
    )


@bp.get("/healthz")
def healthz() -> Response:
    try:
        problem = schema_problem(engines()[0])
    except Exception as exc:  # any database failure means "not healthy"
        return json_response({"status": "unavailable", "error": type(exc).__name__}, 503)
    if problem is not None:  # reachable, but not migrated to this version's schema
        return json_response({"status": "unavailable", "error": "schema", "message": problem}, 503)
    return json_response({"status": "ok"})


def _actor_or_404(slug: str) -> Actor:
    actor = queries.actor_by_slug(get_session(), slug)
    if actor is None:
        abort(404, description=f"No actor with the slug “{slug}”.")
    return actor


def _timeline(
    session: Session, actor: Actor, filters: queries.EventFilters | None = None, shape: str = queries.FULL
) -> Timeline:
    """The actor's timeline; its page is renewed by writes to the actor or its members only."""
    timeline = actor_timeline(session, actor, filters, shape=shape)
    depends_on(*(scopes.actor(member.slug) for member in timeline.members.values()))
    return timeline


@bp.get("/actors/<slug>")
@cached
def actor_page(slug: str) -> tuple[str, int]:
    session = get_session()
    actor = _actor_or_404(slug)
    filters, errors, args = parse_filters()
    timeline = _timeline(session, actor, filters, shape=queries.HISTORY)
    page = current_page(len(timeline.events), errors)
    # One topic shown: every point in detail; many: large histories drawn as a line, one click away.
    detail = None if len(timeline.histories) == 1 else DETAIL_POINTS
    histories = [(h.topic_slug, [(actor.name, actor.slug, h)]) for h in timeline.histories]
    charts = charts_on_one_axis(histories, detail, whole_axis(errors))
    return render_template(
        "actor.html",
        timeline=timeline,
        events=queries.event_rows(session, [e.id for e in page.of(timeline.events)]),
        page=page,
        page_url=page_url,
        charts=charts,
        filter_errors=errors,
        args=args,
        topics=queries.all_topics(session),
        kinds=[k.value for k in EventKind],
        query=request.query_string.decode("utf-8", "replace"),
    ), (400 if errors else 200)


@bp.get("/actors/<slug>.json")
@cached
def actor_json(slug: str) -> Response:
    session = get_session()
    actor = _actor_or_404(slug)
    filters, errors, args = parse_filters()
    if errors:
        return error_json(400, "invalid_filter", "Invalid filter.", errors)
    document = timeline_json(session, _timeline(session, actor, filters, shape=queries.JSON_BODY))
    return offer(Response(document, mimetype="application/json"), download_name(actor.slug, args, "json"))


@bp.get("/actors/<slug>.csv")
def actor_csv(slug: str) -> Response:
    session = get_session()
    actor = _actor_or_404(slug)
    filters, errors, args = parse_filters()
    if errors:
        return error_json(400, "invalid_filter", "Invalid filter.", errors)
    timeline = actor_timeline(session, actor, filters)
    # A row is one statement's stance on one topic: filtered to a topic, only that topic's rows.
    body = csv_text(csv_rows(timeline.events, timeline.members, timeline.stances, filters.topic_id))
    return _csv_response(body, download_name(actor.slug, args, "csv"))


def _csv_response(body: str | Iterator[str], filename: str) -> Response:
    if isinstance(body, str) and request.args.get("bom") == "1":
        body = "\ufeff" + body  # lets spreadsheet programs detect UTF-8
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
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
    filters, errors, args = parse_filters()
    if errors:
        return error_json(400, "invalid_filter", "Invalid filter.", errors)

    def generate() -> Iterator[str]:
        with Session(engines()[0]) as session:
            yield from stream_full_csv(session, bom=bom, filters=filters)

    return _csv_response(stream_with_context(generate()), _export_name(args, "csv"))


@bp.get("/actors/<slug>.timelinejs.json")
@cached
def actor_timelinejs(slug: str) -> Response:
    session = get_session()
    actor = _actor_or_404(slug)
    filters, errors, args = parse_filters()
    if errors:
        return error_json(400, "invalid_filter", "Invalid filter.", errors)
    timeline = _timeline(session, actor, filters)
    subtitle = f"{len(timeline.events)} dated statements and events, with their stances"
    document = timelinejs_document(
        actor.name, subtitle, timeline.events, timeline.members, timeline.stances, group_by="topic"
    )
    return offer(json_response(document), download_name(actor.slug, args, "timelinejs.json"))


@bp.get("/actors/<slug>/embed")
def actor_embed(slug: str) -> str:
    actor = _actor_or_404(slug)
    allow_framing()
    return render_template("embed.html", actor=actor)


@bp.get("/export.json")
def export_json() -> Response:
    filters, errors, args = parse_filters()
    if errors:
        return error_json(400, "invalid_filter", "Invalid filter.", errors)

    # The session must outlive the view: the generator keeps reading while the body streams.
    def generate() -> Iterator[bytes]:
        with Session(engines()[0]) as session:
            yield from stream_full_export(session, filters=filters)

    return Response(
        stream_with_context(generate()),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{_export_name(args, "json")}"'},
    )


@bp.get("/events/<int:event_id>")
def event_page(event_id: int) -> str:
    session = get_session()
    event = queries.event_by_id(session, event_id)
    # A deleted event is gone for readers; editors still see it, to restore it.
    if event is None or (event.deleted_at is not None and not current_user.is_authenticated):
        abort(404, description=f"No event with the id {event_id}.")
    actor = queries.actors_by_ids(session, [event.actor_id])[event.actor_id]
    stances = queries.stances_for_events(session, [event_id]).get(event_id, [])
    link = queries.source_link(session, event.source_url) if event.source_url else None
    page = url_for("pages.event_page", event_id=event_id, _external=True)
    citation = cite(event, actor, page)
    return render_template(
        "event.html",
        event=event,
        actor=actor,
        stances=stances,
        date=parse_date(event.date_edtf),
        link=link,
        citation=citation,
        highwire=highwire(citation),
        formatted_citation=formatted(citation),
    )
