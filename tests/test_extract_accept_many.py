"""Accepting several extracted candidates at once: each validated, errors named per candidate, all or
nothing, the source's text and each quote's anchor kept."""

from __future__ import annotations

import dataclasses
import hashlib
import html as html_lib
import json
import re

import pytest
from flask import Flask
from sqlmodel import col, select

from timeline.db import read_session, write_session
from timeline.models import Candidate, Event, Feed, Source
from timeline.services.errors import Invalid
from timeline.services.extraction import service
from timeline.services.extraction.accept import accept_candidates
from timeline.services.extraction.sources import Article

from support.app import load_doc
from support.data import SEED_FILE
from support.web import csrf_token

NEW_URL = "https://example.org/viktorov-interview"
TEXT = (
    "On Tuesday, Anatoly Viktorov told the Israeli newspaper that the problem of the region “is not Iranian "
    "activities” and it is Israel who “destabilizes the Middle East” through “attacking Hezbollah.” “Israel "
    "must not attack the territories of sovereign UN members,” he added on Wednesday. Trump’s “maximum "
    "pressure” campaign failed."
)
PUBLISHED = "2021-01-15"
UNDATED = TEXT.replace("On Tuesday, ", "").replace(" on Wednesday", "")
WINDOW = "2020-12-20/2021-01-20"


@pytest.fixture
def seeded_editor(app: Flask, editor):
    load_doc(app, json.loads(SEED_FILE.read_text(encoding="utf-8")))
    return editor


def _form(client, **extra) -> dict:
    return {
        "csrf_token": csrf_token(client),
        "text": TEXT,
        "published": PUBLISHED,
        "url": NEW_URL,
        "title": "Interview with Anatoly Viktorov",
        "publisher": "The Jerusalem Post",
        **extra,
    }


def _events_from(app: Flask, url: str) -> list[Event]:
    with app.app_context(), read_session() as session:
        rows = session.exec(select(Event).where(col(Event.source_url) == url).order_by(col(Event.id))).all()
        return [Event.model_validate(row.model_dump()) for row in rows]


def test_accept_selected_stores_each_event_with_its_source_text_and_anchor(app: Flask, seeded_editor) -> None:
    review = seeded_editor.post("/extract", data=_form(seeded_editor)).get_data(as_text=True)
    # Without JavaScript: checkboxes belong to the "Accept selected" form through their form attribute.
    assert 'id="accept-many"' in review and review.count('name="selected"') == 4
    assert 'form="accept-many"' in review
    page = seeded_editor.post("/extract/accept", data={**_form(seeded_editor), "selected": ["0", "3"]})
    html = page.get_data(as_text=True)
    assert page.status_code == 200, re.findall(r"role=\"alert\">.*?</(?:p|ul)>", html, re.S)
    assert "2 event(s) saved" in html
    # The new events now mark their candidates as recorded, and they can no longer be selected.
    assert html.count("Already recorded") == 2 and html.count('name="selected"') == 2
    events = _events_from(app, NEW_URL)
    assert [e.quote for e in events] == [
        "is not Iranian activities",
        "Israel must not attack the territories of sovereign UN members",
    ]
    with app.app_context(), read_session() as session:
        source = Source.model_validate(
            session.exec(select(Source).where(Source.url == NEW_URL)).one().model_dump()
        )
    assert source.text == TEXT
    assert source.content_sha256 == hashlib.sha256(TEXT.encode()).hexdigest()
    assert source.title == "Interview with Anatoly Viktorov" and source.published == PUBLISHED
    for event in events:
        assert event.source_id == source.id and event.actor_id is not None
        assert event.kind == "statement" and event.date_basis
        # The TextQuoteSelector: prefix + exact + suffix occurs in the kept text, at most 32 either side.
        assert event.quote_prefix is not None and event.quote_suffix is not None
        assert f"{event.quote_prefix}{event.quote}{event.quote_suffix}" in TEXT
        assert 0 < len(event.quote_prefix) <= 32 and 0 < len(event.quote_suffix) <= 32
    quote = events[0].quote
    assert quote is not None
    start = TEXT.index(quote)
    assert events[0].quote_prefix == TEXT[start - 32 : start]
    assert events[0].quote_suffix == TEXT[start + len(quote) :][:32]
    # The event page shows the source record.
    shown = seeded_editor.get(f"/events/{events[0].id}").get_data(as_text=True)
    assert source.content_sha256[:12] in shown


