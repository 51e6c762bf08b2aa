#!/usr/bin/env python3
"""`make bench`: the issue-8 benchmark, end to end, on this machine.

1. Installs what it needs into the running virtualenv (datasette via pip; wrk via apt-get when root,
   else a Python load generator with a loud warning) and py-spy for --profile.
2. Generates (or reuses, under instance/bench/) a 1,000,000-event and a 10,000-event database with
   `timeline.services.demo` (same bench actor of exactly 1,000 events in both).
3. Starts the real server as `make run` does (gunicorn, 2 workers, --no-control-socket,
   `timeline:create_app()`, TIMELINE_DATABASE_URL) on loopback ports, and the references: Flask's
   hello world and a bare SQLAlchemy Core endpoint (tests/bench/hello.py) under the same gunicorn
   settings, and Datasette on the same SQLite file.
4. Measures requests/s and p50/p99 latency with wrk (each run --duration seconds), prints a table with
   ratios to the references and the issue's targets (pass/fail), and writes bench-results.json.

Everything binds to 127.0.0.1; every loop is bounded in time; every server started here is stopped on
exit. Exit status 0 unless the harness itself crashed: missed targets are reported, not failures.

    .venv/bin/python tests/bench/run_bench.py [--events 1000000] [--duration 15] [--connections 8]
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import multiprocessing
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BENCH_DIR = ROOT / "instance" / "bench"
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench-results.json"
SMALL_EVENTS = 10_000
ACTORS, TOPICS, SEED = 200, 30, 1
BENCH_ACTOR, WIDE_TOPIC = "bench-actor-1000", "bench-topic-wide"
SEARCH_NAME = "Бенч"  # the bench actor's Cyrillic alias: 1,000 hits on any database size
SEARCH_COMMON = "sanctions"  # a frequent word: the worst case for counting and ranking
WRITE_CLIENTS = 16
LOCAL = "127.0.0.1"


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- tools -------------------------------------------------------------------------------------


def ensure_python_package(module: str, package: str) -> bool:
    if importlib.util.find_spec(module) is not None:
        return True
    log(f"installing {package} into {sys.prefix} ...")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", package], timeout=600, check=False
    )
    importlib.invalidate_caches()
    if done.returncode != 0:
        log(f"WARNING: pip could not install {package}; the figures that need it are skipped.")
        return False
    return True


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


# --- databases ---------------------------------------------------------------------------------


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from timeline import migrate

    heads = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_heads()
    return ",".join(sorted(heads))


def db_revision(path: Path) -> str | None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        return None
    return ",".join(sorted(r[0] for r in rows))


def ensure_database(events: int) -> tuple[Path, dict[str, Any]]:
    """instance/bench/bench-N.db, generated once and reused while parameters and schema match."""
    from timeline import migrate
    from timeline.db import make_engines
    from timeline.services.demo import GENERATOR_VERSION, generate_demo_data

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"bench-{events}.db"
    meta_path = BENCH_DIR / f"bench-{events}.json"
    params = {"events": events, "actors": ACTORS, "topics": TOPICS, "seed": SEED}
    head = head_revision()
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        same = meta.get("params") == params and meta.get("generator") == GENERATOR_VERSION
        if same and meta.get("revision") == head and db_revision(path) == head:
            log(f"reusing {path.relative_to(ROOT)} ({events:,} events)")
            return path, {**meta["summary"], "reused": True}
    log(f"generating {path.relative_to(ROOT)}: {events:,} events (once; reused by later runs) ...")
    tmp = path.with_name(path.name + ".tmp")
    meta_path.unlink(missing_ok=True)
    for stale in (path, tmp):
        for suffix in ("", "-wal", "-shm"):
            with suppress(FileNotFoundError):
                Path(f"{stale}{suffix}").unlink()
    url = f"sqlite:///{tmp}"
    started = time.monotonic()
    migrate.upgrade(url)
    _read, write = make_engines(url)

    def progress(done: int, total: int) -> None:
        if done % 100_000 == 0 or done == total:
            log(f"  {done:>9,} / {total:,} events ({time.monotonic() - started:.0f} s)")

    try:
        summary = generate_demo_data(write, progress=progress, **params)
    finally:
        write.dispose()
    with sqlite3.connect(tmp) as conn:  # fold the WAL into the file before it is renamed
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        with suppress(FileNotFoundError):
            Path(f"{tmp}{suffix}").unlink()
    tmp.replace(path)
    summary["seconds_with_migrations"] = round(time.monotonic() - started, 1)
    meta = {"params": params, "generator": GENERATOR_VERSION, "revision": head, "summary": summary}
    meta_path.write_text(json.dumps(meta, indent=1))
    log(f"generated {events:,} events in {summary['seconds']} s ({summary['events_per_second']:,} events/s)")
    return path, {**summary, "reused": False}


def actor_id(path: Path, slug: str) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT id FROM actor WHERE slug = ?", (slug,)).fetchone()[0])


def some_topic_slug(path: Path) -> str:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        row = conn.execute(
            "SELECT slug FROM topic WHERE slug != ? ORDER BY id LIMIT 1", (WIDE_TOPIC,)
        ).fetchone()
    return str(row[0])


# --- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOCAL, 0))
        return int(s.getsockname()[1])


class Server:
    """A process group started here, stopped by its own id."""

    RUNNING: list[Server] = []

    def __init__(
        self, name: str, cmd: list[str], env: dict[str, str], ready_path: str | None, cwd: Path = ROOT
    ) -> None:
        self.name, self.port = name, free_port()
        self.cmd = [c.replace("{port}", str(self.port)) for c in cmd]
        self.env, self.cwd, self.ready_path = env, cwd, ready_path
        self.base = f"http://{LOCAL}:{self.port}"
        self.log_path = BENCH_DIR / f"{name}.log"
        self.log_file = self.log_path.open("w")
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.cmd,
            env=self.env,
            cwd=self.cwd,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        Server.RUNNING.append(self)
        if self.ready_path is None:  # not an HTTP server: alive after a second is enough
            time.sleep(1)
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"{self.name} exited at once; see {self.log_path}")
            log(f"{self.name} is running (pid {self.proc.pid})")
            return
        deadline = time.monotonic() + 120
        while not self.answers(5):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start; see {self.log_path}")
            time.sleep(0.2)
        log(f"{self.name} is serving on {self.base} (pid {self.proc.pid})")

    def answers(self, timeout: float) -> bool:
        try:
            status, _h, _b = http_get(self.base + self.ready_path, timeout=timeout)
        except (OSError, http.client.HTTPException):
            return False
        return status == 200

    def settle(self, limit_s: float = 10) -> None:
        """Wait until requests queued by the last load run are done (wrk leaves them behind on slow
        pages); past the limit, restart the server so the next figure starts on an idle one."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            started = time.monotonic()
            if self.answers(timeout=max(1.0, deadline - started)) and time.monotonic() - started < 0.5:
                return
            time.sleep(0.2)
        log(f"{self.name} still busy after {limit_s:.0f} s: restarting it")
        self.stop(close_log=False)
        self.start()

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    pids.append(int(entry.name))
        return pids

    def stop(self, close_log: bool = True) -> None:
        if self.proc.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        # Workers may outlive a killed master for a moment: they are in the same process group.
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        if close_log:
            self.log_file.close()
        if self in Server.RUNNING:
            Server.RUNNING.remove(self)


