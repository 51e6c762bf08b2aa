"""Fixtures: an app on a fresh migrated SQLite file per test, its client and CLI runner."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from timeline import create_app, migrate
from timeline.config import ROOT
from timeline.db import write_session
from timeline.services.exchange import import_document

SEED_FILE = ROOT / "seed" / "russia-iran-biden-era.json"
ARTICLE = ROOT.parent / "shared" / "article" / "russia-iran-biden-era.txt"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated to head; each test gets a copy (migrating per test is slower)."""
    path = tmp_path_factory.mktemp("template") / "timeline.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(tmp_path: Path, migrated_template: Path) -> str:
    target = tmp_path / "timeline.db"
    shutil.copy(migrated_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app(db_url: str) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test-secret"})
    yield app
    for engine in app.extensions["timeline.engines"]:
        engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def load_doc(app: Flask, doc: dict[str, Any]) -> None:
    with app.app_context(), write_session() as session:
        import_document(session, doc)


@pytest.fixture
def seeded(app: Flask) -> Flask:
    load_doc(app, json.loads(SEED_FILE.read_text(encoding="utf-8")))
    return app


def small_doc() -> dict[str, Any]:
    """A tiny dataset: one government, one official, two topics, three events."""
    return {
        "format": "stance-timeline",
        "version": 1,
        "actors": [
            {"slug": "russia", "name": "Russia", "kind": "government"},
            {
                "slug": "vladimir-putin",
                "name": "Vladimir Putin",
                "kind": "person",
                "role": "President of Russia",
                "parent": "russia",
                "aliases": ["Владимир Путин"],
            },
        ],
        "topics": [
            {"slug": "jcpoa", "name": "JCPOA"},
            {"slug": "us-sanctions", "name": "US sanctions"},
        ],
        "events": [
            {
                "uid": "e-2019",
                "actor": "vladimir-putin",
                "kind": "statement",
                "title": "Not a fire brigade",
                "date": "2019-05-15",
                "quote": "Russia is not a firefighting rescue crew…",
                "stances": [{"topic": "jcpoa", "score": -1}],
            },
            {
                "uid": "e-2020",
                "actor": "russia",
                "kind": "statement",
                "title": "Tireless firefighter",
                "date": "2020-12",
                "stances": [{"topic": "jcpoa", "score": 2}, {"topic": "us-sanctions", "score": -2}],
            },
            {
                "uid": "e-2020b",
                "actor": "russia",
                "kind": "action",
                "title": "Gulf security concept",
                "date": "2020~",
                "stances": [],
            },
        ],
    }


def csrf_token(client: FlaskClient) -> str:
    page = client.get("/events/new").get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "the form must carry a CSRF token"
    return match.group(1)
