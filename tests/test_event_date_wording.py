"""The event page's date line: the date in words, its EDTF, and the range of days it could be only when
that range is more than one day (a day-precise date does not read "between 2019-05-15 and 2019-05-15")."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import col, select

from timeline.db import get_session
from timeline.models import Event

from support.app import id_of, load_doc
from support.data import small_doc


@pytest.fixture
def loaded(app: Flask) -> Flask:
    load_doc(app, small_doc())
    return app


def date_line(app: Flask, client: FlaskClient, uid: str) -> str:
    """The text of the event page's date line (tags dropped, spaces folded)."""
    with app.app_context():
        event = get_session().exec(select(Event).where(col(Event.uid) == uid)).one()
        event_id = id_of(event)
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    found = re.search(r'<p><span class="date">.*?</p>', page, re.S)
    assert found is not None, page[:2000]
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(0)).split())


def test_a_day_precise_date_shows_no_range(loaded: Flask, client: FlaskClient) -> None:
    line = date_line(loaded, client, "e-2019")
    assert line.startswith("15 May 2019 (EDTF 2019-05-15)"), line
    assert "between" not in line


def test_a_month_and_an_approximate_year_show_their_range(loaded: Flask, client: FlaskClient) -> None:
    month = date_line(loaded, client, "e-2020")
    assert "(EDTF 2020-12: between 2020-12-01 and 2020-12-31)" in month, month
    approximate = date_line(loaded, client, "e-2020b")
    assert "(EDTF 2020~: between 2019-01-01 and 2021-12-31)" in approximate, approximate  # a year either side
