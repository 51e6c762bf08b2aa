"""References for `make bench`, served by gunicorn with the same settings as the real app.

- ``/``: Flask's hello world, the ceiling for any Flask app on this machine;
- ``/core/actors/<id>.json``: a bare Flask + SQLAlchemy Core endpoint returning one actor's events
  as JSON in timeline order (no ORM objects, no histories), on ``BENCH_DATABASE_URL``.

gunicorn --chdir tests/bench 'hello:create_app()'
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from typing import Any

from flask import Flask, Response
from sqlalchemy import MetaData, Table, create_engine, select


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def hello() -> str:
        return "Hello, World!"

    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        engine = create_engine(url)
        event = Table("event", MetaData(), autoload_with=engine)
        order = (event.c.date_earliest, event.c.date_latest, event.c.id)

        @app.get("/core/actors/<int:actor_id>.json")
        def core_actor(actor_id: int) -> Response:
            with engine.connect() as conn:
                rows = conn.execute(select(event).where(event.c.actor_id == actor_id).order_by(*order))
                body = [{k: _plain(v) for k, v in row._mapping.items()} for row in rows]
            return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")

    return app
