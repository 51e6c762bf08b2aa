"""Against a real gunicorn: a feed that stalls past the busy timeout, a link check of unanswering
URLs, snapshots of the whole dataset and a large import (dry run and real, 14,000 events each) run
while 8 clients write through the API and the form. No write fails and none waits as long as the busy
timeout; idle and busy write latencies are printed.

TIMELINE_TEST_STALL_SECONDS (default 30) and TIMELINE_TEST_BUSY_EVENTS (default 14000) change the
stall and the size of the stored dataset and of each import.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, text

from timeline.db import write_session
from timeline.services import accounts, feeds

from support import httpservers
from support.app import create_user, load_doc, make_app
from support.server import FLASK, PASSWORD, ROOT, Gunicorn, Http, flask_cli, latency_summary, server_env

STALL = float(os.environ.get("TIMELINE_TEST_STALL_SECONDS", "30"))
EVENTS = int(os.environ.get("TIMELINE_TEST_BUSY_EVENTS", "14000"))
BUSY_TIMEOUT = 15.0  # SQLITE_BUSY_TIMEOUT_MS (and PostgreSQL's lock_timeout) by default
UNANSWERED_LINKS = 8
LINK_TIMEOUT = 5  # each network wait of the link check: 8 unanswering URLs, 4 at a time, take ~20 s
RSS = httpservers.rss("Slow wire", "Stalled item", "https://news.example/stalled", "stalled")


@pytest.fixture
def stalling_feed() -> Iterator[str]:
    """A feed that sends its headers, then a byte every 2 s for STALL seconds, then the feed."""
    routes = httpservers.FeedRoutes(body=RSS, stall_seconds=STALL, stall_every=2)
    with httpservers.feed_server(routes) as url:
        yield f"{url}/stall"


@pytest.fixture
def silent_links() -> Iterator[str]:
    with httpservers.silent_server() as url:
        yield url


def _query(db_url: str, sql: str) -> list[Any]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)).all())
    finally:
        engine.dispose()


def _doc(actor: str, prefix: str, count: int, links: str = "") -> dict[str, Any]:
    events: list[dict[str, Any]] = [
        {
            "uid": f"{prefix}-{i}",
            "actor": actor,
            "kind": "statement",
            "title": f"{prefix} {i}",
            "date": "2020-05~",
            "quote": "«Москва» — سخن",
            "stances": [{"topic": "jcpoa", "score": i % 5 - 2}],
        }
        for i in range(count)
    ]
    for i in range(UNANSWERED_LINKS if links else 0):
        events[i]["source"] = {"title": "Unanswered", "url": f"{links}/source-{i}"}
    actors = [{"slug": actor, "name": actor.title(), "kind": "government"}]
    topics = [{"slug": "jcpoa", "name": "JCPOA"}]
    return {"format": "stance-timeline", "version": 1, "actors": actors, "topics": topics, "events": events}


def _import_doc(path: Path, actor: str, prefix: str, count: int) -> int:
    path.write_text(json.dumps(_doc(actor, prefix, count), ensure_ascii=False), encoding="utf-8")
    return path.stat().st_size


class Writer:
    """One client writing events, through the API (token) or the form (signed-in session)."""

    def __init__(self, base_url: str, name: str, actor: str, token: str | None, editor: str | None) -> None:
        self.http, self.name, self.actor, self.token = Http(base_url), name, actor, token
        self.cookie, self.csrf, self.n = "", "", 0
        self.latencies: list[float] = []
        self.errors: list[str] = []
        if editor is not None:
            self._sign_in(editor)

    def _send(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None):
        headers = {**(headers or {}), **({"Cookie": self.cookie} if self.cookie else {})}
        status, data, answer = self.http.request(method, path, body, headers)
        for cookie in answer.get_all("Set-Cookie") or []:
            if cookie.startswith("session="):
                self.cookie = cookie.split(";", 1)[0]
        return status, data

    def _token_from(self, path: str) -> str:
        _status, page = self._send("GET", path)
        match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert match, page[:500]
        return match.group(1).decode()

    def _sign_in(self, editor: str) -> None:
        form = urlencode({"csrf_token": self._token_from("/login"), "name": editor, "password": PASSWORD})
        status, _ = self._send(
            "POST", "/login", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 303, status
        self.csrf = self._token_from("/events/new")

    def write_once(self) -> None:
        self.n += 1
        title = f"{self.name} write {self.n}"
        if self.token:
            body = {
                "uid": f"{self.name}-{self.n}",
                "actor": self.actor,
                "kind": "statement",
                "title": title,
                "date": "2021-02-03",
                "stances": [],
            }
            payload, ok = json.dumps(body).encode(), 201
            headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
            path = "/api/v1/events"
        else:
            fields = {
                "csrf_token": self.csrf,
                "actor": self.actor,
                "kind": "statement",
                "date": "2021-02-03",
                "title": title,
                "confidence": "medium",
                "confirm_unsourced": "y",  # no source: the editor confirms (evidence first)
                "save": "Save",
            }
            payload, ok = urlencode(fields).encode(), 303
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            path = "/events"
        started = time.monotonic()
        try:
            status, data = self._send("POST", path, payload, headers)
        except OSError as exc:
            self.errors.append(f"{path}: {type(exc).__name__}: {exc}")
            return
        self.latencies.append(time.monotonic() - started)
        if status != ok:
            self.errors.append(f"{path}: {status} {data[:300]!r}")


def _write_until(writers: list[Writer], stop: threading.Event) -> list[threading.Thread]:
    def loop(writer: Writer) -> None:
        while not stop.is_set():
            writer.write_once()
            time.sleep(0.05)

    threads = [threading.Thread(target=loop, args=(w,), daemon=True) for w in writers]
    for thread in threads:
        thread.start()
    return threads


def _phase(writers: list[Writer], stop: threading.Event, threads: list[threading.Thread]) -> list[float]:
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    latencies = [t for w in writers for t in w.latencies]
    for writer in writers:
        writer.latencies = []
    return latencies


def _ok_runs(db_url: str, job_id: str) -> list[Any]:
    return _query(db_url, f"SELECT id FROM job_run WHERE job_id = '{job_id}' AND outcome = 'ok'")


def test_writes_never_wait_on_a_stalled_feed_link_checks_snapshots_or_a_large_import(
    db_url: str, tmp_path: Path, stalling_feed: str, silent_links: str
) -> None:
    env = {
        **server_env(db_url),
        "TIMELINE_SNAPSHOT_DIR": str(tmp_path / "snaps"),
        "TIMELINE_SNAPSHOT_KEEP": "3",
        "TIMELINE_SNAPSHOT_INTERVAL": "2",  # a snapshot of the whole dataset every 2 s, back to back
        "TIMELINE_FEED_INTERVAL": "1",
        "TIMELINE_FEED_TIMEOUT": "10",
        "TIMELINE_FEED_DEADLINE": "120",
        "TIMELINE_LINK_CHECK_INTERVAL": "1",
        "TIMELINE_LINK_CHECK_TIMEOUT": str(LINK_TIMEOUT),
        "TIMELINE_ALLOW_PRIVATE_ADDRESSES": "true",  # the local feed and link servers
        "TIMELINE_JOB_QUEUE_POLL": "1",
    }
    app = make_app(db_url)  # setup in this process: no CLI start-up per step
    actor = "russia"
    load_doc(app, _doc(actor, "stored", EVENTS, links=silent_links))
    create_user(app, "ed")
    create_user(app, "robot")
    with app.app_context(), write_session() as session:
        token = accounts.issue_token(session, "robot")
        feeds.add_feed(session, stalling_feed)
    big, real = tmp_path / "big.json", tmp_path / "real.json"
    size = _import_doc(big, actor, "big", EVENTS)
    _import_doc(real, actor, "bulk", EVENTS)

    with Gunicorn(env, tmp_path / "gunicorn.log") as server:
        writers = [
            Writer(server.base_url, f"c{i}", actor, token if i % 2 else None, None if i % 2 else "ed")
            for i in range(8)
        ]
        stop = threading.Event()
        threads = _write_until(writers, stop)
        time.sleep(3)
        idle = _phase(writers, stop, threads)

        scheduler_log = (tmp_path / "scheduler.log").open("wb")
        scheduler = subprocess.Popen(
            [*FLASK, "scheduler"],
            env=env,
            cwd=ROOT,
            stdout=scheduler_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        stop = threading.Event()
        threads = _write_until(writers, stop)
        busy_started = time.monotonic()
        try:
            with ThreadPoolExecutor(2) as pool:  # the dry run and the real import at the same time
                dry_run = pool.submit(flask_cli, env, "import", str(big), "--dry-run", timeout=300)
                real_run = pool.submit(flask_cli, env, "import", str(real), timeout=300)
                dry, imported = dry_run.result(), real_run.result()
            deadline = time.monotonic() + STALL + 60
            while not (_ok_runs(db_url, "feeds") and _ok_runs(db_url, "link-check")):
                assert time.monotonic() < deadline, (tmp_path / "scheduler.log").read_text()[-3000:]
                time.sleep(0.5)
        finally:
            busy = _phase(writers, stop, threads)
            scheduler.send_signal(signal.SIGTERM)
            try:
                scheduler.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(scheduler.pid, signal.SIGKILL)
                scheduler.wait(timeout=10)
            scheduler_log.close()
            for writer in writers:
                writer.http.close()
        busy_seconds = time.monotonic() - busy_started

    errors = [e for w in writers for e in w.errors]
    # Write transactions that held the database over a second (timeline.db logs them with their caller).
    held = [
        line.strip()
        for log in (tmp_path / "gunicorn.log", tmp_path / "scheduler.log")
        for line in log.read_text(errors="replace").splitlines()
        if "held the database" in line
    ] + [line for run in (dry, imported) for line in run.stderr.splitlines() if "held the database" in line]
    print("\nlong write transactions:\n" + "\n".join(held or ["none"]))
    snapshots = _query(db_url, "SELECT outcome FROM job_run WHERE job_id = 'snapshot'")
    print(
        f"\nidle writes: {latency_summary(idle)}"
        f"\nbusy writes ({busy_seconds:.0f} s: feed stalled {STALL:.0f} s, link check of "
        f"{UNANSWERED_LINKS} unanswering URLs, {len(snapshots)} snapshots of {EVENTS}+ events, dry-run "
        f"import and import of {EVENTS} events each ({size / 1e6:.1f} MB)): {latency_summary(busy)}"
    )
    assert errors == [], errors[:10]
    assert idle and busy and max(busy) < BUSY_TIMEOUT, latency_summary(busy)
    assert "Dry run, nothing stored" in dry.stdout and f"events: {EVENTS} created" in dry.stdout
    assert "Imported" in imported.stdout and f"events: {EVENTS} created" in imported.stdout
    checks = _query(db_url, "SELECT message FROM job_run WHERE job_id = 'link-check' AND outcome = 'ok'")
    assert checks[0].message == f"{UNANSWERED_LINKS} links checked, {UNANSWERED_LINKS} broken"
    assert any(s.outcome == "ok" for s in snapshots), snapshots
    assert _query(db_url, "SELECT title FROM candidate")[0].title == "Stalled item"
    written = sum(w.n for w in writers)
    stored = _query(db_url, "SELECT count(*) AS n FROM event WHERE title LIKE 'c_ write %'")
    assert stored[0].n == written  # every acknowledged write is there
