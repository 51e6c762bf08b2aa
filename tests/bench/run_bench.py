#!/usr/bin/env python3
"""`make bench`: issues 8 and 17's benchmark, end to end, on this machine, on SQLite and PostgreSQL.

1. Uses wrk (apt-get when root; else a Python load generator with a loud warning), Datasette and
   py-spy from the `bench` extra.
2. Generates (or reuses) a big (--events) and a 10,000-event database with `timeline.services.demo`,
   as SQLite files under instance/bench/ and as databases in the benchmark's own PostgreSQL server
   (started here as the tests start theirs, kept under instance/bench/pg for reuse).
3. Serves the app as `make run` does (gunicorn.conf.py, the scheduler beside it) and the references
   under the same gunicorn settings (tests/bench/hello.py): Flask's hello world, a bare SQLAlchemy
   Core endpoint, a bare insert endpoint (sqlite3 WAL / psycopg), a bare streaming export; and
   Datasette on the SQLite file.
4. Each figure is the median of --runs runs (wrk, --duration seconds each) with its spread; every
   target is a ratio to a reference measured in the same run (report.py). Writes bench-results.json,
   prints the table and regenerates docs/performance.md's table from it.

Everything binds to 127.0.0.1; every loop is bounded in time; every server started here is stopped on
exit. Exit status 0 unless the harness itself crashed: missed targets are reported, not failures.

    .venv/bin/python tests/bench/run_bench.py [--events 1000000] [--duration 15] [--runs 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # tests/: the tests' support package
sys.path.insert(2, str(Path(__file__).resolve().parent.parent.parent))

import report  # noqa: E402
from databases import Database, copy_database, drop_copy, postgres_database, sqlite_database  # noqa: E402
from loadgen import RUN_ID, Load, aggregate, aggregate_exports, http_get, serial_median, timed_get  # noqa: E402
from pgcluster import BenchPostgres  # noqa: E402
from profiling import profile_worker  # noqa: E402
from servers import (  # noqa: E402
    BENCH_DIR,
    BIN,
    HERE,
    LOCAL,
    ROOT,
    Server,
    gunicorn_cmd,
    log,
    measure_export,
    serving,
)

RESULTS = ROOT / "bench-results.json"
SMALL_EVENTS = 10_000
BENCH_ACTOR, WIDE_TOPIC = "bench-actor-1000", "bench-topic-wide"
SEARCH_NAME = "Бенч"  # the bench actor's Cyrillic alias: 1,000 hits on any database size
SEARCH_COMMON = "sanctions"  # a word in about 45% of events: the worst case for counting and ranking
WRITE_CLIENTS = 16
ACCEPT_ENCODING = "gzip, deflate, br, zstd"  # what browsers send


# --- tools -------------------------------------------------------------------------------------


def ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for attempt in ("install", "update+install"):
            if attempt == "update+install":
                subprocess.run(["apt-get", "update", "-qq"], env=env, timeout=300, check=False)
            log("installing wrk with apt-get ...")
            subprocess.run(
                ["apt-get", "install", "-y", "-qq", "wrk"],
                env=env,
                timeout=300,
                check=False,
                stdout=subprocess.DEVNULL,
            )
            found = shutil.which("wrk")
            if found:
                return found
    log(
        "WARNING: wrk is not installed (Debian: `sudo apt-get install wrk`) and could not be installed "
        "here. Falling back to a Python load generator: it shares the CPU with the server, so its "
        "figures are LOWER than wrk's and not comparable with the issue's targets."
    )
    return None


# --- servers -----------------------------------------------------------------------------------


def app_env(url: str, *, read_memo: bool = False) -> dict[str, str]:
    """The app's environment. The read memo (an actor's rows reused by a new URL of the same actor,
    services/read_memo.py) is off unless asked for: a "cold" figure reads everything it shows."""
    return {
        **os.environ,
        "TIMELINE_READ_MEMO_MB": os.environ.get("TIMELINE_READ_MEMO_MB", "64") if read_memo else "0",
        "TIMELINE_DATABASE_URL": url,
        "TIMELINE_SECRET_KEY": "bench-secret",
        "TIMELINE_ACCESS_LOG": "",
        "PYTHONUNBUFFERED": "1",
        # Jobs that would reach outside this machine stay off (the demo's source URLs are .invalid anyway).
        "TIMELINE_LINK_CHECK_INTERVAL": "0",
        "TIMELINE_FEED_INTERVAL": "0",
    }


def has_scheduler() -> bool:
    """Whether this checkout runs a scheduler process beside the web server (`make run`'s Procfile)."""
    procfile = ROOT / "Procfile"
    return procfile.exists() and "scheduler" in procfile.read_text()


@contextmanager
def serving_app(name: str, db: Database, *, read_memo: bool = False) -> Iterator[Server]:
    """The app as `make run` starts it: gunicorn beside the one scheduler process (Procfile)."""
    env = app_env(db.url, read_memo=read_memo)
    with serving(name, gunicorn_cmd("timeline:create_app()"), env, "/healthz") as server:
        if not has_scheduler():
            yield server
            return
        scheduler = Server(
            f"{name}-scheduler", [str(BIN / "flask"), "--app", "timeline", "scheduler"], env, None
        )
        try:
            yield server
        finally:
            scheduler.stop()


@contextmanager
def serving_refs(name: str, url: str | None) -> Iterator[Server]:
    """tests/bench/hello.py under the same gunicorn settings, on `url` (None: hello world only)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TIMELINE_ACCESS_LOG": ""}
    if url:
        env["BENCH_DATABASE_URL"] = url
    with serving(name, gunicorn_cmd("hello:create_app()", ["--chdir", str(HERE)]), env, "/") as server:
        yield server


# --- one backend ---------------------------------------------------------------------------------


class Bench:
    """The measurements of one backend, collected into `figures`."""

    def __init__(self, args: argparse.Namespace, load: Load, notes: list[str], backend: str) -> None:
        self.args, self.load, self.notes, self.backend = args, load, notes, backend
        self.figures: dict[str, dict[str, Any]] = {}

    def record(self, name: str, result: dict[str, Any], url: str, **extra: Any) -> None:
        self.figures[name] = {"url": url, **result, **extra}
        shown = report.figure_cell(self.figures[name])
        log(f"{self.backend} {name}: {shown}" + (f"  [{result['error'][:200]}]" if "error" in result else ""))

    def figure(
        self,
        name: str,
        server: Server,
        path: str,
        *,
        mode: str = "get",
        serial: bool = False,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        try:
            if mode == "get":  # "repeated" means the URL was asked for before, on both workers
                with ThreadPoolExecutor(2) as pool:
                    list(pool.map(lambda _i: http_get(server.base + path, 300, headers), range(2)))
            result = self.load.median(server.base + path, mode=mode, headers=headers)
            server.settle()
            if serial:
                result["serial"] = serial_median(
                    server.base + path, self.args.runs, self.args.duration, fresh=mode == "bust"
                )
        except Exception as exc:  # one broken figure must not lose the others
            result = {"error": f"{type(exc).__name__}: {exc}"}
            with suppress(Exception):
                server.settle()
        self.record(name, result, path, **extra)

    def first(self, server: Server, path: str) -> dict[str, Any]:
        """The first request to a URL on fresh workers: time, status, events, ETag."""
        try:
            ms, status, headers, body = timed_get(server.base + path, timeout=300)
        except (OSError, http.client.HTTPException) as exc:
            return {"first_error": f"{type(exc).__name__}: {exc}"}
        out: dict[str, Any] = {"first_ms": round(ms, 1), "first_status": status}
        if path.endswith(".json") and status == 200:
            doc = json.loads(body)
            out["events"] = len(doc["events"]) if isinstance(doc, dict) and "events" in doc else len(doc)
        if headers.get("ETag"):
            out["etag"] = headers["ETag"]
        return out

    def export(self, name: str, server: Server, path: str, expected: int) -> None:
        runs = []
        for _ in range(self.args.runs):
            try:
                runs.append(measure_export(server, expected, self.args.export_timeout, path))
            except Exception as exc:  # reported, not fatal
                runs.append({"error": f"{type(exc).__name__}: {exc}", "complete": False})
        self.record(name, aggregate_exports(runs), path)

    def run(self, big: Database, small: Database) -> dict[str, dict[str, Any]]:
        bench_id = big.actor_id(BENCH_ACTOR)
        actor_json, actor_html = f"/actors/{BENCH_ACTOR}.json", f"/actors/{BENCH_ACTOR}"
        topic_html = f"/topics/{WIDE_TOPIC}"
        events = int(big.summary["events"])

        # 1. The references on the same database, under the same gunicorn settings.
        with serving_refs(f"{self.backend}-ref-core", big.url) as s:
            core = f"/core/actors/{bench_id}.json"
            self.figure("ref_core_actor_json", s, core, serial=True, **self.first(s, core))
        with serving_refs(
            f"{self.backend}-ref-export", big.url
        ) as s:  # fresh workers: their memory is the export's
            self.export("ref_core_export", s, "/core/export.jsonl", events)

        # 2. Datasette on the same SQLite file.
        if self.backend == "sqlite" and shutil.which("datasette", path=str(BIN)):
            path = Path(big.url.removeprefix("sqlite:///"))
            ds_cmd = [str(BIN / "datasette"), "serve", str(path), "--host", LOCAL, "--port", "{port}"]
            with serving("ref-datasette", ds_cmd, {**os.environ}, "/-/versions.json") as s:
                ds_json = f"/{path.stem}/event.json?actor_id={bench_id}&_size=max"
                ds_html = f"/{path.stem}/event?actor_id={bench_id}"
                self.figure("ref_datasette_json", s, ds_json)
                self.figure("ref_datasette_html", s, ds_html)
        elif self.backend == "sqlite":
            self.notes.append(
                "Datasette is not installed (pip install -e '.[bench]'): its references are missing."
            )

        # 3. The actor timeline on the small database (scaling reference).
        with serving_app(f"{self.backend}-app-small", small) as s:
            self.figure(
                "small_actor_json_cold", s, actor_json, mode="bust", database_events=small.summary["events"]
            )

        # 4. The big database: every read figure. First requests on fresh workers, then load runs.
        with serving_app(f"{self.backend}-app-big", big) as s:
            info_json, info_html, info_topic = (
                self.first(s, actor_json),
                self.first(s, actor_html),
                self.first(s, topic_html),
            )
            log(f"first requests: actor JSON {info_json}, HTML {info_html}, topic {info_topic}")
            etag = info_json.pop("etag", None)
            self.figure("actor_json_cold", s, actor_json, mode="bust", **info_json)
            self.figure("actor_json_repeated", s, actor_json)
            if etag:
                self.figure("actor_json_304", s, actor_json, headers={"If-None-Match": etag})
            self.figure(
                "actor_json_compressed",
                s,
                actor_json,
                headers={"Accept-Encoding": ACCEPT_ENCODING},
                **encoded_sizes(s.base + actor_json),
            )
            self.figure("actor_html_cold", s, actor_html, mode="bust", serial=True, **info_html)
            self.figure("actor_html_repeated", s, actor_html)
            self.figure("topic_html_cold", s, topic_html, mode="bust", serial=True, **info_topic)
            self.figure("topic_html_repeated", s, topic_html)
            for name, q in (("search_name", SEARCH_NAME), ("search_common_word", SEARCH_COMMON)):
                url = "/search?" + urllib.parse.urlencode({"q": q})
                self.figure(name, s, url, serial=True, query=q, **self.first(s, url))
            for wanted, url, mode in (
                ("actor-json-cold", actor_json, "bust"),
                ("actor-json-repeated", actor_json, "get"),
                ("search-common", "/search?q=" + SEARCH_COMMON, "get"),
            ):
                if wanted in self.args.profile:
                    self.profile(s, f"{self.backend}-{wanted}", url, mode)

        # The ceiling for the repeated figure: hello world answering as many bytes (no work, no cache).
        raw_bytes = self.figures.get("actor_json_compressed", {}).get("raw_bytes")
        if raw_bytes:
            with serving_refs(f"{self.backend}-ref-bytes", None) as s:
                self.figure("ref_hello_same_bytes", s, f"/core/bytes/{raw_bytes}", bytes=raw_bytes)

        # 4b. With the read memo on (as shipped): a new URL of an actor read before reuses its rows.
        with serving_app(f"{self.backend}-app-memo", big, read_memo=True) as s:
            self.first(s, actor_json)
            self.figure("actor_json_new_url_memo", s, actor_json, mode="bust")

        # 5. The full export, on fresh workers (their memory high-water mark is the export's).
        with serving_app(f"{self.backend}-app-export", big) as s:
            self.export("export", s, "/export.json", events)

        # 6. Writes, on a copy: bare inserts, event creation, reads while another actor is written.
        copy = None
        try:
            copy = copy_database(big, f"write_copy_{RUN_ID}")  # a full disk fails here: reported too
            self.writes(copy, actor_json)
        except Exception as exc:  # reported, not fatal
            self.figures.setdefault("create_events", {"error": f"{type(exc).__name__}: {exc}"})
            log(f"{self.backend} writes: {type(exc).__name__}: {exc}")
        finally:
            if copy is not None:
                drop_copy(copy)
        return self.figures

    def writes(self, copy: Database, actor_json: str) -> None:
        topic = copy.topic_slug(WIDE_TOPIC)
        other = copy.other_actor(BENCH_ACTOR)
        body = event_body("bench-w-{run}-%d-%d", other, topic)
        post = {"Content-Type": "application/json"}
        token = bench_token(copy.url, self.notes)
        auth = {**post, "Authorization": f"Bearer {token}"} if token else post
        url = "/api/v1/events"
        with serving_app(f"{self.backend}-app-write", copy) as s:
            # Reads during writes first, on the copy as generated: the 16-client burst below leaves a
            # long WAL (SQLite) or dead rows (PostgreSQL) whose upkeep would weigh on this figure.
            quiet, busy, writer_stats = [], [], Counter[str]()
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(lambda _i: http_get(s.base + actor_json, 300), range(2)))
            # Interleaved, so that a machine that gets busier mid-run weighs on both alike.
            for _ in range(self.args.runs):
                quiet.append(self.load.run(s.base + actor_json))
                writer = BackgroundWriter(s.base + url, auth, other, topic, self.args.writes_per_s)
                writer.start()
                try:
                    busy.append(self.load.run(s.base + actor_json))
                finally:
                    writer_stats.update(writer.finish())
            self.record("actor_json_no_writes", aggregate(quiet), actor_json)
            self.record(
                "actor_json_during_writes",
                aggregate(busy),
                actor_json,
                writes_per_s=self.args.writes_per_s,
                writes_to=other,
                writes=dict(writer_stats),
            )
            s.settle()
            result = self.load.median(
                s.base + url, mode="post", connections=WRITE_CLIENTS, headers=auth, body=body
            )
            self.record("create_events", result, url, events_per_s=result.get("rps"))
            s.settle()
            if "create-events" in self.args.profile:
                kwargs = {"connections": WRITE_CLIENTS, "headers": auth, "body": body}
                self.profile(s, f"{self.backend}-create-events", url, "post", **kwargs)
        # The bare insert reference on the same copy, right after the app's own burst of writes.
        with serving_refs(f"{self.backend}-ref-insert", copy.url) as s:
            result = self.load.median(
                s.base + "/core/events", mode="post", connections=WRITE_CLIENTS, headers=post, body=body
            )
            self.record("ref_core_insert", result, "/core/events")

    def profile(self, server: Server, name: str, url: str, mode: str, **run: Any) -> None:
        text_ = profile_worker(server, self.load, server.base + url, name, mode, BENCH_DIR, **run)
        server.settle()
        if text_:
            print(text_)
            self.notes.append(f"profile: instance/bench/profile-{name}.txt")
        else:
            self.notes.append(f"profile {name}: py-spy missing or no samples (pip install -e '.[bench]')")


def encoded_sizes(url: str) -> dict[str, Any]:
    """The actor JSON's size raw and as sent to a browser (its Content-Encoding)."""
    _s, _h, raw = http_get(url, 300)
    _s, headers, encoded = http_get(url, 300, {"Accept-Encoding": ACCEPT_ENCODING})
    return {
        "raw_bytes": len(raw),
        "encoded_bytes": len(encoded),
        "encoding": headers.get("Content-Encoding", "identity"),
    }


def event_body(uid: str, actor: str, topic: str) -> str:
    return json.dumps(
        {
            "uid": uid,
            "actor": actor,
            "kind": "statement",
            "title": "Benchmark write",
            "date": "2021-03-04",
            "quote": "Запись для теста производительности — نوشتن برای آزمون — a benchmark write.",
            "stances": [{"topic": topic, "score": 1}],
        },
        ensure_ascii=False,
    )


class BackgroundWriter(threading.Thread):
    """Creates events for one actor through the API at a steady rate until finished."""

    def __init__(self, url: str, headers: dict[str, str], actor: str, topic: str, per_s: float) -> None:
        super().__init__(daemon=True)
        self.url, self.headers, self.actor, self.topic = url, headers, actor, topic
        self.interval = 1 / per_s
        self.stop_flag = threading.Event()
        self.statuses: Counter[str] = Counter()

    def run(self) -> None:
        parts = urllib.parse.urlsplit(self.url)
        n = 0
        next_at = time.monotonic()
        while not self.stop_flag.is_set():
            n += 1
            body = event_body(f"bench-bg-{RUN_ID}-{secrets.token_hex(3)}-{n}", self.actor, self.topic)
            try:
                conn = http.client.HTTPConnection(parts.hostname or LOCAL, parts.port, timeout=30)
                conn.request("POST", parts.path, body=body.encode(), headers=self.headers)
                resp = conn.getresponse()
                resp.read()
                conn.close()
                self.statuses[str(resp.status)] += 1
            except (OSError, http.client.HTTPException) as exc:
                self.statuses[type(exc).__name__] += 1
            next_at += self.interval
            self.stop_flag.wait(max(0.0, next_at - time.monotonic()))

    def finish(self) -> Counter[str]:
        self.stop_flag.set()
        self.join(timeout=35)
        return self.statuses


def bench_token(url: str, notes: list[str]) -> str | None:
    """An editor and an API token on the (copied) database, through the app's own account service."""
    from timeline import create_app
    from timeline.db import write_session
    from timeline.services import accounts

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret"})
    try:
        with app.app_context():
            with write_session() as session:
                accounts.create_user(session, "bench-writer", secrets.token_urlsafe(18))
            with write_session() as session:
                return str(accounts.issue_token(session, "bench-writer"))
    except Exception as exc:  # an API that changed: say so, measure without a token
        notes.append(f"could not issue an API token for the write benchmark: {type(exc).__name__}: {exc}")
        return None
    finally:
        for engine in app.extensions.get("timeline.engines", ()):
            engine.dispose()


# --- the run ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the big database")
    parser.add_argument("--duration", type=int, default=15, help="seconds per load run (issue: >= 15)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure: the median is reported (>= 3)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections for reads")
    parser.add_argument(
        "--writes-per-s", type=float, default=5.0, help="writes to another actor during reads"
    )
    parser.add_argument("--export-timeout", type=float, default=900, help="seconds allowed for one export")
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql (default both)"
    )
    parser.add_argument(
        "--profile",
        default="",
        help="comma-separated figures to py-spy: actor-json-cold, actor-json-repeated, search-common, "
        "create-events",
    )
    parser.add_argument(
        "--no-readme", action="store_true", help="do not regenerate the table in docs/performance.md"
    )
    args = parser.parse_args()
    args.profile = {p.strip() for p in args.profile.split(",") if p.strip()}
    BENCH_DIR.mkdir(parents=True, exist_ok=True)

    def interrupted(signum: int, _frame: Any) -> None:
        raise SystemExit(f"interrupted by signal {signum}: stopping the servers started here")

    # Ctrl-C, kill and hang-up all run the cleanup below (a background job even ignores SIGINT otherwise).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    postgres: list[BenchPostgres] = []
    try:
        return run(args, postgres)
    finally:
        for server in list(Server.RUNNING):
            server.stop()
        for pg in postgres:
            pg.stop()


