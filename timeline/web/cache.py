"""A response cache for public pages, keyed by the data version every write bumps, with ETag / 304.

Two layers share one store per process:

- ``@cached`` on a view stores its 200 responses (and answers repeated requests that Flask must look
  at first, a remember cookie or a token: signed-in editors never get a shared page);
- :class:`CacheMiddleware`, outermost, answers requests that carry no credentials and no signed-in
  session (:class:`Readers`) straight from the store, in the encoding the client accepts (or with a
  304), before any compression, routing, session or database work. Only pages made for requests with
  no session at all are stored.

The data version is the ``data_version`` row every data write bumps in its own transaction. Reading
that row on every request would cost a database round trip, so on SQLite each process keeps one
read-only connection and asks ``PRAGMA data_version``, which changes whenever any other connection
(any worker, the scheduler, the CLI) commits; only then is the row read again. A write that has
committed is therefore seen by the very next request in every worker, and there is no side channel
(file, signal) that a crash could leave behind.

One module though long: the store, both layers and the data-version watch share one store's state and
its locking, and one freshness rule; split, that rule would be spread over several files.
"""

from __future__ import annotations

import contextlib
import functools
import mmap
import os
import secrets
import sqlite3
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

import psycopg
from flask import Flask, Response, current_app, has_app_context, make_response, request, session
from flask_login import current_user
from sqlalchemy import Engine, event, text
from sqlalchemy.engine.url import make_url
from sqlalchemy.orm import Session

from .. import scopes
from ..db import _WriteSession
from ..services.read_memo import MemoStore, ReadMemo
from .compression import (
    MIN_SIZE,
    CompressionMiddleware,
    add_vary,
    base_etag,
    compress,
    compressible,
    encoded_etag,
    negotiate,
)

F = TypeVar("F", bound=Callable[..., Any])
StartResponse = Callable[..., Any]
MAX_BODY = 4 * 1024 * 1024
_EXT = "timeline.response_cache"
_VERSION_KEY = "timeline.data_version"
_STORE_KEY = "timeline.cache_store"
_STORABLE_KEY = "timeline.cache_key"
_MAX_KEPT_COOKIES = 4096  # longer Cookie headers are read each time, not kept (Readers)
_VERSION_SQL = "SELECT version FROM data_version WHERE id = 1"
_SCOPES_SQL = "SELECT scope, version FROM data_scope"
_SCOPES_KEY = "timeline.cache_scopes"
_NOTICE_WAIT = 0.2  # seconds a PostgreSQL writer waits at most for its own notice
_MAX_HEARD = 4096  # notices of this process's writes kept for their writers
Deps = tuple[tuple[str, int], ...]
Key = tuple[str, str, str]
# Headers that belong to one response only: never replayed from the store.
_PRIVATE = {"set-cookie", "content-length"}


@dataclass
class Entry:
    headers: list[tuple[str, str]]
    body: bytes
    deps: Deps  # the versions it was made from (Versions.fresh)
    # The body in each Content-Encoding asked for so far: compressed once, then served as stored.
    encoded: dict[str, bytes] = field(default_factory=dict)
    etag: str = ""  # _etag(key, deps), worked out once when stored
    # The headers of each representation (None: the identity), built on first use: a hit only replays.
    sent_headers: dict[str | None, list[tuple[str, str]]] = field(default_factory=dict)
    # The last versions this entry was found fresh against: the same object is the same answer.
    fresh_as_of: Versions | None = None

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(data) for data in self.encoded.values())

    def encoding_for(self, accepted: str | None) -> str | None:
        """The encoding this entry is served in to a client that accepts `accepted`."""
        if accepted is None or not self.compresses:
            return None
        return accepted

    @functools.cached_property
    def compresses(self) -> bool:
        """Whether this entry is worth compressing (size, type, not already encoded)."""
        return len(self.body) >= MIN_SIZE and compressible(self.headers)

    def headers_for(self, encoding: str | None, data: bytes) -> list[tuple[str, str]]:
        """The headers of this entry sent as `data` in `encoding` (a new list: servers may keep it)."""
        headers = self.sent_headers.get(encoding)
        if headers is None:
            headers = [
                (name, encoded_etag(value, encoding) if name.lower() == "etag" else value)
                for name, value in self.headers
            ]
            if encoding is not None:
                headers.append(("Content-Encoding", encoding))
            headers.append(("Content-Length", str(len(data))))
            self.sent_headers[encoding] = headers
        return list(headers)


