"""A real import of many new events builds their rows before the write transaction and inserts them in
bulk: all or nothing, every record as a one-by-one create would store it, and a short write lock
(printed: no timed assertion)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from timeline import queries, work
from timeline.db import get_session, write_session
from timeline.models import Event, Revision, Stance
from timeline.services import changes, importing, importrows, search
from timeline.services import events as event_service
from timeline.services.errors import Invalid
from timeline.services.importplan import plan_import

from support.app import flag_write_transactions, load_doc
from support.data import small_doc

SANCTIONS = [{"topic": "us-sanctions", "score": 1}]
LARGE = 14_000  # the measurement: 14,000 events, about 1.8 MB


def _doc(count: int, prefix: str = "bulk") -> dict[str, Any]:
    doc = small_doc()
    doc["events"] = [
        {
            "uid": f"{prefix}-{i}",
            "actor": "vladimir-putin" if i % 2 else "russia",
            "kind": "statement",
            "title": f"Заявление {i} بیانیه" + (" Kerguelen" if i == count - 1 else ""),
            "date": "2020-05~" if i % 3 else "2021-02-03",
            "quote": "«Москва» — سخن",
            "stances": [{"topic": "jcpoa", "score": i % 5 - 2}, *SANCTIONS * (i % 2)],
        }
        for i in range(count)
    ]
    return doc


@contextlib.contextmanager
def _timed_writes(monkeypatch) -> Iterator[list[float]]:
    """How long each write transaction of work.import_document lasts (BEGIN IMMEDIATE to commit)."""
    held: list[float] = []
    real = work.write_session

    @contextlib.contextmanager
    def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
        started = time.perf_counter()
        with real(*args, **kwargs) as session:
            yield session
        held.append(time.perf_counter() - started)

    monkeypatch.setattr(work, "write_session", timed)
    yield held


def _count(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(get_session().execute(select(func.count()).select_from(model)).scalar_one())


def test_a_large_import_is_stored_whole_in_one_short_write(app: Flask, monkeypatch) -> None:
    load_doc(app, small_doc())
    before = (_count(app, Event), _count(app, Stance), _count(app, Revision))
    doc = _doc(LARGE)
    with app.app_context():
        position = changes.latest_position(get_session())
    with _timed_writes(monkeypatch) as held, app.app_context():
        started = time.perf_counter()
        report = work.import_document(doc)
        total = time.perf_counter() - started
    # SQLite: the write lock is held for the whole transaction; PostgreSQL: only its data-version bump
    # at the end waits for other writers, whatever the transaction's length.
    print(f"\nimport of {LARGE} new events: {total:.2f} s in all, write transaction {held[0]:.2f} s")
    assert len(held) == 1  # one all-or-nothing transaction
    assert (report.created["events"], report.unchanged["events"]) == (LARGE, 0)
    stances = sum(len(e["stances"]) for e in doc["events"])
    assert (_count(app, Event), _count(app, Stance), _count(app, Revision)) == (
        before[0] + LARGE,
        before[1] + stances,
        before[2] + LARGE,
    )
    with app.app_context():
        session = get_session()
        # Each new event is in the changes feed once, in document order, with the record it was given.
        page = changes.changes_since(session, changes.encode_cursor(*position), limit=1000)
        assert [c.key for c in page.items] == [f"bulk-{i}" for i in range(1000)] and page.more
        row = queries.event_by_uid(session, "bulk-7")
        assert row is not None and row.id is not None
        snapshot = event_service.event_snapshot(session, row)
        assert page.items[7].record == snapshot  # as a one-by-one create records it
        assert snapshot["title"] == "Заявление 7 بیانیه" and snapshot["date_display"] == "c. May 2020"
        assert [s["topic"] for s in snapshot["stances"]] == ["jcpoa", "us-sanctions"]  # by topic name
        # The search index and derived columns are kept as for any create.
        hits = search.search(session, "Kerguelen", 1, per_page=5)
        assert [h.event.uid for h in hits.hits] == [f"bulk-{LARGE - 1}"]
    again = work_import(app, doc)
    assert (again.created["events"], again.unchanged["events"]) == (0, LARGE)


def work_import(app: Flask, doc: dict[str, Any]) -> Any:
    with app.app_context():
        return work.import_document(doc)


def test_a_write_between_plan_and_import_is_taken_into_account(app: Flask, monkeypatch) -> None:
    load_doc(app, small_doc())
    doc = _doc(50)

    def plan_then_someone_writes(session: Any, valid: Any) -> Any:
        plan = plan_import(session, valid)
        with write_session() as other:  # bulk-3 appears after the plan counted it as new
            event_service.submit_event(other, {**doc["events"][3], "title": "Written meanwhile"})
        return plan

    monkeypatch.setattr(work, "plan_import", plan_then_someone_writes)
    with app.app_context():
        report = work.import_document(doc)
    assert (report.created["events"], report.updated["events"]) == (49, 1)
    assert _count(app, Event) == 3 + 50
    with app.app_context():
        row = queries.event_by_uid(get_session(), "bulk-3")
        assert row is not None and row.title == doc["events"][3]["title"]


def test_a_failure_after_the_bulk_insert_stores_nothing(app: Flask, monkeypatch) -> None:
    load_doc(app, small_doc())
    doc = _doc(500)
    doc["events"].append({**small_doc()["events"][0], "title": "An edit that will fail"})
    counts = (_count(app, Event), _count(app, Stance), _count(app, Revision))

    def broken(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("disk full")

    monkeypatch.setattr(event_service, "apply_event_change", broken)
    with app.app_context(), pytest.raises(RuntimeError, match="disk full"):
        work.import_document(doc)
    assert (_count(app, Event), _count(app, Stance), _count(app, Revision)) == counts


def test_a_new_event_naming_an_unknown_actor_or_topic_is_refused_by_its_place(app: Flask) -> None:
    load_doc(app, small_doc())
    doc = _doc(20)
    doc["events"][12]["stances"] = [{"topic": "no-such-topic", "score": 1}]
    # The import inside a caller's transaction (no plan): the bulk insert's own check names the record.
    with app.app_context(), pytest.raises(Invalid) as refused, write_session() as session:
        importing.import_document(session, doc)
    assert refused.value.fields == {"events[12].stances.0.topic": "no topic with the slug “no-such-topic”"}
    assert "events[12] (bulk-12)" in refused.value.message
    doc["events"][12]["stances"] = []
    doc["events"][15]["actor"] = "nobody"
    with app.app_context(), pytest.raises(Invalid) as refused:
        work.import_document(doc)  # planned first: the plan refuses it the same way
    assert refused.value.fields == {"events[15].actor": "no actor with the slug “nobody”"}
    assert _count(app, Event) == 3


def test_rows_built_before_the_write_are_kept_when_others_wrote_since_the_plan(
    app: Flask, monkeypatch
) -> None:
    """Editors write all the time: a write anywhere between the plan and the import must not make the
    import build its thousands of rows again inside the write transaction (holding the lock)."""
    load_doc(app, small_doc())
    doc = _doc(300)
    real_plan, real_build = work.plan_import, importrows.new_events
    built_in_write: list[int] = []

    def plan_then_others_write(session: Any, valid: Any) -> Any:
        plan = real_plan(session, valid)
        with write_session() as other:
            event_service.submit_event(other, {**small_doc()["events"][0], "uid": "elsewhere-1"})
            event_service.submit_event(other, {**doc["events"][3], "title": "Written meanwhile"})
        return plan

    in_write = flag_write_transactions(monkeypatch, work)

    def build(events: Any, uids: Any, *args: Any) -> Any:
        if in_write[0]:
            built_in_write.append(len(uids))
        return real_build(events, uids, *args)

    monkeypatch.setattr(work, "plan_import", plan_then_others_write)
    monkeypatch.setattr(importrows, "new_events", build)
    with app.app_context():
        report = work.import_document(doc)
    assert (report.created["events"], report.updated["events"]) == (299, 1)
    assert built_in_write == []  # every new row came from before the transaction
    with app.app_context():
        session = get_session()
        meanwhile, ninth = queries.event_by_uid(session, "bulk-3"), queries.event_by_uid(session, "bulk-9")
        assert meanwhile is not None and meanwhile.title == doc["events"][3]["title"]
        assert ninth is not None
        snapshot = event_service.event_snapshot(session, ninth)
        assert [s["topic"] for s in snapshot["stances"]] == ["jcpoa", "us-sanctions"]


def test_an_event_purged_between_plan_and_write_is_created_again_whole(app: Flask, monkeypatch) -> None:
    """The plan found bulk-7 stored (no row built for it); an editor purges it before the write: the
    import builds that one row inside its transaction, and stores it with its stances."""
    load_doc(app, small_doc())
    doc = _doc(20)
    with app.app_context(), write_session() as session:
        stored = event_service.submit_event(session, {**doc["events"][7], "title": "Stored before"})
    real_plan, real_build = work.plan_import, importrows.new_events
    built_in_write: list[int] = []

    def plan_then_purge(session: Any, valid: Any) -> Any:
        plan = real_plan(session, valid)
        with write_session() as other:
            event_service.delete_event(other, stored.id)
            event_service.purge_event(other, stored.id)
        return plan

    in_write = flag_write_transactions(monkeypatch, work)

    def build(events: Any, uids: Any, *args: Any) -> Any:
        if in_write[0]:
            built_in_write.append(len(uids))
        return real_build(events, uids, *args)

    monkeypatch.setattr(work, "plan_import", plan_then_purge)
    monkeypatch.setattr(importrows, "new_events", build)
    with app.app_context():
        report = work.import_document(doc)
    assert report.created["events"] == 20 and built_in_write == [1]
    with app.app_context():
        session = get_session()
        again = queries.event_by_uid(session, "bulk-7")
        assert again is not None and again.title == doc["events"][7]["title"]
        snapshot = event_service.event_snapshot(session, again)
        assert [s["topic"] for s in snapshot["stances"]] == ["jcpoa", "us-sanctions"]
