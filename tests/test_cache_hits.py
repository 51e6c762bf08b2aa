"""Cache hits: readers nobody signed in as get the stored bytes, as stored, whatever cookie they hold."""

import zstandard
from flask import Flask
from flask.testing import FlaskClient

from timeline.web.cache import _EXT

from support.app import load_doc
from support.data import small_doc
from support.web import csrf_token

ZSTD = {"Accept-Encoding": "gzip, deflate, br, zstd"}
PAGE = "/actors/russia.json"


def _stored(app: Flask, path: str):  # noqa: ANN202
    entries = [entry for key, entry in app.extensions[_EXT].store.entries.items() if key[1] == path]
    assert len(entries) == 1, path
    return entries[0]


def _no_flask(app: Flask, monkeypatch) -> None:
    def must_not_run(*_args, **_kwargs):
        raise AssertionError("Flask answered a request the store holds the answer to")

    monkeypatch.setattr(app, "full_dispatch_request", must_not_run)


def _anonymous_with_session(app: Flask) -> FlaskClient:
    """A reader who opened a form (its CSRF token lives in a session cookie) and never signed in."""
    reader = app.test_client()
    assert reader.get("/login").status_code == 200
    assert reader.get_cookie("session") is not None
    return reader


def test_a_reader_with_an_anonymous_session_gets_the_stored_bytes_without_flask(
    app: Flask, client: FlaskClient, monkeypatch
) -> None:
    load_doc(app, small_doc())
    first = client.get(PAGE)
    compressed = client.get(PAGE, headers=ZSTD)
    reader = _anonymous_with_session(app)
    _no_flask(app, monkeypatch)
    plain = reader.get(PAGE)
    assert plain.status_code == 200 and plain.get_data() == first.get_data()
    for header in ("Content-Type", "Content-Security-Policy", "X-Frame-Options", "ETag", "Vary"):
        assert plain.headers[header] == first.headers[header], header
    assert "Set-Cookie" not in plain.headers
    encoded = reader.get(PAGE, headers=ZSTD)
    assert encoded.headers["Content-Encoding"] == "zstd"
    assert encoded.get_data() == compressed.get_data() == _stored(app, PAGE).encoded["zstd"]
    assert zstandard.ZstdDecompressor().decompressobj().decompress(encoded.get_data()) == first.get_data()
    assert encoded.headers["ETag"] == compressed.headers["ETag"] != first.headers["ETag"]
    again = reader.get(PAGE, headers={**ZSTD, "If-None-Match": encoded.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == encoded.headers["ETag"]


def test_an_editor_who_signs_out_sees_the_message_then_the_stored_page(
    app: Flask, editor: FlaskClient
) -> None:
    load_doc(app, small_doc())
    stored = app.test_client().get("/actors/russia").get_data(as_text=True)  # a reader fills the store
    assert editor.post("/logout", data={"csrf_token": csrf_token(editor)}).status_code == 303
    shown = editor.get("/actors/russia").get_data(as_text=True)  # the flashed message waits in the session
    assert "Signed out." in shown and "Sign out" not in shown
    later = editor.get("/actors/russia")
    assert later.status_code == 200 and later.get_data(as_text=True) == stored


def test_a_signed_in_editor_gets_the_page_made_for_them_even_after_readers_filled_the_store(
    app: Flask, editor: FlaskClient
) -> None:
    load_doc(app, small_doc())
    reader = _anonymous_with_session(app)
    for _ in range(2):
        assert "Sign out" not in reader.get("/actors/russia").get_data(as_text=True)
    for _ in range(2):
        page = editor.get("/actors/russia")
        assert "ETag" not in page.headers and "Sign out" in page.get_data(as_text=True)


def test_a_request_flask_checks_first_is_served_the_stored_encoding_too(
    app: Flask, client: FlaskClient
) -> None:
    load_doc(app, small_doc())
    plain = client.get(PAGE)
    compressed = client.get(PAGE, headers=ZSTD)
    # A token that signs nobody in: Flask-Login looks at it, then the view's cache serves the page.
    unknown = {**ZSTD, "Authorization": "Bearer not-a-token"}
    for _ in range(2):
        answer = client.get(PAGE, headers=unknown)
        assert answer.status_code == 200 and answer.headers["Content-Encoding"] == "zstd"
        assert answer.get_data() == compressed.get_data() == _stored(app, PAGE).encoded["zstd"]
        assert int(answer.headers["Content-Length"]) == len(answer.get_data())
        assert answer.headers["ETag"] == compressed.headers["ETag"]
        assert "Accept-Encoding" in answer.headers["Vary"]
    revalidated = client.get(PAGE, headers={**unknown, "If-None-Match": compressed.headers["ETag"]})
    assert revalidated.status_code == 304 and revalidated.headers["ETag"] == compressed.headers["ETag"]
    identity = client.get(PAGE, headers={"Authorization": "Bearer not-a-token"})
    assert "Content-Encoding" not in identity.headers and identity.get_data() == plain.get_data()


def test_a_page_made_for_a_readers_session_is_not_stored_for_others(app: Flask, monkeypatch) -> None:
    load_doc(app, small_doc())
    reader = _anonymous_with_session(app)
    assert reader.get(PAGE).status_code == 200  # made while that reader's session (its CSRF token) was open
    assert not [key for key in app.extensions[_EXT].store.entries if key[1] == PAGE]
    first = app.test_client().get(PAGE)  # made for no one: stored, then served to the reader too
    _no_flask(app, monkeypatch)
    assert reader.get(PAGE).get_data() == first.get_data()
