"""Editors' pages: add, edit, delete, restore and purge events; edit actors and topics; history, audit."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from .. import work
from ..db import get_session, write_session
from ..integers import MAX_ID, parse_int
from ..models import Event
from ..schemas import ActorIn, TopicIn
from ..services import actors as actor_service
from ..services import event_history as event_history_service
from ..services import events as event_service
from ..services import evidence, feeds
from ..services import topics as topic_service
from ..services.errors import Conflict, Invalid
from ..services.evidence import EvidenceMissing
from ..services.extraction import accept as extract_accept
from ..services.reads import backoffice
from ..services.reads import events as read_events
from ..services.reads.actors import find_actor
from ..services.reads.topics import find_topic
from ..services.validation import validate
from ..services.visibility import visible_event
from . import date_preview as date_preview_page
from . import form_guide, timewords
from .auth import admin_required, current_user_id, editor_required
from .form_guide import REQUIRED_EVENT_FIELDS, date_preview, error_summary
from .forms import MAX_STANCE_ROWS, ActorForm, EventForm, TopicForm, event_form_data
from .jsonbody import BodyError, parse_json

bp = Blueprint("editing", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    date_preview_page.init_app(app)
    timewords.init_app(app)
    app.jinja_env.globals["field_label"] = form_guide.label
    app.jinja_env.globals["evidence_missing"] = evidence.missing_in_event


def _event_or_404(event_id: int, *, deleted_ok: bool = False) -> Event:
    """The event to edit (live only) or to purge (`deleted_ok`: an editor's view); NotFound answers 404."""
    return visible_event(get_session(), event_id, editor=deleted_ok)


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
    if request.method == "GET" and event is None and request.args.get("candidate", ""):
        try:
            candidate = feeds.pending_candidate(session, request.args["candidate"])
        except Invalid:
            abort(400, description="candidate: give the number of a review-queue item (digits 0-9).")
        if candidate is not None:
            form.prefill_from_candidate(candidate)
    choices = backoffice.form_choices(session)
    form.set_choices(choices.actors, choices.topics)
    return form


def _form_page(
    form: EventForm, event: Event | None, *, error: str | None = None, confirm: EvidenceMissing | None = None
) -> str:
    """The event form with its error summary, evidence question and date preview."""
    return render_template(
        "event_form.html",
        form=form,
        event=event,
        error=error,
        errors=error_summary(form),
        confirm=confirm,
        preview=date_preview(form.date.data),
        required=REQUIRED_EVENT_FIELDS,
    )


@bp.get("/events/new")
@editor_required
def new_event() -> str:
    return _form_page(_event_form(), None)


@bp.post("/events")
@editor_required
def create_event() -> tuple[str, int] | BaseResponse:
    form = _event_form()
    if "add_row" in request.form:  # adding a row without JavaScript: show the form again, keep the input
        return _form_page(form, None), 200
    payload, rows = form.event_payload()
    try:
        candidate = feeds.candidate_id(str(form.candidate.data or ""))
        with write_session() as session:
            event = evidence.submit_event(
                session,
                payload,
                form.new_actor_payload(),
                current_user_id(),
                confirmed=form.unsourced_confirmed(),
            )
            event_id = event.id
            extract_accept.anchor_accepted(
                session,
                event_id,
                start=parse_int(form.quote_start.data or "", minimum=0, maximum=MAX_ID),
                end=parse_int(form.quote_end.data or "", minimum=0, maximum=MAX_ID),
                text_sha256=(form.source_sha256.data or "").strip() or None,
            )
            feeds.accept(session, candidate, event_id)
    except EvidenceMissing as exc:  # a question, not an error: nothing stored until confirmed
        return _form_page(form, None, confirm=exc), 200
    except Invalid as exc:
        form.show_errors(exc.fields, rows)
        return _form_page(form, None, error=exc.message), 422
    flash("Event saved.")
    return redirect(url_for("pages.event_page", event_id=event_id), 303)


@bp.get("/events/<int:event_id>/edit")
@editor_required
def edit_event(event_id: int) -> str:
    event = _event_or_404(event_id)
    return _form_page(_event_form(event), event)


@bp.post("/events/<int:event_id>/edit")
@editor_required
def update_event(event_id: int) -> tuple[str, int] | BaseResponse:
    event = _event_or_404(event_id)
    form = _event_form(event)
    if "add_row" in request.form:
        return _form_page(form, event), 200
    payload, rows = form.event_payload()
    try:
        if form.version.data is None:  # never overwrite blindly: the form always sends the version it read
            raise Invalid(
                {"version": "missing or not a number"},
                "The form's version is not a number: reload the event.",
            )
        with write_session() as session:
            evidence.update_event(
                session,
                event_id,
                payload,
                expected_version=form.version.data,
                user_id=current_user_id(),
                confirmed=form.unsourced_confirmed(),
            )
    except EvidenceMissing as exc:
        return _form_page(form, event, confirm=exc), 200
    except Invalid as exc:
        form.show_errors(exc.fields, rows)
        return _form_page(form, event, error=exc.message), 422
    except Conflict as exc:
        return _form_page(form, event, error=exc.message), 409
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
    with write_session() as session:  # NotFound answers 404
        event_service.restore_event(session, event_id, user_id=current_user_id())
    flash("Event restored.")
    return redirect(url_for("pages.event_page", event_id=event_id), 303)


@bp.post("/events/<int:event_id>/purge")
@admin_required
def purge_event(event_id: int) -> BaseResponse:
    _event_or_404(event_id, deleted_ok=True)
    with write_session() as session:
        event_service.purge_event(session, event_id, user_id=current_user_id())
    flash("Event purged for good; the purge is in the audit log.")
    return redirect(url_for("editing.deleted_events"), 303)


@bp.get("/events/<int:event_id>/history")
def event_history(event_id: int) -> str:
    page = read_events.event_history_page(get_session(), event_id, editor=current_user_id() is not None)
    return render_template("history.html", history=page, topics=page.topics)


@bp.post("/events/<int:event_id>/history/<int:revision_id>/restore")
@editor_required
def restore_version(event_id: int, revision_id: int) -> BaseResponse:
    version = parse_int(request.form.get("version", "").strip(), minimum=0, maximum=MAX_ID)
    if version is None:  # never restore blindly over a save made since the page was read
        abort(400, description="version: give the event's version shown on the history page (digits 0-9).")
    with write_session() as session:  # NotFound answers 404, Conflict 409
        changed = event_history_service.restore_version(
            session, event_id, revision_id, expected_version=version, user_id=current_user_id()
        )
    flash("Version restored as a new revision." if changed else "The event already reads as that version.")
    return redirect(url_for("editing.event_history", event_id=event_id), 303)


@bp.get("/deleted")
@editor_required
def deleted_events() -> str:
    return render_template("deleted.html", events=read_events.deleted_events(get_session()))


@bp.get("/audit")
@editor_required
def audit() -> tuple[str, int]:
    args = request.args
    view = backoffice.audit_page(
        get_session(),
        editor=args.get("editor", "").strip() or None,
        day_from=args.get("from", ""),
        day_to=args.get("to", ""),
    )
    editor = args.get("editor", "").strip()
    return render_template(
        "audit.html", rows=view.rows, errors=view.errors, editor=editor, users=view.users, args=args
    ), (400 if view.errors else 200)


@bp.route("/actors/<slug>/edit", methods=["GET", "POST"])
@editor_required
def edit_actor(slug: str) -> tuple[str, int] | BaseResponse:
    session = get_session()
    actor = find_actor(session, slug)
    snapshot = actor_service.actor_snapshot(session, actor)
    if request.method == "GET":
        form = ActorForm(data={**snapshot, "aliases": "\n".join(snapshot["aliases"])})
    else:
        form = ActorForm()
    form.set_choices(backoffice.form_choices(session).actors, exclude=slug)
    if request.method == "GET":
        return render_template("actor_form.html", form=form, actor=actor), 200
    try:
        data = validate(ActorIn, form.payload())
        with write_session() as write:
            updated = actor_service.update_actor(write, slug, data, current_user_id())
            new_slug = updated.slug
    except Invalid as exc:
        form.show_errors(exc.fields)
        return render_template(
            "actor_form.html", form=form, actor=actor, error=exc.message, errors=error_summary(form)
        ), 422
    flash("Actor saved.")
    return redirect(url_for("pages.actor_page", slug=new_slug), 303)


@bp.route("/topics/<slug>/edit", methods=["GET", "POST"])
@editor_required
def edit_topic(slug: str) -> tuple[str, int] | BaseResponse:
    topic = find_topic(get_session(), slug)
    form = TopicForm(obj=topic) if request.method == "GET" else TopicForm()
    if request.method == "GET":
        return render_template("topic_form.html", form=form, topic=topic), 200
    try:
        data = validate(TopicIn, form.payload())
        with write_session() as write:
            new_slug = topic_service.update_topic(write, slug, data, current_user_id()).slug
    except Invalid as exc:
        form.show_errors(exc.fields)
        return render_template(
            "topic_form.html", form=form, topic=topic, error=exc.message, errors=error_summary(form)
        ), 422
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
