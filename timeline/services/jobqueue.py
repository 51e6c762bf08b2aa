"""The scheduled jobs as editors see them: which there are, their recent runs, and "run now" requests.

No APScheduler here: the web layer queues a run (a JobRun row, "queued"), and the one scheduler
process (timeline/jobs.py) picks it up within seconds and runs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from .. import queries
from ..models import JobRun, ScheduledJob, utcnow
from .errors import NotFound


@dataclass(frozen=True)
class JobKind:
    """A scheduled job: what it does, and the config key of its interval in seconds."""

    what: str
    interval_key: str


KINDS: dict[str, JobKind] = {
    "snapshot": JobKind("Snapshot of the whole dataset", "SNAPSHOT_INTERVAL"),
    "link-check": JobKind("Check source links", "LINK_CHECK_INTERVAL"),
    "feeds": JobKind("Fetch watched feeds into the review queue", "FEED_INTERVAL"),
    "webhooks": JobKind("Send webhook deliveries (retries included)", "WEBHOOK_INTERVAL"),
}


@dataclass(frozen=True)
class JobStatus:
    """One job on /admin/jobs: its interval, its next scheduled run and its latest runs, newest first."""

    id: str
    what: str
    interval: int
    scheduled: ScheduledJob | None
    runs: Sequence[JobRun]


def job_statuses(session: Session, config: Mapping[str, Any]) -> list[JobStatus]:
    """Every job with its interval (from `config`), next run and recent runs."""
    scheduled = queries.scheduled_jobs(session)
    return [
        JobStatus(
            job_id,
            kind.what,
            int(config[kind.interval_key]),
            scheduled.get(job_id),
            queries.recent_job_runs(session, job_id),
        )
        for job_id, kind in KINDS.items()
    ]


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