def test_one_bad_candidate_saves_nothing_and_is_named(app: Flask, seeded_editor) -> None:
    first = seeded_editor.post("/extract/accept", data={**_form(seeded_editor), "selected": ["0"]})
    assert first.status_code == 200
    assert len(_events_from(app, NEW_URL)) == 1
    # Candidate 0 is now recorded, 2 is fine: nothing is stored and candidate 0 (only) carries the error.
    again = seeded_editor.post("/extract/accept", data={**_form(seeded_editor), "selected": ["0", "2"]})
    html = again.get_data(as_text=True)
    assert again.status_code == 422
    assert "Nothing was saved" in html
    block = re.search(r'id="candidate-0".*?</li>', html, re.S)
    assert block and "already recorded as event" in block.group(0)
    block2 = re.search(r'id="candidate-2".*?</li>', html, re.S)
    assert block2 and "already recorded as event" not in block2.group(0)
    assert len(_events_from(app, NEW_URL)) == 1
    # Without a date cue a candidate is dated "on or before publication" (an open interval), as stored.
    undated = _form(seeded_editor, text=UNDATED, published=WINDOW, url="https://example.org/undated")
    stored = seeded_editor.post("/extract/accept", data={**undated, "selected": ["0", "1"]})
    assert stored.status_code == 200
    assert {e.date_edtf for e in _events_from(app, "https://example.org/undated")} == {"../2021-01-20"}
    # Nothing selected: a named error, nothing stored.
    none = seeded_editor.post("/extract/accept", data=_form(seeded_editor))
    assert (
        none.status_code == 422
        and "Choose at least one candidate".lower() in none.get_data(as_text=True).lower()
    )


def test_service_refuses_all_when_one_speaker_is_unknown(app: Flask) -> None:
    load_doc(app, json.loads(SEED_FILE.read_text(encoding="utf-8")))
    with app.app_context(), read_session() as session:
        article = Article(TEXT, "T", None, None, "P", NEW_URL)
        result = service.extract_article(session, article, service.published_date(PUBLISHED))
    # An unknown speaker (candidates share their speaker object: this one gets its own).
    result.candidates[1].speaker = dataclasses.replace(result.candidates[1].speaker, actor=None)
    result.candidates[2].stances = []
    with app.app_context():
        with pytest.raises(Invalid) as caught, write_session() as session:
            accept_candidates(session, result, [0, 1, 2])
        assert set(caught.value.fields) == {"candidates.1.actor"}
        assert "Anatoly Viktorov" in caught.value.fields["candidates.1.actor"]
        with read_session() as session:
            assert session.exec(select(Source).where(Source.url == NEW_URL)).first() is None
    assert _events_from(app, NEW_URL) == []
    # A quote that is not verbatim in the text is refused before anything is written.
    result.candidates[1].speaker = result.candidates[0].speaker
    result.candidates[0].quote = "is not Iranian activity"
    with app.app_context(), pytest.raises(Invalid) as caught, write_session() as session:
        accept_candidates(session, result, [0, 1])
    assert set(caught.value.fields) == {"candidates.0.quote"}
    assert _events_from(app, NEW_URL) == []


