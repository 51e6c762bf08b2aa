"""What the scheduled work reads: source links, feeds and their candidates, job runs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlmodel import Session, col

from ..models import Candidate, Event, Feed, JobRun, ScheduledJob, SourceLink
from .common import _LIVE, _storable


def source_urls(session: Session) -> list[str]:
    """Distinct source URLs of live events."""
    rows = session.execute(
        select(col(Event.source_url)).where(_LIVE, col(Event.source_url).is_not(None)).distinct()
    ).scalars()
    return sorted(u for u in rows if u)


def source_link(session: Session, url: str) -> SourceLink | None:
    if not _storable(url):
        return None
    return session.execute(select(SourceLink).where(col(SourceLink.url) == url)).scalars().first()


def feed_by_url(session: Session, url: str) -> Feed | None:
    if not _storable(url):
        return None
    return session.execute(select(Feed).where(col(Feed.url) == url)).scalars().first()


def all_feeds(session: Session) -> Sequence[Feed]:
    return session.execute(select(Feed).order_by(col(Feed.id))).scalars().all()


def candidate_exists(session: Session, *, link: str | None, guid: str | None) -> bool:
    conditions = []
    if link:
        conditions.append(col(Candidate.link) == link)
    if guid:
        conditions.append(col(Candidate.guid) == guid)
    if not conditions:
        return False
    return session.execute(select(col(Candidate.id)).where(or_(*conditions)).limit(1)).first() is not None


def pending_candidates(session: Session, limit: int = 200) -> Sequence[Candidate]:
    stmt = select(Candidate).where(col(Candidate.status) == "pending").order_by(col(Candidate.id).desc())
    return session.execute(stmt.limit(limit)).scalars().all()


def recent_job_runs(session: Session, job_id: str, limit: int = 10) -> Sequence[JobRun]:
    stmt = select(JobRun).where(col(JobRun.job_id) == job_id).order_by(col(JobRun.id).desc()).limit(limit)
    return session.execute(stmt).scalars().all()


def queued_job_runs(session: Session) -> Sequence[JobRun]:
    stmt = select(JobRun).where(col(JobRun.outcome) == "queued").order_by(col(JobRun.id))
    return session.execute(stmt).scalars().all()


def scheduled_jobs(session: Session) -> dict[str, ScheduledJob]:
    return {j.id: j for j in session.execute(select(ScheduledJob)).scalars()}
