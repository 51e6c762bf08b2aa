"""Engine and sessions per app, SQLite pragmas, and immediate write transactions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine.url import make_url
from sqlmodel import Session

_ENGINES = "timeline.engines"


def make_engines(url: str, *, echo: bool = False, busy_timeout_ms: int = 15000) -> tuple[Engine, Engine]:
    """A read engine and a write engine sharing one pool; SQLite writes BEGIN IMMEDIATE."""
    parsed = make_url(url)
    # JSON columns keep non-Latin text readable (and searchable on PostgreSQL), not \u-escaped.
    kwargs: dict[str, Any] = {
        "echo": echo,
        "pool_pre_ping": True,
        "json_serializer": lambda obj: json.dumps(obj, ensure_ascii=False),
    }
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": busy_timeout_ms / 1000, "check_same_thread": False}
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_setup(engine, busy_timeout_ms)
    return engine, engine.execution_options(timeline_write=True)


def _sqlite_setup(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so we can choose BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that reads then writes fails at once with "database is locked".
        if conn.get_execution_options().get("timeline_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def init_app(app: Flask) -> None:
    """Create the engines for this app and close the request's session on teardown."""
    app.extensions[_ENGINES] = make_engines(
        app.config["DATABASE_URL"],
        echo=app.config["SQL_ECHO"],
        busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
    )
    app.teardown_appcontext(_close_session)


def engines() -> tuple[Engine, Engine]:
    return current_app.extensions[_ENGINES]


def get_session() -> Session:
    """The read session of the current app context."""
    if "db_session" not in g:
        g.db_session = Session(engines()[0], expire_on_commit=False)
    return g.db_session


@contextmanager
def write_session() -> Iterator[Session]:
    """A session for one write transaction: commits on success, rolls back on error."""
    session = Session(engines()[1], expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        # End the request's read transaction: in WAL mode it would keep seeing the data before this write.
        if "db_session" in g:
            g.db_session.rollback()


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