def gunicorn_cmd(app_spec: str, extra: list[str] | None = None) -> list[str]:
    # As `make run`: the shipped settings (gunicorn.conf.py), on this run's port, serving app_spec.
    return [
        str(BIN / "gunicorn"),
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"{LOCAL}:{{port}}",
        *(extra or []),
        app_spec,
    ]


def app_env(db: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TIMELINE_DATABASE_URL": f"sqlite:///{db}",
        "TIMELINE_SECRET_KEY": "bench-secret",
        "PYTHONUNBUFFERED": "1",
        # Jobs that would reach outside this machine stay off (the demo's source URLs are .invalid anyway).
        "TIMELINE_LINK_CHECK_INTERVAL": "0",
        "TIMELINE_FEED_INTERVAL": "0",
    }


def has_scheduler() -> bool:
    """Whether this checkout runs a scheduler process beside the web server (`make run`'s Procfile)."""
    procfile = ROOT / "Procfile"
    return procfile.exists() and "scheduler" in procfile.read_text()


SCHEDULER = has_scheduler()


@contextmanager
def serving_app(name: str, db: Path) -> Iterator[Server]:
    """The app as `make run` starts it: gunicorn beside the one scheduler process (Procfile)."""
    env = app_env(db)
    with serving(name, gunicorn_cmd("timeline:create_app()"), env, "/healthz") as server:
        if not SCHEDULER:
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
def serving(name: str, cmd: list[str], env: dict[str, str], ready: str, cwd: Path = ROOT) -> Iterator[Server]:
    server = Server(name, cmd, env, ready, cwd)
    try:
        yield server
    finally:
        server.stop()


# --- clients -----------------------------------------------------------------------------------


