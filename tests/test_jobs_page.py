"""The jobs page: a job turned off says so and offers no "run now"; intervals and times in words."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from timeline.db import get_session, write_session
from timeline.models import JobRun, ScheduledJob
from timeline.web.timewords import every, on_day, time_words

from conftest import csrf_token


def section(page: str, job_id: str) -> str:
    match = re.search(rf'<section class="job[^"]*" id="job-{job_id}">(.*?)</section>', page, re.S)
    assert match, job_id
    return match.group(1)


def test_a_job_turned_off_says_how_to_turn_it_on_and_cannot_run(app: Flask, editor: FlaskClient) -> None:
    assert app.config["LINK_CHECK_INTERVAL"] == 0  # off by default: it contacts third-party sites
    page = editor.get("/admin/jobs").get_data(as_text=True)
    off = section(page, "link-check")
    assert "Off</strong>: turn it on with <code>TIMELINE_LINK_CHECK_INTERVAL=&lt;seconds&gt;</code>" in off
    assert "Run now" not in off and "scheduler" not in off.replace("scheduler process (", "")
    assert "is the scheduler" not in off
    refused = editor.post("/admin/jobs/link-check/run", data={"csrf_token": csrf_token(editor)})
    assert refused.status_code == 409 and "turned off" in refused.get_data(as_text=True)
    with app.app_context():
        assert get_session().execute(select(func.count()).select_from(JobRun)).scalar_one() == 0


def test_jobs_that_run_show_their_interval_in_words_and_run_now(app: Flask, editor: FlaskClient) -> None:
    page = editor.get("/admin/jobs").get_data(as_text=True)
    assert "Runs hourly" in section(page, "snapshot")  # SNAPSHOT_INTERVAL=3600
    assert "Runs every 15 minutes" in section(page, "feeds")  # FEED_INTERVAL=900
    assert "Runs every 30 seconds" in section(page, "webhooks")
    assert "Run now" in section(page, "snapshot")
    assert "is the scheduler process running?" in section(page, "snapshot")  # nothing planned yet


def test_times_in_words_with_the_iso_value_in_a_tooltip(app: Flask, editor: FlaskClient) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context(), write_session(bookkeeping=True) as session:
        session.add(JobRun(job_id="snapshot", outcome="ok", started_at=now - timedelta(minutes=3, seconds=5),
                           finished_at=datetime(2026, 11, 30, 14, 5, tzinfo=UTC)))  # fmt: skip
        session.add(
            ScheduledJob(id="snapshot", interval_seconds=3600, next_run_at=now + timedelta(minutes=57))
        )
    snap = section(editor.get("/admin/jobs").get_data(as_text=True), "snapshot")
    started = (now - timedelta(minutes=3, seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f'<time datetime="{started}" title="{started}">3 minutes ago</time>' in snap
    old = '<time datetime="2026-11-30T14:05:00Z" title="2026-11-30T14:05:00Z">'
    assert old in snap and (f"{old}on 30 November 2026 at 14:05 UTC</time>" in snap or "hours ago" in snap)
    assert re.search(r"next run: <time [^>]*>in 5[67] minutes</time>", snap)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(3600, "hourly"), (86400, "daily"), (60, "every minute"), (900, "every 15 minutes"),
     (30, "every 30 seconds"), (7200, "every 2 hours"), (90, "every 90 seconds")],
)  # fmt: skip
def test_intervals_in_words(seconds: int, words: str) -> None:
    assert every(seconds) == words


def test_times_in_words() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert time_words(now - timedelta(minutes=3), now) == "3 minutes ago"
    assert time_words(now - timedelta(hours=1), now) == "1 hour ago"
    assert time_words(now + timedelta(minutes=5), now) == "in 5 minutes"
    assert time_words(now - timedelta(seconds=2), now) == "just now"
    assert time_words(datetime(2026, 11, 29, 14, 5), now) == "on 29 November 2026 at 14:05 UTC"
    assert on_day(datetime(2026, 11, 30, 14, 5, tzinfo=UTC)) == "on 30 November 2026 at 14:05 UTC"
