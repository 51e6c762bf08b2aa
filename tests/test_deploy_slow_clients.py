"""The shipped server (gunicorn.conf.py) keeps answering while slow clients trickle their requests.

Ten clients send a request's headers a byte at a time and ten send a form post's body a byte at a
time (what a slow phone, or an attacker, does); meanwhile new visitors must get /healthz and a page
within a second. With the former settings (2 sync workers) two such clients froze the whole site.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from pathlib import Path

import pytest

from support.server import SEED_FILE, Gunicorn, flask_cli, server_env

HEADER_TRICKLERS = 10
BODY_TRICKLERS = 10
BYTE_EVERY = 0.2  # seconds between two bytes of a slow client
ANSWER_WITHIN = 1.0


class Trickler:
    """Slow clients on raw sockets: each sends its opening at once, then one byte per tick."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sockets: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._drip, daemon=True)

    def open(self, opening: bytes) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.sendall(opening)
        self.sockets.append(sock)

    def _drip(self) -> None:
        while not self.stop.wait(BYTE_EVERY):
            for sock in self.sockets:
                # The server may give up on one (it is still never answered): keep dripping the others.
                with contextlib.suppress(OSError):
                    sock.send(b"a")

    def __enter__(self) -> Trickler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


def timed_get(port: int, path: str) -> tuple[int, float, bytes]:
    """A new visitor: a fresh connection, one GET; (status, seconds, body)."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        return response.status, time.monotonic() - started, body
    except TimeoutError:
        return 0, time.monotonic() - started, b"no answer within 10 s"
    finally:
        conn.close()


@pytest.fixture
def server(db_url: str, tmp_path: Path):
    env = server_env(db_url)
    env["TIMELINE_FEED_INTERVAL"] = "0"
    flask_cli(env, "import", str(SEED_FILE))
    with Gunicorn(env, tmp_path / "gunicorn.log") as running:  # the shipped settings, 2 workers
        yield running


def test_site_answers_within_a_second_while_20_clients_trickle_headers_and_bodies(server: Gunicorn) -> None:
    assert timed_get(server.port, "/actors/russia")[0] == 200  # warm: the first page builds caches
    with Trickler(server.port) as slow:
        for n in range(HEADER_TRICKLERS):
            slow.open(f"GET /actors/iran?slow={n} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".encode())
        for _n in range(BODY_TRICKLERS):
            slow.open(
                b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nname="
            )
        time.sleep(1.5)  # every slow client has sent bytes since: each holds whatever serves it
        timings = []
        for _round in range(3):
            for path, expected in (("/healthz", b'"ok"'), ("/actors/russia", b"not a firefighting")):
                status, seconds, body = timed_get(server.port, path)
                timings.append((path, round(seconds, 3)))
                assert status == 200, (path, status, body[:300])
                assert expected in body, path
        print("SLOW CLIENTS: answers while 20 clients trickle:", timings)
        slowest = max(seconds for _path, seconds in timings)
        assert slowest < ANSWER_WITHIN, timings
        assert all(sock.fileno() != -1 for sock in slow.sockets)  # the slow clients were still there
