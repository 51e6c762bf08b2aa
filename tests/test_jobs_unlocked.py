"""Writes never wait on slow work: dry runs only read, real imports validate before they lock, jobs
record their results in short writes, and a write that still finds the database busy gets a 503."""

from __future__ import annotations

import copy
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlmodel import col

from timeline import work
from timeline.db import get_session, read_session, write_session
from timeline.models import Event
from timeline.services import accounts
from timeline.services import snapshots as snapshot_service
from timeline.services.errors import Invalid
from timeline.services.importing import apply_import, import_document, validate_document
from timeline.services.importplan import plan_import

from support.app import create_user, load_doc, make_app
from support.data import small_doc
from support.locks import write_lock_free, write_lock_held
from support.web import csrf_token, login


@pytest.fixture
def quick_app(db_url: str) -> Flask:
    """An app whose writes give up after a short wait (SQLite polls 2 s first, then 0.3 s)."""
    app = make_app(db_url, SQLITE_BUSY_TIMEOUT_MS=300)
    load_doc(app, small_doc())
    return app


@pytest.fixture
def signed_in(quick_app: Flask) -> FlaskClient:
    client = quick_app.test_client()
    create_user(quick_app, "ed")
    assert login(client, "ed").status_code == 303
    return client


def event_count(app: Flask) -> int:
    with app.app_context():
        return int(get_session().execute(select(func.count()).select_from(Event)).scalar_one())


def bigger_doc() -> dict[str, Any]:
    doc = small_doc()
    doc["events"] += [
        {"uid": f"more-{i}", "actor": "russia", "kind": "statement", "title": f"More {i}", "date": "2021"}
        for i in range(30)
    ]
    return doc


