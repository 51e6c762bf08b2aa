"""Pages as a reader sees them, and their error pages."""

import re

from flask import Flask

from conftest import load_doc, small_doc


def test_home_lists_actors_with_counts_latest_and_topics(app: Flask, client) -> None:
    load_doc(app, small_doc())
    page = client.get("/").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    russia = next(r for r in rows if ">Russia</a>" in r)
    assert "<td>2</td>" in russia and "Tireless firefighter" in russia
    putin = next(r for r in rows if ">Vladimir Putin</a>" in r)
    assert "<td>1</td>" in putin and "15 May 2019" in putin
    assert "JCPOA" in page and "US sanctions" in page


def test_actor_page_shows_history_with_marked_change(app: Flask, client) -> None:
    load_doc(app, small_doc())
    response = client.get("/actors/russia")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # Government page includes its officials' statements, in date order, uncertain dates shown as such.
    timeline = page[page.index("<h2>Timeline</h2>") :]
    assert timeline.index("c. 2020") < timeline.index("15 May 2019") < timeline.index("December 2020")
    assert "Russia is not a firefighting rescue crew…" in page
    history = page[page.index('id="topic-jcpoa"') : page.index("</section>", page.index('id="topic-jcpoa"'))]
    # Putin's −1 and the government's +2 are two speakers' series: no change is claimed between them.
    assert "−1" in history and "+2" in history and 'class="change change-reversal"' not in history
    assert "Vladimir Putin</span>: 1 statement, against (−1)" in history
    assert "Russia</span>: 1 statement, strongly for (+2)" in history
    assert '<link rel="alternate" type="application/json" href="/actors/russia.json">' in page


def test_actor_page_filters_and_json_twin_agree(app: Flask, client) -> None:
    load_doc(app, small_doc())
    query = "topic=jcpoa&from=2020&to=2020-12&confidence=low"
    page = client.get(f"/actors/russia?{query}").get_data(as_text=True)
    doc = client.get(f"/actors/russia.json?{query}").get_json()
    assert [e["uid"] for e in doc["events"]] == ["e-2020"]
    assert "Tireless firefighter" in page and "Not a fire brigade" not in page
    assert 'value="2020-12"' in page  # the filter form shows the permalink's values


def test_bad_filters_name_the_parameter(app: Flask, client) -> None:
    load_doc(app, small_doc())
    response = client.get("/actors/russia?from=yesterday&topic=nope")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Filter “from”" in page and "Filter “topic”" in page
    doc = client.get("/actors/russia.json?kind=rumour").get_json()
    assert doc["error"]["fields"] == {"kind": "unknown kind “rumour”"}


def test_event_page_shows_all_fields(app: Flask, client) -> None:
    doc = small_doc()
    doc["events"][0].update(
        location="Sochi",
        speaker_role="President of Russia",
        date_basis="Press conference",
        source={
            "title": "The article",
            "url": "https://example.org/a",
            "publisher": "RIAC",
            "published": "2020-12",
        },
    )
    load_doc(app, doc)
    page = client.get("/events/1").get_data(as_text=True)
    for text in (
        "Not a fire brigade",
        "Sochi",
        "President of Russia",
        "Press conference",
        "RIAC",
        "December 2020",
        "2019-05-15",
        'href="https://example.org/a" rel="noopener noreferrer nofollow"',
    ):
        assert text in page


