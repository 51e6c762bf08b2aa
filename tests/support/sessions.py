"""Helpers for session tests: is a client signed in, copies of its cookie, a page's CSRF token."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

PROTECTED = "/audit"  # any editors-only page


def signed_in(client: FlaskClient) -> bool:
    """Whether this client's session is an editor's: the editors-only page answers instead of sending
    the visitor to the sign-in page."""
    response = client.get(PROTECTED)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of this client's session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None, "signed-in clients carry a session cookie"
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    return other


def page_token(client: FlaskClient, path: str = PROTECTED) -> str:
    """The CSRF token in a page's forms (the sign-out form is on every page for editors)."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, page
    return match.group(1)
