"""Charts, topic comparison, filters and search, through the test client."""

import re

import pytest
from flask import Flask
from sqlmodel import col

from timeline.services.charts import X0, X1, build_chart
from timeline.services.history import StancePoint, TopicHistory, build_histories, build_series

from support.app import load_doc
from support.data import small_doc
from support.web import csrf_token


def doc_with_iran() -> dict:
    doc = small_doc()
    doc["actors"] += [
        {"slug": "iran", "name": "Iran", "kind": "government", "aliases": ["ایران"]},
        {
            "slug": "javad-zarif",
            "name": "Javad Zarif",
            "kind": "person",
            "parent": "iran",
            "aliases": ["محمدجواد ظریف"],
        },
    ]
    doc["events"] += [
        {
            "uid": "i-1",
            "actor": "javad-zarif",
            "kind": "interview",
            "title": "Zarif on the deal",
            "date": "2020-11/2020-12",
            "quote": "برجام زنده است",
            "speaker_role": "Foreign Minister",
            "stances": [{"topic": "jcpoa", "score": 1}],
        },
        {
            "uid": "i-2",
            "actor": "iran",
            "kind": "statement",
            "title": "Tehran rejects talks",
            "date": "2021-01",
            "confidence": "low",
            "stances": [{"topic": "jcpoa", "score": -1}],
        },
    ]
    return doc


def test_actor_page_has_one_svg_chart_per_topic_with_titles_links_ranges_and_table(
    app: Flask, client
) -> None:
    doc = doc_with_iran()
    load_doc(app, doc)
    page = client.get("/actors/iran").get_data(as_text=True)
    charts = re.findall(r'<svg width="100%".*?</svg>', page, re.S)
    assert len(charts) == 1  # Iran's statements are all on the JCPOA
    chart = charts[0]
    assert chart.count('<use class="marker"') == 2  # one marker per statement
    assert 'class="range"' in chart  # the Nov–Dec interval is drawn as a range
    # Zarif (+1) and the government (−1) are two speakers: no reversal between them.
    assert "is-reversal" not in chart and '<line class="step' not in chart
    assert re.findall(r'<g class="series s\d" data-speaker="([^"]+)"', chart) == ["javad-zarif", "iran"]
    assert re.search(r'<a href="/events/\d+" class="point', chart)
    tip = "November 2020 – December 2020 · Javad Zarif (as Foreign Minister): Zarif on the deal · for (+1)"
    assert f"<title>{tip}</title>" in chart
    assert "Chart as a table" in page and '<td data-label="Change">reversal</td>' not in page


def test_chart_scales_from_one_to_500_statements() -> None:
    def points(n):
        from datetime import date, timedelta

        start = date(2000, 1, 1)
        return [
            StancePoint(
                i,
                f"e{i}",
                f"t{i}",
                "a",
                "A",
                None,
                "x",
                start + timedelta(days=7 * i),
                start + timedelta(days=7 * i),
                "d",
                (i % 5) - 2,
                None,
            )
            for i in range(n)
        ]

    def history(n):
        return TopicHistory("t", "T", [build_series("a", "A", points(n))])

    one = build_chart([("A", "a", history(1))])
    assert one is not None and one.lanes[0].points[0].cx == pytest.approx(50, abs=5)  # percent of the width
    many = build_chart([("A", "a", history(500))])
    assert many is not None
    xs = [p.cx for p in many.lanes[0].points]
    assert xs == sorted(xs) and xs[0] >= X0 and xs[-1] <= X1
    assert len(many.lanes[0].series[0].segments) == 499  # weekly statements: every one ordered
    assert 3 <= len(many.ticks) <= 5  # a readable number of axis labels at 390 px


def test_topic_comparison_lanes_shared_axis_and_order(app: Flask, client) -> None:
    load_doc(app, doc_with_iran())
    page = client.get("/topics/jcpoa").get_data(as_text=True)
    lanes = re.findall(r'<g class="lane" data-lane="([^"]+)"', page)
    assert lanes == ["iran", "russia"]  # per government by default, officials rolled up
    picked = client.get("/topics/jcpoa?actors=russia,iran").get_data(as_text=True)
    assert re.findall(r'<g class="lane" data-lane="([^"]+)"', picked) == ["russia", "iran"]
    speakers = client.get("/topics/jcpoa?by=speaker").get_data(as_text=True)
    assert set(re.findall(r'<g class="lane" data-lane="([^"]+)"', speakers)) == {
        "iran",
        "javad-zarif",
        "russia",
        "vladimir-putin",
    }
    # Below the chart: the statements in date order across actors.
    below = page[page.index("Statements in date order") :]
    order = [
        below.index(t)
        for t in ("Not a fire brigade", "Zarif on the deal", "Tireless firefighter", "Tehran rejects talks")
    ]
    assert order == sorted(order)


