"""Sources that keep their text: migration 0012 without loss, anchors, one source per URL, the pages."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlmodel import select

import timeline
from timeline import migrate
from timeline.db import read_session, write_session
from timeline.models import Source
from timeline.services import sources
from timeline.services.sources import SourceFields, anchor_at, find_anchor

from conftest import Databases, load_doc, make_app

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
            linked = dict(conn.execute(text("SELECT uid, source_id FROM event")).all())
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
            rows = session.exec(select(Source).order_by(Source.id)).all()
            assert len(rows) == 2
            kept = rows[0]
            assert (kept.title, kept.publisher, kept.text) == ("X", "P", "one")
            assert kept.content_sha256 == sources.content_sha256("one") and kept.retrieved_at is not None
