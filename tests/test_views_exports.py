"""Every view exports exactly what it shows: filtered CSV/JSON, names that say what they hold, page links."""

import csv
import io
import re
from html import unescape

import pytest
from flask import Flask

from support.app import load_doc
from support.data import small_doc


@pytest.fixture
def loaded(app: Flask) -> Flask:
    doc = small_doc()
    doc["events"].append(
        {
            "uid": "e-2021",
            "actor": "vladimir-putin",
            "kind": "interview",
            "title": "Talks resume",
            "date": "2021-04-02",
            "stances": [{"topic": "jcpoa", "score": 1}],
        }
    )
    load_doc(app, doc)
    return app


def _rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _filename(response) -> str:
    match = re.fullmatch(r'attachment; filename="([^"]+)"', response.headers.get("Content-Disposition", ""))
    assert match, response.headers.get("Content-Disposition")
    return match.group(1)


def test_topic_csv_holds_only_that_topics_rows_for_the_years(loaded: Flask, client) -> None:
    response = client.get("/topics/jcpoa.csv?from=2019&to=2020")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert _filename(response) == "jcpoa_2019-2020.csv"
    rows = _rows(response)
    # e-2020 also carries a stance on US sanctions: that row is not part of the JCPOA view.
    assert [(r["uid"], r["topic"], r["score"]) for r in rows] == [
        ("e-2019", "jcpoa", "-1"),
        ("e-2020", "jcpoa", "2"),
    ]


def test_topic_csv_refuses_a_bad_filter_naming_it(loaded: Flask, client) -> None:
    response = client.get("/topics/jcpoa.csv?from=2019-13")
    assert response.status_code == 400 and set(response.get_json()["error"]["fields"]) == {"from"}
    assert client.get("/topics/nope.csv").status_code == 404


def test_export_csv_honours_topic_and_years(loaded: Flask, client) -> None:
    response = client.get("/export.csv?topic=jcpoa&from=2019&to=2020")
    assert response.status_code == 200
    assert _filename(response) == "jcpoa_2019-2020.csv"
    assert [(r["uid"], r["topic"]) for r in _rows(response)] == [("e-2019", "jcpoa"), ("e-2020", "jcpoa")]
    kinds = _rows(client.get("/export.csv?kind=interview"))
    assert [r["uid"] for r in kinds] == ["e-2021"]
    everything = client.get("/export.csv")
    assert _filename(everything) == "stance-timeline-export.csv"
    assert {r["uid"] for r in _rows(everything)} == {"e-2019", "e-2020", "e-2020b", "e-2021"}


def test_export_json_honours_filters_and_keeps_every_actor_and_topic(loaded: Flask, client) -> None:
    response = client.get("/export.json?topic=us-sanctions")
    assert response.status_code == 200 and _filename(response) == "us-sanctions.json"
    doc = response.get_json()
    assert [e["uid"] for e in doc["events"]] == ["e-2020"]
    assert {a["slug"] for a in doc["actors"]} == {"russia", "vladimir-putin"}
    assert {t["slug"] for t in doc["topics"]} == {"jcpoa", "us-sanctions"}
    years = client.get("/export.json?kind=interview").get_json()
    assert [e["uid"] for e in years["events"]] == ["e-2021"]


@pytest.mark.parametrize("path", ["/export.csv", "/export.json"])
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("topic=nope", "topic"),
        ("from=2019-13", "from"),
        ("to=soon", "to"),
        ("kind=x", "kind"),
        ("confidence=9", "confidence"),
    ],
)
def test_export_refuses_a_bad_filter_naming_the_field(
    loaded: Flask, client, path: str, query: str, field: str
) -> None:
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {field}


