"""The article's dataset: complete, verbatim, honestly dated, and loaded idempotently."""

import json
import os

import jsonschema
import pytest
from flask import Flask

from timeline.dates import parse_date

from support.app import counts
from support.data import ARTICLE, EXPORT_SCHEMA, SEED_FILE

SEED = json.loads(SEED_FILE.read_text(encoding="utf-8"))
EVENTS = {e["uid"]: e for e in SEED["events"]}


@pytest.fixture(scope="module")
def article() -> str:
    if not ARTICLE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the source article at {ARTICLE}")
        pytest.skip(f"SOURCE ARTICLE NOT FOUND at {ARTICLE}: quote checks need ../shared beside the clone")
    return ARTICLE.read_text(encoding="utf-8")


def test_seed_is_a_valid_export_document() -> None:
    jsonschema.Draft202012Validator(EXPORT_SCHEMA).validate(SEED)
    assert len(SEED["events"]) >= 25


def test_every_quote_is_verbatim_from_the_article(article: str) -> None:
    quoted = [e for e in SEED["events"] if e.get("quote")]
    assert len(quoted) >= 12
    for event in quoted:
        for fragment in event["quote"].split(" … "):
            assert fragment in article, (event["uid"], fragment)


def test_named_statements_are_exact() -> None:
    putin = EVENTS["putin-2019-not-a-firefighting-crew"]
    assert (
        putin["quote"]
        == "Russia is not a firefighting rescue crew… to save things that are not fully under our control."
    )
    assert putin["date"] == "2019-05-15" and "last year" in putin["date_basis"]
    zanganeh = EVENTS["zanganeh-2020-12-moscow-energy-talks"]
    assert zanganeh["date"] == "2020-12-20/2020-12-21" and "December 20" in zanganeh["date_basis"]
    assert zanganeh["actor"] == "bijan-zanganeh" and zanganeh["location"] == "Moscow"


def test_every_event_has_a_valid_date_and_its_basis() -> None:
    for event in SEED["events"]:
        parse_date(event["date"])
        assert event.get("date_basis"), event["uid"]
        # An article-only claim cannot be dated later than the article itself.
        assert parse_date(event["date"]).earliest <= parse_date("2021-01-20").latest, event["uid"]


def test_russia_jcpoa_history_shows_the_change(seeded: Flask, client) -> None:
    doc = client.get("/actors/russia.json").get_json()
    [jcpoa] = [h for h in doc["histories"] if h["topic"] == "jcpoa"]
    assert jcpoa["points"][0]["event_uid"] == "putin-2019-not-a-firefighting-crew"
    change = jcpoa["changes"][0]
    assert change["from_event_uid"] == "putin-2019-not-a-firefighting-crew"
    assert change["change"] == "shift"  # +1 then +2: the audit (issue 14) removed the false reversal
    page = client.get("/actors/russia").get_data(as_text=True)
    assert "not a firefighting rescue crew" in page and "tireless" in page


def test_seed_command_is_idempotent(app: Flask, runner) -> None:
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    loaded = counts(app)
    assert loaded[1] == len(SEED["events"])
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0
    assert f"{len(SEED['events'])} events present, 0 added" in second.output
    assert counts(app) == loaded
