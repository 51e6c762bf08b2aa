"""The browser side of the forms, through Flask's test client: CSRF tokens, sign-in, the event form."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from support.data import PASSWORD

CSRF_FIELD = r'name="csrf_token" type="hidden" value="([^"]+)"'


def found(pattern: str, text: str) -> str:
    """The first group of the pattern's first match in the text; fails the test when nothing matches."""
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found in {text[:2000]!r}"
    return match.group(1)


def csrf_token(client: FlaskClient) -> str:
    """The CSRF token of the client's session, read from the sign-in form."""
    page = client.get("/login").get_data(as_text=True)
    match = re.search(CSRF_FIELD, page)
    assert match, "the form must carry a CSRF token"
    return match.group(1)


def login(client: FlaskClient, name: str, password: str = PASSWORD, next_url: str = "") -> TestResponse:
    return client.post(
        "/login",
        data={"csrf_token": csrf_token(client), "name": name, "password": password, "next": next_url},
    )


def form_data(client: FlaskClient, **overrides: Any) -> dict[str, Any]:
    """A valid add-event form (Russia on the JCPOA), with `overrides` applied."""
    data: dict[str, Any] = {
        "csrf_token": csrf_token(client),
        "actor": "russia",
        "kind": "statement",
        "date": "2020-12-20",
        "title": "Russia urges the US to rejoin",
        "quote": "We urge the United States to return to the deal.",
        "source_url": "https://example.org/statement",
        "confidence": "high",
        "stances-0-topic": "jcpoa",
        "stances-0-score": "1",
        "stances-0-rationale": "supports the deal",
        "save": "Save event",
    }
    data.update(overrides)
    return data


def edit_data(client: FlaskClient, event_id: int, **changes: str) -> dict[str, str]:
    """The event's edit form as it stands (inputs, chosen options, text areas), with `changes` applied."""
    page = client.get(f"/events/{event_id}/edit").get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    fields.update({k: v for k, v in re.findall(r'<input[^>]*value="([^"]*)"[^>]*name="([^"]+)"', page)[::-1]})
    selects = re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S)
    for name, options in selects:
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', options)
        fields[name] = (chosen.group(1) or chosen.group(2)) if chosen else ""
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', page, re.S):
        fields[name] = value
    fields.pop("add_row", None)
    fields.update(changes)
    return fields
