"""The add-event form through Flask's test client, CSRF on."""

import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from timeline.db import get_session
from timeline.models import Actor, Event, Stance
from timeline.services.history import ORDER_UNKNOWN

from conftest import csrf_token, load_doc, small_doc


def event_count(app: Flask) -> int:
    with app.app_context():
        return get_session().execute(select(func.count()).select_from(Event)).scalar_one()


def form_data(client, **overrides):
    data = {
        "csrf_token": csrf_token(client),
        "actor": "russia",
        "kind": "statement",
        "date": "2020-12-20",
        "title": "Russia urges the US to rejoin",
        "quote": "We urge the United States to return to the deal.",
        "source_url": "https://example.org/statement",
        "confidence": "high",
        "stances-0-topic": "jcpoa",
        "stances-0-score": "1",
        "stances-0-rationale": "supports the deal",
        "save": "Save event",
    }
    data.update(overrides)
    return data


@pytest.fixture
def loaded(app: Flask, editor) -> Flask:
    load_doc(app, small_doc())
    return app


def test_form_lists_actors_topics_and_carries_csrf(loaded: Flask, client) -> None:
    page = client.get("/events/new").get_data(as_text=True)
    assert 'value="vladimir-putin"' in page and 'value="jcpoa"' in page
    assert 'name="csrf_token"' in page


