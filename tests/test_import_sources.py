"""An import links its new events to their source records in bulk, exactly as one-by-one creates do:
one source per URL (or per title and publisher), new ones made once, and each quote anchored in a source
that keeps a text holding it."""

from __future__ import annotations

from typing import Any

from flask import Flask

from timeline import queries
from timeline.db import get_session, write_session
from timeline.services import events as event_service
from timeline.services import sources

from support.app import load_doc
from support.data import small_doc

TEXT = "Вступление. Москва и Тегеран «будут сотрудничать» — گفت وزیر. Конец текста."
QUOTE = "«будут сотрудничать»"
KEPT = "https://example.org/kept"


def _event(uid: str, source: dict[str, Any] | None, quote: str = QUOTE) -> dict[str, Any]:
    event = {
        "uid": uid,
        "actor": "russia",
        "kind": "statement",
        "title": f"Заявление {uid}",
        "date": "2021-02-03",
        "quote": quote,
        "stances": [{"topic": "jcpoa", "score": 1}],
    }
    return {**event, "source": source} if source else event


CITATIONS: list[dict[str, Any] | None] = [
    {"url": KEPT, "title": "Kept"},  # keeps TEXT: anchored
    {"url": KEPT, "title": "Kept again"},  # same URL, same source
    {"url": "https://example.org/new-1", "title": "New one"},
    {"url": "https://example.org/new-1"},
    {"title": "Пресс-конференция", "publisher": "ТАСС"},
    {"title": "Пресс-конференция", "publisher": "РИА Новости"},
    {"title": "Пресс-конференция", "publisher": "ТАСС"},
    None,
]


def _links(app: Flask, prefix: str) -> list[tuple[int | None, Any]]:
    """Each event's source (as an index of first appearance, so two runs compare) and its anchor."""
    with app.app_context():
        session = get_session()
        rows = [queries.event_by_uid(session, f"{prefix}-{i}") for i in range(len(CITATIONS))]
        seen: dict[int, int] = {}
        out = []
        for row in rows:
            assert row is not None
            place = None if row.source_id is None else seen.setdefault(row.source_id, len(seen))
            out.append((place, sources.event_anchor(row)))
        return out


def _keep_text(app: Flask) -> None:
    with app.app_context(), write_session() as session:
        sources.keep_source(session, sources.SourceFields(url=KEPT), text=TEXT)


def test_an_import_links_sources_and_anchors_as_one_by_one_creates_do(app: Flask) -> None:
    load_doc(app, small_doc())
    _keep_text(app)
    doc = small_doc()
    doc["events"] = [_event(f"bulk-{i}", c) for i, c in enumerate(CITATIONS)]
    load_doc(app, doc)
    with app.app_context(), write_session() as session:
        for i, citation in enumerate(CITATIONS):
            event_service.submit_event(session, {**_event(f"one-{i}", citation)})
    bulk, one = _links(app, "bulk"), _links(app, "one")
    assert bulk == one
    # One source for KEPT (with the anchor), one for new-1, one per (title, publisher), none without.
    assert [place for place, _a in bulk] == [0, 0, 1, 1, 2, 3, 2, None]
    anchor = bulk[0][1]
    assert (
        anchor is not None
        and anchor.prefix.endswith("Москва и Тегеран ")
        and anchor.suffix.startswith(" — گفت")
    )
    assert all(a is None for _p, a in bulk[2:])  # sources that keep no text: no anchor
    with app.app_context():
        session = get_session()
        kept = queries.event_by_uid(session, "bulk-0")
        again = queries.event_by_uid(session, "one-1")
        assert kept is not None and again is not None and kept.source_id == again.source_id


def test_a_quote_not_in_the_kept_text_is_linked_without_an_anchor(app: Flask) -> None:
    load_doc(app, small_doc())
    _keep_text(app)
    doc = small_doc()
    doc["events"] = [_event("bulk-0", CITATIONS[0], quote="nowhere in the text")]
    load_doc(app, doc)
    with app.app_context():
        row = queries.event_by_uid(get_session(), "bulk-0")
        assert row is not None and row.source_id is not None and sources.event_anchor(row) is None
