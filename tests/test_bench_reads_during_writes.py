"""Reads while editors write (issue 17's new benchmark row: repeated actor JSON at 66% of its no-write
rate on SQLite with 5 writes/s to another actor). A worker whose own write's commit hook ran after
another thread had already read the versions past that write forgot its versions for good, and served
every page uncached until the next write; a write to another actor must leave stored pages served."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import create_engine

from timeline import scopes
from timeline.db import _DATA_VERSION

from conftest import load_doc, small_doc


def _commit_elsewhere(db_url: str, scope: str) -> None:
    """A write committed by another worker (its own connection): the data version and one scope move."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(_DATA_VERSION.update().values(version=_DATA_VERSION.c.version + 1))
            scopes.bump(conn, [scope])
    finally:
        engine.dispose()


def test_a_late_commit_hook_leaves_the_worker_serving_stored_pages(
    app: Flask, client, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_doc(app, small_doc())
    first = client.get("/actors/russia.json")
    assert first.status_code == 200
    source = app.extensions["timeline.response_cache"].source
    # A write to another actor commits; a request on another thread reads the versions past it ...
    _commit_elsewhere(db_url, scopes.actor("iran"))
    assert client.get("/actors/russia.json").get_data() == first.get_data()
    # ... and only then does the writing thread's commit hook run.
    with app.app_context():
        source.after_local_write("a-late-notice")

    def must_not_run(*_args, **_kwargs):
        raise AssertionError("the view ran although its answer was stored and still fresh")

    monkeypatch.setattr("timeline.services.reads.actors.actor_timeline", must_not_run)
    for _ in range(3):
        again = client.get("/actors/russia.json")
        assert again.status_code == 200 and again.get_data() == first.get_data()
    # The versions are still read again after a write to the actor itself: never stale.
    _commit_elsewhere(db_url, scopes.actor("russia"))
    assert client.get("/actors/russia.json").status_code == 500  # the view ran: the stored page was old
