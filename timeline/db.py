"""Engine and sessions per app, SQLite pragmas, and immediate write transactions."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, text, update
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlmodel import Session

from . import feedlog, scopes
from .errors import DatabaseBusy, StorageError
from .models import DataVersion

_ENGINES = "timeline.engines"


def make_engines(
    url: str, *, echo: bool = False, busy_timeout_ms: int = 15000, mmap_mb: int = 0
) -> tuple[Engine, Engine]:
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
        kwargs["pool_pre_ping"] = False  # a local file: no server or network can drop the connection
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_setup(engine, busy_timeout_ms, mmap_mb)
    elif parsed.get_backend_name() == "postgresql":
        _postgresql_setup(engine, busy_timeout_ms)
    return engine, engine.execution_options(timeline_write=True)


def _sqlite_setup(engine: Engine, busy_timeout_ms: int, mmap_mb: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so we can choose BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        # A read-only database keeps its journal mode; its writes are refused later, with a message.
        with contextlib.suppress(sqlite3.OperationalError):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        # Fold the WAL into the file every ~40 MB instead of every ~4 MB: each checkpoint syncs the
        # database file, and at 1,000 small writes a second one every 50 writes cost about 8%.
        cur.execute("PRAGMA wal_autocheckpoint=10000")
        # Reads through a memory map skip a system call and a copy per page (timeline pages read
        # rows spread across the file); exports turn it off for their connection (queries.memory_map_off).
        cur.execute(f"PRAGMA mmap_size={int(mmap_mb) * 1024 * 1024}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that reads then writes fails at once with "database is locked".
        if conn.get_execution_options().get("timeline_write"):
            if not _begin_immediate_soon(conn.connection.driver_connection, busy_timeout_ms):
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite's own wait, then its error
        else:
            conn.exec_driver_sql("BEGIN")


def _postgresql_setup(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # The same bounded wait as SQLite's busy_timeout: a write stuck behind a lock ends as "busy".
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET lock_timeout = {int(busy_timeout_ms)}")
        dbapi_conn.commit()


# How long writers poll for the write lock before leaving the wait to SQLite (busy_timeout).
_POLL_SECONDS = 2.0


def _begin_immediate_soon(dbapi_conn: Any, busy_timeout_ms: int) -> bool:
    """BEGIN IMMEDIATE, asking again every 0.1-1 ms while another writer holds the lock.

    SQLite's own wait (busy_timeout) sleeps 1, 2, 5, 10... ms between tries: with many short writes
    from several workers, writers sleep while the lock is free. Returns False when the lock was still
    taken after _POLL_SECONDS (the caller then waits the SQLite way, and fails with its error).
    """
    dbapi_conn.execute("PRAGMA busy_timeout=0")
    try:
        deadline, pause = time.monotonic() + _POLL_SECONDS, 0.0001
        while True:
            try:
                dbapi_conn.execute("BEGIN IMMEDIATE")
                return True
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    return False
            time.sleep(pause)
            pause = min(pause * 1.5, 0.001)
    finally:
        dbapi_conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")


def init_app(app: Flask) -> None:
    """Create the engines for this app and close the request's session on teardown."""
    app.extensions[_ENGINES] = make_engines(
        app.config["DATABASE_URL"],
        echo=app.config["SQL_ECHO"],
        busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
        mmap_mb=app.config["SQLITE_MMAP_MB"],
    )
    app.teardown_appcontext(_close_session)
    _warn_if_read_only(app)


def _warn_if_read_only(app: Flask) -> None:
    """Say at start, with the path, when a SQLite database cannot be written."""
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    path = os.path.abspath(url.database)
    folder = os.path.dirname(path)
    if os.path.exists(path) and not os.access(path, os.W_OK):
        app.logger.error("The database %s is read-only: reads work, every write will be refused.", path)
    elif not os.path.exists(path) and not os.access(folder, os.W_OK):
        app.logger.error("Cannot create the database %s: the folder %s is not writable.", path, folder)


