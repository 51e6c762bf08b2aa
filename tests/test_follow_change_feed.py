"""The stance-change feed (issue 18): each shift or reversal exactly as the history service computes
it, per actor, per topic and site-wide, as valid Atom; autodiscovery links; cached like the pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from test_atom_feeds import assert_valid_atom

from timeline import queries
from timeline.db import get_session, write_session
from timeline.schemas import EventIn
from timeline.services import stance_changes
from timeline.services.events import create_event
from timeline.services.history import UNCHANGED, build_histories, stances_of

from conftest import load_doc

ENTRY_ID = re.compile(r"http://localhost/events/(\d+)#change-(.+)-from-(\d+)")
Change = tuple[str, str, str, str, str]  # speaker name, topic slug, from uid, to uid, change


def expected_changes(app: Flask, actor_slug: str | None = None, topic: str | None = None) -> set[Change]:
    """Straight from the history service: every step that is not "unchanged"."""
    with app.app_context():
        session = get_session()
        actors = {a.id: a for a in queries.all_actors(session) if a.id is not None}
        ids = list(actors)
        if actor_slug is not None:
            found = queries.actor_by_slug(session, actor_slug)
            assert found is not None and found.id is not None
            ids = queries.actor_family_ids(session, found.id)
        events = queries.history_rows_for_actors(session, ids)
        histories = build_histories(events, stances_of(events, queries.all_topics(session)), actors)
        uids = {e.id: e.uid for e in events}
        return {
            (s.speaker_name, h.topic_slug, uids[step.from_event_id], uids[step.to_event_id], step.change)
            for h in histories
            if topic is None or h.topic_slug == topic
            for s in h.series
            for step in s.steps
            if step.change != UNCHANGED
        }


def feed_changes(app: Flask, parsed: feedparser.FeedParserDict) -> list[Change]:
    """What each entry says: its author, its topic and change categories, and the two statements."""
    ids = []
    for entry in parsed.entries:
        match = ENTRY_ID.fullmatch(entry.id)
        assert match, entry.id
        ids.append((int(match[3]), int(match[1]), entry))
    with app.app_context():
        events = queries.events_by_ids(get_session(), [i for pair in ids for i in pair[:2]])
    found = []
    for from_id, to_id, entry in ids:
        terms = [t.term for t in entry.tags]
        assert len(terms) == 2 and terms[1] in ("shift", "reversal"), terms
        assert entry.link == f"http://localhost/events/{to_id}"
        found.append((entry.author, terms[0], events[from_id].uid, events[to_id].uid, terms[1]))
    return found


def test_site_feed_holds_exactly_the_history_services_changes(seeded: Flask, client: FlaskClient) -> None:
    response = client.get("/changes.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    parsed = assert_valid_atom(
        response.get_data(as_text=True), "http://localhost/changes.atom", "http://localhost/"
    )
    found = feed_changes(seeded, parsed)
    expected = expected_changes(seeded)
    # The seed's 4: Iran's shift and reversal on the JCPOA, Russia's reversal, Putin's shift.
    assert len(expected) == 4 and {c[4] for c in expected} == {"shift", "reversal"}
    assert len(found) == len(set(found))  # no change twice
    assert set(found) == expected  # no more, no fewer


def test_actor_and_topic_feeds_hold_their_views_changes(seeded: Flask, client: FlaskClient) -> None:
    text = client.get("/actors/russia/changes.atom").get_data(as_text=True)
    parsed = assert_valid_atom(
        text, "http://localhost/actors/russia/changes.atom", "http://localhost/actors/russia"
    )
    expected = expected_changes(seeded, "russia")
    assert expected and sorted(feed_changes(seeded, parsed)) == sorted(expected)

    text = client.get("/topics/jcpoa/changes.atom").get_data(as_text=True)
    parsed = assert_valid_atom(
        text, "http://localhost/topics/jcpoa/changes.atom", "http://localhost/topics/jcpoa"
    )
    expected = expected_changes(seeded, topic="jcpoa")
    assert expected and sorted(feed_changes(seeded, parsed)) == sorted(expected)

    # The page's filters apply: one topic of the actor's.
    text = client.get("/actors/iran/changes.atom?topic=jcpoa").get_data(as_text=True)
    parsed = assert_valid_atom(
        text,
        "http://localhost/actors/iran/changes.atom?topic=jcpoa",
        "http://localhost/actors/iran?topic=jcpoa",
    )
    assert sorted(feed_changes(seeded, parsed)) == sorted(expected_changes(seeded, "iran", "jcpoa"))


def test_an_entry_names_speaker_topic_scores_and_both_statements(seeded: Flask, client: FlaskClient) -> None:
    parsed = feedparser.parse(client.get("/actors/vladimir-putin/changes.atom").get_data(as_text=True))
    with seeded.app_context():
        session = get_session()
        putin = queries.actor_by_slug(session, "vladimir-putin")
        assert putin is not None and putin.id is not None
        events = queries.events_for_actors(session, [putin.id])
        by_uid = {e.uid: e for e in events}
    assert parsed.entries
    for entry, (speaker, topic, from_uid, to_uid, change) in zip(
        parsed.entries, feed_changes(seeded, parsed), strict=True
    ):
        before, after = by_uid[from_uid], by_uid[to_uid]
        assert speaker == "Vladimir Putin"
        assert entry.title.startswith("Vladimir Putin on ") and f": {change} from " in entry.title
        assert before.date_display in entry.title and after.date_display in entry.title
        html = entry.content[0].value
        for event in (before, after):
            assert event.date_display in html
            if event.quote:
                assert _text(event.quote) in _text(html)
            if event.source_url:
                assert event.source_url in html
        assert re.search(r"from [+-]?\d to [+-]?\d", html)


def _text(html: str) -> str:
    """Markup and entities out, whitespace folded: what a reader sees."""
    import html as html_lib

    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_pages_advertise_the_change_feeds(seeded: Flask, client: FlaskClient) -> None:
    page = client.get("/actors/russia?topic=jcpoa").get_data(as_text=True)
    assert (
        '<link rel="alternate" type="application/atom+xml" '
        'title="Government of Russia: stance changes (Atom)" '
        'href="/actors/russia/changes.atom?topic=jcpoa">' in page
    )
    page = client.get("/topics/jcpoa?from=2020").get_data(as_text=True)
    assert (
        'title="JCPOA (Iran nuclear deal): stance changes (Atom)" href="/topics/jcpoa/changes.atom?from=2020"'
        in page
    )
    home = client.get("/").get_data(as_text=True)
    assert 'type="application/atom+xml" title="Stance changes (Atom)" href="/changes.atom"' in home


def test_change_feeds_are_cached_and_renewed_by_a_write(
    seeded: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    real = stance_changes.atom

    def counting(*args, **kwargs):
        built.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(stance_changes, "atom", counting)
    for path in ("/changes.atom", "/actors/iran/changes.atom", "/topics/jcpoa/changes.atom"):
        first = client.get(path)
        etag = first.headers["ETag"]
        assert first.status_code == 200 and etag and first.headers["Cache-Control"] == "no-cache"
        assert client.get(path).get_data() == first.get_data()
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert len(built) == 3  # each built once: the repeats came from the cache

    etag = client.get("/actors/iran/changes.atom").headers["ETag"]
    before = expected_changes(seeded, "iran")
    # Iran stands at -2 on US sanctions; a +1 dated after all its others is a new reversal.
    with seeded.app_context(), write_session() as session:
        create_event(
            session,
            EventIn.model_validate(
                {
                    "uid": "iran-2030-turnaround",
                    "actor": "iran",
                    "kind": "statement",
                    "title": "A turnaround on sanctions",
                    "date": "2030-01-01",
                    "quote": "Sanctions have their uses.",
                    "stances": [{"topic": "us-sanctions", "score": 1}],
                }
            ),
        )
    fresh = client.get("/actors/iran/changes.atom", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    parsed = feedparser.parse(fresh.get_data(as_text=True))
    after = expected_changes(seeded, "iran")
    added = after - before
    assert added == {("Government of Iran", "us-sanctions", "iran-2020-pursues-lifting-of-sanctions",
                      "iran-2030-turnaround", "reversal")}  # fmt: skip
    assert sorted(feed_changes(seeded, parsed)) == sorted(after)
    assert feed_changes(seeded, parsed)[0] in added  # newest first
    assert "Sanctions have their uses." in parsed.entries[0].content[0].value


def test_bad_change_feed_requests_name_the_field(seeded: Flask, client: FlaskClient) -> None:
    for path, field in (
        ("/actors/russia/changes.atom?kind=rumour", "kind"),
        ("/actors/russia/changes.atom?from=2020-13", "from"),
        ("/topics/jcpoa/changes.atom?actors=nobody", "actors"),
        ("/topics/jcpoa/changes.atom?by=mood", "by"),
    ):
        response = client.get(path)
        assert response.status_code == 400, path
        assert field in response.get_json()["error"]["fields"], path
    assert client.get("/actors/nobody/changes.atom").status_code == 404
    assert client.get("/topics/nothing/changes.atom").status_code == 404


def test_site_feed_of_a_large_dataset_is_the_newest_changes_exactly(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More statements than the feed's window: it reads only the newest series, and still lists exactly
    the FEED_SIZE newest changes the history service computes over everything."""
    speakers = [f"speaker-{i}" for i in range(40)]
    topics = ["alpha", "beta", "gamma", "delta", "epsilon"]
    doc = {
        "format": "stance-timeline",
        "version": 1,
        "actors": [{"slug": s, "name": s.title(), "kind": "person"} for s in speakers],
        "topics": [{"slug": t, "name": t.upper()} for t in topics],
        "events": [  # 200 series (speaker, topic) of 8 statements each
            {
                "uid": f"ev-{i}",
                "actor": speakers[i % 40],
                "kind": "statement",
                "title": f"Statement {i}",
                "date": f"{1800 + i // 40}-0{1 + i % 9}-1{i % 9}",
                "stances": [{"topic": topics[i // 40 % 5], "score": (i * 7 // 3) % 5 - 2}],
            }
            for i in range(1600)
        ],
    }
    load_doc(app, doc)
    # Distinct change times, in an order unrelated to the dates (as editors' corrections come).
    with app.app_context(), write_session() as session:
        rows = session.execute(text("SELECT id FROM event ORDER BY id")).all()
        base = datetime(2026, 1, 1, tzinfo=UTC)
        for n, (event_id,) in enumerate(rows):
            stamp = base + timedelta(minutes=(n * 37) % len(rows))
            session.execute(
                text("UPDATE event SET updated_at = :t WHERE id = :id"), {"t": stamp, "id": event_id}
            )
    with app.app_context():
        session = get_session()
        actors = {a.id: a for a in queries.all_actors(session) if a.id is not None}
        events = queries.events_for_actors(session, list(actors))
        full = stance_changes.changes_of(
            build_histories(events, stances_of(events, queries.all_topics(session)), actors)
        )
        by_id = {e.id: e for e in events}

    def recency(c: stance_changes.StanceChange) -> tuple[Any, ...]:
        a, b = by_id[c.after.event_id], by_id[c.before.event_id]
        return (max(a.updated_at, b.updated_at), a.created_at, a.id, b.id)

    assert len(full) > 3 * stance_changes.FEED_SIZE
    newest = sorted(full, key=recency, reverse=True)[: stance_changes.FEED_SIZE]
    expected = [
        (c.speaker_name, c.topic_slug, c.before.event_uid, c.after.event_uid, c.change) for c in newest
    ]

    def no_full_pass(session: Any) -> None:
        raise AssertionError("the site feed read every history")

    monkeypatch.setattr(stance_changes, "site_histories", no_full_pass)
    parsed = assert_valid_atom(
        client.get("/changes.atom").get_data(as_text=True),
        "http://localhost/changes.atom",
        "http://localhost/",
    )
    assert feed_changes(app, parsed) == expected  # the same changes, in the same order