@dataclass(frozen=True)
class Versions:
    """The data version and every scope's version, as read at one moment."""

    data: int
    scopes: Mapping[str, int]

    def of(self, name: str) -> int:
        return self.data if name == scopes.DATA else self.scopes.get(name, 0)

    def deps(self, names: Iterable[str]) -> Deps:
        """What a page that shows these scopes depends on, as of now."""
        return tuple((name, self.of(name)) for name in names)

    def fresh(self, deps: Deps) -> bool:
        """Whether nothing a stored page depends on has moved since it was stored."""
        return all(self.of(name) == version for name, version in deps)


class VersionSource:
    """The current versions, as cheaply as the database allows."""

    def __init__(self, url: str, engine: Engine, signal_folder: str | None = None) -> None:
        parsed = make_url(url)
        database = parsed.database or ""
        self.path = (
            os.path.abspath(database)
            if parsed.get_backend_name() == "sqlite" and database and database != ":memory:"
            else None
        )
        self.engine = engine
        self.lock = threading.Lock()
        # The listening connection is used by one thread at a time: a writer waiting for its own notice
        # holds this one, not `lock`, so readers keep serving meanwhile (issue 17: reads during writes).
        self.listener_lock = threading.Lock()
        # This process's writers' notices read by any thread: a writer whose notice another thread read
        # finds it here instead of waiting out _NOTICE_WAIT (16 concurrent writers ran at 8 a second).
        self.heard: set[str] = set()
        self.pid = -1
        self.conn: sqlite3.Connection | None = None
        self.seen: int | None = None  # PRAGMA data_version when the rows were last read
        self.listener: psycopg.Connection[Any] | None = None
        # PostgreSQL, same machine: writers put a new random number in a small shared file at commit;
        # readers compare it on each request (a memory read), so no worker here ever lags a write.
        self.signal = (
            _SharedSignal(os.path.join(signal_folder, f"cache-signal-{zlib.crc32(url.encode()):08x}"))
            if signal_folder and parsed.get_backend_name() == "postgresql"
            else None
        )
        self.conninfo = (
            parsed.set(drivername="postgresql").render_as_string(hide_password=False)
            if parsed.get_backend_name() == "postgresql"
            else ""
        )
        self.versions: Versions | None = None

    def current(self) -> Versions | None:
        """The versions, or None when they cannot be read (then nothing is cached)."""
        if self.path is None:
            return self._server_versions()
        with self.lock:
            try:
                return self._sqlite_versions()
            except sqlite3.Error:
                self._close()
                return None

    def _server_versions(self) -> Versions | None:
        # PostgreSQL: every data write NOTIFYs (scopes.bump); the versions are read again only after
        # a notice, checked without a round trip, or when the listening connection is not there.
        with self.lock:
            moved = self.signal.moved() if self.signal is not None else False
            if not self._heard_of_a_write() and not moved and self.versions is not None:
                return self.versions
            try:
                with self.engine.connect() as conn:
                    value = conn.execute(text(_VERSION_SQL)).scalar()
                    rows = conn.execute(text(_SCOPES_SQL)).all() if value is not None else []
            except Exception:  # no table yet, database down: serve uncached
                self.versions = None
                return None
            self.versions = None if value is None else Versions(int(value), {r[0]: int(r[1]) for r in rows})
            return self.versions

    def _heard_of_a_write(self) -> bool:
        """Whether a write may have been committed since the versions were read (True when unsure)."""
        if not self.conninfo:
            return True
        if not self.listener_lock.acquire(blocking=False):
            # A writer of this process is reading the notices: it forgets the versions on any it hears.
            return False
        try:
            return self._listen()
        finally:
            self.listener_lock.release()

    def _listen(self) -> bool:
        if self.listener is None or self.pid != os.getpid():  # a forked worker listens on its own
            self.pid, self.listener = os.getpid(), None
            try:
                listener = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5)
                listener.execute(f"LISTEN {scopes.CHANNEL}")
            except Exception:  # no listening: read the versions on every request instead
                return True
            self.listener = listener
            return True  # listening from now on: read once, then only after a notice
        try:
            notices = list(self.listener.notifies(timeout=0))
            self._remember(notices)
            return bool(notices)
        except Exception:
            with contextlib.suppress(Exception):
                self.listener.close()
            self.listener = None
            return True

    def _remember(self, notices: Iterable[Any]) -> None:
        """Note this process's writers' notices (the payload starts with its pid): they are waited for."""
        mine = f"{os.getpid()}-"
        if len(self.heard) > _MAX_HEARD:  # notices whose writer stopped waiting (or never waited)
            self.heard.clear()  # a writer still waiting then waits at most _NOTICE_WAIT
        self.heard.update(n.payload for n in notices if n.payload.startswith(mine))

    def close(self) -> None:
        """Close the listening connection (an app being discarded)."""
        with self.listener_lock, self.lock:  # the writers' order: no deadlock
            if self.listener is not None:
                with contextlib.suppress(Exception):
                    self.listener.close()
                self.listener = None

    def after_local_write(self, notice: str) -> None:
        """This process committed a write: read the versions again, once its notice has gone out.

        Waiting (briefly) for the write's own notice means PostgreSQL has signalled every listener,
        so the other workers' next requests see it too.
        """
        with self.lock:
            # Read again at the next request: another thread may already have read past this write's
            # marker (SQLite), and forgetting only the versions would leave this worker uncached.
            self.versions, self.seen = None, None
            if self.signal is not None:
                self.signal.move()
        # The wait holds only the listener: readers read the versions again once (they include this
        # write, committed), then serve; any other notice heard meanwhile makes them read again.
        deadline = time.monotonic() + _NOTICE_WAIT
        with self.listener_lock:
            if self.listener is None or self.pid != os.getpid():
                return
            try:
                while notice not in self.heard and (left := deadline - time.monotonic()) > 0:
                    for heard in self.listener.notifies(timeout=left):
                        self._remember([heard])
                        if heard.payload == notice:
                            break
                        with self.lock:
                            self.versions = None
                    else:
                        break  # the time is up
            except Exception:
                with contextlib.suppress(Exception):
                    self.listener.close()
                with self.lock:
                    self.listener, self.versions = None, None
            finally:
                self.heard.discard(notice)

    def _sqlite_versions(self) -> Versions | None:
        if self.conn is None or self.pid != os.getpid():  # a forked worker opens its own
            if not os.path.exists(self.path or ""):
                return None
            self.conn = sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
            )
            self.pid, self.seen = os.getpid(), None
        marker = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if marker != self.seen:
            self.conn.execute("BEGIN")  # both reads from one snapshot
            try:
                row = self.conn.execute(_VERSION_SQL).fetchone()
                rows = self.conn.execute(_SCOPES_SQL).fetchall()
            finally:
                self.conn.execute("COMMIT")
            self.versions = None if row is None else Versions(int(row[0]), {r[0]: int(r[1]) for r in rows})
            self.seen = marker
        return self.versions

    def _close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn, self.seen, self.versions = None, None, None


