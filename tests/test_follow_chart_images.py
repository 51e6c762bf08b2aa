"""Chart images (issue 18): /actors/<slug>/chart.svg|png and /topics/<slug>/chart.svg|png, with the
pages' filters and the legend, rendered without a browser; cached; og:image and twitter:image."""

from __future__ import annotations

import io
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from timeline.db import write_session
from timeline.schemas import EventIn
from timeline.services import chart_images
from timeline.services.events import create_event

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(body: bytes) -> list[str]:
    root = ElementTree.fromstring(body)
    assert root.tag == f"{SVG}svg"
    return ["".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")]


def marker_count(body: bytes) -> int:
    return sum(1 for _ in ElementTree.fromstring(body).iter(f"{SVG}use")) - 3  # the legend's three shapes


def test_actor_svg_parses_and_holds_the_legend_and_the_pages_lines(
    seeded: Flask, client: FlaskClient
) -> None:
    response = client.get("/actors/iran/chart.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    texts = svg_texts(response.get_data())
    assert "Government of Iran: stance history" in texts
    for words in ("for", "neutral", "against", "reversal", "possible dates"):
        assert words in texts, words
    assert "order unknown (dates overlap), no change claimed" in texts
    # The legend names each speaker's line, and each lane is a topic.
    assert "Government of Iran" in texts and "Islamic Consultative Assembly (Majlis) of Iran" in texts
    page_json = client.get("/actors/iran.json").get_json()
    for history in page_json["histories"]:
        assert history["topic_name"] in texts
    # One marker per statement with a stance on each topic.
    assert marker_count(response.get_data()) == sum(len(h["points"]) for h in page_json["histories"])


def test_filters_apply_as_on_the_pages(seeded: Flask, client: FlaskClient) -> None:
    everything = svg_texts(client.get("/actors/iran/chart.svg").get_data())
    body = client.get("/actors/iran/chart.svg?topic=jcpoa&from=2020").get_data()
    texts = svg_texts(body)
    histories = client.get("/actors/iran.json?topic=jcpoa&from=2020").get_json()["histories"]
    names = {h["topic_name"] for h in histories}
    assert "JCPOA (Iran nuclear deal)" in names and names <= set(texts)
    assert len(set(everything) - set(texts)) > 0  # topics and speakers the filters left out are not drawn
    assert (
        marker_count(body)
        == sum(len(h["points"]) for h in histories)
        < marker_count(client.get("/actors/iran/chart.svg").get_data())
    )

    body = client.get("/topics/jcpoa/chart.svg?actors=Russia,Iran").get_data()
    texts = svg_texts(body)
    assert "JCPOA (Iran nuclear deal): stances compared" in texts
    lanes = client.get("/topics/jcpoa.json?actors=Russia,Iran").get_json()
    assert "Government of Russia" in texts and "Government of Iran" in texts
    assert "United States" not in " ".join(texts)
    assert marker_count(body) == sum(len(h["points"]) for h in lanes["histories"]) > 0


@pytest.mark.parametrize("path", ["/actors/russia/chart.png", "/topics/jcpoa/chart.png?from=2019"])
def test_png_is_a_real_image_of_the_chart(seeded: Flask, client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.get_data()))
    image.load()
    assert image.format == "PNG"
    width, height = image.size
    assert width == 2 * chart_images.WIDTH and 300 < height < 6000
    rgb = image.convert("RGB")
    colours = rgb.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 20  # lines, markers, text: not a blank canvas
    # The stance colours of the markers are drawn (for: green, against: red).
    present = {c for _n, c in colours}
    assert (0x1E, 0x7B, 0x46) in present or (0xB3, 0x26, 0x1E) in present
    background = max(colours)[1]
    assert background in ((255, 255, 255), (0xFB, 0xFC, 0xFD))
    assert sum(n for n, c in colours if c != background) > width * height // 50


def test_images_are_cached_and_renewed_by_a_write(
    seeded: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[int] = []
    real = chart_images.png

    def counting(svg: str) -> bytes:
        rendered.append(1)
        return real(svg)

    monkeypatch.setattr(chart_images, "png", counting)
    first = client.get("/actors/iran/chart.png")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    assert client.get("/actors/iran/chart.png").get_data() == first.get_data()
    assert client.get("/actors/iran/chart.png", headers={"If-None-Match": etag}).status_code == 304
    assert len(rendered) == 1
    svg_etag = client.get("/topics/us-sanctions/chart.svg").headers["ETag"]
    with seeded.app_context(), write_session() as session:
        create_event(
            session,
            EventIn.model_validate(
                {
                    "uid": "iran-2030-sanctions",
                    "actor": "iran",
                    "kind": "statement",
                    "title": "Sanctions have their uses",
                    "date": "2030-01-01",
                    "stances": [{"topic": "us-sanctions", "score": 1}],
                }
            ),
        )
    fresh = client.get("/actors/iran/chart.png", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.get_data() != first.get_data() and len(rendered) == 2
    svg = client.get("/topics/us-sanctions/chart.svg", headers={"If-None-Match": svg_etag})
    assert svg.status_code == 200 and "2030" in " ".join(svg_texts(svg.get_data()))


def test_pages_carry_og_and_twitter_images(seeded: Flask, client: FlaskClient) -> None:
    page = client.get("/actors/russia?topic=jcpoa&page=1").get_data(as_text=True)
    url = "http://localhost/actors/russia/chart.png?topic=jcpoa"
    assert f'<meta property="og:image" content="{url}">' in page
    assert f'<meta name="twitter:image" content="{url}">' in page
    page = client.get("/topics/jcpoa?from=2020").get_data(as_text=True)
    url = "http://localhost/topics/jcpoa/chart.png?from=2020"
    assert f'<meta property="og:image" content="{url}">' in page
    assert f'<meta name="twitter:image" content="{url}">' in page
    assert client.get(url).status_code == 200


def test_bad_image_requests_name_the_field(seeded: Flask, client: FlaskClient) -> None:
    for path, field in (
        ("/actors/russia/chart.png?kind=rumour", "kind"),
        ("/actors/russia/chart.svg?from=2020-13", "from"),
        ("/topics/jcpoa/chart.png?actors=nobody", "actors"),
        ("/topics/jcpoa/chart.svg?by=mood", "by"),
    ):
        response = client.get(path)
        assert response.status_code == 400, path
        assert field in response.get_json()["error"]["fields"], path
    assert client.get("/actors/nobody/chart.png").status_code == 404
    assert client.get("/topics/nothing/chart.svg").status_code == 404
    assert client.get("/actors/russia/chart.gif").status_code == 404
    # A view with nothing to chart says so (404 in the error shape), never a blank image or a 500.
    empty = client.get("/actors/russia/chart.png?from=1800&to=1801")
    assert empty.status_code == 404 and empty.get_json()["error"]["code"] == "no_chart"


def test_png_without_cairo_is_a_clear_503_not_a_500(
    seeded: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_cairo(name: str, *args, **kwargs):
        if name == "cairosvg":
            raise OSError('no library called "cairo-2" was found')
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(__import__("sys").modules, "cairosvg", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_cairo)
    response = client.get("/actors/iran/chart.png")
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "png_unavailable" and "libcairo2" in error["message"]
    assert client.get("/actors/iran/chart.svg").status_code == 200


def test_axis_all_as_on_the_pages(seeded: Flask, client: FlaskClient) -> None:
    """A statement far from the rest is pinned to the edge with its date; ?axis=all spreads the axis."""
    focused = svg_texts(client.get("/actors/russia/chart.svg").get_data())
    whole = svg_texts(client.get("/actors/russia/chart.svg?axis=all").get_data())
    assert any(t.startswith("« ") for t in focused)  # the 2001 treaty, pinned with its date
    assert not any(t.startswith("« ") for t in whole)
    response = client.get("/topics/jcpoa/chart.png?axis=some")
    assert response.status_code == 400 and "axis" in response.get_json()["error"]["fields"]
