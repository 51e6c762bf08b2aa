"""Editors, admins, sign-in safety, revisions, soft delete, edit conflicts and security headers."""

import pytest
from flask import Flask
from sqlalchemy import select
from sqlmodel import col

from timeline.db import get_session
from timeline.models import ApiToken, Event, Revision

from support.app import create_user, load_doc
from support.data import PASSWORD, small_doc
from support.web import CSRF_FIELD, csrf_token, edit_data, found, login


@pytest.fixture
def loaded(app: Flask) -> Flask:
    load_doc(app, small_doc())
    return app


def post(client, path: str, **data):
    return client.post(path, data={"csrf_token": csrf_token(client), **data})


WRITE_ROUTES = [
    ("GET", "/events/new"),
    ("POST", "/events"),
    ("GET", "/events/1/edit"),
    ("POST", "/events/1/edit"),
    ("POST", "/events/1/delete"),
    ("POST", "/events/1/restore"),
    ("POST", "/events/1/purge"),
    ("GET", "/actors/russia/edit"),
    ("POST", "/actors/russia/edit"),
    ("GET", "/topics/jcpoa/edit"),
    ("POST", "/topics/jcpoa/edit"),
    ("GET", "/deleted"),
    ("GET", "/audit"),
]


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
def test_anonymous_is_sent_to_sign_in_and_nothing_changes(
    loaded: Flask, client, method: str, path: str
) -> None:
    response = client.get(path) if method == "GET" else post(client, path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    with loaded.app_context():
        assert (
            get_session().execute(select(Revision).where(col(Revision.user_id).is_not(None))).first() is None
        )


def test_editor_can_edit_delete_restore_but_not_purge(loaded: Flask, editor) -> None:
    assert editor.get("/events/1/edit").status_code == 200
    assert post(editor, "/events/1/delete").status_code == 303
    assert post(editor, "/events/1/purge").status_code == 403
    assert post(editor, "/events/1/restore").status_code == 303


def test_admin_can_purge_a_deleted_event_and_the_purge_is_logged(loaded: Flask, admin) -> None:
    assert post(admin, "/events/1/purge").status_code == 409  # must be deleted first
    post(admin, "/events/1/delete")
    assert post(admin, "/events/1/purge").status_code == 303
    with loaded.app_context():
        assert get_session().get(Event, 1) is None
    audit = admin.get("/audit").get_data(as_text=True)
    assert "<td>purge</td>" in audit and "root" in audit
    history = admin.get("/events/1/history").get_data(as_text=True)
    assert "purge" in history and "e-2019" in history


def test_first_run_admin_password_is_printed_once_and_works(app: Flask, runner, client) -> None:
    first = runner.invoke(args=["users", "bootstrap"])
    password = found(r"password: (\S+)", first.output)
    assert "users password admin" in first.output
    assert runner.invoke(args=["users", "bootstrap"]).output == ""
    assert login(client, "admin", password).status_code == 303


def test_cli_users_create_list_disable_and_token(app: Flask, runner, client) -> None:
    assert (
        "Created editor maya" in runner.invoke(args=["users", "create", "maya"], input=PASSWORD + "\n").output
    )
    assert "too short" not in runner.invoke(args=["users", "create", "short"], input="abc\n").output
    assert runner.invoke(args=["users", "create", "short"], input="abc\n").exit_code != 0
    assert "maya\teditor\tactive" in runner.invoke(args=["users", "list"]).output
    token = runner.invoke(args=["users", "token", "maya"]).output.splitlines()[0]
    assert token.startswith("st_") and len(token) > 40
    with app.app_context():
        stored = get_session().execute(select(ApiToken)).scalar_one()
        assert token not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
    assert runner.invoke(args=["users", "disable", "maya"]).exit_code == 0
    assert login(client, "maya").status_code == 401


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        " //evil.example",
        "/%09/evil.example",
        "///evil.example",
        "\t//evil.example",
    ],
)
def test_next_never_leaves_the_site(app: Flask, client, target: str) -> None:
    create_user(app, "ed")
    response = login(client, "ed", next_url=target)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location == "/" or (location.startswith("/") and not location.startswith("//")), location
    assert "evil" not in location.split("?")[0].lstrip("/").split("/")[0] or location == "/"


def test_next_within_the_site_is_kept(app: Flask, client) -> None:
    create_user(app, "ed")
    assert (
        login(client, "ed", next_url="/events/new?actor=russia").headers["Location"]
        == "/events/new?actor=russia"
    )


