"""Creating, editing and deleting topics; every change is a revision."""

from __future__ import annotations

from sqlmodel import Session

from .. import queries
from ..models import Topic
from ..schemas import TopicIn
from . import revisions
from .errors import Conflict, Invalid, NotFound
from .records import topic_record


def create_topic(session: Session, data: TopicIn, user_id: int | None = None) -> Topic:
    """Add a new topic; its slug must be free."""
    if queries.topic_by_slug(session, data.slug) is not None:
        raise Invalid({"slug": f"the slug “{data.slug}” is already taken"})
    topic = Topic(slug=data.slug, name=data.name, description=data.description)
    session.add(topic)
    session.flush()
    assert topic.id is not None
    revisions.record(
        session,
        entity="topic",
        entity_id=topic.id,
        key=topic.slug,
        action="create",
        user_id=user_id,
        before=None,
        after=topic_record(topic),
    )
    return topic


def update_topic(session: Session, slug: str, data: TopicIn, user_id: int | None = None) -> Topic:
    topic = queries.topic_by_slug(session, slug)
    if topic is None:
        raise NotFound(f"No topic with the slug “{slug}”.")
    if data.slug != slug and queries.topic_by_slug(session, data.slug) is not None:
        raise Invalid({"slug": f"the slug “{data.slug}” is already taken"})
    assert topic.id is not None
    before = topic_record(topic)
    topic.slug, topic.name, topic.description = data.slug, data.name, data.description
    session.flush()
    if topic_record(topic) != before:
        revisions.record(
            session,
            entity="topic",
            entity_id=topic.id,
            key=topic.slug,
            action="update",
            user_id=user_id,
            before=before,
            after=topic_record(topic),
        )
    return topic


def delete_topic(session: Session, slug: str, user_id: int | None = None) -> None:
    """Delete a topic no stance uses."""
    topic = queries.topic_by_slug(session, slug)
    if topic is None:
        raise NotFound(f"No topic with the slug “{slug}”.")
    assert topic.id is not None
    if queries.topic_in_use(session, topic.id):
        raise Conflict(f"Stances still use the topic “{slug}”.")
    revisions.purge(session, topic, "topic", slug, topic_record(topic), user_id)
