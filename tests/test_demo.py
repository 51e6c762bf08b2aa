"""flask --app timeline demo-data: a deterministic synthetic dataset with the benchmarks' landmarks."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, text
from sqlmodel import Session

from timeline.cli_demo import demo_data_command
from timeline.dates import parse_date
from timeline.db import engines, get_session, write_session
from timeline.models import Actor, Event, Stance, Topic, metadata
from timeline.queries import search_events
from timeline.schemas import SLUG_RE
from timeline.services.demo import (
    BENCH_ACTOR,
    WIDE_TOPIC,
    DemoDataError,
    _check_columns,
    generate_demo_data,
)

from support.app import load_doc, make_app
from support.data import validate_export

CYRILLIC = re.compile("[\u0400-\u04ff]")
PERSIAN = re.compile("[\u0600-\u06ff]")
LATIN = re.compile("[A-Za-z]")
SIZE = {"events": 3000, "actors": 40, "topics": 8}
TABLES = [metadata.tables[name] for name in ("actor", "topic", "event", "stance")]


def generate(app: Flask, seed: int = 7, **size: int) -> dict:
    sizes = {**SIZE, **size}
    with app.app_context():
        return generate_demo_data(
            engines()[1],
            seed=seed,
            batch=700,
            events=sizes["events"],
            actors=sizes["actors"],
            topics=sizes["topics"],
        )


def dump(app: Flask) -> list[list[tuple]]:
    """Every row of the four tables, in id order."""
    with app.app_context():
        session = get_session()
        return [[tuple(r) for r in session.execute(select(table).order_by(table.c.id))] for table in TABLES]


def test_counts_landmarks_and_shape(app: Flask) -> None:
    summary = generate(app)
    assert (summary["events"], summary["actors"], summary["topics"]) == (3000, 40, 8)
    assert summary["bench_actor_events"] == 1000 and summary["wide_topic_actors"] >= 12
    actors, topics, events, stances = dump(app)
    assert (len(actors), len(topics), len(events), len(stances)) == (40, 8, 3000, summary["stances"])
    with app.app_context():
        session = get_session()
        by_slug = {a.slug: a for a in session.execute(select(Actor)).scalars()}
        evs = session.execute(select(Event)).scalars().all()
        sts = session.execute(select(Stance)).scalars().all()
        topic_ids = {t.slug: t.id for t in session.execute(select(Topic)).scalars()}

    # Exactly 1,000 events for the bench actor, which has no parent and no officials.
    bench = by_slug[BENCH_ACTOR]
    per_actor = Counter(e.actor_id for e in evs)
    assert per_actor[bench.id] == 1000
    assert bench.parent_id is None and not any(a.parent_id == bench.id for a in by_slug.values())
    # Every actor has events, sizes are skewed, some people are officials of a government.
    assert set(per_actor) == {a.id for a in by_slug.values()}
    others = sorted(n for a, n in per_actor.items() if a != bench.id)
    assert others[-1] >= 4 * others[len(others) // 2]
    kinds = {a.id: a.kind for a in by_slug.values()}
    officials = [a for a in by_slug.values() if a.parent_id is not None]
    assert officials and all(kinds[a.parent_id] == "government" and a.kind == "person" for a in officials)
    assert all(SLUG_RE.fullmatch(slug) for slug in by_slug)

    # 1-3 stances per event on distinct topics, scores -2..2; the wide topic spans 12+ top-level actors.
    per_event: dict[int, list[int]] = {}
    for s in sts:
        per_event.setdefault(s.event_id, []).append(s.topic_id)
        assert -2 <= s.score <= 2
    assert set(per_event) == {e.id for e in evs}
    assert all(1 <= len(t) <= 3 and len(set(t)) == len(t) for t in per_event.values())
    assert {len(t) for t in per_event.values()} == {1, 2, 3}
    owner = {e.id: e.actor_id for e in evs}
    wide = {owner[s.event_id] for s in sts if s.topic_id == topic_ids[WIDE_TOPIC]}
    parents = {a.id: a.parent_id for a in by_slug.values()}
    assert len(wide) >= 12 and all(parents[a] is None for a in wide)

    # Dates: every one as the service's parser reads it, in mixed precisions.
    edtfs = {e.date_edtf: (e.date_earliest, e.date_latest) for e in evs}
    sample = sorted(edtfs)[::4]  # a quarter of the distinct strings: parsing is slow
    parsed = {d: parse_date(d) for d in sample}
    assert all((parsed[d].earliest, parsed[d].latest) == edtfs[d] for d in sample)
    precisions = Counter(p.precision for p in parsed.values())
    assert {"day", "month", "year", "interval"} <= set(precisions)
    assert any("~" in d for d in edtfs) and any("/" in d for d in edtfs)

    # Texts: unique lowercase uids, quotes of 100-300 characters in three scripts, timestamps.
    uids = [e.uid for e in evs]
    assert len(set(uids)) == len(uids) and all(re.fullmatch(r"[a-z0-9-]+", u) for u in uids)
    quotes = [e.quote for e in evs if e.quote]
    assert len(quotes) > 2500 and all(100 <= len(q) <= 300 for q in quotes)
    assert sum(bool(CYRILLIC.search(q)) for q in quotes) > 300
    assert sum(bool(PERSIAN.search(q)) for q in quotes) > 300
    assert sum(bool(LATIN.search(q)) for q in quotes) > 1500
    mixed = [q for q in quotes if LATIN.search(q) and (CYRILLIC.search(q) or PERSIAN.search(q))]
    assert len(mixed) > 300
    assert all(e.title and len(e.title) <= 300 and e.created_at <= e.updated_at for e in evs)


def test_same_seed_same_data_other_seed_other_data(app: Flask, databases) -> None:
    generate(app, seed=11)
    twin = make_app(databases.new())
    generate(twin, seed=11)
    assert dump(twin) == dump(app)
    other = make_app(databases.new())
    generate(other, seed=12)
    assert dump(other)[2] != dump(app)[2]


def _data_version(app: Flask) -> int | None:
    with app.app_context():
        if "data_version" not in metadata.tables:
            return None
        return get_session().execute(text("SELECT version FROM data_version WHERE id = 1")).scalar_one()


def test_search_index_pages_and_new_rows_work_on_generated_data(app: Flask) -> None:
    before = _data_version(app)
    generate(app, events=300, actors=13, topics=4)  # small: pages parse every date they show
    if before is not None:  # response caches keyed by the data version see the new rows
        assert _data_version(app) == before + 1
    with app.app_context():
        session = get_session()
        # The search index was filled as rows went in: the bench actor's Cyrillic alias finds its events.
        ids, total = search_events(session, ["бенч"], limit=5)
        assert total == 150 and len(ids) == 5
    client = app.test_client()
    doc = client.get(f"/actors/{BENCH_ACTOR}.json").get_json()
    assert len(doc["events"]) == 150
    page = client.get(f"/topics/{WIDE_TOPIC}")
    assert page.status_code == 200
    # Ids were given explicitly: new rows still get fresh ids (PostgreSQL sequences moved past them).
    with app.app_context(), write_session() as session:
        topic = Topic(slug="added-later", name="Added later")
        session.add(topic)
        session.flush()
        assert topic.id == 5


def test_tiny_dataset_exports_valid_and_imports_elsewhere(app: Flask, databases) -> None:
    summary = generate(app, events=60, actors=13, topics=3)
    assert summary["bench_actor_events"] == 30  # half the events when fewer than 2,000
    doc = json.loads(app.test_client().get("/export.json").get_data(as_text=True))
    validate_export(doc)
    assert len(doc["events"]) == 60
    # The import validates every record as the form and API do: the synthetic data passes.
    other = make_app(databases.new())
    load_doc(other, doc)
    again = json.loads(other.test_client().get("/export.json").get_data(as_text=True))
    doc.pop("exported_at"), again.pop("exported_at")
    assert again == doc


def test_refuses_non_empty_database_and_bad_sizes(app: Flask) -> None:
    with pytest.raises(DemoDataError, match="at least 13 actors"):
        generate(app, actors=5)
    with pytest.raises(DemoDataError, match="topics"):
        generate(app, topics=1)
    generate(app, events=100, actors=13, topics=3)
    with pytest.raises(DemoDataError, match="not empty"):
        generate(app, events=100, actors=13, topics=3)


def test_not_null_column_without_default_is_reported() -> None:
    table = Table(
        "t",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("x", String, nullable=False),
        Column("y", String, nullable=False, default="d"),
        Column("z", String, nullable=True),
    )
    _check_columns(table, ["x"])
    with pytest.raises(DemoDataError, match="t.x is NOT NULL"):
        _check_columns(table, ["y", "z"])


def _cli(app: Flask):
    if "demo-data" not in app.cli.commands:
        app.cli.add_command(demo_data_command)
    return app.test_cli_runner()


def test_cli_generates_then_refuses_a_non_empty_database(app: Flask) -> None:
    runner = _cli(app)
    args = ["demo-data", "--events", "2500", "--actors", "30", "--topics", "6", "--seed", "3"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Generated 2,500 events" in result.output and BENCH_ACTOR in result.output
    with app.app_context(), Session(engines()[0]) as session:
        assert session.execute(select(func.count()).select_from(Event)).scalar_one() == 2500
    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "not empty" in again.output
    with app.app_context(), Session(engines()[0]) as session:
        assert session.execute(select(func.count()).select_from(Event)).scalar_one() == 2500


def test_cli_explains_a_database_without_tables(databases) -> None:
    app = make_app(databases.new(migrated=False))
    result = _cli(app).invoke(args=["demo-data", "--events", "100", "--actors", "13"])
    assert result.exit_code != 0 and "db upgrade" in result.output
    with app.app_context(), Session(engines()[0]) as session:
        assert session.execute(text("SELECT 1")).scalar_one() == 1
