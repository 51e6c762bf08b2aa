"""/api/v1: reads, writes with tokens, pagination, and the stable error shape for every failure."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlmodel import col

from timeline import queries
from timeline.db import get_session, write_session
from timeline.models import ApiToken
from timeline.services import accounts, revisions
from timeline.services import events as event_service

from support.app import create_user, load_doc
from support.data import small_doc
from support.web import csrf_token, login


@pytest.fixture
def token(app: Flask) -> str:
    load_doc(app, small_doc())
    create_user(app, "robot")
    with app.app_context(), write_session() as session:
        return accounts.issue_token(session, "robot")


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


NEW_EVENT = {
    "actor": "russia",
    "kind": "statement",
    "title": "Via the API",
    "date": "2021-01",
    "quote": "«Москва» — سخن",
    "stances": [{"topic": "jcpoa", "score": 2, "rationale": "api"}],
}


def error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]


def test_reads(token: str, client) -> None:
    actors = client.get("/api/v1/actors").get_json()
    assert actors["total"] == 2 and [a["slug"] for a in actors["items"]] == ["russia", "vladimir-putin"]
    assert client.get("/api/v1/actors/vladimir-putin").get_json()["parent"] == "russia"
    assert [t["slug"] for t in client.get("/api/v1/topics").get_json()["items"]] == ["jcpoa", "us-sanctions"]
    assert client.get("/api/v1/topics/jcpoa").get_json()["name"] == "JCPOA"
    event = client.get("/api/v1/events/1").get_json()
    assert (event["id"], event["version"], event["uid"]) == (1, 1, "e-2019")
    history = client.get("/api/v1/actors/russia/history").get_json()
    assert [h["topic"] for h in history["histories"]] == ["jcpoa", "us-sanctions"]
    # Putin (−1) and the government (+2) are two speakers: no change between them.
    assert history["histories"][0]["changes"] == []
    assert [s["speaker"] for s in history["histories"][0]["series"]] == ["vladimir-putin", "russia"]


@pytest.mark.parametrize(
    ("query", "uids", "total"),
    [
        ("", ["e-2020b", "e-2019", "e-2020"], 3),
        ("actor=vladimir-putin", ["e-2019"], 1),
        ("topic=us-sanctions", ["e-2020"], 1),
        ("kind=action", ["e-2020b"], 1),
        ("from=2020-06&to=2020-12", ["e-2020b", "e-2020"], 2),
        ("q=firefighter", ["e-2020"], 1),
        ("per_page=2", ["e-2020b", "e-2019"], 3),
        ("per_page=2&page=2", ["e-2020"], 3),
        ("per_page=2&page=9", [], 3),
    ],
)
def test_event_listing_filters_and_pages_in_a_stable_order(token, client, query, uids, total) -> None:
    body = client.get(f"/api/v1/events?{query}").get_json()
    assert [e["uid"] for e in body["items"]] == uids
    assert body["total"] == total


def test_create_update_delete_event_with_token(token: str, client, app: Flask) -> None:
    created = client.post("/api/v1/events", json=NEW_EVENT, headers=auth(token))
    assert created.status_code == 201
    event = created.get_json()
    assert created.headers["Location"] == f"/api/v1/events/{event['id']}"
    assert event["quote"] == "«Москва» — سخن" and event["date_display"] == "January 2021"
    update = {**NEW_EVENT, "title": "Edited via the API", "version": event["version"]}
    updated = client.put(f"/api/v1/events/{event['id']}", json=update, headers=auth(token))
    assert updated.status_code == 200 and updated.get_json()["version"] == 2
    stale = client.put(f"/api/v1/events/{event['id']}", json={**update, "title": "Lost"}, headers=auth(token))
    assert stale.status_code == 409 and error(stale)["code"] == "conflict"
    if_match = client.put(
        f"/api/v1/events/{event['id']}",
        json={**NEW_EVENT, "title": "By header"},
        headers={**auth(token), "If-Match": '"2"'},
    )
    assert if_match.status_code == 200 and if_match.get_json()["title"] == "By header"
    assert client.delete(f"/api/v1/events/{event['id']}", headers=auth(token)).status_code == 204
    assert client.get(f"/api/v1/events/{event['id']}").status_code == 404
    history = client.get(f"/events/{event['id']}/history")
    assert history.status_code == 404  # a deleted event's history is for editors only
    login(client, "robot")
    assert "by robot" in client.get(f"/events/{event['id']}/history").get_data(as_text=True)


def test_created_event_answer_and_revision_are_what_is_stored(token: str, client, app: Flask) -> None:
    # The create answers with the record it wrote, without reading it back: it must match a fresh read.
    body = {
        **NEW_EVENT,
        "uid": "fresh-1",
        "stances": [
            {"topic": "us-sanctions", "score": -1},
            {"topic": "jcpoa", "score": 2, "rationale": "api"},
        ],
        "created_at": "2021-01-05T12:00:00+02:00",
    }
    created = client.post("/api/v1/events", json=body, headers=auth(token))
    assert created.status_code == 201
    answer = created.get_json()
    assert answer == client.get(f"/api/v1/events/{answer['id']}").get_json()
    assert answer["created_at"] == answer["updated_at"] == "2021-01-05T10:00:00Z"  # kept in UTC
    assert [s["topic"] for s in answer["stances"]] == ["jcpoa", "us-sanctions"]  # by topic name
    with app.app_context():
        session = get_session()
        event = queries.event_by_id(session, answer["id"])
        assert event is not None
        [(revision, editor)] = revisions.history(session, "event", answer["id"])
        assert (revision.action, revision.before, editor) == ("create", None, "robot")
        assert revision.after == event_service.event_snapshot(session, event)
    duplicate = client.post("/api/v1/events", json={**body, "title": "Again"}, headers=auth(token))
    assert duplicate.status_code == 422
    assert error(duplicate)["fields"] == {"uid": "an event with the uid “fresh-1” already exists"}
    assert client.get("/api/v1/events?q=Again").get_json()["total"] == 0


def test_token_use_is_recorded_at_most_once_a_minute(token: str, client, app: Flask) -> None:
    def last_used() -> datetime | None:
        with app.app_context():
            return get_session().execute(select(col(ApiToken.last_used_at))).scalar_one()

    assert last_used() is None
    assert client.post("/api/v1/events", json=NEW_EVENT, headers=auth(token)).status_code == 201
    first = last_used()
    assert first is not None
    with app.app_context(), write_session(bookkeeping=True) as session:  # as if used 30 s ago
        session.execute(update(ApiToken).values(last_used_at=first - timedelta(seconds=30)))
    assert client.post("/api/v1/events", json=NEW_EVENT, headers=auth(token)).status_code == 201
    assert last_used() == first - timedelta(seconds=30)  # within the minute: not rewritten
    with app.app_context(), write_session(bookkeeping=True) as session:  # as if used 2 minutes ago
        session.execute(update(ApiToken).values(last_used_at=first - timedelta(minutes=2)))
    assert client.post("/api/v1/events", json=NEW_EVENT, headers=auth(token)).status_code == 201
    used = last_used()
    assert used is not None
    assert abs(used.replace(tzinfo=UTC) - datetime.now(UTC)) < timedelta(seconds=30)


def test_actor_and_topic_writes(token: str, client) -> None:
    actor = {"slug": "iran", "name": "ایران", "kind": "government", "aliases": ["Iran"]}
    assert client.post("/api/v1/actors", json=actor, headers=auth(token)).status_code == 201
    assert client.post("/api/v1/actors", json=actor, headers=auth(token)).status_code == 422
    changed = client.put(
        "/api/v1/actors/iran", json={**actor, "role": "Islamic Republic"}, headers=auth(token)
    )
    assert changed.get_json()["role"] == "Islamic Republic"
    assert client.delete("/api/v1/actors/iran", headers=auth(token)).status_code == 204
    in_use = client.delete("/api/v1/actors/russia", headers=auth(token))
    assert in_use.status_code == 409 and "still has events" in error(in_use)["message"]
    topic = {"slug": "energy", "name": "Energy"}
    assert client.post("/api/v1/topics", json=topic, headers=auth(token)).status_code == 201
    assert (
        client.put(
            "/api/v1/topics/energy", json={**topic, "name": "Energy cooperation"}, headers=auth(token)
        ).get_json()["name"]
        == "Energy cooperation"
    )
    assert client.delete("/api/v1/topics/energy", headers=auth(token)).status_code == 204
    assert client.delete("/api/v1/topics/jcpoa", headers=auth(token)).status_code == 409


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ('{"title": "x", "title": "y"}', "application/json", 400, "malformed_json"),
        ('{"score": NaN}', "application/json", 400, "malformed_json"),
        ('{"score": Infinity}', "application/json", 400, "malformed_json"),
        ("[" * 40 + "]" * 40, "application/json", 400, "malformed_json"),
        ("[" * 100000, "application/json", 400, "malformed_json"),
        ("{not json", "application/json", 400, "malformed_json"),
        ("\xff\xfe", "application/json", 400, "malformed_json"),
        ("[]", "application/json", 422, "invalid"),
        ('"a string"', "application/json", 422, "invalid"),
        ("{}", "text/plain", 415, "unsupported_media_type"),
        ("title=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (json.dumps({**NEW_EVENT, "date": "2021-02-30"}), "application/json", 422, "invalid"),
        (json.dumps({**NEW_EVENT, "stances": "jcpoa"}), "application/json", 422, "invalid"),
        (json.dumps({**NEW_EVENT, "title": 12}), "application/json", 422, "invalid"),
        (json.dumps({**NEW_EVENT, "extra": 1}), "application/json", 422, "invalid"),
    ],
)
def test_bad_bodies_get_the_error_shape_and_store_nothing(
    token, client, body, content_type, status, code
) -> None:
    response = client.post("/api/v1/events", data=body, headers={**auth(token), "Content-Type": content_type})
    assert response.status_code == status
    assert error(response)["code"] == code
    assert client.get("/api/v1/events").get_json()["total"] == 3


def test_validation_errors_name_each_field(token, client) -> None:
    bad = {**NEW_EVENT, "date": "2021-02-30", "actor": "ghost", "stances": [{"topic": "jcpoa", "score": 7}]}
    fields = error(client.post("/api/v1/events", json=bad, headers=auth(token)))["fields"]
    assert set(fields) == {"date", "stances.0.score"}  # the actor is looked up once the shape is valid


def test_body_over_the_limit_is_413(token, client) -> None:
    response = client.post(
        "/api/v1/events",
        data="x" * (3 * 1024 * 1024),
        headers={**auth(token), "Content-Type": "application/json"},
    )
    assert response.status_code == 413 and error(response)["code"] == "too_large"


def test_auth_errors(token, client, app: Flask) -> None:
    assert error(client.post("/api/v1/events", json=NEW_EVENT))["code"] == "unauthorized"
    assert client.post("/api/v1/events", json=NEW_EVENT, headers=auth("st_wrong")).status_code == 401
    with app.app_context(), write_session() as session:
        accounts.disable_user(session, "robot")
    assert client.post("/api/v1/events", json=NEW_EVENT, headers=auth(token)).status_code == 401


def test_cookie_sessions_need_csrf_but_tokens_do_not(token, client) -> None:
    login(client, "robot")
    refused = client.post("/api/v1/events", json=NEW_EVENT)
    assert refused.status_code == 400 and error(refused)["code"] == "csrf"
    allowed = client.post("/api/v1/events", json=NEW_EVENT, headers={"X-CSRFToken": csrf_token(client)})
    assert allowed.status_code == 201


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/events/999", 404),
        ("get", "/api/v1/events/99999999999999999999", 404),
        ("get", "/api/v1/actors/nobody", 404),
        ("get", "/api/v1/nothing", 404),
        ("patch", "/api/v1/events/1", 405),
        ("get", "/api/v1/events?page=0", 400),
        ("get", "/api/v1/events?per_page=100000", 400),
        ("get", "/api/v1/events?from=soon", 400),
        ("get", "/api/v1/events?q=" + "x" * 300, 400),
    ],
)
def test_error_statuses_keep_the_shape(token, client, method: str, path: str, status: int) -> None:
    response = getattr(client, method)(path, headers=auth(token))
    assert response.status_code == status
    error(response)


def test_openapi_is_served(client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0" and "/api/v1/events/{event_id}" in doc["paths"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/events"),
        ("put", "/api/v1/events/1"),
        ("delete", "/api/v1/events/1"),
        ("post", "/api/v1/actors"),
        ("put", "/api/v1/actors/russia"),
        ("delete", "/api/v1/actors/russia"),
        ("post", "/api/v1/topics"),
        ("put", "/api/v1/topics/jcpoa"),
        ("delete", "/api/v1/topics/jcpoa"),
    ],
)
def test_every_api_write_needs_an_editor(token, client, method: str, path: str) -> None:
    response = getattr(client, method)(path, json={})
    assert response.status_code == 401 and error(response)["code"] == "unauthorized"
    assert client.get("/api/v1/events").get_json()["total"] == 3


def _stances_everywhere(client, uid: str) -> list[list[dict]]:
    """An event's stances as the export, the actor timeline and the API each show them."""
    exported = next(e for e in client.get("/export.json").get_json()["events"] if e["uid"] == uid)
    timeline = next(e for e in client.get("/actors/russia.json").get_json()["events"] if e["uid"] == uid)
    api = next(e for e in client.get("/api/v1/events?per_page=100").get_json()["items"] if e["uid"] == uid)
    return [exported["stances"], timeline["stances"], api["stances"]]


