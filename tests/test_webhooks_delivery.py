"""Webhook deliveries: signed once, retried with backoff then marked failed, sent with no lock held."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from standardwebhooks import Webhook as Verifier

from timeline import create_app, jobs, work
from timeline.db import get_session, write_session
from timeline.models import Webhook, WebhookDelivery
from timeline.schemas import ActorIn
from timeline.services import actors as actor_service
from timeline.services import webhooks

import conftest
from conftest import create_user, csrf_token, load_doc, login, small_doc
from support.changes import create, delete, edit
from support.locks import write_lock_free
from support.receiver import Receiver, https_receiver


def make(db_url: str, ca_file: str, **config: Any) -> Flask:
    settings = {
        "TESTING": True,
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test-secret",
        "ALLOW_PRIVATE_ADDRESSES": True,  # the receiver listens on loopback
        "WEBHOOK_CA_FILE": ca_file,
        "WEBHOOK_RETRY_SECONDS": 0,
        "WEBHOOK_MAX_ATTEMPTS": 3,
        "WEBHOOK_TIMEOUT": 5,
        **config,
    }
    app = create_app(settings)
    conftest._APPS.append(app)
    load_doc(app, small_doc())
    return app


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    with https_receiver(tmp_path) as r:
        yield r


def signed_in(app: Flask) -> FlaskClient:
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


def readme_verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The README's verification snippet, standard library only."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    fresh = abs(time.time() - int(headers["webhook-timestamp"])) < 300
    return fresh and any(
        hmac.compare_digest(expected, s.removeprefix("v1,")) for s in headers["webhook-signature"].split()
    )


def test_each_change_is_delivered_once_with_a_valid_signature(db_url: str, receiver: Receiver) -> None:
    app = make(db_url, receiver.ca_file)
    client = signed_in(app)
    response = register(client, receiver.url, ["event.created", "event.updated", "event.deleted"])
    assert response.status_code == 303
    hook = the_hook(app)
    assert hook.secret.startswith("whsec_")

    event_id = create(app, "hooked", "First")
    edit(app, event_id, "hooked", "Second")
    with app.app_context(), write_session() as session:  # not subscribed: actors are not statements
        actor_service.create_actor(session, ActorIn(slug="iran", name="Iran", kind="government"))
    assert receiver.requests == []  # nothing is sent by the requests that made the changes
    report = deliver(app)
    assert (report.filed, report.delivered, report.failed) == (2, 2, 0)
    delete(app, event_id)
    assert deliver(app).delivered == 1
    assert deliver(app).delivered == 0  # a further run sends nothing again
    assert len(receiver.requests) == 3
    verifier = Verifier(hook.secret)
    bodies = [verifier.verify(r.body, r.headers) for r in receiver.requests]  # raises on a bad signature
    assert all(readme_verify(hook.secret, r.headers, r.body) for r in receiver.requests)
    assert [b["type"] for b in bodies] == ["event.created", "event.updated", "event.deleted"]
    assert [b["data"]["key"] for b in bodies] == ["hooked"] * 3
    assert bodies[1]["data"]["record"]["title"] == "Second"
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 3
    assert all(r.headers["content-type"] == "application/json" for r in receiver.requests)
    # A tampered body or a wrong secret does not verify.
    tampered = receiver.requests[0].body.replace(b"hooked", b"hacked")
    assert not readme_verify(hook.secret, receiver.requests[0].headers, tampered)
    assert not readme_verify(webhooks.new_secret(), receiver.requests[0].headers, receiver.requests[0].body)

    page = client.get(f"/admin/webhooks/{hook.id}").get_data(as_text=True)
    assert "delivered (200)" in page and page.count("outcome-delivered") == 3
    assert "delivered (200)" in client.get("/admin/webhooks").get_data(as_text=True)


def test_changes_before_registration_are_not_sent(db_url: str, receiver: Receiver) -> None:
    app = make(db_url, receiver.ca_file)
    create(app, "before", "Before")
    client = signed_in(app)
    assert register(client, receiver.url, ["event.created"]).status_code == 303
    create(app, "after", "After")
    deliver(app)
    assert [json.loads(r.body)["data"]["key"] for r in receiver.requests] == ["after"]


def test_a_failing_receiver_is_retried_then_marked_failed(db_url: str, receiver: Receiver) -> None:
    receiver.statuses = [500]
    app = make(db_url, receiver.ca_file)
    client = signed_in(app)
    register(client, receiver.url, ["event.created"])
    create(app, "doomed", "Never arrives")
    reports = [deliver(app) for _ in range(4)]
    assert [(r.retrying, r.failed) for r in reports] == [(1, 0), (1, 0), (0, 1), (0, 0)]
    assert len(receiver.requests) == 3  # WEBHOOK_MAX_ATTEMPTS
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1  # the same message each time
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 3, 500)
    hook = the_hook(app)
    assert hook.last_status is not None and hook.last_status.startswith("failed after 3 attempts")
    page = client.get(f"/admin/webhooks/{hook.id}").get_data(as_text=True)
    assert "outcome-failed" in page and "failed after 3 attempts" in page


def test_a_receiver_that_recovers_gets_the_delivery_once(db_url: str, receiver: Receiver) -> None:
    receiver.statuses = [503, 200]
    app = make(db_url, receiver.ca_file)
    register(signed_in(app), receiver.url, ["event.created"])
    create(app, "later", "Arrives on the retry")
    assert deliver(app).retrying == 1
    assert deliver(app).delivered == 1
    assert deliver(app).delivered == 0
    assert [d.status for d in deliveries(app)] == ["delivered"]
    assert len(receiver.requests) == 2


def test_retries_wait_longer_each_time(db_url: str, receiver: Receiver) -> None:
    receiver.statuses = [500]
    app = make(db_url, receiver.ca_file, WEBHOOK_RETRY_SECONDS=60)
    register(signed_in(app), receiver.url, ["event.created"])
    create(app, "slow", "Backs off")
    deliver(app)
    deliver(app)  # not due yet: nothing sent
    assert len(receiver.requests) == 1
    [delivery] = deliveries(app)
    assert delivery.next_attempt_at is not None and delivery.last_error == "the receiver answered 500"
    wait = delivery.next_attempt_at - delivery.created_at
    assert timedelta(seconds=55) <= wait <= timedelta(seconds=65)
    assert [webhooks.backoff(n, 60).total_seconds() for n in (1, 2, 3, 4, 10)] == [60, 120, 240, 480, 3600]


def test_a_delivery_holds_no_database_lock(db_url: str, receiver: Receiver) -> None:
    """While the receiver is answering, other writes (to the webhook's own row too) go through at once."""
    app = make(db_url, receiver.ca_file, SQLITE_BUSY_TIMEOUT_MS=300)
    register(signed_in(app), receiver.url, ["event.created"])
    create(app, "first", "First")
    written: list[str] = []

    def meanwhile() -> None:
        assert write_lock_free(db_url)
        create(app, f"meanwhile-{len(written)}", "Written during a delivery")
        with app.app_context(), write_session(bookkeeping=True) as session:
            session.execute(update(Webhook).values(last_status="touched during the delivery"))
        written.append("ok")

    receiver.during = meanwhile
    assert deliver(app).delivered == 1
    assert receiver.errors == [] and written == ["ok"]


def test_the_private_address_guard_applies(db_url: str, receiver: Receiver) -> None:
    app = make(db_url, receiver.ca_file, ALLOW_PRIVATE_ADDRESSES=False)
    client = signed_in(app)
    refused = register(client, receiver.url, ["event.created"])  # https://127.0.0.1:PORT/hook
    assert refused.status_code == 422 and "private or local network" in refused.get_data(as_text=True)
    # A name is checked where it connects: "localhost" resolves to loopback, so nothing is sent.
    named = receiver.url.replace("127.0.0.1", "localhost")
    assert register(client, named, ["event.created"]).status_code == 303
    create(app, "inside", "Never sent inside")
    assert deliver(app).retrying == 1
    assert receiver.requests == []
    [delivery] = deliveries(app)
    assert "private or local network" in (delivery.last_error or "")


def test_the_scheduler_job_sends_them(db_url: str, receiver: Receiver) -> None:
    app = make(db_url, receiver.ca_file)
    register(signed_in(app), receiver.url, ["event.created"])
    create(app, "via-job", "Sent by the job")
    assert "webhooks" in jobs.JOBS
    run = jobs.run_job(app, "webhooks")
    assert run.outcome == "ok" and run.message == "1 filed, 1 delivered, 0 to retry, 0 failed"
    assert len(receiver.requests) == 1