def test_success_redirects_to_event_which_appears_in_order(loaded: Flask, client) -> None:
    response = client.post("/events", data=form_data(client))
    assert response.status_code == 303
    event_page = client.get(response.headers["Location"])
    assert "Russia urges the US to rejoin" in event_page.get_data(as_text=True)
    timeline = client.get("/actors/russia").get_data(as_text=True)
    titles = re.findall(r"<strong>([^<]+)</strong>", timeline)
    # December 2020 (Dec 1–31) sorts before 20 December 2020 (earliest day first).
    assert titles == [
        "Gulf security concept",
        "Not a fire brigade",
        "Tireless firefighter",
        "Russia urges the US to rejoin",
    ]
    doc = client.get("/actors/russia.json").get_json()
    [jcpoa] = [h for h in doc["histories"] if h["topic"] == "jcpoa"]
    # The government's December 2020 (+2) and the new 20 December 2020 (+1) overlap: order unknown.
    assert jcpoa["changes"] == []
    assert jcpoa["unordered"] == [
        {
            "speaker": "russia",
            "event_uids": ["e-2020", jcpoa["points"][-1]["event_uid"]],
            "change": ORDER_UNKNOWN,
        }
    ]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("persian", "روسیه یک تیم آتش‌نشانی نیست"),
        ("russian", "Россия — не пожарная команда"),
        ("arabic", "«إسرائيل يجب ألا تهاجم»"),
        ("hebrew", "ישראל לא צריכה לתקוף"),
        ("mixed", "Zarif: «سی سفر من به روسیه» (30 visits) \u200f"),
    ],
)
def test_non_latin_text_is_stored_and_shown_exactly(loaded: Flask, client, name: str, text: str) -> None:
    response = client.post("/events", data=form_data(client, title=f"{name} {text}", quote=text))
    assert response.status_code == 303
    with loaded.app_context():
        event = get_session().execute(select(Event).where(Event.title == f"{name} {text}")).scalar_one()
        assert event.quote == text
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'<blockquote dir="auto">{text}</blockquote>' in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date": "2021-02-30"}, "date", "February 2021 has no 30th day"),
        ({"date": "99999"}, "date", "Enter a date such as 2021-02-03, 2021-02 or 2021"),
        ({"date": "sometime in 2020"}, "date", "Enter a date such as 2021-02-03, 2021-02 or 2021"),
        ({"date": ""}, "date", "Enter a date such as 2021-02-03, 2021-02 or 2021"),
        ({"title": ""}, "title", "Enter a title"),
        ({"actor": ""}, "actor", "Choose an actor"),
        ({"actor": "ghost"}, "actor", "No actor with the slug “ghost”"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "http"),
        ({"stances-0-score": ""}, "stances-0-score", "Choose a score"),
        ({"stances-0-topic": "nope"}, "stances-0-topic", "No topic with the slug “nope”"),
        ({"stances-1-topic": "jcpoa", "stances-1-score": "2"}, "stances-0-topic", "only once"),
        ({"kind": "rumour"}, "kind", "Choose a kind from the list"),
        ({"title": "x" * 301}, "title", "at most 300"),
        ({"quote": "bad \x00 byte"}, "quote", "control character"),
    ],
)
def test_errors_show_next_to_field_keep_input_and_store_nothing(
    loaded: Flask, client, overrides, field: str, message: str
) -> None:
    before = event_count(loaded)
    data = form_data(client, summary="Typed summary stays «كما هي»", **overrides)
    response = client.post("/events", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # The message sits in the same .field block as the input named `field`.
    blocks = re.findall(r'<div class="field has-error">(.*?)</div>\n</div>', page, re.S)
    assert any(f'name="{field}"' in b and message in b for b in blocks), (field, message, blocks)
    assert "Typed summary stays «كما هي»" in page
    assert "Nothing was saved" in page
    assert event_count(loaded) == before


def test_missing_or_wrong_csrf_token_is_refused(loaded: Flask, client) -> None:
    before = event_count(loaded)
    data = form_data(client)
    data.pop("csrf_token")
    assert client.post("/events", data=data).status_code == 400
    data["csrf_token"] = "forged"
    response = client.post("/events", data=data)
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert event_count(loaded) == before


def test_new_actor_inline(loaded: Flask, client) -> None:
    data = form_data(
        client,
        actor="__new__",
        new_actor_name="محمدجواد ظریف",
        new_actor_slug="javad-zarif",
        new_actor_kind="person",
        new_actor_role="Foreign Minister of Iran",
    )
    response = client.post("/events", data=data)
    assert response.status_code == 303
    page = client.get("/actors/javad-zarif").get_data(as_text=True)
    assert "محمدجواد ظریف" in page and "Russia urges the US to rejoin" in page


def test_new_actor_errors_store_nothing(loaded: Flask, client) -> None:
    data = form_data(
        client,
        actor="__new__",
        new_actor_name="",
        new_actor_slug="Bad Slug",
        new_actor_kind="person",
        date="nope",
    )
    response = client.post("/events", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "lowercase letters" in page and "Enter a date such as 2021-02-03" in page
    with loaded.app_context():
        assert get_session().execute(select(func.count()).select_from(Actor)).scalar_one() == 2


def test_taken_slug_for_new_actor_is_reported(loaded: Flask, client) -> None:
    data = form_data(
        client,
        actor="__new__",
        new_actor_name="Russia again",
        new_actor_slug="russia",
        new_actor_kind="government",
    )
    response = client.post("/events", data=data)
    assert response.status_code == 422
    assert "already taken" in response.get_data(as_text=True)


def test_add_row_button_adds_a_stance_row_without_saving(loaded: Flask, client) -> None:
    data = form_data(client, add_row="Add a stance row")
    data.pop("save")
    response = client.post("/events", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="stances-3-topic"' in page and 'value="Russia urges the US to rejoin"' in page
    assert event_count(loaded) == 3


def test_several_stances_are_saved(loaded: Flask, client) -> None:
    data = form_data(client, **{"stances-1-topic": "us-sanctions", "stances-1-score": "-2"})
    assert client.post("/events", data=data).status_code == 303
    with loaded.app_context():
        assert get_session().execute(select(func.count()).select_from(Stance)).scalar_one() == 5


def test_get_on_write_route_is_not_allowed(client) -> None:
    assert client.get("/events").status_code == 405


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask, client) -> None:
    load_doc(app, small_doc())
    response = client.get("/events/new")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/events/new"
    posted = client.post("/events", data={"csrf_token": csrf_token(client), "title": "x"})
    assert posted.status_code == 302 and "/login" in posted.headers["Location"]
    assert event_count(app) == 3
