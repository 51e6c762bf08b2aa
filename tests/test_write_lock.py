"""No write transaction waits on something slow while it holds the database; one that does hold it long is
logged with the code that made it (what an operator needs when writes start answering "busy")."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from flask import Flask
from sqlmodel import select

from timeline import db, jobs
from timeline.db import get_session, write_session
from timeline.models import ScheduledJob

from support.app import flag_write_transactions


class SlowScheduler:
    """get_job waits for the scheduler's job-store lock, which its other threads take: notes whether a
    write transaction was open meanwhile."""

    def __init__(self, writing: list[bool]) -> None:
        self.writing = writing
        self.asked_while_writing: list[bool] = []
        self.next_run = datetime.now(UTC) + timedelta(minutes=5)

    def get_job(self, job_id: str) -> Any:
        self.asked_while_writing.append(self.writing[0])
        return SimpleNamespace(next_run_time=self.next_run)


def test_next_runs_are_asked_of_the_scheduler_before_the_write(app: Flask, monkeypatch) -> None:
    writing = flag_write_transactions(monkeypatch, jobs)
    scheduler = SlowScheduler(writing)
    jobs._record_next_runs(app, scheduler)
    assert scheduler.asked_while_writing and not any(scheduler.asked_while_writing)
    with app.app_context():
        rows = get_session().exec(select(ScheduledJob)).all()
        assert {r.id for r in rows} == set(jobs.JOBS)
        assert all(r.next_run_at is not None for r in rows)  # what the jobs page shows


def test_a_long_write_transaction_is_logged_with_its_caller(app: Flask, monkeypatch, caplog) -> None:
    monkeypatch.setattr(db, "SLOW_WRITE_SECONDS", 0.0)
    with caplog.at_level(logging.WARNING, logger="timeline.db"), app.app_context(), write_session() as s:
        s.info["written"] = True
    logged = [r.getMessage() for r in caplog.records if "held the database" in r.getMessage()]
    assert logged and "test_write_lock.py" in logged[0]
    assert "test_a_long_write_transaction_is_logged_with_its_caller" in logged[0]
    caplog.clear()
    monkeypatch.setattr(db, "SLOW_WRITE_SECONDS", 60.0)
    with caplog.at_level(logging.WARNING, logger="timeline.db"), app.app_context(), write_session() as s:
        s.info["written"] = True
    assert not [r for r in caplog.records if "held the database" in r.getMessage()]
