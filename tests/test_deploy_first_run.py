"""A quiet first run: `make run` ends its start-up with the admin's one-time password in a box, logs no
line every few seconds for the job-queue poll, and Ctrl-C ends it without make's "Error 130".

make runs for real, with its `seed` prerequisite taken as done (-o seed: the database here is already
migrated and seeded), against this test's database and port.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.request

import pytest

from support.server import ROOT, SEED_FILE, flask_cli, free_port, server_env

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def test_make_run_ends_with_the_password_box_stays_quiet_and_stops_on_ctrl_c(db_url: str) -> None:
    env = server_env(db_url)
    flask_cli(env, "import", str(SEED_FILE))
    port = free_port()
    env.update(TIMELINE_JOB_QUEUE_POLL="1", TIMELINE_FEED_INTERVAL="0", TIMELINE_SNAPSHOT_INTERVAL="0")
    make = ["make", "--no-print-directory", "-o", "seed", "run", f"PORT={port}"]
    proc = subprocess.Popen(
        make, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # its own process group: the "terminal" whose Ctrl-C we send
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("make run did not serve /healthz in 90 s")
        time.sleep(4)  # four polls of the job queue
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends to the foreground group
        output, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    lines = [line for line in output.splitlines() if line.strip()]
    serving = next(i for i, line in enumerate(lines) if '"GET /healthz' in line)
    start_up = lines[:serving]
    # The last thing before serving is the box with the one-time password.
    assert start_up[-1].startswith("+-") and start_up[-1] == start_up[-6], "\n".join(start_up)
    assert "password:" in start_up[-3]
    assert not any("Booting worker" in line or "Listening at" in line for line in lines), output
    # No line for the queue poll, run every second here.
    assert not any("Job queue poll" in line or "dispatch" in line for line in lines), output
    # Ctrl-C stops both processes and make reports no error.
    assert "Error 130" not in output and "make: ***" not in output, output
    assert "web.1 stopped" in output and "scheduler.1 stopped" in output
