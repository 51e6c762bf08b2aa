"""Sources that keep their text: migration 0012 without loss, anchors, one source per URL, the pages."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import create_engine, text
from sqlmodel import col, select

import timeline
from timeline import migrate
from timeline.config import ROOT
from timeline.db import read_session, write_session
from timeline.models import Event, QuoteCheck, Source
from timeline.services import quote_drift, sources
from timeline.services.errors import Invalid
from timeline.services.sources import SourceFields, anchor_at, find_anchor

from support.app import create_user, load_doc, make_app
from support.browser import Tasks, axe_source, browser_context
from support.databases import Databases
from support.web import login

PERSIAN = "«ایران هرگز زیر بار فشار حداکثری نخواهد رفت»، ظریف گفت."


def _doc() -> dict:
    base = {"actor": "javad-zarif", "kind": "statement", "stances": []}
    return {
        "format": "stance-timeline",
        "version": 1,
        "actors": [{"slug": "javad-zarif", "name": "Javad Zarif", "kind": "person", "aliases": ["ظریف"]}],
        "topics": [],
        "events": [
            {
                **base,
                "uid": "a1",
                "title": "First from A",
                "date": "2021-01-02",
                "quote": "ایران هرگز زیر بار فشار حداکثری نخواهد رفت",
                "source": {
                    "url": "https://example.org/a",
                    "title": "Title A",
                    "publisher": "IRNA",
                    "author": "Reza",
                    "published": "2021-01-02",
                    "archive_url": "https://web.archive.org/web/2021/https://example.org/a",
                },
            },
            {
                **base,
                "uid": "a2",
                "title": "Second from A",
                "date": "2021-01-03",
                "source": {"url": "https://example.org/a", "title": "Another title for A"},
            },
            {
                **base,
                "uid": "t1",
                "title": "Titled, with publisher",
                "date": "2021-01-04",
                "source": {"title": "Пресс-конференция", "publisher": "ТАСС"},
            },
            {
                **base,
                "uid": "t2",
                "title": "Same title and publisher",
                "date": "2021-01-05",
                "source": {"title": "Пресс-конференция", "publisher": "ТАСС"},
            },
            {
                **base,
                "uid": "t3",
                "title": "Same title, other publisher",
                "date": "2021-01-06",
                "source": {"title": "Пресс-конференция", "publisher": "РИА Новости"},
            },
            {**base, "uid": "none", "title": "No source", "date": "2021-01-07"},
        ],
    }


EVENT_COLUMNS = (
    "uid, title, quote, source_title, source_url, source_publisher, source_author, source_published, "
    "archive_url, version, updated_at"
)


def test_0012_makes_one_source_per_url_or_title_and_loses_nothing(databases: Databases) -> None:
    url = databases.new(migrated=False)
    migrate.upgrade(url)
    app = make_app(url)
    load_doc(app, _doc())
    exported = app.test_client().get("/export.json").get_json()["events"]
    for engine in app.extensions["timeline.engines"]:
        engine.dispose()
    migrate.downgrade(url, "0011")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            before = conn.execute(text(f"SELECT {EVENT_COLUMNS} FROM event ORDER BY uid")).all()
        migrate.upgrade(url)
        with engine.connect() as conn:
            after = conn.execute(text(f"SELECT {EVENT_COLUMNS} FROM event ORDER BY uid")).all()
            linked: dict[str, int | None] = dict(conn.execute(text("SELECT uid, source_id FROM event")).all())
            rows = conn.execute(
                text("SELECT id, url, title, publisher, author, published, archive_url, text FROM source")
            ).all()
        assert after == before  # the event's own columns (its citation) are untouched
        by_id = {r[0]: r[1:] for r in rows}
        assert len(by_id) == 3  # A, (Пресс-конференция, ТАСС), (Пресс-конференция, РИА Новости)
        assert linked["none"] is None
        assert linked["a1"] == linked["a2"] and linked["t1"] == linked["t2"] != linked["t3"]
        # The source takes its fields from the earliest event citing it; no text was ever kept.
        assert by_id[linked["a1"]] == (
            "https://example.org/a",
            "Title A",
            "IRNA",
            "Reza",
            "2021-01-02",
            "https://web.archive.org/web/2021/https://example.org/a",
            None,
        )
        assert by_id[linked["t1"]][:3] == (None, "Пресс-конференция", "ТАСС")
        assert by_id[linked["t3"]][:3] == (None, "Пресс-конференция", "РИА Новости")
        # Everything the event showed still shows, and the event page links the source record.
        client = make_app(url).test_client()
        assert client.get("/export.json").get_json()["events"] == exported
        page = client.get("/events/" + str(_id(engine, "a1"))).get_data(as_text=True)
        assert f'href="/sources/{linked["a1"]}"' in page and "Title A" in page
        source_page = client.get(f"/sources/{linked['a1']}").get_data(as_text=True)
        assert "First from A" in source_page and "Second from A" in source_page
        assert client.get("/sources/999999").status_code == 404
        # Down again: the table is as before 0012, and search (its triggers) still works.
        timeline.dispose(client.application)  # its connections, before the schema changes under them
        migrate.downgrade(url, "0011")
        with engine.connect() as conn:
            assert conn.execute(text(f"SELECT {EVENT_COLUMNS} FROM event ORDER BY uid")).all() == before
        migrate.upgrade(url)
        assert make_app(url).test_client().get("/search.json?q=Second").get_json()["total"] == 1
    finally:
        engine.dispose()


def _id(engine, uid: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM event WHERE uid = :u"), {"u": uid}).scalar_one()


def test_anchor_is_a_text_quote_selector() -> None:
    start = PERSIAN.index("ایران")
    end = start + len("ایران هرگز زیر بار فشار حداکثری نخواهد رفت")
    anchor = anchor_at(PERSIAN, start, end)
    assert anchor.exact == "ایران هرگز زیر بار فشار حداکثری نخواهد رفت"
    assert anchor.prefix == "«" and anchor.suffix == "»، ظریف گفت."
    long = "x" * 50 + "quote" + "y" * 50
    wide = anchor_at(long, 50, 55)
    assert wide.prefix == "x" * 32 and wide.suffix == "y" * 32
    assert wide.as_json() == {
        "type": "TextQuoteSelector",
        "exact": "quote",
        "prefix": "x" * 32,
        "suffix": "y" * 32,
    }
    assert find_anchor(long, "quote") == wide and find_anchor(long, "absent") is None


def test_same_url_is_the_same_source_and_its_text_is_never_replaced(app) -> None:
    with app.app_context():
        with write_session() as session:
            first = sources.keep_source(session, SourceFields(url="https://e.org/x", title="X"), text="one")
            again = sources.keep_source(
                session, SourceFields(url="https://e.org/x", publisher="P"), text="two"
            )
            anonymous = sources.keep_source(session, SourceFields(), text="pasted text")
            same_paste = sources.keep_source(session, SourceFields(), text="pasted text")
            assert first is not None and again is not None and first.id == again.id
            assert anonymous is not None and same_paste is not None and anonymous.id == same_paste.id
            assert sources.keep_source(session, SourceFields()) is None
        with read_session() as session:
            rows = session.exec(select(Source).order_by(col(Source.id))).all()
            assert len(rows) == 2
            kept = rows[0]
            assert (kept.title, kept.publisher, kept.text) == ("X", "P", "one")
            assert kept.content_sha256 == sources.content_sha256("one") and kept.retrieved_at is not None


# --- the native format, version 2 ------------------------------------------------------------------

SCHEMA_V1 = json.loads((ROOT / "timeline" / "export-v1.schema.json").read_text(encoding="utf-8"))
SCHEMA_V2 = json.loads((ROOT / "timeline" / "export-v2.schema.json").read_text(encoding="utf-8"))
ARTICLE = "Вчера министр сказал: «Мы не примем эти условия». " + PERSIAN
QUOTE = "Мы не примем эти условия"
ARTICLE_SHA = hashlib.sha256(ARTICLE.encode()).hexdigest()


def _v2_doc() -> dict:
    doc = _doc()
    start = ARTICLE.index(QUOTE)
    doc["version"] = 2
    doc["sources"] = [
        {
            "key": "interview",
            "url": "https://example.org/a",
            "title": "Title A",
            "publisher": "IRNA",
            "published": "2021-01-02",
            "retrieved_at": "2021-01-03T10:00:00Z",
            "content_sha256": hashlib.sha256(ARTICLE.encode()).hexdigest(),
            "text": ARTICLE,
        }
    ]
    doc["events"][1]["quote"] = QUOTE
    doc["events"][1]["source_ref"] = "interview"
    doc["events"][1]["anchor"] = {
        "type": "TextQuoteSelector",
        "exact": QUOTE,
        "prefix": ARTICLE[max(0, start - 32) : start],
        "suffix": ARTICLE[start + len(QUOTE) :][:32],
    }
    return doc


def test_version_2_round_trips_sources_texts_and_anchors(app, databases: Databases) -> None:
    load_doc(app, _v2_doc())
    client = app.test_client()
    # Readers get the records and digests, not the kept copies of third parties' articles.
    public = client.get("/export.json?format_version=2").get_json()
    jsonschema.Draft202012Validator(SCHEMA_V2).validate(public)
    assert {s["text"] for s in public["sources"]} == {None}
    assert ARTICLE_SHA in {s["content_sha256"] for s in public["sources"]}
    load_doc(make_app(databases.new()), public)  # and it imports (a digest without its text is kept out)
    create_user(app, "ed")
    assert login(client, "ed").status_code == 303
    response = client.get("/export.json?format_version=2")
    assert response.headers["Cache-Control"] == "private"
    v2 = response.get_json()
    jsonschema.Draft202012Validator(SCHEMA_V2).validate(v2)
    assert v2["version"] == 2
    [kept] = [s for s in v2["sources"] if s["url"] == "https://example.org/a"]
    assert kept["text"] == ARTICLE and kept["retrieved_at"] == "2021-01-03T10:00:00Z"
    assert kept["content_sha256"] == hashlib.sha256(ARTICLE.encode()).hexdigest()
    by_uid = {e["uid"]: e for e in v2["events"]}
    assert by_uid["a2"]["source_ref"] == by_uid["a1"]["source_ref"] == kept["key"]
    assert by_uid["a2"]["anchor"]["exact"] == QUOTE and by_uid["a2"]["anchor"]["prefix"].endswith("«")
    assert by_uid["none"]["source_ref"] is None and by_uid["a1"]["anchor"] is None
    assert len({e["source_ref"] for e in v2["events"] if e["source_ref"]}) == len(v2["sources"]) == 3
    # Into an empty database and out again: the same document.
    other = make_app(databases.new())
    load_doc(other, v2)
    create_user(other, "ed")
    other_client = other.test_client()
    assert login(other_client, "ed").status_code == 303
    again = other_client.get("/export.json?format_version=2").get_json()
    v2.pop("exported_at"), again.pop("exported_at")
    assert again == v2
    # Version 1 (the default of /export.json): the records as before, no sources, valid against v1.
    v1 = client.get("/export.json").get_json()
    jsonschema.Draft202012Validator(SCHEMA_V1).validate(v1)
    assert v1["version"] == 1 and "sources" not in v1
    assert [{k: e[k] for k in e if k not in ("source_ref", "anchor")} for e in v2["events"]] == v1["events"]
    # And version 1 still imports: events link to sources by their citation.
    third = make_app(databases.new())
    load_doc(third, v1)
    with third.app_context(), read_session() as session:
        assert len(session.exec(select(Source)).all()) == 3


def test_version_2_errors_name_the_record(app) -> None:
    bad_ref = _v2_doc()
    bad_ref["events"][1]["source_ref"] = "elsewhere"
    bad_digest = _v2_doc()
    bad_digest["sources"][0]["content_sha256"] = "0" * 64
    bad_exact = _v2_doc()
    bad_exact["events"][1]["anchor"]["exact"] = "Мы примем"
    for doc, field in (
        (bad_ref, "events[1].source_ref"),
        (bad_digest, "sources[0]"),
        (bad_exact, "events[1].anchor.exact"),
    ):
        with pytest.raises(Invalid) as caught:
            load_doc(app, doc)
        assert any(k.startswith(field) for k in caught.value.fields), caught.value.fields
    with app.app_context(), read_session() as session:
        assert session.exec(select(Source)).all() == []


def test_snapshots_and_the_cli_export_write_version_2(app, tmp_path) -> None:
    load_doc(app, _v2_doc())
    out = tmp_path / "all.json"
    assert app.test_cli_runner().invoke(args=["export", "-o", str(out)]).exit_code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA_V2).validate(doc)
    assert any(s["text"] == ARTICLE for s in doc["sources"])


def test_source_pages_at_390px_pass_axe(site: str, db_url: str, artifacts: Path) -> None:
    """The event page's source record and drift notice, and the source page, on a phone."""
    axe = axe_source()  # fails when CI=true: the phone check must run there
    app = make_app(db_url)
    with app.app_context(), write_session() as session:
        event = session.exec(
            select(Event).where(col(Event.source_id).is_not(None), col(Event.quote).is_not(None))
        ).first()
        assert event is not None and event.id is not None and event.source_id is not None
        words = (event.quote or "").split()
        found = " ".join(["Совершенно", *words[1:], "‏иначе‏"])
        session.add(
            QuoteCheck(
                event_id=event.id,
                status="changed",
                score=88.0,
                found_text=found,
                diff=quote_drift.word_diff(event.quote or "", found) + "\n+" + "длинноесловобезпробелов" * 8,
                since=datetime(2026, 11, 30, 12, tzinfo=UTC),
            )
        )
        event_id, source_id = event.id, event.source_id
    with browser_context(390, 844) as context:
        phone = Tasks(context, site, artifacts, axe, "phone")
        for path in (f"/events/{event_id}", f"/sources/{source_id}"):
            phone.goto(path)  # answers 200
            if path.startswith("/events"):
                assert phone.page.get_by_text("Quote changed in the source since").is_visible()
                phone.page.locator("details summary").first.click()  # the diff, opened
            phone.check()  # no sideways scrolling, axe-core: nothing serious or critical
