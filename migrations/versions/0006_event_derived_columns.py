"""Derived event columns for fast listings and exports: date_display and stances_json

- event.date_display: how the date reads, stored beside its bounds (written by the events service);
- event.stances_json: the event's stances as the JSON array of its record, kept by the database
  itself (triggers on stance and topic), so that an export never misses a change whatever the path;
- SQLite: the search index's update trigger fires only when an indexed column changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from timeline.dates import parse_date
from timeline.migrate import search_triggers_lifted

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The array of records.event_record_of's "stances": by topic name, then id.
_SQLITE_ARRAY = (
    "coalesce((SELECT json_group_array(json(j)) FROM ("
    "SELECT json_object('topic', t.slug, 'score', s.score, 'rationale', s.rationale) AS j "
    "FROM stance s JOIN topic t ON t.id = s.topic_id WHERE s.event_id = {event} ORDER BY t.name, t.id"
    ")), '[]')"
)


def _refresh(event: str) -> str:
    return f"UPDATE event SET stances_json = {_SQLITE_ARRAY.format(event=event)} WHERE id = {event};"


_SQLITE = [
    f"CREATE TRIGGER event_stances_insert AFTER INSERT ON stance BEGIN {_refresh('new.event_id')} END",
    f"CREATE TRIGGER event_stances_delete AFTER DELETE ON stance BEGIN {_refresh('old.event_id')} END",
    "CREATE TRIGGER event_stances_update AFTER UPDATE ON stance BEGIN "
    f"{_refresh('old.event_id')} {_refresh('new.event_id')} END",
    "CREATE TRIGGER event_stances_topic AFTER UPDATE OF slug, name ON topic BEGIN "
    f"UPDATE event SET stances_json = {_SQLITE_ARRAY.format(event='event.id')} "
    "WHERE id IN (SELECT event_id FROM stance WHERE topic_id = new.id); END",
]
_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS event_stances_topic",
    "DROP TRIGGER IF EXISTS event_stances_update",
    "DROP TRIGGER IF EXISTS event_stances_delete",
    "DROP TRIGGER IF EXISTS event_stances_insert",
]
_PG = [
    """CREATE FUNCTION event_stances_json(target integer) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT coalesce(json_agg(json_build_object('topic', t.slug, 'score', s.score,
                                                   'rationale', s.rationale) ORDER BY t.name, t.id), '[]')::text
        FROM stance s JOIN topic t ON t.id = s.topic_id WHERE s.event_id = target
    $$""",
    """CREATE FUNCTION event_stances_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE event SET stances_json = event_stances_json(OLD.event_id) WHERE id = OLD.event_id;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            UPDATE event SET stances_json = event_stances_json(NEW.event_id) WHERE id = NEW.event_id;
        END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER event_stances_refresh AFTER INSERT OR UPDATE OR DELETE ON stance "
    "FOR EACH ROW EXECUTE FUNCTION event_stances_refresh()",
    """CREATE FUNCTION event_stances_topic() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE event SET stances_json = event_stances_json(id)
        WHERE id IN (SELECT event_id FROM stance WHERE topic_id = NEW.id);
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER event_stances_topic AFTER UPDATE OF slug, name ON topic "
    "FOR EACH ROW EXECUTE FUNCTION event_stances_topic()",
]
_PG_DOWN = [
    "DROP TRIGGER IF EXISTS event_stances_topic ON topic",
    "DROP FUNCTION IF EXISTS event_stances_topic()",
    "DROP TRIGGER IF EXISTS event_stances_refresh ON stance",
    "DROP FUNCTION IF EXISTS event_stances_refresh()",
    "DROP FUNCTION IF EXISTS event_stances_json(integer)",
]
_SEARCH_UPDATE = "CREATE TRIGGER event_search_update AFTER UPDATE ON event"
_SEARCH_UPDATE_OF = (
    "CREATE TRIGGER event_search_update AFTER UPDATE OF title, quote, summary, actor_id ON event"
)


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    op.add_column(
        "event",
        sa.Column(
            "date_display", sqlmodel.sql.sqltypes.AutoString(length=100), server_default="", nullable=False
        ),
    )
    op.add_column("event", sa.Column("stances_json", sa.Text(), server_default="[]", nullable=False))
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    # The search index covers neither column: its triggers need not run for these updates.
    with search_triggers_lifted(op):
        edtfs = [row[0] for row in bind.execute(sa.text("SELECT DISTINCT date_edtf FROM event"))]
        if edtfs:
            # One pass over the table: each distinct date's text in a mapping, joined in one UPDATE.
            op.execute(
                "CREATE TEMPORARY TABLE date_display_map (edtf VARCHAR(40) PRIMARY KEY, display VARCHAR(100))"
            )
            bind.execute(
                sa.text("INSERT INTO date_display_map (edtf, display) VALUES (:edtf, :display)"),
                [{"edtf": e, "display": parse_date(e).display} for e in edtfs],
            )
            op.execute(
                "UPDATE event SET date_display = "
                "(SELECT display FROM date_display_map m WHERE m.edtf = event.date_edtf)"
            )
            op.execute("DROP TABLE date_display_map")
        if sqlite:
            op.execute(f"UPDATE event SET stances_json = {_SQLITE_ARRAY.format(event='event.id')}")
    if sqlite:
        _run(_SQLITE)
        script = op.get_context().script
        assert script is not None, "run by alembic's command, which gives the script directory"
        search = script.get_revision("0002").module
        [statement] = [s for s in search._SQLITE if s.lstrip().startswith(_SEARCH_UPDATE)]
        op.execute("DROP TRIGGER event_search_update")
        op.execute(statement.replace(_SEARCH_UPDATE, _SEARCH_UPDATE_OF, 1))
    elif bind.dialect.name == "postgresql":
        _run(_PG)
        op.execute("UPDATE event SET stances_json = event_stances_json(id)")


def downgrade() -> None:
    _run(_SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else _PG_DOWN)
    with search_triggers_lifted(op), op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("stances_json")
        batch_op.drop_column("date_display")
