"""Issue 16's last gaps: the OpenAPI document names the export and the drifted-quote list; the single
Accept anchors the quote where the extractor found it and keeps a pasted text's source by its SHA-256."""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlmodel import col, select

from timeline.db import read_session, write_session
from timeline.models import Event, Source
from timeline.services.extraction.accept import anchor_accepted

from support.app import load_doc
from support.data import SEED_FILE
from support.web import csrf_token, found

QUOTE = "Israel must not attack the territories of sovereign UN members"
# The words occur twice; only the second occurrence is a quotation (Ulyanov's), the one to anchor.
TWICE = (
    f"Diplomats in Vienna repeated on Monday that {QUOTE}, as the resolution says. On Tuesday, Mikhail "
    f"Ulyanov said: “{QUOTE},” and the Russian mission published his words."
)
SECOND = TWICE.rindex(QUOTE)
URL = "https://example.org/ulyanov-vienna"


@pytest.fixture
def seeded_editor(app: Flask, editor: FlaskClient) -> FlaskClient:
    load_doc(app, json.loads(SEED_FILE.read_text(encoding="utf-8")))
    return editor


def _validator(document: dict, name: str) -> Draft202012Validator:
    """A validator of components/schemas/NAME, its references resolved inside the OpenAPI document."""
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    )


def test_openapi_document_describes_the_export_and_the_drifted_quotes(seeded_editor: FlaskClient) -> None:
    document = seeded_editor.get("/api/v1/openapi.json").get_json()
    export = document["paths"]["/export.json"]["get"]
    [version] = [p for p in export["parameters"] if p["name"] == "format_version"]
    assert version["schema"]["enum"] == ["1", "2"]
    answer = export["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {
        "oneOf": [{"$ref": "#/components/schemas/ExportV1"}, {"$ref": "#/components/schemas/ExportV2"}]
    }
    quotes = document["paths"]["/review/quotes.json"]["get"]
    assert quotes["security"] == [{"bearerAuth": []}]
    assert quotes["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DriftedQuotes"
    }
    # The answers the service gives are the ones described, and each version matches only its own schema.
    for version_no, name, other in (("1", "ExportV1", "ExportV2"), ("2", "ExportV2", "ExportV1")):
        body = json.loads(seeded_editor.get(f"/export.json?format_version={version_no}").get_data())
        assert body["events"]
        errors = [e.message for e in _validator(document, name).iter_errors(body)]
        assert errors == [], errors[:3]
        assert not _validator(document, other).is_valid(body)
    drifted = seeded_editor.get("/review/quotes.json").get_json()
    assert _validator(document, "DriftedQuotes").is_valid(drifted)
    row = {"event": "e", "event_id": 1, "actor": "a", "quote": "q", "source_url": None}
    row |= {"status": "gone", "since": None, "checked_at": "2021-01-01T00:00:00"}
    assert _validator(document, "DriftedQuotes").is_valid({"quotes": [row]})
    assert not _validator(document, "DriftedQuotes").is_valid({"quotes": [{"event": "e"}]})


def _accept_one_fields(client: FlaskClient, review: str, quote: str) -> dict[str, str]:
    """The hidden fields of the Accept button of the candidate with this quote."""
    for block in re.findall(r'<li id="candidate-\d+".*?</li>', review, re.S):
        form = found(r'(?s)(<form method="post" action="/extract/accept-one".*?</form>)', block)
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
        fields = {k: html_lib.unescape(v) for k, v in fields.items()}
        if fields["quote"] == quote:
            return fields
    raise AssertionError(f"no candidate “{quote}” in the review")


