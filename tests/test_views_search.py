"""Search that narrows: sort, facets, the listing filters, badges, aliases, suggestions, exports."""

import csv
import io
import re
import time
from html import unescape

import pytest
from flask import Flask

from support.app import load_doc
from support.data import small_doc


@pytest.fixture
def loaded(app: Flask) -> Flask:
    doc = small_doc()
    doc["events"] += [
        {
            "uid": "e-2018",
            "actor": "russia",
            "kind": "statement",
            "title": "Firefighter once more",
            "date": "2018-03-01",
            "stances": [{"topic": "us-sanctions", "score": -1}],
        },
        {
            "uid": "e-2021",
            "actor": "vladimir-putin",
            "kind": "interview",
            "title": "A firefighter speaks",
            "date": "2021-04-02",
            "stances": [{"topic": "jcpoa", "score": 1}],
        },
    ]
    load_doc(app, doc)
    return app


def _uids(client, **query) -> list[str]:
    body = client.get("/search.json", query_string=query).get_json()
    return [r["uid"] for r in body["results"]]


def test_sort_by_date_orders_by_date_and_relevance_is_the_default(loaded: Flask, client) -> None:
    by_date = _uids(client, q="firefighter", sort="date")
    assert by_date == ["e-2018", "e-2020", "e-2021"]
    best = client.get("/search.json", query_string={"q": "firefighter"}).get_json()
    assert best["sort"] == "relevance" and sorted(r["uid"] for r in best["results"]) == by_date
    assert _uids(client, q="firefighter", sort="relevance") == [r["uid"] for r in best["results"]]
    page = client.get("/search?q=firefighter&sort=date").get_data(as_text=True)
    assert page.index("once more") < page.index("Tireless") < page.index("</mark> speaks")
    assert '<ol class="timeline">' in page  # dates in order: the rail
    assert '<ol class="results">' in client.get("/search?q=firefighter").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/search", "/search.json", "/search.csv"])
def test_a_bad_sort_or_filter_is_400_naming_it(loaded: Flask, client, path: str) -> None:
    for query, field in (("sort=newest", "sort"), ("topic=nope", "topic"), ("from=2019-13", "from"),
                         ("actor=nobody", "actor"), ("kind=x", "kind")):  # fmt: skip
        response = client.get(f"{path}?q=firefighter&{query}")
        assert response.status_code == 400, query
        if path == "/search":
            assert f"“{field}”" in response.get_data(as_text=True)
        else:
            assert set(response.get_json()["error"]["fields"]) == {field}


def test_the_listing_filters_narrow_the_results(loaded: Flask, client) -> None:
    assert _uids(client, q="firefighter", sort="date", topic="jcpoa") == ["e-2020", "e-2021"]
    assert _uids(client, q="firefighter", sort="date", actor="vladimir-putin") == ["e-2021"]
    assert _uids(client, q="firefighter", sort="date", kind="interview") == ["e-2021"]
    assert _uids(client, q="firefighter", sort="date", **{"from": "2019", "to": "2020"}) == ["e-2020"]
    body = client.get("/search.json?q=firefighter&topic=us-sanctions").get_json()
    assert body["total"] == 2


def test_facets_count_actor_topic_kind_and_year(loaded: Flask, client) -> None:
    facets = client.get("/search.json?q=firefighter").get_json()["facets"]
    counts = {name: {v["value"]: v["count"] for v in values} for name, values in facets.items()}
    assert counts == {
        "actor": {"Russia": 2, "Vladimir Putin": 1},
        "topic": {"JCPOA": 2, "US sanctions": 2},
        "kind": {"statement": 2, "interview": 1},
        "year": {"2021": 1, "2020": 1, "2018": 1},
    }
    year = next(v for v in facets["year"] if v["value"] == "2020")
    assert year["params"] == {"from": "2020", "to": "2020"}


def test_facet_links_add_their_filter_and_count_what_they_find(loaded: Flask, client) -> None:
    html = client.get("/search?q=firefighter&sort=date").get_data(as_text=True)
    nav = re.search(r'<nav class="facets[^>]*>(.*?)</nav>', html, re.S)
    assert nav
    links = {
        label: unescape(href)
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav.group(1))
    }
    assert (
        "topic=jcpoa" in links["JCPOA"]
        and "sort=date" in links["JCPOA"]
        and "q=firefighter" in links["JCPOA"]
    )
    narrowed = client.get(links["JCPOA"]).get_data(as_text=True)
    assert "2 events match" in narrowed and "topic: jcpoa ✕" in narrowed
    assert "once more" not in narrowed
    putin = client.get(links["Vladimir Putin"].replace("/search?", "/search.json?")).get_json()
    assert [r["uid"] for r in putin["results"]] == ["e-2021"]
    year = client.get(links["2020"].replace("/search?", "/search.json?")).get_json()
    assert [r["uid"] for r in year["results"]] == ["e-2020"]


