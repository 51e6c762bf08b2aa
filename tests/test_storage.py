"""A database that cannot take writes: a clear 503 naming the path and the reason; reads keep working."""

import pytest
from flask import Flask
from sqlalchemy import event

from timeline import queries
from timeline.db import get_session, write_session
from timeline.services import accounts

from support.app import create_user, load_doc, make_app
from support.data import BACKEND, small_doc
from support.web import csrf_token, login

pytestmark = pytest.mark.skipif(
    BACKEND != "sqlite", reason="SQLite file-level faults (read-only file, full disk)"
)


def form(client) -> dict:
    return {
        "csrf_token": csrf_token(client),
        "actor": "russia",
        "kind": "statement",
        "date": "2021",
        "title": "Will not fit",
        "confidence": "low",
        "save": "Save",
    }


def test_read_only_database_refuses_writes_clearly_and_keeps_reading(app: Flask, db_url: str) -> None:
    load_doc(app, small_doc())
    create_user(app, "ed")
    with app.app_context(), write_session() as session:
        token = accounts.issue_token(session, "ed")
    path = db_url.removeprefix("sqlite:///")
    read_only = make_app(f"sqlite:///file:{path}?mode=ro&uri=true")
    client = read_only.test_client()
    assert "Tireless firefighter" in client.get("/actors/russia").get_data(as_text=True)
    assert client.get("/export.json").status_code == 200
    response = client.post(
        "/api/v1/events",
        headers={"Authorization": f"Bearer {token}"},
        json={"actor": "russia", "kind": "statement", "title": "x", "date": "2021"},
    )
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert (
        error["code"] == "storage_unavailable"
        and path in error["message"]
        and "read-only" in error["message"]
    )
    assert "Will not fit" not in app.test_client().get("/actors/russia").get_data(as_text=True)


def test_full_disk_gives_a_clear_page_not_a_bare_500(app: Flask) -> None:
    load_doc(app, small_doc())
    create_user(app, "ed")
    client = app.test_client()
    login(client, "ed")
    engine = app.extensions["timeline.engines"][0]
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _no_room(dbapi_conn, _record) -> None:  # every new page is refused: SQLITE_FULL
        count = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {count}")

    payload = form(client)
    payload.update(quote="q" * 9000, summary="s" * 9000, date_basis="b" * 1900)  # needs new pages
    response = client.post("/events", data=payload)
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "the disk is full" in page and "Reading still works" in page
    assert client.get("/actors/russia").status_code == 200


def test_a_writer_waits_for_another_and_gives_up_cleanly(db_url: str, monkeypatch) -> None:
    import sqlite3
    import threading

    from timeline import create_app
    from timeline import db as timeline_db
    from timeline.errors import DatabaseBusy

    app = make_app(db_url)
    load_doc(app, small_doc())
    other = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False)
    # Another program holds the write lock for a moment: the write waits for it, then goes through.
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, other.execute, ["COMMIT"]).start()
    with app.app_context(), write_session() as session:
        accounts.create_user(session, "patient", "a long enough passphrase")
    with app.app_context():
        assert accounts.authenticate(get_session(), "patient", "a long enough passphrase") is not None
    # Held for good: after its polling window and SQLite's own wait, the write fails as DatabaseBusy
    # (a 503 with Retry-After for users, see test_jobs_unlocked), and nothing of it is stored.
    monkeypatch.setattr(timeline_db, "_POLL_SECONDS", 0.2)
    slow = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "x", "SQLITE_BUSY_TIMEOUT_MS": 200})
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseBusy, match="busy"), slow.app_context(), write_session() as session:
            accounts.create_user(session, "impatient", "a long enough passphrase")
    finally:
        other.execute("ROLLBACK")
        other.close()
    with slow.app_context():
        assert queries.user_by_name(get_session(), "impatient") is None
    for engine in slow.extensions["timeline.engines"]:
        engine.dispose()
