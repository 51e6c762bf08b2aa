"""Alembic, driven from the app's configuration."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .config import ROOT

# Objects the database keeps for itself (the search index) are not described by the models.
_UNMODELLED = ("event_search", "ix_event_search", "ix_actor_search")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Autogenerate filter: leave the database-managed search objects alone."""
    return not (name or "").startswith(_UNMODELLED)


def alembic_config(database_url: str) -> Any:
    """An Alembic config pointing at migrations/ and this database.

    Alembic is imported here, not at module level: web workers never need it (a few MB each)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
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
