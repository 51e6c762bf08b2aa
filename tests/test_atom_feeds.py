"""Atom feeds (issue 18): actor, topic, search and filtered views; valid Atom, exactly the view's
events, autodiscovery links, ETag / 304 and the response cache."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient

from timeline import queries
from timeline.db import get_session, write_session
from timeline.schemas import EventIn
from timeline.services import atom
from timeline.services.events import create_event

from support.atom import NS, assert_valid_atom


def uids_of(app: Flask, feed_text: str) -> list[str]:
    """The uids of a feed's entries (each entry's id is its event page's URL)."""
    ids = [int(e.findtext("a:id", "", namespaces=NS).rsplit("/", 1)[1]) for e in entries(feed_text)]
    with app.app_context():
        events = queries.events_by_ids(get_session(), ids)
        return [events[i].uid for i in ids]


def entries(feed_text: str) -> list[ElementTree.Element]:
    return ElementTree.fromstring(feed_text.encode()).findall("a:entry", NS)


def test_actor_feed_is_valid_atom_with_exactly_the_views_events(seeded: Flask, client: FlaskClient) -> None:
    response = client.get("/actors/russia.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    text = response.get_data(as_text=True)
    parsed = assert_valid_atom(text, "http://localhost/actors/russia.atom", "http://localhost/actors/russia")
    expected = {e["uid"] for e in client.get("/actors/russia.json").get_json()["events"]}
    assert sorted(uids_of(seeded, text)) == sorted(expected)
    putin = next(e for e in parsed.entries if e.title == "Putin: Russia is not a firefighting rescue crew")
    assert putin.author == "Vladimir Putin"
    assert "Russia is not a firefighting rescue crew… to save things" in putin.content[0].value
    assert {t.term for t in putin.tags} == {"jcpoa", "russia-iran-relations"}
    assert putin.link.startswith("http://localhost/events/")


def test_filtered_topic_and_search_feeds_hold_their_views_events(seeded: Flask, client: FlaskClient) -> None:
    query = "topic=jcpoa&from=2020&confidence=medium"
    text = client.get(f"/actors/russia.atom?{query}").get_data(as_text=True)
    assert_valid_atom(
        text,
        f"http://localhost/actors/russia.atom?{query}",
        f"http://localhost/actors/russia?{query}",
    )
    expected = [e["uid"] for e in client.get(f"/actors/russia.json?{query}").get_json()["events"]]
    assert 0 < len(expected) < 10 and sorted(uids_of(seeded, text)) == sorted(expected)

    query = "from=2020-11&kind=statement"
    text = client.get(f"/topics/us-sanctions.atom?{query}").get_data(as_text=True)
    assert_valid_atom(
        text,
        f"http://localhost/topics/us-sanctions.atom?{query}",
        f"http://localhost/topics/us-sanctions?{query}",
    )
    expected = [e["uid"] for e in client.get(f"/topics/us-sanctions.json?{query}").get_json()["events"]]
    assert "iran-2020-pursues-lifting-of-sanctions" in expected
    assert sorted(uids_of(seeded, text)) == sorted(expected)

    text = client.get("/search.atom?q=Russia").get_data(as_text=True)
    assert_valid_atom(text, "http://localhost/search.atom?q=Russia", "http://localhost/search?q=Russia")
    first = client.get("/search.json?q=Russia").get_json()
    hits = [
        h for page in (1, 2) for h in client.get(f"/search.json?q=Russia&page={page}").get_json()["results"]
    ]
    assert 20 < first["total"] == len(hits) < atom.FEED_SIZE  # more than one page of the HTML view
    assert sorted(uids_of(seeded, text)) == sorted(h["uid"] for h in hits)
    # A view with no events is still a valid feed.
    empty = client.get("/search.atom?q=zzzznothing").get_data(as_text=True)
    assert_valid_atom(
        empty, "http://localhost/search.atom?q=zzzznothing", "http://localhost/search?q=zzzznothing"
    )
    assert entries(empty) == []


def test_pages_advertise_their_feeds(seeded: Flask, client: FlaskClient) -> None:
    page = client.get("/actors/russia?topic=jcpoa&page=1").get_data(as_text=True)
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Government of Russia (Atom)" '
        'href="/actors/russia.atom?topic=jcpoa">' in page
    )
    page = client.get("/topics/jcpoa?from=2020").get_data(as_text=True)
    assert (
        'type="application/atom+xml" title="JCPOA (Iran nuclear deal) (Atom)" '
        'href="/topics/jcpoa.atom?from=2020"' in page
    )
    page = client.get("/search?q=Putin").get_data(as_text=True)
    assert 'type="application/atom+xml" title="Search: Putin (Atom)" href="/search.atom?q=Putin"' in page


def test_feeds_answer_304_and_come_from_the_response_cache(
    seeded: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    real = atom.atom

    def counting(*args, **kwargs):
        built.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(atom, "atom", counting)
    first = client.get("/actors/iran.atom?topic=us-sanctions")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag and first.headers["Cache-Control"] == "no-cache"
    again = client.get("/actors/iran.atom?topic=us-sanctions")
    assert again.get_data() == first.get_data() and again.headers["ETag"] == etag
    assert len(built) == 1  # the second answer came from the cache
    not_modified = client.get("/actors/iran.atom?topic=us-sanctions", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.get_data() == b""
    for path in ("/topics/jcpoa.atom", "/search.atom?q=Putin"):
        tag = client.get(path).headers["ETag"]
        assert client.get(path, headers={"If-None-Match": tag}).status_code == 304

    # A write makes the old ETag stale and the new statement appears in the feed.
    with seeded.app_context(), write_session() as session:
        create_event(
            session,
            EventIn.model_validate(
                {
                    "uid": "iran-2021-new",
                    "actor": "iran",
                    "kind": "statement",
                    "title": "A new statement on sanctions",
                    "date": "2019-01",
                    "stances": [{"topic": "us-sanctions", "score": -1}],
                }
            ),
        )
    fresh = client.get("/actors/iran.atom?topic=us-sanctions", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    assert "iran-2021-new" in uids_of(seeded, fresh.get_data(as_text=True))
    # Newest change first, even though the statement is dated earlier than the others.
    assert uids_of(seeded, fresh.get_data(as_text=True))[0] == "iran-2021-new"


def test_bad_feed_requests_name_the_field(seeded: Flask, client: FlaskClient) -> None:
    for path, field in (
        ("/actors/russia.atom?kind=rumour", "kind"),
        ("/actors/russia.atom?from=2020-13", "from"),
        ("/topics/jcpoa.atom?actors=nobody", "actors"),
        ("/topics/jcpoa.atom?by=mood", "by"),
        ("/search.atom", "q"),
        ("/search.atom?q=" + "x" * 300, "q"),
    ):
        response = client.get(path)
        assert response.status_code == 400, path
        assert field in response.get_json()["error"]["fields"], path
    assert client.get("/actors/nobody.atom").status_code == 404
    assert client.get("/topics/nothing.atom").status_code == 404


def test_feed_is_capped_to_the_most_recently_changed() -> None:
    class Row:
        def __init__(self, i: int) -> None:
            self.id, self.updated_at = i, datetime(2021, 1, 1 + i % 28)

    rows = [Row(i) for i in range(atom.FEED_SIZE + 20)]
    newest = atom._newest(rows)
    assert len(newest) == atom.FEED_SIZE
    assert [(r.updated_at, r.id) for r in newest] == sorted(
        ((r.updated_at, r.id) for r in rows), reverse=True
    )[: atom.FEED_SIZE]
