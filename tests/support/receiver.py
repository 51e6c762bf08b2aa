"""An HTTPS webhook receiver for tests: a certificate from a throwaway CA (trustme), each request kept."""

from __future__ import annotations

import http.server
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import trustme


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    ca_file: str
    requests: list[Received] = field(default_factory=list)
    # Status to answer per request (the last one repeats); a hook may run inside each request.
    statuses: list[int] = field(default_factory=lambda: [200])
    during: Callable[[], None] | None = None
    errors: list[BaseException] = field(default_factory=list)


@contextmanager
def https_receiver(tmp_path: Path, host: str = "127.0.0.1") -> Iterator[Receiver]:
    """A receiver at https://<host>:<port>/hook, trusted through the CA file it names."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_file = tmp_path / "webhook-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    box: list[Receiver] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            receiver = box[0]
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if receiver.during is not None:
                try:
                    receiver.during()
                except BaseException as exc:
                    receiver.errors.append(exc)
            receiver.requests.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
            index = min(len(receiver.requests), len(receiver.statuses)) - 1
            self.send_response(receiver.statuses[index])
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    box.append(Receiver(f"https://{host}:{server.server_address[1]}/hook", str(ca_file)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