def test_accepting_one_keeps_the_text_and_saving_anchors_the_quote(app: Flask, seeded_editor) -> None:
    review = seeded_editor.post("/extract", data=_form(seeded_editor)).get_data(as_text=True)
    block = re.search(r'id="candidate-3".*?</li>', review, re.S)
    assert block is not None
    form = re.search(r'<form method="post" action="/extract/accept-one".*?</form>', block.group(0), re.S)
    assert form is not None
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))
    fields = {k: html_lib.unescape(v) for k, v in fields.items()}
    opened = seeded_editor.post("/extract/accept-one", data={**fields, "add_row": "1"})
    # The add-event form opens prefilled (a 307 re-posts the fields to it); nothing but the source is kept.
    assert opened.status_code == 307 and opened.headers["Location"].endswith("/events")
    assert _events_from(app, NEW_URL) == []
    with app.app_context(), read_session() as session:
        source = session.exec(select(Source).where(Source.url == NEW_URL)).one()
        assert source.text == TEXT
        source_id = source.id
    form_page = seeded_editor.post("/events", data={**fields, "add_row": "1"}).get_data(as_text=True)
    assert "Israel must not attack the territories" in form_page
    # The editor saves: the event links to the kept source, its quote anchored in the text.
    saved = seeded_editor.post("/events", data={k: v for k, v in fields.items() if k != "text"})
    assert saved.status_code == 303, saved.get_data(as_text=True)[:400]
    [event] = _events_from(app, NEW_URL)
    assert event.quote is not None
    start = TEXT.index(event.quote)
    assert event.source_id == source_id
    assert (event.quote_prefix, event.quote_suffix) == (
        TEXT[start - 32 : start],
        TEXT[start + len(event.quote) :][:32],
    )


def test_feed_items_open_in_the_extraction_review(app: Flask, seeded_editor) -> None:
    with app.app_context(), write_session() as session:
        feed = Feed(url="https://example.org/feed.xml")
        session.add(feed)
        session.flush()
        assert feed.id is not None
        item = Candidate(
            feed_id=feed.id,
            title="Viktorov on Israel",
            summary=TEXT,
            published=PUBLISHED,
            publisher="The Jerusalem Post",
        )
        session.add(item)
        session.flush()
        item_id = item.id
    queue = seeded_editor.get("/review").get_data(as_text=True)
    button = re.search(r'<form method="post" action="/extract".*?</form>', queue, re.S)
    assert button is not None and "Extract statements" in button.group(0)
    fields = {
        k: html_lib.unescape(v)
        for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', button.group(0))
    }
    assert fields["candidate"] == str(item_id) and fields["published"] == PUBLISHED
    review = seeded_editor.post("/extract", data=fields)
    html = review.get_data(as_text=True)
    assert review.status_code == 200 and html.count('name="selected"') == 4
    assert f'name="candidate" value="{item_id}"' in html  # carried to both accept forms
    saved = seeded_editor.post("/extract/accept", data={**fields, "selected": ["3"]})
    assert saved.status_code == 200
    with app.app_context(), read_session() as session:
        item_now = session.get(Candidate, item_id)
        assert item_now is not None and item_now.status == "accepted" and item_now.event_id is not None
        event = session.get(Event, item_now.event_id)
        assert (
            event is not None
            and event.quote == "Israel must not attack the territories of sovereign UN members"
        )
        assert event.source_title == "Viktorov on Israel" and event.source_id is not None


def test_a_feed_item_whose_page_cannot_be_read_shows_its_stored_text(app: Flask, seeded_editor) -> None:
    with app.app_context(), write_session() as session:
        feed = Feed(url="https://example.org/feed.xml")
        session.add(feed)
        session.flush()
        assert feed.id is not None
        # A link into the service's own network: the guard refuses to fetch it.
        session.add(
            Candidate(
                feed_id=feed.id,
                title="Viktorov",
                summary=TEXT,
                published=PUBLISHED,
                link="http://127.0.0.1:9/a",
            )
        )
    queue = seeded_editor.get("/review").get_data(as_text=True)
    button = re.search(r'<form method="post" action="/extract".*?</form>', queue, re.S)
    assert button is not None
    fields = {
        k: html_lib.unescape(v)
        for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', button.group(0))
    }
    page = seeded_editor.post("/extract", data=fields)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The page could not be read (address in a private or local network)" in html
    assert html.count('name="selected"') == 4
    # Without the stored text, the same refusal is an error naming the URL, as before.
    refused = seeded_editor.post("/extract", data={k: v for k, v in fields.items() if k != "stored_text"})
    assert refused.status_code == 422 and "address in a private or local network" in refused.get_data(
        as_text=True
    )
