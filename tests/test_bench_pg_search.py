"""Search reads vectors the database keeps itself (PostgreSQL: stored tsvector columns with GIN indexes,
migration 0013; SQLite: FTS5 kept by triggers): what a search finds follows every edit at once."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text

from timeline.db import get_session, write_session
from timeline.services.search import search

from support.app import load_doc
from support.data import small_doc


@pytest.fixture
def loaded(app: Flask) -> Flask:
    load_doc(app, small_doc())
    return app


def _found(app: Flask, query: str) -> set[str]:
    with app.app_context():
        session = get_session()
        uids = {hit.event.uid for hit in search(session, query, per_page=50).hits}
        session.rollback()
        return uids


def _write(app: Flask, sql: str, **params: object) -> None:
    with app.app_context(), write_session() as session:
        session.execute(text(sql), params)
        session.info["written"] = True


def test_an_edited_title_is_found_by_its_new_words_only(loaded: Flask) -> None:
    assert _found(loaded, "brigade") == {"e-2019"}
    _write(loaded, "UPDATE event SET title = 'Not a коалиция of rescuers' WHERE uid = 'e-2019'")
    assert _found(loaded, "brigade") == set()
    assert _found(loaded, "Коалиц") == {"e-2019"}  # a word prefix, any case, any script
    assert _found(loaded, "rescuers коалиция") == {"e-2019"}


def test_a_renamed_actor_is_found_by_its_new_name_and_aliases(loaded: Flask) -> None:
    putin = _found(loaded, "Путин")
    assert putin and putin == _found(loaded, "vladimir")
    _write(
        loaded,
        "UPDATE actor SET name = 'Volodya Example', aliases = :aliases WHERE slug = 'vladimir-putin'",
        aliases='["ولادیمیر"]',
    )
    assert _found(loaded, "Путин") == set() and _found(loaded, "vladimir") == set()
    assert _found(loaded, "volodya") == putin == _found(loaded, "ولادیمیر")


def test_deleted_and_new_events_leave_and_join_the_results(loaded: Flask) -> None:
    before = _found(loaded, "firefighter")
    assert "e-2020" in before
    _write(loaded, "UPDATE event SET deleted_at = CURRENT_TIMESTAMP WHERE uid = 'e-2020'")
    assert _found(loaded, "firefighter") == before - {"e-2020"}
    with loaded.app_context(), write_session() as session:
        from timeline.schemas import EventIn
        from timeline.services import events as event_service

        data = EventIn.model_validate(
            {
                "uid": "e-new",
                "actor": "russia",
                "kind": "statement",
                "title": "Firefighters again — آتش‌نشان",
                "date": "2022-01-02",
                "stances": [{"topic": "jcpoa", "score": 0}],
            }
        )
        event_service.create_event(session, data)
    assert _found(loaded, "firefighter") == (before - {"e-2020"}) | {"e-new"}
    assert _found(loaded, "آتش‌نشان") == {"e-new"}