def engines(app: Flask | None = None) -> tuple[Engine, Engine]:
    """The (read, write) engines of this app (default: the current one)."""
    return (app or current_app).extensions[_ENGINES]


def single_writer() -> bool:
    """Whether the database takes one writer at a time (SQLite): reads belong before the write lock."""
    return engines()[1].dialect.name == "sqlite"


def get_session() -> Session:
    """The read session of the current request (app context); outside a request use read_session()."""
    if "db_session" not in g:
        g.db_session = Session(engines()[0], expire_on_commit=False)
    return g.db_session


# SQLite's words for a database that cannot take writes, and what to tell people.
_STORAGE_FAILURES = {
    "readonly": "the database file or its folder is read-only",
    "disk is full": "the disk is full",
    "disk i/o error": "the disk reported an I/O error",
    "unable to open database": "the database file cannot be opened (missing folder or no permission)",
}


def storage_failure(exc: BaseException, engine: Engine) -> StorageError | None:
    """A StorageError naming the database and the reason, when exc is a storage failure."""
    if not isinstance(exc, OperationalError | DatabaseError):
        return None
    text = str(getattr(exc, "orig", exc)).lower()
    for needle, reason in _STORAGE_FAILURES.items():
        if needle in text:
            where = engine.url.database or engine.url.render_as_string(hide_password=True)
            return StorageError(f"Cannot write to the database at {where}: {reason}. Reading still works.")
    return None


# SQLite's and PostgreSQL's words for "another transaction held the lock past the wait".
_BUSY_TEXT = ("database is locked", "database table is locked", "lock timeout")
_BUSY_SQLSTATES = ("55P03",)  # lock_not_available (lock_timeout)


def busy_failure(exc: BaseException) -> DatabaseBusy | None:
    """A DatabaseBusy saying what happened, when exc is a lock wait that ran out."""
    if not isinstance(exc, OperationalError | DatabaseError):
        return None
    orig = getattr(exc, "orig", exc)
    text = str(orig).lower()
    if getattr(orig, "sqlstate", None) in _BUSY_SQLSTATES or any(t in text for t in _BUSY_TEXT):
        return DatabaseBusy(
            "The database is busy: another write held it longer than the wait allowed, so nothing was "
            "saved. Try again in a few seconds."
        )
    return None


@contextmanager
def read_session() -> Iterator[Session]:
    """One consistent read (SQLite: a WAL snapshot; PostgreSQL: REPEATABLE READ) taking no write lock: the
    way to read outside a request's get_session() (commands, jobs, streamed exports)."""
    engine = engines()[0]
    session = Session(engine, expire_on_commit=False)
    try:
        if engine.dialect.name == "postgresql":
            # Every statement sees the same snapshot, as SQLite's read transaction does.
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        yield session
    finally:
        session.rollback()
        session.close()


@contextmanager
def write_session(*, bookkeeping: bool = False) -> Iterator[Session]:
    """A session for one write transaction: commits on success, rolls back on error.

    bookkeeping=True is for writes readers never see (job runs, last sign-in): they keep the data version.
    """
    session = _WriteSession(engines()[1], expire_on_commit=False)
    try:
        yield session
        recorded = feedlog.pending(session)
        if recorded or (
            not bookkeeping
            and (session.info.get("written") or session.new or session.dirty or session.deleted)
        ):
            # Every write bumps the data version: each worker's response cache sees it on its next request,
            # and the scopes it touched: cached pages that show none of them stay (timeline/scopes.py).
            _file_write(session, recorded)
        session.commit()
        _note_if_slow(session)
    except BaseException as exc:
        session.rollback()
        failure = storage_failure(exc, engines()[1]) or busy_failure(exc)
        if failure is not None:
            raise failure from exc
        raise
    finally:
        session.close()
        # End the request's read transaction: in WAL mode it would keep seeing the data before this write.
        if "db_session" in g:
            g.db_session.rollback()


