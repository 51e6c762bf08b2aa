"""Source records (/sources/<id>) and the editors' list of quotes that drifted in their sources."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, render_template
from flask_login import current_user

from ..db import get_session
from ..services import quote_drift, sources
from .auth import editor_required
from .common import json_response

bp = Blueprint("sources", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/sources/<int:source_id>")
def source_page(source_id: int) -> str:
    """The record; its kept text only for editors (it is a copy of a third party's article)."""
    page = sources.source_page(get_session(), source_id)  # NotFound: the one handler answers 404
    return render_template("source.html", page=page, show_text=current_user.is_authenticated)


@bp.get("/review/quotes")
@editor_required
def drifted_quotes() -> str:
    return render_template("quotes_review.html", rows=quote_drift.drifted(get_session()))


@bp.get("/review/quotes.json")
@editor_required
def drifted_quotes_json() -> Response:
    rows = quote_drift.drifted(get_session())
    return json_response(
        {
            "quotes": [
                {
                    "event": r.uid,
                    "event_id": r.event_id,
                    "actor": r.actor_name,
                    "quote": r.quote,
                    "source_url": r.source_url,
                    "status": r.check.status,
                    "since": r.check.since.isoformat() if r.check.since else None,
                    "checked_at": r.check.checked_at.isoformat(),
                    "score": r.check.score,
                    "found_text": r.check.found_text,
                    "diff": r.check.diff,
                }
                for r in rows
            ]
        }
    )
