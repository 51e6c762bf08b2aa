"""SIGKILL in the middle of a stream of writes, many times; nothing acknowledged is lost.

Each round starts gunicorn (1 worker) in its own process group, lets a writer thread post events
through the API (each with two stances and a client key in its uid: crash-r<round>-<n>), and after
at least one acknowledged write and a random short delay kills the whole group with SIGKILL. Then,
with no server running: the database opens, SQLite's integrity check is "ok", every event
acknowledged so far is stored exactly once, and no event is half-written (each has both its
stances and its "create" revision: they are written in one transaction).
The next round's start proves the server comes back on the same database.

20 rounds by default (under a minute); TIMELINE_CRASH_ROUNDS=N for more; the kill delays come
from a random seed printed with the figures (TIMELINE_CRASH_SEED=<seed> replays them).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import threading
import time
from pathlib import Path

from support.data import BACKEND
from support.dbcheck import create_revisions, integrity, stance_counts, uid_counts
from support.server import Gunicorn, Http, create_editor, event_body, flask_cli, issue_token, server_env

ROUNDS = int(os.environ.get("TIMELINE_CRASH_ROUNDS", "20"))
MAX_WRITES_PER_ROUND = 5_000
SMALL_DOC = {
    "format": "stance-timeline",
    "version": 1,
    "actors": [{"slug": "russia", "name": "Russia", "kind": "government"}],
    "topics": [{"slug": "jcpoa", "name": "JCPOA"}, {"slug": "us-sanctions", "name": "US sanctions"}],
    "events": [],
}


class Writer(threading.Thread):
    """Posts events until the server goes away (or a bound is reached); records what was acknowledged."""

    def __init__(self, base: str, token: str, round_no: int) -> None:
        super().__init__(daemon=True)
        self.base, self.token, self.round_no = base, token, round_no
        self.acked: list[str] = []
        self.first_ack = threading.Event()
        self.unexpected: list[str] = []
        self.stop_at = time.monotonic() + 60

    def run(self) -> None:
        client = Http(self.base, timeout=20)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        try:
            for n in range(MAX_WRITES_PER_ROUND):
                if time.monotonic() > self.stop_at:
                    break
                uid = f"crash-r{self.round_no}-{n}"
                body = event_body(
                    uid,
                    f"Crash round {self.round_no} write {n}",
                    [
                        {"topic": "jcpoa", "score": n % 5 - 2, "rationale": "first of two"},
                        {"topic": "us-sanctions", "score": -(n % 5 - 2), "rationale": "second of two"},
                    ],
                )
                try:
                    status, data, _ = client.request(
                        "POST", "/api/v1/events", json.dumps(body).encode(), headers
                    )
                except (OSError, http.client.HTTPException):
                    break  # the server was killed: this write's outcome is unknown
                if status == 201:
                    self.acked.append(uid)
                    self.first_ack.set()
                else:
                    self.unexpected.append(f"{uid}: {status} {data[:200]!r}")
                    break
        except Exception as exc:  # reported by the test, not lost in the thread
            self.unexpected.append(f"writer stopped: {exc!r}")
        finally:
            client.close()
            self.first_ack.set()


def test_sigkill_during_writes_loses_no_acknowledged_event(db_url: str, tmp_path: Path, capsys) -> None:
    env = server_env(db_url)
    doc = tmp_path / "small.json"
    doc.write_text(json.dumps(SMALL_DOC), encoding="utf-8")
    flask_cli(env, "import", str(doc))
    create_editor(env, "crasher")
    token = issue_token(env, "crasher")
    seed = int(os.environ.get("TIMELINE_CRASH_SEED") or random.SystemRandom().randrange(1 << 30))
    rng = random.Random(seed)  # TIMELINE_CRASH_SEED=<seed> replays the same kill delays
    acked: list[str] = []
    per_round: list[int] = []
    problems: list[str] = []
    started = time.monotonic()
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=1)
    try:
        for round_no in range(ROUNDS):
            server.start()  # also the proof that the database opens after the previous kill
            writer = Writer(server.base_url, token, round_no)
            writer.start()
            if not writer.first_ack.wait(timeout=60):
                problems.append(f"round {round_no}: no write acknowledged within 60 s")
            time.sleep(rng.uniform(0.0, 0.4))  # the kill lands at a random point of the stream
            server.kill()
            writer.join(timeout=30)
            assert not writer.is_alive(), "the writer did not notice the kill"
            problems += writer.unexpected
            acked += writer.acked
            per_round.append(len(writer.acked))

            # The server is down: look at the database as it was left.
            check = integrity(db_url)
            if check is not None and check != "ok":
                problems.append(f"round {round_no}: integrity_check: {check}")
            stored = uid_counts(db_url, "crash-")
            missing = [u for u in acked if stored.get(u, 0) != 1]
            if missing:
                problems.append(f"round {round_no}: acknowledged but not stored once: {missing[:5]}")
            half = {u: n for u, n in stance_counts(db_url, "crash-").items() if n != 2}
            if half:
                problems.append(f"round {round_no}: events without both stances: {list(half.items())[:5]}")
            revisions = create_revisions(db_url, "crash-")
            unrecorded = [u for u in stored if revisions.get(u) != 1]
            if unrecorded or set(revisions) - set(stored):
                problems.append(
                    f"round {round_no}: events and their create revisions differ: {unrecorded[:5]}"
                )
            if problems:
                break
        # One more start after the last kill: the database still serves.
        with Gunicorn(env, tmp_path / "gunicorn-final.log", workers=1) as final:
            client = Http(final.base_url)
            try:
                status, body, _ = client.request("GET", "/api/v1/events?per_page=1")
            finally:
                client.close()
            assert status == 200
            served_total = json.loads(body)["total"]
    finally:
        server.kill()
    stored = uid_counts(db_url, "crash-")
    unacked_stored = len(set(stored) - set(acked))
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nCRASH [{BACKEND}] {len(per_round)} rounds of SIGKILL in {elapsed:.1f} s (seed {seed}): "
            f"{len(acked)} writes acknowledged (per round {per_round}), {sum(stored.values())} stored, "
            f"{unacked_stored} stored without an acknowledgement (in flight at the kill), "
            f"problems={len(problems)}"
        )
    assert not problems, problems
    assert len(per_round) == ROUNDS
    assert served_total == sum(stored.values())
