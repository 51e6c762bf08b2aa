"""The webhook pages: editors register an https URL and event types; bad input names the field."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from timeline.db import get_session
from timeline.models import Webhook

from support.web import csrf_token


def count(app: Flask) -> int:
    with app.app_context():
        return int(get_session().execute(select(func.count()).select_from(Webhook)).scalar_one())


def post(client: FlaskClient, url: str, events: list[str]):
    return client.post(
        "/admin/webhooks", data={"csrf_token": csrf_token(client), "url": url, "events": events}
    )


def test_bad_input_names_the_field_and_stores_nothing(app: Flask, editor: FlaskClient) -> None:
    cases = [
        ("http://example.org/hook", ["event.created"], "URL: must be an https:// address"),
        ("", ["event.created"], "URL: an https:// address is required"),
        ("https://exa mple.org/", ["event.created"], "URL: must be an https:// address"),
        ("https://example.org/" + "a" * 2000, ["event.created"], "URL: must be an https:// address"),
        ("https://10.0.0.8/hook", ["event.created"], "private or local network"),
        ("https://example.org/hook", [], "Events: choose one or more of"),
        ("https://example.org/hook", ["event.exploded"], "Events: unknown event type “event.exploded”"),
    ]
    for url, events, message in cases:
        response = post(editor, url, events)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, url
        assert message in page, (url, events)
        assert url[:100] in page  # what was sent stays in the form
    assert count(app) == 0


def test_an_editor_registers_sees_and_deletes_a_webhook(app: Flask, editor: FlaskClient) -> None:
    response = post(editor, "https://example.org/hook", ["event.deleted", "stance.changed"])
    assert response.status_code == 303
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "https://example.org/hook" in page and "whsec_" in page and "No deliveries yet" in page
    listing = editor.get("/admin/webhooks").get_data(as_text=True)
    assert "event.deleted, stance.changed" in listing and "nothing sent yet" in listing
    with app.app_context():
        hook = get_session().execute(select(Webhook)).scalars().one()
    assert hook.events == ["event.deleted", "stance.changed"]  # stance.changed: declared, sent later
    deleted = editor.post(f"/admin/webhooks/{hook.id}/delete", data={"csrf_token": csrf_token(editor)})
    assert deleted.status_code == 303 and count(app) == 0
    assert (
        editor.post("/admin/webhooks/999/delete", data={"csrf_token": csrf_token(editor)}).status_code == 404
    )
    assert editor.get("/admin/webhooks/999").status_code == 404


def test_only_editors_see_or_change_webhooks(app: Flask, client: FlaskClient) -> None:
    assert client.get("/admin/webhooks").status_code in (302, 303, 401)
    response = client.post(
        "/admin/webhooks", data={"csrf_token": csrf_token(client), "url": "https://e.org/h"}
    )
    assert response.status_code in (302, 303, 401)
    assert count(app) == 0