def test_failed_sign_in_does_not_say_whether_the_user_exists(app: Flask, client) -> None:
    create_user(app, "ed")
    wrong = login(client, "ed", "wrong password!!")
    unknown = login(client, "nobody", "wrong password!!")
    assert wrong.status_code == unknown.status_code == 401
    text = lambda r: found(r'role="alert">([^<]+)<', r.get_data(as_text=True))  # noqa: E731
    assert text(wrong) == text(unknown) == "Wrong name or password."


def test_repeated_failed_sign_ins_are_slowed_per_account(app: Flask, client) -> None:
    create_user(app, "ed")
    statuses = [login(client, "ed", f"bad password {i}").status_code for i in range(11)]
    assert statuses == [401] * 10 + [429]
    assert login(client, "ed").status_code == 429  # even the right password waits
    assert (
        login(client, "someone-else", "bad password x").status_code == 401
    )  # other accounts are not blocked


def test_repeated_failed_sign_ins_are_slowed_per_address(app: Flask, client) -> None:
    statuses = [login(client, f"user{i}", "bad password").status_code for i in range(31)]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429


def test_session_cookie_flags(app: Flask, client) -> None:
    create_user(app, "ed")
    cookie = login(client, "ed").headers.get("Set-Cookie")
    assert cookie is not None
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    https = app.test_client()
    page = https.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = found(CSRF_FIELD, page)
    # Over HTTPS, Flask-WTF also checks that the Referer is this site.
    response = https.post(
        "/login",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},
        data={"csrf_token": token, "name": "ed", "password": PASSWORD, "next": ""},
    )
    assert response.status_code == 303
    assert "Secure" in response.headers.get("Set-Cookie", "")


def test_edit_writes_a_revision_with_a_readable_diff(loaded: Flask, editor) -> None:
    data = edit_data(editor, 1, quote="Россия — не пожарная команда", title="Not a fire brigade (edited)")
    assert data["version"] == "1" and data["actor"] == "vladimir-putin" and data["stances-0-topic"] == "jcpoa"
    response = editor.post("/events/1/edit", data=data)
    assert response.status_code == 303
    history = editor.get("/events/1/history").get_data(as_text=True)
    assert '<span class="badge">edited</span>' in history and "by ed" in history
    assert "<del>Russia is not a firefighting rescue crew…</del>" in history
    assert "<ins>Россия — не пожарная команда</ins>" in history
    assert "Not a fire <ins>brigade (edited)</ins>" in history
    with loaded.app_context():
        rev = get_session().execute(select(Revision).where(col(Revision.action) == "update")).scalar_one()
        assert rev.before["quote"] == "Russia is not a firefighting rescue crew…"
        assert rev.after["quote"] == "Россия — не пожарная команда"
        assert rev.after["stances"] == [{"topic": "jcpoa", "score": -1, "rationale": None}]


def test_persian_quote_diff_is_word_level(loaded: Flask, editor) -> None:
    editor.post("/events/1/edit", data=edit_data(editor, 1, quote="روسیه تیم آتش‌نشانی نیست"))
    editor.post("/events/1/edit", data=edit_data(editor, 1, quote="روسیه هرگز تیم آتش‌نشانی نیست"))
    history = editor.get("/events/1/history").get_data(as_text=True)
    assert "<ins>هرگز </ins>" in history and 'dir="auto"' in history


def test_second_save_of_the_same_version_is_refused(loaded: Flask, app: Flask, editor) -> None:
    first = edit_data(editor, 1, title="First editor's title")
    second = edit_data(editor, 1, title="Second editor's title")
    assert editor.post("/events/1/edit", data=first).status_code == 303
    refused = editor.post("/events/1/edit", data=second)
    assert refused.status_code == 409
    assert "changed by someone else" in refused.get_data(as_text=True)
    with app.app_context():
        event = get_session().get(Event, 1)
        assert event is not None
        assert (event.title, event.version) == ("First editor's title", 2)


def test_soft_delete_hides_everywhere_and_restore_brings_stances_back(
    loaded: Flask, app: Flask, editor
) -> None:
    anonymous = app.test_client()
    assert post(editor, "/events/2/delete").status_code == 303
    assert "Tireless firefighter" not in anonymous.get("/actors/russia").get_data(as_text=True)
    assert anonymous.get("/events/2").status_code == 404
    assert anonymous.get("/search.json?q=tireless").get_json()["total"] == 0
    assert "e-2020" not in [e["uid"] for e in anonymous.get("/export.json").get_json()["events"]]
    assert "Tireless firefighter" not in anonymous.get("/topics/jcpoa").get_data(as_text=True)
    assert "Tireless firefighter" in editor.get("/deleted").get_data(as_text=True)
    assert "was deleted" in editor.get("/events/2").get_data(as_text=True)
    assert post(editor, "/events/2/restore").status_code == 303
    doc = anonymous.get("/actors/russia.json").get_json()
    restored = next(e for e in doc["events"] if e["uid"] == "e-2020")
    assert [s["topic"] for s in restored["stances"]] == ["jcpoa", "us-sanctions"]
    actions = [r.action for r in _revisions(app, 2)]
    assert actions == ["create", "delete", "restore"]


