"""Scheduled jobs: one dedicated process runs APScheduler; each job pushes an app context, calls a service."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_STARTED,
    JobExecutionEvent,
)
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import update
from sqlmodel import col

from . import queries, work
from .db import engines, write_session
from .leader import SchedulerLock, describe, scheduler_lock
from .models import JobRun, ScheduledJob, utcnow
from .services import jobqueue

log = logging.getLogger("timeline.jobs")


def _snapshot() -> str:
    snap = work.take_snapshot()
    return f"{snap.name}: {snap.events} events, {snap.size} bytes, sha256 {snap.sha256[:12]}…"


def _link_check() -> str:
    result = work.check_links()
    return f"{result['checked']} links checked, {result['broken']} broken"


def _quote_drift() -> str:
    c = work.check_quotes()
    return (
        f"{sum(c.values())} quotes checked: {c['found']} found, {c['changed']} changed, "
        f"{c['gone']} gone, {c['unreachable']} unreachable"
    )


def _feeds() -> str:
    report = work.fetch_feeds()
    return f"{report.feeds} feeds, {report.new} new candidates, {report.failed} failed"


def _webhooks() -> str:
    r = work.deliver_webhooks()
    return f"{r.filed} filed, {r.delivered} delivered, {r.retrying} to retry, {r.failed} failed"


def _housekeeping() -> str:
    return f"{work.prune_job_runs()} old job runs pruned"


_CALLS: dict[str, Callable[[], str]] = {
    "snapshot": _snapshot,
    "link-check": _link_check,
    "quote-drift": _quote_drift,
    "feeds": _feeds,
    "webhooks": _webhooks,
    "housekeeping": _housekeeping,
}
# id -> (what it does, the service call, the config key of its interval); the kinds are jobqueue's.
JOBS: dict[str, tuple[str, Callable[[], str], str]] = {
    job_id: (kind.what, _CALLS[job_id], kind.interval_key) for job_id, kind in jobqueue.KINDS.items()
}


def run_job(app: Flask, job_id: str, run_id: int | None = None) -> JobRun:
    """Run one job in its own app context and record the run; errors are logged and recorded, not raised."""
    with app.app_context():
        with write_session(bookkeeping=True) as session:
            run = session.get(JobRun, run_id) if run_id else None
            if run is None:
                run = JobRun(job_id=job_id, outcome="running")
                session.add(run)
            run.outcome, run.started_at = "running", utcnow()
            session.flush()
            run_id = run.id
        try:
            message, outcome = JOBS[job_id][1](), "ok"
        except Exception as exc:  # a failing job must not take the scheduler down
            log.exception("job %s failed", job_id)
            message, outcome = f"{type(exc).__name__}: {exc}", "error"
        with write_session(bookkeeping=True) as session:
            run = session.get(JobRun, run_id)
            assert run is not None
            run.outcome, run.message, run.finished_at = outcome, message[:4000], utcnow()
        return run


def _dispatch_queued(app: Flask) -> None:
    with app.app_context():
        with write_session(bookkeeping=True) as session:
            queued = [(r.id, r.job_id) for r in queries.queued_job_runs(session)]
        for run_id, job_id in queued:
            with write_session(bookkeeping=True) as session:
                # Claim it: only one dispatcher may move a run out of the queue.
                claimed = session.execute(
                    update(JobRun)
                    .where(col(JobRun.id) == run_id, col(JobRun.outcome) == "queued")
                    .values(outcome="running")
                ).rowcount  # type: ignore[attr-defined]
            if claimed:
                run_job(app, job_id, run_id)


def _record_next_runs(app: Flask, scheduler: BaseScheduler) -> None:
    # Asked of the scheduler before the write: get_job waits for the scheduler's job-store lock, which
    # its other threads take, and SQLite's write lock must not be held meanwhile (writers waited 40 s).
    planned = []
    for job_id, (_what, _call, key) in JOBS.items():
        job = scheduler.get_job(job_id)
        next_run = job.next_run_time.astimezone(UTC) if job and job.next_run_time else None
        planned.append((job_id, int(app.config[key]), next_run))
    with app.app_context(), write_session(bookkeeping=True) as session:
        for job_id, interval, next_run in planned:
            row = session.get(ScheduledJob, job_id) or ScheduledJob(id=job_id, interval_seconds=interval)
            row.interval_seconds, row.next_run_at, row.updated_at = interval, next_run, utcnow()
            session.add(row)


QUEUE_POLL = "Job queue poll"
LOCK_CHECK = "Scheduler lock check"


def _quiet_queue_poll(record: logging.LogRecord) -> bool:
    """APScheduler's lines about the queue poll and the lock check (every few seconds) are DEBUG, not INFO."""
    message = record.getMessage()
    if (QUEUE_POLL in message or LOCK_CHECK in message) and record.levelno == logging.INFO:
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
    return True


