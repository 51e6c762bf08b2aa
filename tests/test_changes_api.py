"""GET /api/v1/changes: creates, edits and deletes in commit order behind an opaque cursor, each once."""

from __future__ import annotations

import threading
import time

import jsonschema
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlmodel import col

from timeline.db import get_session, write_session
from timeline.models import Event, Revision
from timeline.schemas import ActorIn, TopicIn
from timeline.services import actors as actor_service
from timeline.services import events as event_service
from timeline.services import topics as topic_service
from timeline.web.openapi import openapi_document

from conftest import load_doc, small_doc
from support.changes import create, delete, edit, event_body, read_all, replay, restore


def test_a_follower_sees_creates_edits_renames_and_deletes_once_in_order(
    app: Flask, client: FlaskClient
) -> None:
    load_doc(app, small_doc())
    before, cursor = read_all(client)
    # The seed's import: 2 actors, 2 topics, 3 events, in the order they were written.
    assert [(c["entity"], c["key"], c["action"]) for c in before] == [
        ("actor", "russia", "create"),
        ("actor", "vladimir-putin", "create"),
        ("topic", "jcpoa", "create"),
        ("topic", "us-sanctions", "create"),
        ("event", "e-2019", "create"),
        ("event", "e-2020", "create"),
        ("event", "e-2020b", "create"),
    ]
    first = create(app, "new-1", "First title")
    edit(app, first, "new-1", "Second title")
    with app.app_context(), write_session() as session:
        topic_service.update_topic(session, "us-sanctions", TopicIn(slug="sanctions", name="US sanctions"))
        actor_service.create_actor(session, ActorIn(slug="iran", name="Iran", kind="government"))
    delete(app, first)

    items, cursor2 = read_all(client, cursor, limit=2)
    assert [(c["entity"], c["key"], c["previous_key"], c["action"]) for c in items] == [
        ("event", "new-1", None, "create"),
        ("event", "new-1", None, "update"),
        ("topic", "sanctions", "us-sanctions", "update"),
        ("actor", "iran", None, "create"),
        ("event", "new-1", None, "delete"),
    ]
    # The deleted event's records are withheld (pages hide it too); the others carry the record after.
    assert [c["record"] for c in items if c["entity"] == "event"] == [None, None, None]
    assert items[2]["record"] == {"slug": "sanctions", "name": "US sanctions", "description": None}
    assert items[3]["record"]["name"] == "Iran"
    assert all(c["at"].endswith("Z") for c in items)
    # Nothing new: the same cursor comes back, with no items.
    again = client.get("/api/v1/changes", query_string={"since": cursor2}).get_json()
    assert again == {"items": [], "next": cursor2, "more": False}

    restore(app, first)
    items, _ = read_all(client, cursor2)
    assert [(c["key"], c["action"], c["record"]["title"]) for c in items] == [
        ("new-1", "restore", "Second title")
    ]
    # Now restored, its earlier changes carry their records again.
    older = read_all(client, cursor)[0]
    assert [c["record"]["title"] for c in older if c["key"] == "new-1" and c["record"]] == [
        "First title",
        "Second title",
        "Second title",  # the restore
    ]


def test_an_item_cursor_resumes_right_after_that_item(app: Flask, client: FlaskClient) -> None:
    load_doc(app, small_doc())
    items, _ = read_all(client)
    resumed, _ = read_all(client, items[2]["cursor"])
    assert [c["cursor"] for c in resumed] == [c["cursor"] for c in items[3:]]


def test_bad_cursor_or_limit_is_a_422_naming_the_parameter(app: Flask, client: FlaskClient) -> None:
    load_doc(app, small_doc())
    for since in ("nonsense", "YzEu", "c1.1.1", "x" * 5000, "YzEuMS4x\x00", "Yy4xLjE", "٣"):
        response = client.get("/api/v1/changes", query_string={"since": since})
        assert response.status_code == 422, since
        assert list(response.get_json()["error"]["fields"]) == ["since"]
    for limit in ("0", "1001", "-1", "², ", "ten"):
        response = client.get("/api/v1/changes", query_string={"limit": limit})
        assert response.status_code == 422, limit
        assert list(response.get_json()["error"]["fields"]) == ["limit"]
    assert client.get("/api/v1/changes?since=").status_code == 200  # empty: from the start