def backend_databases(
    backend: str, args: argparse.Namespace, postgres: list[BenchPostgres]
) -> tuple[Database, Database]:
    small_events = min(SMALL_EVENTS, args.events)
    if backend == "sqlite":
        return sqlite_database(args.events), sqlite_database(small_events)
    (BENCH_DIR / "pg").mkdir(parents=True, exist_ok=True)
    pg = BenchPostgres(BENCH_DIR / "pg")
    server_url = pg.start()
    postgres.append(pg)
    log(f"PostgreSQL serving on port {pg.port} (data in {pg.data.relative_to(ROOT)})")
    return postgres_database(server_url, args.events), postgres_database(server_url, small_events)


def run(args: argparse.Namespace, postgres: list[BenchPostgres]) -> int:
    started = time.monotonic()
    wrk = ensure_wrk()
    load = Load(wrk, args.duration, args.connections, args.runs, BENCH_DIR)
    notes: list[str] = []
    load1 = os.getloadavg()[0]
    if load1 > 0.5:
        notes.append(f"the machine was busy when the run started (load average {load1:.2f}): figures are low")
        log(f"WARNING: load average {load1:.2f} before the run: something else is using the CPU")
    if wrk is None:
        notes.append("wrk missing: Python fallback client used; figures are not comparable.")
    if args.runs < 3:
        notes.append(f"{args.runs} runs per figure: the issue asks for the median of at least 3")

    hello_bench = Bench(args, load, notes, "machine")
    with serving_refs("ref-hello", None) as s:
        hello_bench.figure("ref_hello", s, "/")
    hello = hello_bench.figures["ref_hello"]
    backends: dict[str, Any] = {}
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        try:
            big, small = backend_databases(backend, args, postgres)
        except (OSError, subprocess.CalledProcessError) as exc:
            notes.append(f"{backend} not measured: {type(exc).__name__}: {exc}")
            log(f"WARNING: {backend} not measured: {exc}")
            continue
        figures = Bench(args, load, notes, backend).run(big, small)
        backends[backend] = {
            "databases": {"big": big.summary, "small": small.summary},
            "figures": figures,
            "targets": report.targets(figures, hello.get("rps"), backend),
        }
        for pg in postgres:
            pg.stop()
        postgres.clear()
    load1 = os.getloadavg()[0]
    notes.append(f"load average at the end of the run: {load1:.2f} (the benchmark itself uses both cores)")
    results = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "settings": {
            "events": args.events,
            "duration_s": args.duration,
            "runs": args.runs,
            "connections": args.connections,
            "writes_per_s": args.writes_per_s,
            "client": wrk or "python",
            "server": "gunicorn as make run (gunicorn.conf.py)",
            "run_seconds": round(time.monotonic() - started),
        },
        "hello": hello,
        "backends": backends,
        "notes": notes,
    }
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    report.print_table(results)
    if not args.no_readme and report.update_readme(results):
        log("docs/performance.md: the Performance table regenerated from this run")
    log(f"wrote {RESULTS.relative_to(ROOT)} ({time.monotonic() - started:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