class _SharedSignal:
    """Eight bytes in a file every process of this machine maps: a writer moves them, readers compare."""

    def __init__(self, path: str) -> None:
        self.path, self.pid, self.seen = path, -1, b""
        self.map: mmap.mmap | None = None

    def _mapped(self) -> mmap.mmap | None:
        if self.map is None or self.pid != os.getpid():
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    if os.fstat(fd).st_size < 8:
                        os.ftruncate(fd, 8)
                    self.map = mmap.mmap(fd, 8)
                finally:
                    os.close(fd)
            except OSError:  # no shared file: the notices alone tell of writes
                self.map = None
            self.pid = os.getpid()
        return self.map

    def moved(self) -> bool:
        """Whether a writer on this machine committed since the last look (True at the first look)."""
        mapped = self._mapped()
        if mapped is None:
            return False
        now = mapped[:8]
        moved, self.seen = now != self.seen, now
        return moved

    def move(self) -> None:
        mapped = self._mapped()
        if mapped is not None:
            mapped[:8] = secrets.token_bytes(8)


class Store:
    """Responses by (host, path, query, version), least recently used out first, bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.size = max_bytes, 0
        self.entries: OrderedDict[Key, Entry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Key) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: Key, entry: Entry) -> None:
        if len(entry.body) > min(MAX_BODY, self.max_bytes):
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= old.size
            self.entries[key] = entry
            self.size += entry.size
            self._shrink()

    def encoded(self, key: Key, entry: Entry, encoding: str) -> bytes:
        """The entry's body in one encoding, compressed on first use and kept (and counted) with it."""
        data = entry.encoded.get(encoding)
        if data is not None:
            return data
        data = compress(entry.body, encoding)
        with self.lock:
            if encoding not in entry.encoded:
                entry.encoded[encoding] = data
                if self.entries.get(key) is entry:
                    self.size += len(data)
                    self._shrink()
        return data

    def _shrink(self) -> None:
        while self.size > self.max_bytes and self.entries:
            _key, dropped = self.entries.popitem(last=False)
            self.size -= dropped.size


