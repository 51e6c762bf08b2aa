"""Editors' back office: scheduled jobs (with "run now") and the feed review queue."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from .. import queries
from ..db import get_session, write_session
from ..services import accounts, feeds
from ..services.errors import Invalid, NotFound
from .auth import admin_required, current_user_id, editor_required

bp = Blueprint("admin", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/admin/jobs")
@editor_required
def jobs_page() -> str:
    from .. import jobs  # APScheduler: loaded by the back office, not by every web worker

    session = get_session()
    scheduled = queries.scheduled_jobs(session)
    rows = []
    for job_id, (what, _call, key) in jobs.JOBS.items():
        rows.append(
            {
                "id": job_id,
                "what": what,
                "interval": int(current_app.config[key]),
                "scheduled": scheduled.get(job_id),
                "runs": queries.recent_job_runs(session, job_id),
            }
        )
    return render_template("jobs.html", jobs=rows)


@bp.post("/admin/jobs/<job_id>/run")
@editor_required
def run_now(job_id: str) -> BaseResponse:
    from .. import jobs

    if job_id not in jobs.JOBS:
        abort(404, description=f"No job “{job_id}”.")
    jobs.request_run(job_id, current_user_id())
    flash(f"“{job_id}” is queued: the scheduler process runs it within a few seconds.")
    return redirect(url_for("admin.jobs_page"), 303)


@bp.get("/review")
@editor_required
def review() -> str:
    session = get_session()
    return render_template(
        "review.html", candidates=queries.pending_candidates(session), feeds=queries.all_feeds(session)
    )


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
    return render_template("users.html", users=queries.list_users(get_session()))


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
    if name == current_user.name:
        abort(409, description="You cannot disable your own account.")
    try:
        with write_session() as session:
            accounts.disable_user(session, name)
    except NotFound as exc:
        abort(404, description=str(exc))
    flash(f"Disabled {name}; its API tokens no longer work.")
    return redirect(url_for("admin.users_page"), 303)
