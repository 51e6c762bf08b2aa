"""References for `make bench`, served by gunicorn with the same settings as the real app.

- ``/``: Flask's hello world, the ceiling for any Flask app on this machine;
- ``/core/actors/<id>.json``: a bare Flask + SQLAlchemy Core endpoint returning one actor's events
  as JSON in timeline order (no ORM objects, no histories), on ``BENCH_DATABASE_URL``;
- ``POST /core/events``: a bare insert endpoint (sqlite3 in WAL mode, or psycopg): the JSON body's
  event row and its one stance row in one transaction, no validation, no revisions, no cache;
- ``/core/export.jsonl``: a bare streaming export: every live event row as one JSON line;
- ``/core/bytes/<n>``: hello world answering n bytes of JSON (made once), no database: what sending an
  answer that big costs on this machine, the ceiling for any cached answer of that size.

gunicorn --chdir tests/bench 'hello:create_app()'
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from flask import Flask, Response, abort, request
from sqlalchemy import MetaData, Table, create_engine, select
from sqlalchemy.engine.url import make_url

_INSERT_EVENT = (
    "INSERT INTO event (uid, actor_id, kind, title, date_edtf, date_earliest, date_latest, date_display, "
    "quote, confidence, created_at, updated_at, version) "
    "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, 'medium', {p}, {p}, 1)"
)
_INSERT_STANCE = "INSERT INTO stance (event_id, topic_id, score) VALUES ({p}, {p}, {p})"
# Every column of the event's data: PostgreSQL's stored search vector (migration 0013) is index data.
_EXPORT = "SELECT * FROM event WHERE deleted_at IS NULL ORDER BY date_earliest, date_latest, id"
_INDEX_ONLY = {"search_vector"}
_MAX_BYTES = 16 * 1024 * 1024


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


class _Bare:
    """One raw DB-API connection per thread: sqlite3 (WAL, busy_timeout) or psycopg."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        self.path = parsed.database or ""
        self.dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        self.local = threading.local()
        self.p = "?" if self.sqlite else "%s"

    def connect(self) -> Any:
        if self.sqlite:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            return conn
        import psycopg

        return psycopg.connect(self.dsn)

    def conn(self) -> Any:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = self.connect()
        return conn

    def close(self) -> None:
        """Close this thread's connection (the tests' app is discarded; a server's lives to its end)."""
        conn = getattr(self.local, "conn", None)
        if conn is not None:
            conn.close()
            self.local.conn = None

    def insert(self, doc: dict[str, Any], actor_id: int, topic_id: int) -> int:
        now = datetime.now(UTC).replace(tzinfo=None)
        row = (
            doc["uid"],
            actor_id,
            doc["kind"],
            doc["title"],
            doc["date"],
            doc["date"],
            doc["date"],
            doc["date"],
            doc.get("quote"),
            now,
            now,
        )
        score = int(doc["stances"][0]["score"])
        conn = self.conn()
        if self.sqlite:
            conn.execute("BEGIN IMMEDIATE")
            try:
                cur = conn.execute(_INSERT_EVENT.format(p="?"), row)
                conn.execute(_INSERT_STANCE.format(p="?"), (cur.lastrowid, topic_id, score))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return int(cur.lastrowid)
        with conn.transaction():
            new_id = conn.execute(_INSERT_EVENT.format(p="%s") + " RETURNING id", row).fetchone()[0]
            conn.execute(_INSERT_STANCE.format(p="%s"), (new_id, topic_id, score))
        return int(new_id)

    def export_lines(self) -> Iterator[bytes]:
        conn = self.connect()
        try:
            if self.sqlite:
                cur = conn.execute(_EXPORT)
                names = [d[0] for d in cur.description]
                for row in cur:
                    yield (json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n").encode()
                return
            with conn.cursor() as cur:
                cur.execute("SELECT * FROM event LIMIT 0")
                names = [d[0] for d in cur.description or () if d[0] not in _INDEX_ONLY]
            export = _EXPORT.replace("*", ", ".join(names), 1)
            with conn.transaction(), conn.cursor(name="export") as cur:  # server-side: rows in batches
                cur.execute(export)
                columns: list[str] = []
                for row in cur:
                    columns = columns or [d[0] for d in cur.description or ()]
                    doc = {k: _plain(v) for k, v in zip(columns, row, strict=True)}
                    yield (json.dumps(doc, ensure_ascii=False) + "\n").encode()
        finally:
            conn.close()


@functools.lru_cache(maxsize=4)
def _json_of_size(size: int) -> bytes:
    return b'"' + b"x" * max(0, size - 2) + b'"'


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def hello() -> str:
        return "Hello, World!"

    @app.get("/core/bytes/<int:size>")
    def same_size(size: int) -> Response:
        if size > _MAX_BYTES:
            abort(400, description=f"size: at most {_MAX_BYTES} bytes")
        return Response(_json_of_size(size), mimetype="application/json")

    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        return app
    engine = create_engine(url)
    event = Table("event", MetaData(), autoload_with=engine)
    columns = [c for c in event.c if c.name not in _INDEX_ONLY]
    order = (event.c.date_earliest, event.c.date_latest, event.c.id)
    with engine.connect() as conn:
        actors: dict[str, int] = {r[0]: r[1] for r in conn.exec_driver_sql("SELECT slug, id FROM actor")}
        topics: dict[str, int] = {r[0]: r[1] for r in conn.exec_driver_sql("SELECT slug, id FROM topic")}
    bare = _Bare(url)
    app.extensions["bench.bare"], app.extensions["bench.engine"] = bare, engine

    @app.get("/core/actors/<int:actor_id>.json")
    def core_actor(actor_id: int) -> Response:
        with engine.connect() as conn:
            rows = conn.execute(select(*columns).where(event.c.actor_id == actor_id).order_by(*order))
            body = [{k: _plain(v) for k, v in row._mapping.items()} for row in rows]
        return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")

    @app.post("/core/events")
    def core_insert() -> tuple[Response, int]:
        doc = json.loads(request.get_data())
        new_id = bare.insert(doc, actors[doc["actor"]], topics[doc["stances"][0]["topic"]])
        return Response(json.dumps({"id": new_id}), mimetype="application/json"), 201

    @app.get("/core/export.jsonl")
    def core_export() -> Response:
        return Response(bare.export_lines(), mimetype="application/x-ndjson")

    return app