class Readers:
    """Which Cookie headers are a reader's whom nobody signed in as, with no flashed message waiting.

    Such a reader gets the shared page, as from Flask (``cached``), but from the middleware: the session
    cookie is read here once per distinct Cookie header, as Flask reads it, and the verdict kept. A
    verdict cannot go stale: the same signed bytes always hold the same session (an expired one is
    empty, which is anonymous too).
    """

    def __init__(self, app: Flask, capacity: int = 1024) -> None:
        self.app, self.capacity = app, capacity
        self.session_cookie = app.config.get("SESSION_COOKIE_NAME", "session")
        self.remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        self.verdicts: OrderedDict[str, bool] = OrderedDict()
        self.lock = threading.Lock()

    def anonymous(self, cookies: str) -> bool:
        """Whether a request with this Cookie header may be served a shared page as it is."""
        if not cookies:
            return True
        if f"{self.remember_cookie}=" in cookies:
            return False  # Flask-Login may sign the reader in from it
        if f"{self.session_cookie}=" not in cookies:
            return True
        with self.lock:
            verdict = self.verdicts.get(cookies)
        if verdict is None:
            verdict = self._read(cookies)
            if len(cookies) <= _MAX_KEPT_COOKIES:  # bounded memory whatever clients send
                with self.lock:
                    self.verdicts[cookies] = verdict
                    if len(self.verdicts) > self.capacity:
                        self.verdicts.popitem(last=False)
        return verdict

    def carry_no_session(self, cookies: str) -> bool:
        """Whether a page made for this request may be stored: no session of any kind took part in it
        (one made for a session may hold what is that session's alone, such as its CSRF token)."""
        return not cookies or (
            f"{self.session_cookie}=" not in cookies and f"{self.remember_cookie}=" not in cookies
        )

    def _read(self, cookies: str) -> bool:
        try:  # the session interface Flask itself uses (set up after this module's init_app)
            request_ = self.app.request_class({"HTTP_COOKIE": cookies})
            found = self.app.session_interface.open_session(self.app, request_)
        except Exception:  # whatever Flask would make of it, Flask decides
            return False
        return found is not None and "_user_id" not in found and "_flashes" not in found


@dataclass
class Cache:
    source: VersionSource
    store: Store
    readers: Readers
    memo: MemoStore | None = None  # rows kept by the scope versions they were read under (read_memo)