def test_results_carry_stance_badges(loaded: Flask, client) -> None:
    html = client.get("/search?q=tireless").get_data(as_text=True)
    assert 'class="badge score-pos" title="JCPOA: +2"' in html
    assert 'class="badge score-neg" title="US sanctions: −2"' in html
    result = client.get("/search.json?q=tireless").get_json()["results"][0]
    assert result["stances"] == [{"topic": "jcpoa", "score": 2}, {"topic": "us-sanctions", "score": -2}]


def test_a_hit_through_an_alias_says_so(loaded: Flask, client) -> None:
    html = client.get("/search?q=Путин").get_data(as_text=True)
    assert 'matched alias: <span dir="auto">Владимир Путин</span>' in html
    results = client.get("/search.json?q=Путин").get_json()["results"]
    assert {r["uid"] for r in results} == {"e-2019", "e-2021"}
    assert {r["matched_alias"] for r in results} == {"Владимир Путин"}
    # Found through the title, not the alias: nothing to explain.
    assert client.get("/search.json?q=tireless").get_json()["results"][0]["matched_alias"] is None
    assert "matched alias" not in client.get("/search?q=tireless").get_data(as_text=True)


def test_an_empty_result_suggests_close_actors_and_topics(loaded: Flask, client) -> None:
    html = client.get("/search?q=Putn").get_data(as_text=True)
    assert "No event matches" in html
    assert 'href="/actors/vladimir-putin" dir="auto">Vladimir Putin</a>' in html
    body = client.get("/search.json?q=sanktions").get_json()
    assert body["total"] == 0
    assert {"kind": "topic", "slug": "us-sanctions", "name": "US sanctions"} in body["suggestions"]


def test_results_as_csv_and_json_carry_the_filters(loaded: Flask, client) -> None:
    html = client.get("/search?q=firefighter&topic=jcpoa&sort=date&page=1").get_data(as_text=True)
    nav = re.search(r'<nav class="exports[^>]*>(.*?)</nav>', html, re.S)
    assert nav and "This view as" in nav.group(1)
    links = {
        label: unescape(href) for href, label in re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav.group(1))
    }
    assert set(links) == {"CSV", "JSON"}
    response = client.get(links["CSV"])
    assert response.headers["Content-Disposition"] == 'attachment; filename="search-firefighter_jcpoa.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["uid"], r["topic"]) for r in rows] == [("e-2020", "jcpoa"), ("e-2021", "jcpoa")]
    download = client.get(links["JSON"])
    assert download.headers["Content-Disposition"] == 'attachment; filename="search-firefighter_jcpoa.json"'
    assert [r["uid"] for r in download.get_json()["results"]] == ["e-2020", "e-2021"]


def test_facets_are_counted_on_the_capped_set(loaded: Flask, client, monkeypatch) -> None:
    monkeypatch.setattr("timeline.queries.SEARCH_CAP", 2)
    body = client.get("/search.json?q=firefighter").get_json()
    assert body["more"] is True and body["total"] == 2
    assert sum(v["count"] for v in body["facets"]["kind"]) == 2  # the best 2, not all 3
    assert "the best 2 are listed and counted in the facets" in client.get("/search?q=firefighter").get_data(
        as_text=True
    )


@pytest.mark.slow  # 3,000 events imported
def test_facets_keep_a_common_word_search_fast(app: Flask, client) -> None:
    doc = small_doc()
    doc["events"] = [
        {"uid": f"c-{i}", "actor": "russia" if i % 2 else "vladimir-putin", "kind": "statement",
         "title": f"Common word number {i}", "date": f"{2000 + i % 20}-0{1 + i % 9}",
         "stances": [{"topic": "jcpoa", "score": i % 5 - 2}]}
        for i in range(3000)
    ]  # fmt: skip
    load_doc(app, doc)
    client.get("/search.json?q=common")  # warm
    started = time.perf_counter()
    body = client.get("/search.json?q=common&sort=date").get_json()
    elapsed = time.perf_counter() - started
    assert body["total"] == 3000 and sum(v["count"] for v in body["facets"]["actor"]) == 3000
    assert elapsed < 2.0, elapsed