def _note_if_slow(session: Session) -> None:
    """Log a write transaction that kept other writers waiting (SQLite: the whole time from its BEGIN)
    for over a second, with the code that made it: what an operator needs when writes answer "busy"."""
    began = session.info.get(_BEGAN)
    held = time.monotonic() - began if began is not None else 0.0
    if held < SLOW_WRITE_SECONDS:
        return
    caller = next(
        (f for f in reversed(traceback.extract_stack()[:-2]) if "contextlib" not in f.filename),
        None,
    )
    where = f"{caller.filename}:{caller.lineno} {caller.name}" if caller else "?"
    _log.warning("A write transaction held the database for %.1f s (%s).", held, where)


SLOW_WRITE_SECONDS = 1.0
_log = logging.getLogger(__name__)


class _WriteSession(Session):
    """write_session's sessions: the listeners below note whether anything was written."""


_DATA_VERSION = DataVersion.__table__  # type: ignore[attr-defined]
# Built once, and Core: the ORM's UPDATE costs several times more, inside every write transaction.
_BUMP_DATA_VERSION = (
    update(_DATA_VERSION).where(_DATA_VERSION.c.id == 1).values(version=_DATA_VERSION.c.version + 1)
)
_BUMP_DATA_VERSION_RETURNING = _BUMP_DATA_VERSION.returning(_DATA_VERSION.c.version)

# PostgreSQL: the data version, the feed's entries, the scopes and the notice in one statement (one
# round trip), the last before COMMIT: every writer waits for the data version row's lock, held from
# here to commit, so each statement sent under it was a round trip all other writers queued behind.
# The scopes and entries are read from `v`: they are locked only once the data version row is.
_FILE_WRITE_PG = text(
    "WITH v AS (UPDATE data_version SET version = version + 1 WHERE id = 1 RETURNING version), "
    "c AS (INSERT INTO change_log (seq, n, revision_id) SELECT v.version, r.n, r.id "
    "FROM v, unnest(CAST(:revisions AS integer[])) WITH ORDINALITY AS r(id, n)), "
    "s AS (INSERT INTO data_scope (scope, version) SELECT t.scope, 1 "
    "FROM v, unnest(CAST(:scopes AS text[])) WITH ORDINALITY AS t(scope, n) ORDER BY t.n "
    "ON CONFLICT (scope) DO UPDATE SET version = data_scope.version + 1) "
    "SELECT v.version, pg_notify(:channel, :notice) FROM v"
)


def _file_write(session: Session, recorded: list[int]) -> None:
    """Bump the data version and the scopes the write touched, and file its revisions in the feed."""
    conn = session.connection()
    touched = scopes.touched(session)
    if conn.dialect.name == "postgresql":
        notice = scopes.new_notice()
        params = {"revisions": recorded, "scopes": touched, "channel": scopes.CHANNEL, "notice": notice}
        if conn.execute(_FILE_WRITE_PG, params).first() is None and recorded:
            raise RuntimeError("the data_version row is missing: run the migrations (flask db upgrade)")
        session.info[scopes.NOTICE_KEY] = notice  # cache.py waits for it after commit
        return
    if recorded:
        # The number comes under the write lock, held to commit: the changes feed's commit order.
        feedlog.stamp(conn, conn.execute(_BUMP_DATA_VERSION_RETURNING).scalar_one(), recorded)
    else:
        conn.execute(_BUMP_DATA_VERSION)
    scopes.bump(conn, touched)


@event.listens_for(_WriteSession, "after_begin")
def _mark_began(session: Session, _transaction: Any, _connection: Any) -> None:
    session.info[_BEGAN] = time.monotonic()  # the lock is taken (SQLite: BEGIN IMMEDIATE)


_BEGAN = "timeline.began"


@event.listens_for(_WriteSession, "after_flush")
def _mark_written(session: Session, _context: Any) -> None:
    session.info["written"] = True


@event.listens_for(_WriteSession, "do_orm_execute")
def _mark_dml(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["written"] = True


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
