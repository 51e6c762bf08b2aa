"""Alembic, driven from the app's configuration."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.config import Config

from .config import ROOT

# Objects the database keeps for itself (the search index) are not described by the models.
_UNMODELLED = ("event_search", "ix_event_search", "ix_actor_search")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Autogenerate filter: leave the database-managed search objects alone."""
    return not (name or "").startswith(_UNMODELLED)


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at migrations/ and this database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    # Alembic's config is an INI parser: a literal % must be doubled.
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)