def test_actor_csv_filtered_to_a_topic_holds_only_its_rows(loaded: Flask, client) -> None:
    response = client.get("/actors/russia.csv?topic=jcpoa")
    assert _filename(response) == "russia_jcpoa.csv"
    rows = _rows(response)
    assert {r["topic"] for r in rows} == {"jcpoa"}
    assert [r["uid"] for r in rows] == ["e-2019", "e-2020", "e-2021"]
    # Unfiltered, a row is one stance: e-2020 has two, the stance-less e-2020b one empty row.
    assert sorted((r["uid"], r["topic"]) for r in _rows(client.get("/actors/russia.csv"))) == [
        ("e-2019", "jcpoa"),
        ("e-2020", "jcpoa"),
        ("e-2020", "us-sanctions"),
        ("e-2020b", ""),
        ("e-2021", "jcpoa"),
    ]


def test_json_twins_offer_the_file_when_asked(loaded: Flask, client) -> None:
    plain = client.get("/actors/vladimir-putin.json")
    assert plain.status_code == 200 and "Content-Disposition" not in plain.headers
    assert _filename(client.get("/actors/vladimir-putin.json?download=1")) == "vladimir-putin.json"
    topic = client.get("/topics/jcpoa.json?from=2019&to=2020&download=1")
    assert _filename(topic) == "jcpoa_2019-2020.json"
    assert _filename(client.get("/topics/jcpoa.timelinejs.json?download=1")) == "jcpoa.timelinejs.json"
    tl = client.get("/actors/russia.timelinejs.json?kind=interview&download=1")
    assert _filename(tl) == "russia_interview.timelinejs.json"
    assert [s["unique_id"] for s in tl.get_json()["events"]] == ["4"]  # the filter narrows TimelineJS too
    matrix = client.get("/matrix.json?as_of=2020-12-31&download=1")
    assert _filename(matrix) == "stances-as-of-2020-12-31.json"


def _export_links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="exports[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "no export links"
    assert "This view as" in nav.group(1)
    return {
        label: unescape(href) for href, label in re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav.group(1))
    }


def test_actor_page_ends_with_links_carrying_its_filters(loaded: Flask, client) -> None:
    html = client.get("/actors/russia?topic=jcpoa&from=2019&to=2020&page=1").get_data(as_text=True)
    links = _export_links(html)
    assert set(links) == {"CSV", "JSON", "TimelineJS"}
    assert html.rindex("This view as") > html.rindex('class="timeline"')  # at the page bottom
    csv_response = client.get(links["CSV"])
    assert _filename(csv_response) == "russia_jcpoa_2019-2020.csv"
    assert [r["uid"] for r in _rows(csv_response)] == ["e-2019", "e-2020"]
    json_response = client.get(links["JSON"])
    assert _filename(json_response) == "russia_jcpoa_2019-2020.json"
    assert "page=" not in links["CSV"] and "download=1" in links["TimelineJS"]
    assert len(client.get(links["TimelineJS"]).get_json()["events"]) == 2


def test_topic_page_ends_with_links_carrying_its_filters(loaded: Flask, client) -> None:
    links = _export_links(client.get("/topics/jcpoa?from=2019&to=2020").get_data(as_text=True))
    assert set(links) == {"CSV", "JSON", "TimelineJS"}
    csv_response = client.get(links["CSV"])
    assert _filename(csv_response) == "jcpoa_2019-2020.csv"
    assert [r["uid"] for r in _rows(csv_response)] == ["e-2019", "e-2020"]
    assert _filename(client.get(links["JSON"])) == "jcpoa_2019-2020.json"


def test_matrix_page_ends_with_links_carrying_its_day(loaded: Flask, client) -> None:
    links = _export_links(client.get("/matrix?as_of=2020-12-31").get_data(as_text=True))
    assert set(links) == {"CSV", "JSON"}
    assert _filename(client.get(links["CSV"])) == "stances-as-of-2020-12-31.csv"
    assert _filename(client.get(links["JSON"])) == "stances-as-of-2020-12-31.json"


def test_no_export_links_beside_a_filter_error(loaded: Flask, client) -> None:
    html = client.get("/actors/russia?from=2019-13").get_data(as_text=True)
    assert "This view as" not in html
