"""Fixtures: an app on a fresh migrated database per test, its client and CLI runner, signed-in
clients, the suite's own PostgreSQL server, the browser tests' server. Helpers and test data live in
tests/support/."""

from __future__ import annotations

import inspect
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles

# Assertions inside the helpers report their values as the tests' own do.
pytest.register_assert_rewrite("support")

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient, FlaskCliRunner  # noqa: E402

from timeline.services import accounts  # noqa: E402

from support.app import create_user, dispose_apps, load_doc, make_app  # noqa: E402
from support.browser import missing_prerequisites  # noqa: E402
from support.data import BACKEND, SEED_FILE, seed_doc  # noqa: E402
from support.databases import Databases  # noqa: E402
from support.pgserver import PostgresServer  # noqa: E402
from support.server import Gunicorn, create_editor, flask_cli, server_env  # noqa: E402
from support.web import login  # noqa: E402

# Markers from what a test does, so that no module has to remember them (see pyproject's markers).
_SERVER_SIGNS = ("Gunicorn(", "subprocess.", "flask_cli(", "Popen(", "_scheduler_process(")
# Whole modules that build big datasets or fuzz: the benchmark's references, the demo generator
# (1,200 distinct EDTF dates parsed on its first run), schemathesis over the whole API, a 14,000-event
# import.
_SLOW_MODULES = {
    "test_crash",
    "test_load",
    "test_jobs_busy",
    "test_bench_refs",
    "test_bench_search",
    "test_bench_demo_copy",
    "test_search_in_sql",
    "test_import_lock",
    "test_bench_reads_during_writes",
    "test_demo",
    "test_schemathesis",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    sources: dict[object, str] = {}  # once per function, not once per parametrized case
    for item in items:
        module_obj = getattr(item, "module", None)
        module = module_obj.__name__ if module_obj is not None else ""
        function = getattr(item, "function", None)
        if function not in sources:
            try:
                sources[function] = inspect.getsource(function) if function is not None else ""
            except (OSError, TypeError):
                sources[function] = ""
        source = sources[function]
        fixtures = set(getattr(item, "fixturenames", ()))
        if "browser" in module:
            item.add_marker(pytest.mark.browser)
        if module in _SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        starts_server = fixtures & {"server", "servers", "gunicorn", "site"}
        if starts_server or any(sign in source for sign in _SERVER_SIGNS):
            item.add_marker(pytest.mark.server)
        # Asked for by the test itself: every database fixture depends on pg_base_url.
        asks_for_pg = function is not None and "pg_base_url" in inspect.signature(function).parameters
        if 'BACKEND != "postgresql"' in source or asks_for_pg:
            item.add_marker(pytest.mark.postgresql)


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


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory, pg_base_url: str | None) -> Databases:
    return Databases(tmp_path_factory.mktemp("db"), pg_base_url)


@pytest.fixture
def db_url(databases: Databases) -> str:
    return databases.new()


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """argon2's cheapest parameters in this process: every editor the tests create and sign in costs
    64 MiB and a tenth of a second of CPU per hash otherwise, most of the suite's time. Servers and the
    CLI the tests start as processes keep the shipped parameters."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
        yield


@pytest.fixture(autouse=True)
def _dispose_apps() -> Iterator[None]:
    yield
    dispose_apps()  # their pools and listening connections


@pytest.fixture
def app(db_url: str) -> Flask:
    return make_app(db_url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def seeded(app: Flask) -> Flask:
    load_doc(app, seed_doc())
    return app


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


@pytest.fixture
def browser_prerequisites() -> None:
    """Skips (fails when CI is set) without Debian's chromium and the playwright package."""
    missing = missing_prerequisites()
    if missing:
        reason = "BROWSER TESTS NOT RUN: missing " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason)  # in CI the browser tests are required
        pytest.skip(reason)


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    """Where the browser tests put screenshots: $TIMELINE_ARTIFACTS/browser-<backend>, else tmp_path."""
    root = os.environ.get("TIMELINE_ARTIFACTS")
    folder = (Path(root) / f"browser-{BACKEND}") if root else (tmp_path / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def site(browser_prerequisites: None, db_url: str, tmp_path: Path) -> Iterator[str]:
    """gunicorn (2 workers) on the seed, with the editor "maya"."""
    env = server_env(db_url, secret="browser-test")
    flask_cli(env, "import", str(SEED_FILE))
    create_editor(env, "maya")
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=2)
    server.start()
    try:
        yield server.base_url
    finally:
        server.stop()
