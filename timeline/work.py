"""Slow work in three steps, so writes never wait on it: read (one consistent snapshot), do the slow
part with no transaction open (network I/O, files, validation), then record the result in one short
write transaction. The scheduler's jobs, the CLI and the import page call these; each needs an app
context.
"""

from __future__ import annotations

import ssl
from functools import partial
from pathlib import Path
from typing import Any

from flask import current_app

from .db import read_session, write_session
from .models import Snapshot
from .services import feeds, linkcheck, snapshots, stance_alerts, webhooks
from .services.importing import ImportReport, apply_import, validate_document
from .services.importplan import plan_import


def allow_private() -> bool:
    """Whether feeds and link checks may contact private addresses (tests with a local server only)."""
    return bool(current_app.config["ALLOW_PRIVATE_ADDRESSES"])


def take_snapshot() -> Snapshot:
    """Export the dataset to a snapshot file from a read snapshot, then record it."""
    directory = Path(current_app.config["SNAPSHOT_DIR"])
    with read_session() as session:
        written = snapshots.export_file(session, directory)
    with write_session(bookkeeping=True) as session:
        return snapshots.record_snapshot(
            session, written, directory, int(current_app.config["SNAPSHOT_KEEP"])
        )


def check_links() -> dict[str, int]:
    """Check every source URL over the network, then record the outcomes."""
    cfg = current_app.config
    with read_session() as session:
        urls = linkcheck.urls_to_check(session)
    results = linkcheck.check_urls(
        urls,
        timeout=float(cfg["LINK_CHECK_TIMEOUT"]),
        concurrency=int(cfg["LINK_CHECK_CONCURRENCY"]),
        allow_private=allow_private(),
    )
    with write_session() as session:
        return linkcheck.record_results(session, results)


def fetch_feeds() -> feeds.FeedReport:
    """Download every feed, then file the new items as candidates."""
    cfg = current_app.config
    with read_session() as session:
        targets = feeds.feeds_to_fetch(session)
    fetch = partial(
        feeds.fetch_bytes,
        timeout=float(cfg["FEED_TIMEOUT"]),
        deadline=float(cfg["FEED_DEADLINE"]),
        allow_private=allow_private(),
    )
    fetches = feeds.download(targets, fetch)
    with write_session() as session:
        return feeds.record_fetches(session, fetches)


def deliver_webhooks() -> webhooks.DeliveryReport:
    """File new changes as deliveries (short write), POST the due ones (no transaction), record outcomes."""
    cfg = current_app.config
    with read_session() as session:
        plans = webhooks.plan_deliveries(session)
        stance_plan = stance_alerts.plan(session)  # stance changes: computed here, never in a request
    report = webhooks.DeliveryReport()
    if plans or stance_plan:
        with write_session(bookkeeping=True) as session:
            report.filed = webhooks.file_deliveries(session, plans)
            if stance_plan is not None:
                report.filed += stance_alerts.file(session, stance_plan)
    with read_session() as session:
        outgoing = webhooks.due(session)
    if not outgoing:
        return report
    context = ssl.create_default_context()
    if cfg.get("WEBHOOK_CA_FILE"):
        context.load_verify_locations(cafile=cfg["WEBHOOK_CA_FILE"])  # an intranet's own CA, or a test's
    send = partial(
        webhooks.post, timeout=float(cfg["WEBHOOK_TIMEOUT"]), allow_private=allow_private(), context=context
    )
    attempts = webhooks.send_all(outgoing, send, int(cfg["WEBHOOK_CONCURRENCY"]))
    with write_session(bookkeeping=True) as session:
        outcome = webhooks.record_attempts(
            session,
            attempts,
            max_attempts=int(cfg["WEBHOOK_MAX_ATTEMPTS"]),
            base_seconds=float(cfg["WEBHOOK_RETRY_SECONDS"]),
        )
    outcome.filed = report.filed
    return outcome


def import_document(document: Any, user_id: int | None = None, *, dry_run: bool = False) -> ImportReport:
    """Validate (no transaction), plan from a read snapshot; a real import then writes in one transaction.

    A dry run stops after the plan: it takes no write lock. Invalid names the record at fault.
    """
    valid = validate_document(document)
    with read_session() as session:
        plan = plan_import(session, valid)
    if dry_run:
        return plan.report
    with write_session() as session:
        return apply_import(session, valid, user_id, plan)


def restore_snapshot(name: str, *, replace: bool = False) -> ImportReport:
    """Verify and validate a snapshot file, then restore it in one write transaction."""
    valid = snapshots.load_snapshot(Path(current_app.config["SNAPSHOT_DIR"]), name)
    with write_session() as session:
        return snapshots.restore_snapshot(session, valid, replace=replace)