def _revisions(app: Flask, event_id: int) -> list[Revision]:
    with app.app_context():
        return list(
            get_session()
            .execute(
                select(Revision)
                .where(col(Revision.entity) == "event", col(Revision.entity_id) == event_id)
                .order_by(col(Revision.id))
            )
            .scalars()
        )


def test_form_create_writes_revision_with_editor(loaded: Flask, app: Flask, editor) -> None:
    data = {
        "csrf_token": csrf_token(editor),
        "actor": "russia",
        "kind": "statement",
        "date": "2021",
        "title": "New",
        "confidence": "medium",
        "save": "Save",
        "confirm_unsourced": "y",  # no source or quote: the editor confirms (tests/test_form_guides.py)
    }
    location = editor.post("/events", data=data).headers["Location"]
    event_id = int(location.rsplit("/", 1)[1])
    [rev] = _revisions(app, event_id)
    assert rev.action == "create" and rev.before is None and rev.after is not None
    assert rev.after["title"] == "New"
    assert "by ed" in editor.get(f"/events/{event_id}/history").get_data(as_text=True)


def test_audit_filters_by_editor_and_date(loaded: Flask, app: Flask, editor) -> None:
    post(editor, "/events/3/delete")
    page = editor.get("/audit?editor=ed").get_data(as_text=True)
    assert page.count("<td>ed</td>") == 1 and "<td>delete</td>" in page
    assert "<td>system</td>" not in page
    assert "No changes." in editor.get("/audit?from=2001-01-01&to=2001-12-31").get_data(as_text=True)
    assert editor.get("/audit?from=yesterday").status_code == 400


def test_actor_and_topic_edits(loaded: Flask, editor) -> None:
    data = {
        "name": "Россия",
        "slug": "russia",
        "kind": "government",
        "aliases": "Moscow\nКремль",
        "parent": "",
    }
    assert post(editor, "/actors/russia/edit", **data).status_code == 303
    assert "Кремль" in editor.get("/actors/russia").get_data(as_text=True)
    bad = post(editor, "/actors/russia/edit", **{**data, "parent": "vladimir-putin"})
    assert bad.status_code == 422 and "loop" in bad.get_data(as_text=True)
    assert post(editor, "/topics/jcpoa/edit", name="Iran deal", slug="jcpoa").status_code == 303
    assert "Iran deal" in editor.get("/topics/jcpoa").get_data(as_text=True)
    assert "<td>update</td>" in editor.get("/audit").get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/actors/russia",
        "/actors/russia.json",
        "/events/1",
        "/topics/jcpoa",
        "/search?q=fire",
        "/export.json",
        "/login",
        "/nope",
        "/healthz",
    ],
)
def test_security_headers_on_every_page_type(loaded: Flask, client, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_request_body_limit(app: Flask, editor) -> None:
    response = editor.post(
        "/events", data={"csrf_token": csrf_token(editor), "quote": "x" * (3 * 1024 * 1024)}
    )
    assert response.status_code == 413


def test_admin_manages_editors_and_editors_cannot(app: Flask, client) -> None:
    create_user(app, "ed")
    login(client, "ed")
    assert client.get("/admin/users").status_code == 403
    assert post(client, "/admin/users", name="x", password=PASSWORD).status_code == 403
    other = app.test_client()
    create_user(app, "boss", admin=True)
    login(other, "boss")
    assert "<td>ed</td>" in other.get("/admin/users").get_data(as_text=True)
    assert post(other, "/admin/users", name="newbie", password=PASSWORD).status_code == 303
    assert post(other, "/admin/users", name="short", password="abc").status_code == 303
    page = other.get("/admin/users").get_data(as_text=True)
    assert "<td>newbie</td>" in page and "<td>short</td>" not in page
    assert post(other, "/admin/users/ed/disable").status_code == 303
    assert post(other, "/admin/users/boss/disable").status_code == 409
    assert login(app.test_client(), "ed").status_code == 401
    assert login(app.test_client(), "newbie").status_code == 303
