"""Table models only: validation lives in schemas.py.

One module though long: the tables, their constraints and the naming convention Alembic compares
against are one schema, read together (a table per class, nothing else here).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

# Every constraint gets a stable name: Alembic needs it for batch migrations on SQLite.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class ActorKind(StrEnum):
    person = "person"
    government = "government"
    organization = "organization"
    media = "media"
    group = "group"


class EventKind(StrEnum):
    statement = "statement"
    interview = "interview"
    meeting = "meeting"
    action = "action"
    publication = "publication"
    proposal = "proposal"
    agreement = "agreement"
    other = "other"


class Confidence(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


CONFIDENCE_RANK = {Confidence.low: 0, Confidence.medium: 1, Confidence.high: 2}


class Actor(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    role: str | None = Field(default=None, max_length=200)
    country: str | None = Field(default=None, max_length=100)
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("actor.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    description: str | None = Field(default=None, max_length=5000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Topic(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=5000)


class Event(SQLModel, table=True):
    __table_args__ = (
        Index("ix_event_actor_order", "actor_id", "date_earliest", "date_latest", "id"),
        Index("ix_event_order", "date_earliest", "date_latest", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=80, unique=True)
    actor_id: int = Field(
        sa_column=Column(Integer, ForeignKey("actor.id", ondelete="RESTRICT"), nullable=False)
    )
    kind: str = Field(max_length=20)
    title: str = Field(max_length=300)
    date_edtf: str = Field(max_length=40)
    date_earliest: date
    date_latest: date
    # How the date reads ("about March 2021"), derived from date_edtf with the two bounds above, so that
    # listings and exports need not parse EDTF per row. Migration 0006 fills it for older rows.
    date_display: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})
    # The event's stances as its record's JSON array, kept by database triggers (migration 0006) on
    # every stance and topic change: exports read it instead of joining stances. Never set by code.
    stances_json: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    date_basis: str | None = Field(default=None, max_length=2000)
    quote: str | None = Field(default=None, max_length=10000)
    summary: str | None = Field(default=None, max_length=10000)
    location: str | None = Field(default=None, max_length=200)
    speaker_role: str | None = Field(default=None, max_length=200)
    source_title: str | None = Field(default=None, max_length=500)
    source_url: str | None = Field(default=None, max_length=2000)
    source_publisher: str | None = Field(default=None, max_length=200)
    source_author: str | None = Field(default=None, max_length=200)
    source_published: str | None = Field(default=None, max_length=40)
    # A copy in a web archive, for when the source link breaks.
    archive_url: str | None = Field(default=None, max_length=2000)
    # The source record (its kept text); the source_* columns above stay the event's citation as shown.
    source_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("source.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    # The quote's anchor in the source text, as a W3C Web Annotation TextQuoteSelector: exact is `quote`.
    quote_prefix: str | None = Field(default=None, max_length=200)
    quote_suffix: str | None = Field(default=None, max_length=200)
    confidence: str = Field(default=Confidence.medium.value, max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # Optimistic locking: every save must name the version it read.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # Soft delete: a deleted event leaves pages, search and exports; editors can restore it.
    deleted_at: datetime | None = Field(default=None)


class Source(SQLModel, table=True):
    """A source that keeps its text: one per URL (or per title and publisher when it has none)."""

    id: int | None = Field(default=None, primary_key=True)
    url: str | None = Field(default=None, max_length=2000, unique=True)
    title: str | None = Field(default=None, max_length=500)
    publisher: str | None = Field(default=None, max_length=200)
    author: str | None = Field(default=None, max_length=200)
    published: str | None = Field(default=None, max_length=40)  # EDTF
    archive_url: str | None = Field(default=None, max_length=2000)
    retrieved_at: datetime | None = Field(default=None)
    content_sha256: str | None = Field(default=None, max_length=64)  # of `text`, UTF-8
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)


class QuoteCheck(SQLModel, table=True):
    """The quote-drift watch's last look at an event's quote in its re-fetched source."""

    __tablename__ = "quote_check"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("event.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    # found (exactly), changed (a close match only), gone (nothing close), unreachable (not fetched)
    status: str = Field(max_length=12, index=True)
    score: float | None = Field(default=None)  # similarity of the closest match, 0-100
    found_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    diff: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    error: str | None = Field(default=None, max_length=500)
    checked_at: datetime = Field(default_factory=utcnow)
    # First check that saw the quote changed or gone (kept while it stays so); None while found.
    since: datetime | None = Field(default=None)


class Stance(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("event_id", "topic_id", name="uq_stance_event_topic"),
        CheckConstraint("score >= -2 AND score <= 2", name="score_range"),
        Index("ix_stance_topic_event", "topic_id", "event_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("event.id", ondelete="CASCADE"), nullable=False)
    )
    topic_id: int = Field(
        sa_column=Column(Integer, ForeignKey("topic.id", ondelete="RESTRICT"), nullable=False)
    )
    score: int
    rationale: str | None = Field(default=None, max_length=2000)


class Role(StrEnum):
    editor = "editor"
    admin = "admin"


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    password_hash: str = Field(max_length=300)
    role: str = Field(default=Role.editor.value, max_length=10)
    disabled: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = Field(default=None)
    # Sessions carry the number they were signed in under; sign-out, a new password and disabling bump
    # it, which ends every copy of every older session cookie at once.
    session_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class SignInFailure(SQLModel, table=True):
    """One refused sign-in, kept for the limit's window: counted per account and per address."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (
        Index("ix_sign_in_failure_account", "account", "at"),
        Index("ix_sign_in_failure_address", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=80)  # the name as typed, case-folded: unknown names count too
    address: str = Field(max_length=64)
    at: datetime = Field(index=True)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    # SHA-256 of the token: tokens are long random strings, so a fast hash is enough.
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = Field(default=None)
    revoked_at: datetime | None = Field(default=None)


