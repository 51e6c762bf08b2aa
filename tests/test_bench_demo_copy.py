"""The demo data loads through COPY on PostgreSQL (issue 17: a million events in minutes, not half an
hour): the same rows as the SQLite path, stances_json as the database's own trigger writes it, and the
trigger working again after the load."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from timeline import migrate
from timeline.db import make_engines
from timeline.services.demo import generate_demo_data

from support.data import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="COPY is PostgreSQL's load path")

TABLES = {
    "actor": "id, slug, name, kind, role, country, parent_id, aliases, description, created_at, updated_at",
    "topic": "id, slug, name, description",
    "event": "*",
    "stance": "id, event_id, topic_id, score, rationale",
}


def _generate(url: str) -> None:
    read, write = make_engines(url)
    try:
        generate_demo_data(write, events=3000, actors=40, topics=8, seed=11)
    finally:
        write.dispose()
        read.dispose()


def _normal(value: Any, column: str) -> Any:
    if column in ("stances_json", "aliases") and isinstance(value, str):
        return json.loads(value)  # JSON text: SQLite and PostgreSQL space it differently
    if column.endswith("_at") and isinstance(value, str):
        value = datetime.fromisoformat(value)  # SQLite: text in UTC
    if hasattr(value, "isoformat"):
        return value.isoformat()[:19]  # PostgreSQL: aware, in UTC
    return value


def _rows(url: str, table: str) -> list[dict[str, Any]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            result = conn.execute(text(f"SELECT {TABLES[table]} FROM {table} ORDER BY id"))  # noqa: S608
            keys = [k for k in result.keys() if k != "search_vector"]  # noqa: SIM118
            return [{k: _normal(row[k], k) for k in keys} for row in result.mappings()]
    finally:
        engine.dispose()


def test_copy_load_gives_the_rows_of_the_sqlite_path(db_url: str, tmp_path: Path) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'demo.db'}"
    migrate.upgrade(sqlite_url)
    _generate(sqlite_url)
    _generate(db_url)
    for table in TABLES:
        expected, got = _rows(sqlite_url, table), _rows(db_url, table)
        assert len(got) == len(expected) > 0, table
        for want, have in zip(expected, got, strict=True):
            assert have == want, (table, want["id"])


def test_stances_json_is_the_triggers_and_the_trigger_is_back(db_url: str) -> None:
    _generate(db_url)
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            differing = conn.execute(
                text("SELECT count(*) FROM event WHERE stances_json <> event_stances_json(id)")
            ).scalar_one()
            assert differing == 0
            # The trigger is on again: a new stance shows in its event's stances_json at once.
            event_id, topic_id = conn.execute(
                text(
                    "SELECT e.id, t.id FROM event e CROSS JOIN topic t WHERE NOT EXISTS (SELECT 1 FROM "
                    "stance s WHERE s.event_id = e.id AND s.topic_id = t.id) ORDER BY e.id, t.id LIMIT 1"
                )
            ).one()
            conn.execute(
                text("INSERT INTO stance (event_id, topic_id, score) VALUES (:e, :t, 2)"),
                {"e": event_id, "t": topic_id},
            )
            got = conn.execute(text("SELECT stances_json FROM event WHERE id = :e"), {"e": event_id})
            stances = json.loads(got.scalar_one())
            slug = conn.execute(text("SELECT slug FROM topic WHERE id = :t"), {"t": topic_id}).scalar_one()
            assert {"topic": slug, "score": 2, "rationale": None} in stances
    finally:
        engine.dispose()
