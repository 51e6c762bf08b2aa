"""Models and migrations agree, and migrations move data without losing it."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from timeline import migrate
from timeline.migrate import include_object
from timeline.models import metadata

from support.app import load_doc, make_app
from support.data import small_doc


def test_no_drift_between_models_and_migrations(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        opts = {"compare_type": True, "render_as_batch": True, "include_object": include_object}
        context = MigrationContext.configure(conn, opts=opts)
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


def test_single_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


# The columns of the first revision: every later revision must carry them through unchanged.
CORE = {
    "actor": "id, slug, name, kind, role, country, parent_id, aliases, description, created_at, updated_at",
    "topic": "id, slug, name, description",
    "event": "id, uid, actor_id, kind, title, date_edtf, date_earliest, date_latest, date_basis, quote, "
    "summary, location, speaker_role, source_title, source_url, source_publisher, source_author, "
    "source_published, confidence, created_at, updated_at",
    "stance": "id, event_id, topic_id, score, rationale",
}


def _dump(url: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [
                (table, [tuple(r) for r in conn.execute(text(f"SELECT {cols} FROM {table} ORDER BY id"))])
                for table, cols in CORE.items()
            ]
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_keeps_data(databases) -> None:
    url = databases.new(migrated=False)
    migrate.upgrade(url)
    app = make_app(url)
    load_doc(app, small_doc())
    records = app.test_client().get("/export.json").get_json()["events"]
    for engine in app.extensions["timeline.engines"]:
        engine.dispose()
    before = _dump(url)
    assert len(before[2][1]) == 3
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    revisions = [r.revision for r in script.walk_revisions()]  # head first
    assert len(revisions) >= 2, "a downgrade path that keeps data needs at least two revisions"
    # Step down every revision that keeps the core tables, then back up.
    for target in revisions[1:]:
        migrate.downgrade(url, target)
        assert _dump(url) == before
    migrate.upgrade(url)
    assert _dump(url) == before
    # The search index survives the round trip (SQLite rebuilds tables in batch mode).
    client = make_app(url).test_client()
    assert client.get("/search.json?q=brigade").get_json()["total"] == 1
    # 0006 fills the derived columns (date text, stances as JSON) of rows that existed before it, and
    # its triggers keep them: the records are the same as before the round trip, to the value.
    assert client.get("/export.json").get_json()["events"] == records
