"""Editors' webhook pages: register an https URL and event types, see each webhook's delivery log."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..db import get_session, write_session
from ..services import webhooks
from ..services.errors import Invalid, NotFound
from ..services.reads import backoffice
from .auth import current_user_id, editor_required

bp = Blueprint("webhooks", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _list_page(errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    session = get_session()
    return render_template(
        "webhooks.html",
        hooks=backoffice.webhook_list(session),
        types=webhooks.EVENT_TYPES,
        errors=errors or {},
        # After a refusal the form shows what was sent; a new form ticks the statement events.
        url_value=request.form.get("url", "") if errors else "",
        checked=request.form.getlist("events")
        if errors
        else [t for t in webhooks.EVENT_TYPES if t.startswith("event.")],
    ), status


@bp.get("/admin/webhooks")
@editor_required
def webhooks_page() -> tuple[str, int]:
    return _list_page()


@bp.post("/admin/webhooks")
@editor_required
def add_webhook() -> tuple[str, int] | BaseResponse:
    try:
        with write_session(bookkeeping=True) as session:
            hook = webhooks.register(
                session,
                request.form.get("url", ""),
                request.form.getlist("events"),
                current_user_id(),
                allow_private=bool(current_app.config["ALLOW_PRIVATE_ADDRESSES"]),
            )
            hook_id = hook.id
    except Invalid as exc:
        return _list_page(exc.fields, 422)
    flash("Webhook added: it receives the changes saved from now on. Its secret is on its page.")
    return redirect(url_for("webhooks.webhook_page", webhook_id=hook_id), 303)


@bp.get("/admin/webhooks/<int:webhook_id>")
@editor_required
def webhook_page(webhook_id: int) -> str:
    view = backoffice.webhook_page(get_session(), webhook_id)  # NotFound answers 404
    return render_template(
        "webhook.html", hook=view.hook, types=webhooks.EVENT_TYPES, deliveries=view.deliveries
    )


@bp.post("/admin/webhooks/<int:webhook_id>/delete")
@editor_required
def delete_webhook(webhook_id: int) -> BaseResponse:
    try:
        with write_session(bookkeeping=True) as session:
            webhooks.remove(session, webhook_id)
    except NotFound as exc:
        abort(404, description=str(exc))
    flash("Webhook deleted, with its delivery log.")
    return redirect(url_for("webhooks.webhooks_page"), 303)
