"""Alembic, driven from the app's configuration."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import Engine, inspect, text

from .config import bundled

UPGRADE_COMMAND = "flask --app timeline db upgrade"

# Objects the database keeps for itself (the search index, PostgreSQL's stored search vectors, 0013)
# are not described by the models.
_UNMODELLED = ("event_search", "ix_event_search", "ix_actor_search", "search_vector")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Autogenerate filter: leave the database-managed search objects alone."""
    return not (name or "").startswith(_UNMODELLED)


def alembic_config(database_url: str) -> Any:
    """An Alembic config pointing at migrations/ and this database.

    Alembic is imported here, not at module level: web workers never need it (a few MB each)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(bundled("migrations")))
    # Alembic's config is an INI parser: a literal % must be doubled.
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


@contextmanager
def search_triggers_lifted(op: Any) -> Iterator[None]:
    """Around a batch rebuild of the event table on SQLite: take the search triggers (0002) off, then
    put them back; SQLite drops a table's triggers with it, and an actor trigger names the table."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    search = op.get_context().script.get_revision("0002").module
    if sqlite:
        for statement in search._SQLITE_DOWN:
            if "TRIGGER" in statement:
                op.execute(statement)
    yield
    if sqlite:
        for statement in search._SQLITE:
            if statement.lstrip().startswith("CREATE TRIGGER"):
                op.execute(statement)


def upgrade(database_url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(database_url), revision)


@cache
def head_revisions() -> frozenset[str]:
    """The newest revision(s) among the shipped migrations (read once per process).

    Read from the scripts' `revision` and `down_revision` assignments, not with Alembic: every web
    worker answers /healthz with this, and Alembic with Mako would stay resident in each (~15 MB)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (bundled("migrations") / "versions").glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                name = getattr(node.targets[0], "id", None)
                if name not in ("revision", "down_revision"):
                    continue
                value = ast.literal_eval(node.value)
                values = value if isinstance(value, tuple | list) else (value,)
                (revisions if name == "revision" else parents).update(v for v in values if v)
    return frozenset(revisions - parents)


def schema_problem(engine: Engine) -> str | None:
    """None when the database's schema is at the shipped head; else one sentence saying what to do."""
    url = engine.url
    where = url.database if url.get_backend_name() == "sqlite" else url.render_as_string()
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return f"The database at {where} has no tables yet: run `{UPGRADE_COMMAND}`."
        current = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    heads = head_revisions()
    if current == heads:
        return None
    found = ", ".join(sorted(current)) or "none"
    return (
        f"The database at {where} is at schema revision {found}; this version needs "
        f"{', '.join(sorted(heads))}: run `{UPGRADE_COMMAND}`."
    )
