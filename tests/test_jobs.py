"""Scheduled work: snapshots and restore, source link checks, feeds into the review queue, the jobs page."""

import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text

from timeline import jobs, work
from timeline.db import get_session, write_session
from timeline.models import Candidate, JobRun, Snapshot, SourceLink
from timeline.services import feeds, linkcheck

from conftest import ROOT, csrf_token, load_doc, make_app, small_doc


@pytest.fixture
def snap_app(db_url: str, tmp_path: Path) -> Flask:
    app = make_app(db_url)
    app.config.update(SNAPSHOT_DIR=str(tmp_path / "snapshots"), SNAPSHOT_KEEP=2)
    load_doc(app, small_doc())
    return app


def export_without_stamp(app: Flask) -> dict:
    doc = app.test_client().get("/export.json").get_json()
    doc.pop("exported_at")
    return doc


def test_snapshot_job_writes_checksummed_file_and_keeps_the_newest(snap_app: Flask) -> None:
    names = []
    for _ in range(3):
        run = jobs.run_job(snap_app, "snapshot")
        assert run.outcome == "ok" and "3 events" in run.message
        names.append(run.message.split(":")[0])
    directory = Path(snap_app.config["SNAPSHOT_DIR"])
    files = sorted(p.name for p in directory.iterdir())
    assert files == sorted([*names[1:], *(f"{n}.sha256" for n in names[1:])])  # the oldest was pruned
    assert not list(directory.glob(".*"))  # no temporary file left behind
    with snap_app.app_context():
        assert [s.name for s in get_session().execute(select(Snapshot)).scalars()] == names[1:]
        runs = get_session().execute(select(JobRun).where(JobRun.job_id == "snapshot")).scalars().all()
        assert [r.outcome for r in runs] == ["ok"] * 3 and all(r.finished_at >= r.started_at for r in runs)
    saved = json.loads((directory / names[-1]).read_text(encoding="utf-8"))
    assert sorted(e["uid"] for e in saved["events"]) == ["e-2019", "e-2020", "e-2020b"]


def test_snapshot_wipe_restore_gives_back_the_same_data(snap_app: Flask, databases) -> None:
    before = export_without_stamp(snap_app)
    name = jobs.run_job(snap_app, "snapshot").message.split(":")[0]
    fresh = make_app(databases.new())  # a wiped database
    fresh.config["SNAPSHOT_DIR"] = snap_app.config["SNAPSHOT_DIR"]
    runner = fresh.test_cli_runner()
    listed = runner.invoke(args=["snapshots", "list"])
    assert name in listed.output and "sha256" in listed.output
    result = runner.invoke(args=["snapshots", "restore", name])
    assert result.exit_code == 0, result.output
    assert export_without_stamp(fresh) == before
    again = runner.invoke(args=["snapshots", "restore", name])
    assert again.exit_code != 0 and "--replace" in again.output
    assert runner.invoke(args=["snapshots", "restore", name, "--replace"]).exit_code == 0
    assert export_without_stamp(fresh) == before


def test_damaged_or_unsafe_snapshots_are_refused(snap_app: Flask) -> None:
    name = jobs.run_job(snap_app, "snapshot").message.split(":")[0]
    path = Path(snap_app.config["SNAPSHOT_DIR"]) / name
    path.write_text(
        path.read_text(encoding="utf-8").replace("Not a fire brigade", "Tampered"), encoding="utf-8"
    )
    runner = snap_app.test_cli_runner()
    damaged = runner.invoke(args=["snapshots", "restore", name, "--replace"])
    assert damaged.exit_code != 0 and "does not match its checksum" in damaged.output
    for bad in ("../../etc/passwd", "snapshot-x.json", "/tmp/x.json"):
        refused = runner.invoke(args=["snapshots", "restore", bad, "--replace"])
        assert refused.exit_code != 0 and "not a snapshot name" in refused.output
    assert "Not a fire brigade" in snap_app.test_client().get("/actors/russia").get_data(as_text=True)


def test_a_failing_job_is_recorded_and_does_not_raise(snap_app: Flask, monkeypatch) -> None:
    def boom() -> str:
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(jobs.JOBS, "snapshot", ("Snapshot", boom, "SNAPSHOT_INTERVAL"))
    run = jobs.run_job(snap_app, "snapshot")
    assert run.outcome == "error" and run.message == "RuntimeError: disk on fire"


class _Handler(http.server.BaseHTTPRequestHandler):
    feeds: dict[str, bytes] = {}

    def log_message(self, *args) -> None:
        pass

    def _answer(self, body: bool) -> None:
        path = self.path
        if path == "/slow":
            time.sleep(2)
        if path.startswith("/feed/"):
            data = self.feeds.get(path)
            self.send_response(200 if data is not None else 404)
            self.end_headers()
            if body and data:
                self.wfile.write(data)
            return
        if path == "/nohead" and self.command == "HEAD":
            self.send_response(405)
            self.end_headers()
            return
        codes = {"/ok": 200, "/nohead": 200, "/missing": 404, "/slow": 200}
        if path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.end_headers()
            return
        self.send_response(codes.get(path, 404))
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)


