"""Webhook `stance.changed` (issue 18): a write that creates, moves or removes a shift or reversal is
delivered, signed, to the webhooks that chose it, by the scheduler's job (never in the request)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from standardwebhooks import Webhook as Verifier

from timeline.db import get_session, write_session
from timeline.services import events as event_service
from timeline.services import stance_alerts

from support.receiver import Receiver, https_receiver
from support.webhooks import deliver, editor_client, register, the_hook, webhook_app


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    with https_receiver(tmp_path) as r:
        yield r


def body(uid: str, date: str, score: int) -> dict[str, Any]:
    return {
        "uid": uid,
        "actor": "vladimir-putin",
        "kind": "statement",
        "title": f"Statement {uid}",
        "date": date,
        "stances": [{"topic": "us-sanctions", "score": score}],
    }


def write(app: Flask, action: str, uid: str, date: str = "", score: int = 0) -> None:
    with app.app_context(), write_session() as session:
        if action == "create":
            event_service.submit_event(session, body(uid, date, score))
            return
        event = next(e for e in _events(session) if e.uid == uid)
        if action == "edit":
            event_service.update_event(session, event.id, body(uid, date, score), expected_version=None)
        else:
            event_service.delete_event(session, event.id)


def _events(session: Any) -> list[Any]:
    from timeline import queries

    putin = queries.actor_by_slug(session, "vladimir-putin")
    assert putin is not None and putin.id is not None
    return list(queries.events_for_actors(session, [putin.id]))


def received(receiver: Receiver, secret: str, start: int = 0) -> list[dict[str, Any]]:
    verifier = Verifier(secret)
    return [verifier.verify(r.body, r.headers) for r in receiver.requests[start:]]  # raises if forged


def summary(delivery: dict[str, Any]) -> tuple[str, str, str, str, int, int]:
    data = delivery["data"]
    change = data["stance_change"]
    return (
        data["action"],
        change["before"]["event_uid"],
        change["after"]["event_uid"],
        change["change"],
        change["from_score"],
        change["to_score"],
    )


def history_changes(app: Flask) -> dict[stance_alerts.Key, Any]:
    with app.app_context():
        return stance_alerts.current_changes(get_session())


def test_created_moved_and_removed_changes_are_delivered_once(db_url: str, receiver: Receiver) -> None:
    app = webhook_app(db_url, receiver.ca_file)
    client = editor_client(app)
    assert register(client, receiver.url, ["stance.changed"]).status_code == 303
    secret = the_hook(app).secret
    assert deliver(app).filed == 0  # the job's first run takes stock: nothing has changed yet
    before = history_changes(app)

    write(app, "create", "p-1", "2030-01-10", 1)
    write(app, "create", "p-2", "2030-03-10", -1)
    assert receiver.requests == []  # the writes sent nothing: the job does
    report = deliver(app)
    assert (report.filed, report.delivered) == (1, 1)
    [created] = received(receiver, secret)
    assert created["type"] == "stance.changed"
    assert summary(created) == ("created", "p-1", "p-2", "reversal", 1, -1)
    change = created["data"]["stance_change"]
    assert (change["speaker"], change["topic"]) == ("vladimir-putin", "us-sanctions")
    assert change["after"]["date"] == "2030-03-10" and change["after"]["title"] == "Statement p-2"
    # Exactly what the history service computes now, and nothing else moved.
    after = history_changes(app)
    assert set(after) - set(before) == {("us-sanctions", "vladimir-putin", "p-2")}

    # An edit that changes a score moves the change: from +1 to -1 becomes a shift from +1 to 0.
    write(app, "edit", "p-2", "2030-03-10", 0)
    # A statement between the two: the change into p-2 now comes from it (+1 -> +1 is no change).
    write(app, "create", "p-3", "2030-02-10", 1)
    assert deliver(app).delivered == 1  # one run: the change moved (however many writes moved it)
    [moved] = received(receiver, secret, 1)
    assert summary(moved) == ("moved", "p-3", "p-2", "shift", 1, 0)
    assert (moved["data"]["previous"]["before"]["event_uid"], moved["data"]["previous"]["to_score"]) == (
        "p-1",
        -1,
    )

    write(app, "delete", "p-2")
    assert deliver(app).delivered == 1
    [removed] = received(receiver, secret, 2)
    assert summary(removed) == ("removed", "p-3", "p-2", "shift", 1, 0)
    assert removed["data"]["stance_change"]["speaker"] == "vladimir-putin"
    assert history_changes(app) == before  # back where it started

    assert deliver(app).filed == 0 and len(receiver.requests) == 3  # nothing is sent twice
    # A write that creates, moves or removes no change sends nothing.
    write(app, "create", "p-4", "2031-01-10", 1)
    assert deliver(app).filed == 0 and len(receiver.requests) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 3


def test_only_subscribers_hear_of_stance_changes(db_url: str, receiver: Receiver) -> None:
    app = webhook_app(db_url, receiver.ca_file)
    client = editor_client(app)
    assert register(client, receiver.url, ["event.created"]).status_code == 303
    deliver(app)
    write(app, "create", "q-1", "2030-01-10", 1)
    write(app, "create", "q-2", "2030-03-10", -1)
    deliver(app)
    types = [d["type"] for d in received(receiver, the_hook(app).secret)]
    assert types == ["event.created", "event.created"]  # no stance.changed: it was not chosen


def test_a_subscriber_for_both_gets_the_statement_and_the_stance_change(
    db_url: str, receiver: Receiver
) -> None:
    app = webhook_app(db_url, receiver.ca_file)
    client = editor_client(app)
    assert register(client, receiver.url, ["event.created", "stance.changed"]).status_code == 303
    deliver(app)
    write(app, "create", "r-1", "2030-01-10", 1)
    write(app, "create", "r-2", "2030-03-10", 2)
    report = deliver(app)
    assert (report.filed, report.delivered, report.failed) == (3, 3, 0)
    bodies = received(receiver, the_hook(app).secret)
    assert sorted(b["type"] for b in bodies) == ["event.created", "event.created", "stance.changed"]
    [stance] = [b for b in bodies if b["type"] == "stance.changed"]
    assert summary(stance) == ("created", "r-1", "r-2", "shift", 1, 2)
