"""The password change page: current password, the new one twice, an error named per field,
and every other session of the editor ends."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from timeline.db import get_session, write_session
from timeline.services import accounts
from timeline.services.errors import Conflict, Invalid

from support.app import create_user
from support.data import PASSWORD
from support.sessions import copy_of, page_token, signed_in
from support.web import login

NEW = "a brand new passphrase"
PAGE = "/account/password"


def change(client: FlaskClient, current: str, new: str, again: str):
    data = {
        "csrf_token": page_token(client, PAGE),
        "current_password": current,
        "new_password": new,
        "new_password_again": again,
    }
    return client.post(PAGE, data=data)


def field_errors(html: str) -> dict[str, str]:
    """Each field's error message, by the field's name."""
    found = {}
    for block in re.findall(r'<div class="field has-error">(.*?)</div>\n</div>', html, re.S):
        name = re.search(r'name="([^"]+)"', block)
        message = re.search(r'<div class="error" role="alert">([^<]+)', block)
        assert name and message, block
        found[name.group(1)] = message.group(1)
    return found


def test_the_page_is_for_signed_in_editors(client: FlaskClient) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_is_linked_from_every_page_for_editors(editor: FlaskClient) -> None:
    assert f'href="{PAGE}"' in editor.get("/").get_data(as_text=True)


def test_a_change_ends_other_sessions_and_keeps_this_one(app: Flask, editor: FlaskClient) -> None:
    laptop = app.test_client()
    assert login(laptop, "ed").status_code == 303
    stolen = copy_of(app, editor)
    response = change(editor, PASSWORD, NEW, NEW)
    assert response.status_code == 303
    assert "Password changed" in editor.get("/").get_data(as_text=True)
    assert signed_in(editor)
    assert not signed_in(laptop) and not signed_in(stolen)
    assert login(laptop, "ed", PASSWORD).status_code == 401
    assert login(laptop, "ed", NEW).status_code == 303


@pytest.mark.parametrize(
    ("current", "new", "again", "expected"),
    [
        ("wrong password!", NEW, NEW, {"current_password": "this is not your current password"}),
        ("", NEW, NEW, {"current_password": "enter your current password"}),
        (PASSWORD, "short", "short", {"new_password": "use at least 10 characters"}),
        (PASSWORD, NEW, NEW + "x", {"new_password_again": "does not match the new password"}),
        (PASSWORD, PASSWORD, PASSWORD, {"new_password": "choose a password different from the current one"}),
        (
            "nope",
            "x" * 1025,
            "",
            {
                "current_password": "this is not your current password",
                "new_password": "use at most 1024 characters",
                "new_password_again": "does not match the new password",
            },
        ),
    ],
)
def test_errors_name_each_field_and_change_nothing(
    app: Flask, editor: FlaskClient, current: str, new: str, again: str, expected: dict[str, str]
) -> None:
    response = change(editor, current, new, again)
    assert response.status_code == 400
    assert field_errors(response.get_data(as_text=True)) == expected
    assert signed_in(editor)  # a refused change ends nothing
    other = app.test_client()
    assert login(other, "ed", PASSWORD).status_code == 303  # and the password is the old one


def test_the_page_needs_its_csrf_token(editor: FlaskClient) -> None:
    data = {"current_password": PASSWORD, "new_password": NEW, "new_password_again": NEW}
    assert editor.post(PAGE, data=data).status_code == 400
    assert login(editor, "ed", PASSWORD).status_code == 303


def test_an_api_token_cannot_change_the_password(app: Flask, client: FlaskClient) -> None:
    create_user(app, "robot")
    with app.app_context(), write_session() as session:
        token = accounts.issue_token(session, "robot")
    data = {"current_password": PASSWORD, "new_password": NEW, "new_password_again": NEW}
    response = client.post(PAGE, data=data, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert login(client, "robot", PASSWORD).status_code == 303


def test_service_refuses_a_change_raced_by_another(app: Flask) -> None:
    create_user(app, "ed")
    with app.app_context():
        user = accounts.user_by_name(get_session(), "ed")
        assert user is not None and user.id is not None
        checked = accounts.check_password_change(get_session(), user.id, PASSWORD, NEW, NEW)
        with write_session() as session:  # the CLI sets another password meanwhile
            accounts.set_password(session, "ed", "yet another passphrase")
        with pytest.raises(Conflict), write_session() as session:
            accounts.store_password_change(session, checked)
        with pytest.raises(Invalid) as refused:
            accounts.check_password_change(get_session(), user.id, "", "", "")
        assert set(refused.value.fields) == {"current_password", "new_password"}