def _accept_and_save(client: FlaskClient, article: dict[str, str], quote: str) -> Event:
    """Review, Accept one candidate, open the add-event form, save it with the form's own hidden fields."""
    review = client.post("/extract", data={"csrf_token": csrf_token(client), **article})
    assert review.status_code == 200
    fields = _accept_one_fields(client, review.get_data(as_text=True), quote)
    opened = client.post("/extract/accept-one", data={**fields, "add_row": "1"})
    assert opened.status_code == 307 and opened.headers["Location"].endswith("/events")
    form_page = client.post("/events", data={**fields, "add_row": "1"}).get_data(as_text=True)
    # The add-event form carries the offsets and the text's digest on, in hidden fields.
    hidden = r'name="(quote_start|quote_end|source_sha256)" type="hidden" value="([^"]*)"'
    carried = dict(re.findall(hidden, form_page))
    assert carried == {k: fields[k] for k in ("quote_start", "quote_end", "source_sha256")}, carried
    saved_fields = {k: v for k, v in fields.items() if k != "text"} | carried
    saved = client.post("/events", data={**saved_fields, "confirm_unsourced": "y"})
    assert saved.status_code == 303, saved.get_data(as_text=True)[:600]
    event_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    with client.application.app_context(), read_session() as session:
        event = session.get(Event, event_id)
        assert event is not None
        return Event.model_validate(event.model_dump())


def test_single_accept_anchors_the_occurrence_the_extractor_found(seeded_editor: FlaskClient) -> None:
    article = {"text": TWICE, "published": "2021-01-15", "url": URL, "title": "Ulyanov in Vienna"}
    event = _accept_and_save(seeded_editor, article, QUOTE)
    assert event.quote == QUOTE and event.source_id is not None
    # The second occurrence's context, not the first one's ("Diplomats in Vienna repeated...").
    assert event.quote_prefix == TWICE[SECOND - 32 : SECOND]
    assert event.quote_suffix == TWICE[SECOND + len(QUOTE) :][:32]
    assert event.quote_prefix.endswith("said: “")


def test_offsets_that_do_not_hold_the_quote_fall_back_to_its_first_occurrence(app: Flask) -> None:
    load_doc(app, json.loads(SEED_FILE.read_text(encoding="utf-8")))
    with app.app_context(), write_session() as session:
        source = Source(url=URL, text=TWICE, content_sha256=hashlib.sha256(TWICE.encode()).hexdigest())
        session.add(source)
        event = session.exec(select(Event).order_by(col(Event.id)).limit(1)).one()
        event.quote, event.source_id = QUOTE, source.id
        session.flush()
        assert event.id is not None
        first = TWICE.index(QUOTE)
        # Shifted by one character: they do not hold the quote, so its first exact occurrence is taken.
        anchor_accepted(session, event.id, start=SECOND + 1, end=SECOND + 1 + len(QUOTE), text_sha256=None)
        assert event.quote_prefix == TWICE[max(0, first - 32) : first]
        # Offsets that hold it are used as they are.
        anchor_accepted(session, event.id, start=SECOND, end=SECOND + len(QUOTE), text_sha256=None)
        assert event.quote_prefix == TWICE[SECOND - 32 : SECOND]


def test_single_accept_of_pasted_text_keeps_its_source_by_sha256(seeded_editor: FlaskClient) -> None:
    digest = hashlib.sha256(TWICE.encode("utf-8")).hexdigest()
    event = _accept_and_save(seeded_editor, {"text": TWICE, "published": "2021-01-15"}, QUOTE)
    with seeded_editor.application.app_context(), read_session() as session:
        [source] = session.exec(select(Source).where(col(Source.content_sha256) == digest)).all()
        assert (source.url, source.title, source.text) == (None, None, TWICE)
        assert event.source_id == source.id
    assert event.quote_prefix == TWICE[SECOND - 32 : SECOND]
    # Accepting another candidate of the same pasted text keeps no second copy of it.
    _accept_and_save(seeded_editor, {"text": TWICE, "published": "2021-01-15"}, QUOTE)
    with seeded_editor.application.app_context(), read_session() as session:
        assert len(session.exec(select(Source).where(col(Source.content_sha256) == digest)).all()) == 1
