"""Local network peers for the job tests: a feed server that answers, redirects, trickles or stalls,
and a server that accepts connections and never answers (an unanswering link or feed).

Each runs in daemon threads on 127.0.0.1 and is stopped by the context manager that started it.
"""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass


def rss(title: str, item_title: str, link: str, guid: str) -> bytes:
    """A one-item RSS 2.0 feed."""
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>\n'
        f"<item><title>{item_title}</title><link>{link}</link><guid>{guid}</guid></item>\n"
        "</channel></rss>"
    ).encode()


@dataclass
class FeedRoutes:
    """What the feed server answers on each path; any other path gets `body` at once."""

    body: bytes = rss("Local", "Internal item", "https://news.example/internal", "i")
    redirect_to: str = ""  # /redirect: a 302 to here
    trickle_bytes: int = 40  # /trickle: this many spaces, one every `trickle_every` s, and no feed
    trickle_every: float = 0.25
    stall_seconds: float = 30.0  # /stall: a space every `stall_every` s for this long, then `body`
    stall_every: float = 2.0


class _FeedHandler(http.server.BaseHTTPRequestHandler):
    routes = FeedRoutes()

    def log_message(self, *args: object) -> None:
        pass

    def _feed_headers(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()

    def do_GET(self) -> None:
        routes = self.routes
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", routes.redirect_to)
            self.end_headers()
            return
        self._feed_headers()
        try:
            if self.path == "/trickle":  # no single wait ever times out; only a deadline stops it
                for _ in range(routes.trickle_bytes):
                    self._drip(routes.trickle_every)
                return
            if self.path == "/stall":
                deadline = time.monotonic() + routes.stall_seconds
                while time.monotonic() < deadline:
                    self._drip(min(routes.stall_every, max(0.0, deadline - time.monotonic())))
            self.wfile.write(routes.body)
        except OSError:
            pass  # the fetcher gave up

    def _drip(self, then_wait: float) -> None:
        self.wfile.write(b" ")
        self.wfile.flush()
        time.sleep(then_wait)


@contextlib.contextmanager
def feed_server(routes: FeedRoutes | None = None) -> Iterator[str]:
    """A feed server on a free loopback port; yields its base URL (http://127.0.0.1:PORT)."""
    handler = type("FeedHandler", (_FeedHandler,), {"routes": routes or FeedRoutes()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """A server that accepts every connection and never answers; yields its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)  # kept open, unread and unanswered, until the end

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=10)
        for conn in held:
            conn.close()
        listener.close()