def http_get(url: str, timeout: float = 60, headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def timed_get(url: str, timeout: float = 120) -> tuple[float, int, Any, bytes]:
    started = time.perf_counter()
    status, headers, body = http_get(url, timeout)
    return (time.perf_counter() - started) * 1000, status, headers, body


def bust(url: str, n: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}_bench={RUN_ID}-{n}"


RUN_ID = secrets.token_hex(4)

_LUA_BUST = """
local counter = 0
local id = 0
function setup(thread) id = id + 1; thread:set("tid", id) end
function request()
  counter = counter + 1
  local sep = "?"
  if string.find(wrk.path, "?", 1, true) then sep = "&" end
  return wrk.format(nil, wrk.path .. sep .. "_bench=RUN-" .. tid .. "-" .. counter)
end
"""

_LUA_POST = """
local counter = 0
local id = 0
function setup(thread) id = id + 1; thread:set("tid", id) end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
AUTH
function request()
  counter = counter + 1
  local body = string.format(BODY, tid, counter, tid, counter)
  return wrk.format("POST", nil, nil, body)
end
"""

_UID = re.compile(rb'"uid"\s*:\s*"')
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    return float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")


def parse_wrk(out: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", out):
        result["rps"] = float(m.group(1))
    if m := re.search(r"(\d+) requests in ([\d.]+\w+)", out):
        result["requests"] = int(m.group(1))
    for pct in ("50", "99"):
        if m := re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M):
            result[f"p{pct}_ms"] = round(_ms(m.group(1)), 2)
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        # read errors: the server closing a kept-alive connection (keepalive timeout); not failures.
        errors += int(m.group(1)) + int(m.group(3)) + int(m.group(4))
    result["errors"] = errors
    if result.get("requests") == 0:  # every request took longer than the run: no latency to report
        result.update(rps=0.0, p50_ms=None, p99_ms=None, note="no request completed within the run")
    return result


class Load:
    """Runs one measurement with wrk, or with the Python fallback when wrk is missing."""

    def __init__(self, wrk: str | None, duration: int, connections: int) -> None:
        self.wrk, self.duration, self.connections = wrk, duration, connections

    def run(
        self,
        url: str,
        *,
        mode: str = "get",
        connections: int | None = None,
        headers: dict[str, str] | None = None,
        body: str | None = None,
    ) -> dict[str, Any]:
        conns = connections or self.connections
        if self.wrk is None:
            return fallback_load(url, mode, conns, self.duration, headers or {}, body)
        cmd = [self.wrk, "-t1", f"-c{conns}", f"-d{self.duration}s", "--latency", "--timeout", "60s"]
        for k, v in (headers or {}).items():
            cmd += ["-H", f"{k}: {v}"]
        if mode in ("bust", "post"):
            script = BENCH_DIR / f"{mode}.lua"
            if mode == "bust":
                text_ = _LUA_BUST.replace("RUN", RUN_ID)
            else:
                auth = headers.get("Authorization") if headers else None
                text_ = _LUA_POST.replace(
                    "AUTH", f'wrk.headers["Authorization"] = "{auth}"' if auth else ""
                ).replace("BODY", lua_string(body or ""))
            script.write_text(text_)
            cmd += ["-s", str(script)]
        cmd.append(url)
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=self.duration + 120, check=False)
        result = parse_wrk(done.stdout)
        result.update(duration_s=self.duration, connections=conns, client="wrk")
        if "rps" not in result:
            result["error"] = (done.stdout + done.stderr)[-500:]
        return result


def lua_string(text_: str) -> str:
    return '"' + text_.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("%%d", "%d") + '"'


def _fallback_worker(
    args: tuple[str, str, float, dict[str, str], str | None, int],
) -> list[tuple[float, int]]:
    url, mode, deadline, headers, body, wid = args
    parts = urllib.parse.urlsplit(url)
    out: list[tuple[float, int]] = []
    n = 0
    while time.time() < deadline:
        n += 1
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if mode == "bust":
            path = bust(path, wid * 1_000_000 + n)
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            if mode == "post":
                payload = (body or "") % (wid, n, wid, n)
                conn.request("POST", path, body=payload.encode(), headers=headers)
            else:
                conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            status = resp.status
            conn.close()
        except OSError:
            status = 0
        out.append(((time.perf_counter() - started) * 1000, status))
    return out