def test_unknown_slugs_and_ids_give_404_pages(client) -> None:
    for path in (
        "/actors/nobody",
        "/events/999",
        "/events/99999999999999999999",
        "/actors/nobody.json",
        "/no/such/page",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
    assert "No actor with the slug" in client.get("/actors/nobody").get_data(as_text=True)
    assert client.get("/actors/nobody.json").get_json()["error"]["code"] == "not_found"


def test_html_is_escaped(app: Flask, client) -> None:
    doc = small_doc()
    doc["events"][0]["title"] = "<script>alert(1)</script>{{7*7}}"
    load_doc(app, doc)
    for path in ("/", "/actors/russia", "/events/1"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;{{7*7}}" in page


def test_healthz(client, app: Flask) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path) -> None:
    from timeline import create_app

    missing = tmp_path / "no" / "such" / "dir" / "db.sqlite"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{missing}", "SECRET_KEY": "x"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_pages_are_usable_on_a_phone_and_without_javascript(editor) -> None:
    page = editor.get("/events/new").get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    # JavaScript only enhances (focus, date preview): static files only, the form works without them.
    scripts = re.findall(r"<script[^>]*>", page)
    assert all(re.fullmatch(r'<script src="/static/[a-z-]+\.js" defer>', tag) for tag in scripts), scripts


def test_secret_key_is_generated_once_and_kept_private(tmp_path) -> None:
    from timeline.config import _instance_secret

    first = _instance_secret(tmp_path)
    assert len(first) == 64 and _instance_secret(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only


def _big_doc() -> dict:
    """One actor with 60 statements on one topic and 3 on another; a second actor with 2."""
    events = [
        {
            "uid": f"big-{i:02d}",
            "actor": "big",
            "kind": "statement",
            "title": f"Statement {i:02d}",
            "date": f"{2000 + i // 12}-{i % 12 + 1:02d}",
            "stances": [{"topic": "alpha", "score": (i % 5) - 2}],
        }
        for i in range(60)
    ]
    events += [
        {"uid": f"beta-{i}", "actor": "big", "kind": "statement", "title": f"Beta {i}", "date": f"201{i}",
         "stances": [{"topic": "beta", "score": 1}]}
        for i in range(3)
    ]  # fmt: skip
    events += [
        {"uid": f"small-{i}", "actor": "small", "kind": "statement", "title": f"Small {i}", "date": f"200{i}",
         "stances": [{"topic": "alpha", "score": -1}]}
        for i in range(2)
    ]  # fmt: skip
    return {
        "format": "stance-timeline",
        "version": 1,
        "actors": [
            {"slug": "big", "name": "Big Actor", "kind": "government"},
            {"slug": "small", "name": "Small Actor", "kind": "government"},
        ],
        "topics": [{"slug": "alpha", "name": "Alpha"}, {"slug": "beta", "name": "Beta"}],
        "events": events,
    }


def _section(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end, page.index(start))]


def test_long_timelines_come_in_pages_and_large_histories_open_alone(app: Flask, client) -> None:
    load_doc(app, _big_doc())
    page = client.get("/actors/big").get_data(as_text=True)
    alpha = _section(page, 'id="topic-alpha"', "</section>")
    beta = _section(page, 'id="topic-beta"', "</section>")
    # 60 statements among several topics: the line only, and a link to that topic alone.
    assert "<path" in alpha and "/events/" not in alpha and "Chart as a table" not in alpha
    assert 'href="/actors/big?topic=alpha"' in alpha and "Each of the 60 statements" in alpha
    assert beta.count('href="/events/') == 3 * 3 and "Chart as a table" in beta  # marker, table, badge
    alone = client.get("/actors/big?topic=alpha").get_data(as_text=True)
    chart = _section(alone, 'id="topic-alpha"', "</svg>")
    assert chart.count('href="/events/') == 60
    # The timeline: 25 statements a page, in date order, every filter kept from page to page.
    timeline = _section(page, "<h2>Timeline</h2>", "</ol>")
    assert timeline.count('<li id="event-') == 25 and "Statements 1–25 of 63" in timeline
    assert 'href="/actors/big?page=2"' in page and "← Earlier" not in page
    second = client.get("/actors/big?topic=alpha&page=3").get_data(as_text=True)
    timeline = _section(second, "<h2>Timeline</h2>", "</ol>")
    assert timeline.count('<li id="event-') == 10 and "Statement 59" in timeline and "Beta" not in timeline
    assert 'href="/actors/big?topic=alpha&amp;page=2"' in second and "Later →" not in second
    for bad in ("4", "0", "x", "²"):
        response = client.get(f"/actors/big?page={bad}")
        assert response.status_code == 400
        assert "use a page number from 1 to 3" in response.get_data(as_text=True)
    # The JSON twin is the whole timeline, whatever the page.
    assert len(client.get("/actors/big.json?page=2").get_json()["events"]) == 63


def test_topic_page_lanes_open_alone_and_statements_come_in_pages(app: Flask, client) -> None:
    load_doc(app, _big_doc())
    page = client.get("/topics/alpha").get_data(as_text=True)
    chart = _section(page, "<svg", "</svg>")
    assert chart.count('href="/events/') == 2  # the small lane in detail, the big one as a line
    assert 'href="/topics/alpha?actors=big"' in page and "this lane alone, each statement" in page
    statements = _section(page, "<h2>Statements in date order</h2>", "</ol>")
    assert statements.count('<li id="event-') == 25 and "Statements 1–25 of 62" in statements
    alone = _section(client.get("/topics/alpha?actors=big").get_data(as_text=True), "<svg", "</svg>")
    assert alone.count('href="/events/') == 60
    assert client.get("/topics/alpha?page=9").status_code == 400