class Revision(SQLModel, table=True):
    """One change to a record: who, when, what kind, and the complete record before and after."""

    __table_args__ = (
        Index("ix_revision_entity", "entity", "entity_id", "id"),
        Index("ix_revision_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=10)  # event, actor, topic
    entity_id: int
    entity_key: str = Field(max_length=80)  # uid or slug, kept after a purge
    action: str = Field(max_length=10)  # create, update, delete, restore, purge
    user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    at: datetime = Field(default_factory=utcnow)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class JobRun(SQLModel, table=True):
    """One run of a scheduled job (or a request to run one now)."""

    __tablename__ = "job_run"
    __table_args__ = (Index("ix_job_run_job", "job_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=40)
    # queued (asked for from /admin/jobs), running, ok, error
    outcome: str = Field(max_length=10)
    message: str | None = Field(default=None, max_length=4000)
    requested_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True),
    )
    queued_at: datetime | None = Field(default=None)
    started_at: datetime | None = Field(default=None)
    finished_at: datetime | None = Field(default=None)


class ScheduledJob(SQLModel, table=True):
    """What the scheduler process last said about a job: its interval and next run."""

    __tablename__ = "scheduled_job"

    id: str = Field(primary_key=True, max_length=40)
    interval_seconds: int
    next_run_at: datetime | None = Field(default=None)
    updated_at: datetime = Field(default_factory=utcnow)


class Snapshot(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    sha256: str = Field(max_length=64)
    size: int
    events: int
    created_at: datetime = Field(default_factory=utcnow)


class SourceLink(SQLModel, table=True):
    """The last check of a source URL: status, where redirects led, and since when it is broken."""

    __tablename__ = "source_link"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000, unique=True)
    status: int | None = Field(default=None)
    final_url: str | None = Field(default=None, max_length=2000)
    redirects: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    error: str | None = Field(default=None, max_length=500)
    checked_at: datetime | None = Field(default=None)
    broken_since: datetime | None = Field(default=None)


class Feed(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000, unique=True)
    title: str | None = Field(default=None, max_length=300)
    added_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = Field(default_factory=utcnow)
    last_fetched_at: datetime | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=500)
    failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Candidate(SQLModel, table=True):
    """A feed item waiting in the review queue; never published until an editor makes it an event."""

    __table_args__ = (Index("ix_candidate_status", "status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    feed_id: int = Field(
        sa_column=Column(Integer, ForeignKey("feed.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    guid: str | None = Field(default=None, max_length=2000, index=True)
    link: str | None = Field(default=None, max_length=2000, index=True)
    title: str = Field(max_length=500)
    summary: str | None = Field(default=None, max_length=5000)
    published: str | None = Field(default=None, max_length=40)  # EDTF day or month
    publisher: str | None = Field(default=None, max_length=300)
    status: str = Field(default="pending", max_length=10)  # pending, accepted, dismissed
    event_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("event.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = Field(default_factory=utcnow)


class DataVersion(SQLModel, table=True):
    """One row whose number every write bumps: the key of the response cache in every worker."""

    __tablename__ = "data_version"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0)


class DataScope(SQLModel, table=True):
    """A part of the data (an actor's, a topic's, or ``*``) whose number moves on when a write touches it."""

    __tablename__ = "data_scope"

    scope: str = Field(max_length=200, primary_key=True)
    version: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


class ChangeEntry(SQLModel, table=True):
    """A revision's place in the changes feed: (seq, n), seq being the data version its transaction took.

    The data version is bumped under its row's lock just before commit, so seq follows commit order
    (PostgreSQL ids do not); n orders the revisions of one transaction.
    """

    __tablename__ = "change_log"

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    n: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    revision_id: int = Field(
        sa_column=Column(Integer, ForeignKey("revision.id", ondelete="CASCADE"), nullable=False)
    )


class Webhook(SQLModel, table=True):
    """An editor's subscription: changes of the chosen types are POSTed, signed, to an https URL."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    secret: str = Field(max_length=100)  # whsec_<base64>: the receiver verifies signatures with it
    created_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = Field(default_factory=utcnow)
    # The last change-log entry turned into deliveries: later ones are this webhook's to send.
    after_seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    after_n: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_status: str | None = Field(default=None, max_length=300)
    last_attempt_at: datetime | None = Field(default=None)


class WebhookDelivery(SQLModel, table=True):
    """One change sent (or to be sent) to one webhook: the exact body, its attempts and outcome."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        # Several deliveries per change: a stance.changed run files one per stance change (item 0, 1...).
        UniqueConstraint(
            "webhook_id", "change_seq", "change_n", "event_type", "item", name="uq_webhook_delivery_change"
        ),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_hook", "webhook_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(
        sa_column=Column(Integer, ForeignKey("webhook.id", ondelete="CASCADE"), nullable=False)
    )
    event_type: str = Field(max_length=40)
    change_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    change_n: int
    item: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=10)  # pending, delivered, failed
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default=None)
    last_status_code: int | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = Field(default=None)


class StanceWatch(SQLModel, table=True):
    """The change-log place up to which the webhooks job has computed stance changes (one row)."""

    __tablename__ = "stance_watch"

    id: int | None = Field(default=None, primary_key=True)  # one row
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    n: int
    updated_at: datetime = Field(default_factory=utcnow)


class StanceWatchChange(SQLModel, table=True):
    """One stance change as the webhooks job last computed it: its key and what identifies it (no titles),
    so a later run compares the series a write touched, and describes a removed change."""

    __tablename__ = "stance_watch_change"

    topic: str = Field(primary_key=True, max_length=80)
    speaker: str = Field(primary_key=True, max_length=80)
    after_uid: str = Field(primary_key=True, max_length=80)  # the later statement
    before_uid: str = Field(max_length=80)
    from_score: int
    to_score: int
    change: str = Field(max_length=10)  # shift or reversal
