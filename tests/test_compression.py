"""Compressed answers: zstd or gzip by Accept-Encoding, stored pages compressed once, exports on the fly."""

import gzip
import re

import pytest
import zstandard
from flask import Flask

from timeline.web.cache import _EXT
from timeline.web.compression import negotiate


def _no_time(body: bytes) -> bytes:
    return re.sub(rb'"exported_at": ?"[^"]*"', b"", body)


def _decode(body: bytes, encoding: str | None) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "zstd":
        return zstandard.ZstdDecompressor().decompressobj().decompress(body)
    return body


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", None),
        ("gzip", "gzip"),
        ("gzip, deflate, br, zstd", "zstd"),
        ("zstd;q=0, gzip", "gzip"),
        ("gzip;q=0", None),
        ("*", "zstd"),
        ("*;q=0, identity", None),
        ("br", None),
        ("GZIP;Q=0.5", "gzip"),
        ("gzip;q=abc", None),
    ],
)
def test_the_encoding_is_negotiated_from_accept_encoding(header: str, expected: str | None) -> None:
    assert negotiate(header) == expected


@pytest.mark.parametrize("encoding", ["gzip", "zstd"])
def test_a_stored_page_is_served_compressed_and_decodes_to_the_same_bytes(
    seeded: Flask, encoding: str
) -> None:
    client = seeded.test_client()
    plain = client.get("/actors/iran.json")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    raw = plain.get_data()
    first = client.get("/actors/iran.json", headers={"Accept-Encoding": encoding})
    again = client.get("/actors/iran.json", headers={"Accept-Encoding": encoding})
    for answer in (first, again):
        assert answer.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in answer.headers["Vary"]
        assert int(answer.headers["Content-Length"]) == len(answer.get_data())
        assert _decode(answer.get_data(), encoding) == raw
    assert len(first.get_data()) < len(raw) / 3
    # Each encoding has its own entity tag, and a client's own tag gets a 304.
    assert again.headers["ETag"] != plain.headers["ETag"]
    revalidated = client.get(
        "/actors/iran.json", headers={"Accept-Encoding": encoding, "If-None-Match": again.headers["ETag"]}
    )
    assert revalidated.status_code == 304 and revalidated.headers["ETag"] == again.headers["ETag"]
    # Compressed once: the stored entry keeps the encoded body that every later request gets.
    store = seeded.extensions[_EXT].store
    kept = [entry for key, entry in store.entries.items() if key[1] == "/actors/iran.json"]
    assert kept and kept[0].encoded[encoding] == again.get_data()


def test_a_client_that_refuses_every_encoding_gets_the_identity(seeded: Flask) -> None:
    client = seeded.test_client()
    for _ in range(2):
        answer = client.get("/actors/iran.json", headers={"Accept-Encoding": "gzip;q=0, zstd;q=0"})
        assert "Content-Encoding" not in answer.headers
        assert answer.get_json()["actor"] == "iran"


@pytest.mark.parametrize("path", ["/export.json", "/export.csv"])
@pytest.mark.parametrize("encoding", ["gzip", "zstd"])
def test_streamed_exports_are_compressed_on_the_fly(seeded: Flask, path: str, encoding: str) -> None:
    client = seeded.test_client()
    raw = client.get(path).get_data()
    answer = client.get(path, headers={"Accept-Encoding": encoding})
    assert answer.is_streamed
    assert answer.headers["Content-Encoding"] == encoding and "Content-Length" not in answer.headers
    # The same bytes but for the export's own time, which may tick between the two requests.
    assert _no_time(_decode(answer.get_data(), encoding)) == _no_time(raw)
    assert len(answer.get_data()) < len(raw) / 3


def test_editors_pages_and_api_answers_are_compressed_too(seeded: Flask, editor) -> None:
    page = editor.get("/actors/iran", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Sign out" in gzip.decompress(page.get_data()).decode()
    api = seeded.test_client().get("/api/v1/events?per_page=50", headers={"Accept-Encoding": "zstd"})
    assert api.headers["Content-Encoding"] == "zstd"
    assert b'"items"' in _decode(api.get_data(), "zstd")


def test_small_answers_and_images_are_left_alone(seeded: Flask) -> None:
    client = seeded.test_client()
    health = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in health.headers and health.get_json()["status"] == "ok"
    missing = client.get("/actors/nobody-at-all", headers={"Accept-Encoding": "gzip"})
    assert missing.status_code == 404
