"""Servers started by `make bench`: process groups stopped by their own id, and their memory."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from loadgen import LOCAL, http_get

from support.server import free_port, gunicorn_command

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BENCH_DIR = ROOT / "instance" / "bench"
BIN = Path(sys.executable).parent

_UID = re.compile(rb'"uid"\s*:\s*"')


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


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
            status, _h, _b = http_get(self.base + (self.ready_path or "/"), timeout=timeout)
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
    """gunicorn as `make run` starts it (the tests' command: gunicorn.conf.py), on this run's port,
    serving app_spec."""
    return gunicorn_command("--bind", f"{LOCAL}:{{port}}", *(extra or []), app_spec)


@contextmanager
def serving(name: str, cmd: list[str], env: dict[str, str], ready: str, cwd: Path = ROOT) -> Iterator[Server]:
    server = Server(name, cmd, env, ready, cwd)
    try:
        yield server
    finally:
        server.stop()


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


def measure_export(
    server: Server, expected: int, timeout_s: float, path: str = "/export.json"
) -> dict[str, Any]:
    """One full export read as it streams: events (uids) per second and the workers' peak memory."""
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
        conn = http.client.HTTPConnection(parts.hostname or LOCAL, parts.port, timeout=120)
        conn.request("GET", path)
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
