"""Sources that keep their text (source), the event's quote anchor, and the quote-drift watch (quote_check)

Each existing event with a source URL is linked to one source per distinct URL; one without a URL but
with a title to one source per distinct (title, publisher). The source record takes its fields from the
earliest such event. The event's own source_* columns stay as they were: they remain its citation, so
everything the event showed before still shows, and a downgrade loses nothing that existed before.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from timeline.migrate import search_triggers_lifted

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_EVENTS = (
    "SELECT id, source_url, source_title, source_publisher, source_author, source_published, archive_url "
    "FROM event WHERE source_url IS NOT NULL OR source_title IS NOT NULL ORDER BY id"
)


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("publisher", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("published", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("archive_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("retrieved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("content_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("url", name=op.f("uq_source_url")),
    )
    op.create_table(
        "quote_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("found_text", sa.Text(), nullable=True),
        sa.Column("diff", sa.Text(), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("checked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_quote_check_event_id_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_check")),
        sa.UniqueConstraint("event_id", name=op.f("uq_quote_check_event_id")),
    )
    op.create_index(op.f("ix_quote_check_status"), "quote_check", ["status"], unique=False)
    with _event_rebuilt_on_sqlite(), op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quote_prefix", sqlmodel.sql.sqltypes.AutoString(length=200)))
        batch_op.add_column(sa.Column("quote_suffix", sqlmodel.sql.sqltypes.AutoString(length=200)))
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_event_source_id_source"), "source", ["source_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index(batch_op.f("ix_event_source_id"), ["source_id"], unique=False)
    _link_existing_events()


def _link_existing_events() -> None:
    """One source per distinct URL (or title and publisher), filled from its earliest event."""
    bind = op.get_bind()
    keys: dict[tuple[str, ...], list[int]] = {}
    first: dict[tuple[str, ...], dict[str, object]] = {}
    for row in bind.execute(sa.text(_EVENTS)).mappings():
        if row["source_url"]:
            key: tuple[str, ...] = ("url", row["source_url"])
        else:
            key = ("title", row["source_title"], row["source_publisher"] or "")
        keys.setdefault(key, []).append(row["id"])
        first.setdefault(key, dict(row))
    if not keys:
        return
    source = sa.table(
        "source",
        sa.column("id", sa.Integer),
        sa.column("url", sa.String),
        sa.column("title", sa.String),
        sa.column("publisher", sa.String),
        sa.column("author", sa.String),
        sa.column("published", sa.String),
        sa.column("archive_url", sa.String),
        sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime),
    )
    from timeline.models import utcnow

    now = utcnow()
    links = []
    for key, event_ids in keys.items():
        earliest = first[key]
        source_id = bind.execute(
            sa.insert(source)
            .values(
                url=earliest["source_url"],
                title=earliest["source_title"],
                publisher=earliest["source_publisher"],
                author=earliest["source_author"],
                published=earliest["source_published"],
                archive_url=earliest["archive_url"],
                created_at=now,
            )
            .returning(source.c.id)
        ).scalar_one()
        links += [{"s": source_id, "e": e} for e in event_ids]
    bind.execute(sa.text("UPDATE event SET source_id = :s WHERE id = :e"), links)


@contextmanager
def _event_rebuilt_on_sqlite() -> Iterator[None]:
    """Around a batch rebuild of event on SQLite: its own triggers off and back (in 0006's form), and the
    rename of the copy left unchecked so that the stance triggers naming event survive."""
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    op.execute("PRAGMA legacy_alter_table = ON")
    with search_triggers_lifted(op):
        yield
    op.execute("PRAGMA legacy_alter_table = OFF")
    script = op.get_context().script
    assert script is not None, "migrations run through Alembic's script directory"
    m0006 = script.get_revision("0006").module
    search = script.get_revision("0002").module
    [statement] = [s for s in search._SQLITE if s.lstrip().startswith(m0006._SEARCH_UPDATE)]
    op.execute("DROP TRIGGER event_search_update")
    op.execute(statement.replace(m0006._SEARCH_UPDATE, m0006._SEARCH_UPDATE_OF, 1))


def downgrade() -> None:
    op.drop_index(op.f("ix_quote_check_status"), table_name="quote_check")
    op.drop_table("quote_check")
    with _event_rebuilt_on_sqlite(), op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_source_id"))
        batch_op.drop_constraint(batch_op.f("fk_event_source_id_source"), type_="foreignkey")
        batch_op.drop_column("source_id")
        batch_op.drop_column("quote_suffix")
        batch_op.drop_column("quote_prefix")
    op.drop_table("source")