def test_topic_json_matches_page_and_names_lanes(app: Flask, client) -> None:
    load_doc(app, doc_with_iran())
    doc = client.get("/topics/jcpoa.json?actors=russia,iran&confidence=medium").get_json()
    assert doc["topic"] == "jcpoa"
    assert [h["actor"] for h in doc["histories"]] == ["russia", "iran"]
    assert [e["uid"] for e in doc["events"]] == ["e-2019", "i-1", "e-2020"]  # low-confidence i-2 filtered
    from support.data import validate_export

    validate_export(doc)


def test_topic_page_errors(app: Flask, client) -> None:
    load_doc(app, doc_with_iran())
    assert client.get("/topics/nope").status_code == 404
    bad = client.get("/topics/jcpoa?actors=nobody")
    assert bad.status_code == 400 and "no lane for nobody" in bad.get_data(as_text=True)
    assert client.get("/topics/jcpoa.json?by=party").get_json()["error"]["fields"] == {
        "by": "use “government” or “speaker”"
    }


@pytest.mark.parametrize(
    ("query", "uids"),
    [
        ("from=2020&to=2020", ["e-2020b", "i-1", "e-2020"]),
        ("from=2020-12-15", ["e-2020b", "i-1", "e-2020", "i-2"]),  # "2020~" may reach into 2021
        ("kind=interview", ["i-1"]),
        ("confidence=medium", ["e-2020b", "e-2019", "i-1", "e-2020"]),
        ("topic=us-sanctions", ["e-2020"]),
    ],
)
def test_filters_permalink_and_json_twin_agree(app: Flask, client, query: str, uids: list[str]) -> None:
    doc = doc_with_iran()
    doc["actors"][2]["parent"] = None
    doc["actors"].append({"slug": "world", "name": "World", "kind": "group"})
    for a in doc["actors"][:3]:
        a["parent"] = "world"
    load_doc(app, doc)
    page = client.get(f"/actors/world?{query}").get_data(as_text=True)
    data = client.get(f"/actors/world.json?{query}").get_json()
    assert [e["uid"] for e in data["events"]] == uids
    titles = {e["uid"]: e["title"] for e in data["events"]}
    timeline = page[page.index("<h2>Timeline</h2>") :]
    assert re.findall(r"<strong>([^<]+)</strong>", timeline) == [titles[u] for u in uids]


def test_role_at_the_time_is_shown(app: Flask, client) -> None:
    doc = small_doc()
    doc["actors"].append({"slug": "joe-biden", "name": "Joe Biden", "kind": "person"})
    doc["events"] += [
        {
            "uid": "b1",
            "actor": "joe-biden",
            "kind": "interview",
            "title": "Biggest threat",
            "date": "2020-10-25",
            "speaker_role": "President-elect",
        },
        {
            "uid": "b2",
            "actor": "joe-biden",
            "kind": "statement",
            "title": "Later",
            "date": "2021-02",
            "speaker_role": "President of the United States",
        },
    ]
    load_doc(app, doc)
    page = client.get("/actors/joe-biden").get_data(as_text=True)
    assert page.index("as President-elect") < page.index("as President of the United States")


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("firefighter", ["e-2020"]),
        ("fire", ["e-2019", "e-2020"]),  # word prefixes: "fire" finds "firefighter" and "fire brigade"
        ("Путин", ["e-2019"]),  # Russian: Putin's alias
        ("ظریف", ["i-1"]),  # Persian: Zarif's alias
        ("برجام", ["i-1"]),  # Persian: a word of the quote
        ("zarif deal", ["i-1"]),
        ('100% _under_ "quoted" OR NEAR( AND * -x', []),  # operators are words, never syntax
    ],
)
def test_search_in_any_script(app: Flask, client, q: str, expected: list[str]) -> None:
    doc = doc_with_iran()
    doc["events"][1]["title"] = "Tireless firefighter"
    load_doc(app, doc)
    response = client.get("/search.json", query_string={"q": q})
    assert response.status_code == 200
    data = response.get_json()
    assert sorted(r["uid"] for r in data["results"]) == sorted(expected)
    assert data["total"] == len(expected)
    page = client.get("/search", query_string={"q": q})
    assert page.status_code == 200