def test_the_answer_matches_the_openapi_description(app: Flask, client: FlaskClient) -> None:
    load_doc(app, small_doc())
    doc = openapi_document()
    assert "/api/v1/changes" in doc["paths"]
    schema = {"$ref": "#/components/schemas/ChangesPage", "components": doc["components"]}
    page = client.get("/api/v1/changes?limit=3").get_json()
    jsonschema.validate(page, schema)
    assert page["more"] is True and len(page["items"]) == 3


def test_a_change_that_commits_late_is_not_skipped(app: Flask, client: FlaskClient) -> None:
    """A transaction that wrote first but commits last: the follower still sees it, once, after the other."""
    load_doc(app, small_doc())
    _, cursor = read_all(client)
    other_done = threading.Event()

    def other_writer() -> None:
        create(app, "quick", "Committed first")
        other_done.set()

    with app.app_context(), write_session() as slow:
        event_service.submit_event(slow, event_body("slow", "Written first, committed last"))
        slow.flush()  # its revision (a lower id on PostgreSQL) exists, uncommitted
        thread = threading.Thread(target=other_writer)
        thread.start()
        # PostgreSQL: the other commits now. SQLite: it waits for this one's write lock.
        other_done.wait(2)
        seen_meanwhile, cursor = read_all(client, cursor)
    thread.join(30)
    assert other_done.is_set()
    rest, _ = read_all(client, cursor)
    keys = [c["key"] for c in seen_meanwhile + rest]
    assert sorted(keys) == ["quick", "slow"]  # each exactly once
    assert len(set(c["cursor"] for c in seen_meanwhile + rest)) == 2


def test_paging_while_writers_write_sees_every_change_once_in_order(app: Flask, client: FlaskClient) -> None:
    load_doc(app, small_doc())
    writers, per_writer = 3, 12
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer(w: int) -> None:
        try:
            for i in range(per_writer):
                uid = f"w{w}-{i}"
                event_id = create(app, uid, f"{uid} v1")
                edit(app, event_id, uid, f"{uid} v2")
                if i % 3 == 0:
                    delete(app, event_id)
                if i % 6 == 0:
                    restore(app, event_id)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    seen: list[dict] = []
    cursor = None
    follower = app.test_client()
    while any(t.is_alive() for t in threads) or not stop.is_set():
        if not any(t.is_alive() for t in threads):
            stop.set()  # one last full read after every writer is done
        page, cursor = read_all(follower, cursor, limit=5)
        seen += page
        time.sleep(0.005)
    for t in threads:
        t.join()
    assert not errors, errors

    cursors = [c["cursor"] for c in seen]
    assert len(cursors) == len(set(cursors)), "a change was served twice"
    with app.app_context():
        session = get_session()
        revisions = session.execute(select(func.count()).select_from(Revision)).scalar_one()
        assert len(seen) == revisions, "a change was skipped"
        live = {
            e.uid: e.title
            for e in session.execute(select(Event).where(col(Event.deleted_at).is_(None))).scalars()
        }
    # Per record, its changes come in the order they happened.
    for w in range(writers):
        for i in range(per_writer):
            actions = [c["action"] for c in seen if c["key"] == f"w{w}-{i}"]
            expected = (
                ["create", "update"]
                + (["delete"] if i % 3 == 0 else [])
                + (["restore"] if i % 6 == 0 else [])
            )
            assert actions == expected, (f"w{w}-{i}", actions)
    # Replaying the feed gives exactly the live events with their latest titles.
    held = replay(seen)
    replayed = {key: rec["title"] for (entity, key), rec in held.items() if entity == "event" and rec}
    assert replayed == live
