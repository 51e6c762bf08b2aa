"""make bench's references (tests/bench/hello.py) on both backends: the bare insert endpoint stores the
event and its stance as the API would be asked to, and the bare streaming export yields every live
event once, as JSON lines; both are what the app's figures are divided by."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import text

from timeline.db import engines, write_session
from timeline.services.demo import generate_demo_data

from bench import hello
from support.app import make_app


@pytest.fixture
def demo(db_url: str) -> Flask:
    app = make_app(db_url)
    with app.app_context():
        generate_demo_data(engines()[1], events=120, actors=30, topics=4, seed=3)
    return app


@pytest.fixture
def refs(demo: Flask, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setenv("BENCH_DATABASE_URL", db_url)
    app = hello.create_app()
    yield app
    app.extensions["bench.bare"].close()
    app.extensions["bench.engine"].dispose()


def _scalar(app: Flask, sql: str, **params: object) -> object:
    with app.app_context(), write_session() as session:
        return session.execute(text(sql), params).scalar_one()


def test_the_bare_insert_endpoint_stores_the_event_and_its_stance(demo: Flask, refs: Flask) -> None:
    body = {
        "uid": "bench-ref-1",
        "actor": "bench-actor-1000",
        "kind": "statement",
        "title": "Benchmark write",
        "date": "2021-03-04",
        "quote": "Запись — نوشتن — a write.",
        "stances": [{"topic": "bench-topic-wide", "score": -2}],
    }
    answer = refs.test_client().post("/core/events", data=json.dumps(body, ensure_ascii=False))
    assert answer.status_code == 201
    new_id = answer.get_json()["id"]
    row = _scalar(demo, "SELECT quote FROM event WHERE uid = 'bench-ref-1' AND id = :i", i=new_id)
    assert row == "Запись — نوشتن — a write."
    score = _scalar(
        demo,
        "SELECT s.score FROM stance s JOIN topic t ON t.id = s.topic_id "
        "WHERE s.event_id = :i AND t.slug = 'bench-topic-wide'",
        i=new_id,
    )
    assert score == -2
    # The same uid again is refused by the database (an error wrk counts), never stored twice.
    assert refs.test_client().post("/core/events", data=json.dumps(body)).status_code == 500
    assert _scalar(demo, "SELECT count(*) FROM event WHERE uid = 'bench-ref-1'") == 1


def test_the_bare_streaming_export_yields_every_live_event_once(demo: Flask, refs: Flask) -> None:
    with demo.app_context(), write_session() as session:
        session.execute(
            text("UPDATE event SET deleted_at = :now WHERE id = (SELECT min(id) FROM event)"),
            {"now": datetime.now(UTC).replace(tzinfo=None)},
        )
    answer = refs.test_client().get("/core/export.jsonl")
    assert answer.status_code == 200 and answer.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in answer.get_data(as_text=True).splitlines()]
    assert len(lines) == 119 == len({doc["uid"] for doc in lines})
    assert all(doc["deleted_at"] is None for doc in lines)
    order = [(doc["date_earliest"], doc["date_latest"], doc["id"]) for doc in lines]
    assert order == sorted(order)


def test_the_core_actor_endpoint_returns_the_actors_events(demo: Flask, refs: Flask) -> None:
    actor_id = _scalar(demo, "SELECT id FROM actor WHERE slug = 'bench-actor-1000'")
    events = refs.test_client().get(f"/core/actors/{actor_id}.json").get_json()
    assert len(events) == 60 and {e["actor_id"] for e in events} == {actor_id}
