"""The JSON API under /api/v1: reads are public, writes need an editor (Bearer token or session + CSRF)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, request, url_for
from werkzeug.exceptions import HTTPException

from ..db import get_session, single_writer, write_session
from ..integers import parse_int
from ..schemas import ActorIn, EventIn, TopicIn
from ..services import actors as actor_service
from ..services import events as event_service
from ..services import topics as topic_service
from ..services.errors import Invalid
from ..services.reads import api as read_api
from ..services.reads.actors import find_actor
from ..services.reads.topics import find_topic
from ..services.validation import validate
from ..services.visibility import live_event
from .auth import current_user_id, editor_required
from .common import error_json, json_response, parse_filters
from .jsonbody import BodyError, json_body
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.errorhandler(BodyError)
def _body_error(exc: BodyError) -> Response:
    return error_json(exc.status, exc.code, exc.message)


@bp.errorhandler(HTTPException)
def _http(exc: HTTPException) -> Response:
    code = (exc.name or "error").lower().replace(" ", "_")
    return error_json(exc.code or 500, code, exc.description or exc.name)


@bp.get("/openapi.json")
def openapi() -> Response:
    return json_response(openapi_document())


def _paging() -> read_api.Paging:
    return read_api.paging(request.args.get("page"), request.args.get("per_page"))


def _actor_json(slug: str) -> dict[str, Any]:
    return read_api.actor_json(get_session(), slug)


def _event_json(event_id: int) -> dict[str, Any]:
    return read_api.event_json(get_session(), event_id)


def _live_event_or_404(event_id: int) -> None:
    live_event(get_session(), event_id)


def _actor_or_404(slug: str) -> None:
    find_actor(get_session(), slug)


def _topic_or_404(slug: str) -> None:
    find_topic(get_session(), slug)


# --- reads ---------------------------------------------------------------------------------------


@bp.get("/actors")
def list_actors() -> Response:
    return json_response(read_api.actor_list(get_session(), _paging()).as_dict())


@bp.get("/actors/<slug>")
def get_actor(slug: str) -> Response:
    return json_response(_actor_json(slug))


@bp.get("/actors/<slug>/history")
def actor_history(slug: str) -> Response:
    return json_response(read_api.actor_history(get_session(), slug, parse_filters()))


@bp.get("/topics")
def list_topics() -> Response:
    return json_response(read_api.topic_list(get_session(), _paging()).as_dict())


@bp.get("/topics/<slug>")
def get_topic(slug: str) -> Response:
    return json_response(read_api.topic_json(get_session(), slug))


@bp.get("/events")
def list_events() -> Response:
    """Events in timeline order (earliest day, latest day, id), filtered and paged, with the total."""
    at = _paging()
    actor, query = request.args.get("actor", "").strip(), request.args.get("q", "")
    listing = read_api.event_list(get_session(), parse_filters(), at, actor_slug=actor, query=query)
    return json_response(listing.as_dict())


@bp.get("/events/<int:event_id>")
def get_event(event_id: int) -> Response:
    return json_response(_event_json(event_id))


# --- writes --------------------------------------------------------------------------------------


@bp.post("/events")
@editor_required
def create_event() -> Response:
    body = json_body()
    if not isinstance(body, dict):
        raise Invalid({"body": "must be a JSON object"}, "The body must be a JSON object.")
    # Validation runs before the write transaction. On PostgreSQL the look-ups run inside it: looking up
    # through the request's read session first (a second connection per create) stalled writers on the
    # write pool for 30 s under tests/test_load.py (3 runs in 5). On SQLite they run before it, on the
    # read snapshot the token was checked on, outside the one write lock that every writer queues for;
    # the insert then checks that no actor or topic changed since (event_service.store_event).
    data = validate(EventIn, body)
    early = _prepared_before_write(data)
    with write_session() as session:
        prepared = early or event_service.prepare_event(session, data)
        created = event_service.store_event(session, prepared, current_user_id())
    # The record the service stored (its revision holds the same): no need to read the event back.
    response = json_response({"id": created.id, "version": created.version, **created.record}, 201)
    response.headers["Location"] = url_for("api.get_event", event_id=created.id)
    return response


def _prepared_before_write(data: EventIn) -> event_service.PreparedEvent | None:
    """SQLite: the event's look-ups on the request's read session, ended before the write begins."""
    if not single_writer():
        return None
    read = get_session()
    try:
        return event_service.prepare_event(read, data, before_write=True)
    finally:
        read.rollback()  # a snapshot held through the write would keep the WAL from being checkpointed


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
    return json_response(_event_json(event_id))


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
    response = json_response(_actor_json(data.slug), 201)
    response.headers["Location"] = url_for("api.get_actor", slug=data.slug)
    return response


@bp.put("/actors/<slug>")
@editor_required
def update_actor(slug: str) -> Response:
    _actor_or_404(slug)
    data = validate(ActorIn, _object_body())
    with write_session() as session:
        actor_service.update_actor(session, slug, data, current_user_id())
    return json_response(_actor_json(data.slug))


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
    response = json_response(read_api.topic_json(get_session(), data.slug), 201)
    response.headers["Location"] = url_for("api.get_topic", slug=data.slug)
    return response


@bp.put("/topics/<slug>")
@editor_required
def update_topic(slug: str) -> Response:
    _topic_or_404(slug)
    data = validate(TopicIn, _object_body())
    with write_session() as session:
        topic_service.update_topic(session, slug, data, current_user_id())
    return json_response(read_api.topic_json(get_session(), data.slug))


@bp.delete("/topics/<slug>")
@editor_required
def delete_topic(slug: str) -> Response:
    _topic_or_404(slug)
    with write_session() as session:
        topic_service.delete_topic(session, slug, current_user_id())
    return Response(status=204)
