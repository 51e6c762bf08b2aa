"""Direct looks at a test database, outside the app: rows by client key, stance counts, integrity."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import create_engine, text


def fetch(db_url: str, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Run one read on a fresh connection (a fresh engine, disposed afterwards)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params or {})]
    finally:
        engine.dispose()


def uid_counts(db_url: str, prefix: str) -> Counter[str]:
    """How many event rows carry each uid starting with `prefix`."""
    rows = fetch(db_url, "SELECT uid FROM event WHERE uid LIKE :p", {"p": prefix + "%"})
    return Counter(uid for (uid,) in rows)


def stance_counts(db_url: str, prefix: str) -> dict[str, int]:
    """Each event (uid starting with `prefix`) with its number of stance rows (0 included)."""
    rows = fetch(
        db_url,
        "SELECT e.uid, count(s.id) FROM event e LEFT JOIN stance s ON s.event_id = e.id "
        "WHERE e.uid LIKE :p GROUP BY e.uid",
        {"p": prefix + "%"},
    )
    return {uid: int(n) for uid, n in rows}


def create_revisions(db_url: str, prefix: str) -> Counter[str]:
    """How many "create" revisions each event (uid starting with `prefix`) has."""
    rows = fetch(
        db_url,
        "SELECT entity_key FROM revision WHERE entity = 'event' AND action = 'create' AND entity_key LIKE :p",
        {"p": prefix + "%"},
    )
    return Counter(key for (key,) in rows)


def integrity(db_url: str) -> str | None:
    """SQLite's PRAGMA integrity_check (and foreign_key_check); None on other databases."""
    if not db_url.startswith("sqlite"):
        return None
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            result = "\n".join(str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check"))
            bad_keys = list(conn.exec_driver_sql("PRAGMA foreign_key_check"))
            if bad_keys:
                result += f"\nforeign_key_check: {bad_keys[:10]}"
            return result
    finally:
        engine.dispose()
