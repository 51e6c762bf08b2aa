"""Apps on test databases and the in-process helpers that load data and users into them."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

import timeline
from timeline import create_app
from timeline.db import get_session, write_session
from timeline.models import Actor, Event, Stance
from timeline.services import accounts
from timeline.services.exchange import import_document

from support.data import PASSWORD

_APPS: list[Flask] = []


def make_app(url: str, **config: Any) -> Flask:
    """An app on this database (config overrides the test defaults); its connections are closed after
    the test (conftest's autouse fixture calls dispose_apps)."""
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret", **config})
    _APPS.append(app)
    return app


def dispose_apps() -> None:
    """Close the pools and listening connections of every app made by make_app."""
    while _APPS:
        timeline.dispose(_APPS.pop())


def load_doc(app: Flask, doc: dict[str, Any]) -> None:
    """Import a document in the export format, as `flask import` does."""
    with app.app_context(), write_session() as session:
        import_document(session, doc)


def counts(app: Flask) -> tuple[int, int, int]:
    """How many actors, events and stances the database holds."""
    with app.app_context():
        s = get_session()
        actors, events, stances = (
            s.execute(select(func.count()).select_from(m)).scalar_one() for m in (Actor, Event, Stance)
        )
        return actors, events, stances


def create_user(app: Flask, name: str, *, admin: bool = False, password: str = PASSWORD) -> None:
    with app.app_context(), write_session() as session:
        accounts.create_user(session, name, password, admin=admin)


def id_of(row: Any) -> int:
    """The primary key of a row that has one (stored, or built with an id by the test)."""
    assert row.id is not None, row
    return int(row.id)
