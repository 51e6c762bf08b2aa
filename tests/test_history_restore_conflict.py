"""Restoring a version whose content today's rules refuse (a date an older parser accepted): the service
raises Conflict, the one error handler answers 409 with the reason, and nothing is stored."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlmodel import col, select

from timeline.db import get_session, write_session
from timeline.models import Event, Revision
from timeline.services import event_history
from timeline.services.errors import Conflict

from support.app import id_of, load_doc
from support.data import small_doc
from support.web import csrf_token

REFUSED = "“2021-02-30” is not a valid date"


@pytest.fixture
def old_version(app: Flask, editor: FlaskClient) -> tuple[int, int, int]:
    """(event id, revision id, event version): the event's first version, its date made one that today's
    parser refuses, as if an older parser had stored it."""
    load_doc(app, small_doc())
    with app.app_context(), write_session() as session:
        event = session.exec(select(Event).where(col(Event.uid) == "e-2019")).one()
        rev = session.exec(
            select(Revision).where(col(Revision.entity) == "event", col(Revision.entity_id) == event.id)
        ).first()
        assert rev is not None and rev.after is not None
        after = {**rev.after, "date": "2021-02-30"}
        session.execute(update(Revision).where(col(Revision.id) == rev.id).values(after=after))
        return id_of(event), id_of(rev), event.version


def state(app: Flask, event_id: int) -> tuple[str, str, int, int]:
    """What a restore would change: the event's date, title and version, and how many revisions it has."""
    with app.app_context():
        event = get_session().get(Event, event_id)
        assert event is not None
        revisions = (
            get_session()
            .exec(
                select(Revision).where(col(Revision.entity) == "event", col(Revision.entity_id) == event_id)
            )
            .all()
        )
        return event.date_edtf, event.title, event.version, len(revisions)


def test_the_service_raises_conflict_naming_the_reason(app: Flask, old_version: tuple[int, int, int]) -> None:
    event_id, revision_id, version = old_version
    before = state(app, event_id)
    with app.app_context(), pytest.raises(Conflict, match=REFUSED), write_session() as session:
        event_history.restore_version(session, event_id, revision_id, expected_version=version, user_id=None)
    assert state(app, event_id) == before


def test_the_page_answers_409_with_the_reason_and_stores_nothing(
    app: Flask, editor: FlaskClient, old_version: tuple[int, int, int]
) -> None:
    event_id, revision_id, version = old_version
    before = state(app, event_id)
    url = f"/events/{event_id}/history/{revision_id}/restore"
    data = {"csrf_token": csrf_token(editor), "version": str(version)}
    page = editor.post(url, data=data)
    assert page.status_code == 409
    assert REFUSED in page.get_data(as_text=True)
    answer = editor.post(url, data=data, headers={"Accept": "application/json"})
    assert answer.status_code == 409
    error = json.loads(answer.get_data(as_text=True))["error"]
    assert error["code"] == "conflict" and error["message"].startswith(REFUSED), error
    assert state(app, event_id) == before
