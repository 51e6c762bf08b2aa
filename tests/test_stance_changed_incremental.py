"""The stance.changed watch is incremental: after its first run it computes only the series (topic,
speaker) that writes since its place touched, keeps one small row per change (no document of them
all), and still ends each run exactly where a computation over everything would."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from timeline import migrate, queries
from timeline.db import get_session, read_session, write_session
from timeline.models import ActorKind
from timeline.schemas import ActorIn
from timeline.services import actors as actor_service
from timeline.services import events as event_service
from timeline.services import stance_alerts, webhooks

from support.app import load_doc
from support.data import SEED_FILE

FULL_HISTORIES = stance_alerts.site_histories


def _subscribe(app: Flask) -> None:
    with app.app_context(), write_session() as session:
        webhooks.register(session, "https://127.0.0.1:9/hook", ["stance.changed"], None, allow_private=True)


def _run(app: Flask) -> list[dict[str, Any]]:
    """One run of the watch as the webhooks job does it: plan from a read snapshot, file in a write."""
    with app.app_context():
        with read_session() as session:
            plan = stance_alerts.plan(session)
        if plan is None:
            return []
        with write_session(bookkeeping=True) as session:
            stance_alerts.file(session, plan)
        return plan.differences


def _kept_equals_everything(app: Flask) -> int:
    """The watch's rows are what a computation over every series gives now; how many there are."""
    with app.app_context():
        session = get_session()
        everything = {
            c.key: stance_alerts.fingerprint(c)
            for c in stance_alerts.changes_of(FULL_HISTORIES(session))  # not the patched one
        }
        assert stance_alerts.watched(session, None) == everything
        return len(everything)


