"""Housekeeping forgets old job runs: finished runs past the retention (days, and a number per job) go,
queued and running ones stay, and the job records its own run like any other."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import select
from sqlmodel import col

from timeline import jobs, work
from timeline.db import get_session, write_session
from timeline.models import JobRun, utcnow


def _runs(app: Flask) -> list[tuple[str, str, int]]:
    """(job, outcome, age in whole days) of every run, oldest id first."""
    now = utcnow()
    with app.app_context():
        rows = get_session().execute(select(JobRun).order_by(col(JobRun.id))).scalars().all()
        return [
            (r.job_id, r.outcome, (now - (r.finished_at or r.started_at or r.queued_at or now)).days)
            for r in rows
        ]


def _add(app: Flask, job_id: str, outcome: str, days_ago: float, count: int = 1) -> None:
    when = utcnow() - timedelta(days=days_ago)
    with app.app_context(), write_session(bookkeeping=True) as session:
        for _ in range(count):
            finished = when if outcome in ("ok", "error") else None
            session.add(JobRun(job_id=job_id, outcome=outcome, started_at=when, finished_at=finished))


def test_old_and_surplus_finished_runs_are_pruned_queued_and_running_stay(app: Flask, monkeypatch) -> None:
    assert (app.config["JOB_RUN_KEEP_DAYS"], app.config["JOB_RUN_KEEP_PER_JOB"]) == (30, 1000)  # defaults
    app.config.update(JOB_RUN_KEEP_DAYS=30, JOB_RUN_KEEP_PER_JOB=4)
    monkeypatch.setattr(work, "PRUNE_BATCH", 3)  # several short writes
    _add(app, "snapshot", "ok", 45, 2)  # past 30 days: go
    _add(app, "snapshot", "error", 31)  # past 30 days: goes
    _add(app, "snapshot", "ok", 2, 3)  # recent, within the newest 4: stay
    _add(app, "feeds", "error", 10, 3)  # recent, but only the newest 4 feeds runs stay
    _add(app, "feeds", "ok", 1, 3)
    _add(app, "webhooks", "running", 60)  # never finished: stays, however old
    with app.app_context(), write_session(bookkeeping=True) as session:
        session.add(JobRun(job_id="link-check", outcome="queued", queued_at=utcnow() - timedelta(days=90)))

    run = jobs.run_job(app, "housekeeping")

    assert (run.outcome, run.message) == ("ok", "5 old job runs pruned")  # 3 snapshot runs, 2 feeds runs
    left = _runs(app)
    assert [r for r in left if r[0] == "snapshot"] == [("snapshot", "ok", 2)] * 3
    assert [r for r in left if r[0] == "feeds"] == [("feeds", "error", 10)] + [("feeds", "ok", 1)] * 3
    assert ("webhooks", "running", 60) in left
    assert [r[:2] for r in left if r[0] == "link-check"] == [("link-check", "queued")]
    assert [r[:2] for r in left if r[0] == "housekeeping"] == [("housekeeping", "ok")]  # its own run

    again = jobs.run_job(app, "housekeeping")
    assert again.message == "0 old job runs pruned"
    assert len(_runs(app)) == len(left) + 1


def test_many_runs_of_one_job_are_capped(app: Flask) -> None:
    app.config.update(JOB_RUN_KEEP_PER_JOB=50)
    _add(app, "webhooks", "ok", 0.5, 2600)
    with app.app_context():
        assert work.prune_job_runs() == 2550
    assert len(_runs(app)) == 50


def test_the_scheduler_runs_housekeeping_at_its_interval(app: Flask) -> None:
    app.config.update(HOUSEKEEPING_INTERVAL=600)
    scheduler = jobs.build_scheduler(app, BackgroundScheduler())
    job = scheduler.get_job("housekeeping")
    assert job is not None and job.trigger.interval == timedelta(seconds=600)
    app.config.update(HOUSEKEEPING_INTERVAL=0)  # 0 turns it off, like every job
    assert jobs.build_scheduler(app, BackgroundScheduler()).get_job("housekeeping") is None
