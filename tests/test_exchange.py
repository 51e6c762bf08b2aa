"""Export format, schema, round trips and the all-or-nothing import."""

import json
from pathlib import Path

import jsonschema
import pytest
from flask import Flask
from sqlalchemy import func, select

from timeline.db import get_session, write_session
from timeline.models import Actor, Event, Stance
from timeline.services.errors import Invalid
from timeline.services.importing import import_document

from conftest import load_doc, make_app, small_doc

SCHEMA = json.loads((Path(__file__).parent.parent / "timeline" / "export-v1.schema.json").read_text())


def validate(doc: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)


def counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        s = get_session()
        return tuple(
            s.execute(select(func.count()).select_from(m)).scalar_one() for m in (Actor, Event, Stance)
        )


def test_full_export_matches_schema_and_round_trips(app: Flask, client, databases) -> None:
    load_doc(app, small_doc())
    first = json.loads(client.get("/export.json").get_data(as_text=True))
    validate(first)
    # The full export lists events in the order they were added (a dump, read by programs), unlike
    # an actor's timeline, which is in date order.
    assert [e["uid"] for e in first["events"]] == [e["uid"] for e in small_doc()["events"]]
    # Import the export into an empty database, export again: the same document.
    other = make_app(databases.new())
    load_doc(other, first)
    second = json.loads(other.test_client().get("/export.json").get_data(as_text=True))
    first.pop("exported_at"), second.pop("exported_at")
    assert second == first


def test_actor_export_is_valid_and_includes_members_and_history(app: Flask, client) -> None:
    load_doc(app, small_doc())
    response = client.get("/actors/russia.json")
    doc = response.get_json()
    validate(doc)
    assert doc["actor"] == "russia"
    assert [e["uid"] for e in doc["events"]] == ["e-2020b", "e-2019", "e-2020"]  # "2020~" may be 2019
    [jcpoa] = [h for h in doc["histories"] if h["topic"] == "jcpoa"]
    assert jcpoa["changes"] == []  # Putin's −1 and the government's +2: two speakers, no change
    assert [(s["speaker"], s["latest_score"]) for s in jcpoa["series"]] == [
        ("vladimir-putin", -1),
        ("russia", 2),
    ]
    assert (doc["events"][0]["date_earliest"], doc["events"][1]["date_earliest"]) == (
        "2019-01-01",
        "2019-05-15",
    )
    assert "Content-Disposition" not in response.headers
    download = client.get("/actors/russia.json?download=1")
    assert download.headers["Content-Disposition"] == 'attachment; filename="russia.json"'


def test_actor_export_imports_into_empty_database(app: Flask, client, databases) -> None:
    load_doc(app, small_doc())
    doc = client.get("/actors/vladimir-putin.json").get_json()
    # Putin's parent is carried along so the document imports on its own.
    assert {a["slug"] for a in doc["actors"]} == {"vladimir-putin", "russia"}
    other = make_app(databases.new())
    load_doc(other, doc)
    assert counts(other) == (2, 1, 1)


def test_import_twice_adds_nothing_and_reports_unchanged(app: Flask) -> None:
    load_doc(app, small_doc())
    before = counts(app)
    with app.app_context(), write_session() as session:
        report = import_document(session, small_doc())
    assert counts(app) == before
    assert report.as_dict()["unchanged"] == {"actors": 2, "topics": 2, "events": 3}
    assert report.as_dict()["created"] == {"actors": 0, "topics": 0, "events": 0}


def test_import_updates_changed_records(app: Flask) -> None:
    load_doc(app, small_doc())
    doc = small_doc()
    doc["events"][1]["stances"] = [{"topic": "jcpoa", "score": 1}]
    doc["events"][1]["title"] = "Changed"
    with app.app_context(), write_session() as session:
        report = import_document(session, doc)
    assert report.updated["events"] == 1 and report.unchanged["events"] == 2
    assert counts(app) == (2, 3, 2)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["events"][2].update(date="2021-02-30"), "events[2].date"),
        (lambda d: d["events"][1]["stances"][0].update(score=5), "events[1].stances.0.score"),
        (lambda d: d["events"][1]["stances"][0].update(topic="nope"), "events[1].stances.0.topic"),
        (lambda d: d["events"][0].update(actor="nobody"), "events[0].actor"),
        (lambda d: d["events"][0].pop("uid"), "events[0].uid"),
        (lambda d: d["events"][1].update(uid="e-2019"), "events[1].uid"),
        (lambda d: d["actors"][1].update(parent="ghost"), "actors[1].parent"),
        (lambda d: d["actors"][0].update(parent="vladimir-putin"), "actors[0].parent"),
        (
            lambda d: (
                d["events"][0]["source"].update(url="javascript:alert(1)")
                if "source" in d["events"][0]
                else d["events"][0].update(source={"url": "javascript:alert(1)"})
            ),
            "events[0].source.url",
        ),
        (lambda d: d.update(version=2), "format"),
    ],
)
def test_bad_import_names_record_and_field_and_stores_nothing(app: Flask, mutate, field: str) -> None:
    doc = small_doc()
    mutate(doc)
    with pytest.raises(Invalid) as err, app.app_context(), write_session() as session:
        import_document(session, doc)
    assert field in err.value.fields
    assert counts(app) == (0, 0, 0)


def test_bulk_export_records_match_the_per_actor_records(app: Flask, client) -> None:
    # The database builds the records of /export.json and /actors/<slug>.json as JSON (queries.
    # _event_json); the API builds them in Python (records.event_record_of): one record, to the value.
    doc = small_doc()
    doc["events"][1]["stances"].reverse()  # stances are listed by topic name whatever the input order
    doc["topics"].reverse()  # ... and whatever the order the topics were created in (their ids)
    load_doc(app, doc)
    by_uid = lambda events: sorted(events, key=lambda e: e["uid"])  # noqa: E731
    bulk = by_uid(client.get("/export.json").get_json()["events"])
    per_actor = by_uid(client.get("/actors/russia.json").get_json()["events"])
    api = by_uid(client.get("/api/v1/events").get_json()["items"])
    assert bulk == per_actor
    assert bulk == [{k: v for k, v in item.items() if k not in ("id", "version")} for item in api]
    assert len(bulk) == 3 and all(list(e) == list(bulk[0]) for e in bulk + per_actor)  # same key order
    with_two = next(e for e in bulk if len(e["stances"]) == 2)
    assert [s["topic"] for s in with_two["stances"]] == ["jcpoa", "us-sanctions"]
