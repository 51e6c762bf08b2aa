"""GET /api/v1/changes: the changes feed for scripts that stay in sync (public, like every read)."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request

from ..db import get_session
from ..integers import parse_int
from ..services import changes
from ..services.errors import InvalidFilter
from .common import json_response

bp = Blueprint("changes", __name__, url_prefix="/api/v1")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/changes")
def changes_feed() -> Response:
    """Changes after `since`, oldest first; `next` is the cursor to ask with next time."""
    limit = parse_int(request.args.get("limit", "100"), minimum=1, maximum=changes.MAX_LIMIT)
    if limit is None:
        raise InvalidFilter(
            {"limit": f"a whole number from 1 to {changes.MAX_LIMIT} (digits 0-9)"}, "Invalid limit."
        )
    page = changes.changes_since(get_session(), request.args.get("since"), limit)
    return json_response(page.as_dict(), headers={"Cache-Control": "no-store"})
