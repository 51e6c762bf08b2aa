"""Home, topics and data pages, the "Share / embed" snippet, the chart embed and the TimelineJS embed
(issue 15), through the test client on the article's seed."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

from flask import Flask
from markupsafe import escape

from timeline.services.reads.overview import home_page

from support.app import load_doc
from support.data import small_doc

STATIC = Path(__file__).resolve().parent.parent / "timeline" / "static"


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_home_shows_what_is_new_topics_and_ways_in(seeded: Flask, client) -> None:
    page = _text(client.get("/"))
    new = page[page.index('id="latest-statements"') : page.index('id="latest-changes"')]
    with seeded.app_context():
        from timeline.db import get_session

        home = home_page(get_session())
    # The newest statements by date, in words ("8 December 2020", not 2020-12-08), with stance badges.
    dates = [item.event.date_earliest for item in home.latest]
    assert dates == sorted(dates, reverse=True) and len(home.latest) == 6
    for item in home.latest:
        assert str(escape(item.event.title)) in new and item.event.date_display in new
        assert not re.search(r"\d{4}-\d{2}-\d{2}", item.event.date_display)
    assert 'class="badge score-' in new
    # The latest stance changes, each with its two statements' dates.
    changes = page[page.index('id="latest-changes"') : page.index("<h2>Topics</h2>")]
    assert home.changes and f"{home.changes[0].speaker_name}</a>" in changes
    assert re.search(r'class="change change-(shift|reversal)"', changes)
    # Topics with their counts; the ways into comparison, the matrix and the data page.
    topics = page[page.index("<h2>Topics</h2>") : page.index("<h2>Actors</h2>")]
    for topic, count in home.topics:
        assert f'href="/topics/{topic.slug}"' in topics and f"{count} stance" in topics
    assert 'href="/matrix"' in page and 'href="/topics"' in page and 'href="/data"' in page


def test_navigation_has_topics_and_data_not_export_all(seeded: Flask, client) -> None:
    page = _text(client.get("/actors/russia"))
    header = page[page.index("<header") : page.index("</header>")]
    assert '<details class="site-menu">' in header and "<summary>Menu</summary>" in header
    assert '<a href="/topics">Topics</a>' in header and '<a href="/data">Data</a>' in header
    assert "/export.json" not in header  # the export-all link moved to the data page


def test_topics_index_lists_every_topic_with_counts(seeded: Flask, client) -> None:
    page = _text(client.get("/topics"))
    with seeded.app_context():
        from timeline.db import get_session

        topics = home_page(get_session()).topics
    assert len(topics) > 3
    for topic, count in topics:
        assert f'href="/topics/{topic.slug}"' in page and f"{count} stance" in page


def test_data_page_lists_every_download_with_its_file_name(seeded: Flask, client) -> None:
    page = _text(client.get("/data"))
    for href in ('href="/export.json"', 'href="/export.csv"', 'href="/api/v1/openapi.json"'):
        assert href in page
    for name in ("stance-timeline-export.json", "stance-timeline-export.csv", "jcpoa_2019-2020.csv"):
        assert f"<code>{name}</code>" in page
    # The form narrows the export: it sends topic, from and to to /export.csv.
    form = page[page.index('<form class="filters"') :].split("</form>")[0]
    assert 'action="/export.csv"' in form and 'name="topic"' in form and 'name="from"' in form
    assert '<option value="jcpoa">' in form
    # What that form's download holds: only JCPOA rows of 2019 and 2020, named for them.
    response = client.get("/export.csv?topic=jcpoa&from=2019&to=2020")
    assert 'filename="jcpoa_2019-2020.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows and {r["topic"] for r in rows} == {"jcpoa"}
    # A statement counts when its possible dates overlap 2019-2020.
    assert all(r["date_latest"] >= "2019-01-01" and r["date_earliest"] <= "2020-12-31" for r in rows)
    everything = list(csv.DictReader(io.StringIO(client.get("/export.csv").get_data(as_text=True))))
    assert len(everything) > len(rows) and any(r["date_latest"] < "2019-01-01" for r in everything)


def test_share_snippet_on_actor_and_topic_pages(seeded: Flask, client) -> None:
    for path, chart, story in (
        ("/actors/russia", "/actors/russia/embed/chart", "/actors/russia/embed"),
        ("/topics/jcpoa", "/topics/jcpoa/embed/chart", "/topics/jcpoa/embed"),
    ):
        page = _text(client.get(path))
        box = page[
            page.index('<details class="share"') : page.index("</details>", page.index('class="share"'))
        ]
        assert "<summary>Share / embed</summary>" in box
        snippets = [
            html.unescape(t) for t in re.findall(r"<textarea[^>]*readonly[^>]*>(.*?)</textarea>", box)
        ]
        assert len(snippets) == 2
        assert (
            snippets[0].startswith(f'<iframe src="http://localhost{chart}"') and 'height="600"' in snippets[0]
        )
        assert snippets[1].startswith(f'<iframe src="http://localhost{story}"')
        # Height presets work without JavaScript: links that reload with the snippet at that height.
        assert f'href="{path}?embed_height=400#share"' in box and 'data-height="800"' in box
        taller = _text(client.get(path + "?embed_height=800"))
        box = taller[taller.index('<details class="share"') :]
        assert box.startswith('<details class="share" id="share" open>')
        assert "height=&#34;800&#34;" in box.split("</details>")[0]
        assert 'src="/static/share.js"' in page


def test_share_snippet_carries_the_filters_and_rejects_unknown_heights(seeded: Flask, client) -> None:
    page = _text(client.get("/topics/jcpoa?actors=russia,iran&from=2019&page=1"))
    box = page[page.index('<details class="share"') :].split("</details>")[0]
    found = re.search(r"src=&#34;(.*?)&#34;", box)
    assert found is not None
    src = html.unescape(found.group(1))
    assert src.startswith("http://localhost/topics/jcpoa/embed/chart?")
    assert "actors=russia" in src and "from=2019" in src and "page=" not in src
    wrong = _text(client.get("/actors/russia?embed_height=9999"))
    box = wrong[wrong.index('<details class="share"') :].split("</details>")[0]
    assert "Embed height: use one of 400, 600, 800 (pixels)" in box and "height=&#34;600&#34;" in box


def test_chart_embed_may_be_framed_and_keeps_legend_and_evidence(seeded: Flask, client) -> None:
    for path, expected_title in (
        ("/actors/russia/embed/chart", "Russia"),
        ("/topics/jcpoa/embed/chart?actors=russia,iran", "JCPOA"),
    ):
        response = client.get(path)
        page = _text(response)
        assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in response.headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in response.headers
        assert '<base target="_top">' in page  # evidence links open in the reader's window
        assert 'class="stance-chart"' in page and 'aria-label="Chart legend"' in page
        # Each point links to its evidence, opened in the reader's window.
        assert re.search(r'<a href="/events/\d+" target="_top" class="point', page)
        assert expected_title in page and "<header" not in page  # minimal chrome: no site header
    # Only the embeds may be framed.
    assert client.get("/actors/russia").headers["X-Frame-Options"] == "DENY"
    assert client.get("/topics/jcpoa").headers["X-Frame-Options"] == "DENY"


def test_chart_embed_errors_name_the_field(seeded: Flask, client) -> None:
    response = client.get("/topics/jcpoa/embed/chart?actors=nobody")
    assert response.status_code == 400 and "Filter “actors”" in response.get_data(as_text=True)
    response = client.get("/actors/russia/embed/chart?from=2021-02-30")
    assert response.status_code == 400 and "Filter “from”" in response.get_data(as_text=True)
    assert client.get("/actors/nobody/embed/chart").status_code == 404
    assert client.get("/topics/nobody/embed").status_code == 404


def test_topic_story_embed_loads_its_timelinejs_document(seeded: Flask, client) -> None:
    response = client.get("/topics/jcpoa/embed?from=2019")
    page = _text(response)
    assert 'data-source="/topics/jcpoa.timelinejs.json?from=2019"' in page
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]


def test_timelinejs_slides_carry_badges_and_every_topic(app: Flask, client) -> None:
    doc = small_doc()
    # Putin's statement now carries two topics: it is filed under both.
    doc["events"][0]["stances"].append({"topic": "us-sanctions", "score": -2})
    load_doc(app, doc)
    slides = client.get("/actors/russia.timelinejs.json").get_json()["events"]
    assert all(s["autolink"] is False for s in slides)  # TimelineJS's autolink adds inline onclick
    first = next(s for s in slides if s["unique_id"] == "1")
    copy = next(s for s in slides if s["unique_id"] == "1-us-sanctions")
    assert first["group"] == "JCPOA" and copy["group"] == "US sanctions"
    assert "The same statement as under JCPOA" in copy["text"]["text"]
    assert "The same statement" not in first["text"]["text"]
    for slide in (first, copy):
        text = slide["text"]["text"]
        assert '<span class="tl-badge score-neg">JCPOA: against (-1)</span>' in text
        assert '<span class="tl-badge score-neg">US sanctions: strongly against (-2)</span>' in text
    # A topic's TimelineJS: one slide per statement (grouped by actor).
    topic = client.get("/topics/us-sanctions.timelinejs.json").get_json()["events"]
    assert len({s["unique_id"] for s in topic}) == len(topic)


def test_vendored_timelinejs_sets_no_inline_event_handler() -> None:
    source = (STATIC / "vendor" / "timelinejs" / "js" / "timeline.js").read_text(encoding="utf-8")
    # An inline ontouchstart attribute breaks the embed's CSP on touch devices (see VERSION).
    assert 'setAttribute("ontouchstart"' not in source
    assert source.count('removeAttribute("ontouchstart")') == 2
    css = (STATIC / "embed.css").read_text(encoding="utf-8")
    assert ".tl-badge.score-pos" in css and ".tl-timegroup .tl-timegroup-message" in css


def test_quotes_rule_follows_the_writing_direction() -> None:
    css = (STATIC / "site.css").read_text(encoding="utf-8")
    assert "border-left" not in css and re.search(r"blockquote \{[^}]*border-inline-start", css)
    assert "overflow-wrap:anywhere" in css and "td[data-label]::before" in css


def test_home_of_an_empty_site_says_how_to_start(client) -> None:
    page = _text(client.get("/"))
    assert "Latest statements" not in page and "No topics yet." in page
    assert 'No actors yet. <a href="/events/new">Add the first event</a>' in page
    assert _text(client.get("/topics")).count("No topics yet.") == 1
    assert 'href="/export.csv"' in _text(client.get("/data"))
