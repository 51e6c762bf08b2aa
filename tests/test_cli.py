"""flask --app timeline export / import / db, through Click's runner."""

import json
from pathlib import Path

from flask import Flask

from support.app import counts, load_doc
from support.data import small_doc


def test_export_to_file_and_import_dry_run_then_real(app: Flask, runner, tmp_path: Path) -> None:
    load_doc(app, small_doc())
    out = tmp_path / "all.json"
    result = runner.invoke(args=["export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert len(doc["events"]) == 3 and doc["actors"][1]["aliases"] == ["Владимир Путин"]

    doc["events"][0]["title"] = "Edited title"
    doc["events"].append({**doc["events"][1], "uid": "brand-new"})
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    dry = runner.invoke(args=["import", str(out), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run, nothing stored" in dry.output
    assert "events: 1 created, 1 updated, 2 unchanged" in dry.output
    assert counts(app)[1] == 3
    real = runner.invoke(args=["import", str(out)])
    assert real.exit_code == 0 and "events: 1 created, 1 updated, 2 unchanged" in real.output
    assert counts(app)[1] == 4


def test_export_one_actor_to_stdout(app: Flask, runner) -> None:
    load_doc(app, small_doc())
    result = runner.invoke(args=["export", "--actor", "vladimir-putin"])
    doc = json.loads(result.output)
    assert doc["actor"] == "vladimir-putin" and [e["uid"] for e in doc["events"]] == ["e-2019"]
    missing = runner.invoke(args=["export", "--actor", "nobody"])
    assert missing.exit_code != 0 and "No actor with the slug" in missing.output


def test_bad_import_names_the_record_and_changes_nothing(app: Flask, runner, tmp_path: Path) -> None:
    doc = small_doc()
    doc["events"][1]["date"] = "2020-13"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0
    assert "events[1] (e-2020)" in result.output and "date" in result.output
    assert "Nothing was imported" in result.output
    assert counts(app) == (0, 0, 0)


def test_import_rejects_nan_and_malformed_json(app: Flask, runner, tmp_path: Path) -> None:
    path = tmp_path / "nan.json"
    path.write_text('{"format": "stance-timeline", "version": NaN}', encoding="utf-8")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0 and "NaN is not valid JSON" in result.output
    path.write_text("{not json", encoding="utf-8")
    assert "cannot read JSON" in runner.invoke(args=["import", str(path)]).output


def test_users_password_feeds_add_and_snapshots_create(app: Flask, runner, client, tmp_path: Path) -> None:
    from support.data import PASSWORD
    from support.web import login

    runner.invoke(args=["users", "create", "maya"], input=PASSWORD + "\n")
    changed = runner.invoke(args=["users", "password", "maya"], input="a brand new passphrase\n")
    assert changed.exit_code == 0 and "Password of maya changed" in changed.output
    assert login(client, "maya").status_code == 401
    assert login(client, "maya", "a brand new passphrase").status_code == 303
    assert runner.invoke(args=["users", "password", "ghost"], input="whatever12345\n").exit_code != 0
    assert "Watching" in runner.invoke(args=["feeds", "add", "https://news.example/feed.xml"]).output
    again = runner.invoke(args=["feeds", "add", "https://news.example/feed.xml"])
    assert again.exit_code != 0 and "already registered" in again.output
    assert runner.invoke(args=["feeds", "add", "file:///etc/passwd"]).exit_code != 0
    load_doc(app, small_doc())
    app.config["SNAPSHOT_DIR"] = str(tmp_path)
    made = runner.invoke(args=["snapshots", "create"])
    assert made.exit_code == 0 and "3 events" in made.output
    assert len(list(tmp_path.glob("snapshot-*.json"))) == 1


def test_dry_run_import_keeps_the_data_version(app: Flask, runner, client, tmp_path: Path) -> None:
    load_doc(app, small_doc())
    etag = client.get("/actors/russia.json").headers["ETag"]
    doc = small_doc()
    doc["events"][0]["title"] = "Only in the dry run"
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert "events: 0 created, 1 updated" in runner.invoke(args=["import", str(path), "--dry-run"]).output
    response = client.get("/actors/russia.json")
    assert response.headers["ETag"] == etag and "Only in the dry run" not in response.get_data(as_text=True)
