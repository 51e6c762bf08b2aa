"""Restarts keep editors' work: the seed only adds what is missing; commands and /healthz on a
database that has not been migrated say what to do; a failed export leaves no temporary file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from timeline import migrate
from timeline.db import engines, write_session
from timeline.services import accounts, seeding
from timeline.services.errors import Invalid

from support.app import make_app
from support.data import SEED_FILE

SEED = json.loads(SEED_FILE.read_text(encoding="utf-8"))
UID = "putin-2019-not-a-firefighting-crew"
UPGRADE = "flask --app timeline db upgrade"


def _event(app: Flask, uid: str) -> dict:
    with app.app_context(), engines()[0].connect() as conn:
        row = conn.execute(
            text("SELECT id, date_edtf, summary, deleted_at FROM event WHERE uid = :uid"), {"uid": uid}
        ).one()
        scores = conn.execute(
            text("SELECT score FROM stance WHERE event_id = :id ORDER BY topic_id"), {"id": row.id}
        ).scalars()
        return {
            "date": row.date_edtf,
            "summary": row.summary,
            "deleted": row.deleted_at,
            "scores": list(scores),
        }


def _id(app: Flask, uid: str) -> int:
    with app.app_context(), engines()[0].connect() as conn:
        return int(conn.execute(text("SELECT id FROM event WHERE uid = :uid"), {"uid": uid}).scalar_one())


def _count(app: Flask, table: str) -> int:
    with app.app_context(), engines()[0].connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_a_second_seed_keeps_an_editors_corrections_and_says_nothing_was_added(app: Flask, runner) -> None:
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert f"0 events present, {len(SEED['events'])} added" in first.output
    editor = runner.invoke(args=["users", "create", "maya"], input="correct horse battery staple\n")
    assert editor.exit_code == 0, editor.output
    client = app.test_client()
    token = runner.invoke(args=["users", "token", "maya"]).output.splitlines()[0]
    auth = {"Authorization": f"Bearer {token}"}
    ids = {uid: _id(app, uid) for uid in (UID, SEED["events"][-1]["uid"])}
    current = client.get(f"/api/v1/events/{ids[UID]}").get_json()
    record = next(e for e in SEED["events"] if e["uid"] == UID)
    corrected = {
        **record,
        "date": "2019-05-16",
        "summary": "Corrected by an editor.",
        "stances": [{**s, "score": 2} for s in record["stances"]],
        "version": current["version"],
    }
    answer = client.put(f"/api/v1/events/{ids[UID]}", json=corrected, headers=auth)
    assert answer.status_code == 200, answer.get_json()
    # An editor also deletes another seeded event.
    gone = SEED["events"][-1]["uid"]
    assert client.delete(f"/api/v1/events/{ids[gone]}", headers=auth).status_code == 204
    before = (_event(app, UID), _event(app, gone), _count(app, "event"), _count(app, "revision"))

    again = runner.invoke(args=["seed"])

    assert again.exit_code == 0, again.output
    assert f"{len(SEED['events'])} events present, 0 added" in again.output
    assert f"{len(SEED['actors'])} actors present, 0 added" in again.output
    after = (_event(app, UID), _event(app, gone), _count(app, "event"), _count(app, "revision"))
    assert after == before
    assert after[0]["date"] == "2019-05-16" and after[0]["summary"] == "Corrected by an editor."
    assert set(after[0]["scores"]) == {2}
    assert after[1]["deleted"] is not None  # the deletion stands: the seed does not bring it back


def test_the_seed_adds_only_the_missing_records(app: Flask) -> None:
    partial = {**SEED, "events": SEED["events"][:5]}
    with app.app_context(), write_session() as session:
        seeding.load_seed(session, partial)
    with app.app_context(), write_session() as session:
        report = seeding.load_seed(session, SEED)
    assert report.present["events"] == 5
    assert report.added["events"] == len(SEED["events"]) - 5
    assert report.added["actors"] == 0 and report.present["actors"] == len(SEED["actors"])
    assert _count(app, "event") == len(SEED["events"])


def test_a_bad_seed_record_is_named_and_nothing_is_added(app: Flask) -> None:
    bad = {**SEED, "events": [*SEED["events"], {"uid": "x-1", "actor": "russia", "kind": "statement"}]}
    with pytest.raises(Invalid) as caught, app.app_context(), write_session() as session:
        seeding.load_seed(session, bad)
    assert "events[" in caught.value.message and "x-1" in caught.value.message
    assert _count(app, "event") == 0


@pytest.fixture
def unmigrated(databases) -> Flask:
    return make_app(databases.new(migrated=False))


@pytest.mark.parametrize(
    "args",
    [
        ["seed"],
        ["export"],
        ["users", "list"],
        ["users", "bootstrap"],
        ["snapshots", "create"],
        ["feeds", "add", "https://example.org/feed.xml"],
    ],
)
def test_commands_on_an_unmigrated_database_say_to_run_db_upgrade(unmigrated: Flask, args) -> None:
    result = unmigrated.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "no tables yet" in lines[0] and UPGRADE in lines[0], result.output
    assert "Traceback" not in result.output


def test_commands_on_an_outdated_schema_name_the_revisions(databases) -> None:
    url = databases.new(migrated=False)
    migrate.upgrade(url, "0005")
    app = make_app(url)
    result = app.test_cli_runner().invoke(args=["users", "list"])
    head = ", ".join(sorted(migrate.head_revisions()))
    assert result.exit_code == 1
    assert f"schema revision 0005; this version needs {head}" in result.output and UPGRADE in result.output
    health = app.test_client().get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["error"] == "schema" and "0005" in health.get_json()["message"]


def test_healthz_is_503_naming_the_schema_on_an_unmigrated_database(unmigrated: Flask) -> None:
    response = unmigrated.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["error"] == "schema"
    assert UPGRADE in body["message"]


def test_healthz_is_ok_on_a_migrated_database(client) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_db_upgrade_still_works_on_an_unmigrated_database(unmigrated: Flask) -> None:
    result = unmigrated.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert unmigrated.test_client().get("/healthz").status_code == 200


def test_a_failed_export_leaves_no_temporary_file_and_keeps_the_old_one(
    seeded: Flask, tmp_path: Path, monkeypatch
) -> None:
    target = tmp_path / "export.json"
    target.write_text("the previous export")

    def failing_export(session, **_options):
        yield b'{"format": "stance-timeline",'
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("timeline.cli.stream_full_export", failing_export)
    result = seeded.test_cli_runner().invoke(args=["export", "-o", str(target)])
    assert result.exit_code == 1
    assert "No space left on device" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "export.json.tmp").exists()
    assert target.read_text() == "the previous export"


def test_an_export_to_a_missing_folder_is_one_line(seeded: Flask, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "folder" / "export.json"
    result = seeded.test_cli_runner().invoke(args=["export", "-o", str(target)])
    assert result.exit_code == 1 and "Cannot write" in result.output
    assert not target.parent.exists()


def test_the_first_run_notice_is_a_box(app: Flask, runner) -> None:
    result = runner.invoke(args=["users", "bootstrap"])
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("+-") and lines[-1] == lines[0]
    assert all(line.startswith("| ") and line.endswith(" |") for line in lines[1:-1])
    assert len({len(line) for line in lines}) == 1
    password = next(line for line in lines if "password:" in line).split()[2]
    with app.app_context(), write_session() as session:
        assert accounts.authenticate(session, "admin", password) is not None
    assert runner.invoke(args=["users", "bootstrap"]).output == ""  # accounts exist: nothing said
