"""POST /api/v1/extract, the review page and `flask extract`: shapes, errors naming fields, nothing stored."""

from __future__ import annotations

import http.server
import io
import json
import threading
from pathlib import Path

import pytest
from flask import Flask

from timeline.db import write_session
from timeline.services import accounts
from timeline.services.extraction.sources import fetch_article

from support.app import create_user, load_doc
from support.data import PASSWORD, SEED_FILE
from support.extract_articles import RUSSIAN
from support.web import csrf_token

SEED = json.loads(SEED_FILE.read_text(encoding="utf-8"))
SOURCE_URL = SEED["events"][0]["source"]["url"]
VIKTOROV = (
    "Anatoly Viktorov told the Israeli newspaper that the problem of the region “is not Iranian activities” "
    "and it is Israel who “destabilizes the Middle East” through “attacking Hezbollah.” “Israel must not "
    "attack the territories of sovereign UN members,” he added. Trump’s “maximum pressure” campaign failed."
)


@pytest.fixture
def token(app: Flask) -> str:
    load_doc(app, SEED)
    create_user(app, "robot")
    with app.app_context(), write_session() as session:
        return accounts.issue_token(session, "robot")


def post(client, token: str, body) -> tuple[int, dict]:
    response = client.post("/api/v1/extract", json=body, headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.get_json()


def test_extract_answers_the_documented_shape(client, token: str) -> None:
    body = {
        "text": VIKTOROV,
        "published": "2020-12-20/2021-01-20",
        "source": {"title": "T", "publisher": "P"},
    }
    status, answer = post(client, token, body)
    assert status == 200 and set(answer) == {"source", "candidates"}
    assert answer["source"]["published"] == "2020-12-20/2021-01-20" and answer["source"]["title"] == "T"
    quotes = [c["quote"] for c in answer["candidates"]]
    assert quotes == [
        "is not Iranian activities",
        "destabilizes the Middle East",
        "attacking Hezbollah.",
        "Israel must not attack the territories of sovereign UN members",
    ]
    for c in answer["candidates"]:
        assert set(c) == {
            "quote",
            "start",
            "end",
            "speaker",
            "speaker_role",
            "date",
            "date_basis",
            "stances",
            "recorded",
        }
        assert VIKTOROV[c["start"] : c["end"]] == c["quote"]
        assert c["speaker"]["actor"] == "anatoly-viktorov" and c["date"] == "../2021-01-20"
    first = answer["candidates"][0]
    # The suggested score is the speaker's latest recorded one on the topic (from the seed), never sentiment.
    stance = {s["topic"]: s for s in first["stances"]}["israel-regional-conduct"]
    seed_scores = [
        s["score"]
        for e in SEED["events"]
        if e["actor"] == "anatoly-viktorov"
        for s in e["stances"]
        if s["topic"] == "israel-regional-conduct"
    ]
    assert stance["score"] == seed_scores[-1] and "viktorov" in stance["reason"]


def test_candidates_already_recorded_from_the_same_source_are_marked(client, token: str) -> None:
    body = {"text": VIKTOROV, "published": "2020-12-20/2021-01-20", "source": {"url": SOURCE_URL}}
    status, answer = post(client, token, body)
    assert status == 200
    assert {c["recorded"] for c in answer["candidates"]} == {"viktorov-2020-12-jerusalem-post-interview"}
    _, other = post(client, token, {**body, "source": {"url": "https://example.org/else"}})
    assert {c["recorded"] for c in other["candidates"]} == {None}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": VIKTOROV}, "published"),
        ({"text": VIKTOROV, "published": "next Tuesday"}, "published"),
        ({"text": VIKTOROV, "published": 2021}, "published"),
        ({"published": "2021-01-27"}, "text"),
        ({"text": "", "published": "2021-01-27"}, "text"),
        ({"text": VIKTOROV, "url": "https://example.org/", "published": "2021-01-27"}, "text"),
        ({"text": 5, "published": "2021-01-27"}, "text"),
        ({"text": VIKTOROV, "published": "2021-01-27", "source": {"url": 7}}, "source.url"),
        ({"text": VIKTOROV, "published": "2021-01-27", "colour": "red"}, "colour"),
        ({"url": "http://127.0.0.1:9/article", "published": "2021-01-27"}, "url"),
        ({"url": "file:///etc/passwd", "published": "2021-01-27"}, "url"),
        ({"text": "x" * 200_001, "published": "2021-01-27"}, "text"),
    ],
)
def test_bad_requests_name_the_field_and_store_nothing(client, token: str, body, field: str) -> None:
    before = client.get("/api/v1/events").get_json()["total"]
    status, answer = post(client, token, body)
    assert status == 422 and field in answer["error"]["fields"], answer
    assert client.get("/api/v1/events").get_json()["total"] == before


