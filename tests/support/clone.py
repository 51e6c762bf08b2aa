"""Copies of a prepared test database, so that many small tests start from the same data cheaply.

SQLite: the online backup API (safe with WAL). PostgreSQL: CREATE DATABASE ... TEMPLATE (the source
must have no open connection: dispose its engines first).
"""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine.url import make_url


def clone_database(source_url: str) -> str:
    """A new database with the same content as `source_url`, beside it; returns its URL."""
    url = make_url(source_url)
    name = "clone_" + uuid.uuid4().hex[:12]
    if url.get_backend_name() == "sqlite":
        assert url.database, source_url
        source = Path(url.database)
        target = source.with_name(name + ".db")
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
        return f"sqlite:///{target}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"')
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(db_url: str) -> None:
    """Remove a database made by clone_database (PostgreSQL: even if a connection is left open)."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        assert url.database, db_url
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(url.database + suffix).unlink(missing_ok=True)
        return
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    finally:
        admin.dispose()
