"""Editors' back office: scheduled jobs (with "run now") and the feed review queue."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from .. import jobs
from ..db import get_session, write_session
from ..services import accounts, feeds, job_status
from ..services.errors import Conflict, Invalid, NotFound
from ..services.reads import backoffice
from .auth import admin_required, current_user_id, editor_required

bp = Blueprint("admin", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/admin/jobs")
@editor_required
def jobs_page() -> str:
    return render_template("jobs.html", jobs=job_status.jobs_overview(get_session(), current_app.config))


@bp.post("/admin/jobs/<job_id>/run")
@editor_required
def run_now(job_id: str) -> BaseResponse:
    if job_id not in jobs.JOBS:
        abort(404, description=f"No job “{job_id}”.")
    if job_status.is_off(job_id, current_app.config):
        abort(409, description=f"“{job_id}” is turned off in configuration: it cannot run now.")
    jobs.request_run(job_id, current_user_id())
    flash(f"“{job_id}” is queued: the scheduler process runs it within a few seconds.")
    return redirect(url_for("admin.jobs_page"), 303)


@bp.get("/review")
@editor_required
def review() -> str:
    view = backoffice.review_page(get_session())
    return render_template("review.html", candidates=view.candidates, feeds=view.feeds)


@bp.post("/feeds")
@editor_required
def add_feed() -> tuple[str, int] | BaseResponse:
    try:
        with write_session() as session:
            feeds.add_feed(session, request.form.get("url", ""), current_user_id())
    except Invalid as exc:
        flash(f"Feed not added: {exc.fields.get('url', exc.message)}")
        return redirect(url_for("admin.review"), 303)
    flash("Feed added: its items arrive here after the next fetch.")
    return redirect(url_for("admin.review"), 303)


@bp.post("/review/<int:candidate_id>/dismiss")
@editor_required
def dismiss(candidate_id: int) -> BaseResponse:
    try:
        with write_session() as session:
            feeds.dismiss(session, candidate_id)
    except NotFound as exc:
        abort(404, description=str(exc))
    flash("Dismissed.")
    return redirect(url_for("admin.review"), 303)


@bp.get("/admin/users")
@admin_required
def users_page() -> str:
    return render_template("users.html", users=backoffice.user_list(get_session()))


@bp.post("/admin/users")
@admin_required
def create_user() -> tuple[str, int] | BaseResponse:
    name, password = request.form.get("name", ""), request.form.get("password", "")
    try:
        with write_session() as session:
            accounts.create_user(session, name, password, admin=request.form.get("admin") == "1")
    except Invalid as exc:
        flash("Account not created: " + "; ".join(f"{k}: {v}" for k, v in exc.fields.items()))
        return redirect(url_for("admin.users_page"), 303)
    flash(f"Created the account {name.strip()}.")
    return redirect(url_for("admin.users_page"), 303)


@bp.post("/admin/users/<name>/disable")
@admin_required
def disable_user(name: str) -> BaseResponse:
    try:
        with write_session() as session:  # NotFound answers 404
            accounts.disable_user(session, name, by=current_user.name)
    except Conflict as exc:
        abort(409, description=exc.message)
    flash(f"Disabled {name}; its API tokens no longer work.")
    return redirect(url_for("admin.users_page"), 303)
