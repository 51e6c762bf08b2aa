"""The benchmark databases: generated once with `timeline.services.demo`, reused while the parameters,
the generator and the schema match; on SQLite files under instance/bench/, on PostgreSQL databases in
the benchmark's own cluster (pgcluster.py). Writes are measured on a copy, never on these."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pgcluster import admin_execute, database_exists
from servers import BENCH_DIR, ROOT, log
from sqlalchemy import create_engine, text

ACTORS, TOPICS, SEED = 200, 30, 1


@dataclass
class Database:
    """One generated database: its URL (what the app and the references are given) and its summary."""

    backend: str  # "sqlite" or "postgresql"
    url: str
    summary: dict[str, Any]

    def scalar(self, sql: str, **params: Any) -> Any:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql), params).scalar_one()
        finally:
            engine.dispose()

    def actor_id(self, slug: str) -> int:
        return int(self.scalar("SELECT id FROM actor WHERE slug = :s", s=slug))

    def topic_slug(self, not_slug: str) -> str:
        return str(self.scalar("SELECT slug FROM topic WHERE slug != :s ORDER BY id LIMIT 1", s=not_slug))

    def other_actor(self, slug: str) -> str:
        """An actor that is neither `slug` nor one of its members: its writes must not renew slug's page."""
        return str(
            self.scalar(
                "SELECT a.slug FROM actor a WHERE a.slug != :s AND (a.parent_id IS NULL OR a.parent_id "
                "NOT IN (SELECT id FROM actor WHERE slug = :s)) ORDER BY a.id LIMIT 1",
                s=slug,
            )
        )


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from timeline import migrate

    heads = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_heads()
    return ",".join(sorted(heads))


def db_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except Exception:  # no such database or table: generate it again
        return None
    finally:
        engine.dispose()
    return ",".join(sorted(rows))


def _generate(url: str, events: int) -> dict[str, Any]:
    from timeline import migrate
    from timeline.db import make_engines
    from timeline.services.demo import generate_demo_data

    started = time.monotonic()
    migrate.upgrade(url)
    _read, write = make_engines(url)

    def progress(done: int, total: int) -> None:
        if done % 100_000 == 0 or done == total:
            log(f"  {done:>9,} / {total:,} events ({time.monotonic() - started:.0f} s)")

    params = {"events": events, "actors": ACTORS, "topics": TOPICS, "seed": SEED}
    try:
        summary = generate_demo_data(write, progress=progress, **params)
    finally:
        write.dispose()
        _read.dispose()
    summary["seconds_with_migrations"] = round(time.monotonic() - started, 1)
    return summary


def _reusable(meta_path: Path, url: str) -> dict[str, Any] | None:
    from timeline.services.demo import GENERATOR_VERSION

    if not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text())
    params = {
        "events": meta.get("params", {}).get("events"),
        "actors": ACTORS,
        "topics": TOPICS,
        "seed": SEED,
    }
    head = head_revision()
    same = meta.get("params") == params and meta.get("generator") == GENERATOR_VERSION
    if same and meta.get("revision") == head and db_revision(url) == head:
        return dict(meta["summary"])
    return None


def _remember(meta_path: Path, events: int, summary: dict[str, Any]) -> None:
    from timeline.services.demo import GENERATOR_VERSION

    params = {"events": events, "actors": ACTORS, "topics": TOPICS, "seed": SEED}
    meta = {"params": params, "generator": GENERATOR_VERSION, "revision": head_revision(), "summary": summary}
    meta_path.write_text(json.dumps(meta, indent=1))


def sqlite_database(events: int) -> Database:
    """instance/bench/bench-N.db, generated once and reused while parameters and schema match."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"bench-{events}.db"
    meta_path = BENCH_DIR / f"bench-{events}.json"
    url = f"sqlite:///{path}"
    if path.exists() and (summary := _reusable(meta_path, url)):
        log(f"reusing {path.relative_to(ROOT)} ({events:,} events)")
        return Database("sqlite", url, {**summary, "reused": True})
    log(f"generating {path.relative_to(ROOT)}: {events:,} events (once; reused by later runs) ...")
    tmp = path.with_name(path.name + ".tmp")
    meta_path.unlink(missing_ok=True)
    for stale in (path, tmp):
        for suffix in ("", "-wal", "-shm"):
            with suppress(FileNotFoundError):
                Path(f"{stale}{suffix}").unlink()
    summary = _generate(f"sqlite:///{tmp}", events)
    with sqlite3.connect(tmp) as conn:  # fold the WAL into the file before it is renamed
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        with suppress(FileNotFoundError):
            Path(f"{tmp}{suffix}").unlink()
    tmp.replace(path)
    _remember(meta_path, events, summary)
    log(f"generated {events:,} events in {summary['seconds']} s ({summary['events_per_second']:,} events/s)")
    return Database("sqlite", url, {**summary, "reused": False})


def postgres_database(server_url: str, events: int) -> Database:
    """Database bench_N in the benchmark's PostgreSQL cluster, generated once and reused likewise."""
    name = f"bench_{events}"
    meta_path = BENCH_DIR / f"pg-bench-{events}.json"
    url = f"{server_url}/{name}"
    if database_exists(server_url, name) and (summary := _reusable(meta_path, url)):
        log(f"reusing PostgreSQL database {name} ({events:,} events)")
        return Database("postgresql", url, {**summary, "reused": True})
    log(f"generating PostgreSQL database {name}: {events:,} events (once; reused by later runs) ...")
    meta_path.unlink(missing_ok=True)
    admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_execute(server_url, f'CREATE DATABASE "{name}"')
    summary = _generate(url, events)
    _analyze(url)
    _remember(meta_path, events, summary)
    log(f"generated {events:,} events in {summary['seconds']} s ({summary['events_per_second']:,} events/s)")
    return Database("postgresql", url, {**summary, "reused": False})


def _analyze(url: str) -> None:
    """Fresh planner statistics and visibility map, as autovacuum would leave them on a live server."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    finally:
        engine.dispose()


def copy_database(db: Database, name: str) -> Database:
    """A copy to write to (the file, or CREATE DATABASE ... TEMPLATE); drop it with drop_copy."""
    if db.backend == "sqlite":
        source = Path(db.url.removeprefix("sqlite:///"))
        target = BENCH_DIR / f"{name}.db"
        try:
            shutil.copyfile(source, target)
        except OSError:
            target.unlink(missing_ok=True)  # a partial copy (a full disk) is not left behind
            raise
        return Database("sqlite", f"sqlite:///{target}", db.summary)
    server_url, _sep, source_name = db.url.rpartition("/")
    admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_execute(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{source_name}"')
    return Database("postgresql", f"{server_url}/{name}", db.summary)


def drop_copy(db: Database) -> None:
    if db.backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            with suppress(FileNotFoundError):
                Path(db.url.removeprefix("sqlite:///") + suffix).unlink()
        return
    server_url, _sep, name = db.url.rpartition("/")
    admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