def test_extract_needs_an_editor(client, token: str) -> None:
    response = client.post("/api/v1/extract", json={"text": VIKTOROV, "published": "2021-01-27"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
    assert (
        client.post(
            "/api/v1/extract",
            data="{",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        ).status_code
        == 400
    )


def test_extract_is_in_the_openapi_document(client) -> None:
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/extract"]["post"]
    assert operation["security"] and "200" in operation["responses"] and "422" in operation["responses"]


def test_a_fetched_page_gives_its_main_text_and_metadata() -> None:
    page = (
        "<html><head><title>Peskov speaks</title><meta name='author' content='Ivan Petrov'>"
        "<meta property='article:published_time' content='2021-01-27'></head><body><nav>Menu Home</nav>"
        "<article><p>" + RUSSIAN.replace("\n", "</p><p>") + "</p></article><footer>©</footer></body></html>"
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/moved":
                self.send_response(302)
                self.send_header("Location", "/article")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/moved"
        article = fetch_article(url, allow_private=True)
    finally:
        server.shutdown()
        server.server_close()
    assert article.title == "Peskov speaks" and article.author == "Ivan Petrov"
    assert article.published == "2021-01-27" and article.url is not None and article.url.endswith("/article")
    assert "«не видит альтернативы»" in article.text and "Menu Home" not in article.text


def test_review_page_highlights_accepts_and_dismisses(app: Flask, client, token: str) -> None:
    create_user(app, "ed")
    token_value = csrf_token(client)
    client.post("/login", data={"csrf_token": token_value, "name": "ed", "password": PASSWORD})
    assert client.get("/extract").status_code == 200
    form = {
        "csrf_token": csrf_token(client),
        "text": VIKTOROV,
        "published": "2020-12-20/2021-01-20",
        "url": SOURCE_URL,
    }
    page = client.post("/extract", data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:500]
    assert html.count('<mark id="span-') == 4 and "maximum pressure</a></mark>" not in html
    assert "Already recorded" in html
    # Accept: the existing add-event form, prefilled, nothing saved yet.
    events_before = client.get("/api/v1/events").get_json()["total"]
    accept = {
        "csrf_token": csrf_token(client),
        "actor": "anatoly-viktorov",
        "kind": "statement",
        "date": "2020-12",
        "quote": "is not Iranian activities",
        "title": "t",
        "add_row": "1",
        "stances-0-topic": "israel-regional-conduct",
        "stances-0-score": "-2",
    }
    opened = client.post("/events", data=accept)
    assert opened.status_code == 200 and "is not Iranian activities" in opened.get_data(as_text=True)
    assert client.get("/api/v1/events").get_json()["total"] == events_before
    assert 'name="add_row" value="1"' in html and 'value="anatoly-viktorov"' in html
    # Dismiss: the candidate leaves the list and its highlight.
    dismissed = client.post("/extract", data={**form, "dismissed": "0"}).get_data(as_text=True)
    assert dismissed.count('<mark id="span-') == 3 and 'id="candidate-0"' not in dismissed


def test_review_page_errors_name_the_field(app: Flask, client, token: str) -> None:
    create_user(app, "ed")
    client.post("/login", data={"csrf_token": csrf_token(client), "name": "ed", "password": PASSWORD})
    page = client.post(
        "/extract", data={"csrf_token": csrf_token(client), "text": VIKTOROV, "published": "soon"}
    )
    assert page.status_code == 422 and "has-error" in page.get_data(as_text=True)
    upload = client.post(
        "/extract",
        data={
            "csrf_token": csrf_token(client),
            "published": "2021-01-27",
            "file": (io.BytesIO(b"\xff\xfe"), "a.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert upload.status_code == 422 and "send a .txt or .html file" in upload.get_data(as_text=True)


def test_cli_extract(app: Flask, runner, token: str, tmp_path: Path) -> None:
    article = tmp_path / "item.txt"
    article.write_text(VIKTOROV, encoding="utf-8")
    result = runner.invoke(args=["extract", str(article), "--published", "2020-12-20/2021-01-20", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert [c["speaker"]["actor"] for c in answer["candidates"]] == ["anatoly-viktorov"] * 4
    plain = runner.invoke(args=["extract", str(article), "--published", "2020-12-20/2021-01-20"])
    assert plain.exit_code == 0 and "Anatoly Viktorov (anatoly-viktorov), ../2021-01-20" in plain.output
    bad = runner.invoke(args=["extract", str(article), "--published", "tomorrow"])
    assert bad.exit_code != 0 and "published" in bad.output


def test_review_page_reads_an_uploaded_text_file(app: Flask, client, token: str) -> None:
    create_user(app, "ed")
    client.post("/login", data={"csrf_token": csrf_token(client), "name": "ed", "password": PASSWORD})
    page = client.post(
        "/extract",
        data={
            "csrf_token": csrf_token(client),
            "published": "2020-12-20/2021-01-20",
            "file": (io.BytesIO(VIKTOROV.encode()), "item.txt"),
        },
        content_type="multipart/form-data",
    )
    assert page.status_code == 200 and page.get_data(as_text=True).count('<mark id="span-') == 4