def init_app(app: Flask, engine: Engine) -> None:
    memo_bytes = int(app.config["READ_MEMO_MB"]) * 1024 * 1024
    cache = Cache(
        VersionSource(app.config["DATABASE_URL"], engine, app.instance_path),
        Store(int(app.config["RESPONSE_CACHE_MB"]) * 1024 * 1024),
        Readers(app),
        MemoStore(memo_bytes) if memo_bytes > 0 else None,
    )
    app.extensions[_EXT] = cache
    # Outermost: serves stored answers; the rest is compressed on the way out (CacheMiddleware.live).
    app.wsgi_app = CacheMiddleware(app.wsgi_app, cache)  # type: ignore[method-assign]


@event.listens_for(_WriteSession, "after_commit")
def _after_commit(session: Session) -> None:
    notice = session.info.pop(scopes.NOTICE_KEY, None)
    if notice is not None and has_app_context():
        cache = current_app.extensions.get(_EXT)
        if cache is not None:
            cache.source.after_local_write(notice)


def _key(environ: dict[str, Any]) -> Key:
    return (
        environ.get("HTTP_HOST", ""),
        environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
    )


def _etag(key: Key, deps: Deps) -> str:
    made_from = ",".join(f"{name}={version}" for name, version in deps)
    where = "?".join(key[1:3]).encode("utf-8", "surrogateescape")
    return f'"v{zlib.crc32(made_from.encode()):08x}-{zlib.crc32(where):08x}"'


def depends_on(*names: str) -> None:
    """Declare the scopes the current page shows (scopes.actor/topic): only writes to them renew it."""
    request.environ[_SCOPES_KEY] = names


def _declared(environ: dict[str, Any]) -> tuple[str, ...]:
    names = environ.get(_SCOPES_KEY)
    return (scopes.DATA,) if names is None else (*names, scopes.ALL)


def _not_modified_headers(etag: str, encoding: str | None) -> list[tuple[str, str]]:
    etag = encoded_etag(etag, encoding)
    return [("ETag", etag), ("Cache-Control", "no-cache"), ("Vary", "Accept-Encoding")]


def _still_fresh(entry: Entry, versions: Versions) -> bool:
    """Versions.fresh, remembered per entry while the versions are the same object (they only change
    when a write moved one: VersionSource then reads a new Versions)."""
    if entry.fresh_as_of is versions:
        return True
    if versions.fresh(entry.deps):
        entry.fresh_as_of = versions
        return True
    return False


def _not_modified(environ: dict[str, Any], etag: str) -> bool:
    """Whether If-None-Match names this answer, in any of its encodings."""
    sent = (environ.get("HTTP_IF_NONE_MATCH") or "").strip()
    return sent == "*" or any(base_etag(tag) == etag for tag in sent.split(","))


