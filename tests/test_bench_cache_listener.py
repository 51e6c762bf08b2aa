"""PostgreSQL: a writer waiting for its own notice holds the listening connection, not the cache's
versions (issue 17: reads during writes fell to 78% of their rate). Readers keep serving meanwhile,
and a notice of another write heard during the wait still makes them read the versions again."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import create_engine

from timeline.web.cache import Versions, VersionSource

from support.data import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's")


class Listener:
    """Stands for the listening connection: the writer's wait blocks until `release` is set."""

    def __init__(self, during_wait: list[str], own: str) -> None:
        self.during_wait, self.own = during_wait, own
        self.waiting, self.release = threading.Event(), threading.Event()
        self.go, self.heard = threading.Event(), threading.Event()  # the foreign notices' turn

    def notifies(self, timeout: float | None = None) -> Iterator[Any]:
        if timeout == 0:  # a reader's look: nothing new
            return
        self.waiting.set()
        for payload in self.during_wait:
            self.go.wait(60)
            yield SimpleNamespace(payload=payload)
            self.heard.set()  # resumed: the writer has dealt with it
        self.release.wait(60)
        yield SimpleNamespace(payload=self.own)

    def close(self) -> None:
        pass


@pytest.fixture
def source(db_url: str) -> Iterator[VersionSource]:
    engine = create_engine(db_url)
    src = VersionSource(db_url, engine)
    yield src
    engine.dispose()


def _writer(source: VersionSource, listener: Listener) -> threading.Thread:
    source.listener, source.pid = listener, os.getpid()  # type: ignore[assignment]
    source.versions = Versions(-1, {})  # what the readers had before the write
    thread = threading.Thread(target=source.after_local_write, args=(listener.own,), daemon=True)
    thread.start()
    assert listener.waiting.wait(60)
    return thread


def test_readers_serve_while_a_writer_waits_for_its_notice(source: VersionSource) -> None:
    listener = Listener([], "mine")
    writer = _writer(source, listener)
    try:
        got: list[Versions | None] = []
        reader = threading.Thread(target=lambda: got.append(source.current()), daemon=True)
        reader.start()
        reader.join(60)  # before the fix the reader waited for the writer's notice
        assert not reader.is_alive() and writer.is_alive()
        assert got and got[0] is not None and got[0].data >= 0  # read again from the database
        assert source.current() is got[0]  # then served from memory, no query per request
    finally:
        listener.release.set()
        writer.join(60)


def test_a_foreign_notice_heard_by_the_waiting_writer_is_not_lost(source: VersionSource) -> None:
    listener = Listener(["someone-else"], "mine")
    writer = _writer(source, listener)
    try:
        assert source.current() is not None and source.versions is not None  # read after this write
        listener.go.set()  # another process's write is heard by the waiting writer
        assert listener.heard.wait(60)
        assert source.versions is None  # so the readers read the versions again
    finally:
        listener.release.set()
        writer.join(60)
    assert source.current() is not None


class ReadFirst(Listener):
    """The writer's notice is read by a reader's look before the writer starts waiting for it."""

    def notifies(self, timeout: float | None = None) -> Iterator[Any]:
        if timeout == 0:
            yield SimpleNamespace(payload=self.own)
            return
        self.waiting.set()  # the writer would wait: out _NOTICE_WAIT, in the real listener
        self.release.wait(60)


def test_a_writer_whose_notice_another_thread_read_does_not_wait(source: VersionSource) -> None:
    own = f"{os.getpid()}-424242"
    listener = ReadFirst([], own)
    source.listener, source.pid = listener, os.getpid()  # type: ignore[assignment]
    source.versions = Versions(-1, {})
    source._heard_of_a_write()  # a reader's look takes the notice off the connection
    writer = threading.Thread(target=source.after_local_write, args=(own,), daemon=True)
    writer.start()
    writer.join(60)
    try:
        # Before the fix each of 16 concurrent writers could wait out another's notice: 8 creates a second.
        assert not writer.is_alive() and not listener.waiting.is_set()
        assert own not in source.heard  # forgotten once used
    finally:
        listener.release.set()
