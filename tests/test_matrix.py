"""The as-of matrix: the service without HTTP, then the page and its JSON and CSV twins."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from flask import Flask

from timeline.db import get_session
from timeline.services.errors import Invalid
from timeline.services.matrix import NONE, STANCE, UNORDERED, Matrix, MatrixCell, as_of_matrix, parse_day

from support.app import load_doc
from support.histories import history_doc


def cells(matrix: Matrix) -> dict[tuple[str, str], MatrixCell]:
    return {
        (r.speaker.slug, t.slug): c for r in matrix.rows for t, c in zip(matrix.topics, r.cells, strict=True)
    }


def test_latest_ordered_score_per_speaker_as_of_a_day(app: Flask) -> None:
    load_doc(app, history_doc())
    with app.app_context():
        matrix = as_of_matrix(get_session(), date(2020, 12, 31))
        grid = cells(matrix)
        assert [t.slug for t in matrix.topics] == ["gas", "jcpoa", "look-east"]
        # Officials are rows of their own, under their government.
        assert [(r.speaker.slug, r.government.slug) for r in matrix.rows] == [
            ("iran", "iran"), ("zarif", "iran"), ("majlis", "iran"), ("russia", "russia")
        ]  # fmt: skip
        zarif = grid[("zarif", "jcpoa")]
        assert zarif.now.statement is not None
        assert (zarif.now.state, zarif.now.score, zarif.now.statement.event_uid) == (STANCE, 2, "j-2")
        # j-3 (January 2021) is not yet said; le-1/le-2 ("November 2020 – January 2021") might not be either.
        assert grid[("zarif", "look-east")].now.state == NONE
        assert grid[("iran", "look-east")].now.state == NONE
        assert grid[("iran", "jcpoa")].now.score == 1  # the 2001 statement is the latest by then
        later = cells(as_of_matrix(get_session(), date(2021, 1, 31)))
        unknown = later[("iran", "look-east")].now
        assert unknown.state == UNORDERED and {p.event_uid for p in unknown.candidates} == {"le-1", "le-2"}
        assert later[("zarif", "jcpoa")].now.score == -1


def test_compare_says_what_changed(app: Flask) -> None:
    load_doc(app, history_doc())
    with app.app_context():
        grid = cells(as_of_matrix(get_session(), date(2020, 12, 31), date(2019, 12, 31)))
    russia = grid[("russia", "jcpoa")]
    assert russia.then is not None
    assert (russia.then.score, russia.now.score, russia.change) == (-1, 2, "reversal")
    assert grid[("zarif", "jcpoa")].change == "new"
    assert grid[("iran", "jcpoa")].change == "unchanged"


@pytest.mark.parametrize("text", ["2020-13-01", "soon", "2020-12-31/2020-01-01"])
def test_a_bad_day_names_its_field(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_day("compare", text, None)
    assert list(caught.value.fields) == ["compare"]


def test_matrix_page_json_and_csv_render_the_same_object(app: Flask, client) -> None:
    load_doc(app, history_doc())
    page = client.get("/matrix?as_of=2020-12-31&compare=2019-12-31").get_data(as_text=True)
    assert "Where each speaker stood on 2020-12-31" in page
    twin = "/matrix.json?as_of=2020-12-31&amp;compare=2019-12-31"
    assert f'<link rel="alternate" type="application/json" href="{twin}">' in page
    # A cell links its statement, says what changed and what it was.
    row = page[page.index('href="/actors/russia"') :]
    cell = row[row.index('data-topic="jcpoa"') :]
    cell = cell[: cell.index("</td>")]
    assert "strongly for (+2)" in cell and "/events/" in cell
    assert "reversal since 2019-12-31, from" in cell and "against (−1)" in cell
    assert "no statement" in page
    doc = client.get("/matrix.json?as_of=2021-01-31&compare=2019-12-31").get_json()
    assert (doc["as_of"], doc["compare"]) == ("2021-01-31", "2019-12-31")
    iran = next(r for r in doc["rows"] if r["speaker"] == "iran")
    look_east = iran["cells"]["look-east"]
    assert look_east["as_of"]["state"] == UNORDERED and look_east["change"] == "unknown"
    assert sorted(c["event_uid"] for c in look_east["as_of"]["candidates"]) == ["le-1", "le-2"]
    zarif = next(r for r in doc["rows"] if r["speaker"] == "zarif")
    assert zarif["government"] == "iran"
    assert zarif["cells"]["jcpoa"]["as_of"] == {
        "state": STANCE, "score": -1, "event_uid": "j-3", "date": "2021-01-15", "candidates": []
    }  # fmt: skip
    response = client.get("/matrix.csv?as_of=2020-12-31&compare=2019-12-31")
    assert response.mimetype == "text/csv"
    assert 'filename="stances-as-of-2020-12-31.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    russia = next(r for r in rows if (r["speaker"], r["topic"]) == ("russia", "jcpoa"))
    assert (russia["score"], russia["compare_score"], russia["change"], russia["event_uid"]) == (
        "2",
        "-1",
        "reversal",
        "r-2",
    )


def test_bad_dates_are_errors_at_their_fields(app: Flask, client) -> None:
    load_doc(app, history_doc())
    response = client.get("/matrix?as_of=2020-31-12&compare=2019-12-31")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="as_of-error"' in page and 'aria-invalid="true"' in page
    assert 'value="2020-31-12"' in page  # what was typed stays
    error = client.get("/matrix.json?as_of=2020&compare=whenever").get_json()["error"]
    assert list(error["fields"]) == ["compare"]
    assert client.get("/matrix.csv?as_of=x").status_code == 400


def test_matrix_is_linked_from_home_actor_and_topic_pages(app: Flask, client) -> None:
    load_doc(app, history_doc())
    for url in ("/", "/actors/iran", "/topics/jcpoa"):
        assert 'href="/matrix"' in client.get(url).get_data(as_text=True), url
