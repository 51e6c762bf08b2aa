"""Event creation's write (issue 17: creation at >= 50% of a bare insert).

SQLite: the look-ups run before the write lock, and the insert only goes through while no actor or topic
changed since (the scope "*"); else they run again inside the transaction. PostgreSQL: the data version,
the feed's entries and the scopes are bumped in one statement before COMMIT. Either way, what a create
stores and answers is what is true when it commits, and concurrent creates lose no bump or feed entry.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, text

from timeline import scopes
from timeline.db import engines, get_session, write_session
from timeline.schemas import ActorIn, EventIn, TopicIn
from timeline.services import actors as actor_service
from timeline.services import events as event_service
from timeline.services import topics as topic_service
from timeline.services.errors import Invalid
from timeline.services.validation import validate

from support.app import load_doc
from support.data import small_doc

EVENT: dict[str, Any] = {
    "actor": "vladimir-putin",
    "kind": "statement",
    "title": "Переговоры — مذاکرات",
    "date": "2021-02",
    "stances": [{"topic": "jcpoa", "score": -2, "rationale": "«нет»"}],
}


@pytest.fixture
def loaded(app: Flask) -> Flask:
    load_doc(app, small_doc())
    return app


def _prepared_before_write(data: dict[str, Any]) -> event_service.PreparedEvent:
    """What the API prepares before the write transaction on SQLite: reads on a snapshot, then ended."""
    session = get_session()
    try:
        return event_service.prepare_event(session, validate(EventIn, data), before_write=True)
    finally:
        session.rollback()


def _titles(title: str) -> int:
    query = text("SELECT count(*) FROM event WHERE title = :t")
    return int(get_session().execute(query, {"t": title}).scalar_one())


def _write_statements(app: Flask) -> tuple[list[str], Any]:
    seen: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()).upper())

    with app.app_context():
        write_engine = engines()[1]
    event.listen(write_engine, "before_cursor_execute", remember)
    return seen, lambda: event.remove(write_engine, "before_cursor_execute", remember)


def test_an_actor_renamed_after_the_reads_is_an_error_naming_it(loaded: Flask) -> None:
    with loaded.app_context():
        prepared = _prepared_before_write(EVENT)
        with write_session() as session:  # another editor renames the actor meanwhile
            actor_service.update_actor(
                session,
                "vladimir-putin",
                validate(ActorIn, {"slug": "v-putin", "name": "Vladimir Putin", "kind": "person"}),
            )
        with pytest.raises(Invalid) as caught, write_session() as session:
            event_service.store_event(session, prepared)
        assert "actor" in caught.value.fields and "vladimir-putin" in caught.value.fields["actor"]
        assert _titles(EVENT["title"]) == 0  # nothing stored


def test_a_topic_renamed_after_the_reads_is_an_error_naming_it(loaded: Flask) -> None:
    with loaded.app_context():
        prepared = _prepared_before_write(EVENT)
        with write_session() as session:
            topic_service.update_topic(session, "jcpoa", TopicIn(slug="iran-deal", name="Iran deal"))
        with pytest.raises(Invalid) as caught, write_session() as session:
            event_service.store_event(session, prepared)
        assert list(caught.value.fields) == ["stances.0.topic"]
        assert _titles(EVENT["title"]) == 0


def test_a_topic_renamed_but_kept_is_stored_as_it_is_at_commit(loaded: Flask) -> None:
    """A new name (same slug) after the reads: the answer and the revision order the stances by the
    names at commit, not by those read before."""
    two = {**EVENT, "stances": [{"topic": "jcpoa", "score": -2}, {"topic": "us-sanctions", "score": 1}]}
    with loaded.app_context():
        prepared = _prepared_before_write(two)
        assert [s["topic"] for s in prepared.record["stances"]] == ["jcpoa", "us-sanctions"]
        with write_session() as session:  # "US sanctions" now sorts first
            topic_service.update_topic(session, "us-sanctions", TopicIn(slug="us-sanctions", name="AAA"))
        with write_session() as session:
            created = event_service.store_event(session, prepared)
        assert [s["topic"] for s in created.record["stances"]] == ["us-sanctions", "jcpoa"]
        after = get_session().execute(
            text("SELECT after FROM revision WHERE entity = 'event' AND entity_id = :i"), {"i": created.id}
        )
        snapshot = after.scalar_one()
        snapshot = snapshot if isinstance(snapshot, dict) else json.loads(snapshot)
        assert [s["topic"] for s in snapshot["stances"]] == ["us-sanctions", "jcpoa"]


def test_events_written_meanwhile_cost_no_second_look_up(loaded: Flask) -> None:
    """Other events written between the reads and the write change no actor or topic: the write
    transaction inserts at once, with no look-up of its own (SQLite: inside the one write lock)."""
    with loaded.app_context():
        prepared = _prepared_before_write(EVENT)
        with write_session() as session:
            event_service.create_event(session, validate(EventIn, {**EVENT, "title": "Another one"}))
        seen, stop = _write_statements(loaded)
        try:
            with write_session() as session:
                created = event_service.store_event(session, prepared)
        finally:
            stop()
        assert created.record["title"] == EVENT["title"] and _titles(EVENT["title"]) == 1
        lookups = [s for s in seen if s.startswith("SELECT") and ("FROM ACTOR" in s or "FROM TOPIC" in s)]
        if engines()[1].dialect.name == "sqlite":
            assert lookups == [], seen
        else:  # PostgreSQL reads inside the transaction
            assert len(lookups) == 1, seen


def test_a_generated_uid_taken_after_the_reads_gets_the_next_one(loaded: Flask) -> None:
    with loaded.app_context():
        prepared = _prepared_before_write(EVENT)
        with write_session() as session:  # the same title and month: the same readable id, first
            first = event_service.create_event(session, validate(EventIn, EVENT))
        with write_session() as session:
            second = event_service.store_event(session, prepared)
        assert second.record["uid"] == f"{first.record['uid']}-2"
        assert _titles(EVENT["title"]) == 2


def test_a_given_uid_taken_after_the_reads_is_an_error_naming_it(loaded: Flask) -> None:
    given = {**EVENT, "uid": "putin-talks-2021"}
    with loaded.app_context():
        prepared = _prepared_before_write(given)
        with write_session() as session:
            event_service.create_event(session, validate(EventIn, {**given, "title": "First"}))
        with pytest.raises(Invalid) as caught, write_session() as session:
            event_service.store_event(session, prepared)
        assert list(caught.value.fields) == ["uid"] and _titles(EVENT["title"]) == 0


def test_concurrent_creates_each_bump_the_versions_and_join_the_feed(loaded: Flask) -> None:
    """Eight writers at once: every create moves the data version, its actor's and topic's scopes on by
    one and files its revision in the feed under its own number (none lost, none shared)."""
    writers, each = 8, 5
    with loaded.app_context():
        session = get_session()
        before = session.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar_one()
        scope_sql = text("SELECT version FROM data_scope WHERE scope = :s")
        actor_before = session.execute(scope_sql, {"s": scopes.actor("vladimir-putin")}).scalar() or 0
        topic_before = session.execute(scope_sql, {"s": scopes.topic("jcpoa")}).scalar() or 0
        session.rollback()
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with loaded.app_context():
                for i in range(each):
                    data = validate(EventIn, {**EVENT, "title": f"Concurrent {n}-{i}"})
                    with write_session() as w:
                        event_service.create_event(w, data)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failures == [] and not any(t.is_alive() for t in threads)
    total = writers * each
    with loaded.app_context():
        session = get_session()
        after = session.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar_one()
        assert after - before == total
        assert (
            session.execute(scope_sql, {"s": scopes.actor("vladimir-putin")}).scalar() == actor_before + total
        )
        assert session.execute(scope_sql, {"s": scopes.topic("jcpoa")}).scalar() == topic_before + total
        seqs = session.execute(
            text(
                "SELECT c.seq FROM change_log c JOIN revision r ON r.id = c.revision_id "
                "WHERE r.entity = 'event' AND r.entity_key LIKE 'vladimir-putin-2021-02-concurrent%'"
            )
        ).all()
        assert len(seqs) == total and len({s[0] for s in seqs}) == total
        assert all(before < s[0] <= after for s in seqs)