@pytest.fixture
def local_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_link_check_against_a_local_server(app: Flask, local_server: str, editor) -> None:
    urls = {
        "ok": f"{local_server}/ok",
        "moved": f"{local_server}/moved",
        "missing": f"{local_server}/missing",
        "slow": f"{local_server}/slow",
        "nohead": f"{local_server}/nohead",
        "refused": f"http://127.0.0.1:{closed_port()}/x",
    }
    doc = small_doc()
    doc["events"] = [
        {
            "uid": f"link-{k}",
            "actor": "russia",
            "kind": "statement",
            "title": f"Link {k}",
            "date": "2020",
            "source": {"url": u, **({"archive_url": "https://archive.example/x"} if k == "missing" else {})},
        }
        for k, u in urls.items()
    ]
    load_doc(app, doc)
    app.config.update(LINK_CHECK_TIMEOUT=1, LINK_CHECK_CONCURRENCY=3, ALLOW_PRIVATE_ADDRESSES=True)
    with app.app_context():
        result = work.check_links()
    assert result == {"checked": 6, "broken": 3}
    with app.app_context():
        rows = {r.url: r for r in get_session().execute(select(SourceLink)).scalars()}
    assert (rows[urls["ok"]].status, rows[urls["ok"]].broken_since) == (200, None)
    moved = rows[urls["moved"]]
    assert (moved.status, moved.final_url, moved.redirects) == (200, urls["ok"], [urls["ok"]])
    assert rows[urls["nohead"]].status == 200  # HEAD refused, GET answered
    assert rows[urls["missing"]].status == 404 and rows[urls["missing"]].broken_since is not None
    assert "timed out" in rows[urls["slow"]].error.lower() and rows[urls["slow"]].broken_since
    assert "refused" in rows[urls["refused"]].error.lower()
    first_broken = rows[urls["missing"]].broken_since
    with app.app_context():
        work.check_links()
    with app.app_context():
        again = (
            get_session().execute(select(SourceLink).where(SourceLink.url == urls["missing"])).scalar_one()
        )
        assert again.broken_since == first_broken  # "broken since" keeps the first day it broke
    page = editor.get("/events/3").get_data(as_text=True)
    assert "link is broken since" in page and 'href="https://archive.example/x"' in page


def test_link_check_never_probes_private_addresses_unless_allowed(local_server: str) -> None:
    result = linkcheck.check_url(f"{local_server}/ok", timeout=1)
    assert result.broken and "private or local network" in result.error


RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Tehran Times</title>
<item><title>Zarif meets Lavrov</title><link>https://news.example/a</link><guid>a</guid>
<pubDate>Tue, 22 Dec 2020 10:00:00 GMT</pubDate><description>Talks in Moscow</description></item>
<item><title>Second item</title><link>https://news.example/b</link><guid>b</guid></item>
</channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Kremlin</title>
<entry><title>\xd0\x9f\xd1\x83\xd1\x82\xd0\xb8\xd0\xbd</title><link href="https://news.example/c"/><id>urn:c</id>
<updated>2020-12-21T08:00:00Z</updated></entry>
<entry><title>Duplicate of a</title><link href="https://news.example/a"/><id>urn:other</id></entry></feed>"""


def test_feeds_file_candidates_once_and_broken_feeds_are_retried(
    app: Flask, local_server: str, editor
) -> None:
    load_doc(app, small_doc())
    _Handler.feeds = {"/feed/rss.xml": RSS, "/feed/atom.xml": ATOM, "/feed/junk.xml": b"not a feed at all"}
    with app.app_context(), write_session() as session:
        for name in ("rss.xml", "atom.xml", "junk.xml", "gone.xml"):
            feeds.add_feed(session, f"{local_server}/feed/{name}")
    app.config["ALLOW_PRIVATE_ADDRESSES"] = True  # the local test server
    with app.app_context():
        report = work.fetch_feeds()
    assert (report.feeds, report.new, report.failed) == (4, 3, 2)  # "a" twice: filed once
    with app.app_context():
        assert work.fetch_feeds().new == 0  # a second fetch adds nothing
    with app.app_context():
        cands = {c.title: c for c in get_session().execute(select(Candidate)).scalars()}
        assert set(cands) == {"Zarif meets Lavrov", "Second item", "Путин"}
        assert cands["Zarif meets Lavrov"].published == "2020-12-22"
        assert cands["Путин"].publisher == "Kremlin"
    page = editor.get("/review").get_data(as_text=True)
    assert "Zarif meets Lavrov" in page and "failing (2×)" in page
    retried = RSS.replace(b"news.example/a", b"news.example/z").replace(b"<guid>a", b"<guid>z")
    _Handler.feeds["/feed/gone.xml"] = retried.replace(b"Zarif meets Lavrov", b"Retried item")
    with app.app_context():
        assert work.fetch_feeds().new == 1  # the broken feed was retried and now works
    # Turn a candidate into an event through the normal form, prefilled.
    zarif = cands["Zarif meets Lavrov"]
    form = editor.get(f"/events/new?candidate={zarif.id}").get_data(as_text=True)
    assert 'value="Zarif meets Lavrov"' in form and 'value="https://news.example/a"' in form
    assert 'value="2020-12-22"' in form and 'value="Tehran Times"' in form
    data = {
        "csrf_token": csrf_token(editor),
        "actor": "russia",
        "kind": "meeting",
        "date": "2020-12-22",
        "title": "Zarif meets Lavrov",
        "source_url": "https://news.example/a",
        "confidence": "medium",
        "candidate": str(zarif.id),
        "save": "Save",
    }
    assert editor.post("/events", data=data).status_code == 303
    dismissed = cands["Second item"]
    assert (
        editor.post(f"/review/{dismissed.id}/dismiss", data={"csrf_token": csrf_token(editor)}).status_code
        == 303
    )
    page = editor.get("/review").get_data(as_text=True)
    assert "Zarif meets Lavrov" not in page and "Second item" not in page and "Путин" in page
    with app.app_context():
        status = {c.title: c.status for c in get_session().execute(select(Candidate)).scalars()}
        assert status["Zarif meets Lavrov"] == "accepted" and status["Second item"] == "dismissed"


def test_jobs_page_and_run_now(snap_app: Flask, client) -> None:
    from conftest import create_user, login

    assert client.get("/admin/jobs").status_code == 302  # editors only
    create_user(snap_app, "ed")
    login(client, "ed")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Snapshot of the whole dataset" in page and "Runs hourly" in page
    assert "Off</strong>: turn it on with" in page
    assert client.post("/admin/jobs/snapshot/run", data={"csrf_token": csrf_token(client)}).status_code == 303
    assert "queued" in client.get("/admin/jobs").get_data(as_text=True)
    jobs._dispatch_queued(snap_app)  # what the scheduler process does every few seconds
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert 'class="outcome-ok">ok<' in page and "3 events" in page
    assert client.post("/admin/jobs/nope/run", data={"csrf_token": csrf_token(client)}).status_code == 404


def test_real_scheduler_beside_two_web_workers_makes_one_snapshot_per_interval(
    db_url: str, tmp_path: Path
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "TIMELINE_DATABASE_URL": db_url,
        "TIMELINE_SECRET_KEY": "x",
        "TIMELINE_PORT": str(port),
        "TIMELINE_WORKERS": "2",
        "TIMELINE_SNAPSHOT_INTERVAL": "2",
        "TIMELINE_SNAPSHOT_DIR": str(tmp_path / "s"),
        "TIMELINE_SNAPSHOT_KEEP": "50",
        "TIMELINE_FEED_INTERVAL": "0",
        "TIMELINE_JOB_QUEUE_POLL": "1",
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    }
    honcho = [sys.executable, "-m", "honcho", "--no-prefix", "start", "-f", str(ROOT / "Procfile")]
    # The scheduler runs from the start (the web process first checks for a first admin): count from here.
    started = time.monotonic()
    proc = subprocess.Popen(
        honcho, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        time.sleep(7)
        proc.send_signal(signal.SIGINT)  # Ctrl-C stops both processes
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    elapsed = time.monotonic() - started
    engine = create_engine(db_url)
    with engine.connect() as conn:
        runs = conn.execute(
            text("SELECT started_at FROM job_run WHERE job_id = 'snapshot' ORDER BY id")
        ).all()
        snaps = conn.execute(select(func.count()).select_from(Snapshot.__table__)).scalar_one()
    engine.dispose()
    assert "scheduler started" in output
    # Two web workers, one scheduler: one run per 2 s interval, never two in the same interval.
    # (The scheduler may start before the web server answers: count the gaps between runs, not the
    # runs since the first answer, which a loaded machine skews.)
    stamps = [
        r.started_at if isinstance(r.started_at, datetime) else datetime.fromisoformat(r.started_at)
        for r in runs
    ]
    gaps = [(b - a).total_seconds() for a, b in zip(stamps, stamps[1:], strict=False)]
    assert len(runs) >= 2 and min(gaps) >= 1.5, (gaps, elapsed, output[-2000:])
    assert snaps == len(runs) == len(list((tmp_path / "s").glob("snapshot-*.json")))
