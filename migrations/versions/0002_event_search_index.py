"""Full-text search index over events (SQLite FTS5 / PostgreSQL GIN), kept in sync by the database.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# One row per event: its texts plus its actor's name and aliases, so a search for "Путин" finds Putin's events.
_SQLITE_ROW = """
    SELECT e.id, e.title, coalesce(e.quote, ''), coalesce(e.summary, ''),
           a.name || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_each(a.aliases)), '')
    FROM event e JOIN actor a ON a.id = e.actor_id
"""
_SQLITE = [
    "CREATE VIRTUAL TABLE event_search USING fts5("
    "title, quote, summary, actor, tokenize = 'unicode61 remove_diacritics 2')",
    f"INSERT INTO event_search(rowid, title, quote, summary, actor) {_SQLITE_ROW}",
    f"""CREATE TRIGGER event_search_insert AFTER INSERT ON event BEGIN
        INSERT INTO event_search(rowid, title, quote, summary, actor) {_SQLITE_ROW} WHERE e.id = new.id;
    END""",
    f"""CREATE TRIGGER event_search_update AFTER UPDATE ON event BEGIN
        DELETE FROM event_search WHERE rowid = old.id;
        INSERT INTO event_search(rowid, title, quote, summary, actor) {_SQLITE_ROW} WHERE e.id = new.id;
    END""",
    """CREATE TRIGGER event_search_delete AFTER DELETE ON event BEGIN
        DELETE FROM event_search WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER event_search_actor_update AFTER UPDATE OF name, aliases ON actor BEGIN
        DELETE FROM event_search WHERE rowid IN (SELECT id FROM event WHERE actor_id = new.id);
        INSERT INTO event_search(rowid, title, quote, summary, actor) {_SQLITE_ROW} WHERE e.actor_id = new.id;
    END""",
]
_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS event_search_actor_update",
    "DROP TRIGGER IF EXISTS event_search_delete",
    "DROP TRIGGER IF EXISTS event_search_update",
    "DROP TRIGGER IF EXISTS event_search_insert",
    "DROP TABLE IF EXISTS event_search",
]
# PostgreSQL: an expression index with the language-neutral 'simple' configuration (any script).
_PG = [
    "CREATE INDEX ix_event_search ON event USING gin (to_tsvector('simple', "
    "title || ' ' || coalesce(quote, '') || ' ' || coalesce(summary, '')))",
    "CREATE INDEX ix_actor_search ON actor USING gin (to_tsvector('simple', name || ' ' || aliases::text))",
]
_PG_DOWN = ["DROP INDEX IF EXISTS ix_actor_search", "DROP INDEX IF EXISTS ix_event_search"]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(_SQLITE)
    elif dialect == "postgresql":
        _run(_PG)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(_SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(_PG_DOWN)
