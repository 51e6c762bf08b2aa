"""Editors' pages: add, edit, delete, restore and purge events; edit actors and topics; history, audit."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from .. import queries, work
from ..dates import InvalidDate, parse_bound
from ..db import get_session, write_session
from ..integers import MAX_ID, parse_int
from ..models import Candidate, Event
from ..schemas import ActorIn, TopicIn
from ..services import actors as actor_service
from ..services import events as event_service
from ..services import feeds, revisions
from ..services import topics as topic_service
from ..services.errors import Conflict, Invalid, NotFound
from ..services.validation import validate
from .auth import admin_required, current_user_id, editor_required
from .forms import MAX_STANCE_ROWS, ActorForm, EventForm, TopicForm, event_form_data
from .jsonbody import BodyError, parse_json

bp = Blueprint("editing", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _event_or_404(event_id: int, *, deleted_ok: bool = False) -> Event:
    event = queries.event_by_id(get_session(), event_id)
    if event is None or (event.deleted_at is not None and not deleted_ok):
        abort(404, description=f"No event with the id {event_id}.")
    return event


def _event_form(event: Event | None = None) -> EventForm:
    """The event form with its choices; on GET for an edit, filled from the event."""
    session = get_session()
    form = EventForm()
    if event is not None and request.method == "GET":
        form = EventForm(data=event_form_data(event_service.event_snapshot(session, event)))
    if "add_row" in request.form and len(form.stances) < MAX_STANCE_ROWS:
        form.stances.append_entry()
    if request.method == "GET" and event is None and request.args.get("actor"):
        form.actor.data = request.args["actor"]
    candidate_text = request.args.get("candidate", "")
    if request.method == "GET" and event is None and candidate_text:
        candidate_id = parse_int(candidate_text, minimum=1, maximum=MAX_ID)
        if candidate_id is None:
            abort(400, description="candidate: give the number of a review-queue item (digits 0-9).")
        candidate = session.get(Candidate, candidate_id)
        if candidate is not None and candidate.status == "pending":
            form.prefill_from_candidate(candidate)
    form.set_choices(queries.all_actors(session), queries.all_topics(session))
    return form


@bp.get("/events/new")
@editor_required
def new_event() -> str:
    return render_template("event_form.html", form=_event_form(), event=None)


@bp.post("/events")
@editor_required
def create_event() -> tuple[str, int] | BaseResponse:
    form = _event_form()
    if "add_row" in request.form:  # adding a row without JavaScript: show the form again, keep the input
        return render_template("event_form.html", form=form, event=None), 200
    payload, rows = form.event_payload()
    candidate_text = str(form.candidate.data or "").strip()
    candidate_id = parse_int(candidate_text, minimum=1, maximum=MAX_ID)
    try:
        if candidate_text and candidate_id is None:
            raise Invalid(
                {"candidate": "not a review-queue item number (digits 0-9)"},
                "The review item is not a number.",
            )
        with write_session() as session:
            event = event_service.submit_event(session, payload, form.new_actor_payload(), current_user_id())
            event_id = event.id
            if candidate_id is not None and event_id is not None:
                feeds.accept(session, candidate_id, event_id)
    except Invalid as exc:
        form.show_errors(exc.fields, rows)
        return render_template("event_form.html", form=form, event=None, error=exc.message), 422
    flash("Event saved.")
    return redirect(url_for("pages.event_page", event_id=event_id), 303)


@bp.get("/events/<int:event_id>/edit")
@editor_required
def edit_event(event_id: int) -> str:
    event = _event_or_404(event_id)
    return render_template("event_form.html", form=_event_form(event), event=event)


@bp.post("/events/<int:event_id>/edit")
@editor_required
def update_event(event_id: int) -> tuple[str, int] | BaseResponse:
    event = _event_or_404(event_id)
    form = _event_form(event)
    if "add_row" in request.form:
        return render_template("event_form.html", form=form, event=event), 200
    payload, rows = form.event_payload()
    try:
        if form.version.data is None:  # never overwrite blindly: the form always sends the version it read
            raise Invalid(
                {"version": "missing or not a number"},
                "The form's version is not a number: reload the event.",
            )
        with write_session() as session:
            event_service.update_event(
                session, event_id, payload, expected_version=form.version.data, user_id=current_user_id()
            )
    except Invalid as exc:
        form.show_errors(exc.fields, rows)
        return render_template("event_form.html", form=form, event=event, error=exc.message), 422
    except Conflict as exc:
        return render_template("event_form.html", form=form, event=event, error=exc.message), 409
    flash("Changes saved.")
    return redirect(url_for("pages.event_page", event_id=event_id), 303)


@bp.post("/events/<int:event_id>/delete")
@editor_required
def delete_event(event_id: int) -> BaseResponse:
    _event_or_404(event_id)
    with write_session() as session:
        event_service.delete_event(session, event_id, user_id=current_user_id())
    flash("Event deleted. Editors can still restore it from the list of deleted events.")
    return redirect(url_for("editing.deleted_events"), 303)


@bp.post("/events/<int:event_id>/restore")
@editor_required
def restore_event(event_id: int) -> BaseResponse:
    try:
        with write_session() as session:
            event_service.restore_event(session, event_id, user_id=current_user_id())
    except NotFound as exc:
        abort(404, description=str(exc))
    flash("Event restored.")
    return redirect(url_for("pages.event_page", event_id=event_id), 303)


@bp.post("/events/<int:event_id>/purge")
@admin_required
def purge_event(event_id: int) -> BaseResponse:
    _event_or_404(event_id, deleted_ok=True)
    try:
        with write_session() as session:
            event_service.purge_event(session, event_id, user_id=current_user_id())
    except Invalid as exc:
        abort(409, description=exc.fields.get("event", exc.message))
    flash("Event purged for good; the purge is in the audit log.")
    return redirect(url_for("editing.deleted_events"), 303)


@bp.get("/events/<int:event_id>/history")
def event_history(event_id: int) -> str:
    session = get_session()
    rows = revisions.history(session, "event", event_id) if event_id < 2**31 else []
    if not rows:
        abort(404, description=f"No history for the event {event_id}.")
    current = queries.event_by_id(session, event_id)
    if current is not None and current.deleted_at is not None and not current_user_id():
        abort(404, description=f"No event with the id {event_id}.")
    entries = [(rev, name, revisions.diff(rev.before, rev.after)) for rev, name in rows]
    return render_template("history.html", entries=entries, event=current, key=rows[0][0].entity_key)


@bp.get("/deleted")
@editor_required
def deleted_events() -> str:
    return render_template("deleted.html", events=queries.deleted_events(get_session()))


@bp.get("/audit")
@editor_required
def audit() -> tuple[str, int]:
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {"from": None, "to": None}
    for name in days:
        value = request.args.get(name, "").strip()
        if value:
            try:
                days[name] = parse_bound(value, upper=name == "to")
            except InvalidDate as exc:
                errors[name] = str(exc)
    editor = request.args.get("editor", "").strip() or None
    rows = revisions.audit(get_session(), editor=editor, day_from=days["from"], day_to=days["to"])
    users = queries.list_users(get_session())
    return render_template(
        "audit.html", rows=rows, errors=errors, editor=editor or "", users=users, args=request.args
    ), (400 if errors else 200)


@bp.route("/actors/<slug>/edit", methods=["GET", "POST"])
@editor_required
def edit_actor(slug: str) -> tuple[str, int] | BaseResponse:
    session = get_session()
    actor = queries.actor_by_slug(session, slug)
    if actor is None:
        abort(404, description=f"No actor with the slug “{slug}”.")
    snapshot = actor_service.actor_snapshot(session, actor)
    if request.method == "GET":
        form = ActorForm(data={**snapshot, "aliases": "\n".join(snapshot["aliases"])})
    else:
        form = ActorForm()
    form.set_choices(queries.all_actors(session), exclude=slug)
    if request.method == "GET":
        return render_template("actor_form.html", form=form, actor=actor), 200
    try:
        data = validate(ActorIn, form.payload())
        with write_session() as write:
            updated = actor_service.update_actor(write, slug, data, current_user_id())
            new_slug = updated.slug
    except Invalid as exc:
        form.show_errors(exc.fields)
        return render_template("actor_form.html", form=form, actor=actor, error=exc.message), 422
    flash("Actor saved.")
    return redirect(url_for("pages.actor_page", slug=new_slug), 303)


@bp.route("/topics/<slug>/edit", methods=["GET", "POST"])
@editor_required
def edit_topic(slug: str) -> tuple[str, int] | BaseResponse:
    topic = queries.topic_by_slug(get_session(), slug)
    if topic is None:
        abort(404, description=f"No topic with the slug “{slug}”.")
    form = TopicForm(obj=topic) if request.method == "GET" else TopicForm()
    if request.method == "GET":
        return render_template("topic_form.html", form=form, topic=topic), 200
    try:
        data = validate(TopicIn, form.payload())
        with write_session() as write:
            new_slug = topic_service.update_topic(write, slug, data, current_user_id()).slug
    except Invalid as exc:
        form.show_errors(exc.fields)
        return render_template("topic_form.html", form=form, topic=topic, error=exc.message), 422
    flash("Topic saved.")
    return redirect(url_for("explore.topic_page", slug=new_slug), 303)


@bp.route("/import", methods=["GET", "POST"])
@editor_required
def import_page() -> tuple[str, int]:
    """Upload a native JSON document; a dry run reports what would change and stores nothing."""
    if request.method == "GET":
        return render_template("import.html", report=None, error=None), 200
    upload = request.files.get("file")
    dry_run = request.form.get("dry_run") == "1"
    if upload is None or not upload.filename:
        return render_template("import.html", report=None, error="Choose a JSON file to import."), 400
    try:
        document = parse_json(upload.read())
    except BodyError as exc:
        return render_template("import.html", report=None, error=exc.message), 400
    try:
        report = work.import_document(document, current_user_id(), dry_run=dry_run)
    except Invalid as exc:
        return render_template("import.html", report=None, error=f"{exc.message} Nothing was imported."), 422
    return render_template("import.html", report=report, dry_run=dry_run, error=None), 200