def test_search_highlights_escaped_and_ranks_title_first(app: Flask, client) -> None:
    doc = doc_with_iran()
    doc["events"][0]["title"] = "<b>Fire</b> & brigade"
    doc["events"][1]["summary"] = "A brigade mentioned only in the summary."
    load_doc(app, doc)
    page = client.get("/search?q=brigade").get_data(as_text=True)
    assert "&lt;b&gt;Fire&lt;/b&gt; &amp; <mark>brigade</mark>" in page
    assert "<b>Fire</b>" not in page
    data = client.get("/search.json?q=brigade").get_json()
    assert [r["uid"] for r in data["results"]] == ["e-2019", "e-2020"]


def test_search_sees_inserts_edits_and_deletes(app: Flask, client) -> None:
    load_doc(app, doc_with_iran())
    assert client.get("/search.json?q=Kremlin").get_json()["total"] == 0
    doc = doc_with_iran()
    doc["events"][0]["summary"] = "Said in the Kremlin"
    load_doc(app, doc)  # an update through import
    assert client.get("/search.json?q=Kremlin").get_json()["total"] == 1
    from sqlalchemy import delete

    from timeline.db import write_session
    from timeline.models import Event

    with app.app_context(), write_session() as s:
        s.execute(delete(Event).where(col(Event.uid) == "e-2019"))
    assert client.get("/search.json?q=Kremlin").get_json()["total"] == 0


def test_search_rejects_overlong_queries_clearly(app: Flask, client) -> None:
    response = client.get("/search", query_string={"q": "x" * 201})
    assert response.status_code == 400 and "too long" in response.get_data(as_text=True)
    assert client.get("/search.json?q=a&page=zero").get_json()["error"]["fields"] == {
        "page": "use a page number from 1 (a whole number, digits 0-9)"  # as every listing says it
    }


def test_build_histories_unused_import_guard() -> None:
    assert build_histories([], {}, {}) == []


def test_topic_comparison_with_twelve_actors(app: Flask, client) -> None:
    doc = small_doc()
    for i in range(12):
        doc["actors"].append({"slug": f"state-{i:02d}", "name": f"State {i:02d}", "kind": "government"})
        doc["events"].append(
            {
                "uid": f"s-{i}",
                "actor": f"state-{i:02d}",
                "kind": "statement",
                "title": f"State {i} speaks",
                "date": f"{2010 + i}-0{1 + i % 9}",
                "stances": [{"topic": "jcpoa", "score": (i % 5) - 2}],
            }
        )
    load_doc(app, doc)
    page = client.get("/topics/jcpoa").get_data(as_text=True)
    lanes = re.findall(r'<g class="lane" data-lane="([^"]+)"', page)
    assert len(lanes) == 13 and lanes[0] == "russia"  # Russia sorts before "State ..."
    svg = re.search(r'<svg width="100%" height="(\d+)"', page)
    assert svg, "the chart is drawn"
    assert int(svg.group(1)) >= 13 * 90  # every lane keeps its height: nothing squeezed
    chosen = client.get("/topics/jcpoa?actors=state-11,state-00,russia").get_data(as_text=True)
    assert re.findall(r'<g class="lane" data-lane="([^"]+)"', chosen) == ["state-11", "state-00", "russia"]


def test_search_follows_actor_renames(app: Flask, client, editor) -> None:
    load_doc(app, doc_with_iran())
    assert client.get("/search.json", query_string={"q": "Кремль"}).get_json()["total"] == 0
    data = {
        "csrf_token": csrf_token(editor),
        "name": "Russia",
        "slug": "russia",
        "kind": "government",
        "aliases": "Кремль",
        "parent": "",
    }
    assert editor.post("/actors/russia/edit", data=data).status_code == 303
    found = client.get("/search.json", query_string={"q": "Кремль"}).get_json()
    assert sorted(r["uid"] for r in found["results"]) == ["e-2020", "e-2020b"]


def test_search_counts_up_to_a_cap_and_pages_through_the_best(app: Flask, client, monkeypatch) -> None:
    load_doc(app, small_doc())
    monkeypatch.setattr("timeline.queries.SEARCH_CAP", 2)  # three events mention Russia's statements
    everything = client.get("/search.json", query_string={"q": "russia"}).get_json()
    assert everything["total"] == 2 and everything["more"] is True and len(everything["results"]) == 2
    page = client.get("/search", query_string={"q": "russia"}).get_data(as_text=True)
    assert "More than 2 events match" in page and "the best 2 are listed" in page
    monkeypatch.setattr("timeline.queries.SEARCH_CAP", 10)
    exact = client.get("/search.json", query_string={"q": "russia"}).get_json()
    assert exact["total"] == 3 and exact["more"] is False
    assert [r["uid"] for r in exact["results"]][:2] == [r["uid"] for r in everything["results"]]
    assert client.get("/search", query_string={"q": "russia", "page": "999"}).status_code == 400
