"""Outbound HTTP for feeds and link checks: never to loopback, private, link-local or reserved addresses.

The check happens where the socket connects, on the very address it connects to, so a redirect to an
internal host or a name that resolves differently a second time (DNS rebinding) cannot slip past it.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.request
from typing import Any

PRIVATE_MESSAGE = "address in a private or local network; not fetched"


class PrivateAddress(OSError):
    """The host resolves to an address the service must not contact (urllib reports it as URLError)."""


def forbidden(address: str) -> bool:
    """True for loopback, private, link-local, reserved, multicast and unspecified addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 scope (fe80::1%eth0)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def _guarded_connection(
    address: tuple[str, int],
    timeout: Any = socket._GLOBAL_DEFAULT_TIMEOUT,  # type: ignore[attr-defined]
    source_address: tuple[str, int] | None = None,
    *,
    allow_private: bool,
) -> socket.socket:
    """socket.create_connection, refusing the host when any of its addresses is forbidden."""
    host, port = address
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not allow_private:
        for info in infos:
            if forbidden(str(info[4][0])):
                raise PrivateAddress(f"{host}: {PRIVATE_MESSAGE}")
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:  # type: ignore[attr-defined]
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)  # the vetted address itself: no second lookup
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError(f"{host}: no address to connect to")


def _connection_class(base: type[http.client.HTTPConnection], allow_private: bool) -> Any:
    class Guarded(base):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = lambda address, timeout, source: _guarded_connection(
                address, timeout, source, allow_private=allow_private
            )

    return Guarded


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, allow_private: bool) -> None:
        super().__init__()
        self._conn = _connection_class(http.client.HTTPConnection, allow_private)

    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(self._conn, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, allow_private: bool, context: ssl.SSLContext | None = None) -> None:
        super().__init__(context=context)
        self._conn = _connection_class(http.client.HTTPSConnection, allow_private)

    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(self._conn, req, context=self._context)  # type: ignore[attr-defined]


def opener(
    *, allow_private: bool = False, handlers: tuple[Any, ...] = (), context: ssl.SSLContext | None = None
) -> urllib.request.OpenerDirector:
    """A urllib opener whose every connection (redirects included) goes through the address guard.

    context: the TLS settings for https (default: the system's trusted certificates).

    Proxies from the environment are not used: the guard must see the address actually contacted.
    """
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _HTTPHandler(allow_private),
        _HTTPSHandler(allow_private, context),
        *handlers,
    )
