"""Hold a database's write lock from another connection, as a slow job used to."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine
from sqlalchemy.engine.url import make_url


@contextmanager
def write_lock_held(db_url: str) -> Iterator[None]:
    """SQLite: BEGIN IMMEDIATE on another connection. PostgreSQL: the data_version row every data
    write bumps, locked EXCLUSIVE (reads go on, every data write waits)."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(url.database), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    engine = create_engine(db_url)
    try:
        with engine.connect() as pg:
            pg.exec_driver_sql("LOCK TABLE data_version IN EXCLUSIVE MODE")
            try:
                yield
            finally:
                pg.rollback()
    finally:
        engine.dispose()


def write_lock_free(db_url: str) -> bool:
    """Whether no other connection holds the write lock now (SQLite) / writes anything (PostgreSQL)."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(url.database), isolation_level=None, timeout=0)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            conn.close()
    engine = create_engine(db_url)
    try:
        with engine.connect() as pg:
            writers = pg.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            ).scalar_one()
        return writers == 0
    finally:
        engine.dispose()
