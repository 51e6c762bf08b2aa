"""Configuration: safe defaults, then TIMELINE_* environment variables."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def load_config(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Fill app.config from defaults, the environment and explicit overrides (tests)."""
    instance = Path(app.instance_path)
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{instance / 'timeline.db'}",
        SQL_ECHO=False,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        JSON_SORT_KEYS=False,
        SQLITE_BUSY_TIMEOUT_MS=15000,
        SQLITE_MMAP_MB=4096,  # address space for reading the SQLite file through a memory map
        # Memory each worker may spend on shared public pages (see timeline/web/cache.py).
        RESPONSE_CACHE_MB=64,
        # Scheduled work (seconds; 0 turns a job off). Link checks reach third-party sites: opt in.
        SNAPSHOT_INTERVAL=3600,
        SNAPSHOT_KEEP=24,
        SNAPSHOT_DIR=str(instance / "snapshots"),
        LINK_CHECK_INTERVAL=0,
        LINK_CHECK_TIMEOUT=10,
        LINK_CHECK_CONCURRENCY=4,
        FEED_INTERVAL=900,
        FEED_TIMEOUT=15,  # each network wait of a feed download
        FEED_DEADLINE=60,  # the whole download of one feed
        # Feeds and link checks never contact loopback/private/link-local addresses unless this is on
        # (tests with a local server; an intranet deployment that means it).
        ALLOW_PRIVATE_ADDRESSES=False,
        JOB_QUEUE_POLL=5,
        # A scheduler process that finds another one active checks again this often (seconds).
        SCHEDULER_STANDBY_POLL=10,
    )
    app.config.from_prefixed_env("TIMELINE")
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)


def _instance_secret(instance: Path) -> str:
    """A per-installation secret kept in instance/, created on first start."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two workers starting at once must agree on one key.
    try:
        with open(path, "x") as fh:
            fh.write(key)
        path.chmod(0o600)
    except FileExistsError:
        return path.read_text().strip()
    return key
