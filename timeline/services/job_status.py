"""The scheduled jobs page: each job with its interval, whether it is turned off, its next and recent runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from .. import jobs, queries
from ..models import JobRun


@dataclass(frozen=True)
class JobStatus:
    """One job as editors see it: off (interval 0) or every `interval` seconds, with its recent runs."""

    id: str
    what: str
    interval: int  # seconds; 0 = turned off in configuration
    setting: str  # the environment variable that sets the interval, e.g. TIMELINE_LINK_CHECK_INTERVAL
    next_run_at: datetime | None
    runs: Sequence[JobRun]

    @property
    def off(self) -> bool:
        return self.interval <= 0


def jobs_overview(session: Session, intervals: Mapping[str, int]) -> list[JobStatus]:
    """Every job in the order the scheduler defines them; `intervals` is the app's config."""
    scheduled = queries.scheduled_jobs(session)
    overview = []
    for job_id, (what, _call, key) in jobs.JOBS.items():
        planned = scheduled.get(job_id)
        interval = int(intervals[key])
        overview.append(
            JobStatus(
                id=job_id,
                what=what,
                interval=interval,
                setting=f"TIMELINE_{key}",
                next_run_at=planned.next_run_at if planned is not None and interval > 0 else None,
                runs=queries.recent_job_runs(session, job_id),
            )
        )
    return overview


def is_off(job_id: str, intervals: Mapping[str, int]) -> bool:
    """Whether a job is turned off in configuration (its interval is 0): "run now" is refused then."""
    return int(intervals[jobs.JOBS[job_id][2]]) <= 0
