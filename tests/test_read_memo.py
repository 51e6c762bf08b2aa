"""An actor's rows are read once for every URL of its timeline, and read again after any write that
shows on it: renewed by what a write touches, through every worker, never stale (issue 17)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from timeline import queries
from timeline.db import write_session
from timeline.models import ActorKind
from timeline.schemas import ActorIn, EventIn, TopicIn
from timeline.services import actors as actor_service
from timeline.services import events as event_service
from timeline.services import topics as topic_service
from timeline.services.read_memo import Deps, MemoStore, ReadMemo

from support.app import load_doc, make_app
from support.data import small_doc
from support.server import Gunicorn, create_editor, flask_cli, get_text, issue_token, send_json, server_env

# --- the store, without HTTP ---------------------------------------------------------------------


class _Versions:
    """Scope versions as a request reads them (web.cache.Versions' two methods)."""

    def __init__(self, **versions: int) -> None:
        self.versions = versions

    def deps(self, names: Iterable[str]) -> Deps:
        return tuple((n, self.versions.get(n, 0)) for n in names)

    def fresh(self, deps: Deps) -> bool:
        return all(self.versions.get(n, 0) == v for n, v in deps)


def test_a_kept_value_lasts_until_a_scope_it_shows_moves() -> None:
    store = MemoStore(1024 * 1024)
    ReadMemo(store, _Versions(**{"actor:a": 3, "*": 1})).put("k", ["actor:a"], "rows of a", 100)
    assert ReadMemo(store, _Versions(**{"actor:a": 3, "*": 1, "actor:b": 9})).get("k") == "rows of a"
    assert ReadMemo(store, _Versions(**{"actor:a": 4, "*": 1})).get("k") is None  # a write to a
    assert ReadMemo(store, _Versions(**{"actor:a": 3, "*": 1})).get("k") is None  # dropped, not revived
    ReadMemo(store, _Versions(**{"actor:a": 3, "*": 1})).put("k", ["actor:a"], "rows of a", 100)
    assert ReadMemo(store, _Versions(**{"actor:a": 3, "*": 2})).get("k") is None  # a write of unknown reach


def test_the_store_keeps_within_its_bytes_least_recently_used_out_first() -> None:
    store, versions = MemoStore(1000), _Versions()
    memo = ReadMemo(store, versions)
    memo.put("old", [], "old", 250)
    memo.put("used", [], "used", 250)
    memo.put("newer", [], "newer", 250)
    assert memo.get("used") == "used"
    memo.put("newest", [], "newest", 250)
    memo.put("last", [], "last", 250)  # past 1,000 bytes: the least recently used goes
    assert memo.get("old") is None and memo.get("used") == "used" and memo.get("last") == "last"
    memo.put("huge", [], "huge", 300)  # more than a quarter of the store: never kept
    assert memo.get("huge") is None and store.size <= 1000


# --- the actor JSON, one worker ------------------------------------------------------------------


def _doc() -> dict[str, Any]:
    doc = small_doc()
    doc["actors"].append({"slug": "zarif", "name": "Javad Zarif", "kind": "person"})
    doc["events"].append(
        {
            "uid": "e-zarif",
            "actor": "zarif",
            "kind": "statement",
            "title": "Zarif in Moscow",
            "date": "2020-07",
        }
    )
    return doc


@pytest.fixture
def reads(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """The family of each actor timeline whose rows were really read from the database."""
    real = queries.json_rows_for_actors
    seen: list[tuple[int, ...]] = []

    @wraps(real)
    def counting(session: Any, actor_ids: Any, filters: Any = queries.EventFilters()) -> Any:
        seen.append(tuple(sorted(actor_ids)))
        return real(session, actor_ids, filters)

    monkeypatch.setattr(queries, "json_rows_for_actors", counting)
    load_doc(app, _doc())
    return seen


_BUST = itertools.count()


def _json(client: FlaskClient, slug: str, query: str = "") -> dict[str, Any]:
    """The actor's JSON at a URL never asked before (the response cache cannot answer it)."""
    response = client.get(f"/actors/{slug}.json?{query}&n={next(_BUST)}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data())


def _titles(doc: dict[str, Any]) -> list[str]:
    return [e["title"] for e in doc["events"]]


def _create(app: Flask, actor: str, title: str, stances: list[dict[str, Any]]) -> None:
    data = EventIn.model_validate(
        {"actor": actor, "kind": "statement", "title": title, "date": "2021-01", "stances": stances}
    )
    with app.app_context(), write_session() as session:
        event_service.create_event(session, data)


def test_new_urls_of_one_actor_reuse_its_rows_until_a_write_touches_it(
    app: Flask, client: FlaskClient, reads: list[tuple[int, ...]]
) -> None:
    first = _json(client, "russia")
    again = _json(client, "russia", "download=1")
    assert len(reads) == 1  # two URLs, one read of the rows
    assert {k: v for k, v in first.items() if k != "exported_at"} == {
        k: v for k, v in again.items() if k != "exported_at"
    }
    _json(client, "russia", "kind=statement")  # other filters: other rows
    assert len(reads) == 2
    # A write to another actor leaves Russia's rows as they were read.
    _create(app, "zarif", "Zarif again", [])
    assert _titles(_json(client, "russia")) == _titles(first) and len(reads) == 2
    # An official's statement is the government's: shown at the next URL, read again.
    _create(app, "vladimir-putin", "Putin speaks again", [{"topic": "jcpoa", "score": -1}])
    after = _json(client, "russia")
    assert "Putin speaks again" in _titles(after) and len(reads) == 3
    new_uid = next(e["uid"] for e in after["events"] if e["title"] == "Putin speaks again")
    jcpoa = [p for h in after["histories"] if h["topic"] == "jcpoa" for p in h["points"]]
    assert [p["score"] for p in jcpoa if p["event_uid"] == new_uid] == [-1]  # its point in the history


def test_edits_deletes_renames_and_reparenting_show_at_once(
    app: Flask, client: FlaskClient, reads: list[tuple[int, ...]]
) -> None:
    assert "Zarif in Moscow" not in _titles(_json(client, "russia"))
    with app.app_context(), write_session() as session:
        row = queries.event_by_uid(session, "e-2020")
        assert row is not None and row.id is not None
        record = {"actor": "russia", "kind": "statement", "title": "Edited in place", "date": "2020-12",
                  "stances": [{"topic": "us-sanctions", "score": 2}]}  # fmt: skip
        event_service.update_event(session, row.id, record, expected_version=row.version)
    edited = _json(client, "russia")
    assert "Edited in place" in _titles(edited)
    points = {(h["topic"], p["event_uid"]): p["score"] for h in edited["histories"] for p in h["points"]}
    assert points[("us-sanctions", "e-2020")] == 2  # the edited score, not the -2 first read
    with app.app_context(), write_session() as session:
        topic_service.update_topic(session, "us-sanctions", TopicIn(slug="sanctions", name="Sanctions"))
    renamed = _json(client, "russia")
    assert "sanctions" in [t["slug"] for t in renamed["topics"]]
    assert all(s["topic"] != "us-sanctions" for e in renamed["events"] for s in e["stances"])
    with app.app_context(), write_session() as session:
        actor_service.update_actor(
            session,
            "zarif",
            ActorIn(slug="zarif", name="Javad Zarif", kind=ActorKind.person, parent="russia"),
        )
    assert "Zarif in Moscow" in _titles(_json(client, "russia"))
    with app.app_context(), write_session() as session:
        row = queries.event_by_uid(session, "e-zarif")
        assert row is not None and row.id is not None
        event_service.delete_event(session, row.id)
    assert "Zarif in Moscow" not in _titles(_json(client, "russia"))


def test_without_a_memo_every_url_reads_its_rows(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(db_url, READ_MEMO_MB=0)
    load_doc(app, _doc())
    calls: list[int] = []
    real = queries.json_rows_for_actors

    @wraps(real)
    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(queries, "json_rows_for_actors", counting)
    client = app.test_client()
    assert _titles(_json(client, "russia")) == _titles(_json(client, "russia", "download=1"))
    assert len(calls) == 2


# --- through every worker of a real server -------------------------------------------------------


def test_every_worker_shows_each_write_at_a_new_url(db_url: str, tmp_path) -> None:
    env = server_env(db_url)
    doc_file = tmp_path / "doc.json"
    doc_file.write_text(json.dumps(_doc()), encoding="utf-8")
    flask_cli(env, "import", str(doc_file))
    create_editor(env, "writer")
    token = issue_token(env, "writer")
    with Gunicorn(env, tmp_path / "gunicorn.log", workers=2) as server:
        base = server.base_url

        def everywhere(check: Callable[[str], None]) -> None:
            for _ in range(12):  # each request may land on either worker; each URL is new
                check(get_text(f"{base}/actors/russia.json?n={next(_BUST)}"))

        everywhere(lambda text: None)  # both workers keep Russia's rows
        event = {"actor": "vladimir-putin", "kind": "statement", "title": "Fresh in Moscow",
                 "date": "2021-01", "stances": [{"topic": "jcpoa", "score": -1}]}  # fmt: skip
        created = send_json(f"{base}/api/v1/events", token, "POST", event)
        everywhere(lambda text: _contains(text, "Fresh in Moscow"))
        edited = {**event, "title": "Fresh, edited", "version": created["version"]}
        send_json(f"{base}/api/v1/events/{created['id']}", token, "PUT", edited)
        everywhere(lambda text: _contains(text, "Fresh, edited"))
        send_json(f"{base}/api/v1/topics/jcpoa", token, "PUT", {"slug": "jcpoa-deal", "name": "JCPOA"})
        everywhere(lambda text: _contains(text, '"jcpoa-deal"'))
        send_json(
            f"{base}/api/v1/actors/zarif",
            token,
            "PUT",
            {"slug": "zarif", "name": "Javad Zarif", "kind": "person", "parent": "russia"},
        )
        everywhere(lambda text: _contains(text, "Zarif in Moscow"))
        send_json(f"{base}/api/v1/events/{created['id']}", token, "DELETE")
        everywhere(lambda text: _absent(text, "Fresh"))


def _contains(text: str, needle: str) -> None:
    assert needle in text


def _absent(text: str, needle: str) -> None:
    assert needle not in text
