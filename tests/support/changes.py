"""Helpers for the changes feed and webhook tests: writes through the services, a follower that pages."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from timeline.db import write_session
from timeline.services import events as event_service


def event_body(uid: str, title: str, score: int = 1) -> dict[str, Any]:
    return {
        "uid": uid,
        "actor": "russia",
        "kind": "statement",
        "title": title,
        "date": "2021-01",
        "stances": [{"topic": "jcpoa", "score": score}],
    }


def create(app: Flask, uid: str, title: str) -> int:
    """Create an event in its own write transaction; its id."""
    with app.app_context(), write_session() as session:
        return int(event_service.submit_event(session, event_body(uid, title)).id)


def edit(app: Flask, event_id: int, uid: str, title: str) -> None:
    with app.app_context(), write_session() as session:
        event_service.update_event(session, event_id, event_body(uid, title), expected_version=None)


def delete(app: Flask, event_id: int) -> None:
    with app.app_context(), write_session() as session:
        event_service.delete_event(session, event_id)


def restore(app: Flask, event_id: int) -> None:
    with app.app_context(), write_session() as session:
        event_service.restore_event(session, event_id)


def read_all(client: FlaskClient, since: str | None = None, limit: int = 100) -> tuple[list[dict], str]:
    """Every change after `since`, page by page, and the cursor to go on from."""
    items: list[dict] = []
    while True:
        query = {"limit": limit} if since is None else {"limit": limit, "since": since}
        response = client.get("/api/v1/changes", query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        page = response.get_json()
        items += page["items"]
        since = page["next"]
        if not page["more"]:
            return items, since


def replay(items: list[dict]) -> dict[tuple[str, str], dict[str, Any] | None]:
    """What a follower holds after applying the changes in order: (entity, key) -> record (None: gone)."""
    held: dict[tuple[str, str], dict[str, Any] | None] = {}
    for item in items:
        if item["previous_key"] is not None:
            held.pop((item["entity"], item["previous_key"]), None)
        gone = item["action"] in ("delete", "purge")
        held[(item["entity"], item["key"])] = None if gone else item["record"]
    return held
