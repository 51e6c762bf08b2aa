"""Fresh test databases: copies of one migrated template (fast), or empty ones."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import create_engine

from timeline import migrate


class Databases:
    """Makes fresh databases: copies of one migrated template (fast), or empty ones."""

    def __init__(self, root: Path, pg_base: str | None) -> None:
        self.root, self.pg_base, self.count = root, pg_base, 0
        self.template = self._new_url("template")
        migrate.upgrade(self.template)

    def _new_url(self, name: str) -> str:
        if self.pg_base is None:
            return f"sqlite:///{self.root / (name + '.db')}"
        admin = create_engine(f"{self.pg_base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        return f"{self.pg_base}/{name}"

    def new(self, *, migrated: bool = True) -> str:
        """A new database: a copy of the migrated template, or (migrated=False) an empty one."""
        self.count += 1
        name = f"t{self.count}"
        if not migrated:
            return self._new_url(name)
        if self.pg_base is None:
            target = self.root / f"{name}.db"
            shutil.copy(self.root / "template.db", target)
            return f"sqlite:///{target}"
        admin = create_engine(f"{self.pg_base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "template"')
        admin.dispose()
        return f"{self.pg_base}/{name}"