class CacheMiddleware:
    """Serves stored pages to requests without cookies or credentials, before Flask does any work.

    Outermost: a hit is answered here, already encoded as the client accepts; everything else goes
    through the compression layer to Flask (`live`), and a shareable answer is stored on its way out,
    as Flask made it, before it is compressed for this client.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], cache: Cache) -> None:
        self.app, self.cache = app, cache
        self.live = CompressionMiddleware(self._live)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET":
            return self.live(environ, start_response)
        versions = self.cache.source.current()
        if versions is None:
            return self.live(environ, start_response)
        environ[_VERSION_KEY] = versions
        cookies = environ.get("HTTP_COOKIE")
        if environ.get("HTTP_AUTHORIZATION") or (cookies and not self.cache.readers.anonymous(cookies)):
            return self.live(environ, start_response)  # the view decides, knowing who asks
        key = _key(environ)
        entry = self.cache.store.get(key)
        if entry is None or not _still_fresh(entry, versions):
            if not cookies or self.cache.readers.carry_no_session(cookies):
                environ[_STORABLE_KEY] = key  # made for no one in particular: the answer may be stored
            return self.live(environ, start_response)
        # A hit: the stored bytes and headers as they are, before compression, routing or sessions.
        etag = entry.etag or _etag(key, entry.deps)
        encoding = entry.encoding_for(negotiate(environ.get("HTTP_ACCEPT_ENCODING", "")))
        if "HTTP_IF_NONE_MATCH" in environ and _not_modified(environ, etag):
            start_response("304 Not Modified", _not_modified_headers(etag, encoding))
            return []
        data = entry.body if encoding is None else self.cache.store.encoded(key, entry, encoding)
        start_response("200 OK", entry.headers_for(encoding, data))
        return [data]

    def _live(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Flask answers (behind the compression layer); a shareable answer is stored on the way out."""
        if _STORABLE_KEY not in environ:
            return self.app(environ, start_response)
        return self._fill(environ, start_response, environ.pop(_STORABLE_KEY))

    def _fill(self, environ: dict[str, Any], start_response: StartResponse, key: Key) -> Iterable[bytes]:
        """Let Flask answer; keep the answer when the view said it may be shared."""
        captured: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = self.app(environ, capture)
        deps = environ.get(_STORE_KEY)
        if deps is None or not captured or not captured[0].startswith("200 "):
            return body
        headers = captured[1]
        if any(name.lower() == "set-cookie" for name, _v in headers):
            return body
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        kept = [(name, value) for name, value in headers if name.lower() not in _PRIVATE]
        if compressible(kept):
            kept = add_vary(kept)
        self.cache.store.put(key, Entry(kept, data, deps, etag=_etag(key, deps)))
        return [data]


def read_memo() -> ReadMemo | None:
    """The read memo with the versions this request read before any data (None: nothing is kept)."""
    cache = current_app.extensions.get(_EXT)
    versions: Versions | None = request.environ.get(_VERSION_KEY)
    if cache is None or cache.memo is None or versions is None:
        return None
    return ReadMemo(cache.memo, versions)


def _cache() -> Cache:
    return current_app.extensions[_EXT]


def _cacheable() -> bool:
    # Signed-in editors see buttons and flashed messages: their pages are never shared.
    return request.method == "GET" and not current_user.is_authenticated and "_flashes" not in session


def cached(view: F) -> F:
    """Serve repeated requests from the store while the data version is unchanged; 304 to a fresh ETag."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        versions: Versions | None = request.environ.get(_VERSION_KEY)
        if versions is None or not _cacheable():
            return view(*args, **kwargs)
        key = _key(request.environ)
        entry = _cache().store.get(key)
        if entry is not None and _still_fresh(entry, versions):
            # The stored bytes in the client's encoding, compressed once (not again per request).
            etag = entry.etag or _etag(key, entry.deps)
            encoding = entry.encoding_for(negotiate(request.environ.get("HTTP_ACCEPT_ENCODING", "")))
            if _not_modified(request.environ, etag):
                return Response(status=304, headers=_not_modified_headers(etag, encoding))
            data = entry.body if encoding is None else _cache().store.encoded(key, entry, encoding)
            return Response(data, headers=entry.headers_for(encoding, data))
        else:
            response = make_response(view(*args, **kwargs))
            # Versions read before the view read its data: a write in between renews the page next time.
            deps = versions.deps(_declared(request.environ))
            etag = _etag(key, deps)
            if response.status_code == 200 and _not_modified(request.environ, etag):
                response = Response(status=304)
            elif response.status_code == 200 and not response.is_streamed:
                request.environ[_STORE_KEY] = deps  # the middleware keeps the final bytes
        if response.status_code in (200, 304):
            response.headers["ETag"] = etag
            response.headers["Cache-Control"] = "no-cache"  # may be stored, must be revalidated
        return response

    return wrapped  # type: ignore[return-value]


def close(app: Flask) -> None:
    """Close the app's listening connection, if it has one (an app being discarded)."""
    found = app.extensions.get(_EXT)
    if found is not None:
        found.source.close()
