"""Commands: flask --app timeline db|seed|export|import. Each calls a service."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import migrate
from .config import ROOT
from .db import engines, write_session
from .services.errors import Invalid
from .services.exchange import actor_timeline, import_document, stream_full_export, timeline_document
from .services.records import dumps

SEED_DIR = ROOT / "seed"


class _DryRun(Exception):
    """Raised inside the import transaction to roll it back."""


def init_app(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(seed_command)
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)


@click.group("db")
def db_group() -> None:
    """Database schema migrations."""


@db_group.command("upgrade")
@with_appcontext
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database at {revision}.")


@db_group.command("downgrade")
@with_appcontext
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database at {revision}.")


def _load_json(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh, parse_constant=_reject_constant)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{path}: cannot read JSON: {exc}") from exc


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def run_import(path: Path, *, dry_run: bool) -> str:
    """Import one file in one transaction; a dry run rolls it back and reports."""
    doc = _load_json(path)
    try:
        with write_session() as session:
            report = import_document(session, doc)
            if dry_run:
                raise _DryRun
    except _DryRun:
        return f"Dry run, nothing stored. Would import {path.name}: {report.summary()}"
    except Invalid as exc:
        raise click.ClickException(f"{path}: {exc.message} Nothing was imported.") from exc
    return f"Imported {path.name}: {report.summary()}"


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load the bundled dataset(s) from seed/ (idempotent)."""
    for path in sorted(SEED_DIR.glob("*.json")):
        click.echo(run_import(path, dry_run=False))


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would change; store nothing.")
def import_command(file: Path, dry_run: bool) -> None:
    """Import a native JSON document (all or nothing)."""
    click.echo(run_import(file, dry_run=dry_run))


@click.command("export")
@with_appcontext
@click.option("--actor", "actor_slug", help="Export one actor's timeline instead of everything.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
def export_command(actor_slug: str | None, output: Path | None) -> None:
    """Export the dataset (or one actor's timeline) as native JSON."""
    from sqlmodel import Session

    from . import queries

    with Session(engines()[0]) as session:
        if actor_slug:
            actor = queries.actor_by_slug(session, actor_slug)
            if actor is None:
                raise click.ClickException(f"No actor with the slug “{actor_slug}”.")
            chunks = iter([dumps(timeline_document(session, actor_timeline(session, actor))), "\n"])
        else:
            chunks = stream_full_export(session)
        if output is None:
            for chunk in chunks:
                sys.stdout.write(chunk)
            return
        tmp = output.with_name(output.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for chunk in chunks:
                fh.write(chunk)
        tmp.replace(output)
        click.echo(f"Wrote {output}.", err=True)
