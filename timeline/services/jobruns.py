"""The record of job runs (table job_run): which finished runs housekeeping may forget."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session

from .. import queries


def runs_to_prune(session: Session, now: datetime, keep_days: int, keep_per_job: int) -> list[int]:
    """Ids of the finished runs older than `keep_days` or past the newest `keep_per_job` of their job."""
    cutoff = now - timedelta(days=max(0, keep_days))
    return queries.prunable_job_run_ids(session, cutoff, max(1, keep_per_job))


def prune_runs(session: Session, ids: Sequence[int]) -> int:
    """Delete these runs (those still finished); how many went."""
    return queries.delete_job_runs(session, ids) if ids else 0
