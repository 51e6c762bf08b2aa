"""Models and migrations agree, and migrations move data without losing it."""

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from conftest import load_doc, small_doc
from sqlalchemy import create_engine

from timeline import create_app, migrate
from timeline.migrate import include_object
from timeline.models import metadata


def test_no_drift_between_models_and_migrations(migrated_template: Path) -> None:
    engine = create_engine(f"sqlite:///{migrated_template}")
    with engine.connect() as conn:
        opts = {"compare_type": True, "render_as_batch": True, "include_object": include_object}
        context = MigrationContext.configure(conn, opts=opts)
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


def test_single_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def _dump(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return [
            (table, conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall())  # noqa: S608
            for table in ("actor", "topic", "event", "stance")
        ]
    finally:
        conn.close()


def test_upgrade_downgrade_upgrade_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x"})
    load_doc(app, small_doc())
    for engine in app.extensions["timeline.engines"]:
        engine.dispose()
    before = _dump(path)
    assert len(before[2][1]) == 3
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    revisions = [r.revision for r in script.walk_revisions()]  # head first
    # Step down every revision that keeps the core tables, then back up.
    for target in revisions[1:]:
        migrate.downgrade(url, target)
        assert _dump(path) == before
    migrate.upgrade(url)
    assert _dump(path) == before
    assert len(revisions) >= 2, "a downgrade path that keeps data needs at least two revisions"
