"""The topics index and the data page (every download, the API and the formats)."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template

from .. import queries
from ..db import get_session
from ..services.reads.overview import topic_index
from .cache import cached

bp = Blueprint("overview", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/topics")
@cached
def topics_page() -> str:
    return render_template("topics.html", topics=topic_index(get_session()))


@bp.get("/data")
@cached
def data_page() -> str:
    session = get_session()
    return render_template(
        "data.html", actors=queries.all_actors(session), topics=queries.all_topics(session)
    )
