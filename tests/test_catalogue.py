"""Actors and topics, through their services without HTTP: a slug is one row's, every change is one
revision (none when nothing changed), and a row is deleted only while nothing refers to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, col, select

from timeline import queries
from timeline.db import write_session
from timeline.models import ActorKind, Revision
from timeline.schemas import ActorIn, TopicIn
from timeline.services import actors, topics
from timeline.services.errors import Conflict, Invalid, NotFound

from support.app import load_doc
from support.data import small_doc


@dataclass(frozen=True)
class Kind:
    entity: str
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., None]
    data: Callable[..., Any]  # the input model from a slug and a name
    find: Callable[[Session, str], Any]
    used: str  # a slug the small document's events refer to
    in_use: str  # the refusal to delete it


ACTOR = Kind(
    "actor",
    actors.create_actor,
    actors.update_actor,
    actors.delete_actor,
    lambda slug, name: ActorIn(slug=slug, name=name, kind=ActorKind.government),
    queries.actor_by_slug,
    "russia",
    "“russia” still has events or member actors; move or purge them first.",
)
TOPIC = Kind(
    "topic",
    topics.create_topic,
    topics.update_topic,
    topics.delete_topic,
    lambda slug, name: TopicIn(slug=slug, name=name),
    queries.topic_by_slug,
    "jcpoa",
    "Stances still use the topic “jcpoa”.",
)


@pytest.fixture(params=[ACTOR, TOPIC], ids=["actor", "topic"])
def kind(request: pytest.FixtureRequest, app: Flask) -> Kind:
    load_doc(app, small_doc())
    return request.param


def revisions_of(session: Session, entity: str, slug: str) -> list[tuple[str, Any, Any]]:
    rows = session.exec(
        select(Revision)
        .where(col(Revision.entity) == entity, col(Revision.entity_key) == slug)
        .order_by(col(Revision.id))
    ).all()
    return [(r.action, r.before, r.after) for r in rows]


def test_create_keeps_a_revision_and_refuses_a_taken_slug(app: Flask, kind: Kind) -> None:
    with app.app_context(), write_session() as session:
        row = kind.create(session, kind.data("novyi", "Новый — جديد"), user_id=None)
        assert row.id is not None and kind.find(session, "novyi").name == "Новый — جديد"
        [(action, before, after)] = revisions_of(session, kind.entity, "novyi")
        assert action == "create" and before is None and after["name"] == "Новый — جديد"
    with app.app_context(), pytest.raises(Invalid) as refused, write_session() as session:
        kind.create(session, kind.data(kind.used, "Another"), user_id=None)
    assert refused.value.fields == {"slug": f"the slug “{kind.used}” is already taken"}


def test_update_renames_keeps_one_revision_per_change_and_none_without(app: Flask, kind: Kind) -> None:
    with app.app_context(), write_session() as session:
        kind.create(session, kind.data("first", "First"), user_id=None)
        kind.update(session, "first", kind.data("first", "First"), user_id=None)  # nothing changed
        assert [a for a, _, _ in revisions_of(session, kind.entity, "first")] == ["create"]
        kind.update(session, "first", kind.data("second", "Second"), user_id=None)
        assert kind.find(session, "first") is None and kind.find(session, "second").name == "Second"
        [(action, before, after)] = revisions_of(session, kind.entity, "second")
        assert action == "update"
        assert (before["slug"], before["name"]) == ("first", "First")
        assert (after["slug"], after["name"]) == ("second", "Second")
    with app.app_context(), pytest.raises(Invalid) as taken, write_session() as session:
        kind.update(session, "second", kind.data(kind.used, "Second"), user_id=None)
    assert taken.value.fields == {"slug": f"the slug “{kind.used}” is already taken"}
    unknown = f"No {kind.entity} with the slug “nobody”"
    with app.app_context(), pytest.raises(NotFound, match=unknown), write_session() as session:
        kind.update(session, "nobody", kind.data("nobody", "Nobody"), user_id=None)


def test_delete_refuses_a_row_in_use_and_purges_an_unused_one(app: Flask, kind: Kind) -> None:
    with app.app_context(), pytest.raises(Conflict) as refused, write_session() as session:
        kind.delete(session, kind.used, user_id=None)
    assert refused.value.message == kind.in_use
    with app.app_context(), write_session() as session:
        assert kind.find(session, kind.used) is not None
        kind.create(session, kind.data("unused", "Unused"), user_id=None)
    with app.app_context(), write_session() as session:
        kind.delete(session, "unused", user_id=None)
    with app.app_context(), write_session() as session:
        assert kind.find(session, "unused") is None
        assert [
            (a, b["name"] if b else None) for a, b, _ in revisions_of(session, kind.entity, "unused")
        ] == [
            ("create", None),
            ("purge", "Unused"),
        ]
    with app.app_context(), pytest.raises(NotFound), write_session() as session:
        kind.delete(session, "unused", user_id=None)