def fallback_load(
    url: str, mode: str, conns: int, duration: int, headers: dict[str, str], body: str | None
) -> dict[str, Any]:
    deadline = time.time() + duration
    headers = dict(headers)
    if mode == "post":
        headers["Content-Type"] = "application/json"
    with multiprocessing.get_context("fork").Pool(conns) as pool:
        parts = pool.map(_fallback_worker, [(url, mode, deadline, headers, body, i) for i in range(conns)])
    samples = sorted(s for part in parts for s in part)
    lat = sorted(ms for ms, _ in samples)
    ok = sum(1 for _ms_, st in samples if 200 <= st < 400)
    return {
        "rps": round(len(samples) / duration, 2),
        "requests": len(samples),
        "p50_ms": round(lat[len(lat) // 2], 2) if lat else None,
        "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))], 2) if lat else None,
        "errors": len(samples) - ok,
        "duration_s": duration,
        "connections": conns,
        "client": "python-fallback",
    }


def serial_probe(url: str, budget_s: float, max_n: int = 30) -> dict[str, Any]:
    """Cold latency without queueing: one request at a time, each URL new to any cache."""
    lat: list[float] = []
    statuses: Counter[int] = Counter()
    deadline = time.monotonic() + budget_s
    while len(lat) < max_n and (not lat or time.monotonic() < deadline):
        try:
            ms, status, _h, _b = timed_get(bust(url, 900_000 + len(lat)))
        except (OSError, http.client.HTTPException):
            ms, status = float("nan"), 0
        lat.append(ms)
        statuses[status] += 1
    lat.sort()
    return {
        "samples": len(lat),
        "p50_ms": round(lat[len(lat) // 2], 2),
        "max_ms": round(lat[-1], 2),
        "statuses": dict(statuses),
    }


# --- measurements -------------------------------------------------------------------------------


class RssSampler(threading.Thread):
    """Peak resident memory of a gunicorn master's workers, sampled every 50 ms, plus VmHWM at the end."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server, self.stop_flag, self.peak_kb = server, threading.Event(), 0
        self.baseline_kb = max((self._rss(p, "VmRSS") for p in server.worker_pids()), default=0)

    @staticmethod
    def _rss(pid: int, field: str) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def run(self) -> None:
        while not self.stop_flag.wait(0.05):
            for pid in self.server.worker_pids():
                self.peak_kb = max(self.peak_kb, self._rss(pid, "VmRSS"), self._rss(pid, "VmHWM"))

    def finish(self) -> None:
        self.stop_flag.set()
        self.join(timeout=5)
        for pid in self.server.worker_pids():
            self.peak_kb = max(self.peak_kb, self._rss(pid, "VmHWM"))


def measure_export(server: Server, expected: int, timeout_s: float) -> dict[str, Any]:
    sampler = RssSampler(server)
    sampler.start()
    parts = urllib.parse.urlsplit(server.base)
    started = time.perf_counter()
    size = uids = 0
    tail = last = b""
    status = 0
    complete = False
    error = None
    try:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        conn.request("GET", "/export.json")
        resp = conn.getresponse()
        status = resp.status
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            chunk = resp.read1(1 << 16)
            if not chunk:
                break
            size += len(chunk)
            data = tail + chunk
            # Records start with their uid, with or without a space after the colon (any serialiser).
            uids += len(_UID.findall(data)) - len(_UID.findall(tail))
            tail = data[-16:]
            last = data[-8:]
        else:
            error = f"stopped after {timeout_s:.0f} s (time limit)"
        complete = status == 200 and error is None and last.rstrip().endswith(b"}")
        conn.close()
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started
    sampler.finish()
    result: dict[str, Any] = {
        "status": status,
        "seconds": round(seconds, 2),
        "bytes": size,
        "events_seen": uids,
        "events_expected": expected,
        "complete": complete and uids == expected,
        "events_per_s": round(uids / seconds) if seconds else None,
        "peak_rss_mb": round(sampler.peak_kb / 1024, 1),
        "worker_rss_before_mb": round(sampler.baseline_kb / 1024, 1),
    }
    if error or not result["complete"]:
        result["error"] = error or "the document ended early (worker killed or error mid-stream?)"
    return result


def profile_worker(server: Server, load: Load, url: str, name: str) -> str | None:
    """py-spy on one worker while wrk loads the URL; returns the top frames as text."""
    spy = str(BIN / "py-spy") if (BIN / "py-spy").exists() else shutil.which("py-spy")
    if spy is None:
        ensure_python_package("py_spy", "py-spy")  # a binary package: no module, just the program
        spy = str(BIN / "py-spy") if (BIN / "py-spy").exists() else None
    if spy is None:
        return None
    raw = BENCH_DIR / f"profile-{name}.txt"
    pids = server.worker_pids()
    if not pids:
        return None
    seconds = max(5, load.duration)
    procs = [
        subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                str(pid),
                "--duration",
                str(seconds),
                "--format",
                "raw",
                "--output",
                f"{raw}.{pid}",
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]
    load.run(url, mode="bust")
    for p in procs:
        try:
            p.wait(timeout=seconds + 60)
        except subprocess.TimeoutExpired:
            p.kill()
    inclusive: Counter[str] = Counter()
    total = 0
    for pid in pids:
        path = Path(f"{raw}.{pid}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            total += int(count)
            for frame in set(stack.split(";")):
                inclusive[re.sub(r" \(.*?/(site-packages|main)/", " (", frame)] += int(count)
        path.unlink()
    if not total:
        return None
    lines = [f"py-spy, {name}: inclusive share of {total} samples (both workers)"]
    for frame, hits in inclusive.most_common(40):
        if "(timeline/" in frame or "edtf" in frame or "sqlalchemy" in frame or "jinja2" in frame:
            lines.append(f"{100 * hits / total:5.1f}%  {frame}")
    raw.write_text("\n".join(lines) + "\n")
    return "\n".join(lines[:25])


# --- the run ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the big database")
    parser.add_argument("--duration", type=int, default=15, help="seconds per load run (issue: >= 15)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections for reads")
    parser.add_argument("--export-timeout", type=float, default=900, help="seconds allowed for the export")
    parser.add_argument(
        "--api-token",
        default=os.environ.get("TIMELINE_BENCH_API_TOKEN"),
        help="Bearer token for POST /api/v1/events (env TIMELINE_BENCH_API_TOKEN)",
    )
    parser.add_argument("--profile", action="store_true", help="py-spy the cold actor timeline")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    BENCH_DIR.mkdir(parents=True, exist_ok=True)

    def interrupted(signum: int, _frame: Any) -> None:
        raise SystemExit(f"interrupted by signal {signum}: stopping the servers started here")

    # Ctrl-C, kill and hang-up all run the cleanup below (a background job even ignores SIGINT otherwise).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    try:
        return run(args)
    finally:
        for server in list(Server.RUNNING):
            server.stop()


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    have_datasette = ensure_python_package("datasette", "datasette")
    wrk = ensure_wrk()
    load = Load(wrk, args.duration, args.connections)
    figures: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    load1 = os.getloadavg()[0]
    if load1 > 0.5:
        notes.append(f"the machine was busy when the run started (load average {load1:.2f}): figures are low")
        log(f"WARNING: load average {load1:.2f} before the run: something else is using the CPU")
    if wrk is None:
        notes.append("wrk missing: Python fallback client used; figures are not comparable.")

    big, big_summary = ensure_database(args.events)
    small, small_summary = ensure_database(min(SMALL_EVENTS, args.events))
    bench_id_big = actor_id(big, BENCH_ACTOR)
    actor_json, actor_html = f"/actors/{BENCH_ACTOR}.json", f"/actors/{BENCH_ACTOR}"
    topic_html = f"/topics/{WIDE_TOPIC}"

    def record(name: str, result: dict[str, Any], url: str, **extra: Any) -> None:
        figures[name] = {"url": url, **result, **extra}
        rps = result.get("rps")
        log(
            f"{name}: {rps} req/s, p50 {result.get('p50_ms')} ms, p99 {result.get('p99_ms')} ms, "
            f"errors {result.get('errors')}" + (f"  [{result['error'][:200]}]" if "error" in result else "")
        )

    def figure(
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
                    list(pool.map(lambda _i: http_get(server.base + path, timeout=300), range(2)))
            result = load.run(server.base + path, mode=mode, headers=headers)
            server.settle()
            if serial:
                result["serial"] = serial_probe(server.base + path, args.duration)
        except Exception as exc:  # one broken figure must not lose the others
            result = {"error": f"{type(exc).__name__}: {exc}"}
            with suppress(Exception):
                server.settle()
        record(name, result, path, **extra)

    def first(server: Server, path: str) -> dict[str, Any]:
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

    # 1. References: Flask hello world and a bare SQLAlchemy Core endpoint, same gunicorn settings.
    hello_env = {**os.environ, "BENCH_DATABASE_URL": f"sqlite:///{big}", "PYTHONUNBUFFERED": "1"}
    with serving(
        "ref-hello", gunicorn_cmd("hello:create_app()", ["--chdir", str(HERE)]), hello_env, "/"
    ) as s:
        figure("ref_hello", s, "/")
        core = f"/core/actors/{bench_id_big}.json"
        figure("ref_core_actor_json", s, core, **first(s, core))

    # 2. Datasette on the same SQLite file.
    if have_datasette:
        db_name = big.stem
        ds_cmd = [str(BIN / "datasette"), "serve", str(big), "--host", LOCAL, "--port", "{port}"]
        with serving("ref-datasette", ds_cmd, {**os.environ}, "/-/versions.json") as s:
            ds_json = f"/{db_name}/event.json?actor_id={bench_id_big}&_size=max"
            ds_html = f"/{db_name}/event?actor_id={bench_id_big}"
            info = first(s, ds_json)
            _ms, status, _h, body = timed_get(s.base + ds_json)
            info["rows"] = len(json.loads(body).get("rows", [])) if status == 200 else 0
            info.pop("events", None)
            figure("ref_datasette_json", s, ds_json, **info)
            figure("ref_datasette_html", s, ds_html, **first(s, ds_html))
    else:
        notes.append("Datasette could not be installed: its references are missing.")

    # 3. The actor timeline on the small database (scaling reference).
    with serving_app("app-small", small) as s:
        info = first(s, actor_json)
        figure(
            "small_actor_json_cold",
            s,
            actor_json,
            mode="bust",
            database_events=small_summary["events"],
            **info,
        )
        figure("small_actor_json_repeated", s, actor_json)

    # 4. The big database: every read figure. First requests on fresh workers, then load runs.
    with serving_app("app-big", big) as s:
        info_json, info_html, info_topic = first(s, actor_json), first(s, actor_html), first(s, topic_html)
        log(f"first requests: actor JSON {info_json}, HTML {info_html}, topic {info_topic}")
        etag = info_json.get("etag")
        figure("actor_json_cold", s, actor_json, mode="bust", **info_json)
        figure("actor_json_repeated", s, actor_json)
        if etag:
            figure(
                "actor_json_304",
                s,
                actor_json,
                headers={"If-None-Match": etag},
                note="If-None-Match with the ETag of the first response",
            )
        figure("actor_html_cold", s, actor_html, mode="bust", serial=True, **info_html)
        figure("actor_html_repeated", s, actor_html)
        figure("topic_html_cold", s, topic_html, mode="bust", serial=True, **info_topic)
        figure("topic_html_repeated", s, topic_html)
        for name, q in (("search_name", SEARCH_NAME), ("search_common_word", SEARCH_COMMON)):
            url = "/search?" + urllib.parse.urlencode({"q": q})
            figure(name, s, url, query=q, **first(s, url))
        if args.profile:
            text_ = profile_worker(s, load, s.base + actor_json, "actor-json-cold")
            s.settle()
            if text_:
                print(text_)
                notes.append("profile: instance/bench/profile-actor-json-cold.txt")

    # 5. The full export, on fresh workers (their memory high-water mark is the export's).
    with serving_app("app-export", big) as s:
        log(f"exporting {big_summary['events']:,} events (limit {args.export_timeout:.0f} s) ...")
        try:
            export = measure_export(s, big_summary["events"], args.export_timeout)
        except Exception as exc:  # reported, not fatal
            export = {"error": f"{type(exc).__name__}: {exc}"}
        figures["export"] = {"url": "/export.json", **export}
        log(f"export: {figures['export']}")

    # 6. Event creation through the API, 16 clients, on a copy (the benchmark databases stay as generated).
    try:
        figures["create_events"] = measure_writes(big, load, args.api_token, notes)
    except Exception as exc:  # reported, not fatal
        figures["create_events"] = {"url": "/api/v1/events", "error": f"{type(exc).__name__}: {exc}"}

    load1 = os.getloadavg()[0]
    notes.append(f"load average at the end of the run: {load1:.2f} (the benchmark itself uses both cores)")
    results = build_results(args, figures, notes, big_summary, small_summary, wrk, started)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print_table(results)
    log(f"wrote {RESULTS.relative_to(ROOT)} ({time.monotonic() - started:.0f} s in all)")
    return 0


def bench_token(db: Path, notes: list[str]) -> str | None:
    """An editor and an API token on the (copied) database, through the app's own account service."""
    try:
        from timeline import create_app
        from timeline.db import write_session
        from timeline.services import accounts
    except ImportError:
        return None
    app = create_app({"DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": "bench-secret"})
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


def measure_writes(big: Path, load: Load, token: str | None, notes: list[str]) -> dict[str, Any]:
    url = "/api/v1/events"
    copy = BENCH_DIR / "write-copy.db"
    body = json.dumps(
        {
            "uid": "bench-w-" + RUN_ID + "-%d-%d",
            "actor": "russia",
            "kind": "statement",
            "title": "Benchmark write %d-%d",
            "date": "2021-03-04",
            "quote": "Запись для теста производительности — نوشتن برای آزمون — a benchmark write.",
            "stances": [{"topic": some_topic_slug(big), "score": 1}],
        },
        ensure_ascii=False,
    )
    try:
        shutil.copyfile(big, copy)
        if not token:
            token = bench_token(copy, notes)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with serving_app("app-write", copy) as s:
            parts = urllib.parse.urlsplit(s.base)
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            probe_body = (body % (0, 0, 0, 0)).encode()
            conn.request(
                "POST", url, body=probe_body, headers={"Content-Type": "application/json", **headers}
            )
            resp = conn.getresponse()
            probe_status, probe_text = resp.status, resp.read()[:300].decode("utf-8", "replace")
            conn.close()
            if probe_status in (404, 405):
                notes.append(
                    f"event creation not measured: no write API (POST /api/v1/events answers {probe_status})."
                )
                return {"url": url, "not_measured": f"no write API (POST {url} answers {probe_status})"}
            if probe_status not in (200, 201):
                reason = f"POST {url} answered {probe_status} to a valid event: {probe_text}"
                if probe_status in (401, 403) and not token:
                    reason += " (pass --api-token or TIMELINE_BENCH_API_TOKEN)"
                notes.append(f"event creation not measured: {reason}")
                return {"url": url, "not_measured": reason}
            result = load.run(
                s.base + url, mode="post", connections=WRITE_CLIENTS, headers=headers, body=body
            )
            return {"url": url, **result, "events_per_s": result.get("rps")}
    finally:
        for suffix in ("", "-wal", "-shm"):
            with suppress(FileNotFoundError):
                Path(f"{copy}{suffix}").unlink()


# --- report -------------------------------------------------------------------------------------


def _rps(figures: dict[str, Any], name: str) -> float | None:
    value = figures.get(name, {}).get("rps")
    return float(value) if value else None


def build_results(
    args: argparse.Namespace,
    figures: dict[str, Any],
    notes: list[str],
    big: dict[str, Any],
    small: dict[str, Any],
    wrk: str | None,
    started: float,
) -> dict[str, Any]:
    hello, core = _rps(figures, "ref_hello"), _rps(figures, "ref_core_actor_json")
    ds_json, ds_html = _rps(figures, "ref_datasette_json"), _rps(figures, "ref_datasette_html")
    for name, fig in figures.items():
        rps = fig.get("rps")
        if not rps or name.startswith("ref_hello"):
            continue
        if hello:
            fig["vs_hello"] = round(rps / hello, 4)
        ref = ds_html if "html" in name else ds_json
        if ref and not name.startswith("ref_datasette"):
            fig["vs_datasette"] = round(rps / ref, 3)
        if core and "json" in name and not name.startswith("ref_"):
            fig["vs_core"] = round(rps / core, 3)
    targets: list[dict[str, Any]] = []

    def target(name: str, ok: bool | None, measured: str, goal: str) -> None:
        targets.append({"target": name, "met": ok, "measured": measured, "goal": goal})

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a and b else None

    r = ratio(_rps(figures, "actor_json_repeated"), hello)
    r304 = ratio(_rps(figures, "actor_json_304"), hello)
    best = max((x for x in (r, r304) if x is not None), default=None)
    has_etag = "actor_json_304" in figures
    target(
        "actor JSON repeated >= 50% of hello world",
        best is not None and best >= 0.5,
        f"{_pct(r)} plain, " + (f"{_pct(r304)} with If-None-Match" if has_etag else "no ETag sent"),
        ">= 50%",
    )
    c = _rps(figures, "actor_json_cold")
    rc, rd = ratio(c, core), ratio(c, ds_json)
    target("actor JSON cold >= 1.5x bare SQLAlchemy Core", rc is not None and rc >= 1.5, _x(rc), ">= 1.5x")
    target("actor JSON cold >= 5x Datasette JSON", rd is not None and rd >= 5, _x(rd), ">= 5x")
    for label, name in (("actor HTML", "actor_html"), ("topic comparison", "topic_html")):
        rr = ratio(_rps(figures, f"{name}_repeated"), hello)
        target(f"{label} repeated >= 40% of hello world", rr is not None and rr >= 0.4, _pct(rr), ">= 40%")
        p50 = figures.get(f"{name}_cold", {}).get("serial", {}).get("p50_ms")
        target(
            f"{label} cold p50 < 50 ms",
            p50 is not None and p50 < 50,
            f"{p50} ms (one request at a time)",
            "< 50 ms",
        )
    w = figures.get("create_events", {})
    if "not_measured" in w:
        target(
            "event creation >= 1,000/s, 0 errors, p99 < 100 ms (16 clients)",
            None,
            "not measured: " + w["not_measured"],
            ">= 1000/s",
        )
    else:
        ok = (w.get("rps") or 0) >= 1000 and w.get("errors") == 0 and (w.get("p99_ms") or 1e9) < 100
        target(
            "event creation >= 1,000/s, 0 errors, p99 < 100 ms (16 clients)",
            ok,
            f"{w.get('rps')}/s, {w.get('errors')} errors, p99 {w.get('p99_ms')} ms",
            ">= 1000/s",
        )
    e = figures.get("export", {})
    target(
        "export peak server memory < 100 MB",
        bool(e.get("complete")) and (e.get("peak_rss_mb") or 1e9) < 100,
        f"{e.get('peak_rss_mb')} MB" + ("" if e.get("complete") else " (export incomplete)"),
        "< 100 MB",
    )
    target(
        "export >= 150,000 events/s",
        bool(e.get("complete")) and (e.get("events_per_s") or 0) >= 150_000,
        f"{e.get('events_per_s')} events/s over {e.get('seconds')} s"
        + ("" if e.get("complete") else f" (incomplete: {e.get('events_seen')} events)"),
        ">= 150000/s",
    )
    cost, basis = ratio(_rps(figures, "small_actor_json_cold"), c), "cold req/s ratio"
    if cost is None:
        slow = figures.get("actor_json_cold", {}).get("first_ms")
        fast = figures.get("small_actor_json_cold", {}).get("first_ms")
        cost = ratio(slow, fast)
        basis = "first-request time ratio: no request completed under load"
    target(
        f"scaling: actor timeline on {big['events']:,} within 1.2x of {small['events']:,} events",
        cost is not None and cost <= 1.2,
        f"{_x(cost)} the cost ({basis})",
        "<= 1.2x",
    )
    target("no stale data through every worker", None, "not measured here: a test's job", "test")
    return {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "settings": {
            "duration_s": args.duration,
            "connections": args.connections,
            "client": wrk or "python",
            "server": "gunicorn as make run (gunicorn.conf.py: 2 workers, 32 threads each)",
            "run_seconds": round(time.monotonic() - started),
        },
        "databases": {"big": big, "small": small},
        "figures": figures,
        "targets": targets,
        "notes": notes,
    }


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _x(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}x"


def print_table(results: dict[str, Any]) -> None:
    figures = results["figures"]
    big = results["databases"]["big"]
    print()
    made = "reused" if big.get("reused") else f"generated in {big['seconds']} s"
    print(
        f"Benchmark: {big['events']:,} events ({made}); "
        f"{results['settings']['duration_s']} s per run, {results['settings']['connections']} connections, "
        f"client {results['settings']['client']}"
    )
    head = (
        f"{'figure':<28} {'req/s':>10} {'p50 ms':>10} {'p99 ms':>10} {'errors':>7} "
        f"{'vs hello':>9} {'vs Datasette':>12} {'first ms':>9}"
    )
    print(head)
    print("-" * len(head))
    for name, fig in figures.items():
        if name in ("export", "create_events"):
            continue
        print(
            f"{name:<28} {_f(fig.get('rps')):>10} {_f(fig.get('p50_ms')):>10} {_f(fig.get('p99_ms')):>10} "
            f"{_f(fig.get('errors')):>7} {_pct(fig.get('vs_hello')) if 'vs_hello' in fig else '':>9} "
            f"{_x(fig.get('vs_datasette')) if 'vs_datasette' in fig else '':>12} {_f(fig.get('first_ms')):>9}"
        )
    e = figures.get("export", {})
    print(
        f"{'export':<28} {e.get('seconds')} s, {e.get('events_seen')}/{e.get('events_expected')} events, "
        f"{e.get('events_per_s')} events/s, peak worker RSS {e.get('peak_rss_mb')} MB"
        + (f"  [{e['error']}]" if "error" in e else "")
    )
    w = figures.get("create_events", {})
    if "not_measured" in w:
        print(f"{'create_events':<28} not measured: {w['not_measured']}")
    else:
        print(
            f"{'create_events':<28} {w.get('rps')} events/s, p50 {w.get('p50_ms')} ms, "
            f"p99 {w.get('p99_ms')} ms, "
            f"errors {w.get('errors')}"
        )
    for name in ("actor_html_cold", "topic_html_cold"):
        if "serial" in figures.get(name, {}):
            s = figures[name]["serial"]
            print(
                f"{name + ' (serial)':<28} p50 {s['p50_ms']} ms over {s['samples']} requests, "
                f"max {s['max_ms']} ms"
            )
    print()
    print("Targets (issue 8):")
    for t in results["targets"]:
        mark = {True: "PASS", False: "FAIL", None: "----"}[t["met"]]
        print(f"  [{mark}] {t['target']}: {t['measured']}")
    for note in results["notes"]:
        print(f"  note: {note}")


def _f(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:,.1f}" if x < 1000 else f"{x:,.0f}"
    return str(x)


if __name__ == "__main__":
    sys.exit(main())
