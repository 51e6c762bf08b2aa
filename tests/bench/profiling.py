"""py-spy on the app's workers while wrk loads one URL (`make bench` --profile; the `bench` extra)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

from loadgen import Load
from servers import BIN, ROOT, Server

# Frames worth showing: the app, its libraries, and the server (a cache hit's time is mostly gunicorn's).
_SHOWN = ("(timeline/", "edtf", "sqlalchemy", "jinja2", "psycopg", "flask", "gunicorn")


def profile_worker(
    server: Server, load: Load, url: str, name: str, mode: str, out_dir: Path, **run: Any
) -> str | None:
    """py-spy on every worker while wrk loads the URL; returns the top frames as text."""
    spy = str(BIN / "py-spy") if (BIN / "py-spy").exists() else shutil.which("py-spy")
    if spy is None:
        return None
    raw = out_dir / f"profile-{name}.txt"
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
    load.run(url, mode=mode, **run)
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
                inclusive[re.sub(r" \(.*?/site-packages/", " (", frame.replace(f" ({ROOT}/", " ("))] += int(
                    count
                )
        path.unlink()
    if not total:
        return None
    lines = [f"py-spy, {name}: inclusive share of {total} samples (both workers)"]
    for frame, hits in inclusive.most_common(40):
        if any(part in frame for part in _SHOWN):
            lines.append(f"{100 * hits / total:5.1f}%  {frame}")
    raw.write_text("\n".join(lines) + "\n")
    return "\n".join(lines[:25])
