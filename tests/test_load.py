"""Concurrent load on the real server, nothing lost.

gunicorn (3 workers) serves a copy of the seed on 127.0.0.1 (loopback only). For a fixed time,
8 writer threads post events through the API with a Bearer token (each event carries a client key
in its `uid`: load-w<writer>-<n>) while 32 reader threads fetch pages and exports. Afterwards:
no 5xx, every acknowledged (201) event stored exactly once, the number of load events equals the
number acknowledged, and on SQLite `PRAGMA integrity_check` is "ok".

Duration: 5 seconds by default; set TIMELINE_LOAD_SECONDS for a longer run, e.g.
    TIMELINE_LOAD_SECONDS=60 .venv/bin/python -m pytest -q -s tests/test_load.py
The figures (counts, latency p50/p95/p99 for reads and writes) are printed on one LOAD line
whatever the outcome; `-s` also shows the per-path read figures.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from support.data import BACKEND
from support.dbcheck import integrity, stance_counts, uid_counts
from support.server import (
    SEED_FILE,
    Gunicorn,
    Http,
    create_editor,
    event_body,
    flask_cli,
    issue_token,
    latency_summary,
    server_env,
)

SECONDS = float(os.environ.get("TIMELINE_LOAD_SECONDS", "5"))
WRITERS, READERS, WORKERS = 8, 32, 3
MAX_OPS_PER_THREAD = 100_000  # a bound on every loop besides the clock
REQUEST_TIMEOUT = 60.0
ACTORS = ["russia", "iran", "vladimir-putin", "united-states"]
READ_PATHS = [
    "/",
    "/actors/russia",
    "/actors/russia.json",
    "/topics/jcpoa",
    "/export.json",
    "/search?q=russia",
    "/actors/iran",
    "/actors/vladimir-putin.json",
    "/topics/us-sanctions",
    "/search?q=load+event",
]


@dataclass
class Tally:
    """What one thread saw; merged after the threads end (no shared mutable state while running)."""

    acked: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    per_path: dict[str, list[float]] = field(default_factory=dict)


def writer(base: str, token: str, w: int, deadline: float, tally: Tally) -> None:
    client = Http(base, timeout=REQUEST_TIMEOUT)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        for n in range(MAX_OPS_PER_THREAD):
            if time.monotonic() >= deadline:
                break
            uid = f"load-w{w}-{n}"
            body = event_body(
                uid,
                f"Load event w{w} n{n}",
                [
                    {"topic": "jcpoa", "score": n % 5 - 2},
                    {"topic": "us-sanctions", "score": (n + w) % 5 - 2, "rationale": "load"},
                ],
                actor=ACTORS[(w + n) % len(ACTORS)],
            )
            body["date"] = f"2021-{n % 12 + 1:02d}-{w + 1:02d}"
            started = time.perf_counter()
            try:
                status, data, _ = client.request("POST", "/api/v1/events", json.dumps(body).encode(), headers)
            except (OSError, http.client.HTTPException) as exc:  # outcome unknown: reported, never counted
                tally.errors.append(f"{uid}: {exc!r}")
                continue
            tally.latencies.append(time.perf_counter() - started)
            tally.statuses[status] += 1
            if status == 201 and json.loads(data)["uid"] == uid:
                tally.acked.append(uid)
            else:
                tally.unexpected.append(f"POST {uid}: {status} {data[:300]!r}")
    except Exception as exc:  # reported by the test's assertions, not lost in the thread
        tally.errors.append(f"writer {w} stopped: {exc!r}")
    finally:
        client.close()


def reader(base: str, r: int, deadline: float, tally: Tally) -> None:
    client = Http(base, timeout=REQUEST_TIMEOUT)
    try:
        for n in range(MAX_OPS_PER_THREAD):
            if time.monotonic() >= deadline:
                break
            path = READ_PATHS[(r + n) % len(READ_PATHS)]
            started = time.perf_counter()
            try:
                status, data, _ = client.request("GET", path)
            except (OSError, http.client.HTTPException) as exc:
                tally.errors.append(f"GET {path}: {exc!r}")
                continue
            elapsed = time.perf_counter() - started
            tally.latencies.append(elapsed)
            tally.per_path.setdefault(path, []).append(elapsed)
            tally.statuses[status] += 1
            if status != 200:
                tally.unexpected.append(f"GET {path}: {status} {data[:300]!r}")
            elif path.endswith(".json"):
                try:
                    json.loads(data)  # a complete document, even while writes land
                except ValueError as exc:
                    tally.unexpected.append(f"GET {path}: 200 but not JSON: {exc}")
    except Exception as exc:
        tally.errors.append(f"reader {r} stopped: {exc!r}")
    finally:
        client.close()


def merge(tallies: list[Tally]) -> Tally:
    total = Tally()
    for t in tallies:
        total.acked += t.acked
        total.statuses.update(t.statuses)
        total.unexpected += t.unexpected
        total.errors += t.errors
        total.latencies += t.latencies
        for path, values in t.per_path.items():
            total.per_path.setdefault(path, []).extend(values)
    return total


def test_concurrent_writers_and_readers_lose_nothing(db_url: str, tmp_path: Path, capsys) -> None:
    env = server_env(db_url)
    flask_cli(env, "import", str(SEED_FILE))
    create_editor(env, "loader")
    token = issue_token(env, "loader")
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=WORKERS)
    server.start()
    writes = [Tally() for _ in range(WRITERS)]
    reads = [Tally() for _ in range(READERS)]
    try:
        started = time.monotonic()
        deadline = started + SECONDS
        threads = [
            threading.Thread(
                target=writer, args=(server.base_url, token, w, deadline, writes[w]), daemon=True
            )
            for w in range(WRITERS)
        ] + [
            threading.Thread(target=reader, args=(server.base_url, r, deadline, reads[r]), daemon=True)
            for r in range(READERS)
        ]
        for t in threads:
            t.start()
        join_deadline = deadline + REQUEST_TIMEOUT + 30
        for t in threads:
            t.join(timeout=max(0.1, join_deadline - time.monotonic()))
        stuck = sum(t.is_alive() for t in threads)
        elapsed = time.monotonic() - started
    finally:
        exit_code = server.stop()
    w, r = merge(writes), merge(reads)

    stored = uid_counts(db_url, "load-")
    duplicates = {uid: n for uid, n in stored.items() if n != 1}
    missing = sorted(set(w.acked) - set(stored))
    unacked = sorted(set(stored) - set(w.acked))
    stances = stance_counts(db_url, "load-")
    partial = {uid: n for uid, n in stances.items() if n != 2}
    check = integrity(db_url)
    server_errors = sum(n for s, n in (w.statuses + r.statuses).items() if s >= 500)
    summary = (
        f"LOAD [{BACKEND}] {elapsed:.1f} s, {WORKERS} gunicorn workers, "
        f"{WRITERS} writers, {READERS} readers | "
        f"writes: acked={len(w.acked)} statuses={dict(w.statuses)} errors={len(w.errors)} "
        f"{latency_summary(w.latencies)} | reads: statuses={dict(r.statuses)} errors={len(r.errors)} "
        f"{latency_summary(r.latencies)} | stored load events={sum(stored.values())} "
        f"missing={len(missing)} duplicates={len(duplicates)} partial={len(partial)} 5xx={server_errors} "
        f"integrity={check or 'n/a (PostgreSQL)'}"
    )
    with capsys.disabled():  # always shown, with or without -s
        print("\n" + summary)
    for path, values in sorted(r.per_path.items()):
        print(f"  GET {path}: {latency_summary(values)}")

    assert stuck == 0, f"{stuck} client threads did not finish"
    assert server_errors == 0, (w.unexpected + r.unexpected)[:10]
    assert not w.errors and not r.errors, (w.errors + r.errors)[:10]
    assert not w.unexpected and not r.unexpected, (w.unexpected + r.unexpected)[:10]
    assert w.acked, "no write was acknowledged"
    assert len(r.latencies) > 0, "no read was made"
    assert not missing, f"acknowledged but not stored: {missing[:10]}"
    assert not duplicates, f"stored more than once: {list(duplicates.items())[:10]}"
    assert not unacked, f"stored but never acknowledged: {unacked[:10]}"
    assert sum(stored.values()) == len(w.acked) == len(set(w.acked))
    assert not partial, f"events without both stances: {list(partial.items())[:10]}"
    if check is not None:
        assert check == "ok", check
    else:
        assert BACKEND == "postgresql" and db_url.startswith("postgresql")
    assert exit_code == 0, server.log_text()[-3000:]
