"""Apps on test databases and the in-process helpers that load data and users into them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from flask import Flask
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import func, select
from werkzeug.routing.rules import Rule

import timeline
from timeline import create_app
from timeline.db import get_session, write_session
from timeline.models import Actor, Event, Stance
from timeline.services import accounts
from timeline.services.importing import import_document

from support.data import PASSWORD

_APPS: list[Flask] = []


class _SharedTemplateCode(BytecodeCache):
    """Compiled templates shared by every app of the test process. Each app has its own Jinja
    environment, and compiling the same templates again took most of a page test's time. A template
    whose source changed is compiled again (the bucket checks its checksum)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODE = _SharedTemplateCode()


def _share_url_builders() -> None:
    """Every app compiles a URL builder (Python source, compiled) for each of its ~90 rules: most of
    create_app's time, paid again by every test. Rules with the same text, parts and defaults get the
    same builder (it reads the rule's converters from the rule it is bound to, at call time)."""
    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None:  # another Werkzeug: keep its own
        return
    builders: dict[tuple[Any, ...], Any] = {}

    def shared(self: Rule, append_unknown: bool = True) -> Any:
        defaults = tuple(sorted((k, repr(v)) for k, v in (self.defaults or {}).items()))
        key = (append_unknown, self.rule, tuple(self._trace), defaults)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = shared  # type: ignore[method-assign]


_share_url_builders()


def make_app(url: str, **config: Any) -> Flask:
    """An app on this database (config overrides the test defaults); its connections are closed after
    the test (conftest's autouse fixture calls dispose_apps)."""
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret", **config})
    app.jinja_env.bytecode_cache = _TEMPLATE_CODE
    _APPS.append(app)
    return app


def dispose_apps() -> None:
    """Close the pools and listening connections of every app made by make_app."""
    while _APPS:
        timeline.dispose(_APPS.pop())


def load_doc(app: Flask, doc: dict[str, Any]) -> None:
    """Import a document in the export format, as `flask import` does."""
    with app.app_context(), write_session() as session:
        import_document(session, doc)


def counts(app: Flask) -> tuple[int, int, int]:
    """How many actors, events and stances the database holds."""
    with app.app_context():
        s = get_session()
        actors, events, stances = (
            s.execute(select(func.count()).select_from(m)).scalar_one() for m in (Actor, Event, Stance)
        )
        return actors, events, stances


def create_user(app: Flask, name: str, *, admin: bool = False, password: str = PASSWORD) -> None:
    with app.app_context(), write_session() as session:
        accounts.create_user(session, name, password, admin=admin)


def id_of(row: Any) -> int:
    """The primary key of a row that has one (stored, or built with an id by the test)."""
    assert row.id is not None, row
    return int(row.id)


def flag_write_transactions(monkeypatch: Any, module: ModuleType) -> list[bool]:
    """Patch `module.write_session` so that the returned flag ([True]) says a write transaction of that
    module is open: for tests that slow work is not done while the database is held."""
    writing = [False]
    real = module.write_session

    @contextlib.contextmanager
    def flagged(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with real(*args, **kwargs) as session:
            writing[0] = True
            try:
                yield session
            finally:
                writing[0] = False

    monkeypatch.setattr(module, "write_session", flagged)
    return writing
