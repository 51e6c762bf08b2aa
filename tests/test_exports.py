"""TimelineJS documents, the embed page, CSV exports and the editors' import page."""

import csv
import io
import json

import pytest
from flask import Flask

from support.app import counts, load_doc
from support.data import small_doc
from support.web import csrf_token


@pytest.fixture
def loaded(app: Flask) -> Flask:
    doc = small_doc()
    doc["events"][0].update(
        source={"title": "The <b>article</b>", "url": "https://example.org/a", "publisher": "RIAC"},
        summary="<script>alert(1)</script>",
        speaker_role="President",
    )
    doc["events"][2]["date"] = "2020-11/2020-12"
    doc["events"][2]["title"] = '=HYPERLINK("http://evil")'
    doc["events"][2]["quote"] = "+1 -1 @SUM(A1)"
    load_doc(app, doc)
    return app


def test_timelinejs_document_meets_timelinejs3_expectations(loaded: Flask, client) -> None:
    doc = client.get("/actors/russia.timelinejs.json").get_json()
    assert set(doc) == {"title", "events"} and doc["title"]["text"]["headline"] == "Russia"
    slides = {s["unique_id"]: s for s in doc["events"]}
    # unique_id = event id, every event present; e-2020 (JCPOA and US sanctions) is filed under both
    # topics: its copy under the second says so (issue 15).
    assert set(slides) == {"1", "2", "2-us-sanctions", "3"}
    assert "The same statement as under JCPOA" in slides["2-us-sanctions"]["text"]["text"]
    for slide in doc["events"]:
        # TimelineJS3 needs a start_date with an integer year; months and days only when known.
        assert isinstance(slide["start_date"]["year"], int)
        assert set(slide["start_date"]) <= {"year", "month", "day", "display_date"}
        assert slide["text"]["headline"] and "display_date" in slide
    putin = slides["1"]
    assert putin["start_date"] == {"year": 2019, "month": 5, "day": 15, "display_date": "15 May 2019"}
    assert putin["group"] == "JCPOA"
    assert putin["media"]["url"] == "<blockquote>Russia is not a firefighting rescue crew…</blockquote>"
    assert putin["media"]["credit"] == "RIAC" and putin["media"]["link"] == "https://example.org/a"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in putin["text"]["text"]
    assert "<script>" not in json.dumps(doc)
    month = slides["2"]
    assert month["start_date"] == {"year": 2020, "month": 12, "display_date": "December 2020"}
    interval = slides["3"]
    assert interval["start_date"] == {
        "year": 2020,
        "month": 11,
        "display_date": "November 2020 – December 2020",
    }
    assert interval["end_date"] == {"year": 2020, "month": 12}
    assert interval["group"] == "No stance"


def test_topic_timelinejs_groups_by_actor(loaded: Flask, client) -> None:
    doc = client.get("/topics/jcpoa.timelinejs.json").get_json()
    assert sorted(s["group"] for s in doc["events"]) == ["Russia", "Vladimir Putin"]
    assert client.get("/topics/nope.timelinejs.json").status_code == 404


def test_approximate_year_keeps_only_the_year(app: Flask, client) -> None:
    doc = small_doc()
    doc["events"][2]["date"] = "2019~"
    load_doc(app, doc)
    slide = next(
        s for s in client.get("/actors/russia.timelinejs.json").get_json()["events"] if s["unique_id"] == "3"
    )
    assert (
        slide["start_date"] == {"year": 2019, "display_date": "c. 2019"}
        and slide["display_date"] == "c. 2019"
    )


def test_embed_page_uses_local_timelinejs_and_may_be_framed(loaded: Flask, client) -> None:
    response = client.get("/actors/russia/embed")
    page = response.get_data(as_text=True)
    assert '<script src="/static/vendor/timelinejs/js/timeline.js"></script>' in page
    assert 'data-source="/actors/russia.timelinejs.json"' in page
    assert "cdn." not in page and "<noscript>" in page
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp and "script-src 'self';" in csp
    assert "X-Frame-Options" not in response.headers
    script = client.get("/static/vendor/timelinejs/js/timeline.js")
    assert script.status_code == 200
    script.close()
    assert client.get("/actors/russia").headers["X-Frame-Options"] == "DENY"  # other pages may not


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_actor_csv_rows_per_stance_and_formula_safety(loaded: Flask, client) -> None:
    response = client.get("/actors/russia.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="russia.csv"'
    text = response.get_data(as_text=True)
    assert not text.startswith("\ufeff")
    rows = read_csv(text)
    assert [(r["uid"], r["topic"], r["score"]) for r in rows] == [
        ("e-2019", "jcpoa", "-1"),
        ("e-2020b", "", ""),
        ("e-2020", "jcpoa", "2"),
        ("e-2020", "us-sanctions", "-2"),
    ]
    formula = next(r for r in rows if r["uid"] == "e-2020b")
    assert formula["title"] == '\'=HYPERLINK("http://evil")' and formula["quote"] == "'+1 -1 @SUM(A1)"
    assert read_csv(text)[0]["summary"] == "<script>alert(1)</script>"  # CSV is data: kept as text


def test_full_csv_with_bom_and_non_latin_text(loaded: Flask, client) -> None:
    text = client.get("/export.csv?bom=1").get_data(as_text=True)
    assert text.startswith("\ufeffevent_id,uid,")
    rows = read_csv(text.lstrip("\ufeff"))
    assert len(rows) == 4 and rows[0]["actor_name"] == "Vladimir Putin"


def test_import_page_dry_run_then_real(app: Flask, editor) -> None:
    payload = json.dumps(small_doc()).encode()
    page = editor.get("/import")
    assert page.status_code == 200
    dry = editor.post(
        "/import",
        data={"csrf_token": csrf_token(editor), "dry_run": "1", "file": (io.BytesIO(payload), "data.json")},
    )
    assert dry.status_code == 200 and "Dry run: nothing was stored" in dry.get_data(as_text=True)
    assert counts(app) == (0, 0, 0)
    real = editor.post(
        "/import", data={"csrf_token": csrf_token(editor), "file": (io.BytesIO(payload), "d.json")}
    )
    assert "Imported." in real.get_data(as_text=True) and counts(app) == (2, 3, 3)
    bad = small_doc()
    bad["events"][1]["date"] = "2020-13"
    refused = editor.post(
        "/import",
        data={"csrf_token": csrf_token(editor), "file": (io.BytesIO(json.dumps(bad).encode()), "bad.json")},
    )
    assert refused.status_code == 422 and "events[1] (e-2020)" in refused.get_data(as_text=True)
    nan = editor.post(
        "/import",
        data={"csrf_token": csrf_token(editor), "file": (io.BytesIO(b'{"version": NaN}'), "nan.json")},
    )
    assert nan.status_code == 400 and "NaN" in nan.get_data(as_text=True)


def test_import_page_is_for_editors(client) -> None:
    assert client.get("/import").status_code == 302
