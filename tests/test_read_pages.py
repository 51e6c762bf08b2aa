"""The read functions behind the GET pages, without HTTP: visibility of deleted events, an actor's
family (its officials), paging, filters, lanes and not found."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from timeline import queries
from timeline.db import get_session, write_session
from timeline.models import Candidate, Feed
from timeline.services import accounts, feeds, visibility
from timeline.services import events as event_service
from timeline.services.errors import Conflict, Invalid, NotFound
from timeline.services.reads import actors, api, backoffice, events, overview, search, topics
from timeline.services.reads.filters import Filters, event_filters

from support.app import load_doc
from support.data import small_doc


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    load_doc(app, small_doc())
    with app.app_context():
        yield get_session()


def _filters(session: Session, **params: str) -> Filters:
    return event_filters(session, params)


def _titles(rows: Any) -> list[str]:
    return [row.title for row in rows]


def _event_id(session: Session, uid: str) -> int:
    event = queries.event_by_uid(session, uid)
    assert event is not None and event.id is not None
    return event.id


def _delete(app: Flask, uid: str) -> int:
    with app.app_context(), write_session() as write:
        event_id = _event_id(write, uid)
        event_service.delete_event(write, event_id)
    return event_id


# --- the actor page: family, filters, paging, not found ---------------------------------------


def test_a_government_page_lists_its_officials_statements(session: Session) -> None:
    page = actors.actor_page(session, "russia", _filters(session))
    # "2020~" (approximate) may be as early as 2019: it comes first.
    assert _titles(page.events) == ["Gulf security concept", "Not a fire brigade", "Tireless firefighter"]
    assert {a.slug for a in page.timeline.members.values()} == {"russia", "vladimir-putin"}
    assert page.errors == {} and page.page.number == 1
    # An official's own page shows only their own statements.
    official = actors.actor_page(session, "vladimir-putin", _filters(session))
    assert _titles(official.events) == ["Not a fire brigade"]
    assert [a.slug for a in official.timeline.ancestors] == ["russia"]


def test_the_actor_page_is_renewed_by_writes_to_any_member(session: Session) -> None:
    page = actors.actor_page(session, "russia", _filters(session))
    assert sorted(page.scopes) == ["actor:russia", "actor:vladimir-putin"]


def test_filters_narrow_the_actor_page_and_bad_ones_are_named(session: Session) -> None:
    narrowed = actors.actor_page(session, "russia", _filters(session, topic="us-sanctions"))
    assert _titles(narrowed.events) == ["Tireless firefighter"]
    filters = _filters(session, confidence="total", kind="statement")
    bad = actors.actor_page(session, "russia", filters, axis="sideways")
    assert set(bad.errors) == {"confidence", "axis"}
    # The good filter still applies: statements only.
    assert _titles(bad.events) == ["Not a fire brigade", "Tireless firefighter"]


def test_the_actor_page_pages_its_statements(app: Flask) -> None:
    doc = small_doc()
    doc["events"] += [
        {"uid": f"e-many-{i:02d}", "actor": "russia", "kind": "statement", "title": f"Many {i:02d}",
         "date": f"2021-01-{i:02d}"}
        for i in range(1, 28)
    ]  # fmt: skip
    load_doc(app, doc)
    with app.app_context():
        session = get_session()
        first = actors.actor_page(session, "russia", _filters(session))
        second = actors.actor_page(session, "russia", _filters(session), "2")
        assert first.page.count == 2 and len(first.events) == 25
        assert (second.page.number, second.page.first_item, second.page.last_item) == (2, 26, 30)
        assert _titles(second.events) == ["Many 23", "Many 24", "Many 25", "Many 26", "Many 27"]
        past = actors.actor_page(session, "russia", _filters(session), "3")
        assert "page" in past.errors and past.page.number == 1  # a page that is not there shows the first


def test_an_unknown_actor_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound, match="nobody"):
        actors.actor_page(session, "nobody", _filters(session))
    with pytest.raises(NotFound):
        actors.actor_document(session, "nobody", _filters(session, kind="rumour"))  # 404 before 400


def test_the_actor_document_is_the_native_format_with_the_family(session: Session) -> None:
    document = actors.actor_document(session, "russia", _filters(session))
    parsed = json.loads(document.to_json())
    assert parsed["actor"] == "russia"
    assert {e["uid"] for e in parsed["events"]} == {"e-2019", "e-2020", "e-2020b"}
    assert {a["slug"] for a in parsed["actors"]} == {"russia", "vladimir-putin"}
    assert [h["topic"] for h in parsed["histories"]] == ["jcpoa", "us-sanctions"]
    with pytest.raises(Invalid) as bad:
        actors.actor_document(session, "russia", _filters(session, confidence="total"))
    assert set(bad.value.fields) == {"confidence"}


# --- one event: who may see a deleted one --------------------------------------------------------


def test_a_deleted_event_is_gone_for_readers_and_kept_for_editors(app: Flask, session: Session) -> None:
    event_id = _delete(app, "e-2019")
    with pytest.raises(NotFound):
        events.event_page(session, event_id, editor=False)
    shown = events.event_page(session, event_id, editor=True, page_url="https://example.org/events/1")
    assert shown.event.uid == "e-2019" and shown.actor.slug == "vladimir-putin"
    assert shown.citation.title == "Not a fire brigade"
    # The API and the edit forms act on live events only, whoever asks.
    with pytest.raises(NotFound):
        api.event_json(session, event_id)
    with pytest.raises(NotFound):
        visibility.live_event(session, event_id)
    assert [e.uid for e in events.deleted_events(session)] == ["e-2019"]
    # Its history follows the same rule.
    with pytest.raises(NotFound):
        events.event_history_page(session, event_id, editor=False)
    history = events.event_history_page(session, event_id, editor=True)
    assert history.key == "e-2019" and history.event is not None and len(history.entries) >= 2


def test_a_live_event_page_has_its_stances_and_date(session: Session) -> None:
    event_id = _event_id(session, "e-2020")
    page = events.event_page(session, event_id, editor=False)
    assert sorted(t.slug for _s, t in page.stances) == ["jcpoa", "us-sanctions"]
    assert page.link is None and page.date.earliest == date(2020, 12, 1)
    assert visibility.visible_event(session, event_id, editor=False).uid == "e-2020"


def test_an_unknown_event_is_not_found(session: Session) -> None:
    for read in (
        lambda: events.event_page(session, 999_999, editor=True),
        lambda: events.event_history_page(session, 999_999, editor=True),
        lambda: events.event_history_page(session, 2**40, editor=True),
        lambda: api.event_json(session, 999_999),
    ):
        with pytest.raises(NotFound):
            read()


# --- the topic page: lanes by government, filters ------------------------------------------------


def test_the_topic_page_puts_officials_in_their_governments_lane(session: Session) -> None:
    page = topics.topic_page(session, "jcpoa", _filters(session), [])
    assert page.comparison is not None and page.errors == {}
    assert [a.slug for a, _h in page.comparison.lanes] == ["russia"]
    assert _titles(page.events) == ["Not a fire brigade", "Tireless firefighter"]
    assert page.scopes == ["topic:jcpoa"]
    by_speaker = topics.topic_page(session, "jcpoa", _filters(session), [], "speaker")
    assert by_speaker.comparison is not None
    assert [a.slug for a, _h in by_speaker.comparison.lanes] == ["russia", "vladimir-putin"]


def test_an_unknown_lane_is_named_beside_the_lanes_that_show(session: Session) -> None:
    page = topics.topic_page(session, "jcpoa", _filters(session), ["Russia", "Atlantis"])
    assert "actors" in page.errors and page.comparison is not None
    assert [a.slug for a, _h in page.comparison.lanes] == ["russia"]
    # The twins (JSON, CSV...) refuse it instead.
    with pytest.raises(Invalid) as bad:
        topics.topic_comparison(session, "jcpoa", _filters(session), ["Atlantis"])
    assert set(bad.value.fields) == {"actors"}


def test_the_topic_filter_is_ignored_on_a_topic_and_other_filters_apply(session: Session) -> None:
    page = topics.topic_page(session, "jcpoa", _filters(session, topic="nothing", to="2019"), [])
    assert page.errors == {} and _titles(page.events) == ["Not a fire brigade"]
    bad = topics.topic_page(session, "jcpoa", _filters(session, kind="rumour"), [])
    assert set(bad.errors) == {"kind"} and bad.comparison is None and bad.events == []
    with pytest.raises(NotFound):
        topics.topic_page(session, "nothing", _filters(session), [])


# --- search, matrix, home ---------------------------------------------------------------------


def test_search_finds_words_and_names_bad_parameters(session: Session) -> None:
    found = search.search_page(session, "brigade", _filters(session))
    assert found.errors == {} and found.results is not None
    as_json = found.as_dict()
    assert as_json["total"] == 1 and as_json["results"][0]["uid"] == "e-2019"
    nothing_asked = search.search_page(session, "  ", _filters(session))
    assert nothing_asked.results is None and nothing_asked.errors == {}
    assert nothing_asked.as_dict() == {"query": "  ", "total": 0, "page": 1, "results": []}
    bad = search.search_page(
        session, "brigade", _filters(session), actor_slug="nobody", sort="size", page_no="x"
    )
    assert set(bad.errors) == {"actor", "sort", "page"} and bad.results is None


def test_search_csv_lists_every_kept_match(session: Session) -> None:
    found = search.search_page(session, "firefighter", _filters(session))
    lines = search.search_csv(session, found).splitlines()
    assert len(lines) == 3  # the header, then one row per stance of the one match
    assert all("e-2020" in line for line in lines[1:])


def test_the_matrix_names_a_bad_day(session: Session) -> None:
    page = overview.matrix_page(session, "2020-12-31")
    assert page.errors == {} and page.as_dict()["as_of"] == "2020-12-31"
    bad = overview.matrix_page(session, "the day after", "yesterday")
    assert set(bad.errors) == {"as_of", "compare"} and bad.matrix is None
    with pytest.raises(Invalid):
        bad.as_dict()


def test_the_home_page_counts_every_actors_statements(session: Session) -> None:
    home = overview.home_page(session)
    counts = {actor.slug: n for actor, n, _latest in home.actors}
    assert counts["vladimir-putin"] == 1 and counts["russia"] >= 2
    assert {t.slug for t, _n in home.topics} == {"jcpoa", "us-sanctions"}


# --- the API's reads ----------------------------------------------------------------------------


def test_the_api_event_list_includes_an_actors_officials(app: Flask, session: Session) -> None:
    listing = api.event_list(session, _filters(session), api.paging("1", "2"), actor_slug="russia")
    as_json = listing.as_dict()
    assert (as_json["total"], as_json["pages"], len(as_json["items"])) == (3, 2, 2)
    _delete(app, "e-2019")
    session.rollback()  # a new read transaction sees the delete
    after = api.event_list(session, _filters(session), api.paging(None, None), actor_slug="russia")
    assert [i["uid"] for i in after.as_dict()["items"]] == ["e-2020b", "e-2020"]


def test_the_api_names_every_bad_parameter(session: Session) -> None:
    with pytest.raises(Invalid) as bad:
        api.event_list(session, _filters(session, kind="rumour"), api.paging("1", "50"), actor_slug="nobody")
    assert set(bad.value.fields) == {"kind", "actor"}
    with pytest.raises(Invalid) as paging:
        api.paging("0", "501")
    assert set(paging.value.fields) == {"page", "per_page"}
    with pytest.raises(Invalid):  # a bad filter is named before an unknown actor
        api.actor_history(session, "nobody", _filters(session, kind="rumour"))
    with pytest.raises(NotFound):
        api.topic_json(session, "nothing")


# --- the admin rule -------------------------------------------------------------------------------


def test_an_admin_cannot_disable_their_own_account(app: Flask) -> None:
    with app.app_context(), write_session() as write:
        accounts.create_user(write, "ada", "correct horse battery staple", admin=True)
    with app.app_context():
        with pytest.raises(Conflict), write_session() as write:
            accounts.disable_user(write, "ada", by="ada")
        user = queries.user_by_name(get_session(), "ada")
        assert user is not None and not user.disabled
        with write_session() as write:
            accounts.disable_user(write, "ada", by="grace")
    with app.app_context():
        user = queries.user_by_name(get_session(), "ada")
        assert user is not None and user.disabled


# --- the editors' pages and the review queue ---------------------------------------------------


def test_the_audit_names_a_bad_day_and_lists_the_rest(session: Session) -> None:
    page = backoffice.audit_page(session, day_from="2000", day_to="yesterday")
    assert set(page.errors) == {"to"}
    assert {rev.entity_key for rev, _name in page.rows} >= {"e-2019", "e-2020", "e-2020b"}
    nobody = backoffice.audit_page(session, editor="nobody")
    assert nobody.rows == [] and nobody.errors == {}


def test_an_unknown_webhook_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        backoffice.webhook_page(session, 12345)
    assert backoffice.webhook_list(session) == []
    choices = backoffice.form_choices(session)
    assert [a.slug for a in choices.actors] == ["russia", "vladimir-putin"]


def test_an_event_from_the_review_queue_accepts_its_item_once(app: Flask) -> None:
    load_doc(app, small_doc())
    with app.app_context(), write_session() as write:
        feed = Feed(url="https://example.org/feed.xml")
        write.add(feed)
        write.flush()
        assert feed.id is not None
        item = Candidate(feed_id=feed.id, title="Zarif in Moscow")
        write.add(item)
        write.flush()
        item_id = item.id
    assert item_id is not None
    with app.app_context():
        session = get_session()
        assert feeds.pending_candidate(session, str(item_id)) is not None
        assert feeds.pending_candidate(session, "") is None
        assert feeds.pending_candidate(session, "999") is None
        assert [c.title for c in backoffice.review_page(session).candidates] == ["Zarif in Moscow"]
        with pytest.raises(Invalid) as bad:
            feeds.candidate_id("\u0661")  # an Arabic-Indic one is not a review-queue number
        assert set(bad.value.fields) == {"candidate"}
    with app.app_context(), write_session() as write:
        event_id = _event_id(write, "e-2020")
        feeds.accept(write, feeds.candidate_id(str(item_id)), event_id)
        feeds.accept(write, feeds.candidate_id(str(item_id)), _event_id(write, "e-2019"))  # already taken
    with app.app_context():
        session = get_session()
        accepted = session.get(Candidate, item_id)
        assert accepted is not None and (accepted.status, accepted.event_id) == ("accepted", event_id)
        assert feeds.pending_candidate(session, str(item_id)) is None
        assert backoffice.review_page(session).candidates == []


def test_the_twins_read_the_same_family_and_refuse_bad_filters(session: Session) -> None:
    every_column = actors.actor_events(session, "russia", _filters(session))
    histories = actors.actor_histories(session, "russia", _filters(session))
    assert [e.uid for e in every_column.events] == [e.uid for e in histories.events]
    assert len(every_column.events) == 3 and every_column.events[0].quote is None  # every column read
    assert [h.topic_slug for h in histories.histories] == ["jcpoa", "us-sanctions"]
    for read in (actors.actor_events, actors.actor_histories):
        with pytest.raises(Invalid):
            read(session, "russia", _filters(session, kind="rumour"))
    document = topics.topic_document(session, "jcpoa", _filters(session), [])
    assert [h["actor"] for h in document.as_dict()["histories"]] == ["russia"]
    assert {e["uid"] for e in document.as_dict()["events"]} == {"e-2019", "e-2020"}
    lanes = topics.topic_histories(session, "jcpoa", _filters(session), [], "speaker")
    assert [a.slug for a, _h in lanes.lanes] == ["russia", "vladimir-putin"]
    with pytest.raises(Invalid):
        topics.topic_histories(session, "jcpoa", _filters(session, confidence="total"), [])


def test_the_api_lists_actors_and_topics_a_page_at_a_time(session: Session) -> None:
    first = api.actor_list(session, api.paging("1", "1")).as_dict()
    assert [a["slug"] for a in first["items"]] == ["russia"] and (first["total"], first["pages"]) == (2, 2)
    second = api.actor_list(session, api.paging("2", "1")).as_dict()
    assert second["items"][0]["slug"] == "vladimir-putin" and second["items"][0]["parent"] == "russia"
    assert api.topic_list(session, api.paging("3", "1")).as_dict()["items"] == []  # past the end: empty
    assert api.actor_json(session, "vladimir-putin")["parent"] == "russia"
    with pytest.raises(NotFound):
        api.actor_json(session, "nobody")
