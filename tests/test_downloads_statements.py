"""An actor's and a topic's statements as files: the CSV (a named attachment, a byte order mark on
`?bom=1`, only the filtered topic's rows) and the TimelineJS document (a file with `?download=1`)."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from support.app import load_doc
from support.data import small_doc


@pytest.fixture
def loaded(app: Flask) -> Flask:
    load_doc(app, small_doc())
    return app


@pytest.mark.parametrize(
    ("path", "filename"),
    [
        ("/actors/russia.csv?topic=jcpoa", "russia_jcpoa.csv"),
        ("/topics/jcpoa.csv?from=2019&to=2020", "jcpoa_2019-2020.csv"),
    ],
)
def test_statements_csv_is_a_named_file_with_one_topics_rows(
    loaded: Flask, client: FlaskClient, path: str, filename: str
) -> None:
    plain = client.get(path)
    assert plain.status_code == 200 and plain.mimetype == "text/csv"
    assert plain.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    text = plain.get_data(as_text=True)
    assert text.startswith("event_id,uid,")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["topic"] for r in rows} == {"jcpoa"}
    with_bom = client.get(path + "&bom=1")
    assert with_bom.headers["Content-Disposition"] == plain.headers["Content-Disposition"]
    assert with_bom.get_data(as_text=True) == "\ufeff" + text


@pytest.mark.parametrize(
    ("path", "filename", "headline"),
    [
        ("/actors/russia.timelinejs.json", "russia.timelinejs.json", "Russia"),
        ("/topics/jcpoa.timelinejs.json", "jcpoa.timelinejs.json", "JCPOA"),
    ],
)
def test_timelinejs_is_a_file_only_on_request(
    loaded: Flask, client: FlaskClient, path: str, filename: str, headline: str
) -> None:
    shown = client.get(path)
    assert shown.status_code == 200 and "Content-Disposition" not in shown.headers
    document = shown.get_json()
    assert document["title"]["text"]["headline"] == headline and document["events"]
    offered = client.get(path + "?download=1")
    assert offered.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert offered.get_json() == document
