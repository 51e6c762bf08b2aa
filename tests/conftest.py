"""Fixtures: an app on a fresh migrated SQLite file per test, its client and CLI runner."""

from __future__ import annotations

import inspect
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine

import timeline
from timeline import create_app, migrate
from timeline.config import ROOT
from timeline.db import write_session
from timeline.services import accounts
from timeline.services.importing import import_document

from pgserver import PostgresServer

SEED_FILE = ROOT / "seed" / "russia-iran-biden-era.json"
ARTICLE = ROOT.parent / "shared" / "article" / "russia-iran-biden-era.txt"


# Markers from what a test does, so that no module has to remember them (see pyproject's markers).
_SERVER_SIGNS = ("Gunicorn(", "subprocess.", "flask_cli(", "Popen(", "_scheduler_process(")
_SLOW_MODULES = {"test_crash", "test_load", "test_jobs_busy"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = item.module.__name__ if getattr(item, "module", None) else ""
        function = getattr(item, "function", None)
        try:
            source = inspect.getsource(function) if function is not None else ""
        except (OSError, TypeError):
            source = ""
        fixtures = set(getattr(item, "fixturenames", ()))
        if "browser" in module:
            item.add_marker(pytest.mark.browser)
        if module in _SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        if any(sign in source for sign in _SERVER_SIGNS) or fixtures & {"server", "servers", "gunicorn"}:
            item.add_marker(pytest.mark.server)
        if 'BACKEND != "postgresql"' in source or "pg_base_url" in fixtures:
            item.add_marker(pytest.mark.postgresql)


# `make test` runs the suite twice: TIMELINE_TEST_BACKEND=sqlite, then =postgresql.
BACKEND = os.environ.get("TIMELINE_TEST_BACKEND", "sqlite")


@pytest.fixture(scope="session")
def pg_base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    """A PostgreSQL server of the suite's own, when the suite runs on PostgreSQL."""
    if BACKEND != "postgresql":
        yield None
        return
    try:
        server = PostgresServer()
        base = server.start()
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        reason = f"POSTGRESQL UNAVAILABLE, PostgreSQL tests not run: {exc} {detail.decode(errors='replace')}"
        if os.environ.get("CI"):
            pytest.fail(reason)  # in CI the PostgreSQL run is required
        pytest.skip(reason)
    yield base
    server.stop()


class Databases:
    """Makes fresh databases: copies of one migrated template (fast), or empty ones."""

    def __init__(self, root: Path, pg_base: str | None) -> None:
        self.root, self.pg_base, self.count = root, pg_base, 0
        self.template = self._new_url("template")
        migrate.upgrade(self.template)

    def _new_url(self, name: str) -> str:
        if self.pg_base is None:
            return f"sqlite:///{self.root / (name + '.db')}"
        admin = create_engine(f"{self.pg_base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        return f"{self.pg_base}/{name}"

    def new(self, *, migrated: bool = True) -> str:
        self.count += 1
        name = f"t{self.count}"
        if not migrated:
            return self._new_url(name)
        if self.pg_base is None:
            target = self.root / f"{name}.db"
            shutil.copy(self.root / "template.db", target)
            return f"sqlite:///{target}"
        admin = create_engine(f"{self.pg_base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "template"')
        admin.dispose()
        return f"{self.pg_base}/{name}"


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory, pg_base_url: str | None) -> Databases:
    return Databases(tmp_path_factory.mktemp("db"), pg_base_url)


@pytest.fixture
def db_url(databases: Databases) -> str:
    return databases.new()


_APPS: list[Flask] = []


def make_app(url: str) -> Flask:
    """An app on this database; its connections are closed after the test."""
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret"})
    _APPS.append(app)
    return app


@pytest.fixture(autouse=True)
def _dispose_apps() -> Iterator[None]:
    yield
    while _APPS:
        timeline.dispose(_APPS.pop())  # its pools and listening connection


@pytest.fixture
def app(db_url: str) -> Flask:
    return make_app(db_url)


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


PASSWORD = "correct horse battery staple"


def create_user(app: Flask, name: str, *, admin: bool = False) -> None:
    with app.app_context(), write_session() as session:
        accounts.create_user(session, name, PASSWORD, admin=admin)


def login(client: FlaskClient, name: str, password: str = PASSWORD, next_url: str = ""):
    return client.post(
        "/login",
        data={"csrf_token": csrf_token(client), "name": name, "password": password, "next": next_url},
    )


@pytest.fixture
def editor(app: Flask, client: FlaskClient) -> FlaskClient:
    """The client, signed in as the editor "ed"."""
    create_user(app, "ed")
    assert login(client, "ed").status_code == 303
    return client


@pytest.fixture
def admin(app: Flask, client: FlaskClient) -> FlaskClient:
    """The client, signed in as the admin "root"."""
    create_user(app, "root", admin=True)
    assert login(client, "root").status_code == 303
    return client


def csrf_token(client: FlaskClient) -> str:
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "the form must carry a CSRF token"
    return match.group(1)