def _summary(differences: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    return [
        (
            d["action"],
            d["stance_change"]["topic"],
            d["stance_change"]["speaker"],
            d["stance_change"]["before"]["event_uid"],
            d["stance_change"]["after"]["event_uid"],
        )
        for d in differences
    ]


def _event(actor: str, uid: str, date: str, **scores: int) -> dict[str, Any]:
    return {
        "uid": uid,
        "actor": actor,
        "kind": "statement",
        "title": f"Statement {uid}",
        "date": date,
        "quote": "«Санкции» — تحریم",
        "stances": [{"topic": t.replace("_", "-"), "score": s} for t, s in scores.items()],
    }


def _write(app: Flask, action: str, raw: dict[str, Any]) -> None:
    with app.app_context(), write_session() as session:
        if action == "create":
            event_service.submit_event(session, raw)
            return
        row = queries.event_by_uid(session, raw["uid"])
        assert row is not None and row.id is not None
        if action == "edit":
            event_service.update_event(session, row.id, raw, expected_version=None)
        else:
            event_service.delete_event(session, row.id)


@pytest.fixture
def watched_app(app: Flask, monkeypatch) -> tuple[Flask, list[set[tuple[str, str]] | None]]:
    """The seed dataset with a subscriber and the watch's baseline; later runs are recorded and may not
    compute every history."""
    load_doc(app, json.loads(SEED_FILE.read_text(encoding="utf-8")))
    _subscribe(app)
    assert _run(app) == []  # the first run takes stock: nothing is delivered
    assert _kept_equals_everything(app) > 0
    computed: list[set[tuple[str, str]] | None] = []
    real = stance_alerts.current_changes

    def spy(session: Any, series: set[tuple[str, str]] | None = None) -> Any:
        computed.append(series)
        return real(session, series)

    def everything(session: Any) -> Any:
        raise AssertionError("the watch recomputed every history")

    monkeypatch.setattr(stance_alerts, "current_changes", spy)
    monkeypatch.setattr(stance_alerts, "site_histories", everything)
    return app, computed


def test_a_write_recomputes_only_the_series_it_touched(watched_app) -> None:
    app, computed = watched_app
    _write(app, "create", _event("vladimir-putin", "p-1", "2031-01-10", us_sanctions=2))
    _write(app, "create", _event("vladimir-putin", "p-2", "2031-03-10", us_sanctions=-2))
    _write(app, "create", _event("iran", "p-0", "2031-01-05", look_east_policy=1))  # Iran's first on it
    created = _run(app)
    assert computed == [{("us-sanctions", "vladimir-putin"), ("look-east-policy", "iran")}]
    assert _summary(created) == [("created", "us-sanctions", "vladimir-putin", "p-1", "p-2")]
    _kept_equals_everything(app)

    # Moving a statement to another speaker and topic touches both series, old and new.
    _write(app, "edit", _event("iran", "p-2", "2031-03-10", look_east_policy=-1))
    moved = _run(app)
    assert computed[-1] == {("us-sanctions", "vladimir-putin"), ("look-east-policy", "iran")}
    assert _summary(moved) == [
        ("created", "look-east-policy", "iran", "p-0", "p-2"),
        ("removed", "us-sanctions", "vladimir-putin", "p-1", "p-2"),
    ]
    _kept_equals_everything(app)

    _write(app, "delete", {"uid": "p-2"})
    removed = _run(app)
    assert computed[-1] == {("look-east-policy", "iran")}
    assert _summary(removed) == [("removed", "look-east-policy", "iran", "p-0", "p-2")]
    _kept_equals_everything(app)

    assert _run(app) == [] and len(computed) == 3  # nothing written: nothing computed
    # A write touching no scored series computes nothing and delivers nothing.
    _write(app, "create", _event("russia", "p-3", "2031-04-01"))
    assert _run(app) == [] and computed[-1] == set()
    _kept_equals_everything(app)


def test_a_renamed_speaker_moves_its_changes_and_the_watch_stays_exact(watched_app, monkeypatch) -> None:
    app, computed = watched_app
    monkeypatch.setattr(stance_alerts, "site_histories", FULL_HISTORIES)  # a rename touches every series
    with app.app_context(), write_session() as session:
        iran = queries.actor_by_slug(session, "iran")
        assert iran is not None
        renamed = ActorIn(slug="islamic-republic-of-iran", name=iran.name, kind=ActorKind(iran.kind))
        actor_service.update_actor(session, "iran", renamed)
    found = _summary(_run(app))
    assert computed == [None]
    assert found and {a for a, *_ in found} == {"created", "removed"}
    assert {s for a, _t, s, *_ in found if a == "removed"} == {"iran"}
    assert {s for a, _t, s, *_ in found if a == "created"} == {"islamic-republic-of-iran"}
    _kept_equals_everything(app)


def test_the_watch_keeps_one_small_row_per_change(watched_app) -> None:
    app, _computed = watched_app
    with app.app_context():
        session = get_session()
        rows = queries.watched_changes(session)
        columns = set(rows[0]._mapping)
        watch = queries.stance_watch(session)
    assert columns == {"topic", "speaker", "after_uid", "before_uid", "from_score", "to_score", "change"}
    assert watch is not None and not hasattr(watch, "changes")  # the place only, no document


def test_migration_carries_the_watch_into_rows_and_back(databases) -> None:
    url = databases.new(migrated=False)
    migrate.upgrade(url, "0011")
    state = [
        ["jcpoa", "iran", "e-2", "e-1", 1, -1, "reversal"],
        ["us-sanctions", "russia", "e-4", "e-3", 0, 2, "shift"],
    ]
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO stance_watch (id, seq, n, changes, updated_at) VALUES (1, 5, 2, :c, :t)"),
                {"c": json.dumps(state), "t": "2026-11-30 00:00:00"},
            )
        migrate.upgrade(url)
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT topic, speaker, after_uid, before_uid, from_score, to_score, change "
                    "FROM stance_watch_change ORDER BY topic"
                )
            ).all()
            place = conn.execute(text("SELECT seq, n FROM stance_watch")).one()
        assert [list(r) for r in rows] == state and tuple(place) == (5, 2)
        migrate.downgrade(url, "0011")
        with engine.connect() as conn:
            kept = conn.execute(text("SELECT changes FROM stance_watch")).scalar_one()
        assert json.loads(kept) == state
    finally:
        engine.dispose()
