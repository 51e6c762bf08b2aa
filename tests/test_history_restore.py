"""The event history page: labels, badges, dates and times in words, and "Restore this version"."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlmodel import col

from timeline.db import get_session, write_session
from timeline.models import Event, Revision
from timeline.services import event_history
from timeline.services.errors import Conflict, NotFound

from support.app import id_of, load_doc
from support.data import small_doc
from support.web import csrf_token, edit_data


@pytest.fixture
def loaded(app: Flask, editor: FlaskClient) -> Flask:
    load_doc(app, small_doc())
    return app


def revisions_of(app: Flask, event_id: int) -> list[Revision]:
    with app.app_context():
        stmt = select(Revision).where(col(Revision.entity) == "event", col(Revision.entity_id) == event_id)
        return list(get_session().execute(stmt.order_by(col(Revision.id))).scalars())


def event(app: Flask, event_id: int) -> Event:
    with app.app_context():
        found = get_session().get(Event, event_id)
        assert found is not None, event_id
        get_session().expunge(found)
        return found


def restore(client: FlaskClient, event_id: int, revision_id: int, version: int | str):
    data = {"csrf_token": csrf_token(client), "version": str(version)}
    return client.post(f"/events/{event_id}/history/{revision_id}/restore", data=data)


def test_history_reads_as_words_labels_and_badges(loaded: Flask, client) -> None:
    data = edit_data(
        client, 1, date="2021-02", date_basis="The article says February", **{"stances-0-score": "2"}
    )
    assert client.post("/events/1/edit", data=data).status_code == 303
    page = client.get("/events/1/history").get_data(as_text=True)
    newest = page[page.index('<section class="revision"') :].split("</section>")[0]
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td dir="auto">(.*?)</td>\s*<td', newest, re.S))
    assert "Date basis" in rows and "date_basis" not in rows  # labels, not keys
    assert "15 May 2019" in rows["Date"]  # dates in words, the EDTF beside them
    after = re.search(
        r'<th scope="row">Date</th>\s*<td[^>]*>.*?</td>\s*<td dir="auto">(.*?)</td>', newest, re.S
    )
    assert after is not None
    assert "February 2021" in after.group(1) and "(2021-02)" in after.group(1)
    stances_row = re.search(r'<th scope="row">Stances</th>(.*?)</tr>', newest, re.S)
    assert stances_row is not None
    stances = stances_row.group(1)
    assert '<span class="badge score-neg" title="JCPOA: −1">JCPOA −1</span>' in stances
    assert '<span class="badge score-pos" title="JCPOA: +2">JCPOA +2</span>' in stances
    stamp = re.search(r'<time datetime="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)" title="\1">([^<]+)</time>', page)
    assert stamp and (stamp.group(2) == "just now" or stamp.group(2).endswith("seconds ago"))


def test_restore_a_version_makes_a_new_revision_and_keeps_history(loaded: Flask, client) -> None:
    client.post("/events/1/edit", data=edit_data(client, 1, title="Renamed once"))
    client.post("/events/1/edit", data=edit_data(client, 1, title="Renamed twice"))
    before = revisions_of(loaded, 1)
    kept = [(r.id, r.action, r.after) for r in before]
    first = before[0]  # the import: "Not a fire brigade"
    page = client.get("/events/1/history").get_data(as_text=True)
    assert page.count("Restore this version") == 2  # not for the current version
    response = restore(client, 1, id_of(first), event(loaded, 1).version)
    assert response.status_code == 303
    assert event(loaded, 1).title == "Not a fire brigade"
    after = revisions_of(loaded, 1)
    assert len(after) == len(before) + 1 and [(r.id, r.action, r.after) for r in after[:-1]] == kept
    last = after[-1]
    assert last.before is not None and last.after is not None
    assert last.before["title"] == "Renamed twice" and last.after["title"] == "Not a fire brigade"
    page = client.get("/events/1/history").get_data(as_text=True)
    assert "Version restored as a new revision." in page, re.findall(r'class="notice"[^<]*', page)
    assert f'brought back the version of <a href="#revision-{first.id}">' in page


def test_restore_refuses_a_stale_page(loaded: Flask, client) -> None:
    first = revisions_of(loaded, 1)[0]
    stale = event(loaded, 1).version
    client.post("/events/1/edit", data=edit_data(client, 1, title="Someone else's edit"))
    response = restore(client, 1, id_of(first), stale)
    assert response.status_code == 409 and "changed by someone else" in response.get_data(as_text=True)
    assert event(loaded, 1).title == "Someone else's edit"


def test_restore_on_a_deleted_event_is_refused_clearly(loaded: Flask, client) -> None:
    client.post("/events/1/edit", data=edit_data(client, 1, title="Renamed"))
    first = revisions_of(loaded, 1)[0]
    client.post("/events/1/delete", data={"csrf_token": csrf_token(client)})
    count = len(revisions_of(loaded, 1))
    response = restore(client, 1, id_of(first), event(loaded, 1).version)
    assert response.status_code == 409
    assert "This event is deleted: restore the event first" in response.get_data(as_text=True)
    assert len(revisions_of(loaded, 1)) == count
    page = client.get("/events/1/history").get_data(as_text=True)
    assert "Restore this version" not in page and "restore the event</a> before" in page


def test_restore_needs_an_editor_the_events_own_revision_and_a_version(
    loaded: Flask, app: Flask, client
) -> None:
    first = revisions_of(loaded, 1)[0]
    other = revisions_of(loaded, 2)[0]
    assert restore(client, 1, id_of(other), 1).status_code == 404  # a revision of another event
    assert restore(client, 1, 99999, 1).status_code == 404
    assert restore(client, 1, id_of(first), "").status_code == 400
    anonymous = app.test_client()
    token = csrf_token(anonymous)
    answer = anonymous.post(
        f"/events/1/history/{first.id}/restore", data={"csrf_token": token, "version": "1"}
    )
    assert answer.status_code in (302, 303, 401, 403)
    assert "Restore this version" not in anonymous.get("/events/1/history").get_data(as_text=True)


def test_restore_service_without_http(loaded: Flask) -> None:
    with loaded.app_context():
        first = revisions_of(loaded, 3)[0]
        with write_session() as session:
            assert (
                event_history.restore_version(session, 3, id_of(first), expected_version=None, user_id=None)
                is False
            )
        with pytest.raises(NotFound), write_session() as session:
            event_history.restore_version(session, 2, id_of(first), expected_version=None, user_id=None)
        with write_session() as session:
            from timeline.services import events

            events.delete_event(session, 3)
        with pytest.raises(Conflict), write_session() as session:
            event_history.restore_version(session, 3, id_of(first), expected_version=None, user_id=None)
