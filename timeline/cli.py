"""Commands: flask --app timeline db|seed|export|import. Each calls a service."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from . import migrate, work
from .cli_demo import demo_data_command
from .config import bundled
from .db import engines, write_session
from .jsontext import JsonTextError, loads_strict
from .services import accounts, feeds, seeding, snapshots
from .services.errors import DatabaseBusy, Invalid, NotFound
from .services.export import stream_full_export, timeline_json
from .services.records import dumps
from .services.timeline import actor_timeline

SEED_DIR = bundled("seed")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_group)
    for command in (
        seed_command,
        export_command,
        import_command,
        users_group,
        scheduler_command,
        snapshots_group,
        feeds_group,
        demo_data_command,
        extract_command,
    ):
        app.cli.add_command(_needing_schema(command))


def _needing_schema(command: click.Command) -> click.Command:
    """Every command but `db` first checks the schema: one line and exit 1 instead of a traceback."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _needing_schema(sub)
    elif command.callback is not None and not getattr(command.callback, "_checks_schema", False):
        command.callback = _schema_checked(command.callback)
    return command


def _schema_checked(callback: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(callback)
    @with_appcontext
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            problem = migrate.schema_problem(engines()[0])
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise click.ClickException(f"Cannot reach the database: {reason}") from exc
        if problem is not None:
            raise click.ClickException(problem)
        return callback(*args, **kwargs)

    checked._checks_schema = True  # type: ignore[attr-defined]
    return checked


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
        return loads_strict(path.read_bytes())
    except (OSError, JsonTextError) as exc:
        raise click.ClickException(f"{path}: cannot read JSON: {exc}") from exc


def run_import(path: Path, *, dry_run: bool) -> str:
    """Import one file: validated first, then written in one short transaction; a dry run only reads."""
    doc = _load_json(path)
    try:
        report = work.import_document(doc, dry_run=dry_run)
    except Invalid as exc:
        raise click.ClickException(f"{path}: {exc.message} Nothing was imported.") from exc
    except DatabaseBusy as exc:
        raise click.ClickException(f"{path}: {exc.message}") from exc
    if dry_run:
        return f"Dry run, nothing stored. Would import {path.name}: {report.summary()}"
    return f"Imported {path.name}: {report.summary()}"


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Add the bundled dataset's records that are missing; existing records are never changed."""
    paths = sorted(SEED_DIR.glob("*.json"))
    if not paths:
        raise click.ClickException(f"No seed files (*.json) in {SEED_DIR}.")
    for path in paths:
        doc = _load_json(path)
        try:
            with write_session() as session:
                report = seeding.load_seed(session, doc)
        except Invalid as exc:
            raise click.ClickException(f"{path}: {exc.message} Nothing was added.") from exc
        click.echo(f"Seed {path.name}: {report.summary()}.")


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
    from . import queries

    with Session(engines()[0]) as session:
        if actor_slug:
            actor = queries.actor_by_slug(session, actor_slug)
            if actor is None:
                raise click.ClickException(f"No actor with the slug “{actor_slug}”.")
            document = timeline_json(session, actor_timeline(session, actor, shape=queries.JSON_BODY))
            chunks = iter([document, b"\n"])
        else:
            chunks = stream_full_export(session)
        if output is None:
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
            return
        _write_atomically(output, chunks)
        click.echo(f"Wrote {output}.", err=True)


def _write_atomically(output: Path, chunks: Iterator[bytes]) -> None:
    """Write to FILE.tmp, then rename it over FILE; on any failure FILE.tmp is removed, FILE untouched."""
    tmp = output.with_name(output.name + ".tmp")
    try:
        with tmp.open("wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
        tmp.replace(output)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            reason = exc.strerror or exc
            raise click.ClickException(f"Cannot write {output}: {reason}. Nothing was written.") from exc
        raise


@click.group("users")
def users_group() -> None:
    """Editor accounts and API tokens."""


def _read_password(prompt: bool) -> str:
    # A terminal gets a hidden prompt with confirmation; a pipe gives the first line of stdin.
    if prompt and sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\n")


@users_group.command("create")
@click.argument("name")
@click.option("--admin", is_flag=True, help="The account also manages editors and may purge.")
@with_appcontext
def users_create(name: str, admin: bool) -> None:
    """Create an editor (password from a prompt, or from stdin)."""
    password = _read_password(prompt=True)
    try:
        with write_session() as session:
            user = accounts.create_user(session, name, password, admin=admin)
            role = user.role
    except Invalid as exc:
        raise click.ClickException("; ".join(f"{k}: {v}" for k, v in exc.fields.items())) from exc
    click.echo(f"Created {role} {name}.")


@users_group.command("password")
@click.argument("name")
@with_appcontext
def users_password(name: str) -> None:
    """Set a new password (from a prompt, or from stdin)."""
    password = _read_password(prompt=True)
    try:
        with write_session() as session:
            accounts.set_password(session, name, password)
    except (Invalid, NotFound) as exc:
        raise click.ClickException(str(getattr(exc, "fields", "") or exc)) from exc
    click.echo(f"Password of {name} changed.")


@users_group.command("list")
@with_appcontext
def users_list() -> None:
    """List accounts."""
    with Session(engines()[0]) as session:
        for user in accounts.list_users(session):
            state = "disabled" if user.disabled else "active"
            click.echo(f"{user.name}\t{user.role}\t{state}")


@users_group.command("disable")
@click.argument("name")
@with_appcontext
def users_disable(name: str) -> None:
    """Disable an account and revoke its API tokens."""
    try:
        with write_session() as session:
            accounts.disable_user(session, name)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Disabled {name}; its API tokens no longer work.")


@users_group.command("token")
@click.argument("name")
@with_appcontext
def users_token(name: str) -> None:
    """Issue an API token for NAME; it is shown once and stored hashed."""
    try:
        with write_session() as session:
            token = accounts.issue_token(session, name)
    except (Invalid, NotFound) as exc:
        raise click.ClickException(str(getattr(exc, "fields", "") or exc)) from exc
    click.echo(token)
    click.echo("Shown once: store it now. Send it as 'Authorization: Bearer <token>'.", err=True)


@users_group.command("bootstrap")
@with_appcontext
def users_bootstrap() -> None:
    """On a site without accounts, create the first admin and print its one-time password."""
    with write_session() as session:
        password = accounts.bootstrap_admin(session)
    if password is None:
        return  # accounts exist: say nothing
    click.echo(
        boxed(
            "First start: created the admin account.",
            "  name:     admin",
            f"  password: {password}   (shown only this once)",
            "Change it now: .venv/bin/flask --app timeline users password admin",
        )
    )


def boxed(*lines: str) -> str:
    """Lines in an ASCII frame, so they stand out in a console full of log lines."""
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *(f"| {line.ljust(width)} |" for line in lines), rule])


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduled jobs in this process (exactly one such process per site)."""
    from . import jobs

    jobs.start(current_app._get_current_object())  # type: ignore[attr-defined]


@click.group("snapshots")
def snapshots_group() -> None:
    """Snapshots of the whole dataset in instance/snapshots/."""


def _snapshot_dir() -> Path:
    return Path(current_app.config["SNAPSHOT_DIR"])


@snapshots_group.command("list")
@with_appcontext
def snapshots_list() -> None:
    """List snapshots, newest first."""
    files = snapshots.list_files(_snapshot_dir())
    if not files:
        click.echo(f"No snapshots in {_snapshot_dir()}.")
    for f in files:
        click.echo(f"{f.name}\t{f.size} bytes\tsha256 {f.sha256 or 'MISSING'}")


@snapshots_group.command("create")
@with_appcontext
def snapshots_create() -> None:
    """Write a snapshot now."""
    snap = work.take_snapshot()
    click.echo(f"Wrote {snap.name} ({snap.events} events, sha256 {snap.sha256}).")


@snapshots_group.command("restore")
@click.argument("name")
@click.option("--replace", is_flag=True, help="Overwrite the data of a database that is not empty.")
@with_appcontext
def snapshots_restore(name: str, replace: bool) -> None:
    """Restore a snapshot whose checksum matches, into an empty database (or with --replace)."""
    try:
        report = work.restore_snapshot(name, replace=replace)
    except (Invalid, NotFound) as exc:
        detail = "; ".join(getattr(exc, "fields", {}).values()) or str(exc)
        raise click.ClickException(f"{detail}. Nothing was changed.") from exc
    click.echo(f"Restored {name}: {report.summary()}")


@click.group("feeds")
def feeds_group() -> None:
    """RSS/Atom feeds watched into the review queue."""


@feeds_group.command("add")
@click.argument("url")
@with_appcontext
def feeds_add(url: str) -> None:
    """Watch a feed."""
    try:
        with write_session() as session:
            feeds.add_feed(session, url)
    except Invalid as exc:
        raise click.ClickException("; ".join(exc.fields.values())) from exc
    click.echo(f"Watching {url}.")


@click.command("extract")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--published", required=True, help="Publication date, EDTF: a day or an interval.")
@click.option("--url", default=None, help="The source URL (marks quotes already recorded from it).")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@with_appcontext
def extract_command(file: Path, published: str, url: str | None, as_json: bool) -> None:
    """Propose the quoted statements of a .txt or .html article (nothing is stored)."""
    from .services.extraction import service as extraction
    from .services.extraction.sources import article_from_upload

    try:
        article = article_from_upload(file.name, file.read_bytes())
        article.url = url or article.url
        with Session(engines()[0]) as session:
            result = extraction.extract_article(session, article, extraction.published_date(published))
    except Invalid as exc:
        detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message} {detail}") from exc
    if as_json:
        click.echo(dumps(extraction.as_json(result, include_text=not file.name.endswith(".txt"))))
        return
    for n, c in enumerate(result.candidates, 1):
        who = f"{c.speaker.name} ({c.speaker.actor or 'new actor'})"
        click.echo(f"{n}. [{c.start}:{c.end}] {who}, {c.date}: “{c.quote}”")
        click.echo(f"   {c.date_basis}")
        for s in c.stances:
            click.echo(f"   topic {s.topic}: {s.score if s.score is not None else 'no score'} ({s.reason})")
