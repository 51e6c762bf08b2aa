"""Stance Timeline: dated statements and per-actor stance histories."""

from __future__ import annotations

import gc
from typing import Any

from flask import Flask

from . import cli, db
from .config import PACKAGE, bundled, instance_folder, load_config
from .web import (
    admin,
    api,
    auth,
    cache,
    changes,
    chart_images,
    citing,
    common,
    editing,
    embeds,
    errors,
    explore,
    extract,
    feeds,
    forms,
    overview,
    pages,
    security,
    sources,
    webhooks,
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, database, CSRF, blueprints, error handlers, commands."""
    app = Flask(
        __name__,
        instance_path=str(instance_folder()),
        template_folder=str(bundled("templates")),
        static_folder=str(PACKAGE / "static"),
    )
    load_config(app, test_config)
    db.init_app(app)
    common.init_app(app)
    cache.init_app(app, db.engines(app)[0])
    security.init_app(app)
    forms.init_app(app)
    auth.init_app(app)
    pages.init_app(app)
    explore.init_app(app)
    overview.init_app(app)
    embeds.init_app(app)
    feeds.init_app(app)
    chart_images.init_app(app)
    citing.init_app(app)
    editing.init_app(app)
    api.init_app(app)
    changes.init_app(app)
    extract.init_app(app)
    sources.init_app(app)
    admin.init_app(app)
    webhooks.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    # Everything built so far (modules, the app) lives as long as the process: keep it out of the
    # garbage collector's full passes, which otherwise walk it on every large request; and collect
    # young objects less often (a timeline request makes tens of thousands, very few in cycles).
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    return app


def dispose(app: Flask) -> None:
    """Close what the app holds open: the response cache's listening connection and the pools."""
    cache.close(app)
    for engine in db.engines(app):
        engine.dispose()
