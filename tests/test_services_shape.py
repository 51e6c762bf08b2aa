"""The service layer's shared pieces, without HTTP: the actor tree, the error map, paging, CLI errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from timeline import queries
from timeline.db import read_session, write_session
from timeline.errors import DatabaseBusy, DomainError, StorageError
from timeline.models import ActorKind
from timeline.schemas import ActorIn
from timeline.services import actor_tree, paging
from timeline.services.accounts import MIN_PASSWORD
from timeline.services.actors import delete_actor, update_actor
from timeline.services.errors import Conflict, Invalid, InvalidFilter, NotFound
from timeline.services.events import delete_event, purge_event
from timeline.services.importing import import_document

from support.app import load_doc
from support.data import PASSWORD, small_doc

# --- the actor tree --------------------------------------------------------------------------------


def test_walk_lists_the_chain_nearest_first_and_finds_loops() -> None:
    tree = {"putin": "russia", "lavrov": "russia", "russia": None}
    assert actor_tree.walk(tree.get, "putin") == (["russia"], False)
    assert actor_tree.walk(tree.get, "russia") == ([], False)
    assert not actor_tree.loops(tree.get, "lavrov")
    looped = {"a": "b", "b": "c", "c": "a", "d": "a"}
    assert actor_tree.loops(looped.get, "a")
    assert actor_tree.loops(looped.get, "d")  # below a loop: the walk meets it too
    assert actor_tree.loops({"self": "self"}.get, "self")


def _three_levels(app: Flask) -> None:
    doc = small_doc()
    doc["actors"].append(
        {"slug": "kremlin-office", "name": "Office", "kind": "organization", "parent": "vladimir-putin"}
    )
    load_doc(app, doc)


def test_ancestors_and_top_ancestors_from_the_database(app: Flask) -> None:
    _three_levels(app)
    with app.app_context(), read_session() as session:
        office = queries.actor_by_slug(session, "kremlin-office")
        russia = queries.actor_by_slug(session, "russia")
        assert office is not None and russia is not None and office.id is not None
        assert [a.slug for a in actor_tree.ancestors(session, office)] == ["vladimir-putin", "russia"]
        assert actor_tree.ancestors(session, russia) == []
        tops = actor_tree.top_ancestors(session, {office.id: office})
        assert tops[office.id].slug == "russia"


def test_a_loop_is_refused_with_one_message_by_the_editor_and_the_import(app: Flask) -> None:
    _three_levels(app)
    loop = ActorIn(slug="russia", name="Russia", kind=ActorKind.government, parent="kremlin-office")
    own = ActorIn(slug="russia", name="Russia", kind=ActorKind.government, parent="russia")
    for data in (loop, own):
        with pytest.raises(Invalid) as refused, app.app_context(), write_session() as session:
            update_actor(session, "russia", data)
        assert refused.value.fields == {"parent": actor_tree.LOOP}
    doc = small_doc()
    doc["actors"][0]["parent"] = "vladimir-putin"
    with pytest.raises(Invalid) as imported, app.app_context(), write_session() as session:
        import_document(session, doc)
    assert imported.value.fields == {"actors[0].parent": actor_tree.LOOP}
    with app.app_context(), read_session() as session:
        russia = queries.actor_by_slug(session, "russia")
        assert russia is not None and russia.parent_id is None  # nothing was stored


# --- the error map ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (NotFound("No actor with the slug “x”."), 404, "not_found"),
        (Invalid({"title": "is required"}), 422, "invalid"),
        (InvalidFilter({"from": "not a date"}), 400, "invalid_filter"),
        (Conflict("Stances still use the topic “jcpoa”."), 409, "conflict"),
        (StorageError("Cannot write to the database."), 503, "storage_unavailable"),
        (DatabaseBusy("The database is busy."), 503, "database_busy"),
    ],
)
def test_every_domain_error_answers_its_status_and_code_as_json_or_html(
    app: Flask, error: DomainError, status: int, code: str
) -> None:
    assert (error.status, error.code) == (status, code)
    with app.test_request_context("/api/v1/events"):
        answer = app.make_response(app.handle_user_exception(error))
    assert answer.status_code == status and answer.mimetype == "application/json"
    body = json.loads(answer.get_data())
    assert body == {"error": {"code": code, "message": error.message, "fields": error.fields}}
    with app.test_request_context("/actors/russia", headers={"Accept": "text/html"}):
        page = app.make_response(app.handle_user_exception(error))
    text = page.get_data(as_text=True)
    assert page.status_code == status and page.mimetype == "text/html"
    assert error.message.replace("“", "&#8220;") in text or error.message in text
    for message in error.fields.values():
        assert message in text
    with app.test_request_context("/actors/russia", headers={"Accept": "application/json"}):
        wanted = app.make_response(app.handle_user_exception(error))
    assert wanted.mimetype == "application/json"  # a client asking for JSON gets JSON on any path


def test_busy_says_when_to_retry(app: Flask) -> None:
    with app.test_request_context("/api/v1/events", method="POST"):
        answer = app.make_response(app.handle_user_exception(DatabaseBusy("busy")))
    assert answer.headers["Retry-After"] == str(DatabaseBusy.retry_after)


def test_the_same_condition_raises_the_same_type(app: Flask) -> None:
    """An actor still in use and purging an event not deleted yet: both 'the state forbids it'."""
    load_doc(app, small_doc())
    with app.app_context():
        with pytest.raises(Conflict), write_session() as session:
            delete_actor(session, "russia")
        with read_session() as session:
            event = queries.event_by_uid(session, "e-2019")
            assert event is not None and event.id is not None
            event_id = event.id
        with pytest.raises(Conflict), write_session() as session:
            purge_event(session, event_id)
        with write_session() as session:
            delete_event(session, event_id)
        with write_session() as session:
            purge_event(session, event_id)
        with read_session() as session:
            assert queries.event_by_id(session, event_id) is None


def test_a_bad_filter_is_400_invalid_filter_on_the_api_and_the_json_twin(app: Flask, client: Any) -> None:
    load_doc(app, small_doc())
    for path in (
        "/api/v1/events?from=soon",
        "/actors/russia.json?from=soon",
        "/api/v1/actors/russia/history?from=soon",
    ):
        answer = client.get(path)
        assert answer.status_code == 400, path
        error = answer.get_json()["error"]
        assert error["code"] == "invalid_filter" and list(error["fields"]) == ["from"], path


# --- paging ----------------------------------------------------------------------------------------


def test_page_count_and_page_numbers() -> None:
    assert [paging.page_count(n, 25) for n in (0, 1, 25, 26, 50, 51)] == [1, 1, 1, 2, 2, 3]
    assert paging.page_number(None) == 1 and paging.page_number(" ") == 1
    assert paging.page_number("3", last=3) == 3
    for bad in ("0", "4", "-1", "²", "١", "1.0", "9" * 5000):
        with pytest.raises(InvalidFilter) as refused:
            paging.page_number(bad, last=3)
        assert list(refused.value.fields) == ["page"] and "1 to 3" in refused.value.fields["page"]
    assert paging.per_page_number(None, 50, 500) == 50 and paging.per_page_number("500", 50, 500) == 500
    with pytest.raises(InvalidFilter) as refused:
        paging.per_page_number("501", 50, 500)
    assert list(refused.value.fields) == ["per_page"]


def test_a_page_holds_its_slice_of_the_listing() -> None:
    items = list(range(1, 61))
    third = paging.page("3", total=len(items), size=25)
    assert (third.number, third.count, third.first_item, third.last_item) == (3, 3, 51, 60)
    assert list(third.of(items)) == list(range(51, 61))
    empty = paging.page(None, total=0, size=25)
    assert (empty.count, empty.first_item, empty.last_item, list(empty.of([]))) == (1, 0, 0, [])


# --- the CLI ---------------------------------------------------------------------------------------


def _error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Error:")]


def test_cli_prints_each_domain_error_on_one_line(runner: FlaskCliRunner) -> None:
    ghost = runner.invoke(args=["users", "token", "ghost"])
    assert ghost.exit_code == 1 and _error_lines(ghost.output) == ["Error: No user named “ghost”."]
    short = runner.invoke(args=["users", "create", "maya"], input="abc\n")
    assert short.exit_code == 1
    assert _error_lines(short.output) == [f"Error: password: use at least {MIN_PASSWORD} characters"]
    runner.invoke(args=["users", "create", "maya"], input=PASSWORD + "\n")
    weak = runner.invoke(args=["users", "password", "maya"], input="abc\n")
    assert weak.exit_code == 1 and _error_lines(weak.output) == [
        f"Error: password: use at least {MIN_PASSWORD} characters"
    ]
    assert "{" not in weak.output  # not a Python dict
    runner.invoke(args=["feeds", "add", "https://news.example/feed.xml"])
    again = runner.invoke(args=["feeds", "add", "https://news.example/feed.xml"])
    assert again.exit_code == 1 and _error_lines(again.output) == [
        "Error: url: this feed is already registered"
    ]


# --- the job queue ---------------------------------------------------------------------------------


def test_run_now_queues_a_run_the_jobs_page_lists(app: Flask) -> None:
    from timeline.services import job_status, jobqueue

    with app.app_context():
        with write_session(bookkeeping=True) as session:
            jobqueue.enqueue(session, "snapshot", None)
        with pytest.raises(NotFound), write_session(bookkeeping=True) as session:
            jobqueue.enqueue(session, "no-such-job", None)
        with read_session() as session:
            statuses = {s.id: s for s in job_status.jobs_overview(session, app.config)}
            assert set(statuses) == set(jobqueue.KINDS)
            assert [r.outcome for r in statuses["snapshot"].runs] == ["queued"]
            assert list(statuses["feeds"].runs) == []
            assert statuses["feeds"].interval == int(app.config["FEED_INTERVAL"])
