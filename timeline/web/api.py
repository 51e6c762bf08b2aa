"""The JSON API under /api/v1: reads are public, writes need an editor (Bearer token or session + CSRF)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, Flask, Response, request, url_for
from werkzeug.exceptions import HTTPException

from .. import queries
from ..db import get_session, write_session
from ..integers import parse_int
from ..models import Actor, Event, Topic
from ..schemas import ActorIn, TopicIn
from ..services import actors as actor_service
from ..services import events as event_service
from ..services import topics as topic_service
from ..services.errors import Conflict, Invalid, NotFound
from ..services.export import actor_records
from ..services.records import event_record, topic_record
from ..services.search import terms_of
from ..services.timeline import actor_timeline
from ..services.validation import validate
from .auth import current_user_id, editor_required
from .common import error_json, json_response, parse_filters
from .jsonbody import BodyError, json_body
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_PER_PAGE = 500


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.errorhandler(BodyError)
def _body_error(exc: BodyError) -> Response:
    return error_json(exc.status, exc.code, exc.message)


@bp.errorhandler(Invalid)
def _invalid(exc: Invalid) -> Response:
    return error_json(422, "invalid", exc.message, exc.fields)


@bp.errorhandler(NotFound)
def _not_found(exc: NotFound) -> Response:
    return error_json(404, "not_found", str(exc))


@bp.errorhandler(Conflict)
def _conflict(exc: Conflict) -> Response:
    return error_json(409, "conflict", exc.message)


@bp.errorhandler(HTTPException)
def _http(exc: HTTPException) -> Response:
    code = (exc.name or "error").lower().replace(" ", "_")
    return error_json(exc.code or 500, code, exc.description or exc.name)


@bp.get("/openapi.json")
def openapi() -> Response:
    return json_response(openapi_document())


def _page_args() -> tuple[int, int]:
    errors = {}
    page = parse_int(request.args.get("page", "1"), minimum=1, maximum=1_000_000)
    per_page = parse_int(request.args.get("per_page", "50"), minimum=1, maximum=MAX_PER_PAGE)
    if page is None:
        errors["page"] = "a whole number from 1 (digits 0-9)"
    if per_page is None:
        errors["per_page"] = f"a whole number from 1 to {MAX_PER_PAGE} (digits 0-9)"
    if page is None or per_page is None:
        raise Invalid(errors, "Invalid paging.")
    return page, per_page


def _page(items: list[Any], total: int, page: int, per_page: int) -> dict[str, Any]:
    return {
        "items": items,
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-total // per_page)),
    }


def _actor_json(actor: Actor) -> dict[str, Any]:
    return actor_records(get_session(), [actor])[0]


def _event_items(events: Sequence[Event]) -> list[dict[str, Any]]:
    """API event records (the export record plus id and version), with two queries for the lot."""
    session = get_session()
    actors = queries.actors_by_ids(session, {e.actor_id for e in events})
    stances = queries.stances_for_events(session, [e.id for e in events if e.id is not None])
    return [
        {
            "id": e.id,
            "version": e.version,
            **event_record(e, actors[e.actor_id].slug, stances.get(e.id or 0, [])),
        }
        for e in events
    ]


def _event_json(event: Event) -> dict[str, Any]:
    return _event_items([event])[0]


def _actor_or_404(slug: str) -> Actor:
    actor = queries.actor_by_slug(get_session(), slug)
    if actor is None:
        raise NotFound(f"No actor with the slug “{slug}”.")
    return actor


def _topic_or_404(slug: str) -> Topic:
    topic = queries.topic_by_slug(get_session(), slug)
    if topic is None:
        raise NotFound(f"No topic with the slug “{slug}”.")
    return topic


def _live_event_or_404(event_id: int) -> Event:
    event = queries.event_by_id(get_session(), event_id)
    if event is None or event.deleted_at is not None:
        raise NotFound(f"No event with the id {event_id}.")
    return event


# --- reads ---------------------------------------------------------------------------------------


@bp.get("/actors")
def list_actors() -> Response:
    page, per_page = _page_args()
    actors = list(queries.all_actors(get_session()))
    items = actor_records(get_session(), actors[(page - 1) * per_page : page * per_page], by_slug=False)
    return json_response(_page(items, len(actors), page, per_page))


@bp.get("/actors/<slug>")
def get_actor(slug: str) -> Response:
    return json_response(_actor_json(_actor_or_404(slug)))


@bp.get("/actors/<slug>/history")
def actor_history(slug: str) -> Response:
    filters, errors, _args = parse_filters()
    if errors:
        raise Invalid(errors, "Invalid filter.")
    timeline = actor_timeline(get_session(), _actor_or_404(slug), filters)
    return json_response({"actor": slug, "histories": [h.as_dict() for h in timeline.histories]})


@bp.get("/topics")
def list_topics() -> Response:
    page, per_page = _page_args()
    topics = list(queries.all_topics(get_session()))
    items = [topic_record(t) for t in topics[(page - 1) * per_page : page * per_page]]
    return json_response(_page(items, len(topics), page, per_page))


@bp.get("/topics/<slug>")
def get_topic(slug: str) -> Response:
    return json_response(topic_record(_topic_or_404(slug)))


@bp.get("/events")
def list_events() -> Response:
    """Events in timeline order (earliest day, latest day, id), filtered and paged, with the total."""
    session = get_session()
    page, per_page = _page_args()
    filters, errors, _args = parse_filters()
    actor_ids: list[int] | None = None
    slug = request.args.get("actor", "").strip()
    if slug:
        actor = queries.actor_by_slug(session, slug)
        if actor is None:
            errors["actor"] = f"no actor “{slug}”"
        else:
            assert actor.id is not None
            actor_ids = queries.actor_family_ids(session, actor.id)
    query = request.args.get("q", "")
    try:
        terms = terms_of(query) if query.strip() else None
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(errors, "Invalid filter.")
    rows, total = queries.list_events(
        session, filters, actor_ids=actor_ids, terms=terms, limit=per_page, offset=(page - 1) * per_page
    )
    return json_response(_page(_event_items(rows), total, page, per_page))


@bp.get("/events/<int:event_id>")
def get_event(event_id: int) -> Response:
    return json_response(_event_json(_live_event_or_404(event_id)))


# --- writes --------------------------------------------------------------------------------------


@bp.post("/events")
@editor_required
def create_event() -> Response:
    body = json_body()
    if not isinstance(body, dict):
        raise Invalid({"body": "must be a JSON object"}, "The body must be a JSON object.")
    # Validation and look-ups read first; the write transaction holds only the inserts.
    prepared = event_service.prepare_submission(get_session(), body)
    with write_session() as session:
        created = event_service.store_event(session, prepared, current_user_id())
    # The record the service stored (its revision holds the same): no need to read the event back.
    response = json_response({"id": created.id, "version": created.version, **created.record}, 201)
    response.headers["Location"] = url_for("api.get_event", event_id=created.id)
    return response


def _expected_version(body: dict[str, Any]) -> int:
    value = body.pop("version", None)
    if value is None:
        value = parse_int(request.headers.get("If-Match", "").strip('"W/ '), minimum=1)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise Invalid({"version": "send the version you read (in the body or as If-Match)"})
    return value


@bp.put("/events/<int:event_id>")
@editor_required
def update_event(event_id: int) -> Response:
    _live_event_or_404(event_id)
    body = json_body()
    if not isinstance(body, dict):
        raise Invalid({"body": "must be a JSON object"}, "The body must be a JSON object.")
    body.pop("id", None)
    expected = _expected_version(body)
    with write_session() as session:
        event_service.update_event(
            session, event_id, body, expected_version=expected, user_id=current_user_id()
        )
    return json_response(_event_json(_live_event_or_404(event_id)))


@bp.delete("/events/<int:event_id>")
@editor_required
def delete_event(event_id: int) -> Response:
    _live_event_or_404(event_id)
    with write_session() as session:
        event_service.delete_event(session, event_id, user_id=current_user_id())
    return Response(status=204)


def _object_body() -> dict[str, Any]:
    body = json_body()
    if not isinstance(body, dict):
        raise Invalid({"body": "must be a JSON object"}, "The body must be a JSON object.")
    return body


@bp.post("/actors")
@editor_required
def create_actor() -> Response:
    data = validate(ActorIn, _object_body())
    with write_session() as session:
        actor_service.create_actor(session, data, current_user_id())
    response = json_response(_actor_json(_actor_or_404(data.slug)), 201)
    response.headers["Location"] = url_for("api.get_actor", slug=data.slug)
    return response


@bp.put("/actors/<slug>")
@editor_required
def update_actor(slug: str) -> Response:
    _actor_or_404(slug)
    data = validate(ActorIn, _object_body())
    with write_session() as session:
        actor_service.update_actor(session, slug, data, current_user_id())
    return json_response(_actor_json(_actor_or_404(data.slug)))


@bp.delete("/actors/<slug>")
@editor_required
def delete_actor(slug: str) -> Response:
    _actor_or_404(slug)
    with write_session() as session:
        actor_service.delete_actor(session, slug, current_user_id())
    return Response(status=204)


@bp.post("/topics")
@editor_required
def create_topic() -> Response:
    data = validate(TopicIn, _object_body())
    with write_session() as session:
        topic_service.create_topic(session, data, current_user_id())
    response = json_response(topic_record(_topic_or_404(data.slug)), 201)
    response.headers["Location"] = url_for("api.get_topic", slug=data.slug)
    return response


@bp.put("/topics/<slug>")
@editor_required
def update_topic(slug: str) -> Response:
    _topic_or_404(slug)
    data = validate(TopicIn, _object_body())
    with write_session() as session:
        topic_service.update_topic(session, slug, data, current_user_id())
    return json_response(topic_record(_topic_or_404(data.slug)))


@bp.delete("/topics/<slug>")
@editor_required
def delete_topic(slug: str) -> Response:
    _topic_or_404(slug)
    with write_session() as session:
        topic_service.delete_topic(session, slug, current_user_id())
    return Response(status=204)