def test_exports_follow_every_stance_and_topic_change(token: str, client) -> None:
    # Exports read each event's stances from a column the database keeps (migration 0006 triggers):
    # every path that changes a stance or a topic must show at once, the same as the API (Python).
    created = client.post("/api/v1/events", json=NEW_EVENT, headers=auth(token)).get_json()
    uid, url = created["uid"], f"/api/v1/events/{created['id']}"
    expected = [{"topic": "jcpoa", "score": 2, "rationale": "api"}]
    assert _stances_everywhere(client, uid) == [expected] * 3
    two = [{"topic": "us-sanctions", "score": -1}, {"topic": "jcpoa", "score": 1}]
    updated = client.put(
        url, json={**NEW_EVENT, "stances": two, "version": created["version"]}, headers=auth(token)
    ).get_json()
    expected = [
        {"topic": "jcpoa", "score": 1, "rationale": None},
        {"topic": "us-sanctions", "score": -1, "rationale": None},
    ]
    assert _stances_everywhere(client, uid) == [expected] * 3
    # A topic renamed (slug and name): every event's stances follow, in the new name order.
    topic = {"slug": "anti-sanctions", "name": "Against sanctions"}
    assert client.put("/api/v1/topics/us-sanctions", json=topic, headers=auth(token)).status_code == 200
    expected = [
        {"topic": "anti-sanctions", "score": -1, "rationale": None},
        {"topic": "jcpoa", "score": 1, "rationale": None},
    ]
    assert _stances_everywhere(client, uid) == [expected] * 3
    client.put(url, json={**NEW_EVENT, "stances": [], "version": updated["version"]}, headers=auth(token))
    assert _stances_everywhere(client, uid) == [[]] * 3
