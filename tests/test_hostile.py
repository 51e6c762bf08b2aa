"""Hostile input, table-driven: the form, the API, the import command and the /import page.

Each case sends one hostile input and states the answer it must get (an HTTP status, or the exit
code of `flask import`) and what may be stored: nothing, unless the input is hostile-looking but
valid (SQL metacharacters, template syntax, right-to-left text), which must then be stored
verbatim. Row counts of every table are compared before and after each case.

A second group stores one event whose every text field carries script/HTML (through the API) and
checks that every page type showing stored data renders it escaped: the actor, event, topic,
index, search and history pages, the SVG charts, the embed page, the TimelineJS JSON and the CSV.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from markupsafe import escape
from sqlalchemy import func, select, text
from sqlmodel import col
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

import timeline
from timeline import create_app
from timeline.db import get_session, write_session
from timeline.models import Actor, ApiToken, Event, Revision, Stance, Topic, User
from timeline.services import accounts
from timeline.services.tabular import url_for_markup

from support.app import create_user, load_doc
from support.clone import clone_database, drop_database
from support.data import small_doc
from support.databases import Databases
from support.server import ROOT
from support.web import csrf_token, login

MB = 1024 * 1024
HUGE_ID = "99999999999999999999"


def xss(tag: str) -> str:
    """Script and HTML, plus an attribute break-out, tagged so each field can be found."""
    return f'<script>alert("{tag}")</script><img src=x onerror=alert(1)>"\'><svg onload=alert(1)>'


RAW_MARKUP = ("<script>alert", "<img src=x", "<svg onload", "\"'><")
TEMPLATE_TITLE = "Template {{7*7}} ${7*7} <%= 7*7 %> #{7*7} {% if 1 %}yes{% endif %}"
TEMPLATE_QUOTE = "{{ config }} {{ self.__init__.__globals__ }} {{ ''.__class__.__mro__ }}"
SQL_TITLE = "Robert'); DROP TABLE event; --"
SQL_QUOTE = "\" OR 1=1 -- ' OR '1'='1'; DROP TABLE stance; --"
SQL_SUMMARY = "1; DELETE FROM actor WHERE 1=1; -- %_\\ \\x00"
RTL_TITLE = "\u2067روسیه یک تیم آتش‌نشانی نیست\u2069 — Zarif: «سی سفر من به روسیه» (30 visits)\u200f"
RTL_QUOTE = (
    "\u202bישראל לא צריכה לתקוף\u202c\n«إسرائيل يجب ألا تهاجم» \u200fمتن\u200e mixed "
    "\u2067فارسی\u2069 English"
)
RTL_SUMMARY = "Lavrov \u2068«روسیه یک تیم آتش‌نشانی نیست»\u2069 said \u202b(עברית)\u202c."


# --- the context every case runs in ------------------------------------------------------------


@dataclass
class Outcome:
    status: int
    text: str
    headers: dict[str, str] = field(default_factory=dict)
    unexpected_exception: str | None = None


@dataclass
class Ctx:
    app: Flask
    client: FlaskClient  # signed in as the editor "ed"
    runner: FlaskCliRunner
    token: str
    tmp: Path

    # Requests -----------------------------------------------------------------------------------

    def _done(self, response: Any) -> Outcome:
        try:
            return Outcome(response.status_code, response.get_data(as_text=True), dict(response.headers))
        finally:
            response.close()

    def get(
        self, path: str, client: FlaskClient | None = None, headers: dict[str, str] | None = None
    ) -> Outcome:
        return self._done((client or self.client).get(path, headers=headers or {}))

    def post(self, path: str, data: Any = None, **kwargs: Any) -> Outcome:
        return self._done(self.client.post(path, data=data, **kwargs))

    def form(self, csrf: str | None = "fresh", **overrides: Any) -> Outcome:
        """POST /events: a valid event, with `overrides` (None removes a field)."""
        data = {
            "actor": "russia",
            "kind": "statement",
            "date": "2020-12-20",
            "title": "A valid title",
            "quote": "",
            "confidence": "high",
            "stances-0-topic": "jcpoa",
            "stances-0-score": "1",
            "stances-0-rationale": "supports the deal",
            "save": "Save event",
            "confirm_unsourced": "y",  # hostile input, not missing evidence (tests/test_form_guides.py)
        }
        if csrf == "fresh":
            data["csrf_token"] = csrf_token(self.client)
        elif csrf is not None:
            data["csrf_token"] = csrf
        data.update(overrides)
        return self.post("/events", data={k: v for k, v in data.items() if v is not None})

    def api(
        self,
        method: str,
        path: str,
        body: Any,
        *,
        content_type: str = "application/json",
        auth: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Outcome:
        if isinstance(body, dict | list):
            body = json.dumps(body)
        all_headers = {"Content-Type": content_type, **(headers or {})}
        client = self.client
        if auth:
            all_headers["Authorization"] = f"Bearer {self.token}"
        else:
            client = self.app.test_client()  # no token and no session cookie
        return self._done(client.open(path, method=method, data=body, headers=all_headers))

    def cli_import(self, content: str | bytes | Path, name: str = "doc.json") -> Outcome:
        if isinstance(content, Path):
            path = content
        else:
            path = self.tmp / name
            path.write_bytes(content.encode() if isinstance(content, str) else content)
        return self.cli("import", str(path))

    def cli(self, *args: str) -> Outcome:
        result = self.runner.invoke(args=list(args))
        exc = result.exception
        unexpected = None if exc is None or isinstance(exc, SystemExit) else repr(exc)
        return Outcome(result.exit_code, result.output, {}, unexpected)

    def upload(self, content: bytes, filename: str = "doc.json", *, dry_run: bool = False, csrf: bool = True):
        """POST /import with a file, as a browser sends it (multipart/form-data)."""
        fields: dict[str, Any] = {
            "file": FileStorage(io.BytesIO(content), filename, "file", "application/json")
        }
        if dry_run:
            fields["dry_run"] = "1"
        if csrf:
            fields["csrf_token"] = csrf_token(self.client)
        # Encoded in memory: the test client would spool a large body to a temporary file it never closes.
        boundary, body = encode_multipart(fields)
        return self.post("/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")

    # Reads --------------------------------------------------------------------------------------

    def event_by_uid(self, uid: str) -> Event | None:
        with self.app.app_context():
            return get_session().execute(select(Event).where(col(Event.uid) == uid)).scalars().first()

    def event_by_title(self, title: str) -> Event:
        with self.app.app_context():
            return get_session().execute(select(Event).where(col(Event.title) == title)).scalar_one()


TABLES = {
    "event": Event,
    "stance": Stance,
    "actor": Actor,
    "topic": Topic,
    "revision": Revision,
    "user": User,
}


def counts(app: Flask) -> dict[str, int]:
    """Rows per table; also proves every table still exists."""
    with app.app_context():
        session = get_session()
        found = {
            name: session.execute(select(func.count()).select_from(model)).scalar_one()
            for name, model in TABLES.items()
        }
        found["api_token"] = session.execute(select(func.count()).select_from(ApiToken)).scalar_one()
        return found


@dataclass(frozen=True)
class Prepared:
    url: str  # the database every case copies
    token: str  # an API token of the editor "robot"
    session_cookie: str  # a session signed in as the editor "ed" (the app's SECRET_KEY is the same)


@pytest.fixture(scope="module")
def prepared(databases: Databases) -> Prepared:
    """Once per module: the small dataset, the editors "ed" (signed in) and "robot" (a token)."""
    url = databases.new()
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret"})
    try:
        load_doc(app, small_doc())
        create_user(app, "ed")
        create_user(app, "robot")
        with app.app_context(), write_session() as session:
            token = accounts.issue_token(session, "robot")
        browser = app.test_client()
        assert login(browser, "ed").status_code == 303  # one real sign-in, its cookie reused below
        cookie = browser.get_cookie("session")
        assert cookie is not None
    finally:
        timeline.dispose(app)  # PostgreSQL copies a template only while nobody is connected to it
    return Prepared(url, token, cookie.value)


@pytest.fixture
def db_url(prepared: Prepared) -> Iterator[str]:
    """Each case gets its own copy of the prepared database (overrides conftest's empty one)."""
    url = clone_database(prepared.url)
    yield url
    drop_database(url)  # hundreds of cases: keep the test server's disk small


@pytest.fixture
def editor(app: Flask, client: FlaskClient, prepared: Prepared) -> FlaskClient:
    """The client, signed in as the editor "ed": the session of the sign-in made once per module."""
    client.set_cookie("session", prepared.session_cookie)
    response = client.get("/deleted")  # an editors-only page
    response.close()
    assert response.status_code == 200, "the reused session is not signed in"
    return client


@pytest.fixture
def ctx(
    app: Flask, editor: FlaskClient, runner: FlaskCliRunner, tmp_path: Path, prepared: Prepared
) -> Iterator[Ctx]:
    yield Ctx(app, editor, runner, prepared.token, tmp_path)
    timeline.dispose(app)  # before the database copy is dropped


# --- checks used by several cases ----------------------------------------------------------------


def no_raw_markup(page: str) -> None:
    for needle in RAW_MARKUP:
        assert needle not in page, f"unescaped {needle!r} in the page"


def shows_escaped(*values: str) -> Callable[[Ctx, Outcome], None]:
    def check(ctx: Ctx, out: Outcome) -> None:
        no_raw_markup(out.text)
        for value in values:
            assert str(escape(value)) in out.text, f"{value!r} is not shown escaped"

    return check


def message(*words: str) -> Callable[[Ctx, Outcome], None]:
    def check(ctx: Ctx, out: Outcome) -> None:
        for word in words:
            assert word in out.text, (word, out.text[-600:])

    return check


def api_error(code: str, field_name: str | None = None) -> Callable[[Ctx, Outcome], None]:
    def check(ctx: Ctx, out: Outcome) -> None:
        body = json.loads(out.text)
        assert set(body) == {"error"} and body["error"]["code"] == code, body
        if field_name is not None:
            assert any(k.startswith(field_name) for k in body["error"]["fields"]), body

    return check


def safe_redirect(ctx: Ctx, out: Outcome) -> None:
    """The redirect stays on this site: a path, no scheme, no host, nothing a browser reads as one."""
    location = out.headers["Location"]
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location
    assert location.startswith("/") and not location.startswith("//"), location
    assert not any(ch in location for ch in "\\\r\n\t"), location


def unchanged_event_1(ctx: Ctx, out: Outcome) -> None:
    event = ctx.event_by_uid("e-2019")
    assert event is not None and (event.title, event.version, event.source_url) == (
        "Not a fire brigade",
        1,
        None,
    )


def dir_auto_everywhere(page: str, value: str) -> None:
    """Every element whose text starts with `value` has dir="auto" (the document <title> aside)."""
    pattern = re.compile(r"<(\w+)((?:\s[^>]*)?)>(?:<strong>)?" + re.escape(str(escape(value))))
    found = [(tag, attrs) for tag, attrs in pattern.findall(page) if tag != "title"]
    assert found, f"{value!r} is not shown"
    for tag, attrs in found:
        assert 'dir="auto"' in attrs, f"<{tag}{attrs}> shows right-to-left text without dir=auto"


def stored_verbatim(title: str, **fields: str) -> Callable[[Ctx, Outcome], None]:
    """The event is stored byte for byte and its pages show it as it was sent, never evaluated."""

    def check(ctx: Ctx, out: Outcome) -> None:
        event = ctx.event_by_title(title)
        assert event.title.encode() == title.encode()
        for name, value in fields.items():
            assert getattr(event, name).encode("utf-8") == value.encode("utf-8"), name
        api = json.loads(ctx.get(f"/api/v1/events/{event.id}").text)
        assert api["title"] == title and all(api[k] == v for k, v in fields.items())
        page = ctx.get(f"/events/{event.id}").text
        assert f'<h1 dir="auto">{escape(title)}</h1>' in page
        if "quote" in fields:
            assert f'<blockquote dir="auto">{escape(fields["quote"])}</blockquote>' in page
        if "summary" in fields:
            assert f'<p dir="auto">{escape(fields["summary"])}</p>' in page
        timeline = ctx.get("/actors/russia").text
        assert f'dir="auto"><strong>{escape(title)}</strong>' in timeline
        for shown in (page, timeline):
            for value in (title, *fields.values()):
                if "\n" not in value:
                    dir_auto_everywhere(shown, value)
        slides = json.loads(ctx.get("/actors/russia.timelinejs.json").text)["events"]
        assert str(escape(title)) in [s["text"]["headline"] for s in slides]
        # The edit form gives it back unchanged, in an input that also takes its direction from the text.
        edit = ctx.get(f"/events/{event.id}/edit").text
        [title_input] = re.findall(r'<input[^>]*name="title"[^>]*>', edit)
        assert 'dir="auto"' in title_input and f'value="{escape(title)}"' in title_input, title_input

    return check


def not_evaluated(ctx: Ctx, out: Outcome) -> None:
    stored_verbatim(TEMPLATE_TITLE, quote=TEMPLATE_QUOTE)(ctx, out)
    event = ctx.event_by_title(TEMPLATE_TITLE)
    for path in (f"/events/{event.id}", "/actors/russia", "/topics/jcpoa", "/"):
        page = ctx.get(path).text
        assert "{{7*7}}" in page and "Template 49" not in page, path
        assert "test-secret" not in page and "&lt;Config" not in page and "<Config" not in page, path


def tables_intact(title: str, **fields: str) -> Callable[[Ctx, Outcome], None]:
    def check(ctx: Ctx, out: Outcome) -> None:
        stored_verbatim(title, **fields)(ctx, out)
        with ctx.app.app_context():
            names = set(
                get_session()
                .execute(
                    text("SELECT name FROM sqlite_master WHERE type='table'")
                    if ctx.app.config["DATABASE_URL"].startswith("sqlite")
                    else text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                )
                .scalars()
            )
        assert {"event", "stance", "actor", "topic", "revision", "user"} <= names
        hits = json.loads(ctx.get("/search.json?q=DROP+TABLE").text)
        assert title in [h["title"] for h in hits["results"]]

    return check


def no_file_escaped(ctx: Ctx, out: Outcome) -> None:
    """The upload's name is never used as a path: no x.json appears two levels up from anywhere."""
    for base in (Path.cwd(), ROOT, ROOT / "instance", ctx.tmp):
        target = (base / ".." / ".." / "x.json").resolve()
        assert not target.exists(), target


# --- the cases -----------------------------------------------------------------------------------

NEW_EVENT: dict[str, Any] = {
    "actor": "russia",
    "kind": "statement",
    "title": "Via the API",
    "date": "2021-01",
    "stances": [{"topic": "jcpoa", "score": 2}],
}
EVENT_ROWS = {"event": 1, "stance": 1, "revision": 1}


def doc(**records: Any) -> str:
    return json.dumps({"format": "stance-timeline", "version": 1, **records})


VALID_TOPIC = {"slug": "energy", "name": "Energy"}
VALID_EVENT_RECORD = {**NEW_EVENT, "uid": "imp-1"}
# The second "name" would silently win if duplicates were accepted: a topic would be stored.
DUPLICATE_KEYS_DOC = (
    '{"format": "stance-timeline", "version": 1, "topics": [{"slug": "dup", "name": "A", "name": "B"}]}'
)


@dataclass(frozen=True)
class Case:
    id: str
    send: Callable[[Ctx], Outcome]
    status: int | tuple[int, ...]
    added: dict[str, int] = field(default_factory=dict)  # rows each table may gain; nothing by default
    check: Callable[[Ctx, Outcome], None] | None = None


def field_error(name: str) -> Callable[[Ctx, Outcome], None]:
    """The form shows its error next to the field `name` (so the refusal has the intended cause)."""

    def check(ctx: Ctx, out: Outcome) -> None:
        blocks = re.findall(r'<div class="field has-error">(.*?)</div>\n</div>', out.text, re.S)
        assert any(f'name="{name}"' in b for b in blocks), (name, [b[:200] for b in blocks])
        assert "Nothing was saved" in out.text

    return check


def both(*checks: Callable[[Ctx, Outcome], None] | None) -> Callable[[Ctx, Outcome], None]:
    def check(ctx: Ctx, out: Outcome) -> None:
        for one in checks:
            if one is not None:
                one(ctx, out)

    return check


def fields(values: dict[str, Any]) -> dict[str, Any]:
    """Form fields whose names are no Python names (stances-0-score), for form(..., **fields({...}))."""
    return values


def form(
    id: str,
    status: int,
    added: dict[str, int] | None = None,
    check=None,
    error_on: str = "",
    **overrides: Any,
) -> Case:
    """A form case; a 422 must name the field overridden first (or `error_on`)."""
    if status == 422:
        check = both(field_error(error_on or next(iter(overrides))), check)
    return Case(f"form-{id}", lambda c: c.form(**overrides), status, added or {}, check)


def api(id: str, status: int, body: Any, added=None, check=None, **kwargs: Any) -> Case:
    """An API case; a 422 for an object body must name the key that differs from a valid event."""
    if status == 422 and isinstance(body, dict):
        changed = [k for k in body if body[k] != NEW_EVENT.get(k, object())]
        if len(changed) == 1:
            check = both(api_error("invalid", changed[0]), check)
    return Case(
        f"api-{id}", lambda c: c.api("POST", "/api/v1/events", body, **kwargs), status, added or {}, check
    )


def api_put(id: str, status: int, body: Any, path: str = "/api/v1/events/1", **kwargs: Any) -> Case:
    return Case(f"api-put-{id}", lambda c: c.api("PUT", path, body, **kwargs), status, {}, unchanged_event_1)


def cli(id: str, content: str | bytes | Callable[[Ctx], Path], *words: str, status: int = 1) -> Case:
    def send(c: Ctx) -> Outcome:
        return c.cli_import(content(c) if callable(content) else content)

    return Case(f"import-cli-{id}", send, status, {}, message(*words))


def get(id: str, path: str, status: int | tuple[int, ...], check=None) -> Case:
    return Case(f"get-{id}", lambda c: c.get(path), status, {}, check)


def post(id: str, path: str, status: int | tuple[int, ...], data: dict[str, str] | None = None) -> Case:
    return Case(
        f"post-{id}",
        lambda c: c.post(path, data={"csrf_token": csrf_token(c.client), **(data or {})}),
        status,
    )


def login_next(target: str) -> Case:
    def send(c: Ctx) -> Outcome:
        data = {"csrf_token": csrf_token(c.client), "name": "ed", "password": "correct horse battery staple"}
        return c.post("/login", data={**data, "next": target})

    return Case(f"login-next-{target!r}", send, 303, {}, safe_redirect)


def stale_csrf(c: Ctx) -> Outcome:
    """A well-formed token, but from another browser's session."""
    other = c.app.test_client()
    token = csrf_token(other)
    return c.form(csrf=token)


def deep_path(c: Ctx) -> Path:
    return Path("../" * len(Path.cwd().parts) + "etc/passwd")


def directory(c: Ctx) -> Path:
    return c.tmp


def xss_everywhere_form(c: Ctx) -> Outcome:
    return c.form(
        actor="__new__",
        new_actor_slug="hostile-actor",
        new_actor_name=xss("actor-name"),
        new_actor_kind="person",
        new_actor_role=xss("actor-role"),
        title=xss("title"),
        quote=xss("quote"),
        summary=xss("summary"),
        date_basis=xss("basis"),
        location=xss("location"),
        speaker_role=xss("speaker"),
        source_title=xss("source-title"),
        source_url='https://example.org/?q="><script>alert("url")</script>',
        source_publisher=xss("publisher"),
        source_author=xss("author"),
        **{"stances-0-rationale": xss("rationale")},
    )


def xss_form_page(c: Ctx, out: Outcome) -> None:
    event = c.event_by_title(xss("title"))
    page = c.get(f"/events/{event.id}").text
    shows_escaped(
        *(xss(t) for t in ("actor-name", "title", "quote", "summary", "basis", "location", "speaker")),
        *(xss(t) for t in ("source-title", "publisher", "author", "rationale")),
    )(c, Outcome(200, page))
    edit = c.get(f"/events/{event.id}/edit").text  # the form filled with stored values
    shows_escaped(xss("title"), xss("quote"), xss("rationale"))(c, Outcome(200, edit))


def xss_upload(c: Ctx) -> Outcome:
    body = doc(
        topics=[{"slug": "xss-topic", "name": xss("upload")}],
        events=[{**VALID_EVENT_RECORD, "title": xss("upload-title")}],
    )
    # (A double quote in a multipart file name is lost by the test client's encoder, so none here.)
    return c.upload(body.encode(), filename="<script>alert(1)</script><img src=x onerror=alert(1)>.json")


CASES: list[Case] = [
    # --- the form: POST /events, signed in, CSRF on ---
    Case(
        "form-script-and-html-in-every-text-field",
        xss_everywhere_form,
        303,
        {"event": 1, "actor": 1, "stance": 1, "revision": 2},
        xss_form_page,
    ),
    form(
        "xss-kept-escaped-on-the-error-page",
        422,
        check=shows_escaped(xss("t"), xss("q")),
        error_on="date",
        title=xss("t"),
        quote=xss("q"),
        date="2021-02-30",
    ),
    form("javascript-url", 422, check=message("http"), source_url="javascript:alert(1)"),
    form("javascript-url-mixed-case", 422, source_url="JaVaScRiPt:alert(document.cookie)"),
    form("javascript-url-leading-space", 422, source_url="  javascript:alert(1)"),
    form("data-url", 422, source_url="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    form("vbscript-url", 422, source_url="vbscript:msgbox(1)"),
    form("protocol-relative-url", 422, source_url="//evil.example/x"),
    form("date-february-30", 422, check=message("February 2021 has no 30th day"), date="2021-02-30"),
    form("date-year-0", 422, date="0000"),
    form("date-year-99999", 422, date="99999"),
    form("date-us-format", 422, date="03/02/2021"),
    form("date-month-13", 422, date="2021-13-01"),
    form("source-published-impossible", 422, source_published="2021-02-30"),
    form("nul-in-title", 422, check=message("control character"), title="bad \x00 title"),
    form("escape-sequence-in-title", 422, title="\x1b[31mred\x1b[0m"),
    form("bell-in-quote", 422, quote="ring \x07"),
    form("delete-char-in-summary", 422, summary="rub \x7f out"),
    form("c1-control-in-location", 422, location="next\x85line"),
    form("carriage-return-in-title", 422, title="one\rtwo"),
    form("title-10000-characters", 422, check=message("at most 300"), title="x" * 10_000),
    form(
        "new-actor-name-10000-characters",
        422,
        error_on="new_actor_name",
        actor="__new__",
        new_actor_slug="long-name",
        new_actor_name="n" * 10_000,
        new_actor_kind="person",
    ),
    form("rationale-10000-characters", 422, **fields({"stances-0-rationale": "r" * 10_000})),
    form("body-10-mb", 413, quote="q" * (10 * MB)),
    form("score-nan", 422, **fields({"stances-0-score": "NaN"})),
    form("score-huge", 422, **fields({"stances-0-score": HUGE_ID})),
    form("kind-markup", 422, kind="<script>alert(1)</script>"),
    form("actor-sql", 422, actor="'; DROP TABLE event; --"),
    form("topic-sql", 422, **fields({"stances-0-topic": "x' OR 1=1 --"})),
    Case("form-missing-csrf", lambda c: c.form(csrf=None), 400, {}, message("security token")),
    Case("form-forged-csrf", lambda c: c.form(csrf="forged"), 400),
    Case("form-stale-csrf-from-another-session", stale_csrf, 400),
    form(
        "sql-metacharacters-stored-verbatim",
        303,
        EVENT_ROWS,
        tables_intact(SQL_TITLE, quote=SQL_QUOTE, summary=SQL_SUMMARY),
        title=SQL_TITLE,
        quote=SQL_QUOTE,
        summary=SQL_SUMMARY,
    ),
    form(
        "template-syntax-never-evaluated",
        303,
        EVENT_ROWS,
        not_evaluated,
        title=TEMPLATE_TITLE,
        quote=TEMPLATE_QUOTE,
    ),
    form(
        "right-to-left-and-bidi-controls-byte-for-byte",
        303,
        EVENT_ROWS,
        stored_verbatim(RTL_TITLE, quote=RTL_QUOTE, summary=RTL_SUMMARY),
        title=RTL_TITLE,
        quote=RTL_QUOTE,
        summary=RTL_SUMMARY,
    ),
    # --- the API: POST/PUT /api/v1/events with a Bearer token ---
    api("nan", 400, '{"title": NaN}', check=api_error("malformed_json")),
    api("infinity", 400, json.dumps(NEW_EVENT)[:-1] + ', "x": -Infinity}'),
    api("duplicate-keys", 400, '{"title": "a", "title": "b"}', check=api_error("malformed_json")),
    api("deep-nesting", 400, '{"a": ' * 5000 + "1" + "}" * 5000),
    api("deep-nesting-unclosed", 400, "[" * 200_000),
    api("top-level-array", 422, [NEW_EVENT], check=api_error("invalid")),
    api("top-level-string", 422, '"event"'),
    api("top-level-null", 422, "null"),
    api("title-a-number", 422, {**NEW_EVENT, "title": 12}, check=api_error("invalid", "title")),
    api("stances-a-string", 422, {**NEW_EVENT, "stances": "jcpoa"}),
    api("score-a-string", 422, {**NEW_EVENT, "stances": [{"topic": "jcpoa", "score": "2"}]}),
    api("score-a-bool", 422, {**NEW_EVENT, "stances": [{"topic": "jcpoa", "score": True}]}),
    api("score-a-float", 422, {**NEW_EVENT, "stances": [{"topic": "jcpoa", "score": 1.0}]}),
    api("score-huge", 422, {**NEW_EVENT, "stances": [{"topic": "jcpoa", "score": 10**30}]}),
    api("integer-5000-digits", 400, '{"version": ' + "9" * 5000 + "}"),
    api("date-a-number", 422, {**NEW_EVENT, "date": 20210101}),
    api("source-a-list", 422, {**NEW_EVENT, "source": ["https://example.org"]}),
    api("actor-null", 422, {**NEW_EVENT, "actor": None}),
    api("unknown-key-proto", 422, {**NEW_EVENT, "__proto__": {"admin": True}}),
    api("body-10-mb", 413, '{"title": "' + "x" * (10 * MB) + '"}', check=api_error("too_large")),
    api(
        "title-10000-characters",
        422,
        {**NEW_EVENT, "title": "t" * 10_000},
        check=api_error("invalid", "title"),
    ),
    Case(
        "api-actor-name-10000-characters",
        lambda c: c.api("POST", "/api/v1/actors", {"slug": "long", "name": "n" * 10_000, "kind": "person"}),
        422,
        {},
        api_error("invalid", "name"),
    ),
    Case(
        "api-topic-name-10000-characters",
        lambda c: c.api("POST", "/api/v1/topics", {"slug": "long", "name": "n" * 10_000}),
        422,
    ),
    Case(
        "api-actor-script-slug",
        lambda c: c.api("POST", "/api/v1/actors", {"slug": "<script>", "name": "x", "kind": "person"}),
        422,
    ),
    api(
        "javascript-url",
        422,
        {**NEW_EVENT, "source": {"url": "javascript:alert(1)"}},
        check=api_error("invalid", "source.url"),
    ),
    api("javascript-url-with-tab", 422, {**NEW_EVENT, "source": {"url": "java\tscript:alert(1)"}}),
    api("data-url", 422, {**NEW_EVENT, "source": {"url": "data:text/html,<script>alert(1)</script>"}}),
    api("date-february-30", 422, {**NEW_EVENT, "date": "2021-02-30"}, check=api_error("invalid", "date")),
    api("date-year-0", 422, {**NEW_EVENT, "date": "0000"}),
    api("date-year-99999", 422, {**NEW_EVENT, "date": "99999"}),
    api("date-us-format", 422, {**NEW_EVENT, "date": "03/02/2021"}),
    api("date-interval-backwards", 422, {**NEW_EVENT, "date": "2021-02/2020-01"}),
    api("nul-in-title", 422, {**NEW_EVENT, "title": "a\u0000b"}, check=api_error("invalid", "title")),
    api("nul-in-actor-slug", 422, {**NEW_EVENT, "actor": "rus\u0000sia"}),
    api("control-chars-in-quote", 422, {**NEW_EVENT, "quote": "x\u001b[2J\u0008y"}),
    api(
        "lone-surrogate", 422, '{"actor": "russia", "kind": "statement", "title": "a\\ud800", "date": "2021"}'
    ),
    api("invalid-utf8", 400, b'{"title": "\xff\xfe"}'),
    api("uid-path-traversal", 422, {**NEW_EVENT, "uid": "../../etc/passwd"}),
    api("wrong-content-type", 415, json.dumps(NEW_EVENT), content_type="text/html"),
    api("no-token", 401, NEW_EVENT, auth=False),
    api(
        "sql-metacharacters-stored-verbatim",
        201,
        {**NEW_EVENT, "title": SQL_TITLE, "quote": SQL_QUOTE},
        EVENT_ROWS,
        tables_intact(SQL_TITLE, quote=SQL_QUOTE),
    ),
    api(
        "template-syntax-never-evaluated",
        201,
        {**NEW_EVENT, "title": TEMPLATE_TITLE, "quote": TEMPLATE_QUOTE},
        EVENT_ROWS,
        not_evaluated,
    ),
    api(
        "right-to-left-byte-for-byte",
        201,
        {**NEW_EVENT, "title": RTL_TITLE, "quote": RTL_QUOTE, "summary": RTL_SUMMARY},
        EVENT_ROWS,
        stored_verbatim(RTL_TITLE, quote=RTL_QUOTE, summary=RTL_SUMMARY),
    ),
    api_put("nan", 400, '{"version": 1, "title": NaN}'),
    api_put("stale-version", 409, {**NEW_EVENT, "actor": "vladimir-putin", "version": 9}),
    api_put("javascript-url", 422, {**NEW_EVENT, "version": 1, "source": {"url": "javascript:alert(1)"}}),
    api_put("top-level-array", 422, [{**NEW_EVENT, "version": 1}]),
    api_put("huge-id", 404, {**NEW_EVENT, "version": 1}, path=f"/api/v1/events/{HUGE_ID}"),
    Case("api-get-huge-id", lambda c: c.get(f"/api/v1/events/{HUGE_ID}"), 404, {}, api_error("not_found")),
    Case("api-delete-huge-id", lambda c: c.api("DELETE", f"/api/v1/events/{HUGE_ID}", ""), 404),
    Case("api-patch-not-allowed", lambda c: c.api("PATCH", "/api/v1/events/1", {"title": "x"}), 405),
    # --- import: the command line ---
    cli("path-traversal-to-etc-passwd", deep_path, "cannot read JSON"),
    cli("a-directory", directory, "directory", status=2),
    cli("missing-file", lambda c: c.tmp / "no-such.json", "does not exist", status=2),
    cli("nan", '{"format": "stance-timeline", "version": NaN}', "NaN"),
    cli("duplicate-keys", DUPLICATE_KEYS_DOC),
    cli("deep-nesting", "[" * 100_000 + "]" * 100_000),
    cli("top-level-array", "[]", "must be a JSON object"),
    cli(
        "not-utf8",
        b'{"format": "stance-timeline", "version": 1, "topics": [{"slug": "a", "name": "\xff"}]}',
        "cannot read JSON",
    ),
    cli("empty-file", "", "cannot read JSON"),
    cli(
        "javascript-url-in-second-record",
        doc(
            topics=[VALID_TOPIC],
            events=[
                VALID_EVENT_RECORD,
                {**VALID_EVENT_RECORD, "uid": "imp-2", "source": {"url": "javascript:alert(1)"}},
            ],
        ),
        "events[1]",
        "source.url",
        "Nothing was imported",
    ),
    cli(
        "name-10000-characters",
        doc(actors=[{"slug": "long", "name": "n" * 10_000, "kind": "person"}]),
        "actors[0]",
        "Nothing was imported",
    ),
    cli("date-year-0", doc(events=[{**VALID_EVENT_RECORD, "date": "0000"}]), "events[0]", "date"),
    cli("nul-in-title", doc(events=[{**VALID_EVENT_RECORD, "title": "a\u0000b"}]), "control character"),
    cli("sql-in-slug", doc(topics=[{"slug": "x'; DROP TABLE topic; --", "name": "x"}]), "topics[0]"),
    cli("uid-path-traversal", doc(events=[{**VALID_EVENT_RECORD, "uid": "../../x"}]), "events[0]", "uid"),
    # --- import: the /import page ---
    Case(
        "import-upload-traversal-filename-is-harmless",
        lambda c: c.upload(doc(topics=[VALID_TOPIC]).encode(), filename="../../x.json"),
        200,
        {"topic": 1, "revision": 1},
        no_file_escaped,
    ),
    Case(
        "import-upload-traversal-filename-dry-run",
        lambda c: c.upload(doc(topics=[VALID_TOPIC]).encode(), filename="../../x.json", dry_run=True),
        200,
        {},
        no_file_escaped,
    ),
    Case(
        "import-upload-script-filename-and-fields",
        xss_upload,
        200,
        {"topic": 1, "event": 1, "stance": 1, "revision": 2},
        shows_escaped(),
    ),
    Case(
        "import-upload-nan",
        lambda c: c.upload(b'{"format": "stance-timeline", "version": NaN}', filename="../../x.json"),
        400,
        {},
        message("NaN"),
    ),
    Case(
        "import-upload-duplicate-keys",
        lambda c: c.upload(DUPLICATE_KEYS_DOC.encode()),
        400,
        {},
        message("twice"),
    ),
    Case("import-upload-deep-nesting", lambda c: c.upload(b"[" * 100_000 + b"]" * 100_000), 400),
    Case(
        "import-upload-bad-record",
        lambda c: c.upload(
            doc(topics=[VALID_TOPIC], events=[{**VALID_EVENT_RECORD, "date": "2021-02-30"}]).encode()
        ),
        422,
        {},
        message("events[0]", "Nothing was imported"),
    ),
    Case("import-upload-10-mb", lambda c: c.upload(b" " * (10 * MB) + doc().encode()), 413),
    Case(
        "import-upload-missing-csrf", lambda c: c.upload(doc(topics=[VALID_TOPIC]).encode(), csrf=False), 400
    ),
    # --- redirects after sign-in ---
    *(
        login_next(t)
        for t in (
            "//evil.example",
            "https://evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "\t//evil.example",
            "/%0d%0aLocation:%20//evil.example",
            "http:evil.example",
            "%2F%2Fevil.example",
        )
    ),
    # --- huge ids, GET on write routes ---
    get("event-huge-id", f"/events/{HUGE_ID}", 404),
    get("event-edit-huge-id", f"/events/{HUGE_ID}/edit", 404),
    get("event-history-huge-id", f"/events/{HUGE_ID}/history", 404),
    get("event-id-2-to-the-31", "/events/2147483648", 404),
    post("delete-huge-id", f"/events/{HUGE_ID}/delete", 404),
    post("restore-huge-id", f"/events/{HUGE_ID}/restore", 404),
    post("edit-huge-id", f"/events/{HUGE_ID}/edit", 404),
    post(
        "edit-huge-version",
        "/events/1/edit",
        409,
        {
            "version": HUGE_ID,
            "actor": "vladimir-putin",
            "kind": "statement",
            "date": "2019",
            "title": "x",
            "confidence": "low",
            "save": "Save",
        },
    ),
    get("write-route-events", "/events", 405),
    get("write-route-delete", "/events/1/delete", 405),
    get("write-route-restore", "/events/1/restore", 405),
    get("write-route-purge", "/events/1/purge", 405),
    get("write-route-logout", "/logout", 405),
    # --- hostile text in URLs: reflected escaped, never a 500 ---
    get(
        "search-reflects-escaped",
        "/search?q=%3Cscript%3Ealert(%22q%22)%3C/script%3E",
        200,
        shows_escaped('<script>alert("q")</script>'),
    ),
    get("search-sql", "/search?q=%27%20OR%201%3D1%20--", 200),
    get("search-fts-syntax", "/search.json?q=%22NEAR(a%20b)%22%20OR%20title%3A*%20%5E", 200),
    get("search-tsquery-syntax", "/search.json?q=a%20%26%20!b%20%7C%20c%3A*%20%3C-%3E%20d", 200),
    get(
        "actor-slug-markup",
        "/actors/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
        404,
        shows_escaped("<img src=x onerror=alert(1)>"),
    ),
    get(
        "login-next-markup",
        "/login?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        200,
        shows_escaped('"><script>alert(1)</script>'),
    ),
    get(
        "actor-filter-markup",
        "/actors/russia?kind=%3Cscript%3Ealert(1)%3C/script%3E",
        400,
        shows_escaped("<script>alert(1)</script>"),
    ),
    get("nul-in-actor-slug", "/actors/%00", 404),
    get("nul-in-topic-slug", "/topics/%00", 404),
    get("nul-in-api-actor-slug", "/api/v1/actors/%00", 404),
    get("nul-in-topic-filter", "/actors/russia?topic=%00", 400),
    get("nul-in-api-actor-filter", "/api/v1/events?actor=%00", 400),
    get("nul-in-audit-editor-filter", "/audit?editor=%00", (200, 400)),
    Case(
        "login-nul-in-name",
        lambda c: c.post(
            "/login", data={"csrf_token": csrf_token(c.client), "name": "e\x00d", "password": "x" * 12}
        ),
        401,
    ),
]


# --- the edge of the calendar, EDTF seasons, Unicode digits, Host headers (issue 12) ---------------

# Approximate/uncertain dates at the calendar's ends: widened up to 1 January 1 / 31 December 9999.
EDGE_DATES = {
    "9999-12-31~": (date(9999, 12, 30), date(9999, 12, 31), "c. 31 December 9999"),
    "0001-01-01?": (date(1, 1, 1), date(1, 1, 2), "1 January 1?"),
    "1000-01-01/9999-12-31%": (date(1000, 1, 1), date(9999, 12, 31), "1 January 1000 – c. 31 December 9999?"),
    "9999-12~": (date(9999, 11, 1), date(9999, 12, 31), "c. December 9999"),
    "0001-01~": (date(1, 1, 1), date(1, 2, 28), "c. January 1"),
}
# Every listing that takes from/to; the audit is for editors, the rest is asked anonymously.
FILTERED_LISTINGS = (
    "/actors/russia",
    "/actors/russia.json",
    "/actors/russia.csv",
    "/actors/russia.timelinejs.json",
    "/topics/jcpoa",
    "/topics/jcpoa.json",
    "/topics/jcpoa.timelinejs.json",
    "/api/v1/events",
)
PAGES_OF_RUSSIA = (
    "/",
    "/actors/russia",
    "/actors/russia?topic=jcpoa",
    "/actors/russia.json",
    "/actors/russia.csv",
    "/actors/russia.timelinejs.json",
    "/actors/russia/embed",
    "/topics/jcpoa",
    "/topics/jcpoa.json",
    "/topics/jcpoa.timelinejs.json",
    "/api/v1/events",
    "/export.json",
)
LONG_LABEL_HOST = "a" * 64 + ".localhost"
OVERFLOW_CREATED = "0001-01-01T00:00:00+14:00"  # a day before the calendar starts, in UTC


def dated(
    title: str, earliest: date, latest: date, display: str, *, not_shown: str = ""
) -> Callable[[Ctx, Outcome], None]:
    """The event is stored with these bounds and this text, and every page that lists it answers."""

    def check(ctx: Ctx, out: Outcome) -> None:
        event = ctx.event_by_title(title)
        assert (event.date_earliest, event.date_latest, event.date_display) == (earliest, latest, display)
        page = ctx.get(f"/events/{event.id}").text
        assert str(escape(display)) in page
        if not_shown:
            assert not_shown not in page
        anonymous = ctx.app.test_client()
        for path in PAGES_OF_RUSSIA:
            listed = ctx.get(path, client=anonymous)
            assert listed.status == 200, (path, listed.status, listed.text[:300])
        assert str(escape(display)) in ctx.get("/actors/russia", client=anonymous).text

    return check


def dated_import(edtf: str) -> Callable[[Ctx, Outcome], None]:
    earliest, latest, display = EDGE_DATES[edtf]
    return dated(VALID_EVENT_RECORD["title"], earliest, latest, display)


def edge_filters(edtf: str) -> Callable[[Ctx], Outcome]:
    """Every listing with `from` and then `to` at this date: the worst answer, naming its URL."""

    def send(c: Ctx) -> Outcome:
        anonymous = c.app.test_client()
        for name in ("from", "to"):
            query = urlencode({name: edtf})
            asked = [(f"{p}?{query}", anonymous) for p in FILTERED_LISTINGS] + [(f"/audit?{query}", c.client)]
            for url, client in asked:
                out = c.get(url, client=client)
                if out.status != 200:
                    return Outcome(out.status, f"{url}: {out.text}")
        return Outcome(200, "")

    return send


def host_get(path: str, host: str, *, anonymous: bool = True) -> Callable[[Ctx], Outcome]:
    def send(c: Ctx) -> Outcome:
        return c.get(path, client=c.app.test_client() if anonymous else None, headers={"Host": host})

    return send


def refused_host(host: str, *, json_body: bool = False) -> Callable[[Ctx, Outcome], None]:
    """A clean 400 that names the cause and reflects nothing of the Host: no link, no traceback."""

    def check(ctx: Ctx, out: Outcome) -> None:
        assert host.split(":")[0] not in out.text and "Traceback" not in out.text
        if json_body:
            assert json.loads(out.text)["error"]["code"] == "bad_host"
        else:
            assert "host name" in out.text and "href" not in out.text

    return check


def absolute_links_to(origin: str) -> Callable[[Ctx, Outcome], None]:
    def check(ctx: Ctx, out: Outcome) -> None:
        links = re.findall(r'href="(https?://[^"]*)"', out.text)
        assert links and all(link.startswith(f"{origin}/") for link in links), links

    return check


def edit_event_1(**changes: str) -> Callable[[Ctx], Outcome]:
    """POST /events/1/edit: the event's own values (version 1) with `changes`."""

    def send(c: Ctx) -> Outcome:
        data = {
            "csrf_token": csrf_token(c.client),
            "version": "1",
            "actor": "vladimir-putin",
            "kind": "statement",
            "date": "2019",
            "title": "Changed title",
            "confidence": "low",
            "save": "Save",
            **changes,
        }
        return c.post("/events/1/edit", data=data)

    return send


def put_if_match(value: str, path: str = "/api/v1/events/1") -> Callable[[Ctx], Outcome]:
    body = {**NEW_EVENT, "actor": "vladimir-putin", "title": "Changed title"}
    return lambda c: c.api("PUT", path, body, headers={"If-Match": value})


def create_account(name: str) -> Callable[[Ctx], Outcome]:
    def send(c: Ctx) -> Outcome:
        result = c.runner.invoke(args=["users", "create", "--", name], input="a long enough passphrase\n")
        exc = result.exception
        unexpected = None if exc is None or isinstance(exc, SystemExit) else repr(exc)
        return Outcome(result.exit_code, result.output, {}, unexpected)

    return send


def import_cli_dated(edtf: str) -> Callable[[Ctx], Outcome]:
    """`flask import` of one valid event dated `edtf`."""
    return lambda c: c.cli_import(doc(events=[{**VALID_EVENT_RECORD, "date": edtf}]))


def upload_dated(edtf: str) -> Callable[[Ctx], Outcome]:
    """The import form's upload of one valid event dated `edtf`."""
    return lambda c: c.upload(doc(events=[{**VALID_EVENT_RECORD, "date": edtf}]).encode())


EDGE_CASES: list[Case] = [
    # Dates at the calendar's ends: stored with earliest <= latest, shown, listed; never a 500.
    *(
        form(f"date-edge-{d}", 303, EVENT_ROWS, dated("A valid title", *EDGE_DATES[d]), date=d)
        for d in EDGE_DATES
    ),
    *(
        api(f"date-edge-{d}", 201, {**NEW_EVENT, "date": d}, EVENT_ROWS, dated("Via the API", *EDGE_DATES[d]))
        for d in EDGE_DATES
    ),
    *(
        Case(
            f"import-cli-date-edge-{d}",
            import_cli_dated(d),
            0,
            EVENT_ROWS,
            dated_import(d),
        )
        for d in EDGE_DATES
    ),
    *(
        Case(
            f"import-upload-date-edge-{d}",
            upload_dated(d),
            200,
            EVENT_ROWS,
            dated_import(d),
        )
        for d in EDGE_DATES
    ),
    *(Case(f"get-filters-at-{d}", edge_filters(d), 200) for d in EDGE_DATES),
    api("date-winter-of-9999", 422, {**NEW_EVENT, "date": "9999-24"}, check=message("9999")),
    # created_at that leaves the calendar once converted to UTC: refused, naming the field.
    api("created-at-before-year-1-in-utc", 422, {**NEW_EVENT, "created_at": OVERFLOW_CREATED}),
    api("created-at-after-year-9999-in-utc", 422, {**NEW_EVENT, "created_at": "9999-12-31T23:59:59-14:00"}),
    cli(
        "created-at-before-year-1-in-utc",
        doc(events=[{**VALID_EVENT_RECORD, "created_at": OVERFLOW_CREATED}]),
        "events[0]",
        "created_at",
        "Nothing was imported",
    ),
    Case(
        "import-upload-created-at-before-year-1-in-utc",
        lambda c: c.upload(doc(events=[{**VALID_EVENT_RECORD, "created_at": OVERFLOW_CREATED}]).encode()),
        422,
        {},
        message("events[0]", "created_at", "Nothing was imported"),
    ),
    # EDTF seasons 25-41 and unspecified months: shown as what they mean, not as a month or a day.
    form(
        "date-season-25",
        303,
        EVENT_ROWS,
        dated(
            "A valid title",
            date(2020, 3, 1),
            date(2020, 5, 31),
            "Spring 2020 (Northern Hemisphere)",
            not_shown="March 2020",
        ),
        date="2020-25",
    ),
    api(
        "date-quarter-33",
        201,
        {**NEW_EVENT, "date": "2020-33"},
        EVENT_ROWS,
        dated(
            "Via the API",
            date(2020, 1, 1),
            date(2020, 3, 31),
            "First quarter of 2020",
            not_shown="January 2020",
        ),
    ),
    api(
        "date-semester-41",
        201,
        {**NEW_EVENT, "date": "2020-41"},
        EVENT_ROWS,
        dated("Via the API", date(2020, 7, 1), date(2020, 12, 31), "Second half of 2020"),
    ),
    api(
        "date-winter-24-runs-into-next-year",
        201,
        {**NEW_EVENT, "date": "2020-24"},
        EVENT_ROWS,
        dated("Via the API", date(2020, 12, 1), date(2021, 2, 28), "Winter 2020–2021"),
    ),
    api(
        "date-unknown-month-known-day",
        201,
        {**NEW_EVENT, "date": "2019-XX-15"},
        EVENT_ROWS,
        dated(
            "Via the API",
            date(2019, 1, 15),
            date(2019, 12, 15),
            "15 (month unknown) 2019",
            not_shown="15 January 2019",
        ),
    ),
    # Unicode digits pass str.isdigit() and int() reads "١" as 1: ASCII digits only, everywhere.
    get("api-page-superscript", "/api/v1/events?page=%C2%B2", 400, api_error("invalid_filter", "page")),
    get(
        "api-per-page-superscript",
        "/api/v1/events?per_page=%C2%B3",
        400,
        api_error("invalid_filter", "per_page"),
    ),
    get("api-page-arabic-indic", "/api/v1/events?page=%D9%A1", 400, api_error("invalid_filter", "page")),
    get(
        "api-page-5000-digits", "/api/v1/events?page=" + "9" * 5000, 400, api_error("invalid_filter", "page")
    ),
    get("actor-page-superscript", "/actors/russia?page=%C2%B2", 400, message("page number")),
    get("topic-page-superscript", "/topics/jcpoa?page=%C2%B2", 400, message("page number")),
    get("actor-page-5000-digits", "/actors/russia?page=" + "9" * 5000, 400, message("page number")),
    get("search-page-superscript", "/search?q=fire&page=%C2%B2", 400, message("whole number")),
    get(
        "search-json-page-arabic-indic",
        "/search.json?q=fire&page=%D9%A1",
        400,
        api_error("invalid_filter", "page"),
    ),
    get("new-event-candidate-superscript", "/events/new?candidate=%C2%B2", 400, message("candidate")),
    Case(
        "form-candidate-arabic-indic",
        lambda c: c.form(candidate="\u0661"),
        422,
        {},
        message("review item is not a number", "Nothing was saved"),
    ),
    form("score-arabic-indic", 422, **fields({"stances-0-score": "\u0661"})),
    form("score-superscript", 422, **fields({"stances-0-score": "\u00b2"})),
    Case(
        "edit-version-arabic-indic",
        edit_event_1(version="\u0661"),
        422,
        {},
        both(message("version"), unchanged_event_1),
    ),
    Case("edit-version-underscored", edit_event_1(version="1_0"), 422, {}, unchanged_event_1),
    Case(
        "api-put-if-match-byte-b2",
        put_if_match("\xb2"),
        422,
        {},
        both(api_error("invalid", "version"), unchanged_event_1),
    ),
    Case("api-put-if-match-quoted-superscript", put_if_match('"\xb2"'), 422, {}, unchanged_event_1),
    get("event-arabic-indic-id", "/events/%D9%A1", 404),
    get("event-fullwidth-id", "/events/%EF%BC%91", 404),
    get("event-underscored-id", "/events/0_1", 404),
    get("event-edit-arabic-indic-id", "/events/%D9%A1/edit", 404),
    get("event-history-arabic-indic-id", "/events/%D9%A1/history", 404),
    get("event-5000-digit-id", "/events/" + "9" * 5000, 404),
    Case(
        "api-get-arabic-indic-id", lambda c: c.get("/api/v1/events/%D9%A1"), 404, {}, api_error("not_found")
    ),
    Case(
        "api-put-arabic-indic-id",
        lambda c: c.api("PUT", "/api/v1/events/%D9%A1", {**NEW_EVENT, "version": 1}),
        404,
        {},
        unchanged_event_1,
    ),
    Case(
        "api-delete-arabic-indic-id",
        lambda c: c.api("DELETE", "/api/v1/events/%D9%A1", ""),
        404,
        {},
        unchanged_event_1,
    ),
    post("delete-arabic-indic-id", "/events/%D9%A1/delete", 404),
    # Host: only trusted names; a refused one gets a plain 400 that builds no link from it.
    *(
        Case(
            f"host-label-over-63-{path}",
            host_get(path, LONG_LABEL_HOST),
            400,
            {},
            refused_host(LONG_LABEL_HOST, json_body=path.startswith("/api")),
        )
        for path in ("/", "/actors/russia/embed", "/api/v1/events", "/no-such-page")
    ),
    Case(
        "host-label-over-63-signed-in",
        host_get("/deleted", LONG_LABEL_HOST, anonymous=False),
        400,
        {},
        refused_host(LONG_LABEL_HOST),
    ),
    Case(
        "host-untrusted-embed",
        host_get("/actors/russia/embed", "evil.example"),
        400,
        {},
        refused_host("evil.example"),
    ),
    Case(
        "host-untrusted-embed-with-port",
        host_get("/actors/russia/embed", "evil.example:5000"),
        400,
        {},
        refused_host("evil.example"),
    ),
    Case(
        "host-untrusted-json",
        host_get("/actors/russia.json", "evil.example"),
        400,
        {},
        refused_host("evil.example", json_body=True),
    ),
    Case(
        "host-trusted-embed",
        host_get("/actors/russia/embed", "127.0.0.1:5000"),
        200,
        {},
        absolute_links_to("http://127.0.0.1:5000"),
    ),
    # Account names: a safe set, so that every account can be named in a URL (and disabled).
    *(
        Case(f"account-name-{name!r}", create_account(name), 1, {}, message("name"))
        for name in ("a/b", "../admin", "a b", "ed%2Fx", "<script>", "é", "-x", ".hidden", "a\\b", "x" * 81)
    ),
]
CASES += EDGE_CASES


def test_there_are_at_least_40_cases() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(ctx: Ctx, case: Case) -> None:
    before = counts(ctx.app)
    out = case.send(ctx)
    after = counts(ctx.app)
    expected = (case.status,) if isinstance(case.status, int) else case.status
    assert out.unexpected_exception is None, f"crashed with {out.unexpected_exception}: {out.text[-500:]}"
    assert out.status in expected, f"got {out.status}, expected {expected}: {out.text[:800]}"
    assert after == {k: v + case.added.get(k, 0) for k, v in before.items()}, "stored rows differ"
    if out.headers.get("Content-Type", "").startswith("text/html"):
        no_raw_markup(out.text)
    if case.check is not None:
        case.check(ctx, out)


# --- one hostile-but-valid record, rendered everywhere -------------------------------------------

HOSTILE_URL = 'https://example.org/?q="><script>alert("url")</script>&x=\'><svg/onload=alert(1)>'


@pytest.fixture
def hostile(ctx: Ctx) -> dict[str, Any]:
    """A hostile actor, topic and two events stored through the API (two, so the history has a change)."""
    actor = {
        "slug": "hostile",
        "name": xss("actor-name"),
        "kind": "government",
        "role": xss("actor-role"),
        "country": xss("country"),
        "aliases": [xss("alias")],
        "description": xss("actor-description"),
    }
    topic = {"slug": "hostile-topic", "name": xss("topic-name"), "description": xss("topic-description")}
    assert ctx.api("POST", "/api/v1/actors", actor).status == 201
    assert ctx.api("POST", "/api/v1/topics", topic).status == 201
    event = {
        "uid": "hostile-event",
        "actor": "hostile",
        "kind": "statement",
        "title": xss("title") + " hostilemarker",
        "date": "2021-01-10",
        "date_basis": xss("basis"),
        "quote": xss("quote"),
        "summary": '=HYPERLINK("https://evil.example","click") ' + xss("summary"),
        "location": xss("location"),
        "speaker_role": xss("speaker"),
        "source": {
            "title": xss("source-title"),
            "url": HOSTILE_URL,
            "publisher": xss("publisher"),
            "author": xss("author"),
        },
        "stances": [
            {"topic": "hostile-topic", "score": 2, "rationale": xss("rationale")},
            {"topic": "jcpoa", "score": -2, "rationale": xss("rationale")},
        ],
    }
    created = ctx.api("POST", "/api/v1/events", event)
    assert created.status == 201, created.text
    earlier = {
        **event,
        "uid": "hostile-earlier",
        "title": xss("earlier"),
        "date": "2020-06",
        "stances": [{"topic": "hostile-topic", "score": -1}],
    }
    assert ctx.api("POST", "/api/v1/events", earlier).status == 201
    return {"actor": actor, "topic": topic, "event": event, "id": json.loads(created.text)["id"]}


def escaped_in(page: str, *tags: str) -> None:
    for tag in tags:
        assert str(escape(xss(tag))) in page, f"the {tag} is not shown escaped"


def test_hostile_record_is_escaped_on_every_html_page(ctx: Ctx, hostile: dict[str, Any]) -> None:
    anonymous = ctx.app.test_client()
    pages = {
        # The home page names topics; their descriptions are on /topics (issue 15).
        "index": ("/", ("actor-name", "actor-role", "topic-name")),
        "topics": ("/topics", ("topic-name", "topic-description")),
        "data": ("/data", ("actor-name", "topic-name")),
        "chart embed": ("/actors/hostile/embed/chart", ("actor-name",)),
        "topic chart embed": ("/topics/hostile-topic/embed/chart", ("topic-name",)),
        "topic embed": ("/topics/hostile-topic/embed", ("topic-name",)),
        "actor": (
            "/actors/hostile",
            (
                "actor-name",
                "actor-role",
                "country",
                "alias",
                "actor-description",
                "quote",
                "speaker",
                "source-title",
                "publisher",
                "topic-name",
            ),
        ),
        "event": (
            f"/events/{hostile['id']}",
            (
                "actor-name",
                "quote",
                "basis",
                "location",
                "speaker",
                "source-title",
                "publisher",
                "author",
                "rationale",
                "topic-name",
            ),
        ),
        "topic": (
            "/topics/hostile-topic",
            ("topic-name", "topic-description", "actor-name", "quote", "speaker"),
        ),
        "search": ("/search?q=hostilemarker", ("actor-name",)),
        "history": (f"/events/{hostile['id']}/history", ("quote", "basis", "rationale")),
        "embed": ("/actors/hostile/embed", ("actor-name",)),
    }
    for name, (path, tags) in pages.items():
        out = ctx.get(path, client=anonymous)
        assert out.status == 200, (name, out.status)
        no_raw_markup(out.text)
        escaped_in(out.text, *tags)
        if name in ("actor", "event"):
            assert f'href="{escape(HOSTILE_URL)}"' in out.text, name
    # Titles: whole on the event page; cut by <mark> highlighting on the search page.
    title = hostile["event"]["title"]
    assert f'<h1 dir="auto">{escape(title)}</h1>' in ctx.get(f"/events/{hostile['id']}").text
    search = ctx.get("/search?q=hostilemarker").text
    assert (
        "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in search
        and "<mark>hostilemarker</mark>" in search
    )


def test_hostile_record_is_escaped_in_the_svg_charts(ctx: Ctx, hostile: dict[str, Any]) -> None:
    for path in ("/actors/hostile", "/topics/hostile-topic", "/topics/jcpoa"):
        page = ctx.get(path).text
        charts = re.findall(r"<svg\b.*?</svg>", page, re.S)
        assert charts, f"no chart on {path}"
        svg = "".join(charts)
        no_raw_markup(svg)
        assert str(escape(xss("title"))) in svg, path  # in the points' <title> tooltips
        assert str(escape(xss("actor-name"))) in svg, path
    changes = ctx.get("/actors/hostile").text
    assert 'class="change change-reversal"' in changes  # -1 then +2 on the hostile topic


def raw_markup_in(value: Any, where: str = "") -> list[str]:
    """The JSON paths of strings that hold raw (unescaped) markup."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in raw_markup_in(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in raw_markup_in(v, f"{where}[{i}]")]
    if isinstance(value, str) and any(needle in value for needle in RAW_MARKUP[:3]):
        return [f"{where}: {value[:120]!r}"]
    return []


def test_hostile_record_is_escaped_in_timelinejs_json(ctx: Ctx, hostile: dict[str, Any]) -> None:
    for path in ("/actors/hostile.timelinejs.json", "/topics/hostile-topic.timelinejs.json"):
        out = ctx.get(path)
        assert out.status == 200 and out.headers["Content-Type"].startswith("application/json")
        data = json.loads(out.text)
        [slide] = [s for s in data["events"] if s["unique_id"] == str(hostile["id"])]
        # TimelineJS sets media.link as the link's href property (never as HTML): the URL as stored,
        # an http(s) address. Every other string is inserted as HTML, so must hold no raw markup.
        assert slide["media"].pop("link") == url_for_markup(HOSTILE_URL)  # same address, attribute-safe
        assert slide["text"]["headline"] == str(escape(hostile["event"]["title"]))
        body = slide["text"]["text"]
        for tag in ("actor-name", "speaker", "summary", "source-title"):
            assert str(escape(xss(tag))) in body, (path, tag)
        assert f'href="{escape(HOSTILE_URL)}"' in body
        assert slide["media"]["url"] == f"<blockquote>{escape(xss('quote'))}</blockquote>"
        assert slide["media"]["credit"] == str(escape(xss("publisher")))
        if path.startswith("/actors/"):
            assert data["title"]["text"]["headline"] == str(escape(xss("actor-name")))
        # Last, everything at once; this includes each slide's "group", the lane label that
        # TimelineJS writes with innerHTML (tl-timegroup-message): a topic or an actor name.
        assert not raw_markup_in(data), (path, raw_markup_in(data))


def test_hostile_record_in_csv_is_data_not_markup_or_formula(ctx: Ctx, hostile: dict[str, Any]) -> None:
    for path in ("/actors/hostile.csv", "/export.csv"):
        out = ctx.get(path)
        assert out.status == 200
        assert out.headers["Content-Type"].startswith("text/csv")
        assert out.headers["Content-Disposition"].startswith("attachment")
        assert out.headers["X-Content-Type-Options"] == "nosniff"
        rows = list(csv.DictReader(io.StringIO(out.text)))
        mine = [r for r in rows if r["uid"] == "hostile-event"]
        assert {r["topic"] for r in mine} == {"hostile-topic", "jcpoa"}
        row = mine[0]
        # CSV is plain data: values come back exactly, except that a formula is neutralised.
        assert row["title"] == hostile["event"]["title"]
        assert row["actor_name"] == xss("actor-name")
        assert row["quote"] == xss("quote")
        assert row["source_url"] == HOSTILE_URL
        assert row["summary"] == "'" + hostile["event"]["summary"]
        assert row["rationale"] == xss("rationale")


def test_hostile_record_json_round_trips_verbatim(ctx: Ctx, hostile: dict[str, Any]) -> None:
    event = json.loads(ctx.get(f"/api/v1/events/{hostile['id']}").text)
    sent = hostile["event"]
    for key in ("title", "quote", "summary", "date_basis", "location", "speaker_role"):
        assert event[key] == sent[key], key
    assert event["source"]["url"] == HOSTILE_URL
    exported = json.loads(ctx.get("/actors/hostile.json").text)
    assert exported["actors"][0]["name"] == xss("actor-name")
    assert [e["title"] for e in exported["events"]][-1] == sent["title"]
