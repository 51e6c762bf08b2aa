"""Event creation through the API (issue 17: creation at >= 50% of a bare insert): validation runs before
the write transaction; on PostgreSQL the look-ups run on the write's own connection (looking up through the
request's read session first stalled writers on the write pool: see web/api.py create_event), on SQLite
before the write lock (tests/test_create_events_write.py)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, text

from timeline.db import engines, get_session, write_session
from timeline.services import accounts
from timeline.services import events as event_service
from timeline.services.errors import Invalid

from support.app import create_user, load_doc
from support.data import small_doc

NEW_EVENT = {
    "actor": "vladimir-putin",
    "kind": "statement",
    "title": "Пожарная команда — آتش‌نشانی",
    "date": "2021-02",
    "stances": [{"topic": "jcpoa", "score": -2, "rationale": "«нет»"}],
}


@pytest.fixture
def token(app: Flask) -> str:
    load_doc(app, small_doc())
    create_user(app, "robot")
    with app.app_context(), write_session() as session:
        return str(accounts.issue_token(session, "robot"))


def _write_statements(app: Flask) -> tuple[list[str], Any]:
    seen: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    with app.app_context():
        write_engine = engines()[1]
    event.listen(write_engine, "before_cursor_execute", remember)
    return seen, lambda: event.remove(write_engine, "before_cursor_execute", remember)


def test_a_create_answers_what_it_stored(app: Flask, client, token: str) -> None:
    seen, stop = _write_statements(app)
    try:
        response = client.post("/api/v1/events", json=NEW_EVENT, headers={"Authorization": f"Bearer {token}"})
    finally:
        stop()
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["title"] == NEW_EVENT["title"] and body["uid"].startswith("vladimir-putin-2021-02")
    assert body["stances"] == [{"topic": "jcpoa", "score": -2, "rationale": "«нет»"}]
    # One event row and one stance row were written, in the one write transaction.
    # (PostgreSQL: one statement for both, WITH e AS (INSERT INTO event ...) INSERT INTO stance ...)
    assert len([s for s in seen if "INSERT INTO EVENT (" in s.upper()]) == 1, seen
    # What was answered is what is stored.
    stored = client.get(f"/api/v1/events/{body['id']}").get_json()
    assert stored["title"] == NEW_EVENT["title"] and stored["stances"] == body["stances"]


def test_bad_input_is_refused_before_any_write(app: Flask, client, token: str) -> None:
    seen, stop = _write_statements(app)
    bad = {**NEW_EVENT, "actor": "nobody", "stances": [{"topic": "nothing", "score": 1}]}
    try:
        response = client.post("/api/v1/events", json=bad, headers={"Authorization": f"Bearer {token}"})
    finally:
        stop()
    assert response.status_code in (400, 422)
    fields = str(response.get_json())
    assert "actor" in fields and "stances.0.topic" in fields
    # Nothing written for the event (a token's first use is noted, at most once a minute).
    writes = [s for s in seen if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert [s for s in writes if "api_token" not in s] == []


def test_an_invalid_body_opens_no_write_transaction(app: Flask, client, token: str) -> None:
    seen, stop = _write_statements(app)
    try:
        response = client.post(
            "/api/v1/events", json={**NEW_EVENT, "title": ""}, headers={"Authorization": f"Bearer {token}"}
        )
    finally:
        stop()
    assert response.status_code == 422 and "title" in str(response.get_json())
    # Validation runs before the write transaction: the write engine saw no statement for the event.
    assert [s for s in seen if "api_token" not in s] == []


def test_an_actor_deleted_after_the_reads_is_an_error_naming_it(app: Flask, token: str) -> None:
    with app.app_context():
        session = get_session()
        prepared = event_service.prepare_submission(session, {**NEW_EVENT, "actor": "russia"})
        session.rollback()
        with write_session() as w:  # another editor: the actor and its events go away
            w.execute(
                text(
                    "DELETE FROM stance WHERE event_id IN (SELECT id FROM event WHERE actor_id = "
                    "(SELECT id FROM actor WHERE slug = 'russia'))"
                )
            )
            w.execute(text("DELETE FROM event WHERE actor_id = (SELECT id FROM actor WHERE slug = 'russia')"))
            w.execute(
                text(
                    "UPDATE actor SET parent_id = NULL WHERE parent_id = (SELECT id FROM actor "
                    "WHERE slug = 'russia')"
                )
            )
            w.execute(text("DELETE FROM actor WHERE slug = 'russia'"))
            w.info["written"] = True
        with pytest.raises(Invalid) as caught, write_session() as w:
            event_service.store_event(w, prepared)
        assert "actor" in caught.value.fields
        count = get_session().execute(
            text("SELECT count(*) FROM event WHERE title = :t"), {"t": NEW_EVENT["title"]}
        )
        assert count.scalar_one() == 0
