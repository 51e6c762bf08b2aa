"""Load generation for `make bench`: wrk (or a Python fallback), serial probes, and the median of runs."""

from __future__ import annotations

import http.client
import multiprocessing
import re
import secrets
import statistics
import subprocess
import time
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

RUN_ID = secrets.token_hex(4)
LOCAL = "127.0.0.1"


def http_get(url: str, timeout: float = 60, headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or LOCAL, parts.port, timeout=timeout)
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


def bust(url: str, n: int, tag: str = "") -> str:
    return f"{url}{'&' if '?' in url else '?'}_bench={RUN_ID}{tag}-{n}"


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

    def __init__(self, wrk: str | None, duration: int, connections: int, runs: int, scripts: Path) -> None:
        self.wrk, self.duration, self.connections = wrk, duration, connections
        self.runs, self.scripts = runs, scripts
        self.count = 0  # runs so far: each cold run asks for URLs no earlier run asked for

    def run(
        self,
        url: str,
        *,
        mode: str = "get",
        connections: int | None = None,
        headers: dict[str, str] | None = None,
        body: str | None = None,
    ) -> dict[str, Any]:
        """One run; a POST body's `{run}` is replaced by a token of this run (unique uids)."""
        self.count += 1
        tag = f"r{self.count}"
        conns = connections or self.connections
        body = body.replace("{run}", f"{RUN_ID}{tag}") if body else body
        if self.wrk is None:
            return fallback_load(url, mode, conns, self.duration, headers or {}, body, tag)
        cmd = [self.wrk, "-t1", f"-c{conns}", f"-d{self.duration}s", "--latency", "--timeout", "60s"]
        for k, v in (headers or {}).items():
            cmd += ["-H", f"{k}: {v}"]
        if mode in ("bust", "post"):
            script = self.scripts / f"{mode}.lua"
            if mode == "bust":
                text_ = _LUA_BUST.replace("RUN", RUN_ID + tag)
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

    def median(self, url: str, **kwargs: Any) -> dict[str, Any]:
        """The median of `self.runs` runs, with the spread of each figure."""
        return aggregate([self.run(url, **kwargs) for _ in range(self.runs)])


_FIGURES = ("rps", "p50_ms", "p99_ms")


def aggregate(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One figure from several runs: the median of each measure, its [min, max], errors summed."""
    out: dict[str, Any] = {k: v for k, v in runs[0].items() if k not in (*_FIGURES, "requests", "errors")}
    for key in _FIGURES:
        values = [r[key] for r in runs if isinstance(r.get(key), int | float)]
        if values:
            out[key] = round(statistics.median(values), 2)
            out.setdefault("spread", {})[key] = [round(min(values), 2), round(max(values), 2)]
    out["errors"] = sum(int(r.get("errors") or 0) for r in runs)
    out["requests"] = sum(int(r.get("requests") or 0) for r in runs)
    out["runs"] = len(runs)
    errors = [r["error"] for r in runs if "error" in r]
    if errors:
        out["error"] = errors[-1]
    return out


def aggregate_exports(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several full exports as one figure: median events/s with spread, the highest memory peak."""
    rates = [r["events_per_s"] for r in runs if r.get("complete") and r.get("events_per_s")]
    out = dict(runs[-1])
    out["complete"] = all(r.get("complete") for r in runs)
    out["runs"] = len(runs)
    if rates:
        out["events_per_s"] = round(statistics.median(rates))
        out["spread"] = {"events_per_s": [min(rates), max(rates)]}
    peaks = [r["peak_rss_mb"] for r in runs if r.get("peak_rss_mb") is not None]
    if peaks:
        out["peak_rss_mb"] = max(peaks)
    return out


def spread_pct(figure: dict[str, Any], key: str = "rps") -> float | None:
    """The spread of a figure as a share of its median: (max - min) / median."""
    low_high = figure.get("spread", {}).get(key)
    median = figure.get(key)
    if not low_high or not median:
        return None
    return (low_high[1] - low_high[0]) / median


def lua_string(text_: str) -> str:
    return '"' + text_.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("%%d", "%d") + '"'


def _fallback_worker(
    args: tuple[str, str, float, dict[str, str], str | None, int, str],
) -> list[tuple[float, int]]:
    url, mode, deadline, headers, body, wid, tag = args
    parts = urllib.parse.urlsplit(url)
    out: list[tuple[float, int]] = []
    n = 0
    while time.time() < deadline:
        n += 1
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if mode == "bust":
            path = bust(path, wid * 1_000_000 + n, tag)
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(parts.hostname or LOCAL, parts.port, timeout=60)
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
    url: str,
    mode: str,
    conns: int,
    duration: int,
    headers: dict[str, str],
    body: str | None,
    tag: str,
) -> dict[str, Any]:
    deadline = time.time() + duration
    headers = dict(headers)
    if mode == "post":
        headers["Content-Type"] = "application/json"
    with multiprocessing.get_context("fork").Pool(conns) as pool:
        parts = pool.map(
            _fallback_worker, [(url, mode, deadline, headers, body, i, tag) for i in range(conns)]
        )
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


def serial_probe(
    url: str, budget_s: float, max_n: int = 15, tag: str = "", fresh: bool = True
) -> dict[str, Any]:
    """Latency without queueing: one request at a time; `fresh`: each URL new to any cache."""
    lat: list[float] = []
    statuses: Counter[int] = Counter()
    deadline = time.monotonic() + budget_s
    while len(lat) < max_n and (not lat or time.monotonic() < deadline):
        try:
            ms, status, _h, _b = timed_get(bust(url, 900_000 + len(lat), tag) if fresh else url)
        except (OSError, http.client.HTTPException):
            ms, status = float("inf"), 0
        lat.append(ms)
        statuses[status] += 1
    lat.sort()
    return {
        "samples": len(lat),
        "p50_ms": round(lat[len(lat) // 2], 2),
        "max_ms": round(lat[-1], 2),
        "statuses": dict(statuses),
    }


def serial_median(url: str, runs: int, budget_s: float, fresh: bool = True) -> dict[str, Any]:
    """The median p50 of `runs` serial probes (each on URLs of its own), with its spread."""
    probes = [serial_probe(url, budget_s, tag=f"s{i}", fresh=fresh) for i in range(runs)]
    p50s = [p["p50_ms"] for p in probes]
    statuses: Counter[int] = Counter()
    for p in probes:
        statuses.update(p["statuses"])
    return {
        "p50_ms": round(statistics.median(p50s), 2),
        "spread": {"p50_ms": [min(p50s), max(p50s)]},
        "samples": sum(p["samples"] for p in probes),
        "max_ms": max(p["max_ms"] for p in probes),
        "statuses": {str(k): v for k, v in statuses.items()},
        "runs": runs,
    }