def test_dry_run_import_takes_no_write_lock_on_the_page_and_the_cli(
    quick_app: Flask, signed_in: FlaskClient, db_url: str, tmp_path
) -> None:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(bigger_doc()), encoding="utf-8")
    with write_lock_held(db_url):
        started = time.monotonic()
        result = quick_app.test_cli_runner().invoke(args=["import", str(path), "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "events: 30 created, 0 updated, 3 unchanged" in result.output
        page = signed_in.post(
            "/import",
            data={
                "csrf_token": csrf_token(signed_in),
                "dry_run": "1",
                "file": (io.BytesIO(path.read_bytes()), "doc.json"),
            },
        )
        assert page.status_code == 200, page.get_data(as_text=True)
        assert "Dry run: nothing was stored" in page.get_data(as_text=True)
        assert time.monotonic() - started < 2  # neither waited for the lock
    assert event_count(quick_app) == 3


@pytest.mark.slow  # every write waits out the busy timeout
def test_busy_database_answers_503_with_retry_after_on_api_form_and_import(
    quick_app: Flask, signed_in: FlaskClient, db_url: str
) -> None:
    with quick_app.app_context(), write_session() as session:
        create_user(quick_app, "robot")
        token = accounts.issue_token(session, "robot")
    api = quick_app.test_client()
    body = {"uid": "busy-1", "actor": "russia", "kind": "statement", "title": "Busy", "date": "2021"}
    form = {
        "csrf_token": csrf_token(signed_in),
        "actor": "russia",
        "kind": "statement",
        "date": "2021-02-03",
        "title": "Busy form",
        "quote": "The database is busy.",  # with its evidence: the form stores it without a question
        "source_url": "https://example.org/busy",
        "confidence": "medium",
        "save": "Save",
    }
    upload = {
        "csrf_token": csrf_token(signed_in),
        "file": (io.BytesIO(json.dumps(bigger_doc()).encode()), "d.json"),
    }
    with write_lock_held(db_url):
        answer = api.post("/api/v1/events", json=body, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
        error = answer.get_json()["error"]
        assert set(error) == {"code", "message", "fields"} and error["code"] == "database_busy"
        assert "busy" in error["message"] and "nothing was saved" in error["message"]
        page = signed_in.post("/events", data=form)
        assert page.status_code == 503 and page.headers["Retry-After"] == "5"
        assert "The database is busy" in page.get_data(as_text=True)
        imported = signed_in.post("/import", data=upload)
        assert imported.status_code == 503 and "The database is busy" in imported.get_data(as_text=True)
    assert event_count(quick_app) == 3  # nothing half-stored
    again = api.post("/api/v1/events", json=body, headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 201
    assert event_count(quick_app) == 4


def test_a_real_import_validates_and_plans_before_it_takes_the_lock(
    quick_app: Flask, db_url: str, monkeypatch
) -> None:
    seen: list[bool] = []
    real_plan = plan_import

    def watching_plan(session, valid):
        seen.append(write_lock_free(db_url))  # validation is over; the plan only reads
        return real_plan(session, valid)

    monkeypatch.setattr(work, "plan_import", watching_plan)
    with quick_app.app_context():
        report = work.import_document(bigger_doc())
    assert seen == [True]
    assert report.created["events"] == 30 and report.unchanged["events"] == 3
    assert event_count(quick_app) == 33


def _changed(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["actors"].append({"slug": "iran", "name": "Iran", "kind": "government"})
    doc["actors"][1]["role"] = "President"  # vladimir-putin updated
    doc["topics"][1]["name"] = "Sanctions"  # updated
    doc["topics"].append({"slug": "gulf", "name": "Gulf security"})
    doc["events"][0]["title"] = "Not a fire brigade (corrected)"  # updated
    doc["events"][1]["stances"][0]["score"] = 1  # updated (a stance)
    doc["events"][2]["actor"] = "iran"  # updated: moved to a new actor
    doc["events"].append(
        {
            "uid": "e-new",
            "actor": "iran",
            "kind": "statement",
            "title": "New",
            "date": "2021-03",
            "stances": [{"topic": "gulf", "score": 1}],
        }
    )
    return doc


def _plan(app: Flask, doc: dict[str, Any]) -> dict[str, Any]:
    with app.app_context(), read_session() as session:
        return plan_import(session, validate_document(doc)).report.as_dict()


def _apply(app: Flask, doc: dict[str, Any]) -> dict[str, Any]:
    with app.app_context():
        return work.import_document(doc).as_dict()


def test_the_dry_run_reports_exactly_what_the_import_then_does(quick_app: Flask) -> None:
    for doc in (small_doc(), _changed(small_doc()), _changed(small_doc()), bigger_doc()):
        planned = _plan(quick_app, doc)
        assert planned == _apply(quick_app, doc)
    assert _plan(quick_app, bigger_doc())["unchanged"] == {"actors": 2, "topics": 2, "events": 33}


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d["actors"][1].update(parent="nobody"),
        lambda d: d["actors"][0].update(parent="russia"),
        lambda d: d["actors"][0].update(parent="vladimir-putin"),
        lambda d: d["events"][1].update(actor="nobody"),
        lambda d: d["events"][1]["stances"].append({"topic": "nothing", "score": 1}),
    ],
    ids=["unknown-parent", "own-parent", "parent-loop", "unknown-actor", "unknown-topic"],
)
def test_the_dry_run_refuses_what_the_import_refuses_with_the_same_words(
    quick_app: Flask, breakage: Any
) -> None:
    doc = _changed(small_doc())
    breakage(doc)
    with pytest.raises(Invalid) as planned:
        _plan(quick_app, doc)
    with pytest.raises(Invalid) as applied, quick_app.app_context(), write_session() as session:
        import_document(session, doc)
    assert (planned.value.fields, planned.value.message) == (applied.value.fields, applied.value.message)
    assert event_count(quick_app) == 3


def test_a_stale_plan_is_not_trusted(quick_app: Flask) -> None:
    doc = small_doc()
    with quick_app.app_context(), read_session() as session:
        plan = plan_import(session, validate_document(doc))
    assert plan.report.unchanged["events"] == 3
    # Someone edits an event between the plan and the write: the write looks again.
    with quick_app.app_context(), write_session() as session:
        row = session.execute(select(Event).where(col(Event.uid) == "e-2019")).scalar_one()
        row.title = "Edited meanwhile"
    with quick_app.app_context(), write_session() as session:
        report = apply_import(session, validate_document(doc), None, plan)
    assert report.updated["events"] == 1 and report.unchanged["events"] == 2
    with quick_app.app_context():
        titles = set(get_session().execute(select(col(Event.title))).scalars())
    assert "Not a fire brigade" in titles and "Edited meanwhile" not in titles


@pytest.fixture
def snapshot_dir(quick_app: Flask, tmp_path) -> Iterator[None]:
    quick_app.config.update(SNAPSHOT_DIR=str(tmp_path / "snaps"), SNAPSHOT_KEEP=5)
    yield


def test_a_snapshot_is_written_while_another_connection_holds_the_write_lock(
    quick_app: Flask, snapshot_dir: None, db_url: str
) -> None:
    directory = Path(quick_app.config["SNAPSHOT_DIR"])
    with quick_app.app_context(), write_lock_held(db_url), read_session() as session:
        written = snapshot_service.export_file(session, directory)
    assert written.events == 3 and (directory / written.name).exists()
    with quick_app.app_context():
        snap = work.take_snapshot()
    assert snap.events == 3
