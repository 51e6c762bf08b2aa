"""Creating, editing and deleting topics; every change is a revision."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from .. import queries
from ..models import Topic
from ..schemas import TopicIn
from .catalogue import Catalogue
from .records import topic_record


def _snapshot(_session: Session, topic: Topic) -> dict[str, Any]:
    return topic_record(topic)


TOPICS = Catalogue(
    "topic", queries.topic_by_slug, _snapshot, queries.topic_in_use, "Stances still use the topic “{slug}”."
)


def create_topic(session: Session, data: TopicIn, user_id: int | None = None) -> Topic:
    """Add a new topic; its slug must be free."""
    TOPICS.claim_slug(session, data.slug)
    return TOPICS.add(session, Topic(slug=data.slug, name=data.name, description=data.description), user_id)


def update_topic(session: Session, slug: str, data: TopicIn, user_id: int | None = None) -> Topic:
    """Change a topic's slug, name or description."""
    topic = TOPICS.get(session, slug)
    TOPICS.claim_slug(session, data.slug, current=slug)
    values = {"slug": data.slug, "name": data.name, "description": data.description}
    return TOPICS.change(session, topic, values, user_id)


def delete_topic(session: Session, slug: str, user_id: int | None = None) -> None:
    """Delete a topic no stance uses."""
    TOPICS.delete(session, slug, user_id)
