"""The production server as `make run` starts it: gunicorn, 2 workers, concurrent form posts, Ctrl-C."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from conftest import PASSWORD, SEED_FILE
from support.server import gunicorn_command

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(db_url: str):
    port = free_port()
    env = {**os.environ, "TIMELINE_DATABASE_URL": db_url, "TIMELINE_SECRET_KEY": "server-test"}
    flask = [sys.executable, "-m", "flask", "--app", "timeline"]
    subprocess.run([*flask, "import", str(SEED_FILE)], env=env, check=True, capture_output=True, cwd=ROOT)
    subprocess.run(
        [*flask, "users", "create", "poster"],
        input=PASSWORD + "\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    proc = subprocess.Popen(
        gunicorn_command(),
        env={**env, "TIMELINE_PORT": str(port), "TIMELINE_WORKERS": "2"},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"gunicorn did not start: {proc.communicate()[0]}")
            time.sleep(0.2)
    yield proc, base, db_url
    if proc.poll() is None:
        proc.kill()
    proc.communicate()


def post_event(base: str, n: int) -> int:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    credentials = {"csrf_token": token, "name": "poster", "password": PASSWORD, "next": ""}
    try:
        opener.open(
            urllib.request.Request(f"{base}/login", data=urllib.parse.urlencode(credentials).encode())
        )
    except urllib.error.HTTPError as exc:
        assert exc.code == 303, exc.code  # signed in, redirected
    # Sign-in starts a new session with a new CSRF token: take it from a page.
    page = opener.open(f"{base}/events/new", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
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


def test_concurrent_form_posts_all_land_then_ctrl_c_stops_cleanly(server) -> None:
    proc, base, db_url = server
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
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    output, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "Shutting down" in output
