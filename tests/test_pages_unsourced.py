"""Unsourced events (no source, or a statement without a quote) are marked where readers meet them
outside the listings: the home page's latest statements, the TimelineJS JSON of actor and topic views
(the story embed's slides), and the chart embed's tooltips and table (issue 15)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from support.app import load_doc
from support.data import small_doc
from support.web import found

SOURCED = "Not a fire brigade"  # a statement with its quote and, here, its source
BARE = "Tireless firefighter"  # a statement with neither
STATIC = Path(__file__).resolve().parent.parent / "timeline" / "static"


@pytest.fixture
def marked(app: Flask) -> Flask:
    doc = small_doc()
    doc["events"][0]["source"] = {"url": "https://example.org/kremlin", "title": "Kremlin transcript"}
    load_doc(app, doc)
    return app


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_home_marks_unsourced_latest_statements(marked: Flask, client: FlaskClient) -> None:
    page = _page(client, "/")
    latest = page[page.index('id="latest-statements"') : page.index('id="latest-changes"')]
    items = {
        title: item
        for item in re.findall(r"<li>(.*?)</li>", latest, re.S)
        for title in re.findall(r"<strong>([^<]+)</strong>", item)
    }
    assert 'class="badge unsourced"' in items[BARE]
    assert "unsourced" not in items[SOURCED]


@pytest.mark.parametrize(
    "url",
    [f"/{view}.timelinejs.json" for view in ("topics/jcpoa", "actors/russia", "actors/vladimir-putin")],
)
def test_timelinejs_slides_say_unsourced(marked: Flask, client: FlaskClient, url: str) -> None:
    slides = client.get(url).get_json()["events"]
    by_title: dict[str, list[str]] = {}
    for slide in slides:
        by_title.setdefault(html.unescape(slide["text"]["headline"]), []).append(slide["text"]["text"])
    assert by_title, url
    for title, texts in by_title.items():
        for text in texts:  # every copy of a slide (filed under each of its topics) says it
            if title == SOURCED:
                assert "unsourced" not in text
            elif title == BARE:
                assert 'class="tl-badge tl-badge-unsourced">unsourced</span>' in text
                assert "saved without a source and without a quote" in text


def test_story_embed_reads_the_marked_document(marked: Flask, client: FlaskClient) -> None:
    embed = _page(client, "/topics/jcpoa/embed")
    source = html.unescape(found(r'data-source="([^"]+)"', embed))
    texts = [s["text"]["text"] for s in client.get(source).get_json()["events"]]
    assert any("tl-badge-unsourced" in t for t in texts) and not all("tl-badge-unsourced" in t for t in texts)
    css = (STATIC / "embed.css").read_text(encoding="utf-8")
    assert ".tl-badge.tl-badge-unsourced" in css


@pytest.mark.parametrize("url", ["/topics/jcpoa/embed/chart", "/actors/russia/embed/chart"])
def test_chart_embed_marks_unsourced_in_tip_and_table(marked: Flask, client: FlaskClient, url: str) -> None:
    page = _page(client, url)
    tips = [html.unescape(t) for t in re.findall(r'data-tip="([^"]*)"', page)]
    assert any(BARE in t for t in tips)
    for tip in tips:
        assert ("unsourced" in tip) == (BARE in tip), tip
    rows = {
        html.unescape(title): row
        for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)
        for title in re.findall(r'dir="auto">([^<]+)</a>', row)
    }
    assert 'class="badge unsourced"' in rows[BARE]
    if SOURCED in rows:
        assert "unsourced" not in rows[SOURCED]
