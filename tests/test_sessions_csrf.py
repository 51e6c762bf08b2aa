"""CSRF is skipped only for requests a valid API token authenticated, never because some
`Authorization: Bearer` header came along with a browser session."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from timeline.db import get_session, write_session
from timeline.models import Event
from timeline.services import accounts

from support.app import create_user, load_doc
from support.data import small_doc
from support.web import csrf_token, login

NEW_EVENT = {
    "actor": "russia",
    "kind": "statement",
    "title": "Sent without a CSRF token",
    "date": "2021-01",
    "stances": [{"topic": "jcpoa", "score": 1}],
}
FORM = {
    "actor": "russia",
    "kind": "statement",
    "date": "2020-12-20",
    "title": "Sent without a CSRF token",
    "confidence": "high",
    "save": "Save event",
}


@pytest.fixture
def browser(app: Flask, client: FlaskClient) -> FlaskClient:
    """An editor signed in with a session cookie, on a small dataset."""
    load_doc(app, small_doc())
    create_user(app, "ed")
    assert login(client, "ed").status_code == 303
    return client


def event_count(app: Flask) -> int:
    with app.app_context():
        return int(get_session().execute(select(func.count()).select_from(Event)).scalar_one())


def issue(app: Flask, name: str) -> str:
    with app.app_context(), write_session() as session:
        return accounts.issue_token(session, name)


@pytest.mark.parametrize("header", ["Bearer x", "Bearer st_forged", "bearer anything-at-all"])
def test_a_session_with_a_bogus_bearer_header_still_needs_csrf(app: Flask, browser, header: str) -> None:
    before = event_count(app)
    api = browser.post("/api/v1/events", json=NEW_EVENT, headers={"Authorization": header})
    assert api.status_code in (400, 401), api.status_code
    form = browser.post("/events", data=FORM, headers={"Authorization": header})
    assert form.status_code in (302, 400), form.status_code
    assert event_count(app) == before  # nothing stored either way


def test_a_revoked_token_does_not_lift_csrf(app: Flask, browser) -> None:
    create_user(app, "robot")
    token = issue(app, "robot")
    with app.app_context(), write_session() as session:
        accounts.disable_user(session, "robot")
    before = event_count(app)
    response = browser.post("/api/v1/events", json=NEW_EVENT, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert event_count(app) == before


def test_a_valid_token_is_enough_and_acts_as_its_owner(app: Flask, browser) -> None:
    create_user(app, "robot")
    token = issue(app, "robot")
    response = browser.post("/api/v1/events", json=NEW_EVENT, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_data(as_text=True)
    uid = response.get_json()["uid"]
    # The change is the token owner's, not the signed-in browser's editor.
    assert uid in browser.get("/audit?editor=robot").get_data(as_text=True)
    assert uid not in browser.get("/audit?editor=ed").get_data(as_text=True)


def test_the_session_with_its_csrf_token_still_writes(app: Flask, browser) -> None:
    response = browser.post("/api/v1/events", json=NEW_EVENT, headers={"X-CSRFToken": csrf_token(browser)})
    assert response.status_code == 201
