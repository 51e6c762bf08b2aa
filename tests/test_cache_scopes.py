"""A write renews the cached pages that show what it changed, and only those; never a stale page."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from timeline import queries
from timeline.db import write_session
from timeline.models import ActorKind
from timeline.schemas import ActorIn, EventIn, TopicIn
from timeline.services import actors as actor_service
from timeline.services import events as event_service
from timeline.services import topics as topic_service

from support.app import load_doc
from support.data import BACKEND, small_doc
from support.server import Gunicorn, create_editor, flask_cli, get_text, issue_token, send_json, server_env


def _more_doc() -> dict[str, Any]:
    doc = small_doc()
    doc["actors"] += [
        {"slug": "iran", "name": "Iran", "kind": "government"},
        {"slug": "zarif", "name": "Javad Zarif", "kind": "person"},
    ]
    doc["topics"].append({"slug": "look-east", "name": "Look East"})
    doc["events"].append(
        {
            "uid": "e-iran",
            "actor": "iran",
            "kind": "statement",
            "title": "Iran looks east",
            "date": "2020-11",
            "stances": [{"topic": "look-east", "score": 1}],
        }
    )
    doc["events"].append(
        {
            "uid": "e-zarif",
            "actor": "zarif",
            "kind": "statement",
            "title": "Zarif in Moscow",
            "date": "2020-07",
        }
    )
    return doc


@pytest.fixture
def runs(app: Flask, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often the actor and topic views really ran (not served from the store)."""
    from timeline.services.reads import actors, topics

    counts = {"actor": 0, "topic": 0}

    def counting(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(actors, "actor_timeline", counting("actor", actors.actor_timeline))
    monkeypatch.setattr(topics, "compare_topic", counting("topic", topics.compare_topic))
    load_doc(app, _more_doc())
    return counts


def _event(actor: str, title: str, stances: list[dict[str, Any]], date: str = "2021-01") -> EventIn:
    return EventIn.model_validate(
        {"actor": actor, "kind": "statement", "title": title, "date": date, "stances": stances}
    )


def _create(app: Flask, data: EventIn) -> int:
    with app.app_context(), write_session() as session:
        created = event_service.create_event(session, data)
    return created.id


def test_a_write_to_one_actor_keeps_the_pages_of_others(app: Flask, client: FlaskClient, runs) -> None:
    russia = client.get("/actors/russia.json")
    jcpoa = client.get("/topics/jcpoa.json")
    assert runs == {"actor": 1, "topic": 1}
    _create(app, _event("iran", "Tehran answers", [{"topic": "look-east", "score": 2}]))
    # Russia's timeline and the JCPOA comparison show nothing of it: served as stored, same ETag.
    again = client.get("/actors/russia.json")
    assert again.get_data() == russia.get_data() and again.headers["ETag"] == russia.headers["ETag"]
    assert client.get("/topics/jcpoa.json").headers["ETag"] == jcpoa.headers["ETag"]
    assert runs == {"actor": 1, "topic": 1}
    # What it touched is renewed at once: the actor, the topic of its stance, the home page.
    assert "Tehran answers" in client.get("/actors/iran.json").get_data(as_text=True)
    assert "Tehran answers" in client.get("/topics/look-east.json").get_data(as_text=True)
    assert "Tehran answers" in client.get("/").get_data(as_text=True)


def test_an_officials_statement_renews_the_governments_page(app: Flask, client: FlaskClient, runs) -> None:
    before = client.get("/actors/russia.json").headers["ETag"]
    _create(app, _event("vladimir-putin", "Putin speaks again", []))
    page = client.get("/actors/russia.json")
    assert page.headers["ETag"] != before and "Putin speaks again" in page.get_data(as_text=True)


def test_moving_an_event_renews_both_actors_and_both_topics(app: Flask, client: FlaskClient, runs) -> None:
    paths = ["/actors/russia.json", "/actors/iran.json", "/topics/jcpoa.json", "/topics/look-east.json"]
    for path in paths:
        client.get(path)
    with app.app_context(), write_session() as session:
        row = queries.event_by_uid(session, "e-2020")
        assert row is not None and row.id is not None
        moved = _event("iran", "Tireless firefighter, moved", [{"topic": "look-east", "score": 2}], "2020-12")
        event_service.update_event(
            session, row.id, moved.model_dump(mode="json"), expected_version=row.version
        )
    russia, iran, jcpoa, east = (client.get(p).get_data(as_text=True) for p in paths)
    assert "Tireless firefighter" not in russia and "Tireless firefighter" not in jcpoa
    assert "Tireless firefighter, moved" in iran and "Tireless firefighter, moved" in east


def test_renames_and_reparenting_renew_every_page(app: Flask, client: FlaskClient, runs) -> None:
    client.get("/actors/iran")
    client.get("/topics/look-east")
    with app.app_context(), write_session() as session:
        topic_service.update_topic(session, "look-east", TopicIn(slug="look-east", name="Turn to the East"))
    assert "Turn to the East" in client.get("/actors/iran").get_data(as_text=True)
    with app.app_context(), write_session() as session:
        actor_service.update_actor(
            session, "iran", ActorIn(slug="iran", name="Islamic Republic of Iran", kind=ActorKind.government)
        )
    assert "Islamic Republic of Iran" in client.get("/topics/look-east").get_data(as_text=True)
    assert "Zarif in Moscow" not in client.get("/actors/iran.json").get_data(as_text=True)
    with app.app_context(), write_session() as session:
        actor_service.update_actor(
            session, "zarif", ActorIn(slug="zarif", name="Javad Zarif", kind=ActorKind.person, parent="iran")
        )
    assert "Zarif in Moscow" in client.get("/actors/iran.json").get_data(as_text=True)


# --- through every worker of a real server -------------------------------------------------------


def test_every_worker_renews_what_each_kind_of_write_touches(db_url: str, tmp_path) -> None:
    env = server_env(db_url)
    doc_file = tmp_path / "doc.json"
    doc_file.write_text(json.dumps(_more_doc()), encoding="utf-8")
    flask_cli(env, "import", str(doc_file))
    create_editor(env, "writer")
    token = issue_token(env, "writer")
    pages = [
        "/actors/iran",
        "/actors/iran.json",
        "/topics/look-east",
        "/topics/look-east.json",
        "/actors/russia.json",
        "/topics/jcpoa.json",
        "/",
    ]
    with Gunicorn(env, tmp_path / "gunicorn.log", workers=2) as server:
        base = server.base_url

        def everywhere(check: Callable[[str, str], None]) -> None:
            for _ in range(8):  # each request may land on either worker
                for path in pages:
                    check(path, get_text(base + path))

        everywhere(lambda path, text: None)  # warm both workers' caches
        event = {
            "actor": "iran",
            "kind": "statement",
            "title": "Fresh in Tehran",
            "date": "2021-01",
            "stances": [{"topic": "look-east", "score": -1}],
        }
        created = send_json(f"{base}/api/v1/events", token, "POST", event)

        def shows_fresh(path: str, text: str) -> None:
            if "iran" in path or "look-east" in path or path == "/":
                assert "Fresh in Tehran" in text, path
            else:
                assert "Fresh in Tehran" not in text, path

        everywhere(shows_fresh)
        moved = {
            **event,
            "title": "Fresh, now on the JCPOA",
            "stances": [{"topic": "jcpoa", "score": 1}],
            "version": created["version"],
        }
        send_json(f"{base}/api/v1/events/{created['id']}", token, "PUT", moved)

        def stance_moved(path: str, text: str) -> None:
            if path.startswith("/topics/look-east"):
                assert "Fresh" not in text, path
            if path.startswith(("/topics/jcpoa", "/actors/iran")):
                assert "Fresh, now on the JCPOA" in text, path

        everywhere(stance_moved)
        send_json(
            f"{base}/api/v1/actors/iran",
            token,
            "PUT",
            {"slug": "iran", "name": "Islamic Republic", "kind": "government"},
        )
        everywhere(lambda p, t: None if p == "/actors/russia.json" else _contains(t, "Islamic Republic", p))
        send_json(f"{base}/api/v1/topics/look-east", token, "PUT", {"slug": "look-east", "name": "Eastward"})
        everywhere(lambda p, t: None if "russia" in p or "jcpoa" in p else _contains(t, "Eastward", p))
        send_json(
            f"{base}/api/v1/actors/zarif",
            token,
            "PUT",
            {"slug": "zarif", "name": "Javad Zarif", "kind": "person", "parent": "iran"},
        )
        everywhere(lambda p, t: _contains(t, "Zarif in Moscow", p) if p.startswith("/actors/iran") else None)
        send_json(f"{base}/api/v1/events/{created['id']}", token, "DELETE")
        everywhere(lambda p, t: _absent(t, "Fresh", p))


def _contains(text: str, needle: str, path: str) -> None:
    assert needle in text, path


def _absent(text: str, needle: str, path: str) -> None:
    assert needle not in text, path


@pytest.mark.skipif(BACKEND != "postgresql", reason="the notice and the shared signal are PostgreSQL's path")
def test_postgresql_workers_see_a_write_before_its_notice_arrives(app: Flask, monkeypatch) -> None:
    from timeline.db import engines
    from timeline.web.cache import _EXT, VersionSource

    load_doc(app, _more_doc())
    other = VersionSource(app.config["DATABASE_URL"], engines(app)[0], app.instance_path)  # another worker
    before = other.current()
    assert before is not None and other.listener is not None  # it listens for notices
    assert other.current() is before  # no write, no notice: nothing read again
    monkeypatch.setattr(other, "_heard_of_a_write", lambda: False)  # its notice is late
    _create(app, _event("iran", "Seen at once", []))
    after = other.current()
    assert after is not None and after.data > before.data
    assert after.of("actor:iran") > before.of("actor:iran")
    assert after.of("actor:russia") == before.of("actor:russia")
    assert app.extensions[_EXT].source.signal is not None
    other.close()
