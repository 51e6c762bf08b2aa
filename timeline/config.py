"""Configuration: safe defaults, then TIMELINE_* environment variables."""

from __future__ import annotations

import contextlib
import os
import secrets
import sysconfig
from pathlib import Path
from typing import Any

from flask import Flask

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent  # the checkout, when running from one


def bundled(name: str) -> Path:
    """templates/, migrations/ or seed/: inside the package when installed, else at the checkout's top."""
    installed = PACKAGE / name
    return installed if installed.is_dir() else ROOT / name


def instance_folder() -> Path:
    """Where the database, the secret key and snapshots live: TIMELINE_INSTANCE_PATH or ./instance."""
    path = Path(os.environ.get("TIMELINE_INSTANCE_PATH") or "instance").resolve()
    for installed in {sysconfig.get_path("purelib"), sysconfig.get_path("platlib"), str(PACKAGE)}:
        if path.is_relative_to(installed):
            raise RuntimeError(
                f"The instance folder {path} is inside the installed package ({installed}): "
                "set TIMELINE_INSTANCE_PATH to a folder of its own, or start from another directory."
            )
    return path


# Host names the site answers for; others get 400 (links built from a forged Host would point elsewhere).
DEFAULT_TRUSTED_HOSTS = ["localhost", "127.0.0.1"]


def load_config(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Fill app.config from defaults, the environment and explicit overrides (tests)."""
    instance = Path(app.instance_path)
    with contextlib.suppress(OSError):  # a read-only place: the database check says so at start
        instance.mkdir(parents=True, exist_ok=True)
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
        # Memory each worker may spend on rows reused across URLs of one actor (services/read_memo.py).
        READ_MEMO_MB=64,
        # Scheduled work (seconds; 0 turns a job off). Link checks reach third-party sites: opt in.
        SNAPSHOT_INTERVAL=3600,
        SNAPSHOT_KEEP=24,
        SNAPSHOT_DIR=str(instance / "snapshots"),
        LINK_CHECK_INTERVAL=0,
        LINK_CHECK_TIMEOUT=10,
        LINK_CHECK_CONCURRENCY=4,
        # The quote-drift watch re-fetches every quoted source (third-party sites too): opt in. A quote
        # not found exactly is "changed" when a span at least this similar (0-100) remains, else "gone".
        QUOTE_DRIFT_INTERVAL=0,
        QUOTE_DRIFT_TIMEOUT=10,
        QUOTE_DRIFT_CONCURRENCY=2,
        QUOTE_DRIFT_THRESHOLD=85,
        FEED_INTERVAL=900,
        FEED_TIMEOUT=15,  # each network wait of a feed download
        FEED_DEADLINE=60,  # the whole download of one feed
        # Feeds and link checks never contact loopback/private/link-local addresses unless this is on
        # (tests with a local server; an intranet deployment that means it).
        ALLOW_PRIVATE_ADDRESSES=False,
        JOB_QUEUE_POLL=5,
        # Housekeeping forgets finished job runs older than JOB_RUN_KEEP_DAYS, and keeps at most
        # JOB_RUN_KEEP_PER_JOB finished runs of each job (queued and running ones always stay).
        HOUSEKEEPING_INTERVAL=3600,
        JOB_RUN_KEEP_DAYS=30,
        JOB_RUN_KEEP_PER_JOB=1000,
        # Webhooks: how often the scheduler sends, each POST's timeout, attempts before a delivery is
        # marked failed, the first retry's wait (doubling each time, up to an hour), and an extra CA file
        # to trust for receivers' certificates (an intranet's own CA; tests).
        WEBHOOK_INTERVAL=30,
        WEBHOOK_TIMEOUT=10,
        WEBHOOK_CONCURRENCY=4,
        WEBHOOK_MAX_ATTEMPTS=8,
        WEBHOOK_RETRY_SECONDS=30,
        WEBHOOK_CA_FILE="",
        TRUSTED_HOSTS=DEFAULT_TRUSTED_HOSTS,
        # A scheduler process that finds another one active checks again this often (seconds).
        SCHEDULER_STANDBY_POLL=10,
    )
    app.config.from_prefixed_env("TIMELINE")
    if overrides:
        app.config.update(overrides)
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config["TRUSTED_HOSTS"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)


def trusted_hosts(value: Any) -> list[str]:
    """The TRUSTED_HOSTS setting as a list: a JSON list, or names separated by commas or spaces.

    Empty means the default, never "any host": Werkzeug would trust every host for an empty list.
    """
    names = value.replace(",", " ").split() if isinstance(value, str) else list(value or [])
    return [str(n).strip().lower() for n in names if str(n).strip()] or list(DEFAULT_TRUSTED_HOSTS)


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
