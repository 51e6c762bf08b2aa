"""PostgreSQL search: stored tsvector columns with GIN indexes instead of expression indexes (issue 17).

An expression index answers which rows match, but every recheck and every ranking computed the
vector again from the texts; a stored generated column is computed once per write. SQLite keeps FTS5.

Revision ID: 0013
Revises: 0011 (becomes 0012 when 0012_sources is merged)
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The 'simple' configuration (language-neutral: any script), over the texts migration 0002 indexed.
EVENT_VECTOR = "to_tsvector('simple', title || ' ' || coalesce(quote, '') || ' ' || coalesce(summary, ''))"
ACTOR_VECTOR = "to_tsvector('simple', name || ' ' || aliases::text)"

_PG = [
    "DROP INDEX IF EXISTS ix_event_search",
    "DROP INDEX IF EXISTS ix_actor_search",
    f"ALTER TABLE event ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({EVENT_VECTOR}) STORED",
    f"ALTER TABLE actor ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({ACTOR_VECTOR}) STORED",
    "CREATE INDEX ix_event_search_vector ON event USING gin (search_vector)",
    "CREATE INDEX ix_actor_search_vector ON actor USING gin (search_vector)",
]
_PG_DOWN = [
    "DROP INDEX IF EXISTS ix_actor_search_vector",
    "DROP INDEX IF EXISTS ix_event_search_vector",
    "ALTER TABLE actor DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE event DROP COLUMN IF EXISTS search_vector",
    f"CREATE INDEX ix_event_search ON event USING gin ({EVENT_VECTOR})",
    f"CREATE INDEX ix_actor_search ON actor USING gin ({ACTOR_VECTOR})",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _PG:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _PG_DOWN:
            op.execute(statement)
