"""The real server for tests: the flask CLI in a subprocess, gunicorn in its own process group,
and a small standard-library HTTP client (one persistent connection per thread).

Every wait here is a bounded poll loop; every process started here is stopped by the code that
started it (graceful stop, or SIGKILL to the whole process group).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

# Re-exported: test_jobs_busy.py (moving on another branch) takes them from here.
from support.data import PASSWORD as PASSWORD
from support.data import ROOT as ROOT
from support.data import SEED_FILE as SEED_FILE

FLASK = [sys.executable, "-m", "flask", "--app", "timeline"]
GUNICORN_CONF = ROOT / "gunicorn.conf.py"


def free_port() -> int:
    """A free TCP port on the loopback address (nothing listens beyond loopback); the one helper of the
    tests, the test PostgreSQL server and the benchmark."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def gunicorn_command(*args: str, python: str = sys.executable) -> list[str]:
    """gunicorn as `make run` starts it: the shipped settings (gunicorn.conf.py: port and workers from
    TIMELINE_PORT/_WORKERS), then `args` (e.g. --bind and another app for the benchmark's references)."""
    return [python, "-m", "gunicorn", "-c", str(GUNICORN_CONF), *args]


def server_env(db_url: str, secret: str = "server-test-secret") -> dict[str, str]:
    return {**os.environ, "TIMELINE_DATABASE_URL": db_url, "TIMELINE_SECRET_KEY": secret}


def flask_cli(
    env: dict[str, str], *args: str, input_text: str | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """`flask --app timeline ARGS`; fails the test with the command's output when it fails."""
    result = subprocess.run(
        [*FLASK, *args],
        input=input_text if input_text is not None else "",
        text=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"flask {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


def create_editor(env: dict[str, str], name: str, password: str = PASSWORD) -> None:
    flask_cli(env, "users", "create", name, input_text=password + "\n")


def issue_token(env: dict[str, str], name: str) -> str:
    token = flask_cli(env, "users", "token", name).stdout.splitlines()[0].strip()
    assert token.startswith("st_"), token
    return token


class Gunicorn:
    """gunicorn serving timeline:create_app() on 127.0.0.1, in a new session (its own process group)."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        *,
        workers: int = 2,
        extra_args: Sequence[str] = (),
        python: str = sys.executable,
        cwd: Path = ROOT,
    ) -> None:
        self.env, self.log_path, self.workers, self.extra_args = env, log_path, workers, list(extra_args)
        self.python, self.cwd = python, cwd
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> Gunicorn:
        """Start and wait (polling /healthz) until the server answers 200."""
        assert self.proc is None, "already started"
        self.port = free_port()
        self._log = self.log_path.open("ab")
        self._log.write(f"\n--- starting gunicorn on port {self.port}\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(
            gunicorn_command(*self.extra_args, python=self.python),
            env={**self.env, "TIMELINE_PORT": str(self.port), "TIMELINE_WORKERS": str(self.workers)},
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: os.killpg reaches the master and workers
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                self._close_log()
                self.proc = None
                raise AssertionError(f"gunicorn exited at start:\n{self.log_text()[-4000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                try:
                    conn.request("GET", "/healthz")
                    response = conn.getresponse()
                    response.read()
                    if response.status == 200:
                        return self
                finally:
                    conn.close()
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(
                    f"gunicorn did not answer /healthz in {timeout} s:\n{self.log_text()[-4000:]}"
                )
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL to the whole process group (master and workers), then reap the master."""
        if self.proc is None:
            return
        pgid = self.proc.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        _wait_group_gone(pgid, timeout=10)
        self.proc = None
        self._close_log()

    def stop(self, timeout: float = 30, sig: signal.Signals = signal.SIGTERM) -> int | None:
        """A graceful stop (SIGTERM, or SIGINT as Ctrl-C sends, to the master); SIGKILL to the group if it
        takes too long. Returns the master's exit status (None when it had to be killed)."""
        if self.proc is None:
            return None
        proc = self.proc
        try:
            proc.send_signal(sig)
            code: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        if code is None:
            self.kill()
            return None
        _wait_group_gone(proc.pid, timeout=10)
        self.proc = None
        self._close_log()
        return code

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _live_members(pgid: int) -> list[int]:
    """Processes of the group that have not exited yet (zombies have: they hold no file or lock)."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: fall back to "any process of the group exists"
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [pgid]
    alive = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            alive.append(int(entry.name))
    return alive


def _wait_group_gone(pgid: int, timeout: float) -> None:
    """Poll until every process of the group has exited, bounded (zombies count as exited)."""
    deadline = time.monotonic() + timeout
    while _live_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.01)


class Http:
    """One persistent http.client connection (reopened when the server closes it).

    The server keeps an idle connection open for a few seconds (gunicorn.conf.py: keepalive); a
    connection idle for longer than IDLE_REUSE is not reused, so a request never meets a
    connection the server is closing at that moment.
    """

    IDLE_REUSE = 1.0

    def __init__(self, base_url: str, timeout: float = 60) -> None:
        parts = urlsplit(base_url)
        assert parts.hostname in ("127.0.0.1", "localhost", "::1"), "loopback only"
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, http.client.HTTPMessage]:
        """Send one request and read the whole answer. Network errors propagate (no silent retry)."""
        if self.conn is not None and time.monotonic() - self.last_used > self.IDLE_REUSE:
            self.close()
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            response = self.conn.getresponse()
            data = response.read()
            self.last_used = time.monotonic()
            if response.will_close:
                self.close()
            return response.status, data, response.headers
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def latency_summary(seconds: Sequence[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"n={len(ms)} p50={percentile(ms, 50):.1f}ms p95={percentile(ms, 95):.1f}ms "
        f"p99={percentile(ms, 99):.1f}ms max={max(ms, default=0):.1f}ms"
    )


def event_body(uid: str, title: str, stances: list[dict[str, Any]], actor: str = "russia") -> dict[str, Any]:
    """A valid API event body with a client key in its uid."""
    return {
        "uid": uid,
        "actor": actor,
        "kind": "statement",
        "title": title,
        "date": "2021-01-15",
        "quote": "«Москва» — سخن",
        "confidence": "medium",
        "stances": stances,
    }


def get_text(url: str) -> str:
    """GET url, the body as text (an error status raises)."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def send_json(url: str, token: str, method: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """An API call with a bearer token: the JSON answer ({} when empty; an error status raises)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    return json.loads(text) if text else {}
