"""Readable ids for new events: actor slug, year-month, title words; ASCII; a suffix on collision."""

import pytest
from flask import Flask
from sqlalchemy import select
from sqlmodel import col

from timeline.db import get_session, write_session
from timeline.models import Event
from timeline.schemas import EventIn
from timeline.services import accounts
from timeline.services import events as event_service
from timeline.services.uids import base_uid

from support.app import create_user, load_doc
from support.data import small_doc
from support.web import form_data


@pytest.mark.parametrize(
    ("actor", "date", "title", "uid"),
    [
        (
            "mohammad-javad-zarif",
            "2021-02-15",
            "Talks can resume",
            "mohammad-javad-zarif-2021-02-talks-can-resume",
        ),
        ("russia", "2021", "Gulf security, again!", "russia-2021-gulf-security-again"),
        ("russia", "2020-12~", "Tireless firefighter", "russia-2020-12-tireless-firefighter"),
        ("russia", "2019-21", "A spring statement", "russia-2019-a-spring-statement"),  # 21: a season
        ("russia", "2020-11/2020-12", "Two months", "russia-2020-11-two-months"),
        (
            "vladimir-putin",
            "2019-05",
            "Россия не пожарная команда",
            "vladimir-putin-2019-05-rossiya-ne-pozharnaya-komanda",
        ),
        ("iran", "2019-05-08", "ایران تعهدات را کاهش می دهد", "iran-2019-05-yrn-thdt-r-khsh-my-dhd"),
        ("iran", "2019", "«…» — ?", "iran-2019"),  # no words survive: actor and date still say what it is
    ],
)
def test_base_uid_reads_as_actor_date_and_title(actor: str, date: str, title: str, uid: str) -> None:
    assert base_uid(actor, date, title) == uid


def test_base_uid_is_ascii_and_fits_the_column() -> None:
    uid = base_uid("a" * 60, "2021-02", "Extraordinarily " * 20)
    assert uid.isascii() and len(uid) <= 80 - 4 and uid.startswith("a" * 60 + "-2021-02")
    assert (
        len(base_uid("x", "2021", " ".join(f"w{i}" for i in range(20))).split("-")) == 2 + 6
    )  # six words at most


def _new_event(**changes) -> EventIn:
    data = {
        "actor": "russia",
        "kind": "statement",
        "title": "Tireless firefighter",
        "date": "2020-12-20",
        "stances": [{"topic": "jcpoa", "score": 1}],
    }
    return EventIn.model_validate({**data, **changes})


def test_a_taken_id_gets_a_suffix(app: Flask) -> None:
    load_doc(app, small_doc())
    with app.app_context():
        uids = []
        for _ in range(3):
            with write_session() as session:
                uids.append(event_service.create_event(session, _new_event()).record["uid"])
        with write_session() as session:
            given = event_service.create_event(session, _new_event(uid="my-own-id")).record["uid"]
    assert uids == [
        "russia-2020-12-tireless-firefighter",
        "russia-2020-12-tireless-firefighter-2",
        "russia-2020-12-tireless-firefighter-3",
    ]
    assert given == "my-own-id"


def test_a_deleted_events_id_is_not_reused(app: Flask) -> None:
    load_doc(app, small_doc())
    with app.app_context():
        with write_session() as session:
            first = event_service.create_event(session, _new_event())
        with write_session() as session:
            event_service.delete_event(session, first.id)
        with write_session() as session:
            again = event_service.create_event(session, _new_event())
    assert again.record["uid"] == "russia-2020-12-tireless-firefighter-2"


def test_the_form_gives_a_new_event_a_readable_id(app: Flask, editor) -> None:
    load_doc(app, small_doc())
    response = editor.post("/events", data=form_data(editor, title="Россия призывает США вернуться"))
    assert response.status_code == 303
    with app.app_context():
        uids = get_session().execute(select(col(Event.uid)).order_by(col(Event.id).desc())).scalars().first()
    assert uids == "russia-2020-12-rossiya-prizyvaet-ssha-vernutsya"


def test_the_api_gives_a_new_event_a_readable_id_unless_one_is_given(app: Flask, client) -> None:
    load_doc(app, small_doc())
    create_user(app, "robot")
    with app.app_context(), write_session() as session:
        token = accounts.issue_token(session, "robot")
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "actor": "vladimir-putin",
        "kind": "statement",
        "title": "Not a fire brigade",
        "date": "2019-05-15",
        "stances": [],
    }
    created = client.post("/api/v1/events", json=body, headers=headers)
    assert created.status_code == 201
    assert created.get_json()["uid"] == "vladimir-putin-2019-05-not-a-fire-brigade"
    again = client.post("/api/v1/events", json=body, headers=headers)
    assert again.get_json()["uid"] == "vladimir-putin-2019-05-not-a-fire-brigade-2"
    given = client.post("/api/v1/events", json={**body, "uid": "e-2019"}, headers=headers)
    assert given.status_code in (400, 409, 422) and "uid" in given.get_json()["error"]["fields"]
