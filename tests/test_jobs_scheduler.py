"""Several servers on one database: two scheduler processes, each job still runs once per interval,
and the one standing by takes over when the active one dies."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from support.server import FLASK, ROOT, server_env

INTERVAL = 2


def _runs(db_url: str) -> list[str]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT outcome FROM job_run WHERE job_id = 'snapshot' ORDER BY id")
            ).all()
    finally:
        engine.dispose()
    return [r.outcome for r in rows]


def _wait_for(path: Path, needle: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while needle not in path.read_text(errors="replace"):
        assert time.monotonic() < deadline, f"no “{needle}” in {path.name}:\n{path.read_text()[-3000:]}"
        time.sleep(0.1)


def test_two_schedulers_on_one_database_run_each_job_once_per_interval(db_url: str, tmp_path: Path) -> None:
    env = {
        **server_env(db_url),
        "TIMELINE_SNAPSHOT_INTERVAL": str(INTERVAL),
        "TIMELINE_SNAPSHOT_DIR": str(tmp_path / "snaps"),
        "TIMELINE_SNAPSHOT_KEEP": "100",
        "TIMELINE_FEED_INTERVAL": "0",
        "TIMELINE_JOB_QUEUE_POLL": "1",
        "TIMELINE_SCHEDULER_STANDBY_POLL": "0.5",
    }
    logs = [tmp_path / "scheduler-a.log", tmp_path / "scheduler-b.log"]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for log in logs:
            with log.open("wb") as out:
                procs.append(
                    subprocess.Popen(
                        [*FLASK, "scheduler"],
                        env=env,
                        cwd=ROOT,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        for log in logs:
            _wait_for(log, "scheduler")
        time.sleep(1)
        texts = [log.read_text() for log in logs]
        leaders = [i for i, t in enumerate(texts) if "scheduler started" in t]
        assert len(leaders) == 1, texts
        leader, standby = leaders[0], 1 - leaders[0]
        assert "standing by" in texts[standby]
        started = time.monotonic()
        time.sleep(4 * INTERVAL + 0.5)
        runs = _runs(db_url)
        elapsed = time.monotonic() - started + 1
        # Two schedulers: still one run per interval (at most one more for the edges), never two.
        assert 3 <= len(runs) <= int(elapsed // INTERVAL) + 1, (runs, elapsed, texts)
        # The active one dies without a word: the other takes over within its standby poll.
        os.killpg(procs[leader].pid, signal.SIGKILL)
        procs[leader].wait(timeout=10)
        _wait_for(logs[standby], "scheduler started", timeout=15)
        before = len(_runs(db_url))
        time.sleep(2 * INTERVAL + 0.5)
        assert len(_runs(db_url)) >= before + 1, logs[standby].read_text()[-3000:]
        assert all(outcome == "ok" for outcome in _runs(db_url)[:-1])
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
    runs = _runs(db_url)
    assert len(list((tmp_path / "snaps").glob("snapshot-*.json"))) <= len(runs)
    print(
        f"\ntwo schedulers, {INTERVAL} s interval: {len(runs)} snapshot runs in all, takeover after a SIGKILL"
    )
