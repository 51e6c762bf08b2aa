"""The production server as `make run` starts it: gunicorn, 2 workers, concurrent form posts, Ctrl-C."""

import http.cookiejar
import signal
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from support.data import PASSWORD, SEED_FILE
from support.server import Gunicorn, create_editor, flask_cli, server_env
from support.web import CSRF_FIELD, found


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[tuple[Gunicorn, str]]:
    """gunicorn as `make run` starts it (2 workers) on the seed, with the editor "poster"."""
    env = server_env(db_url, secret="server-test")
    flask_cli(env, "import", str(SEED_FILE))
    create_editor(env, "poster")
    with Gunicorn(env, tmp_path / "gunicorn.log", workers=2) as running:
        yield running, db_url


def post_event(base: str, n: int) -> int:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    token = found(CSRF_FIELD, page)
    credentials = {"csrf_token": token, "name": "poster", "password": PASSWORD, "next": ""}
    try:
        opener.open(
            urllib.request.Request(f"{base}/login", data=urllib.parse.urlencode(credentials).encode())
        )
    except urllib.error.HTTPError as exc:
        assert exc.code == 303, exc.code  # signed in, redirected
    # Sign-in starts a new session with a new CSRF token: take it from a page.
    page = opener.open(f"{base}/events/new", timeout=30).read().decode()
    token = found(CSRF_FIELD, page)
    body = urllib.parse.urlencode(
        {
            "csrf_token": token,
            "actor": "russia",
            "kind": "statement",
            "date": "2021-01",
            "confidence": "low",
            "title": f"Concurrent post {n}",
            "quote": "Москва — «مسکو»",
            "stances-0-topic": "jcpoa",
            "stances-0-score": "1",
            "confirm_unsourced": "y",  # no source: the editor confirms (evidence first)
            "save": "Save event",
        }
    ).encode()
    try:
        opener.open(urllib.request.Request(f"{base}/events", data=body), timeout=60)
    except urllib.error.HTTPError as exc:
        return exc.code
    return 200


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_concurrent_form_posts_all_land_then_ctrl_c_stops_cleanly(server: tuple[Gunicorn, str]) -> None:
    running, db_url = server
    base = running.base_url
    with urllib.request.urlopen(f"{base}/actors/russia") as r:
        assert "not a firefighting rescue crew" in r.read().decode()
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda n: post_event(base, n), range(40)))
    # Every post is answered with the redirect to the new event: none failed with "database is locked".
    assert statuses == [303] * 40
    engine = create_engine(db_url)
    with engine.connect() as conn:
        titles = list(
            conn.execute(text("SELECT title FROM event WHERE title LIKE 'Concurrent post %'")).scalars()
        )
        assert sorted(titles) == sorted(f"Concurrent post {n}" for n in range(40))
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()
    assert running.stop(timeout=20, sig=signal.SIGINT) == 0  # what Ctrl-C sends
    assert "Shutting down" in running.log_text()
