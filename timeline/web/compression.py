"""Content-Encoding negotiated from Accept-Encoding: zstd or gzip, for stored and streamed answers.

The response cache compresses a stored answer once per encoding (see cache.Entry.encoded);
:class:`CompressionMiddleware`, outermost, compresses everything else that is worth it on the fly,
streamed exports included, chunk by chunk, without holding the whole body.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import zstandard

StartResponse = Callable[..., Any]
# Preferred first: zstd is faster than gzip at a better ratio; gzip every client understands.
ENCODINGS = ("zstd", "gzip")
_COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/xml",
    "application/atom+xml",
    "application/javascript",
    "application/x-bibtex",
    "application/x-research-info-systems",
    "application/vnd.citationstyles",
    "image/svg+xml",
)
MIN_SIZE = 1024  # smaller answers gain too little to pay for the framing
_GZIP_LEVEL = 6
_ZSTD_LEVEL = 3


@functools.lru_cache(maxsize=256)  # browsers send a handful of distinct values: parse each once
def negotiate(accept_encoding: str) -> str | None:
    """The best encoding the client accepts (q > 0), or None for the identity."""
    if not accept_encoding:
        return None
    weights: dict[str, float] = {}
    for part in accept_encoding.split(","):
        name, _sep, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        weights[name.strip().lower()] = q
    for encoding in ENCODINGS:
        q = weights.get(encoding, weights.get("*", 0.0))
        if q > 0:
            return encoding
    return None


def compress(body: bytes, encoding: str) -> bytes:
    """The whole body in one encoding."""
    if encoding == "zstd":
        return zstandard.ZstdCompressor(level=_ZSTD_LEVEL, write_content_size=True).compress(body)
    compressor = zlib.compressobj(_GZIP_LEVEL, zlib.DEFLATED, 31)  # 31: the gzip container
    return compressor.compress(body) + compressor.flush()


def _stream(chunks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    compress_chunk: Callable[[bytes], bytes]
    finish: Callable[[], bytes]
    if encoding == "zstd":
        zobj = zstandard.ZstdCompressor(level=_ZSTD_LEVEL).compressobj()
        compress_chunk, finish = zobj.compress, zobj.flush
    else:
        gobj = zlib.compressobj(_GZIP_LEVEL, zlib.DEFLATED, 31)
        compress_chunk, finish = gobj.compress, gobj.flush
    try:
        for chunk in chunks:
            out = compress_chunk(chunk)
            if out:
                yield out
        yield finish()
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def compressible(headers: list[tuple[str, str]]) -> bool:
    """Whether an answer with these headers may be compressed (type, not yet encoded, no-transform)."""
    kind = ""
    for name, value in headers:
        lower = name.lower()
        if lower == "content-encoding":
            return False
        if lower == "cache-control" and "no-transform" in value.lower():
            return False
        if lower == "content-type":
            kind = value.lower()
    return kind.startswith(_COMPRESSIBLE)


def add_vary(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers with Accept-Encoding in Vary (a cache must not mix encodings)."""
    for index, (name, value) in enumerate(headers):
        if name.lower() == "vary":
            if "accept-encoding" not in value.lower():
                headers[index] = (name, f"{value}, Accept-Encoding")
            return headers
    headers.append(("Vary", "Accept-Encoding"))
    return headers


def encoded_etag(etag: str, encoding: str | None) -> str:
    """The entity tag of one encoding of an answer: each representation has its own."""
    if not encoding or not etag.endswith('"'):
        return etag
    return f'{etag[:-1]}-{encoding}"'


def base_etag(tag: str) -> str:
    """The entity tag without its encoding suffix (what a view compares)."""
    tag = tag.strip().removeprefix("W/")
    for encoding in ENCODINGS:
        suffix = f'-{encoding}"'
        if tag.endswith(suffix):
            return tag[: -len(suffix)] + '"'
    return tag


class CompressionMiddleware:
    """Compresses answers the cache did not already encode, streaming ones included."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        encoding = negotiate(environ.get("HTTP_ACCEPT_ENCODING", ""))
        chosen: list[str | None] = [None]
        started = [False]

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[0] = True
            if not compressible(headers) or not status.startswith(("200 ", "201 ", "4", "5")):
                return (
                    start_response(status, headers, exc_info) if exc_info else start_response(status, headers)
                )
            headers = add_vary(list(headers))
            length = next(
                (int(v) for n, v in headers if n.lower() == "content-length" and v.isascii() and v.isdigit()),
                None,
            )
            if (
                encoding
                and environ.get("REQUEST_METHOD") != "HEAD"
                and (length is None or length >= MIN_SIZE)
            ):
                chosen[0] = encoding
                headers = [
                    (n, encoded_etag(v, encoding) if n.lower() == "etag" else v)
                    for n, v in headers
                    if n.lower() != "content-length"
                ]
                headers.append(("Content-Encoding", encoding))
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = self.app(environ, start)
        if started[0]:
            return body if chosen[0] is None else _stream(body, chosen[0])
        # start_response may come with the first chunk (a generator): decide after it.
        iterator = iter(body)
        try:
            first = next(iterator)
        except StopIteration:
            return body
        rest = _chain(first, iterator, body)
        return rest if chosen[0] is None else _stream(rest, chosen[0])


def _chain(first: bytes, rest: Iterator[bytes], original: Iterable[bytes]) -> Iterator[bytes]:
    try:
        yield first
        yield from rest
    finally:
        close = getattr(original, "close", None)
        if close is not None:
            close()
