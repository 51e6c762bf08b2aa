"""The scheduled jobs as editors see them: which there are, their recent runs, and "run now" requests.

No APScheduler here: the web layer queues a run (a JobRun row, "queued"), and the one scheduler
process (timeline/jobs.py) picks it up within seconds and runs it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ..models import JobRun, utcnow
from .errors import NotFound


@dataclass(frozen=True)
class JobKind:
    """A scheduled job: what it does, and the config key of its interval in seconds."""

    what: str
    interval_key: str


KINDS: dict[str, JobKind] = {
    "snapshot": JobKind("Snapshot of the whole dataset", "SNAPSHOT_INTERVAL"),
    "link-check": JobKind("Check source links", "LINK_CHECK_INTERVAL"),
    "quote-drift": JobKind("Look for each quote in its re-fetched source", "QUOTE_DRIFT_INTERVAL"),
    "feeds": JobKind("Fetch watched feeds into the review queue", "FEED_INTERVAL"),
    "webhooks": JobKind("Send webhook deliveries (retries included)", "WEBHOOK_INTERVAL"),
    "housekeeping": JobKind("Prune old job runs", "HOUSEKEEPING_INTERVAL"),
}


def enqueue(session: Session, job_id: str, user_id: int | None) -> JobRun:
    """Queue a run for the scheduler process ("run now"); NotFound for a job that does not exist.

    Call it in a bookkeeping write session (write_session(bookkeeping=True)): a run changes no data.
    """
    if job_id not in KINDS:
        raise NotFound(f"No job “{job_id}”.")
    run = JobRun(job_id=job_id, outcome="queued", requested_by=user_id, queued_at=utcnow())
    session.add(run)
    session.flush()
    return run
