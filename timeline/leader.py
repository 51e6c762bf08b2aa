"""One active scheduler per database, however many scheduler processes run (one per app server).

PostgreSQL: a session advisory lock held by one dedicated connection (released by the server when
that process or its connection dies). SQLite: an exclusive lock on a file beside the database
(released by the kernel when the process dies). Other processes stand by and try again.
"""

from __future__ import annotations

import abc
import contextlib
import fcntl
import os
import zlib
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.engine.url import make_url

# One fixed 32-bit key: advisory locks are per database, so two sites on one server do not collide.
LOCK_KEY = zlib.crc32(b"stance-timeline:scheduler")


class SchedulerLock(abc.ABC):
    """Leadership of the scheduled jobs on one database (AdvisoryLock on PostgreSQL, FileLock on SQLite)."""

    @abc.abstractmethod
    def acquire(self) -> bool:
        """Take the lock if it is free; True when this process now holds it."""

    def held(self) -> bool:
        """Whether the lock is still ours (the PostgreSQL connection may have dropped)."""
        return True

    @abc.abstractmethod
    def release(self) -> None:
        """Give the lock up."""


class AdvisoryLock(SchedulerLock):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.conn: Connection | None = None

    def acquire(self) -> bool:
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = bool(conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({LOCK_KEY})").scalar())
        if got:
            self.conn = conn
        else:
            conn.close()
        return got

    def held(self) -> bool:
        if self.conn is None:
            return False
        try:
            self.conn.exec_driver_sql("SELECT 1").scalar()
        except Exception:  # the connection is gone, and with it the lock
            self.release()
            return False
        return True

    def release(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):
                self.conn.exec_driver_sql(f"SELECT pg_advisory_unlock({LOCK_KEY})")
            with contextlib.suppress(Exception):
                self.conn.close()
            self.conn = None


class FileLock(SchedulerLock):
    def __init__(self, path: str) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # who holds it, for people looking
        self.fd = fd
        return True

    def held(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


class NoLock(SchedulerLock):
    """An in-memory database: no other process can share it."""

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass


def scheduler_lock(engine: Engine) -> SchedulerLock:
    """The lock that elects the one active scheduler of this engine's database."""
    url = make_url(engine.url)
    if url.get_backend_name() == "postgresql":
        return AdvisoryLock(engine)
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        return FileLock(os.path.abspath(url.database) + ".scheduler-lock")
    return NoLock()


def describe(lock: SchedulerLock) -> Any:
    """Where the lock lives, for the log."""
    if isinstance(lock, FileLock):
        return lock.path
    if isinstance(lock, AdvisoryLock):
        return f"PostgreSQL advisory lock {LOCK_KEY}"
    return "this process only"
