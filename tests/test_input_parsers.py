"""The strict parsers behind the hostile-input table: integers, trusted hosts, account names."""

from __future__ import annotations

import pytest
from flask import Flask
from markupsafe import escape

from timeline.config import DEFAULT_TRUSTED_HOSTS, trusted_hosts
from timeline.db import write_session
from timeline.integers import MAX_ID, parse_int
from timeline.services import accounts
from timeline.services.errors import Invalid

from support.app import create_user, load_doc, make_app
from support.data import PASSWORD, small_doc
from support.web import csrf_token, login


@pytest.mark.parametrize(
    "text", ["", " 1", "1 ", "+1", "-1", "1_0", "²", "١", "１", "0x1", "1.0", "9" * 101, None]
)
def test_parse_int_takes_ascii_digits_only(text: str | None) -> None:
    assert parse_int(text) is None


def test_parse_int_bounds_and_sign() -> None:
    assert parse_int("007") == 7
    assert parse_int("-2", signed=True) == -2
    assert parse_int("-١", signed=True) is None
    assert parse_int("0", minimum=1) is None
    assert parse_int(str(MAX_ID), maximum=MAX_ID) == MAX_ID
    assert parse_int(str(MAX_ID + 1), maximum=MAX_ID) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("example.org, .example.net localhost", ["example.org", ".example.net", "localhost"]),
        (["News.Example.org"], ["news.example.org"]),
        ("", DEFAULT_TRUSTED_HOSTS),  # never "every host", which is what Werkzeug makes of an empty list
        ([], DEFAULT_TRUSTED_HOSTS),
        (None, DEFAULT_TRUSTED_HOSTS),
    ],
)
def test_trusted_hosts_setting(value: object, expected: list[str]) -> None:
    assert trusted_hosts(value) == expected


def test_trusted_hosts_from_the_environment(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMELINE_TRUSTED_HOSTS", "news.example.org,.example.net")
    app = make_app(db_url)
    load_doc(app, small_doc())
    client = app.test_client()
    embed = client.get("/actors/russia/embed", headers={"Host": "news.example.org"})
    assert embed.status_code == 200
    assert 'href="http://news.example.org/actors/russia"' in embed.get_data(as_text=True)
    assert client.get("/", headers={"Host": "www.example.net:8080"}).status_code == 200
    for host in ("localhost", "example.org", "evil.example", "a" * 64 + ".example.net"):
        refused = client.get("/actors/russia/embed", headers={"Host": host})
        assert refused.status_code == 400, host
        assert host not in refused.get_data(as_text=True)
        assert "host name" in refused.get_data(as_text=True)


# --- account names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["a/b", "a b", "a\\b", "é", "<b>", "-x", ".x", "x" * 81, "", "a\x00b", "a?b", "a#b"]
)
def test_account_names_outside_the_safe_set_are_refused(app: Flask, name: str) -> None:
    with app.app_context(), write_session() as session, pytest.raises(Invalid) as err:
        accounts.create_user(session, name, PASSWORD)
    assert set(err.value.fields) == {"name"}


@pytest.mark.parametrize("name", ["ed", "Maya.K", "j_doe-2", "x" * 80, "0day"])
def test_account_names_in_the_safe_set_are_kept(app: Flask, name: str) -> None:
    with app.app_context(), write_session() as session:
        assert accounts.create_user(session, name, PASSWORD).name == name


def test_admin_form_refuses_unsafe_names_and_can_disable_every_name_it_creates(app: Flask, client) -> None:
    create_user(app, "boss", admin=True)
    assert login(client, "boss").status_code == 303

    def post(path: str, **data: str):
        return client.post(path, data={"csrf_token": csrf_token(client), **data})

    refused = post("/admin/users", name="a/b", password=PASSWORD)
    assert refused.status_code == 303
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Account not created" in page and str(escape(accounts.NAME_RULE)) in page
    assert "<td>a/b</td>" not in page
    assert post("/admin/users", name="j.doe_2-x", password=PASSWORD).status_code == 303
    assert post("/admin/users/j.doe_2-x/disable").status_code == 303
    assert login(app.test_client(), "j.doe_2-x").status_code == 401


def test_cli_refuses_unsafe_names(runner) -> None:
    result = runner.invoke(args=["users", "create", "a/b"], input=PASSWORD + "\n")
    assert result.exit_code == 1 and "name:" in result.output
    assert "a/b" not in runner.invoke(args=["users", "list"]).output
