"""Webhook test helpers: an app delivering to the local HTTPS receiver, registering, delivering."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from timeline import work
from timeline.db import get_session
from timeline.models import Webhook, WebhookDelivery
from timeline.services import webhooks

from support.app import create_user, load_doc, make_app
from support.data import small_doc
from support.web import csrf_token, login


def webhook_app(db_url: str, ca_file: str, **config: Any) -> Flask:
    """An app that delivers at once to the test receiver (its CA trusted), with the small dataset."""
    settings = {
        "ALLOW_PRIVATE_ADDRESSES": True,  # the receiver listens on loopback
        "WEBHOOK_CA_FILE": ca_file,
        "WEBHOOK_RETRY_SECONDS": 0,
        "WEBHOOK_MAX_ATTEMPTS": 3,
        "WEBHOOK_TIMEOUT": 5,
        **config,
    }
    app = make_app(db_url, **settings)
    load_doc(app, small_doc())
    return app


def editor_client(app: Flask) -> FlaskClient:
    """A client of the app, signed in as the editor "ed"."""
    client = app.test_client()
    create_user(app, "ed")
    assert login(client, "ed").status_code == 303
    return client


def register(client: FlaskClient, url: str, events: list[str]) -> Any:
    return client.post(
        "/admin/webhooks", data={"csrf_token": csrf_token(client), "url": url, "events": events}
    )


def the_hook(app: Flask) -> Webhook:
    with app.app_context():
        return get_session().execute(select(Webhook)).scalars().one()


def deliveries(app: Flask) -> list[WebhookDelivery]:
    with app.app_context():
        return list(get_session().execute(select(WebhookDelivery).order_by(WebhookDelivery.id)).scalars())  # type: ignore[arg-type]


def deliver(app: Flask) -> webhooks.DeliveryReport:
    with app.app_context():
        return work.deliver_webhooks()