def build_scheduler(app: Flask, scheduler: BaseScheduler | None = None) -> BaseScheduler:
    """The jobs with explicit ids, replace_existing, coalesce and a misfire grace time."""
    scheduler = scheduler or BlockingScheduler(timezone=UTC)
    for job_id, (_what, _call, key) in JOBS.items():
        interval = int(app.config[key])
        if interval <= 0:
            continue  # turned off in configuration
        scheduler.add_job(
            run_job,
            IntervalTrigger(seconds=interval, start_date=datetime.now(UTC) + timedelta(seconds=interval)),
            args=[app, job_id],
            id=job_id,
            name=JOBS[job_id][0],
            replace_existing=True,
            # Runs missed while the process was down collapse into one, if within half an interval.
            coalesce=True,
            misfire_grace_time=max(1, interval // 2),
            max_instances=1,
        )
    poll = int(app.config["JOB_QUEUE_POLL"])
    scheduler.add_job(
        _dispatch_queued,
        IntervalTrigger(seconds=max(1, poll)),
        args=[app],
        id="dispatch-queued",
        name=QUEUE_POLL,
        replace_existing=True,
        coalesce=True,
        misfire_grace_time=poll,
        max_instances=1,
    )

    def on_event(event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning("job %s missed its run at %s", event.job_id, event.scheduled_run_time)
        _record_next_runs(app, scheduler)

    scheduler.add_listener(on_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    return scheduler


def start(app: Flask) -> None:
    """Run the scheduler in this process until SIGINT/SIGTERM (flask --app timeline scheduler).

    Only one scheduler process per database runs jobs (see timeline/leader.py); the others stand by
    and take over when it stops.
    """
    level = str(app.config.get("LOG_LEVEL", "INFO")).upper()  # TIMELINE_LOG_LEVEL; make run: WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler.executors.default").addFilter(_quiet_queue_poll)
    stopping = threading.Event()
    current: list[BaseScheduler] = []

    def stop(signum: int, frame: Any) -> None:
        stopping.set()
        for scheduler in current:
            scheduler.shutdown(wait=False)  # a process manager's SIGTERM: stop between jobs

    signal.signal(signal.SIGTERM, stop)
    lock = scheduler_lock(engines(app)[1])
    poll = max(0.1, float(app.config["SCHEDULER_STANDBY_POLL"]))
    try:
        while not stopping.is_set():
            if not lock.acquire():
                log.info("another scheduler is active on this database (%s): standing by", describe(lock))
                while not stopping.wait(poll) and not lock.acquire():
                    pass
                if stopping.is_set():
                    break
            try:
                current[:] = [build_scheduler(app)]
                _run_as_leader(app, current[0], lock)
            finally:
                current.clear()
                lock.release()
    except (KeyboardInterrupt, SystemExit):
        pass
    log.info("scheduler stopped")


def _run_as_leader(app: Flask, scheduler: BaseScheduler, lock: SchedulerLock) -> None:
    """Run the jobs until shut down, or until the lock is lost (then another process may lead)."""

    def after_start(event: Any) -> None:
        _record_next_runs(app, scheduler)

    def check_lock() -> None:
        if not lock.held():
            log.error("lost the scheduler lock: stopping the jobs here")
            scheduler.shutdown(wait=False)

    scheduler.add_job(
        check_lock,
        IntervalTrigger(seconds=max(1, int(app.config["JOB_QUEUE_POLL"]))),
        id="check-lock",
        name=LOCK_CHECK,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_listener(after_start, EVENT_SCHEDULER_STARTED)
    log.info("scheduler started (%s): %s", describe(lock), ", ".join(j.id for j in scheduler.get_jobs()))
    scheduler.start()
