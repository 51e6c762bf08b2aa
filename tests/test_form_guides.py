"""A form that guides: human messages, an error summary, required marks, evidence first, date previews."""

import csv
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from timeline.db import get_session, write_session
from timeline.models import Event
from timeline.services import accounts
from timeline.web.form_guide import date_message, human_message, label

from support.app import create_user, load_doc
from support.data import small_doc
from support.web import csrf_token, edit_data, found

SOURCE = "https://example.org/statement"


def event_count(app: Flask) -> int:
    with app.app_context():
        return get_session().execute(select(func.count()).select_from(Event)).scalar_one()


def form(client: FlaskClient, **overrides: str) -> dict[str, str]:
    data = {
        "csrf_token": csrf_token(client),
        "actor": "russia",
        "kind": "statement",
        "date": "2021-02",
        "title": "Moscow urges a return to the deal",
        "quote": "We urge a return to the deal.",
        "source_url": SOURCE,
        "confidence": "high",
        "stances-0-topic": "jcpoa",
        "stances-0-score": "1",
        "save": "Save event",
    }
    data.update(overrides)
    return data


@pytest.fixture
def loaded(app: Flask, editor: FlaskClient) -> Flask:
    load_doc(app, small_doc())
    return app


def summary_links(page: str) -> dict[str, str]:
    block = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert block, "an error summary at the top"
    return dict(re.findall(r'<a href="#([^"]+)">([^<]+)</a>', block.group(1)))


def input_tag(page: str, name: str) -> str:
    tag = re.search(rf'<(?:input|select|textarea)[^>]*name="{re.escape(name)}"[^>]*>', page)
    assert tag, name
    return tag.group(0)


# --- messages, summary, required marks ------------------------------------------------------------


def test_error_summary_names_each_field_links_to_it_and_takes_focus(loaded: Flask, client) -> None:
    before = event_count(loaded)
    response = client.post("/events", data=form(client, title="", date="2021-02-30"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = found(r'(<div class="error-summary"[^>]*>)', page)
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary and "autofocus" in summary
    assert page.index('class="error-summary"') < page.index('action="/events"')  # at the top, before the form
    links = summary_links(page)
    assert links["date"] == "Date: February 2021 has no 30th day"
    assert links["title"] == "Title: Enter a title"
    assert list(links) == ["date", "title"]  # in the order of the fields
    for name, message in (("title", "Enter a title"), ("date", "February 2021 has no 30th day")):
        tag = input_tag(page, name)
        assert 'aria-invalid="true"' in tag
        described = found(r'aria-describedby="([^"]+)"', tag).split()
        assert f"{name}-error" in described
        assert f'<div class="error" id="{name}-error">{message}</div>' in page
    assert "Nothing was saved" in page and event_count(loaded) == before
    assert 'value="We urge a return to the deal."' in page or "We urge a return to the deal." in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date": ""}, "date", "Enter a date such as 2021-02-03, 2021-02 or 2021"),
        ({"date": "3 Feb 2021"}, "date", "Enter a date such as 2021-02-03, 2021-02 or 2021"),
        ({"date": "2021-13"}, "date", "There is no month 13"),
        ({"date": "2020-02-30/2020-03"}, "date", "February 2020 has no 30th day"),
        ({"actor": ""}, "actor", "Choose an actor"),
        ({"stances-0-score": ""}, "stances-0-score", "Choose a score"),
        ({"source_url": "ftp://x"}, "source_url", "Enter a web address that starts with http:// or https://"),
    ],
)
def test_messages_are_human_and_name_the_field(loaded: Flask, client, overrides, field, message) -> None:
    response = client.post("/events", data=form(client, **overrides))
    assert response.status_code == 422
    links = summary_links(response.get_data(as_text=True))
    assert message in links[field.replace("-", "-")], links


def test_required_fields_are_marked_and_announced(loaded: Flask, client) -> None:
    page = client.get("/events/new").get_data(as_text=True)
    for name in ("actor", "kind", "date", "title"):
        tag = input_tag(page, name)
        assert "required" in tag and 'aria-required="true"' in tag, tag
        label_html = found(rf'(?s)<label for="{name}">(.*?)</label>', page)
        assert 'class="required-mark"' in label_html and "(required)" in label_html
    for name in ("summary", "quote", "source_url"):
        assert "aria-required" not in input_tag(page, name)
    assert "are required" in page
    hint = found(r'aria-describedby="([^"]+)"', input_tag(page, "date"))
    assert "date-hint" in hint.split() and 'id="date-hint"' in page
    assert "error-summary" not in page  # no summary before anything was sent


def test_actor_and_topic_forms_guide_the_same_way(loaded: Flask, client) -> None:
    data = {"csrf_token": csrf_token(client), "name": "", "slug": "Bad Slug", "kind": "government"}
    response = client.post("/actors/russia/edit", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    links = summary_links(page)
    assert links["name"] == "Name: Enter a name"
    assert "lowercase letters a-z" in links["slug"]
    assert 'aria-required="true"' in input_tag(page, "name")
    empty = {"csrf_token": csrf_token(client), "name": "", "slug": ""}
    response = client.post("/topics/jcpoa/edit", data=empty)
    links = summary_links(response.get_data(as_text=True))
    assert links["name"] == "Name: Enter a name" and links["slug"].startswith("Slug: Enter a slug")


def test_message_helpers() -> None:
    assert label("date_basis") == "Date basis" and label("source.url") == "Source URL"
    assert date_message("2023-02-29", "") == "February 2023 has no 29th day"
    assert date_message("2024-04-31~", "") == "April 2024 has no 31st day"
    assert date_message("2024-02-29", "x ends before it starts") == "x ends before it starts"
    assert human_message("title", "String should have at least 1 character", "") == "Enter a title"
    assert human_message("stances-2-topic", "no topic", "") == "Choose the topic this score is about"


# --- evidence first -------------------------------------------------------------------------------


def test_statement_without_evidence_asks_first_and_stores_nothing_until_confirmed(loaded, client) -> None:
    before = event_count(loaded)
    data = form(client, source_url="", quote="", title="Said without a trace")
    asked = client.post("/events", data=data)
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "This statement has no source or quote. Save without evidence?" in page
    assert 'name="confirm_unsourced"' in page and 'name="save_unsourced"' in page
    assert 'value="Said without a trace"' in page  # the input is kept
    assert event_count(loaded) == before
    saved = client.post("/events", data={**data, "confirm_unsourced": "y"})
    assert saved.status_code == 303 and event_count(loaded) == before + 1
    event_page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert '<span class="badge unsourced"' in event_page
    assert "saved without a source and without a quote" in event_page


def test_second_button_confirms_too_and_a_quote_alone_is_asked_for(loaded: Flask, client) -> None:
    asked = client.post("/events", data=form(client, quote=""))
    assert "This statement has no quote. Save without evidence?" in asked.get_data(as_text=True)
    saved = client.post("/events", data=form(client, quote="", save_unsourced="Save without evidence"))
    assert saved.status_code == 303


def test_an_event_with_its_evidence_or_a_sourced_meeting_is_saved_at_once(loaded: Flask, client) -> None:
    assert client.post("/events", data=form(client)).status_code == 303
    meeting = form(client, kind="meeting", quote="", title="Lavrov meets Zarif")
    assert client.post("/events", data=meeting).status_code == 303


def test_field_errors_come_before_the_evidence_question(loaded: Flask, client) -> None:
    response = client.post("/events", data=form(client, source_url="", quote="", title=""))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a title" in page and "Save without evidence?" not in page


def test_edits_ask_only_when_they_remove_evidence(loaded: Flask, client) -> None:
    # e-2020 never had a source or quote: editing its title does not ask again.
    retitled = edit_data(client, 2, title="Tireless (edited)")
    assert client.post("/events/2/edit", data=retitled).status_code == 303
    # e-2019 has a quote; give it a source, then removing the quote asks.
    assert client.post("/events/1/edit", data=edit_data(client, 1, source_url=SOURCE)).status_code == 303
    asked = client.post("/events/1/edit", data=edit_data(client, 1, quote=""))
    assert asked.status_code == 200 and "has no quote" in asked.get_data(as_text=True)
    with loaded.app_context():
        kept = get_session().get(Event, 1)
        assert kept is not None and kept.quote is not None
        assert kept.quote.strip() == "Russia is not a firefighting rescue crew…"


def test_unsourced_in_listings_and_csv(loaded: Flask, client) -> None:
    client.post("/events", data=form(client, title="Sourced one"))
    client.post("/events", data=form(client, title="Bare one", source_url="", confirm_unsourced="y"))
    actor_page = client.get("/actors/russia").get_data(as_text=True)
    items = {
        title: item
        for item in re.findall(r'<li id="event-\d+">(.*?)</li>', actor_page, re.S)
        for title in re.findall(r"<strong>([^<]+)</strong>", item)
    }
    assert "badge unsourced" in items["Bare one"] and "badge unsourced" not in items["Sourced one"]
    rows = list(csv.DictReader(io.StringIO(client.get("/actors/russia.csv").get_data(as_text=True))))
    flags = {r["title"]: r["unsourced"] for r in rows}
    assert flags["Sourced one"] == "false" and flags["Bare one"] == "true"
    search = client.get("/search?q=Bare").get_data(as_text=True)
    assert "badge unsourced" in search


def test_api_clients_keep_saving_without_evidence_and_the_event_is_marked(loaded: Flask, app: Flask) -> None:
    # Decision: the JSON API keeps accepting events without source or quote (imports and tools rely on it);
    # they are marked unsourced on pages and in CSV like any other.
    create_user(app, "robot")
    with app.app_context(), write_session() as session:
        token = accounts.issue_token(session, "robot")
    api = app.test_client()
    body = {"actor": "russia", "kind": "statement", "title": "Bare via API", "date": "2021"}
    response = api.post("/api/v1/events", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    rows = list(csv.DictReader(io.StringIO(api.get("/actors/russia.csv").get_data(as_text=True))))
    assert {r["title"]: r["unsourced"] for r in rows}["Bare via API"] == "true"


# --- date preview and open intervals --------------------------------------------------------------


def test_date_preview_endpoint_uses_the_servers_parser(client) -> None:
    assert client.get("/dates/preview?d=2021-02").get_json()["sentence"] == "2021-02 → February 2021"
    wrong = client.get("/dates/preview?d=2021-02-30").get_json()
    assert wrong["valid"] is False and wrong["message"] == "February 2021 has no 30th day"
    open_start = client.get("/dates/preview?d=../2021-01-20").get_json()
    assert open_start["display"] == "on or before 20 January 2021"
    assert client.get("/dates/preview?d=").get_json() == {
        "text": "",
        "valid": False,
        "display": None,
        "message": None,
        "sentence": "",
    }


def test_date_preview_beside_the_date_on_submit_and_script_for_typing(loaded: Flask, client) -> None:
    page = client.post("/events", data=form(client, title="", date="2021-02")).get_data(as_text=True)
    preview = found(r'(?s)<p class="date-preview[^"]*" id="date-preview"[^>]*>(.*?)</p>', page)
    assert "2021-02" in preview and "<strong>February 2021</strong>" in preview
    assert "date-preview" in found(r'aria-describedby="([^"]+)"', input_tag(page, "date"))
    assert 'src="/static/form-guide.js"' in page and 'data-preview-url="/dates/preview"' in page
    with client.get("/static/form-guide.js") as response:
        script = response.get_data(as_text=True)
    assert "error-summary" in script and "fetch(" in script and "data-preview-url" in script


@pytest.mark.parametrize(
    ("edtf", "words"),
    [("../2021-01-20", "on or before 20 January 2021"), ("2021-01-20/..", "on or after 20 January 2021")],
)
def test_open_intervals_are_accepted_and_read_in_words(loaded: Flask, client, edtf: str, words: str) -> None:
    saved = client.post("/events", data=form(client, date=edtf, title=f"Open {edtf}"))
    assert saved.status_code == 303
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert words in page
    actor_page = client.get("/actors/russia")
    assert actor_page.status_code == 200 and words in actor_page.get_data(as_text=True)


def test_an_open_date_does_not_stretch_the_chart_to_year_one() -> None:
    from datetime import date
    from types import SimpleNamespace

    from timeline.dates import parse_date
    from timeline.services.charts import time_axis
    from timeline.services.history import StancePoint

    def point(i: int, edtf: str) -> StancePoint:
        parsed = parse_date(edtf)
        return StancePoint(i, f"e{i}", "t", "a", "A", None, edtf, parsed.earliest, parsed.latest, "", 1, None)

    points = [point(1, "2020-12-01"), point(2, "../2021-01-20"), point(3, "2020-06/..")]
    axis = time_axis([SimpleNamespace(points=points)])  # type: ignore[list-item]
    assert axis is not None
    assert date(2020, 5, 1).toordinal() <= axis.start and axis.end <= date(2021, 3, 1).toordinal()
    assert axis.whole  # every statement is on the axis: the open ones reach its edge


def test_an_open_date_counts_in_its_known_year_only_in_search_facets(loaded: Flask, client) -> None:
    client.post("/events", data=form(client, date="../2021-01-20", title="Openly dated firefighter"))
    doc = client.get("/search.json?q=Openly").get_json()
    years = {str(v.get("label", v.get("value"))): v["count"] for v in doc["facets"]["year"]}
    assert years == {"2021": 1}, doc["facets"]["year"]
